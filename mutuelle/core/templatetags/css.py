"""Text put inside a stylesheet: a PDF's page header or footer (``content: "…"``) built from data."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def chaine_css(valeur: object) -> SafeString:
    """``valeur`` as a quoted CSS string: every character that is not plain printable ASCII (quotes,
    backslashes, ``<``, accents, line breaks) is written as a CSS escape (six hex digits and the space
    that ends it), so no data can close the string or the ``<style>`` element."""
    sortie = []
    for caractere in str(valeur):
        if caractere.isascii() and caractere.isprintable() and caractere not in "\"\\<>&'":
            sortie.append(caractere)
        else:
            sortie.append(f"\\{ord(caractere):06x} ")  # the space ends the escape and is not printed
    return mark_safe('"' + "".join(sortie) + '"')  # noqa: S308 - every unsafe character is escaped above
