"""The handlers' forms for members' requests: the decision on a request, and an act keyed in from a
paper claim."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutuelle.core.widgets import DateInput
from mutuelle.requests.forms import SECTEURS, ligne_devis
from mutuelle.requests.models import Decision, StatutDemande


class TraitementForm(forms.Form):
    vers = forms.ChoiceField(label=_("Étape"), choices=StatutDemande.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Décision"), choices=[("", "—"), *Decision.choices], required=False)
    montant_corrige = forms.DecimalField(
        label=_("Part de la mutuelle après correction (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    message = forms.CharField(
        label=_("Message à l'adhérent"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ActeSaisiForm(forms.Form):
    """An act keyed in by the handler from a paper claim."""

    code = forms.CharField(label=_("Code de l'acte (clé B2 ou code de prestation)"), max_length=10)
    date_soins = forms.DateField(label=_("Date"), widget=DateInput())
    quantite = forms.IntegerField(label=_("Quantité"), min_value=1, max_value=99, initial=1)
    montant = forms.DecimalField(label=_("Montant (€)"), min_value=0, max_digits=9, decimal_places=2)
    base = forms.DecimalField(
        label=_("Base de remboursement (€)"), required=False, min_value=0, max_digits=9, decimal_places=2
    )
    secteur = forms.ChoiceField(label=_("Praticien"), choices=SECTEURS, initial="1", required=False)

    def ligne_devis(self, beneficiaire: Any) -> Any:
        return ligne_devis(self.cleaned_data, beneficiaire, soin=self.cleaned_data["code"])

    def clean_code(self) -> str:
        from regles.moteur import ActeInvalide, nature_de

        code = self.cleaned_data["code"].strip().upper()
        try:
            nature_de(code)
        except ActeInvalide as exc:
            raise forms.ValidationError(exc.message) from exc
        return code
