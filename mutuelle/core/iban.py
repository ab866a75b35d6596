"""Bank details: IBAN checked with schwifty (ISO checksum, the French clé RIB and every national
checksum schwifty knows, SEPA zone), BIC derived or checked, and the one way an IBAN is shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class IbanVerifie:
    iban: str  # compact, upper case
    bic: str


def iban_verifier(saisi: str, bic_saisi: str = "") -> IbanVerifie:
    """A usable IBAN (and its BIC), or a ``ValidationError`` a member can act on."""
    from schwifty import BIC, IBAN
    from schwifty import exceptions as e

    brut = "".join(saisi.split()).upper()
    if not brut:
        raise ValidationError("Saisissez l'IBAN, tel qu'il figure sur votre RIB.", code="vide")
    try:
        iban = IBAN(brut, validate_bban=True)
    except e.InvalidCountryCode as exc:
        raise ValidationError("Le pays de cet IBAN n'existe pas : vérifiez les deux premières lettres.") from exc
    except e.InvalidLength as exc:
        raise ValidationError("Cet IBAN n'a pas la bonne longueur pour son pays : vérifiez chaque caractère.") from exc
    except e.InvalidChecksumDigits as exc:
        raise ValidationError("Cet IBAN est incorrect (clé de contrôle) : une erreur de frappe ?") from exc
    except e.InvalidBBANChecksum as exc:
        raise ValidationError(
            "Cet IBAN est incorrect (clé RIB) : vérifiez le code banque, le guichet et le numéro de compte."
        ) from exc
    except e.SchwiftyException as exc:
        raise ValidationError("Cet IBAN n'est pas valide : recopiez-le depuis votre RIB.") from exc
    if not iban.in_sepa_zone:
        raise ValidationError("Nous ne pouvons verser les remboursements que sur un compte de la zone SEPA.")
    bic = iban.bic
    if bic_saisi.strip():
        try:
            saisi_bic = BIC("".join(bic_saisi.split()).upper())
        except e.SchwiftyException as exc:
            raise ValidationError("Ce BIC n'est pas valide : 8 ou 11 lettres et chiffres.") from exc
        if bic is not None and saisi_bic.compact[:8] != bic.compact[:8]:
            raise ValidationError(
                "Ce BIC ne correspond pas à la banque de l'IBAN : laissez-le vide, nous le déduirons."
            )
        bic = saisi_bic
    if bic is None:
        raise ValidationError("Indiquez le BIC de votre banque (il figure sur votre RIB).")
    return IbanVerifie(iban=iban.compact, bic=bic.compact)


def iban_masque(iban: str) -> str:
    """FR76 •••• •••• •••• •••• •••• 189: the country, the check digits and the last three characters."""
    compact = "".join(iban.split()).upper()
    if len(compact) < 8:
        return "••••"
    milieu = len(compact) - 7
    groupes = ["••••"] * ((milieu + 3) // 4)
    return " ".join([compact[:4], *groupes, compact[-3:]])
