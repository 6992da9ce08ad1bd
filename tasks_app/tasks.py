"""Celery tasks of the task domain: thin, idempotent, with stable names stored by beat."""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import Task

logger = logging.getLogger(__name__)


def upcoming_minute(now: datetime, lead_seconds: float) -> datetime | None:
    """The whole minute a scan sent `lead_seconds` early is for, or None for a scan on time.

    Beat sends the scan that far ahead of each minute (`CELERY_BEAT_LEAD_SECONDS`); a scan that
    arrives with the next minute at most the lead and a second's hop away is for it. Later
    than that (a backlog, a manual run) it fires what is due now.
    """
    if lead_seconds <= 0:
        return None
    minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return minute if (minute - now).total_seconds() <= lead_seconds + 1 else None


@shared_task(name="reminders.scan_due")
def scan_due() -> dict[str, int]:
    """Fire every due reminder (beat sends this every minute, a little before the minute)."""
    minute = upcoming_minute(timezone.now(), settings.REMINDER_SCAN_LEAD_SECONDS)
    result = services.reminders_fire_due(on=minute)
    if result.fired or result.missed or result.cancelled:
        logger.info(
            "reminder scan: %d fired, %d missed, %d cancelled (task completed)",
            result.fired,
            result.missed,
            result.cancelled,
        )
    return {"fired": result.fired, "missed": result.missed, "cancelled": result.cancelled}


@shared_task(name="tasks.spawn_next_occurrence")
def spawn_next_occurrence(task_id: int) -> int | None:
    """Create the occurrence after `task_id` in its series; a repeat returns the same row.

    Not retried by Celery (a retry would be a countdown the broker cannot hold durably): if
    this fails, the completion stays flagged and `tasks.spawn_pending_occurrences` settles it.
    """
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        return None  # deleted meanwhile: nothing follows it
    successor = services.task_spawn_next_occurrence(task=task, for_completion=True)
    return successor.pk if successor else None


@shared_task(name="tasks.spawn_pending_occurrences")
def spawn_pending_occurrences() -> dict[str, int]:
    """Create the next occurrences `spawn_next_occurrence` left undone (beat, every minute)."""
    result = services.occurrences_spawn_pending(limit=settings.RECURRENCE_SWEEP_BATCH_SIZE)
    if result.settled or result.failed:
        # The event-driven path normally leaves nothing here: say so when it did.
        logger.warning(
            "recurrence sweep: %d completion(s) settled, %d failed",
            result.settled,
            result.failed,
        )
    return {"settled": result.settled, "failed": result.failed}
