"""The member space's forms: the reimbursements filters (GET) and the communication preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutuelle.claims.models import Statut
from mutuelle.claims.selectors_famille import Filtres, Personne
from mutuelle.core.widgets import DateInput
from mutuelle.notifications.models import PreferencesCommunication
from regles.postes import FAMILLE_CHOICES

# The statuses as a member reads them (the same words on the list, the detail and the dashboard).
STATUT_CHOICES = [(s.value, s.label) for s in Statut]
PAYE_A_CHOICES = [
    ("adherent", _("À moi (virement)")),
    ("professionnel", _("Au professionnel de santé (tiers payant)")),
]


class FiltresForm(forms.Form):
    beneficiaire = forms.ChoiceField(label=_("Bénéficiaire"), required=False)
    du = forms.DateField(label=_("Soins du"), required=False, widget=DateInput())
    au = forms.DateField(label=_("au"), required=False, widget=DateInput())
    famille = forms.ChoiceField(
        label=_("Type de soins"),
        required=False,
        choices=[("", _("Tous")), *((v, _(label)) for v, label in FAMILLE_CHOICES)],
    )
    statut = forms.ChoiceField(label=_("Statut"), required=False, choices=[("", _("Tous")), *STATUT_CHOICES])
    paye_a = forms.ChoiceField(label=_("Payé"), required=False, choices=[("", _("À tous")), *PAYE_A_CHOICES])

    def __init__(self, *args: Any, personnes: list[Personne], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.personnes = {p.cle: p for p in personnes}
        choix: list[tuple[str, Any]] = [("", _("Toute la famille")), *((p.cle, p.nom_complet) for p in personnes)]
        self.fields["beneficiaire"].choices = choix  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        du, au = data.get("du"), data.get("au")
        if du and au and du > au:
            self.add_error("au", "La fin de la période précède son début : corrigez l'une des deux dates.")
        return data

    def filtres(self) -> Filtres:
        """The filters as the selector takes them (none when the form is invalid)."""
        if not self.is_valid():
            return Filtres()
        d = self.cleaned_data
        personne = self.personnes.get(d.get("beneficiaire") or "")
        return Filtres(
            beneficiaire_ids=personne.ids if personne else None,
            du=d.get("du"),
            au=d.get("au"),
            famille=d.get("famille") or "",
            statut=d.get("statut") or "",
            paye_a=d.get("paye_a") or "",
        )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = PreferencesCommunication
        fields = ["email_paiement", "resume_mensuel", "email_complement", "email_reponse", "releves_papier"]
