"""Relative reminders of all-day tasks count back from 09:00 on the task's day, not 23:59:59.

Moves the pending ones of open tasks to the new rule (`services.relative_fire_at`); one whose
new time has already passed keeps its old time rather than firing at once on deploy.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import migrations
from django.utils import timezone

ALL_DAY_REMINDER_TIME = time(9, 0)  # services.ALL_DAY_REMINDER_TIME when this was written


def forwards(apps, schema_editor):
    Reminder = apps.get_model("tasks_app", "Reminder")
    now = timezone.now()
    pending = Reminder.objects.filter(
        status="pending",
        offset_minutes__isnull=False,
        snoozed_from__isnull=True,
        task__all_day=True,
        task__completed_at__isnull=True,
        task__due_at__isnull=False,
    ).select_related("task__user")
    for reminder in pending.iterator(chunk_size=1000):
        try:
            zone = ZoneInfo(reminder.task.user.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        day = reminder.task.due_at.astimezone(zone).date()
        anchor = datetime.combine(day, ALL_DAY_REMINDER_TIME, tzinfo=zone)
        fire_at = anchor - timedelta(minutes=reminder.offset_minutes)
        if fire_at > now and fire_at != reminder.fire_at:
            Reminder.objects.filter(pk=reminder.pk, status="pending").update(fire_at=fire_at)


class Migration(migrations.Migration):
    dependencies = [("tasks_app", "0004_user_time_format")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
