"""Django validators wrapping the pure identifier checks, with French messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_exceptions
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

from regles.nir import NirInvalide, nir_check


def validate_nir(value: str) -> None:
    try:
        nir_check(value)
    except NirInvalide as exc:
        raise ValidationError(str(exc), code="nir_invalide") from exc


def validate_siren(value: str) -> None:
    try:
        stdnum_siren.validate(value)
    except stdnum_exceptions.InvalidChecksum as exc:
        raise ValidationError("La clé du SIREN est fausse : vérifiez les 9 chiffres.", code="siren_invalide") from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError("Un SIREN comporte exactement 9 chiffres.", code="siren_invalide") from exc


def validate_rpps(value: str) -> None:
    """RPPS: 11 digits, the last a Luhn check digit."""
    if len(value) != 11 or not value.isdigit():
        raise ValidationError("Un numéro RPPS comporte exactement 11 chiffres.", code="rpps")
    if not luhn.is_valid(value):
        raise ValidationError("La clé du numéro RPPS est fausse.", code="rpps")


def validate_adeli(value: str) -> None:
    """ADELI: 9 digits (department, profession, order, key). Only the format is checked."""
    if len(value) != 9 or not value.isdigit():
        raise ValidationError("Un numéro ADELI comporte exactement 9 chiffres.", code="adeli")


def validate_finess(value: str) -> None:
    """FINESS: 9 characters, digits (2A/2B for Corsica). Only the format is checked."""
    body = value[2:] if value[:2] in {"2A", "2B"} else value
    if len(value) != 9 or not body.isdigit():
        raise ValidationError(
            "Un numéro FINESS comporte 9 chiffres (2A ou 2B en tête pour la Corse).",
            code="finess",
        )


def validate_numero_amc(value: str) -> None:
    """The AMC number of the tiers-payant card: 8 to 10 digits."""
    if not value.isdigit() or not 8 <= len(value) <= 10:
        raise ValidationError("Le numéro AMC comporte 8 à 10 chiffres.", code="numero_amc")


def validate_couleur(value: str) -> None:
    if len(value) != 7 or value[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in value[1:]):
        raise ValidationError("Indiquez une couleur au format #RRGGBB.", code="couleur")
