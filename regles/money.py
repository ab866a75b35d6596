"""Money is ``Decimal``, rounded half-up to the cent by this one helper, never ``float``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NARROW_NBSP = "\u202f"  # the thousands separator of French typography


def arrondi(value: Decimal) -> Decimal:
    """Round half-up to the cent (0.005 → 0.01)."""
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except AttributeError:  # a float or an int: never money here
        raise TypeError(f"arrondi() attend un Decimal, pas {type(value).__name__}") from None


def euros(value: Decimal) -> str:
    """French display of an amount: 1 234,50 €."""
    q = arrondi(value)
    sign = "-" if q < 0 else ""
    whole, _, cents = f"{abs(q):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NARROW_NBSP.join(groups) + "," + cents + "\u00a0€"
