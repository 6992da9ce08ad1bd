"""Celery tasks of the task domain: thin, idempotent, with stable names stored by beat."""

import logging

from celery import shared_task
from django.db import OperationalError

from . import services
from .models import Task

logger = logging.getLogger(__name__)


@shared_task(name="reminders.scan_due")
def scan_due() -> dict[str, int]:
    """Fire every due reminder (beat runs this every minute, on the minute)."""
    result = services.reminders_fire_due()
    if result.fired or result.missed or result.cancelled:
        logger.info(
            "reminder scan: %d fired, %d missed, %d cancelled (task completed)",
            result.fired,
            result.missed,
            result.cancelled,
        )
    return {"fired": result.fired, "missed": result.missed, "cancelled": result.cancelled}


@shared_task(name="tasks.spawn_next_occurrence", autoretry_for=(OperationalError,), max_retries=3)
def spawn_next_occurrence(task_id: int) -> int | None:
    """Create the occurrence after `task_id` in its series; a repeat returns the same row."""
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        return None  # deleted meanwhile: nothing follows it
    successor = services.task_spawn_next_occurrence(task=task)
    return successor.pk if successor else None
