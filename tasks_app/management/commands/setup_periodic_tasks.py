from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


class Command(BaseCommand):
    help = "Declare the periodic tasks beat runs (idempotent: safe on every deploy)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        every_minute, _ = CrontabSchedule.objects.get_or_create(
            minute=settings.REMINDER_SCAN_CRONTAB_MINUTE,
            hour="*",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="UTC",
        )
        # A scan that could not start within a minute is superseded by the next one.
        self._declare("Fire due reminders", "reminders.scan_due", crontab=every_minute, expire=55)

        # Delayed retries live in the database, never as ETA tasks in the broker; these sweeps
        # act on them. Next occurrences the event-driven path did not create (its Celery task
        # failed): the flag on the completed occurrence.
        self._every(
            settings.RECURRENCE_SWEEP_SECONDS,
            "Create missed next occurrences",
            "tasks.spawn_pending_occurrences",
        )
        # Push deliveries waiting for a retry (next_attempt_at) or never tried.
        self._every(
            settings.PUSH_RETRY_SWEEP_SECONDS,
            "Retry due push deliveries",
            "notifications.requeue_due",
        )

    def _every(self, seconds: int, name: str, task: str) -> None:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=seconds, period=IntervalSchedule.SECONDS
        )
        # A run that could not start before the next is due is superseded by it.
        self._declare(name, task, interval=interval, expire=max(1, seconds - 1))

    def _declare(
        self,
        name: str,
        task: str,
        *,
        expire: int,
        crontab: CrontabSchedule | None = None,
        interval: IntervalSchedule | None = None,
    ) -> None:
        periodic, created = PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "interval": interval,
                "enabled": True,
                "expire_seconds": expire,
            },
        )
        self.stdout.write(f"{'created' if created else 'updated'}: {periodic.name} -> {task}")
