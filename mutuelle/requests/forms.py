"""What every form that takes a member's files or a devis line shares, on the member's, the broker's
and the handler's side: several files in one field, checked in ``clean()`` by the requests' upload
rules (a refused file is a field error, and nothing is saved), and a devis or claim line for the
rules engine. The forms themselves are the screens' (``espace.forms_demandes``,
``backoffice.forms_demandes``, ``espace.forms_messagerie``...)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mutuelle.claims.estimation import LigneDevis
from mutuelle.requests.services import DemandeRefusee, Envoi, fichiers_verifier


class PlusieursFichiers(forms.ClearableFileInput):
    allow_multiple_selected = True


class FichiersField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", PlusieursFichiers(attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        un = super().clean
        if isinstance(data, list | tuple):
            return [un(d, initial) for d in data]
        return [un(data, initial)] if data else []


def _aide_fichiers() -> str:
    return gettext(
        "PDF, JPEG ou PNG ; %(nombre)s fichiers au plus, %(mo)s Mo chacun. Une photo nette du document suffit."
    ) % {"nombre": settings.MUTUELLE_PIECES_MAX, "mo": settings.MUTUELLE_PIECE_TAILLE_MAX // 2**20}


class AvecFichiers(forms.Form):
    fichiers = FichiersField(label=_("Fichiers"), required=False)

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["fichiers"].help_text = _aide_fichiers()
        self.envois: list[Envoi] = []

    def clean_fichiers(self) -> Any:
        fichiers = self.cleaned_data.get("fichiers") or []
        try:
            self.envois = fichiers_verifier(fichiers, request=self.request)
        except DemandeRefusee as exc:
            raise forms.ValidationError(str(exc)) from exc
        return fichiers


def ligne_devis(donnees: dict[str, Any], beneficiaire: Any, *, soin: str) -> LigneDevis:
    """A devis or claim line for the rules engine, from a form's cleaned data."""
    secteur = donnees.get("secteur") or "1"
    return LigneDevis(
        beneficiaire=beneficiaire,
        soin=soin,
        date_soins=donnees["date_soins"],
        montant=donnees["montant"],
        base=donnees.get("base"),
        secteur=2 if secteur.startswith("2") else 1,
        optam=secteur == "2o",
        quantite=donnees.get("quantite") or 1,
    )


SECTEURS = [
    ("1", _("Secteur 1 (tarifs de la Sécurité sociale)")),
    ("2o", _("Secteur 2 adhérent OPTAM")),
    ("2", _("Secteur 2 non OPTAM")),
]
