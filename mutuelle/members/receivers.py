"""The member's side of events sent by the base: the language chosen in the footer becomes the
member's preference (documents, emails and notifications follow it)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest

from mutuelle.core.actions import Action
from mutuelle.core.langues import langue_choisie
from mutuelle.core.services import journal_ecrire
from mutuelle.members.models import Adherent


@receiver(langue_choisie)
def langue_preferee(sender: Any, user: Any, langue: str, request: HttpRequest | None = None, **kwargs: Any) -> None:
    adherent = Adherent.objects.filter(user=user).first()
    if adherent is None or adherent.langue == langue:
        return
    avant = adherent.langue
    Adherent.objects.filter(pk=adherent.pk).update(langue=langue)
    journal_ecrire(
        action=Action.LANGUE_MODIFIEE,
        par=user,
        target=adherent,
        adherent=adherent,
        old={"langue": avant},
        new={"langue": langue},
        request=request,
    )
