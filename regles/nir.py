"""NIR checks beyond python-stdnum's format and key: sex, month and department.

Pure Python (used by the models' validators and by the NOEMIE parser). ``nir_check`` returns the
compact NIR or raises ``NirInvalide`` with a French message a person can act on.

Layout: sex (1) · year (2) · month (2) · department (2, 2A/2B for Corsica) · commune (3) ·
order (3) · key (2), key = 97 − (first 13 digits mod 97), with 2A → 19 and 2B → 18 first.
"""

from __future__ import annotations

from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import nir as stdnum_nir

# 1 and 2: men and women registered at birth; 3 and 4: foreign-born persons being registered
# (provisional numbers); 7 and 8: temporary numbers (NIA) given before registration.
SEXES_VALIDES = frozenset("123478")


class NirInvalide(ValueError):
    """A NIR that cannot be right; the message says why, in French."""


def nir_compact(value: str) -> str:
    return str(stdnum_nir.compact(value))


def _mois_valide(mois: int) -> bool:
    # 01–12 real months; 20–42 and 50–99 are given when the month of birth is unknown.
    return 1 <= mois <= 12 or 20 <= mois <= 42 or 50 <= mois <= 99


def _departement_valide(dep: str) -> bool:
    if dep in {"2A", "2B"}:
        return True
    if not dep.isdigit():
        return False
    # 01–95 metropolitan (20 for Corsica before 1976), 96 and 99 born abroad, 97/98 overseas.
    return 1 <= int(dep) <= 99


def nir_check(value: str) -> str:
    """Return the compact NIR, or raise ``NirInvalide`` naming what is wrong."""
    compact = nir_compact(value or "")
    if len(compact) != 15:
        raise NirInvalide(
            f"Le NIR doit comporter 15 caractères (13 chiffres et la clé de 2 chiffres) : {len(compact)} saisis."
        )
    try:
        stdnum_nir.validate(compact)
    except stdnum_exceptions.InvalidChecksum as exc:
        raise NirInvalide("La clé du NIR ne correspond pas aux 13 premiers chiffres : vérifiez la saisie.") from exc
    except stdnum_exceptions.ValidationError as exc:
        raise NirInvalide("Le NIR ne peut contenir que des chiffres (2A ou 2B pour un département corse).") from exc
    if compact[0] not in SEXES_VALIDES:
        raise NirInvalide(f"Le premier chiffre du NIR (sexe) vaut {compact[0]} : il doit valoir 1, 2, 3, 4, 7 ou 8.")
    mois = int(compact[3:5])
    if not _mois_valide(mois):
        raise NirInvalide(
            f"Le mois de naissance du NIR ({compact[3:5]}) est impossible : "
            "01 à 12, ou 20 à 42 et 50 à 99 quand le mois est inconnu."
        )
    if not _departement_valide(compact[5:7]):
        raise NirInvalide(f"Le département de naissance du NIR ({compact[5:7]}) n'existe pas.")
    if compact[10:13] == "000":
        raise NirInvalide("Le numéro d'ordre du NIR (chiffres 11 à 13) ne peut pas valoir 000.")
    return compact


def nir_key(first13: str) -> str:
    """The 2-digit key of a 13-character NIR body (2A/2B allowed)."""
    return str(stdnum_nir.calc_check_digits(first13 + "00"))


def nir_sexe(compact: str) -> int:
    """1 for a man, 2 for a woman, from a valid compact NIR (3/7 → 1, 4/8 → 2)."""
    return 1 if compact[0] in "137" else 2


def nir_mask(compact: str) -> str:
    """What logs and screens that need no full NIR show: the sex digit and the key only."""
    if len(compact) != 15:
        return "•" * len(compact)
    return f"{compact[0]} •• •• •• ••• ••• {compact[13:]}"


def nir_format(compact: str) -> str:
    return str(stdnum_nir.format(compact))
