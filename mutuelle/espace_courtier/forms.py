"""The broker space's forms. Files go through the requests' checks (type, size, antivirus, rewrite)
in ``clean()``; people are checked with the members' own model rules by the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from mutuelle.brokers.services import CHAMPS_PROSPECT
from mutuelle.core.widgets import DateInput
from mutuelle.espace.forms_demandes import AjoutBeneficiaireForm
from mutuelle.formules.models import Formule
from mutuelle.members.models import Civilite, Qualite, Sexe, StatutContrat
from mutuelle.requests.services import DemandeRefusee, fichiers_verifier


def formules_vendables(on: date | None = None) -> Any:
    on = on or timezone.localdate()
    return Formule.objects.filter(date_lancement__lte=on).exclude(date_retrait__lt=on).order_by("niveau", "libelle")


class PortefeuilleForm(forms.Form):
    q = forms.CharField(
        label="Rechercher", required=False, max_length=100, help_text="Nom, n° d'adhérent ou de contrat."
    )
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous"), *StatutContrat.choices])
    formule = forms.ModelChoiceField(
        label="Formule", required=False, queryset=Formule.objects.none(), empty_label="Toutes"
    )
    cotisations = forms.ChoiceField(
        label="Cotisations",
        required=False,
        choices=[("", "Toutes"), ("a_jour", "À jour"), ("impayees", "Impayés")],
    )
    courtier = forms.TypedChoiceField(label="Courtier", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, courtiers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["formule"]).queryset = Formule.objects.order_by("niveau", "libelle")
        if courtiers is not None and len(courtiers) > 1:
            cast(forms.ChoiceField, self.fields["courtier"]).choices = [
                ("", "Tous"),
                *((c.pk, str(c.user)) for c in courtiers),
            ]
        else:
            del self.fields["courtier"]


class _Bulletin(forms.Form):
    """One signed document, checked like a member's files."""

    justificatif = forms.FileField(
        label="Document signé (PDF, JPEG ou PNG)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.envoi: Any = None

    def clean_justificatif(self) -> Any:
        fichier = self.cleaned_data["justificatif"]
        try:
            self.envoi = fichiers_verifier([fichier], request=self.request)[0]
        except DemandeRefusee as exc:
            raise forms.ValidationError(str(exc)) from exc
        return fichier


class AffiliationForm(_Bulletin):
    civilite = forms.ChoiceField(label="Civilité", choices=Civilite.choices)
    prenom = forms.CharField(label="Prénom", max_length=100)
    nom = forms.CharField(label="Nom d'usage", max_length=100)
    nom_naissance = forms.CharField(label="Nom de naissance (s'il diffère)", max_length=100, required=False)
    date_naissance = forms.DateField(label="Date de naissance", widget=DateInput())
    sexe = forms.ChoiceField(label="Sexe", choices=Sexe.choices)
    nir = forms.CharField(label="Numéro de sécurité sociale (15 chiffres, clé comprise)", max_length=21)
    email = forms.EmailField(label="Email", help_text="L'adhérent y recevra le lien d'activation de son espace.")
    telephone_mobile = forms.CharField(label="Téléphone mobile (facultatif)", max_length=20, required=False)
    adresse_ligne1 = forms.CharField(label="Adresse", max_length=120)
    adresse_ligne2 = forms.CharField(label="Complément d'adresse", max_length=120, required=False)
    code_postal = forms.CharField(label="Code postal", max_length=5)
    ville = forms.CharField(label="Ville", max_length=80)
    formule = forms.ModelChoiceField(label="Formule choisie", queryset=Formule.objects.none(), empty_label=None)
    date_effet = forms.DateField(label="Date d'effet", widget=DateInput())
    titulaire = forms.CharField(label="Titulaire du compte", max_length=100)
    iban = forms.CharField(label="IBAN", max_length=42)
    bic = forms.CharField(label="BIC (facultatif pour un IBAN français)", max_length=11, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["formule"]).queryset = formules_vendables()
        self.fields["justificatif"].label = "Bulletin d'adhésion signé (PDF, JPEG ou PNG)"
        if not self.is_bound:
            aujourdhui = timezone.localdate()
            premier = (aujourdhui.replace(day=1) + timedelta(days=32)).replace(day=1)
            self.initial.setdefault("date_effet", premier)

    # The form's sections, for the page.
    def _champs(self, *noms: str) -> list[Any]:
        return [self[nom] for nom in noms]

    @property
    def souscripteur(self) -> list[Any]:
        return self._champs(*[n for n in self.fields if n in CHAMPS_PROSPECT])

    @property
    def choix(self) -> list[Any]:
        return self._champs("formule", "date_effet")

    @property
    def compte(self) -> list[Any]:
        return self._champs("titulaire", "iban", "bic")

    @property
    def signe(self) -> list[Any]:
        return self._champs("justificatif")

    def prospect(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {c: d.get(c) or "" for c in CHAMPS_PROSPECT} | {"nir": "".join(d["nir"].split())}


class PersonneForm(forms.Form):
    """Another person to cover; a row left empty is ignored."""

    # Empty first choices: an untouched row posts nothing and is skipped.
    qualite = forms.ChoiceField(
        label="Qualité",
        choices=[("", "—"), (Qualite.CONJOINT, Qualite.CONJOINT.label), (Qualite.ENFANT, Qualite.ENFANT.label)],
    )
    prenom = forms.CharField(label="Prénom", max_length=100)
    nom = forms.CharField(label="Nom", max_length=100)
    date_naissance = forms.DateField(label="Date de naissance", widget=DateInput())
    sexe = forms.ChoiceField(label="Sexe", choices=[("", "—"), *Sexe.choices])
    nir = forms.CharField(
        label="N° de sécurité sociale",
        max_length=21,
        required=False,
        help_text="Vide pour un enfant rattaché au numéro du souscripteur.",
    )

    def personne(self, nir_souscripteur: str) -> dict[str, Any]:
        d = self.cleaned_data
        nir = "".join((d.get("nir") or "").split())
        return {
            "qualite": d["qualite"],
            "prenom": d["prenom"].strip(),
            "nom": d["nom"].strip(),
            "date_naissance": d["date_naissance"],
            "sexe": d["sexe"],
            "nir": nir or nir_souscripteur,
            "nir_personnel": bool(nir),
            "rang_gemellaire": 1,
        }


PersonnesFormSet = formset_factory(PersonneForm, extra=3, max_num=9, validate_max=True)


class ChangementFormuleForm(_Bulletin):
    formule = forms.ModelChoiceField(label="Nouvelle formule", queryset=Formule.objects.none(), empty_label=None)
    commentaire = forms.CharField(
        label="Commentaire (facultatif)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actuelle: str = "", date_effet: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["formule"]).queryset = formules_vendables(date_effet).exclude(
            libelle=actuelle
        )
        self.fields["justificatif"].label = "Demande signée par l'adhérent (PDF, JPEG ou PNG)"


class ResiliationForm(_Bulletin):
    date_fin = forms.DateField(label="Fin du contrat le", widget=DateInput())
    motif = forms.CharField(label="Motif", max_length=200)
    commentaire = forms.CharField(
        label="Commentaire (facultatif)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["justificatif"].label = "Lettre de résiliation signée (PDF, JPEG ou PNG)"

    def clean_date_fin(self) -> date:
        fin = self.cleaned_data["date_fin"]
        if fin < timezone.localdate():
            raise forms.ValidationError("La résiliation ne peut pas être rétroactive.")
        return fin


class AjoutBeneficiaireCourtierForm(AjoutBeneficiaireForm):
    """The member's own form, as the broker files it with the supporting document."""


class CommissionsForm(forms.Form):
    du = forms.DateField(label="Du", widget=DateInput())
    au = forms.DateField(label="Au", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("du") and data.get("au"):
            if data["au"] < data["du"]:
                raise forms.ValidationError("La fin de la période précède son début.")
            if (data["au"] - data["du"]).days > 366:
                raise forms.ValidationError("Choisissez une période d'un an au plus.")
        return data


class InvitationForm(forms.Form):
    prenom = forms.CharField(label="Prénom", max_length=150)
    nom = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(label="Email professionnel")
