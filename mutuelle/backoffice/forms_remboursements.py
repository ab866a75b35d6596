from decimal import Decimal
from typing import Any

from django import forms

ACTIONS = {
    "valider": "Valider",
    "ajuster": "Ajuster et valider",
    "complement": "Demander un complément",
    "rejeter": "Rejeter",
}


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput)
    # The last event of the line when the page was shown: a decision on a line that moved since is refused.
    evenement_vu = forms.IntegerField(widget=forms.HiddenInput, required=False)
    motif = forms.CharField(
        label="Motif (communiqué à l'adhérent)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    montant_amc = forms.DecimalField(
        label="Nouvelle part de la mutuelle (€)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "ajuster" and data.get("montant_amc") is None:
            self.add_error("montant_amc", "Indiquez le nouveau montant.")
        if data.get("action") in {"ajuster", "complement", "rejeter"} and not (data.get("motif") or "").strip():
            self.add_error("motif", "Le motif est obligatoire pour cette décision.")
        return data


class DepotNoemieForm(forms.Form):
    fichier = forms.FileField(label="Fichier NOEMIE", help_text="Fichier texte à enregistrements de longueur fixe.")

    def clean_fichier(self) -> Any:
        from django.conf import settings

        upload = self.cleaned_data["fichier"]
        if upload.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        maxi = settings.MUTUELLE_NOEMIE_UPLOAD_MAX
        if upload.size > maxi:
            raise forms.ValidationError(f"Le fichier dépasse la taille maximale de {maxi // (1024 * 1024)} Mo.")
        return upload
