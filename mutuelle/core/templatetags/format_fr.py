"""French formatting for amounts and rates: 1 234,56 € and 65 %, whatever the active language.

The thousands separator is a narrow no-break space and the currency sign is held to the amount by a
no-break space, as French typography wants, so an amount never wraps in a table cell."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

ESPACE_FINE = "\u202f"
ESPACE_INSECABLE = "\u00a0"


def montant_fr(valeur: Decimal | int | float | str | None, *, signe: bool = False) -> str:
    """``Decimal("1234.5")`` → ``"1 234,50"`` (no currency sign)."""
    if valeur is None or valeur == "":
        return ""
    try:
        d = Decimal(str(valeur)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    negatif = d < 0
    entiers, decimales = f"{abs(d):.2f}".split(".")
    groupes: list[str] = []
    while entiers:
        groupes.insert(0, entiers[-3:])
        entiers = entiers[:-3]
    texte = f"{ESPACE_FINE.join(groupes)},{decimales}"
    if negatif:
        return f"−{texte}"
    return f"+{texte}" if signe and d > 0 else texte


@register.filter
def euros(valeur: Decimal | int | float | str | None) -> str:
    """``{{ montant|euros }}`` → ``1 234,56 €``; empty for no value."""
    texte = montant_fr(valeur)
    return f"{texte}{ESPACE_INSECABLE}€" if texte else ""


@register.filter
def pourcent(taux: Decimal | float | str | None) -> str:
    """A rate stored as a fraction (``0.7``) → ``70 %``; ``0.655`` → ``65,5 %``."""
    if taux is None or taux == "":
        return ""
    try:
        p = (Decimal(str(taux)) * 100).normalize()
    except (InvalidOperation, ValueError):
        return ""
    texte = f"{p:f}".rstrip("0").rstrip(".") if "." in f"{p:f}" else f"{p:f}"
    return f"{texte.replace('.', ',')}{ESPACE_INSECABLE}%"
