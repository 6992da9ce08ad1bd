"""Reads for the chat: conversations (scoped to their user) and the few task reads the tools
need beyond `tasks_app.selectors`."""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404

from tasks_app.models import Reminder, ReminderStatus, Tag, Task, User

from .models import Conversation, Message

SNOOZE_LOOKBACK = timedelta(hours=24)


def conversation_list(*, user: User) -> QuerySet[Conversation]:
    return Conversation.objects.filter(user=user)


def conversation_get(*, user: User, conversation_id: int, for_update: bool = False) -> Conversation:
    qs = Conversation.objects.filter(user=user)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=conversation_id)
    except Conversation.DoesNotExist as exc:
        raise Http404("No such conversation.") from exc


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.all()


def message_recent(*, conversation: Conversation, limit: int) -> list[Message]:
    recent = list(conversation.messages.order_by("-created_at", "-id")[:limit])
    return recent[::-1]


def task_pending_reminders(*, task: Task) -> QuerySet[Reminder]:
    return task.reminders.filter(status=ReminderStatus.PENDING)


def reminder_to_snooze(*, user: User, now: datetime, task: Task | None = None) -> Reminder | None:
    """The reminder a person means by "snooze": the one that fired last (within a day), else
    the task's next pending one. Reminders of completed tasks cannot be snoozed."""
    qs = Reminder.objects.select_related("task").filter(
        task__user=user, task__completed_at__isnull=True
    )
    if task is not None:
        qs = qs.filter(task=task)
    fired = (
        qs.filter(status=ReminderStatus.FIRED, fired_at__gte=now - SNOOZE_LOOKBACK)
        .order_by("-fired_at", "-id")
        .first()
    )
    if fired is not None or task is None:
        return fired
    return qs.filter(status=ReminderStatus.PENDING).order_by("fire_at", "id").first()


def series_next_open(*, user: User, series_id: int) -> Task | None:
    return (
        Task.objects.filter(user=user, series_id=series_id, completed_at__isnull=True)
        .order_by("due_at", "id")
        .first()
    )


def tag_named(*, user: User, name: str) -> str | None:
    """The user's tag of that name (tags are stored lower-case), if they have one."""
    name = name.strip().lstrip("#").lower()
    return Tag.objects.filter(user=user, name=name).values_list("name", flat=True).first()
