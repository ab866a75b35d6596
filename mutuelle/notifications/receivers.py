"""What the base tells the member's space: security events on a member's account (``accounts.signals``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from mutuelle.accounts.signals import alerte_securite
from mutuelle.members.models import Adherent
from mutuelle.notifications.services import alerte_espace


@receiver(alerte_securite)
def alerte_securite_montrer(
    sender: Any, *, titre: Any, texte: Any = "", adherent: Adherent | None = None, user: Any = None, **kwargs: Any
) -> None:
    """Password changed, email change asked or made: the member sees it in their space too."""
    adherent = adherent if adherent is not None else getattr(user, "adherent", None)
    if adherent is not None:
        alerte_espace(adherent, titre, texte)
