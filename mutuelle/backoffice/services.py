"""Taking, letting go and reassigning the items of the work queues, each step audited."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from mutuelle.accounts.models import STAFF_ROLES, User
from mutuelle.accounts.permissions import Droit, peut
from mutuelle.backoffice.files import File, avec_affectation
from mutuelle.backoffice.models import Affectation
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire


class AffectationRefusee(Exception):
    """The item cannot be taken or given; the message says why."""


def affectation_de(objet: Any) -> Affectation | None:
    ct = ContentType.objects.get_for_model(type(objet))
    return Affectation.objects.select_related("gestionnaire").filter(type_objet=ct, objet_id=objet.pk).first()


def detenteur_verifier(objet: Any, par: Any) -> None:
    """Work taken is work owned: an item another handler holds is decided by them, or after a
    supervisor reassigns it — even a supervisor reassigns first, so the journal says who decided.
    Raises ``AffectationRefusee`` saying who holds it and since when."""
    from django.utils import timezone

    actuelle = affectation_de(objet)
    if actuelle is not None and actuelle.gestionnaire_id != par.pk:
        raise AffectationRefusee(
            f"Pris en charge par {actuelle.gestionnaire} depuis le "
            f"{timezone.localtime(actuelle.le):%d/%m/%Y à %H:%M} : lui seul décide, à moins qu'un "
            "responsable ne vous le réattribue."
        )


@transaction.atomic
def affectation_prendre(
    *, file: File, objet: Any, gestionnaire: User, par: User, request: HttpRequest | None = None
) -> Affectation:
    """``par`` takes the item for ``gestionnaire`` (themselves, or a handler when a supervisor
    reassigns). An item another handler holds can only be reassigned by a supervisor."""
    if gestionnaire.role not in STAFF_ROLES or not gestionnaire.is_active:
        raise AffectationRefusee("Choisissez un gestionnaire actif de la mutuelle.")
    ct = ContentType.objects.get_for_model(type(objet))
    actuelle = Affectation.objects.select_for_update().filter(type_objet=ct, objet_id=objet.pk).first()
    if actuelle is not None and actuelle.gestionnaire_id == gestionnaire.pk:
        return actuelle
    if actuelle is not None and actuelle.gestionnaire_id != par.pk and not peut(par, Droit.SUPERVISER):
        raise AffectationRefusee(f"Déjà pris par {actuelle.gestionnaire} : un responsable peut le réattribuer.")
    ancien = str(actuelle.gestionnaire) if actuelle is not None else None
    affectation, _ = Affectation.objects.update_or_create(
        type_objet=ct,
        objet_id=objet.pk,
        defaults={"file": file.cle, "gestionnaire": gestionnaire, "par": par},
    )
    adherent = file.adherent(objet)
    journal_ecrire(
        action=Action.ELEMENT_PRIS if gestionnaire.pk == par.pk else Action.ELEMENT_REATTRIBUE,
        par=par,
        target=objet,
        adherent=adherent,
        old={"gestionnaire": ancien},
        new={"gestionnaire": str(gestionnaire), "file": file.cle},
        request=request,
    )
    return affectation


@transaction.atomic
def affectation_liberer(*, file: File, objet: Any, par: User, request: HttpRequest | None = None) -> bool:
    ct = ContentType.objects.get_for_model(type(objet))
    actuelle = Affectation.objects.select_for_update().filter(type_objet=ct, objet_id=objet.pk).first()
    if actuelle is None:
        return False
    if actuelle.gestionnaire_id != par.pk and not peut(par, Droit.SUPERVISER):
        raise AffectationRefusee(f"Pris par {actuelle.gestionnaire} : seul un responsable peut le libérer.")
    journal_ecrire(
        action=Action.ELEMENT_LIBERE,
        par=par,
        target=objet,
        adherent=file.adherent(objet),
        old={"gestionnaire": str(actuelle.gestionnaire)},
        request=request,
    )
    actuelle.delete()
    return True


def prochain(*, file: File, gestionnaire: User, request: HttpRequest | None = None, sauf: Any = None) -> Any:
    """The next item for this handler (theirs first, then a free one, oldest due first), taken for them."""
    qs = avec_affectation(file, file.ouverts())
    if sauf is not None:
        qs = qs.exclude(pk=sauf.pk)
    for candidats in (qs.filter(_pris_par=gestionnaire.pk), qs.filter(Q(_pris_par__isnull=True))):
        objet = candidats.first()
        if objet is None:
            continue
        try:
            affectation_prendre(file=file, objet=objet, gestionnaire=gestionnaire, par=gestionnaire, request=request)
        except AffectationRefusee:  # taken by someone else a moment ago
            continue
        return objet
    return None
