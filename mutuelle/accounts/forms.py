"""The member's login, first-connection and recovery forms (French labels, errors a person can act on)."""

from __future__ import annotations

import itertools
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from mutuelle.accounts.identifiants import MAX_LONGUEUR
from mutuelle.core.models import PolitiqueConnexion
from mutuelle.core.services import mutuelle_ou_rien

MESSAGE_ECHEC = _("Identifiant ou mot de passe incorrect.")


def champ_identifiant() -> forms.CharField:
    """The one identifier field: the member number or the NIR, typed as the member likes."""
    return forms.CharField(
        label=_("Numéro d'adhérent ou numéro de sécurité sociale"),
        max_length=MAX_LONGUEUR,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )


class ConnexionForm(forms.Form):
    identifiant = champ_identifiant()
    secret = forms.CharField(
        label=_("Mot de passe"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, code_acces: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code_acces = code_acces
        if code_acces:  # the access-code policy: NIR and 6-digit code
            self.fields["identifiant"].label = _("Numéro de sécurité sociale")
            self.fields["identifiant"].widget.attrs.update({"inputmode": "text", "autocomplete": "username"})
            self.fields["secret"].label = _("Code d'accès à 6 chiffres")
            # A numeric keypad on a phone; still a password field (masked, not kept by autofill as text).
            self.fields["secret"].widget.attrs.update(
                {"inputmode": "numeric", "maxlength": "6", "pattern": "[0-9]{6}", "autocomplete": "current-password"}
            )

    def clean_identifiant(self) -> str:
        """Under the access-code policy the label says NIR, so a NIR it must be: a member number is
        not silently accepted in its place (the person is told what to type)."""
        valeur: str = self.cleaned_data["identifiant"]
        if self.code_acces:
            from regles.nir import NirInvalide, nir_check

            try:
                nir_check(valeur)
            except NirInvalide as exc:
                raise forms.ValidationError(
                    _(
                        "%(erreur)s Saisissez votre numéro de sécurité sociale (sur votre carte Vitale), pas votre "
                        "numéro d'adhérent."
                    )
                    % {"erreur": str(exc)}
                ) from exc
        return valeur


class PremiereConnexionForm(forms.Form):
    identifiant = champ_identifiant()
    date_naissance = forms.DateField(
        label=_("Date de naissance"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={"invalid": _("Indiquez une date, par exemple 14/03/1982.")},
    )
    nir_fin = forms.RegexField(
        label=_("4 derniers chiffres de votre numéro de sécurité sociale (clé comprise)"),
        regex=r"^\s*[0-9]{4}\s*$",
        max_length=8,
        error_messages={"invalid": _("Indiquez les 4 derniers chiffres, par exemple 0293.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code_postal = forms.RegexField(
        label=_("Code postal de votre adresse"),
        regex=r"^\s*[0-9]{5}\s*$",
        max_length=10,
        error_messages={"invalid": _("Un code postal comporte 5 chiffres.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )


class OubliForm(forms.Form):
    identifiant = champ_identifiant()


class NouveauSecretForm(SetPasswordForm):
    """Choose a password: at least 12 characters of any kind, paste allowed, up to 128."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = (
            "Au moins 12 caractères, de n'importe quel type : une phrase facile à retenir pour vous fait un "
            "excellent mot de passe. Il ne doit contenir ni votre numéro, ni votre NIR, ni votre date de naissance."
        )
        self.fields["new_password2"].label = _("Confirmez le mot de passe")
        for field in ("new_password1", "new_password2"):
            self.fields[field].widget.attrs.update({"autocomplete": "new-password", "maxlength": "128"})


class CodeCourrierForm(forms.Form):
    identifiant = champ_identifiant()
    code = forms.CharField(
        label=_("Code reçu par courrier"),
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
        label=_("Numéro d'adhérent donné par l'appelant"),
        regex=r"^\s*[0-9][0-9 .]{6,14}\s*$",
        error_messages={"invalid": _("Un numéro d'adhérent comporte des chiffres.")},
    )
    date_naissance = forms.DateField(
        label=_("Date de naissance donnée par l'appelant"), widget=forms.DateInput(attrs={"type": "date"})
    )
    element = forms.ChoiceField(label=_("Troisième élément vérifié"), choices=ELEMENTS)
    valeur = forms.CharField(label=_("Réponse de l'appelant"), max_length=120)
    motif = forms.CharField(
        label=_("Motif et circonstances (appel, courrier…)"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "Appel de l'adhérent le …"}),
    )


def _chiffres_personnels(user: Any) -> set[str]:
    """6-digit runs a member's own data offers: dates of birth, postal code, pieces of the NIR."""
    adherent = getattr(user, "adherent", None)
    if adherent is None:
        return set()
    d = adherent.date_naissance
    formes = {f"{d:%d%m%y}", f"{d:%y%m%d}", f"{d:%d%m}{d.year % 100:02d}", f"{d:%m%d%y}", f"{d:%Y}{d:%m}"[:6]}
    nir = adherent.nir or ""
    formes |= {nir[i : i + 6] for i in range(0, max(len(nir) - 5, 0))}
    if adherent.code_postal:
        formes |= {adherent.code_postal + "0", "0" + adherent.code_postal}
    return formes


def code_acces_faible(code: str, user: Any) -> str | None:
    """Why a 6-digit access code is too easy to guess, or None."""
    if len(set(code)) <= 2:
        return "Ce code répète trop les mêmes chiffres : choisissez-en un moins prévisible."
    pas = {int(b) - int(a) for a, b in itertools.pairwise(code)}
    if pas in ({1}, {-1}, {0}):
        return "Une suite de chiffres (123456, 987654…) se devine trop facilement."
    if code[:3] == code[3:] or code[:2] * 3 == code:
        return "Un motif répété (123123, 121212…) se devine trop facilement."
    if code in _chiffres_personnels(user):
        return "Ce code reprend votre date de naissance, votre code postal ou votre NIR : choisissez-en un autre."
    return None


class CodeAccesForm(forms.Form):
    """The access-code policy: a 6-digit code, typed twice, that is not trivially guessed. It only
    opens the account on a trusted browser (a second factor vouched for it)."""

    new_password1 = forms.RegexField(
        label=_("Nouveau code d'accès (6 chiffres)"),
        regex=r"^[0-9]{6}$",
        strip=True,
        help_text="6 chiffres. Évitez votre date de naissance, votre code postal et les suites (123456).",
        error_messages={"invalid": _("Le code d'accès comporte exactement 6 chiffres.")},
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": "6"}),
    )
    new_password2 = forms.CharField(
        label=_("Confirmez le code"),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password", "maxlength": "6"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("new_password1")
        if code:
            raison = code_acces_faible(code, self.user)
            if raison:
                self.add_error("new_password1", raison)
            elif data.get("new_password2") != code:
                self.add_error("new_password2", "Les deux codes ne sont pas identiques.")
        return data


def formulaire_secret(user: Any, data: Any = None) -> forms.Form:
    """The password form, or the access-code form when the mutuelle's policy says so (members only)."""

    mutuelle = mutuelle_ou_rien()
    if (
        getattr(user, "role", "") == "adherent"
        and mutuelle is not None
        and mutuelle.politique_connexion == PolitiqueConnexion.NIR_CODE
    ):
        return CodeAccesForm(user, data)
    return NouveauSecretForm(user, data)


class CodeVerificationForm(forms.Form):
    """The second step of the login: a code from the app, a recovery code, or the emailed code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=14,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
    confiance = forms.BooleanField(
        label=_("Faire confiance à ce navigateur (ne pas l'utiliser sur un ordinateur partagé)"),
        required=False,
        # Unticked: trusting a browser is a choice the person makes, not one made for them on a
        # computer that may be shared.
        initial=False,
    )


class ConfirmationForm(forms.Form):
    """Re-authentication before a sensitive change: the secret, and the app's code when one is enrolled."""

    secret = forms.CharField(
        label=_("Votre mot de passe actuel"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code à 6 chiffres de votre application, ou un code de secours"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, avec_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if avec_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Nouvelle adresse email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Indiquez une adresse email complète, par exemple prenom.nom@exemple.fr.")},
    )


class CodeTotpForm(forms.Form):
    code = forms.RegexField(
        label=_("Code à 6 chiffres affiché par l'application"),
        regex=r"^\s*[0-9]{3}\s?[0-9]{3}\s*$",
        error_messages={"invalid": _("Le code comporte 6 chiffres.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
