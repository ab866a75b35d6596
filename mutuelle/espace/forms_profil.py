"""« Mon profil »: contact details, and new bank details with the RIB scan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from mutuelle.core.iban import IbanVerifie, iban_verifier
from mutuelle.members.models import Adherent
from mutuelle.requests.services import DemandeRefusee, Envoi, fichiers_verifier


class CoordonneesForm(forms.ModelForm):
    class Meta:
        model = Adherent
        fields = [
            "telephone_mobile",
            "telephone_fixe",
            "adresse_ligne1",
            "adresse_ligne2",
            "code_postal",
            "ville",
            "preference_courrier",
        ]
        widgets = {"preference_courrier": forms.RadioSelect}


class RibForm(forms.Form):
    titulaire = forms.CharField(label="Titulaire du compte", max_length=100)
    iban = forms.CharField(
        label="IBAN",
        max_length=50,
        help_text="Tel qu'il figure sur votre RIB, par exemple FR76 3000 6000 0112 3456 7890 189.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    bic = forms.CharField(
        label="BIC (facultatif)", max_length=15, required=False, help_text="Nous le déduisons de l'IBAN si possible."
    )
    scan = forms.FileField(
        label="Votre RIB (PDF, JPEG ou PNG)",
        help_text="Le relevé d'identité bancaire à votre nom, tel que votre banque le fournit.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.verifie: IbanVerifie | None = None
        self.envoi: Envoi | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("iban"):
            try:
                self.verifie = iban_verifier(data["iban"], data.get("bic", ""))
            except ValidationError as exc:
                self.add_error("iban", exc)
        if data.get("scan") and not self.errors:
            try:
                (self.envoi,) = fichiers_verifier([data["scan"]], request=self.request)
            except DemandeRefusee as exc:
                self.add_error("scan", str(exc))
        return data
