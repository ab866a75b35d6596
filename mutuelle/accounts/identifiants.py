"""What a member types in the identifier field, resolved to one account.

The field takes the member number or the NIR; spaces, dots, dashes and case are ignored, so
``1000 0004 1``, ``100000041`` and the NIR ``2 82 03 75 990 002 93`` all name the same person.
"""

from __future__ import annotations

import hashlib
import re

from mutuelle.accounts.models import Role, User

_SEPARATEURS = re.compile(r"[\s.\-_/]+")
MAX_LONGUEUR = 40
_NIR_CORSE = re.compile(r"^[0-9]{5}2[AB][0-9]{6}([0-9]{2})?$")  # Corsican départements 2A/2B


def normaliser(identifiant: str) -> str:
    return _SEPARATEURS.sub("", identifiant or "")[:MAX_LONGUEUR].upper()


def est_identifiant_adherent(identifiant: str) -> bool:
    """A member number (digits) or a NIR (13 or 15 characters); anything else is a staff username."""
    valeur = normaliser(identifiant)
    return bool(valeur) and (valeur.isdigit() or _NIR_CORSE.match(valeur) is not None)


def critere(identifiant: str) -> dict[str, str] | None:
    """What an identifier names, as a lookup on the member's file: 8 digits are a member number, 15
    characters a NIR with its key (13 without), anything else nobody (None)."""
    valeur = normaliser(identifiant)
    if valeur.isdigit() and len(valeur) <= 12:
        return {"numero": valeur}
    if len(valeur) == 15:
        return {"nir": valeur}
    if len(valeur) == 13:
        return {"nir__startswith": valeur}
    return None


def compte_pour(identifiant: str) -> User | None:
    """The member account an identifier names, active or not; None when there is none. The member's
    file is reached through the account (``user.adherent``), not imported: the base knows no member."""
    recherche = critere(identifiant)
    if recherche is None:
        return None
    return User.objects.filter(role=Role.ADHERENT, **{f"adherent__{k}": v for k, v in recherche.items()}).first()


def cle_anonyme(identifiant: str) -> str:
    """A stable key for an identifier that names no account: never the identifier itself (it may be a NIR)."""
    return "inconnu:" + hashlib.sha256(normaliser(identifiant).encode()).hexdigest()[:24]
