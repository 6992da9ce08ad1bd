"""Writes to the task domain. The only code that creates, changes or deletes rows.

Callers (APIs, admin actions, the chat interpreter, Celery tasks) pass plain values;
every function here is keyword-only and atomic, and raises `ApplicationError` (or
Django's `ValidationError`) for input it cannot carry out, leaving nothing half-written.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic, sleep
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Prefetch
from django.utils import timezone as dj_timezone

from todo_project.common.errors import ApplicationError, field_error

from . import events, recurrence, timefmt
from .models import (
    Anchor,
    Priority,
    Reminder,
    ReminderStatus,
    Series,
    Tag,
    Task,
    User,
    rows_of_reminders,
)

logger = logging.getLogger(__name__)

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
TAG_RE = re.compile(r"^[\w-]{1,50}$")
SNOOZE_MAX_MINUTES = 7 * 24 * 60
OFFSET_MAX_MINUTES = 365 * 24 * 60
END_OF_DAY = time(23, 59, 59)
# An all-day task has no time to count a reminder back from: it counts from this wall time on
# its day, as Apple Reminders and Google Tasks remind of all-day items.
ALL_DAY_REMINDER_TIME = time(9, 0)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# ---------------------------------------------------------------- users


def user_zone(user: User) -> recurrence.ZoneInfo:
    return recurrence.validate_timezone(user.timezone)


def _clean_timezone(name: str) -> str:
    try:
        recurrence.validate_timezone(name)
    except recurrence.RecurrenceError as exc:
        raise field_error("timezone", str(exc)) from exc
    return name


def _clean_offsets(offsets: Iterable[int], field: str) -> list[int]:
    cleaned: list[int] = []
    for value in offsets:
        if isinstance(value, bool) or not isinstance(value, int):
            raise field_error(field, "Each offset must be a whole number of minutes.")
        if not 0 <= value <= OFFSET_MAX_MINUTES:
            raise field_error(field, f"Offsets must be between 0 and {OFFSET_MAX_MINUTES} minutes.")
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > settings.TASK_REMINDERS_MAX:
        raise field_error(field, f"At most {settings.TASK_REMINDERS_MAX} offsets.")
    return sorted(cleaned)


def _clean_time_format(value: str) -> str:
    if value not in (timefmt.H24, timefmt.H12):
        raise field_error("time_format", f'Say "{timefmt.H24}" or "{timefmt.H12}".')
    return value


@transaction.atomic
def user_create(
    *, username: str, password: str, timezone: str = "UTC", time_format: str = timefmt.H24
) -> User:
    _clean_timezone(timezone)
    user = User(username=username, timezone=timezone, time_format=_clean_time_format(time_format))
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ApplicationError(
            next(iter(exc.message_dict.values()))[0],
            fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
        ) from exc
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], fields={"password": list(exc.messages)}) from exc
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    timezone: str = UNSET,
    default_reminder_offsets: Sequence[int] = UNSET,
    time_format: str = UNSET,
    now: datetime | None = None,
) -> User:
    """Change a person's settings. A new time zone keeps the local times of their open tasks
    (see `_float_to_zone`)."""
    if timezone is not UNSET:
        zone = _clean_timezone(timezone)
        if zone != user.timezone:
            _float_to_zone(user, old=user.timezone, new=zone, now=now or dj_timezone.now())
        user.timezone = zone
    if time_format is not UNSET:
        user.time_format = _clean_time_format(time_format)
    if default_reminder_offsets is not UNSET:
        user.default_reminder_offsets = _clean_offsets(
            default_reminder_offsets, "default_reminder_offsets"
        )
    user.save(update_fields=["timezone", "default_reminder_offsets", "time_format"])
    return user


def _float_to_zone(user: User, *, old: str, new: str, now: datetime) -> None:
    """Open tasks keep their local wall times in the new zone, as Todoist's times float: "pay
    rent" due all day on the 1st stays on the 1st, "call mom at 17:00" and "every Sunday at
    18:30" stay at 17:00 and 18:30 there. Reminders go with them: relative ones follow the due,
    one at a set time keeps its wall time, a snooze (minutes from when it was asked) its instant.
    Completed tasks keep their instants: they are history. Repeating series take the new zone.
    """
    old_zone, new_zone = recurrence.validate_timezone(old), recurrence.validate_timezone(new)

    def moved(moment: datetime) -> datetime:
        return recurrence.local_to_utc(moment.astimezone(old_zone).replace(tzinfo=None), new_zone)

    Series.objects.filter(user=user, stopped_at__isnull=True).update(timezone=new)
    # Locked in one statement, in id order, as _lock_task locks one (see there).
    tasks = list(
        Task.objects.select_for_update(of=("self",), no_key=True)
        .filter(user=user, completed_at__isnull=True, due_at__isnull=False)
        .order_by("pk")
    )
    for task in tasks:
        due_at = moved(task.due_at)  # type: ignore[arg-type]
        if due_at == task.due_at:
            continue
        task.due_at = due_at
        task.save(update_fields=["due_at", "updated_at"])
        set_times = task.reminders.select_for_update().filter(
            status=ReminderStatus.PENDING, offset_minutes__isnull=True, snoozed_from__isnull=True
        )
        for reminder in set_times:
            reminder.fire_at = moved(reminder.fire_at)
            reminder.save(update_fields=["fire_at"])
        _move_relative_reminders(task, now, zone=new_zone)
        events.emit_task_event(task, events.TASK_UPDATED)


# ---------------------------------------------------------------- field cleaning


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise field_error("title", "Title must not be empty.", code="required")
    if len(title) > TITLE_MAX:
        raise field_error("title", f"Title must be at most {TITLE_MAX} characters.")
    return title


def _clean_description(description: str) -> str:
    description = description or ""
    if len(description) > DESCRIPTION_MAX:
        raise field_error(
            "description", f"Description must be at most {DESCRIPTION_MAX} characters."
        )
    return description


def _clean_priority(priority: str) -> str:
    if priority not in Priority.values:
        raise field_error("priority", f"Priority must be one of: {', '.join(Priority.values)}.")
    return priority


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in tags:
        name = str(raw).strip().lstrip("#").lower()
        if not TAG_RE.match(name):
            raise field_error(
                "tags", f"Tag {raw!r} must be 1-50 letters, digits, '-' or '_' (no spaces)."
            )
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > settings.TASK_TAGS_MAX:
        raise field_error("tags", f"At most {settings.TASK_TAGS_MAX} tags per task.")
    return cleaned


def resolve_due(*, user: User, value: date | datetime | None) -> tuple[datetime | None, bool]:
    """Turn an API due value into (aware UTC instant, all_day).

    - aware datetime: taken as is;
    - naive datetime: a wall time in the user's zone (DST policy of `recurrence.local_to_utc`);
    - date: all-day, due at the end of that day (23:59:59) in the user's zone, so it is
      "today" all day long and only overdue once the day is over.
    """
    if value is None:
        return None, False
    return due_in_zone(value, user_zone(user))


def due_in_zone(value: date | datetime, zone: recurrence.ZoneInfo) -> tuple[datetime, bool]:
    """`resolve_due` for a zone rather than a user (the chat's preview of a task not added)."""
    if isinstance(value, datetime):
        if dj_timezone.is_aware(value):
            return value.astimezone(UTC), False
        return recurrence.local_to_utc(value, zone), False
    return recurrence.local_to_utc(datetime.combine(value, END_OF_DAY), zone), True


def _set_tags(task: Task, names: list[str], *, new_task: bool = False) -> list[Tag]:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(user=task.user, name=name)
        tags.append(tag)
    if new_task:  # nothing to replace: one INSERT (set() would first read the current links)
        task.tags.add(*tags)
    else:
        task.tags.set(tags)
    return tags


# ---------------------------------------------------------------- recurrence


@dataclass(frozen=True)
class RecurrenceInput:
    rule: str
    anchor: str = Anchor.DUE


def series_recurrence(series: Series) -> recurrence.Recurrence:
    return recurrence.Recurrence(
        rule=series.rule,
        dtstart=datetime.combine(series.start_date, series.start_time),
        tz=recurrence.validate_timezone(series.timezone),
        anchor=series.anchor,  # type: ignore[arg-type]
        exdates=tuple(datetime.fromisoformat(x) for x in series.exdates),
    )


def _wall_time(user: User, due: date | datetime) -> datetime:
    """The local wall time a due value names. A naive value is kept as given, so a start that
    falls in a daylight-saving gap (02:30) keeps its 02:30 for later occurrences."""
    if isinstance(due, datetime):
        if dj_timezone.is_naive(due):
            return due
        return due.astimezone(user_zone(user)).replace(tzinfo=None)
    return datetime.combine(due, END_OF_DAY)


def _create_series(
    *,
    user: User,
    spec: RecurrenceInput,
    due_at: datetime | None,
    wall: datetime | None = None,
) -> tuple[Series, datetime]:
    """Create a series whose first occurrence is the first one at or after `due_at`.

    `wall` is the local wall time of the start when the caller has it (see `_wall_time`).
    """
    if due_at is None:
        raise field_error(
            "recurrence",
            "A recurring task needs a due date: its first occurrence.",
            code="required",
        )
    if spec.anchor not in Anchor.values:
        raise field_error("recurrence.anchor", "Anchor must be 'due' or 'completion'.")
    zone = user_zone(user)
    local_start = wall or due_at.astimezone(zone).replace(tzinfo=None)
    try:
        rec = recurrence.build(spec.rule, dtstart=local_start, tz=zone, anchor=spec.anchor)
        first = recurrence.first_on_or_after(rec, when=due_at)
    except recurrence.RecurrenceError as exc:
        raise field_error("recurrence.rule", str(exc)) from exc
    if first is None:
        raise field_error(
            "recurrence.rule", "This rule has no occurrence on or after the due date."
        )
    series = Series.objects.create(
        user=user,
        rule=rec.rule,
        anchor=spec.anchor,
        start_date=local_start.date(),
        start_time=local_start.time(),
        timezone=user.timezone,
    )
    return series, first


def recurrence_describe(series: Series) -> str:
    return recurrence.describe(series_recurrence(series))


def _lock_task(pk: int, *, with_series: bool = False) -> Task:
    """Lock a task for a change: FOR NO KEY UPDATE, never FOR UPDATE.

    The reminder scan locks a due reminder, then inserts its notification, whose foreign key
    takes FOR KEY SHARE on the task. FOR UPDATE conflicts with that, FOR NO KEY UPDATE does not:
    a change that held the task FOR UPDATE and then waited for the reminder the scan held
    deadlocked with it (found by the chaos run: a 500 on completing, or a failed scan). Changes
    of one task still run one after another: NO KEY UPDATE conflicts with itself.
    """
    rows = Task.objects.select_for_update(of=("self",), no_key=True)
    if with_series:
        rows = rows.select_related("series")
    return rows.get(pk=pk)


# ---------------------------------------------------------------- reminders


def relative_fire_at(
    *, due_at: datetime, all_day: bool, zone: recurrence.ZoneInfo, offset_minutes: int
) -> datetime:
    """When a reminder `offset_minutes` before a due fires: that long before its time, or for an
    all-day task before ALL_DAY_REMINDER_TIME on its day ("at the due time" of "pay rent" on
    the 1st is 09:00 on the 1st, "1 day before" 09:00 on the last of the month, never 23:59)."""
    if all_day:
        day = due_at.astimezone(zone).date()
        due_at = recurrence.local_to_utc(datetime.combine(day, ALL_DAY_REMINDER_TIME), zone)
    return due_at - timedelta(minutes=offset_minutes)


def _relative_fire_at(
    task: Task, offset_minutes: int, *, zone: recurrence.ZoneInfo | None = None
) -> datetime:
    if task.due_at is None:
        raise field_error(
            "offset_minutes", "A reminder relative to the due time needs a task with a due time."
        )
    return relative_fire_at(
        due_at=task.due_at,
        all_day=task.all_day,
        zone=zone or user_zone(task.user),
        offset_minutes=offset_minutes,
    )


def _check_open_task_capacity(user: User) -> None:
    """Keep one account's open tasks bounded (USER_OPEN_TASKS_MAX); history does not count.

    The user's row is locked so concurrent creates are counted one after another (NO KEY
    UPDATE: the scan's notification inserts take FOR KEY SHARE on it and need not wait).
    """
    locked = User.objects.select_for_update(no_key=True).filter(pk=user.pk)
    locked.values_list("pk", flat=True).get()
    limit = settings.USER_OPEN_TASKS_MAX
    if Task.objects.filter(user=user, completed_at__isnull=True).count() >= limit:
        raise ApplicationError(
            f"You have {limit} open tasks, the most an account can have. "
            "Complete or delete some before adding more.",
            code="limit_reached",
        )


def _check_reminder_capacity(task: Task, adding: int = 1) -> None:
    active = task.reminders.exclude(status=ReminderStatus.CANCELLED).count()
    if active + adding > settings.TASK_REMINDERS_MAX:
        raise field_error(
            "reminders", f"A task can have at most {settings.TASK_REMINDERS_MAX} reminders."
        )


def _add_reminder(
    task: Task, *, offset_minutes: int | None, fire_at: datetime | None, now: datetime
) -> Reminder:
    when = _reminder_fire_at(task, offset_minutes=offset_minutes, fire_at=fire_at, now=now)
    if offset_minutes is not None:
        duplicate = task.reminders.filter(
            offset_minutes=offset_minutes, status=ReminderStatus.PENDING
        ).first()
        if duplicate is not None:
            return duplicate
    _check_reminder_capacity(task)
    return Reminder.objects.create(task=task, offset_minutes=offset_minutes, fire_at=when)


def _reminder_fire_at(
    task: Task, *, offset_minutes: int | None, fire_at: datetime | None, now: datetime
) -> datetime:
    """Validate one reminder of `task` and say when it fires."""
    if (offset_minutes is None) == (fire_at is None):
        raise field_error(
            "non_field_errors", "Give either offset_minutes or fire_at for a reminder."
        )
    if task.completed_at is not None:
        raise ApplicationError("This task is completed; reopen it to add reminders.")
    if offset_minutes is not None:
        _clean_offsets([offset_minutes], "offset_minutes")
        return _relative_fire_at(task, offset_minutes)
    assert fire_at is not None
    if dj_timezone.is_naive(fire_at):
        fire_at = recurrence.local_to_utc(fire_at, user_zone(task.user))
    if fire_at <= now:
        raise field_error("fire_at", "The reminder time must be in the future.")
    return fire_at


def _add_reminders_to_new_task(
    task: Task, specs: Sequence[dict[str, Any]], *, now: datetime
) -> list[Reminder]:
    """What `_add_reminder` does for each spec, for a task created in this transaction: it has
    no reminders yet, so duplicates and capacity are checked in hand and one INSERT writes all."""
    if len(specs) > settings.TASK_REMINDERS_MAX:
        raise field_error(
            "reminders", f"A task can have at most {settings.TASK_REMINDERS_MAX} reminders."
        )
    rows: list[Reminder] = []
    offsets: set[int] = set()
    for spec in specs:
        offset = spec.get("offset_minutes")
        when = _reminder_fire_at(task, offset_minutes=offset, fire_at=spec.get("fire_at"), now=now)
        if offset is not None:
            if offset in offsets:
                continue  # the same offset twice is one reminder
            offsets.add(offset)
        rows.append(Reminder(task=task, offset_minutes=offset, fire_at=when))
    return Reminder.objects.bulk_create(rows)


@transaction.atomic
def reminder_add(
    *,
    task: Task,
    offset_minutes: int | None = None,
    fire_at: datetime | None = None,
    now: datetime | None = None,
) -> Reminder:
    task = _lock_task(task.pk)
    reminder = _add_reminder(
        task, offset_minutes=offset_minutes, fire_at=fire_at, now=now or dj_timezone.now()
    )
    _touch(task)
    events.emit_task_event(task, events.TASK_UPDATED)
    return reminder


@transaction.atomic
def reminder_delete(*, reminder: Reminder) -> None:
    task = _lock_task(reminder.task_id)
    reminder.delete()
    _touch(task)
    events.emit_task_event(task, events.TASK_UPDATED)


def _touch(task: Task) -> None:
    """A change of the task's reminders is a change of the task: its `updated_at` moves.

    (Reopen tells a next occurrence the person changed from one left as spawned by it.)
    """
    task.save(update_fields=["updated_at"])


@transaction.atomic
def reminder_snooze(*, reminder: Reminder, minutes: int, now: datetime | None = None) -> Reminder:
    """Fire again `minutes` from now: a new pending reminder; a pending original is superseded."""
    now = now or dj_timezone.now()
    task = _lock_task(reminder.task_id)  # the task, then its reminder: the order of every change
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    reminder.task = task
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise field_error("minutes", "minutes must be a whole number.")
    if not 1 <= minutes <= SNOOZE_MAX_MINUTES:
        raise field_error("minutes", f"Snooze for 1 to {SNOOZE_MAX_MINUTES} minutes.")
    if reminder.task.completed_at is not None:
        raise ApplicationError("This task is completed; there is nothing to snooze.")
    if reminder.status == ReminderStatus.CANCELLED:
        raise ApplicationError("This reminder was cancelled.")
    if reminder.status == ReminderStatus.PENDING:
        reminder.status = ReminderStatus.CANCELLED
        reminder.save(update_fields=["status"])
    snoozed = Reminder.objects.create(
        task=task,
        fire_at=now + timedelta(minutes=minutes),
        snoozed_from=reminder,
    )
    _touch(task)
    events.emit_reminder_event(snoozed, events.REMINDER_SNOOZED, snoozed_from_id=reminder.pk)
    return snoozed


def _move_relative_reminders(
    task: Task, now: datetime, *, zone: recurrence.ZoneInfo | None = None
) -> None:
    """Keep relative reminders attached to the (new) due time (in `zone`, the user's unless
    said: an all-day task's count from a wall time there).

    Pending ones move. One that already fired or was missed stays as history; if its new time
    is still ahead, a fresh pending reminder with the same offset takes its place.
    """
    # Locked: the scan skips them now, or this waits for the scan that holds one and then
    # reads it as fired. Read unlocked, a reminder the scan fired meanwhile was moved as if
    # still pending: fired, at a time still ahead, and no reminder left at the new time.
    relative = list(task.reminders.select_for_update().filter(offset_minutes__isnull=False))
    if task.due_at is None:
        for reminder in relative:
            if reminder.status == ReminderStatus.PENDING:
                reminder.status = ReminderStatus.CANCELLED
                reminder.save(update_fields=["status"])
        return
    pending_offsets = set()
    for reminder in relative:
        if reminder.status == ReminderStatus.PENDING:
            reminder.fire_at = _relative_fire_at(task, reminder.offset_minutes or 0, zone=zone)
            reminder.save(update_fields=["fire_at"])
            pending_offsets.add(reminder.offset_minutes)
    for reminder in relative:
        offset = reminder.offset_minutes or 0
        if reminder.status in (ReminderStatus.FIRED, ReminderStatus.MISSED):
            fire_at = _relative_fire_at(task, offset, zone=zone)
            if fire_at > now and offset not in pending_offsets:
                Reminder.objects.create(task=task, offset_minutes=offset, fire_at=fire_at)
                pending_offsets.add(offset)


def _cancel_pending_reminders(task: Task) -> None:
    task.reminders.filter(status=ReminderStatus.PENDING).update(status=ReminderStatus.CANCELLED)


# ---------------------------------------------------------------- tasks


@transaction.atomic
def task_create(
    *,
    user: User,
    title: str,
    description: str = "",
    priority: str = Priority.NONE,
    tags: Iterable[str] = (),
    due: date | datetime | None = None,
    recurrence_spec: RecurrenceInput | None = None,
    reminders: Sequence[dict[str, Any]] | None = None,
    completed_at: datetime | None = None,
    now: datetime | None = None,
) -> Task:
    """Create a task. `reminders=None` applies the user's default offsets when there is a due.

    `completed_at` creates it completed then (history put back: a deleted completed task's
    Undo), with no repeat and no reminders.

    The task returned carries its tags and reminders as written (`Task.tag_names`,
    `Task.reminder_rows`), so showing it needs no read back.
    """
    now = now or dj_timezone.now()
    if completed_at is not None:
        if completed_at > now:
            raise field_error("completed_at", "A task cannot be completed in the future.")
        if recurrence_spec is not None:
            raise field_error(
                "completed_at", "A completed task starts no repeat; leave out `recurrence`."
            )
        if reminders:
            raise field_error("completed_at", "A completed task has no reminders to come.")
        reminders = []
    else:
        _check_open_task_capacity(user)
    title = _clean_title(title)
    description = _clean_description(description)
    priority = _clean_priority(priority)
    tag_names = _clean_tags(tags)
    due_at, all_day = resolve_due(user=user, value=due)

    series = None
    if recurrence_spec is not None:
        series, due_at = _create_series(
            user=user,
            spec=recurrence_spec,
            due_at=due_at,
            wall=_wall_time(user, due) if due is not None else None,
        )

    task = Task.objects.create(
        user=user,
        title=title,
        description=description,
        priority=priority,
        due_at=due_at,
        all_day=all_day,
        series=series,
        completed_at=completed_at,
    )
    tags = _set_tags(task, tag_names, new_task=True)

    if reminders is None:
        # The user's defaults, on a task due at a time (as the field says: an all-day task's
        # "15 minutes before" would be 23:44), those still ahead ("in 10 minutes" gets no "1
        # day before")
        reminders = [
            {"offset_minutes": m}
            for m in (user.default_reminder_offsets if due_at and not all_day else [])
            if due_at - timedelta(minutes=m) > now  # type: ignore[operator]
        ]
    written = _add_reminders_to_new_task(task, reminders, now=now)
    ids_known = all(reminder.pk is not None for reminder in written)  # PostgreSQL, SQLite 3.35+
    task.carry_relations(
        tag_names=sorted(tag.name for tag in tags),
        reminder_rows=rows_of_reminders(written) if ids_known else None,
    )
    events.emit_task_event(task, events.TASK_CREATED)
    return task


@transaction.atomic
def task_update(
    *,
    task: Task,
    title: str = UNSET,
    description: str = UNSET,
    priority: str = UNSET,
    tags: Iterable[str] = UNSET,
    due: date | datetime | None = UNSET,
    recurrence_spec: RecurrenceInput | None = UNSET,
    now: datetime | None = None,
) -> Task:
    """Partial update. Moving the due time moves relative reminders.

    Setting `recurrence_spec` starts a new series at this occurrence (the old one, if any,
    stops); setting it to None stops the series, keeping this task as a one-off.
    """
    now = now or dj_timezone.now()
    task = _lock_task(task.pk)
    due_changed = False
    if title is not UNSET:
        task.title = _clean_title(title)
    if description is not UNSET:
        task.description = _clean_description(description)
    if priority is not UNSET:
        task.priority = _clean_priority(priority)
    if due is not UNSET:
        due_at, all_day = resolve_due(user=task.user, value=due)
        due_changed = (due_at, all_day) != (task.due_at, task.all_day)
        task.due_at, task.all_day = due_at, all_day
        if task.due_at is None and task.series_id is not None and recurrence_spec is UNSET:
            raise field_error("due_at", "A recurring task needs a due date; stop the series first.")
    if recurrence_spec is not UNSET:
        if task.series_id is not None:
            _stop_series(task.series, now=now)
            task.series = None
        if recurrence_spec is not None:
            wall = _wall_time(task.user, due) if due not in (UNSET, None) else None
            task.series, task.due_at = _create_series(
                user=task.user, spec=recurrence_spec, due_at=task.due_at, wall=wall
            )
            due_changed = True
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError as exc:
        raise field_error(
            "due_at", "Another occurrence of this series is already due then."
        ) from exc
    if tags is not UNSET:
        _set_tags(task, _clean_tags(tags))
    if due_changed:
        _move_relative_reminders(task, now)
    events.emit_task_event(task, events.TASK_UPDATED)
    return task


@transaction.atomic
def task_complete(*, task: Task, now: datetime | None = None) -> Task:
    """Complete a task (idempotent) and cancel its pending reminders.

    For an occurrence of a recurring series, the `task.completed` event leads to the next
    occurrence (tasks_app.handlers → Celery → task_spawn_next_occurrence).
    """
    now = now or dj_timezone.now()
    task = _lock_task(task.pk)
    if task.completed_at is not None:
        return task
    task.completed_at = now
    # For a recurring task, the `task.completed` consumer enqueues the next occurrence; the
    # flag, cleared by the spawn, lets the recurrence sweep finish it if that task is lost.
    task.next_occurrence_pending = task.series_id is not None
    task.save(update_fields=["completed_at", "next_occurrence_pending", "updated_at"])
    _cancel_pending_reminders(task)
    events.emit_task_event(task, events.TASK_COMPLETED)
    return task


# A next occurrence changed this long after it was created was changed by its person.
_SPAWNED_UNCHANGED = timedelta(seconds=1)


@transaction.atomic
def task_reopen(*, task: Task, now: datetime | None = None) -> Task:
    """Reopen a completed task; reminders cancelled by completion come back if still ahead.

    Reopening an occurrence undoes its completion, as Todoist's undo moves a recurring task's
    date back: the next occurrence that completion created is taken back while it is still
    open and unchanged, so the series keeps one open occurrence. One the person completed or
    edited stays.
    """
    now = now or dj_timezone.now()
    task = _lock_task(task.pk)
    if task.completed_at is None:
        return task
    task.completed_at = None
    # Open again, it is its series' open occurrence: the sweep owes it no successor, and the
    # completion's own spawn, if it runs after this, creates none (task_spawn_next_occurrence).
    task.next_occurrence_pending = False
    task.save(update_fields=["completed_at", "next_occurrence_pending", "updated_at"])
    task.reminders.filter(status=ReminderStatus.CANCELLED, fire_at__gt=now).update(
        status=ReminderStatus.PENDING
    )
    successor_id = None
    if task.series_id is not None:  # a completed task keeps its series; a one-off has none
        successor_id = Task.objects.filter(spawned_from=task).values_list("pk", flat=True).first()
    if successor_id is not None:
        successor = _lock_task(successor_id)  # then read: it may have been completed meanwhile
        if (
            successor.completed_at is None
            and successor.updated_at - successor.created_at < _SPAWNED_UNCHANGED
        ):
            _delete_locked(successor)
    events.emit_task_event(task, events.TASK_REOPENED)
    return task


@transaction.atomic
def task_delete(*, task: Task, now: datetime | None = None, series: bool = False) -> None:
    """Delete one task. Deleting the open occurrence of an active series skips to the next one,
    unless `series`: then the series stops and nothing comes next (a repeating task deleted for
    good; its completed occurrences stay as history). `series` on a one-off or a completed
    task deletes just that task."""
    task = _lock_task(task.pk, with_series=True)
    if (
        task.series_id is not None and task.completed_at is None and task.series.stopped_at is None  # type: ignore[union-attr]
    ):
        if series:
            _stop_series(task.series, now=now or dj_timezone.now())  # type: ignore[arg-type]
        else:
            task_spawn_next_occurrence(task=task, now=now)
    _delete_locked(task)


def task_snapshot(task: Task) -> dict[str, Any]:
    """What `task_restore` needs to put a deleted task back, as JSON: its fields, tags,
    pending reminders and, for the open occurrence of a series that goes on, its repeat."""
    due = None
    if task.due_at is not None:
        local = task.due_at.astimezone(user_zone(task.user))
        due = local.date().isoformat() if task.all_day else local.replace(tzinfo=None).isoformat()
    series = task.series if task.completed_at is None else None
    repeating = series is not None and series.stopped_at is None
    return {
        "title": task.title,
        "description": task.description,
        "priority": task.priority,
        "tags": sorted(task.tags.values_list("name", flat=True)),
        "due": due,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        "rule": series.rule if repeating else None,  # type: ignore[union-attr]
        "anchor": series.anchor if repeating else None,  # type: ignore[union-attr]
        "reminders": [
            {"offset_minutes": offset} if offset is not None else {"fire_at": fire_at.isoformat()}
            for offset, fire_at in task.reminders.filter(status=ReminderStatus.PENDING)
            .order_by("fire_at")
            .values_list("offset_minutes", "fire_at")
        ],
    }


@transaction.atomic
def task_restore(*, user: User, snapshot: dict[str, Any], now: datetime | None = None) -> Task:
    """A new task as the one `task_snapshot` was taken of ("undo" after a delete), repeating
    as it did; a reminder whose moment has passed meanwhile is left out."""
    now = now or dj_timezone.now()
    said = snapshot["due"]
    due: date | datetime | None = None
    if said is not None:  # a local date (all day) or a local wall time
        due = date.fromisoformat(said) if len(said) == 10 else datetime.fromisoformat(said)
    reminders = [
        spec
        for spec in (
            {"offset_minutes": r["offset_minutes"]}
            if "offset_minutes" in r
            else {"fire_at": datetime.fromisoformat(r["fire_at"])}
            for r in snapshot["reminders"]
        )
        if "fire_at" not in spec or spec["fire_at"] > now
    ]
    spec = RecurrenceInput(snapshot["rule"], snapshot["anchor"]) if snapshot["rule"] else None
    completed = snapshot.get("completed_at")  # a completed one comes back completed, as it was
    return task_create(
        user=user,
        title=snapshot["title"],
        description=snapshot["description"],
        priority=snapshot["priority"],
        tags=snapshot["tags"],
        due=due,
        recurrence_spec=spec,
        reminders=reminders,
        completed_at=datetime.fromisoformat(completed) if completed else None,
        now=now,
    )


@transaction.atomic
def task_take_back(*, task: Task) -> None:
    """Take back an add ("undo" right after it): the task goes, and the series it started.

    A task whose series has other occurrences is not a new one: refused, nothing changes
    (deleting it would leave the series without its open occurrence; `task_delete` skips).
    """
    task = _lock_task(task.pk, with_series=True)
    series = task.series
    if series is not None and series.tasks.exclude(pk=task.pk).exists():
        raise ApplicationError(
            f'"{task.title}" is one of a series now, not a new task: delete or skip it instead.',
            code="not_new",
        )
    _delete_locked(task)
    if series is not None:
        series.delete()


def _delete_locked(task: Task) -> None:
    """Delete a task already locked (`_lock_task`), with its reminders, and say so."""
    # Its reminders first, waiting for a scan that holds one to commit (the scan never waits
    # for the task's lock); a later scan skips them. Deleting the row then needs FOR UPDATE,
    # which no notification insert of a scan can be holding up any more.
    list(Reminder.objects.select_for_update().filter(task=task).values_list("pk", flat=True))
    task_id = task.pk
    task.delete()
    events.emit_task_event(task, events.TASK_DELETED, task_id=task_id)


def _stop_series(series: Series, *, now: datetime) -> None:
    if series.stopped_at is None:
        series.stopped_at = now
        series.save(update_fields=["stopped_at"])
    # Open occurrences become one-off tasks; completed ones keep their history link.
    series.tasks.filter(completed_at__isnull=True).update(series=None)


@transaction.atomic
def task_stop_series(*, task: Task, now: datetime | None = None) -> Task:
    """Stop the recurrence this task belongs to: no further occurrences are created."""
    task = _lock_task(task.pk, with_series=True)
    if task.series is None:
        raise ApplicationError("This task is not part of a recurring series.", code="not_recurring")
    _stop_series(task.series, now=now or dj_timezone.now())
    task.refresh_from_db()
    events.emit_task_event(task, events.TASK_UPDATED)
    return task


def _next_due(task: Task, series: Series, now: datetime) -> datetime | None:
    rec = series_recurrence(series)
    if series.anchor == Anchor.COMPLETION:
        count = series.tasks.count()
        following = recurrence.next_after_completion(
            rec, completed_at=task.completed_at or now, occurrences_so_far=count
        )
        if following is not None and task.due_at is not None and following <= task.due_at:
            # Done early ("every! day" due tomorrow, done today): counted from the completion
            # the next one would be this one again (or earlier), and the series would end
            # there. It counts from this one's due instead: the day after it.
            following = recurrence.next_after_completion(
                rec, completed_at=task.due_at, occurrences_so_far=count
            )
        return following
    # Todoist-style: the next occurrence after the later of the due time and the completion,
    # so completing an overdue daily task does not create a backlog of past occurrences.
    reference = max(filter(None, [task.due_at, task.completed_at or now]))
    return recurrence.next_occurrence(rec, after=reference)


@transaction.atomic
def task_spawn_next_occurrence(
    *, task: Task, now: datetime | None = None, for_completion: bool = False
) -> Task | None:
    """Create the occurrence that follows `task` in its series; idempotent.

    Returns the next occurrence (existing or new), or None when the task is not recurring,
    its series was stopped, or the rule has no further occurrence. A repeat call returns the
    row created the first time: one successor per occurrence and one task per (series, due)
    are both enforced by unique keys. `for_completion` (the task.completed path and the
    sweep): a task reopened since gets none, it is its series' open occurrence again.
    """
    now = now or dj_timezone.now()
    task = _lock_task(task.pk, with_series=True)
    if for_completion and task.completed_at is None:
        return None  # reopened (which cleared the flag) before this ran
    successor = _spawn_next_occurrence(task, now)
    if task.next_occurrence_pending:
        # Settled, whichever way: created, found, or none to create (series stopped, rule
        # ended). `update()` leaves `updated_at` as the user last changed it.
        Task.objects.filter(pk=task.pk).update(next_occurrence_pending=False)
        task.next_occurrence_pending = False
    return successor


def _spawn_next_occurrence(task: Task, now: datetime) -> Task | None:
    existing = Task.objects.filter(spawned_from=task).first()
    if existing is not None:
        return existing
    series = task.series
    if series is None or series.stopped_at is not None:
        return None
    due_at = _next_due(task, series, now)
    if due_at is None:
        return None
    already = Task.objects.filter(series=series, due_at=due_at).first()
    if already is not None:
        return already
    try:
        with transaction.atomic():
            successor = Task.objects.create(
                user=task.user,
                title=task.title,
                description=task.description,
                priority=task.priority,
                due_at=due_at,
                all_day=task.all_day,
                series=series,
                spawned_from=task,
            )
    except IntegrityError:
        # Lost a race with a concurrent spawn: the unique keys kept one row; return it.
        return Task.objects.filter(spawned_from=task).first() or Task.objects.get(
            series=series, due_at=due_at
        )
    successor.tags.set(task.tags.all())
    offsets = sorted(
        set(
            task.reminders.filter(
                offset_minutes__isnull=False, snoozed_from__isnull=True
            ).values_list("offset_minutes", flat=True)
        )
    )
    Reminder.objects.bulk_create(
        Reminder(task=successor, offset_minutes=m, fire_at=_relative_fire_at(successor, m))
        for m in offsets
    )
    events.emit_task_event(successor, events.TASK_CREATED)
    return successor


@dataclass(frozen=True)
class SweepResult:
    settled: int = 0  # next occurrence created or found, or none to create
    failed: int = 0  # left flagged for the next sweep


def occurrences_spawn_pending(*, now: datetime | None = None, limit: int = 500) -> SweepResult:
    """The recurrence sweep: settle completions whose next occurrence was never created.

    Completing an occurrence flags it (`next_occurrence_pending`) in the same transaction as
    its `task.completed` event; the Celery task the event leads to creates the successor and
    clears the flag. A completion still flagged `RECURRENCE_SWEEP_GRACE_SECONDS` later lost
    that task (it failed; Celery does not retry it): this creates the successor instead, so a
    delayed retry lives in the database, never as a countdown in the broker. Each completion
    is settled in its own transaction; one that fails stays flagged for the next sweep (and is
    logged), and losing the database ends this one.
    """
    now = now or dj_timezone.now()
    waited = now - timedelta(seconds=settings.RECURRENCE_SWEEP_GRACE_SECONDS)
    pending = Task.objects.filter(next_occurrence_pending=True, completed_at__lt=waited)
    settled = failed = 0
    # Primary keys only: the spawn locks and reads each row itself.
    for pk in pending.order_by("completed_at").values_list("pk", flat=True)[:limit]:
        try:
            task_spawn_next_occurrence(task=Task(pk=pk), now=now, for_completion=True)
        except (OperationalError, InterfaceError):
            raise  # the database itself (down, a deadlock): the next sweep starts over
        except Exception:
            logger.exception("recurrence sweep: no next occurrence for task %s", pk)
            failed += 1
        else:
            settled += 1
    return SweepResult(settled=settled, failed=failed)


# ---------------------------------------------------------------- reminder scan


@dataclass(frozen=True)
class ScanResult:
    fired: int = 0
    missed: int = 0
    cancelled: int = 0


def reminders_fire_due(
    *, now: datetime | None = None, batch_size: int | None = None, on: datetime | None = None
) -> ScanResult:
    """Fire every pending reminder that is due, in batches, each batch one transaction.

    A fired reminder gets its in-app notification and a `reminder.due` event in the same
    transaction. One later than the lateness cutoff (after an outage) is marked missed with a
    `reminder.missed` event instead of sending a stale push. Reminders of completed tasks never
    fire: completion cancels them, and one the scan finds pending on a completed task (a race
    with completion, or a task completed behind the services' back) is cancelled here. Concurrent
    scans never fire a reminder twice: rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, or
    with a conditional UPDATE where the database has no row locks (SQLite).

    `on`, a moment a few seconds ahead (the scan beat sends early), fires what is due by then,
    on time: where rows lock, the first batch (up to REMINDER_SCAN_EARLY_BATCH_SIZE) is claimed
    and prepared now and its transaction commits at `on`, so nobody sees a notification or an
    event before it and the pushes start as it strikes; the rest follow as usual. The claimed
    reminders stay locked until then (a change to one of them waits those seconds); reminders
    added meanwhile are claimed after it. Without row locks the scan waits for `on`, then runs.
    """
    from django.db import connection

    batch_size = batch_size or settings.REMINDER_SCAN_BATCH_SIZE
    now = on or now or dj_timezone.now()
    cutoff = now - timedelta(minutes=settings.REMINDER_LATENESS_CUTOFF_MINUTES)
    total = ScanResult()
    if on is not None and connection.features.has_select_for_update_skip_locked:
        size = max(batch_size, settings.REMINDER_SCAN_EARLY_BATCH_SIZE)
        total, _ = _fire_batch(now=on, cutoff=cutoff, batch_size=size, commit_at=on)
        # then, as usual: what did not fit, and reminders added while it waited
    elif on is not None:
        _sleep_until(on)
    while True:
        batch, claimed = _fire_batch(now=now, cutoff=cutoff, batch_size=batch_size)
        total = ScanResult(
            total.fired + batch.fired,
            total.missed + batch.missed,
            total.cancelled + batch.cancelled,
        )
        if claimed < batch_size:
            return total


# What an early batch keeps of its lead for writing the pushes it encrypted and committing.
_PREPARE_MARGIN_SECONDS = 0.2


def _sleep_until(moment: datetime) -> None:
    sleep(max(0.0, (moment - dj_timezone.now()).total_seconds()))


@transaction.atomic
def _fire_batch(
    *, now: datetime, cutoff: datetime, batch_size: int, commit_at: datetime | None = None
) -> tuple[ScanResult, int]:
    from django.db import connection

    from notifications_app.services import (
        notifications_create_for_reminders,
        push_deliveries_prepare,
    )
    from todo_project.common.outbox import emit_many

    locks = connection.features.has_select_for_update_skip_locked
    # The claim reads the reminder table alone, through its partial index on pending fire_at;
    # tasks and users come by primary key in a second statement. Joined in one statement, a
    # burst of reminders created since the last ANALYZE (autovacuum waits a minute; a restored
    # dump has no statistics at all) was planned as a nested loop over a sequential scan of the
    # tasks: 0.65-0.73 s instead of ~0.4 s for 1,000 fresh reminders, growing with the square of
    # the burst.
    due = Reminder.objects.filter(status=ReminderStatus.PENDING, fire_at__lte=now).order_by(
        "fire_at", "id"
    )
    if locks:
        due = due.select_for_update(skip_locked=True)
    rows = list(
        due.prefetch_related(Prefetch("task", Task.objects.select_related("user")))[:batch_size]
    )
    outcomes: dict[str, list[Reminder]] = {status: [] for status in ReminderStatus.values}
    for reminder in rows:
        if reminder.task.completed_at is not None:
            status = ReminderStatus.CANCELLED
        elif reminder.fire_at < cutoff:
            status = ReminderStatus.MISSED
        else:
            status = ReminderStatus.FIRED
        reminder.status = status
        reminder.fired_at = now if status == ReminderStatus.FIRED else None
        if not locks:
            claimed = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.PENDING).update(
                status=reminder.status, fired_at=reminder.fired_at
            )
            if not claimed:
                continue  # another scan took it first
        outcomes[status].append(reminder)
    fired = outcomes[ReminderStatus.FIRED]
    missed = outcomes[ReminderStatus.MISSED]
    cancelled = outcomes[ReminderStatus.CANCELLED]
    if locks:  # one set-based UPDATE per outcome; bulk_update's per-row CASE costs more
        for status, claimed_rows in outcomes.items():
            if claimed_rows:
                Reminder.objects.filter(pk__in=[r.pk for r in claimed_rows]).update(
                    status=status, fired_at=now if status == ReminderStatus.FIRED else None
                )
    notifications = notifications_create_for_reminders(reminders=fired, at=now)
    outgoing = [e for r in missed for e in events.reminder_events(r, events.REMINDER_MISSED)]
    for reminder, notification in zip(fired, notifications, strict=True):
        outgoing += events.reminder_events(
            reminder,
            events.REMINDER_DUE,
            notification_id=notification.pk,
            title=reminder.task.title,
            due_at=events.iso(reminder.task.due_at),
        )
    emit_many(outgoing, time=now)
    if commit_at is not None:  # prepared early: their pushes too, while time is left
        left = (commit_at - dj_timezone.now()).total_seconds() - _PREPARE_MARGIN_SECONDS
        deadline = monotonic() + left
        push_deliveries_prepare(notifications, due_at=now, deadline=deadline)
        _sleep_until(commit_at)  # visible on the minute, not before
    return ScanResult(len(fired), len(missed), len(cancelled)), len(rows)
