from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask


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
