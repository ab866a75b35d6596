"""Messaging forms: files are checked like a request's (``requests.forms._AvecFichiers``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutuelle.messaging.models import ModeleReponse, SujetFil
from mutuelle.messaging.services import TEXTE_MAX
from mutuelle.requests.forms import _AvecFichiers


def _zone(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXTE_MAX})


class NouveauFilForm(_AvecFichiers):
    sujet = forms.ChoiceField(label=_("Sujet"), choices=[("", _("— Choisissez —")), *SujetFil.choices])
    objet = forms.CharField(label=_("Objet"), max_length=120)
    texte = forms.CharField(label=_("Votre message"), max_length=TEXTE_MAX, widget=_zone(8))


class MessageForm(_AvecFichiers):
    texte = forms.CharField(label=_("Votre message"), max_length=TEXTE_MAX, widget=_zone())


class ReponseForm(_AvecFichiers):
    modele = forms.ModelChoiceField(
        label=_("Partir d'un modèle"), queryset=ModeleReponse.objects.none(), required=False, empty_label=_("— Aucun —")
    )
    texte = forms.CharField(label=_("Réponse"), max_length=TEXTE_MAX, widget=_zone(8))
    interne = forms.BooleanField(label=_("Note interne (jamais montrée à l'adhérent)"), required=False)
    clore = forms.BooleanField(label=_("Clore la conversation après cette réponse"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["modele"].queryset = ModeleReponse.objects.filter(actif=True)  # type: ignore[attr-defined]
        self.fields[
            "texte"
        ].help_text = "Texte simple : les liens sont rendus cliquables, rien d'autre n'est interprété."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("interne") and data.get("clore"):
            self.add_error(
                "clore", _("Une note interne ne clôt pas la conversation : envoyez une réponse pour la clore.")
            )
        return data
