"""Celery tasks of the notifications domain (queue `notifications`): thin and idempotent.

Retries are not Celery retries: a delivery waiting to be retried is a `PushDelivery` row with a
`next_attempt_at`, re-enqueued by `notifications.requeue_due` (beat). The broker holds no
delayed work (see services.py).
"""

import logging

from celery import shared_task

from todo_project.common.safekafka import publish_batch

from . import selectors, services

logger = logging.getLogger(__name__)


@shared_task(name="notifications.deliver")
def deliver(notification_id: int, *more_ids: int) -> dict:
    """Push these notifications to their users' subscriptions (a repeat sends nothing twice),
    then whatever else is due, for up to PUSH_DRAIN_SECONDS: a burst goes out in batches."""
    report = services.notifications_deliver(notification_ids=[notification_id, *more_ids])
    drained = services.push_deliveries_drain()
    return {**report.as_dict(), "drained": drained.as_dict()}


@shared_task(name="notifications.requeue_due")
def requeue_due() -> int:
    """Enqueue delivery of every notification with a push due again (beat, every few seconds)."""
    services.notifications_expire_stale()
    ids = selectors.notification_ids_due_for_push()
    with publish_batch():  # one wait for the broker's confirmations, not one per task
        for notification_id in ids:
            deliver.delay(notification_id)
    if ids:
        logger.info("requeued push delivery of %d notification(s)", len(ids))
    return len(ids)
