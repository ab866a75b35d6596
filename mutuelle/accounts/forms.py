"""The member's login, first-connection and recovery forms (French labels, errors a person can act on)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from mutuelle.accounts.identifiants import MAX_LONGUEUR

MESSAGE_ECHEC = "Identifiant ou mot de passe incorrect."


def champ_identifiant() -> forms.CharField:
    """The one identifier field: the member number or the NIR, typed as the member likes."""
    return forms.CharField(
        label="Numéro d'adhérent ou numéro de sécurité sociale",
        max_length=MAX_LONGUEUR,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )


class ConnexionForm(forms.Form):
    identifiant = champ_identifiant()
    secret = forms.CharField(
        label="Mot de passe",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PremiereConnexionForm(forms.Form):
    identifiant = champ_identifiant()
    date_naissance = forms.DateField(
        label="Date de naissance",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"invalid": "Indiquez une date, par exemple 14/03/1982."},
    )
    nir_fin = forms.RegexField(
        label="4 derniers chiffres de votre numéro de sécurité sociale (clé comprise)",
        regex=r"^\s*[0-9]{4}\s*$",
        max_length=8,
        error_messages={"invalid": "Indiquez les 4 derniers chiffres, par exemple 0293."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code_postal = forms.RegexField(
        label="Code postal de votre adresse",
        regex=r"^\s*[0-9]{5}\s*$",
        max_length=10,
        error_messages={"invalid": "Un code postal comporte 5 chiffres."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )


class OubliForm(forms.Form):
    identifiant = champ_identifiant()


class NouveauSecretForm(SetPasswordForm):
    """Choose a password: at least 12 characters of any kind, paste allowed, up to 128."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password1"].help_text = (
            "Au moins 12 caractères, de n'importe quel type : une phrase facile à retenir pour vous fait un "
            "excellent mot de passe. Il ne doit contenir ni votre numéro, ni votre NIR, ni votre date de naissance."
        )
        self.fields["new_password2"].label = "Confirmez le mot de passe"
        for field in ("new_password1", "new_password2"):
            self.fields[field].widget.attrs.update({"autocomplete": "new-password", "maxlength": "128"})


class CodeCourrierForm(forms.Form):
    identifiant = champ_identifiant()
    code = forms.CharField(
        label="Code reçu par courrier",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )


class DeverrouillageForm(forms.Form):
    """What the handler asks the caller before unlocking: member number, date of birth, and one more item."""

    ELEMENTS = [
        ("code_postal", "Code postal de l'adresse"),
        ("nir_fin", "4 derniers chiffres du NIR (clé comprise)"),
        ("email", "Adresse email enregistrée"),
    ]

    numero = forms.RegexField(
        label="Numéro d'adhérent donné par l'appelant",
        regex=r"^\s*[0-9][0-9 .]{6,14}\s*$",
        error_messages={"invalid": "Un numéro d'adhérent comporte des chiffres."},
    )
    date_naissance = forms.DateField(
        label="Date de naissance donnée par l'appelant", widget=forms.DateInput(attrs={"type": "date"})
    )
    element = forms.ChoiceField(label="Troisième élément vérifié", choices=ELEMENTS)
    valeur = forms.CharField(label="Réponse de l'appelant", max_length=120)
    motif = forms.CharField(
        label="Motif et circonstances (appel, courrier…)",
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "Appel de l'adhérent le …"}),
    )
