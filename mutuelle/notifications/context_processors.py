from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from mutuelle.accounts.models import Role
from mutuelle.members.models import Adherent


def _compte(qs: Any, champ: str = "adherent") -> Any:
    """A correlated COUNT(*) of ``qs`` (rows of the outer member), 0 when there are none."""
    sous = qs.order_by().values(champ).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(sous, output_field=IntegerField()), Value(0))


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread counts (notifications, messages) in a member's header: one query, none for others."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", None) != Role.ADHERENT:
        return {}
    # messaging stands above notifications (it notifies): read lazily
    from mutuelle.messaging.models import Message
    from mutuelle.notifications.models import Notification

    comptes = (
        Adherent.objects.filter(user=user)
        .values(
            nb_notifications=_compte(Notification.objects.filter(adherent=OuterRef("pk"), lue_le__isnull=True)),
            nb_messages=_compte(
                Message.objects.filter(
                    fil__adherent=OuterRef("pk"), de_la_mutuelle=True, interne=False, lu_le__isnull=True
                ),
                "fil__adherent",
            ),
        )
        .first()
    ) or {"nb_notifications": 0, "nb_messages": 0}
    return {"notifications_non_lues": comptes["nb_notifications"], "messages_non_lus": comptes["nb_messages"]}
