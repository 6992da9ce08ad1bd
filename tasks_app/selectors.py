"""Reads of the task domain. Every query is scoped to its user: another user's row is a 404."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404
from django.utils import timezone as dj_timezone

from . import recurrence
from .models import Reminder, ReminderStatus, Task, User, reminder_rows, tag_name_rows


@dataclass(frozen=True)
class TaskFilters:
    status: str | None = None  # "open" | "completed"
    view: str | None = None  # "today" | "upcoming" | "overdue"
    due_before: datetime | None = None
    due_after: datetime | None = None
    q: str | None = None
    tag: str | None = None
    priority: str | None = None
    repeating: bool = False  # only tasks of a series that goes on
    reminded: bool = False  # only tasks with a reminder still to come
    undated: bool = False  # only tasks without a due date
    ids: tuple[int, ...] | None = None  # only these (the user's own among them)
    completed_after: datetime | None = None  # completed in [after, before)
    completed_before: datetime | None = None


def local_day_bounds(*, user: User, now: datetime) -> tuple[datetime, datetime]:
    """Start of today and start of tomorrow in the user's zone, as UTC instants."""
    zone = recurrence.validate_timezone(user.timezone)
    today = now.astimezone(zone).date()
    start = recurrence.local_to_utc(datetime.combine(today, time.min), zone)
    end = recurrence.local_to_utc(datetime.combine(today + timedelta(days=1), time.min), zone)
    return start, end


class _TasksWithRelations(ModelIterable):
    """The tasks, each carrying its tag names and reminder rows (`Task.tag_names`,
    `Task.reminder_rows`), read for the whole result in two queries of plain rows.

    What `prefetch_related("tags", "reminders")` gives in the same two queries, without what
    made it ~40% of a task list's CPU: a related manager, a queryset and a model instance per
    task, per relation and per row. It is the queryset's row iterable (the hook `values()` uses
    too), so every way of reading the queryset gets it: a slice, a page, `get()`.
    """

    def __iter__(self):
        tasks = list(super().__iter__())
        by_id = {task.pk: task for task in tasks}
        if by_id:
            tags: dict[int, list[str]] = {pk: [] for pk in by_id}
            for task_id, name in tag_name_rows(list(by_id)):
                tags[task_id].append(name)
            reminders: dict[int, list[tuple]] = {pk: [] for pk in by_id}
            for row in reminder_rows(list(by_id)):
                reminders[row.task_id].append(row)
            for pk, task in by_id.items():
                task.carry_relations(tag_names=sorted(tags[pk]), reminder_rows=reminders[pk])
        yield from tasks


def _with_relations(qs: QuerySet[Task]) -> QuerySet[Task]:
    qs = qs.select_related("series")
    qs._iterable_class = _TasksWithRelations  # kept by every clone: filter, slice, get
    return qs


def task_list(
    *, user: User, filters: TaskFilters | None = None, now: datetime | None = None
) -> QuerySet[Task]:
    """The user's tasks, soonest due first.

    Views, in the user's zone: `today` = open and due during today's local date;
    `overdue` = open and due before now; `upcoming` = open and due after today ends.
    """
    filters = filters or TaskFilters()
    now = now or dj_timezone.now()
    qs = Task.objects.filter(user=user)
    if filters.status == "open":
        qs = qs.filter(completed_at__isnull=True)
    elif filters.status == "completed":
        qs = qs.filter(completed_at__isnull=False)
    if filters.view:
        start, end = local_day_bounds(user=user, now=now)
        qs = qs.filter(completed_at__isnull=True)
        if filters.view == "today":
            qs = qs.filter(due_at__gte=start, due_at__lt=end)
        elif filters.view == "overdue":
            qs = qs.filter(due_at__lt=now)
        elif filters.view == "upcoming":
            qs = qs.filter(due_at__gte=end)
    if filters.due_before is not None:
        qs = qs.filter(due_at__lt=filters.due_before)
    if filters.due_after is not None:
        qs = qs.filter(due_at__gte=filters.due_after)
    if filters.undated:
        qs = qs.filter(due_at__isnull=True)
    if filters.ids is not None:
        qs = qs.filter(pk__in=filters.ids)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.repeating:
        qs = qs.filter(series__isnull=False, series__stopped_at__isnull=True)
    if filters.reminded:
        pending = Reminder.objects.filter(task=OuterRef("pk"), status=ReminderStatus.PENDING)
        qs = qs.filter(Exists(pending))
    if filters.completed_after is not None:
        qs = qs.filter(completed_at__gte=filters.completed_after)
    if filters.completed_before is not None:
        qs = qs.filter(completed_at__lt=filters.completed_before)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag.strip().lstrip("#").lower())
    if filters.status == "completed":
        qs = qs.order_by("-completed_at", "-id")
    return _with_relations(qs)


def task_get_owned(*, user: User, task_id: int) -> Task:
    """The user's task without its relations: for a write whose service locks and reloads it."""
    try:
        return Task.objects.get(user=user, pk=task_id)
    except Task.DoesNotExist as exc:
        raise Http404("No such task.") from exc


def task_get(*, user: User, task_id: int) -> Task:
    try:
        return _with_relations(Task.objects.filter(user=user)).get(pk=task_id)
    except Task.DoesNotExist as exc:
        raise Http404("No such task.") from exc


def reminder_get(*, user: User, reminder_id: int) -> Reminder:
    try:
        return Reminder.objects.select_related("task").get(pk=reminder_id, task__user=user)
    except Reminder.DoesNotExist as exc:
        raise Http404("No such reminder.") from exc
