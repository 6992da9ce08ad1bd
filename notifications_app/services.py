"""Writes of the notifications domain."""

from django.utils import formats

from tasks_app.models import Reminder

from .models import Notification


def notification_create_for_reminder(*, reminder: Reminder) -> Notification:
    """The in-app notification of a fired reminder. Call inside the firing transaction."""
    task = reminder.task
    if task.due_at is not None:
        from tasks_app import recurrence

        zone = recurrence.validate_timezone(task.user.timezone)
        local = task.due_at.astimezone(zone)
        when = formats.date_format(local, "D, M j") if task.all_day else formats.date_format(
            local, "D, M j, H:i"
        )
        body = f"Due {when}"
    else:
        body = "Reminder"
    return Notification.objects.create(
        user=task.user,
        task=task,
        reminder=reminder,
        title=task.title[:200],
        body=body,
        url=f"/tasks/{task.pk}",
    )
