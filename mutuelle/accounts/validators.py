"""Password rules beyond Django's (CNIL 2022): not built from the member's own data, not too long to hash."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _plat(texte: str) -> str:
    return _NON_ALNUM.sub("", texte.lower())


class DonneesPersonnellesValidator:
    """Refuses a password that contains the member's number, NIR, date of birth, postal code or names."""

    def validate(self, password: str, user: Any = None) -> None:
        adherent = getattr(user, "adherent", None) if user is not None else None
        if adherent is None:
            return
        naissance = adherent.date_naissance
        morceaux = [
            adherent.numero,
            adherent.nir,
            adherent.nir[:13] if adherent.nir else "",
            adherent.code_postal,
            f"{naissance:%d%m%Y}",
            f"{naissance:%Y%m%d}",
            f"{naissance:%d%m%y}",
            adherent.nom,
            adherent.prenom,
        ]
        plat = _plat(password)
        for morceau in morceaux:
            valeur = _plat(morceau or "")
            if len(valeur) >= 4 and valeur in plat:
                raise ValidationError(
                    "Ce mot de passe contient une donnée personnelle (numéro, NIR, date de naissance, code postal "
                    "ou nom) : choisissez-en un qu'on ne peut pas deviner à partir de vous.",
                    code="password_personal_data",
                )

    def get_help_text(self) -> str:
        return "Il ne doit contenir ni votre numéro d'adhérent, ni votre NIR, ni votre date de naissance, ni votre nom."


class LongueurMaximaleValidator:
    """Long passphrases are welcome; a bound keeps hashing cheap enough to refuse abuse."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(f"Ce mot de passe dépasse {self.max_length} caractères.", code="password_too_long")

    def get_help_text(self) -> str:
        return f"Jusqu'à {self.max_length} caractères, espaces et phrases compris."


# Common French bases, keyboard walks and words that Django's (English) list does not hold; a
# password that is one of them plus digits or punctuation is guessed in the first tries.
BASES_COURANTES = frozenset(
    [
        "motdepasse",
        "motdepass",
        "mdp",
        "azerty",
        "azertyuiop",
        "azertyuiopqsdfghjklm",
        "qwerty",
        "qwertyuiop",
        "qsdfghjklm",
        "wxcvbn",
        "soleil",
        "bonjour",
        "bonsoir",
        "salut",
        "coucou",
        "doudou",
        "loulou",
        "chouchou",
        "cheri",
        "cherie",
        "jetaime",
        "amour",
        "bisous",
        "marseille",
        "paris",
        "lyon",
        "toulouse",
        "nice",
        "nantes",
        "bordeaux",
        "lille",
        "france",
        "olympique",
        "om",
        "psg",
        "mutuelle",
        "sante",
        "securite",
        "secu",
        "ameli",
        "vitale",
        "carte",
        "password",
        "passe",
        "secret",
        "admin",
        "utilisateur",
        "nicolas",
        "julien",
        "camille",
        "thomas",
        "sophie",
        "marie",
        "pierre",
        "jean",
        "michel",
        "nathalie",
        "isabelle",
        "sandrine",
        "chocolat",
        "vacances",
        "famille",
        "maison",
        "princesse",
        "dragon",
        "football",
        "abcdef",
        "abcdefgh",
        "abcdefghijkl",
    ]
)
_LETTRES = re.compile(r"[^a-zà-ÿ]+")


class MotsDePasseCourantsValidator:
    """Refuses what is guessed first: digits only, a character repeated, or a common French word or
    keyboard walk with digits and punctuation around it (``motdepasse123``, ``Azertyuiop!2024``)."""

    def validate(self, password: str, user: Any = None) -> None:
        lower = password.lower()
        lettres = _LETTRES.sub("", lower)
        if (
            lower.isdigit()
            or len(set(lower)) <= 3
            or lettres in BASES_COURANTES
            or (lettres and all(part in BASES_COURANTES for part in _LETTRES.split(lower) if part))
        ):
            raise ValidationError(
                "Ce mot de passe fait partie des plus courants : une phrase de quelques mots à vous sera bien "
                "plus sûre.",
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return "Il ne doit pas faire partie des mots de passe les plus courants."
