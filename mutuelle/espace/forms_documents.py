"""The choices a member makes before a document is issued: the period of a relevé, the year of an
attestation fiscale; and the code typed on the public verification page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutuelle.core.widgets import DateInput
from mutuelle.documents.services import code_normaliser

PERIODES = [
    ("mois_dernier", _("Le mois dernier")),
    ("trimestre_dernier", _("Le trimestre dernier")),
    ("annee_en_cours", _("Depuis le 1er janvier")),
    ("annee_derniere", _("L'année dernière")),
    ("personnalisee", _("Une autre période")),
]


def periode_dates(periode: str, on: date) -> tuple[date, date]:
    debut_mois = on.replace(day=1)
    if periode == "mois_dernier":
        fin = debut_mois - timedelta(days=1)
        return fin.replace(day=1), fin
    if periode == "trimestre_dernier":
        debut_trimestre = date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        fin = debut_trimestre - timedelta(days=1)
        return date(fin.year, fin.month - 2, 1), fin
    if periode == "annee_derniere":
        return date(on.year - 1, 1, 1), date(on.year - 1, 12, 31)
    return date(on.year, 1, 1), on


class ReleveForm(forms.Form):
    periode = forms.ChoiceField(label=_("Période"), choices=PERIODES, initial="mois_dernier")
    du = forms.DateField(label=_("Du"), required=False, widget=DateInput())
    au = forms.DateField(label=_("Au"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        periode = data.get("periode")
        if periode == "personnalisee":
            if not data.get("du") or not data.get("au"):
                raise forms.ValidationError(_("Pour une autre période, indiquez la date de début et la date de fin."))
        elif periode:
            data["du"], data["au"] = periode_dates(periode, timezone.localdate())
        return data


class FiscaleForm(forms.Form):
    annee = forms.TypedChoiceField(label=_("Année"), coerce=int)

    def __init__(self, *args: Any, annees: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(a, str(a)) for a in annees]  # type: ignore[attr-defined]


class VerificationForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=30,
        help_text=_("12 lettres et chiffres, imprimés sous le code QR du document (par exemple ABCD-EFGH-JKLM)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:

        code: str = self.cleaned_data["code"]
        if len(code_normaliser(code)) != 12:
            raise forms.ValidationError(
                _(
                    "Un code de vérification compte 12 lettres et chiffres (par exemple ABCD-EFGH-JKLM) : "
                    "recopiez celui imprimé sous le code QR du document."
                )
            )
        return code
