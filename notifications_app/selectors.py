"""Reads of the notifications domain. Every user-facing query is scoped to its user."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone as dj_timezone

from tasks_app.models import User

from .models import (
    OPEN_DELIVERY_STATES,
    DeliveryState,
    Notification,
    PushDelivery,
    PushSubscription,
)

# A notification still unplanned this long after it was created lost its deliver task.
DELIVER_TASK_LOST_AFTER = timedelta(minutes=2)


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first; `unread` True/False filters on read state."""
    qs = Notification.objects.filter(user=user)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get(*, user: User, notification_id: int) -> Notification:
    try:
        return Notification.objects.get(user=user, pk=notification_id)
    except Notification.DoesNotExist as exc:
        raise Http404("No such notification.") from exc


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user).order_by("-created_at", "-id")


def notifications_awaiting_push(*, ids: list[int]) -> list[int]:
    """Those of `ids` not tried yet, in the order given: no delivery run has taken them."""
    pending = set(
        Notification.objects.filter(pk__in=ids, delivery_state=DeliveryState.PENDING).values_list(
            "pk", flat=True
        )
    )
    return [pk for pk in dict.fromkeys(ids) if pk in pending]


def notification_ids_due_for_push(*, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Notifications the retry sweep hands to `notifications.deliver` again.

    Those with a delivery whose next attempt is due (a retry, or a claim whose worker died),
    and those still untried well after creation (their deliver task was lost), within the
    give-up window. Each deliver task also drains other due work, so a few ids suffice.
    """
    now = now or dj_timezone.now()
    due = (
        PushDelivery.objects.filter(state__in=OPEN_DELIVERY_STATES, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("notification_id", flat=True)[:limit]
    )
    ids = list(dict.fromkeys(due))
    lost = (
        Notification.objects.filter(
            delivery_state=DeliveryState.PENDING,
            created_at__lte=now - DELIVER_TASK_LOST_AFTER,
            created_at__gte=now - timedelta(seconds=settings.PUSH_GIVE_UP_AFTER_SECONDS),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[: max(0, limit - len(ids))]
    )
    return ids + [pk for pk in lost if pk not in set(ids)]
