"""Writes of the notifications domain."""

from django.utils import formats

from tasks_app import recurrence
from tasks_app.models import Reminder

from .models import Notification


def _body(reminder: Reminder) -> str:
    task = reminder.task
    if task.due_at is None:
        return "Reminder"
    local = task.due_at.astimezone(recurrence.validate_timezone(task.user.timezone))
    return f"Due {formats.date_format(local, 'D, M j' if task.all_day else 'D, M j, H:i')}"


def notifications_create_for_reminders(*, reminders: list[Reminder]) -> list[Notification]:
    """The in-app notifications of fired reminders, one INSERT for the lot.

    Call inside the firing transaction; the unique key on `reminder` makes a second
    notification for the same reminder impossible.
    """
    return Notification.objects.bulk_create(
        Notification(
            user=reminder.task.user,
            task=reminder.task,
            reminder=reminder,
            title=reminder.task.title[:200],
            body=_body(reminder),
            url=f"/tasks/{reminder.task_id}",
        )
        for reminder in reminders
    )
