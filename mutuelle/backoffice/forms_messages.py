"""The handler's answer in a member's thread (or an internal note)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutuelle.core.widgets import zone_texte
from mutuelle.messaging.models import ModeleReponse
from mutuelle.messaging.services import TEXTE_MAX
from mutuelle.requests.forms import AvecFichiers


class ReponseForm(AvecFichiers):
    modele = forms.ModelChoiceField(
        label=_("Partir d'un modèle"), queryset=ModeleReponse.objects.none(), required=False, empty_label=_("— Aucun —")
    )
    texte = forms.CharField(label=_("Réponse"), max_length=TEXTE_MAX, widget=zone_texte(8, TEXTE_MAX))
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
