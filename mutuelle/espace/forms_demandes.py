"""The member's forms for requests: send a document, contest a reimbursement, answer a request for
more, estimate a devis, ask for a prior approval, change the family or the civil status, a paper
claim. Files are checked in clean(): a refused file is a field error, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutuelle.claims.estimation import SOINS_CHOIX
from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.claims.selectors_famille import lignes_famille
from mutuelle.core.widgets import DateInput
from mutuelle.members.models import Beneficiaire, Civilite, Sexe
from mutuelle.requests.forms import SECTEURS, AvecFichiers, ligne_devis
from mutuelle.requests.models import Circonstance, Demande, Domaine, MotifContestation, ObjetDocument, StatutDemande


class EnvoiDocumentForm(AvecFichiers):
    objet = forms.ChoiceField(label=_("Ce document concerne"), choices=ObjetDocument.choices, widget=forms.RadioSelect)
    ligne = forms.ModelChoiceField(
        label=_("Le remboursement concerné"), queryset=LigneRemboursement.objects.none(), required=False
    )
    demande_liee = forms.ModelChoiceField(
        label=_("La demande concernée"), queryset=Demande.objects.none(), required=False
    )
    commentaire = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, adherent: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.fields["ligne"].queryset = (  # type: ignore[attr-defined]
            lignes_famille(adherent).filter(statut=Statut.COMPLEMENT).select_related("beneficiaire").defer("trace")
        )
        self.fields["ligne"].label_from_instance = lambda ligne: (  # type: ignore[attr-defined]
            f"{ligne.date_soins:%d/%m/%Y} — {ligne.poste_libelle} — {ligne.beneficiaire.prenom}"
        )
        self.fields["demande_liee"].queryset = Demande.objects.filter(  # type: ignore[attr-defined]
            adherent=adherent, statut__in=[StatutDemande.RECUE, StatutDemande.EN_COURS, StatutDemande.COMPLEMENT]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("fichiers") and "fichiers" not in self.errors:
            self.add_error("fichiers", _("Joignez au moins un fichier."))
        if data.get("objet") == ObjetDocument.REMBOURSEMENT and not data.get("ligne"):
            self.add_error("ligne", _("Choisissez le remboursement concerné."))
        if data.get("objet") == ObjetDocument.DEMANDE and not data.get("demande_liee"):
            self.add_error("demande_liee", _("Choisissez la demande concernée."))
        return data


class ContestationForm(AvecFichiers):
    motif = forms.ChoiceField(label=_("Pourquoi contestez-vous ?"), choices=MotifContestation.choices)
    commentaire = forms.CharField(
        label=_("Expliquez-nous"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}), min_length=10
    )


class ComplementForm(AvecFichiers):
    commentaire = forms.CharField(
        label=_("Message (facultatif)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("fichiers") and not (data.get("commentaire") or "").strip() and not self.errors:
            raise forms.ValidationError(_("Joignez un fichier ou écrivez un message."))
        return data


class LigneDevisForm(forms.Form):
    beneficiaire = forms.TypedChoiceField(label=_("Pour"), coerce=int)
    soin = forms.ChoiceField(label=_("Soin"))
    date_soins = forms.DateField(label=_("Date prévue"), widget=DateInput())
    montant = forms.DecimalField(label=_("Prix sur le devis (€)"), min_value=0, max_digits=9, decimal_places=2)
    quantite = forms.IntegerField(
        label=_("Quantité"),
        min_value=1,
        max_value=365,
        initial=1,
        required=False,
        help_text=_("Les nuits, pour un séjour."),
    )
    base = forms.DecimalField(
        label=_("Base de remboursement (€)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=_("Indiquée sur le devis (« BR » ou « base de remboursement ») ; inutile pour une consultation."),
    )
    secteur = forms.ChoiceField(label=_("Le praticien"), choices=SECTEURS, initial="1", required=False)

    def __init__(self, *args: Any, personnes: list[tuple[int, str]], **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        self.fields["beneficiaire"].choices = personnes  # type: ignore[attr-defined]
        self.fields["soin"].choices = SOINS_CHOIX  # type: ignore[attr-defined]

    def ligne_devis(self, beneficiaire: Any) -> Any:
        """The engine's line for this form's data (the sector choice is « 1 », « 2o » or « 2 »)."""
        return ligne_devis(self.cleaned_data, beneficiaire, soin=self.cleaned_data["soin"])

    def clean_date_soins(self) -> Any:
        from django.utils import timezone

        jour = self.cleaned_data["date_soins"]
        if jour < timezone.localdate():
            raise forms.ValidationError(
                _("Une estimation porte sur des soins à venir : choisissez une date à partir d'aujourd'hui.")
            )
        return jour


class LigneDevisPecForm(LigneDevisForm):
    """A devis line of a prior-approval request: the beneficiary is chosen once for the whole devis."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["beneficiaire"]


class PriseEnChargeForm(AvecFichiers):
    domaine = forms.ChoiceField(label=_("Domaine"), choices=[])
    beneficiaire = forms.TypedChoiceField(label=_("Pour"), coerce=int)
    professionnel = forms.CharField(label=_("Opticien, dentiste, audioprothésiste ou établissement"), max_length=150)
    email_professionnel = forms.EmailField(
        label=_("Son adresse email (facultatif)"),
        required=False,
        help_text=_("En cas d'accord, nous le lui envoyons : il peut alors pratiquer le tiers payant."),
    )
    commentaire = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, personnes: list[tuple[int, str]], **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        self.fields["domaine"].choices = Domaine.choices  # type: ignore[attr-defined]
        self.fields["beneficiaire"].choices = personnes  # type: ignore[attr-defined]
        self.fields["fichiers"].label = _("Le devis (PDF, JPEG ou PNG)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("fichiers") and "fichiers" not in self.errors:
            self.add_error("fichiers", _("Joignez le devis."))
        return data


class _AvecJustificatif(AvecFichiers):
    commentaire = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fichiers"].label = _("Justificatif (PDF, JPEG ou PNG)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("fichiers") and "fichiers" not in self.errors:
            self.add_error("fichiers", _("Joignez le justificatif (acte de naissance, livret de famille, jugement…)."))
        return data


class AjoutBeneficiaireForm(_AvecJustificatif):
    qualite = forms.ChoiceField(
        label=_("Qui ajoutez-vous ?"),
        choices=[("enfant", _("Un enfant")), ("conjoint", _("Un conjoint, concubin ou partenaire de PACS"))],
    )
    prenom = forms.CharField(label=_("Prénom"), max_length=100)
    nom = forms.CharField(label=_("Nom"), max_length=100)
    date_naissance = forms.DateField(label=_("Date de naissance"), widget=DateInput())
    sexe = forms.ChoiceField(label=_("Sexe"), choices=Sexe.choices)
    nir = forms.CharField(
        label=_("Numéro de sécurité sociale (facultatif pour un enfant)"),
        max_length=21,
        required=False,
        help_text=_("Laissé vide, l'enfant est rattaché à votre numéro."),
    )
    date_effet = forms.DateField(label=_("Couvert à partir du"), widget=DateInput())

    def __init__(self, *args: Any, contrat: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contrat = contrat

    def clean(self) -> dict[str, Any]:
        from datetime import timedelta

        from django.core.exceptions import ValidationError
        from django.utils import timezone

        data = super().clean()
        if self.errors or self.contrat is None:
            return data
        effet = data["date_effet"]
        if effet < self.contrat.date_debut or effet > timezone.localdate() + timedelta(days=90):
            self.add_error(
                "date_effet", _("Choisissez une date entre le début du contrat et les trois prochains mois.")
            )
            return data
        nir = "".join((data.get("nir") or "").split())
        if not nir and data["qualite"] != "enfant":
            self.add_error("nir", _("Indiquez le numéro de sécurité sociale de votre conjoint."))
            return data
        personnel = bool(nir)
        self.beneficiaire = Beneficiaire(
            contrat=self.contrat,
            qualite=data["qualite"],
            nom=data["nom"].strip(),
            prenom=data["prenom"].strip(),
            date_naissance=data["date_naissance"],
            sexe=data["sexe"],
            nir=nir or self.contrat.adherent.nir,
            nir_personnel=personnel,
            date_entree=effet,
        )
        try:
            self.beneficiaire.full_clean()
        except ValidationError as exc:
            for champ, messages in exc.message_dict.items():
                self.add_error(champ if champ in self.fields else None, messages)
        return data

    def donnees(self) -> dict[str, Any]:
        b = self.beneficiaire
        return {
            "qualite": b.qualite,
            "prenom": b.prenom,
            "nom": b.nom,
            "date_naissance": b.date_naissance.isoformat(),
            "sexe": b.sexe,
            "nir": b.nir,
            "nir_personnel": b.nir_personnel,
            "date_effet": b.date_entree.isoformat(),
        }


class RetraitBeneficiaireForm(_AvecJustificatif):
    beneficiaire = forms.TypedChoiceField(label=_("Qui retirez-vous ?"), coerce=int)
    date_sortie = forms.DateField(label=_("Couvert jusqu'au"), widget=DateInput())

    def __init__(self, *args: Any, personnes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beneficiaire"].choices = personnes  # type: ignore[attr-defined]


class EtatCivilForm(_AvecJustificatif):
    civilite = forms.ChoiceField(label=_("Civilité"), choices=Civilite.choices)
    nom = forms.CharField(label=_("Nom d'usage"), max_length=100)
    nom_naissance = forms.CharField(label=_("Nom de naissance"), max_length=100, required=False)


class FeuilleSoinsForm(AvecFichiers):
    beneficiaire = forms.TypedChoiceField(label=_("Pour"), coerce=int)
    circonstance = forms.ChoiceField(label=_("Pourquoi une feuille de soins ?"), choices=Circonstance.choices)
    date_soins = forms.DateField(label=_("Date des soins"), widget=DateInput())
    montant = forms.DecimalField(label=_("Montant payé (€)"), min_value=0, max_digits=9, decimal_places=2)
    commentaire = forms.CharField(
        label=_("Commentaire (facultatif)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, personnes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beneficiaire"].choices = personnes  # type: ignore[attr-defined]
        self.fields["fichiers"].label = _("La feuille de soins et la facture (PDF, JPEG ou PNG)")

    def clean_date_soins(self) -> Any:
        from django.utils import timezone

        jour = self.cleaned_data["date_soins"]
        if jour > timezone.localdate():
            raise forms.ValidationError(_("Cette date est dans le futur : indiquez la date où les soins ont eu lieu."))
        return jour

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("fichiers") and "fichiers" not in self.errors:
            self.add_error("fichiers", _("Joignez la feuille de soins et la facture."))
        return data
