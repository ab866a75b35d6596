"""The member's messaging forms: files are checked like a request's (``requests.forms.AvecFichiers``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mutuelle.core.widgets import zone_texte
from mutuelle.messaging.models import SujetFil
from mutuelle.messaging.services import TEXTE_MAX
from mutuelle.requests.forms import AvecFichiers


class NouveauFilForm(AvecFichiers):
    sujet = forms.ChoiceField(label=_("Sujet"), choices=[("", _("— Choisissez —")), *SujetFil.choices])
    objet = forms.CharField(label=_("Objet"), max_length=120)
    texte = forms.CharField(label=_("Votre message"), max_length=TEXTE_MAX, widget=zone_texte(8, TEXTE_MAX))


class MessageForm(AvecFichiers):
    texte = forms.CharField(label=_("Votre message"), max_length=TEXTE_MAX, widget=zone_texte(6, TEXTE_MAX))
