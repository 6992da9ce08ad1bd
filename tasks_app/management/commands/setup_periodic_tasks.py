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
        task, created = PeriodicTask.objects.update_or_create(
            name="Fire due reminders",
            defaults={
                "task": "reminders.scan_due",
                "crontab": every_minute,
                "interval": None,
                "enabled": True,
                # A scan that could not start within a minute is superseded by the next one.
                "expire_seconds": 55,
            },
        )
        self.stdout.write(f"{'created' if created else 'updated'}: {task.name} -> {task.task}")

        # Next occurrences the event-driven path did not create (its Celery task failed): the
        # flag on the completed occurrence is the durable retry, this sweep acts on it.
        every_sweep, _ = IntervalSchedule.objects.get_or_create(
            every=settings.RECURRENCE_SWEEP_SECONDS, period=IntervalSchedule.SECONDS
        )
        task, created = PeriodicTask.objects.update_or_create(
            name="Create missed next occurrences",
            defaults={
                "task": "tasks.spawn_pending_occurrences",
                "interval": every_sweep,
                "crontab": None,
                "enabled": True,
                "expire_seconds": max(1, settings.RECURRENCE_SWEEP_SECONDS - 1),
            },
        )
        self.stdout.write(f"{'created' if created else 'updated'}: {task.name} -> {task.task}")

        # Push deliveries waiting for a retry live in the database (next_attempt_at), never as
        # ETA tasks in the broker: this sweep re-enqueues those that are due.
        every_few_seconds, _ = IntervalSchedule.objects.get_or_create(
            every=settings.PUSH_RETRY_SWEEP_SECONDS, period=IntervalSchedule.SECONDS
        )
        task, created = PeriodicTask.objects.update_or_create(
            name="Retry due push deliveries",
            defaults={
                "task": "notifications.requeue_due",
                "interval": every_few_seconds,
                "crontab": None,
                "enabled": True,
                "expire_seconds": max(1, settings.PUSH_RETRY_SWEEP_SECONDS - 1),
            },
        )
        self.stdout.write(f"{'created' if created else 'updated'}: {task.name} -> {task.task}")
