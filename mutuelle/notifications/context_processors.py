from typing import Any

from django.http import HttpRequest

from mutuelle.accounts.models import Role


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count in the header of a member's pages (one query; nothing for anyone else)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", None) != Role.ADHERENT:
        return {}
    from mutuelle.notifications.models import Notification

    return {"notifications_non_lues": Notification.objects.filter(adherent__user=user, lue_le__isnull=True).count()}
