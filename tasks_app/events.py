"""Event payloads of the task domain (JSON only: ids and ISO-8601 times) and their emission.

Every task change goes to `task-events` (key: task id) and a slim copy to `task-updates`
(key: user id), the per-user change feed for clients. Reminder events go to `reminders`.
"""

from datetime import datetime
from typing import Any

from todo_project.common import kafka
from todo_project.common.outbox import Event, emit_many

from .models import Reminder, Task

TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_COMPLETED = "task.completed"
TASK_REOPENED = "task.reopened"
TASK_DELETED = "task.deleted"
REMINDER_DUE = "reminder.due"
REMINDER_SNOOZED = "reminder.snoozed"
REMINDER_MISSED = "reminder.missed"


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def task_data(task: Task) -> dict[str, Any]:
    return {
        "task_id": task.pk,
        "user_id": task.user_id,
        "title": task.title,
        "priority": task.priority,
        "due_at": iso(task.due_at),
        "all_day": task.all_day,
        "completed_at": iso(task.completed_at),
        "series_id": task.series_id,
        "spawned_from_id": task.spawned_from_id,
    }


def reminder_data(reminder: Reminder) -> dict[str, Any]:
    return {
        "reminder_id": reminder.pk,
        "task_id": reminder.task_id,
        "user_id": reminder.task.user_id,
        "fire_at": iso(reminder.fire_at),
        "offset_minutes": reminder.offset_minutes,
        "status": reminder.status,
    }


def _user_update(*, user_id: int, type: str, task_id: int, data: dict[str, Any]) -> Event:
    return Event(
        topic=kafka.TASK_UPDATES,
        key=user_id,
        type=type,
        subject=f"users/{user_id}",
        data={"user_id": user_id, "task_id": task_id, **data},
    )


def emit_task_event(task: Task, type: str, *, task_id: int | None = None) -> None:
    """`task_id` is given for a deletion, when the row no longer has a primary key."""
    data = task_data(task)
    if task_id is not None:
        data["task_id"] = task_id
    emit_many(
        [
            Event(
                topic=kafka.TASK_EVENTS,
                key=data["task_id"],
                type=type,
                subject=f"tasks/{data['task_id']}",
                data=data,
            ),
            _user_update(user_id=task.user_id, type=type, task_id=data["task_id"], data={}),
        ]
    )


def reminder_events(reminder: Reminder, type: str, **extra: Any) -> list[Event]:
    data = {**reminder_data(reminder), **extra}
    return [
        Event(
            topic=kafka.REMINDERS,
            key=reminder.task_id,
            type=type,
            subject=f"reminders/{reminder.pk}",
            data=data,
        ),
        _user_update(
            user_id=data["user_id"],
            type=type,
            task_id=reminder.task_id,
            data={"reminder_id": reminder.pk},
        ),
    ]


def emit_reminder_event(reminder: Reminder, type: str, **extra: Any) -> None:
    emit_many(reminder_events(reminder, type, **extra))
