"""Core services: the audit log writer and the mutuelle's configuration presets."""

from __future__ import annotations

import json
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from mutuelle.core.actions import Action
from mutuelle.core.models import AuditLog, Mutuelle
from mutuelle.core.presets import PRESETS


def _jsonable(value: Any) -> Any:
    """Dates and Decimals as strings, so old/new values survive the JSON column unchanged."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


def journal_ecrire(
    *,
    action: Action,
    par: Any = None,
    target: models.Model | None = None,
    adherent: Any = None,
    old: Any = None,
    new: Any = None,
    message: str = "",
    request: HttpRequest | None = None,
) -> AuditLog:
    """Write one audit row. Call it inside the transaction of the change it records. ``action`` is one
    of the enum's (``core.actions``): a code it does not know is refused, not journaled."""
    action = Action(action)
    ip = None
    user_agent = ""
    if request is not None:
        ip = request.META.get("REMOTE_ADDR") or None
        user_agent = (request.META.get("HTTP_USER_AGENT") or "")[:300]
        if par is None and getattr(request, "user", None) is not None and request.user.is_authenticated:
            par = request.user
    entry = AuditLog(
        action=action,
        acteur=par if par is not None and getattr(par, "pk", None) else None,
        acteur_libelle=str(par)[:150] if par is not None else "système",
        cible_type=target._meta.label_lower if target is not None else "",
        cible_id=str(target.pk) if target is not None else "",
        cible_libelle=str(target)[:200] if target is not None else "",
        adherent=adherent,
        ancienne_valeur=_jsonable(old),
        nouvelle_valeur=_jsonable(new),
        message=message[:500],
        ip=ip,
        user_agent=user_agent,
    )
    entry.full_clean()
    entry.save()
    return entry


def mutuelle_ou_rien() -> Mutuelle | None:
    """The installation's mutuelle, or None before ``seed_demo`` or set-up (pages that must still answer)."""
    return Mutuelle.objects.filter(singleton=1).first()


def mutuelle_lire() -> Mutuelle:
    """The installation's mutuelle. Raises ``Mutuelle.DoesNotExist`` before ``seed_demo`` or setup."""
    return Mutuelle.objects.get(singleton=1)


@transaction.atomic
def mutuelle_preset_appliquer(*, preset: str, par: Any = None) -> Mutuelle:
    """Create or update the one Mutuelle row from a named preset (demo configurations)."""
    if preset not in PRESETS:
        raise ValueError(f"Préréglage inconnu : {preset!r} (possibles : {', '.join(sorted(PRESETS))}).")
    values = dict(PRESETS[preset])
    mutuelle = Mutuelle.objects.select_for_update().filter(singleton=1).first()
    old = None
    if mutuelle is None:
        mutuelle = Mutuelle(**values)
    else:
        old = {k: getattr(mutuelle, k) for k in values}
        for key, value in values.items():
            setattr(mutuelle, key, value)
    mutuelle.full_clean()
    mutuelle.save()
    journal_ecrire(
        action=Action.PRESET_APPLIQUE,
        par=par,
        target=mutuelle,
        old=old,
        new=values,
        message=f"Préréglage {preset}",
    )
    return mutuelle


def sequence_suivante(*, nom: str, start: int = 1) -> int:
    """The next value of a named counter. Must run inside a transaction."""
    from mutuelle.core.models import Sequence

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_suivante() doit être appelé dans une transaction.")
    seq, _ = Sequence.objects.select_for_update().get_or_create(nom=nom, defaults={"valeur": start - 1})
    seq.valeur += 1
    seq.save(update_fields=["valeur"])
    return seq.valeur
