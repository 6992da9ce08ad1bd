"""The task tools: one function per action; the user always comes from the caller.

The deterministic interpreter, the LLM backend and the MCP server all act through these, so a
task is created the same way whoever asked. Arguments are pydantic models, from which the LLM
and MCP tool schemas are generated. Due and reminder times are ISO 8601 strings, as in the REST
API: a date (all-day), a local wall time (in the user's own zone) or an instant with an offset.

Bad input raises `ApplicationError`; a task or reminder that is not the user's raises `Http404`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone as dj_timezone
from django.utils.dateparse import parse_date, parse_datetime
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tasks_app import recurrence, selectors, services, timefmt
from tasks_app.models import ReminderStatus, Task, User
from tasks_app.serializers import TaskSerializer
from todo_project.common.errors import ApplicationError, field_error

from . import formatting
from . import selectors as chat_selectors
from .rules import RecurrenceRule

Priority = Literal["none", "low", "medium", "high"]
View = Literal[
    "open", "today", "tomorrow", "day", "range", "week", "next_week", "weekend", "month", "next",
    "overdue", "upcoming", "undated", "completed", "all",
]  # fmt: skip
WHEN_HELP = (
    "ISO 8601: a date (2026-03-06, all-day), a local wall time in the user's zone "
    "(2026-03-06T09:00) or an instant with an offset (2026-03-06T14:00:00Z)."
)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReminderInput(_Args):
    minutes_before: int | None = Field(
        None, ge=0, le=525600, description="Remind this many minutes before the due time."
    )
    at: str | None = Field(None, description=f"Remind at this time. {WHEN_HELP}")

    @model_validator(mode="after")
    def _exactly_one(self) -> ReminderInput:
        if (self.minutes_before is None) == (self.at is None):
            raise ValueError("give exactly one of minutes_before or at")
        return self


class AddTaskArgs(_Args):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    due: str | None = Field(None, description=f"When it is due. {WHEN_HELP}")
    recurrence: RecurrenceRule | None = Field(None, description="Repeat; needs a due time.")
    reminders: list[ReminderInput] | None = Field(
        None, max_length=20, description="Omit to apply the user's default reminders."
    )
    tags: list[str] = Field(default_factory=list, max_length=20)
    priority: Priority = "none"


class ListTasksArgs(_Args):
    view: View = Field(
        "open",
        description="open (all not done), today, tomorrow, day (see `day`), range (due from "
        "`day` through `until`, either may be left out), week (rest of this week), next_week, "
        "weekend, month (rest of this month), next (due from now on), overdue, upcoming (after "
        "today), undated (no due date), completed, all.",
    )
    day: str | None = Field(
        None,
        description="For view=day: an ISO date (2026-03-06); for view=range: the first day; for "
        "view=completed: completed on it (through `until` when given).",
    )
    until: str | None = Field(
        None, description="For view=range or completed: the last day, an ISO date, inclusive."
    )
    tag: str | None = Field(None, max_length=51)
    search: str | None = Field(None, max_length=200, description="Words in title or notes.")
    priority: Priority | None = Field(None, description="Only tasks of this priority.")
    repeating: bool = Field(False, description="Only tasks that repeat.")
    reminded: bool = Field(False, description="Only tasks with a reminder still to come.")
    limit: int = Field(50, ge=1, le=200)


class TaskIdArgs(_Args):
    task_id: int = Field(ge=1)


class UpdateTaskArgs(TaskIdArgs):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    priority: Priority | None = None
    tags: list[str] | None = Field(None, max_length=20, description="Replaces all tags.")
    due: str | None = Field(None, description=f"New due time. {WHEN_HELP}")
    clear_due: bool = Field(False, description="Remove the due date.")
    recurrence: RecurrenceRule | None = Field(
        None, description="Start repeating from this occurrence (replaces any earlier rule)."
    )
    stop_recurrence: bool = Field(False, description="Stop repeating; this task stays.")
    whole_series: bool = Field(
        False,
        description="With `due` on a repeating task: the later occurrences move too (the same "
        "rule, from the new due; a rule that names its days keeps them, so only the time of "
        "day may change).",
    )


class AddReminderArgs(TaskIdArgs, ReminderInput):
    pass


class SnoozeReminderArgs(_Args):
    reminder_id: int | None = Field(None, ge=1, description="Omit to snooze the latest one.")
    task_id: int | None = Field(None, ge=1, description="Snooze this task's reminder.")
    minutes: int = Field(10, ge=1, le=services.SNOOZE_MAX_MINUTES)


@dataclass
class ToolResult:
    summary: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    total: int | None = None  # list_tasks: how many matched, beyond the limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "actions": self.actions,
            "tasks": TaskSerializer(self.tasks, many=True).data,
        }


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[BaseModel]
    run: Callable[[User, Any, datetime], ToolResult]


TOOLS: dict[str, Tool] = {}


def _tool(
    name: str, description: str, args: type[BaseModel]
) -> Callable[[Callable[..., ToolResult]], Callable[..., ToolResult]]:
    def register(fn: Callable[..., ToolResult]) -> Callable[..., ToolResult]:
        TOOLS[name] = Tool(name, description, args, fn)
        return fn

    return register


def call(
    name: str, *, user: User, arguments: dict[str, Any] | BaseModel, now: datetime | None = None
) -> ToolResult:
    """Validate `arguments` against the tool's model and run it for `user`."""
    tool = TOOLS.get(name)
    if tool is None:
        raise ApplicationError(f"Unknown tool {name!r}.", code="unknown_tool")
    if isinstance(arguments, tool.args):
        args = arguments
    else:
        try:
            args = tool.args.model_validate(
                arguments.model_dump() if isinstance(arguments, BaseModel) else arguments
            )
        except ValidationError as exc:
            raise invalid_arguments(exc) from exc
    with timefmt.using(user.time_format):  # summaries as this person reads times
        return tool.run(user, args, now or dj_timezone.now())


def invalid_arguments(exc: ValidationError) -> ApplicationError:
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "non_field_errors"
        fields.setdefault(name, []).append(str(error["msg"]).removeprefix("Value error, "))
    first_field, messages = next(iter(fields.items()))
    return ApplicationError(f"{first_field}: {messages[0]}", fields=fields)


# ---------------------------------------------------------------- helpers


def parse_when(value: str | None, field_name: str) -> date | datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10 and (day := parse_date(value)) is not None:
            return day
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise field_error(field_name, f"{value!r} is not a date or time. {WHEN_HELP}")
    return moment


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _zone(user: User) -> recurrence.ZoneInfo:
    return services.user_zone(user)


def _fresh(user: User, task: Task) -> Task:
    return selectors.task_get(user=user, task_id=task.pk)


def _details(user: User, task: Task, now: datetime) -> str:
    return formatting.task_details(task, zone=_zone(user), now=now)


def _recurrence_input(rule: RecurrenceRule) -> services.RecurrenceInput:
    return services.RecurrenceInput(rule.to_rrule(), rule.anchor)


def _iso_day(value: str | None, field_name: str) -> date | None:
    day = parse_when(value, field_name) if value else None
    if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
        raise field_error(field_name, f"`{field_name}` must be an ISO date.")
    return day


def _series_moved(user: User, task: Task, due: date | datetime) -> services.RecurrenceInput:
    """The task's own rule again, to restart its series from a new due ("change yoga to 7pm
    from now on"). A rule that names days or times keeps them: only the time of day moves."""
    series = task.series
    if series is None or series.stopped_at is not None:
        raise ApplicationError(f'"{task.title}" does not repeat.', code="not_repeating")
    parts = {part.split("=", 1)[0] for part in series.rule.split(";")}
    if parts & {"BYHOUR", "BYMINUTE"}:
        raise ApplicationError(
            f'"{task.title}" repeats at set times of day; change its repeat instead (e.g. '
            '"make it every day at 9am and 9pm").'
        )
    current = task.due_at.astimezone(_zone(user)).date() if task.due_at else None
    day = due.date() if isinstance(due, datetime) else due
    if day != current and parts & {"BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS"}:
        raise ApplicationError(
            f'"{task.title}" repeats on set days; to move them, change its repeat (e.g. "make '
            'it every Wednesday at 7pm").'
        )
    return services.RecurrenceInput(series.rule, series.anchor)


def _reminder_kwargs(reminder: ReminderInput) -> dict[str, Any]:
    if reminder.minutes_before is not None:
        return {"offset_minutes": reminder.minutes_before}
    moment = parse_when(reminder.at, "reminders.at")
    if not isinstance(moment, datetime):
        raise field_error("reminders.at", "A reminder needs a time, not only a date.")
    return {"fire_at": moment}


# ---------------------------------------------------------------- tools


@_tool(
    "add_task",
    "Create a task, optionally with a due time, a recurrence rule, reminders, tags, priority.",
    AddTaskArgs,
)
def add_task(user: User, args: AddTaskArgs, now: datetime) -> ToolResult:
    reminders = None if args.reminders is None else [_reminder_kwargs(r) for r in args.reminders]
    task = services.task_create(
        user=user,
        title=args.title,
        description=args.description,
        priority=args.priority,
        tags=args.tags,
        due=parse_when(args.due, "due"),
        recurrence_spec=_recurrence_input(args.recurrence) if args.recurrence else None,
        reminders=reminders,
        now=now,
    )
    task = _fresh(user, task)
    return ToolResult(
        f'Added "{task.title}" — {_details(user, task, now)}.',
        [{"type": "task.created", "task_id": task.pk}],
        [task],
    )


def _day_start(day: date, user: User) -> datetime:
    return recurrence.local_to_utc(datetime.combine(day, time.min), _zone(user))


def _list_filters(user: User, args: ListTasksArgs, now: datetime) -> selectors.TaskFilters:
    today = now.astimezone(_zone(user)).date()
    common = {
        "tag": args.tag,
        "q": args.search,
        "priority": args.priority,
        "repeating": args.repeating,
        "reminded": args.reminded,
    }
    if args.view in ("today", "overdue", "upcoming"):
        return selectors.TaskFilters(view=args.view, **common)
    if args.view == "completed":
        day = _iso_day(args.day, "day")
        if day is None:
            return selectors.TaskFilters(status="completed", **common)
        last = _iso_day(args.until, "until") or day
        return selectors.TaskFilters(
            status="completed",
            completed_after=_day_start(day, user),
            completed_before=_day_start(last + timedelta(days=1), user),
            **common,
        )
    if args.view == "range":
        first, last = _iso_day(args.day, "day"), _iso_day(args.until, "until")
        if first is None and last is None:
            raise field_error("until", "view=range needs `day`, `until` or both.")
        return selectors.TaskFilters(
            status="open",
            due_after=_day_start(first, user) if first else None,
            due_before=_day_start(last + timedelta(days=1), user) if last else None,
            **common,
        )
    if args.view == "all":
        return selectors.TaskFilters(**common)
    if args.view == "open":
        return selectors.TaskFilters(status="open", **common)
    if args.view == "undated":
        return selectors.TaskFilters(status="open", undated=True, **common)
    if args.view == "next":
        return selectors.TaskFilters(status="open", due_after=now, **common)
    if args.view == "day":
        day = parse_when(args.day, "day") if args.day else None
        if not isinstance(day, date) or isinstance(day, datetime):
            raise field_error("day", "view=day needs `day` as an ISO date.")
        start, end = day, day + timedelta(days=1)
    elif args.view == "tomorrow":
        start, end = today + timedelta(days=1), today + timedelta(days=2)
    elif args.view == "week":
        start, end = today, today + timedelta(days=7 - today.weekday())
    elif args.view == "next_week":
        start = today + timedelta(days=7 - today.weekday())
        end = start + timedelta(days=7)
    elif args.view == "month":
        start, end = today, (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    else:  # weekend: this one, or the rest of it when it has begun
        start = today if today.weekday() >= 5 else today + timedelta(days=5 - today.weekday())
        end = today + timedelta(days=7 - today.weekday())
    return selectors.TaskFilters(
        status="open",
        due_after=_day_start(start, user),
        due_before=_day_start(end, user),
        **common,
    )


@_tool("list_tasks", "List the user's tasks in a view, optionally by tag or words.", ListTasksArgs)
def list_tasks(user: User, args: ListTasksArgs, now: datetime) -> ToolResult:
    found = selectors.task_list(user=user, filters=_list_filters(user, args, now), now=now)
    total = found.count()
    tasks = list(found[: args.limit])
    zone = _zone(user)
    lines = [
        f"{n}. [id {t.pk}] {formatting.task_line(t, zone=zone, now=now)}"
        for n, t in enumerate(tasks, 1)
    ]
    summary = f"{total} task{'s' if total != 1 else ''}" + (
        ":\n" + "\n".join(lines) if lines else "."
    )
    return ToolResult(summary, [], tasks, total=total)


@_tool("complete_task", "Mark a task done; a recurring task gets its next occurrence.", TaskIdArgs)
def complete_task(user: User, args: TaskIdArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    was_done = task.completed_at is not None
    with transaction.atomic():
        done = services.task_complete(task=task, now=now)
        # The task.completed consumer spawns the next occurrence too; spawning is idempotent,
        # so doing it here as well lets the person see (and refer to) it at once.
        following = (
            services.task_spawn_next_occurrence(task=done, now=now)
            if done.series_id is not None
            else None
        )
    action: dict[str, Any] = {"type": "task.completed", "task_id": done.pk}
    summary = f'"{done.title}" was already done.' if was_done else f'Done: "{done.title}".'
    tasks = [_fresh(user, done)]
    if following is not None:
        following = _fresh(user, following)
        action["next_task_id"] = following.pk
        when = formatting.when_text(
            following.due_at,
            all_day=following.all_day,
            zone=_zone(user),
            now=now,  # type: ignore[arg-type]
        )
        summary += f" Next: {when}."
        tasks.append(following)
    return ToolResult(summary, [] if was_done else [action], tasks)


@_tool("reopen_task", "Mark a completed task as not done.", TaskIdArgs)
def reopen_task(user: User, args: TaskIdArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    if task.completed_at is None:
        return ToolResult(f'"{task.title}" is not done; nothing to reopen.', [], [task])
    task = _fresh(user, services.task_reopen(task=task, now=now))
    return ToolResult(
        f'Reopened "{task.title}" — {_details(user, task, now)}.',
        [{"type": "task.reopened", "task_id": task.pk}],
        [task],
    )


@_tool(
    "delete_task",
    "Delete a task for good. A repeating task goes with its series: nothing comes next "
    "(its completed occurrences stay as history). To skip one occurrence, use skip_occurrence.",
    TaskIdArgs,
)
def delete_task(user: User, args: TaskIdArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    repeats = formatting.recurrence_text(task) if task.completed_at is None else None
    services.task_delete(task=task, now=now, series=True)
    summary = f'Deleted "{task.title}"' + (f" and its repeats ({repeats})." if repeats else ".")
    return ToolResult(summary, [{"type": "task.deleted", "task_id": args.task_id}], [])


def _next_open(user: User, series_id: int, now: datetime) -> tuple[Task | None, str | None]:
    """A series' open occurrence (after a delete or a skip) and when it is due, in words."""
    following = chat_selectors.series_next_open(user=user, series_id=series_id)
    if following is None:
        return None, None
    when = (
        formatting.when_text(following.due_at, all_day=following.all_day, zone=_zone(user), now=now)
        if following.due_at is not None
        else None
    )
    return _fresh(user, following), when


@_tool(
    "update_task",
    "Change a task: title, notes, priority, tags, due time, or its recurrence.",
    UpdateTaskArgs,
)
def update_task(user: User, args: UpdateTaskArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    fields: dict[str, Any] = {
        name: getattr(args, name)
        for name in ("title", "description", "priority", "tags")
        if getattr(args, name) is not None
    }
    if args.clear_due and args.due is not None:
        raise field_error("due", "Give either due or clear_due, not both.")
    if args.clear_due:
        fields["due"] = None
    elif args.due is not None:
        fields["due"] = parse_when(args.due, "due")
    if args.stop_recurrence and args.recurrence is not None:
        raise field_error("recurrence", "Give either recurrence or stop_recurrence, not both.")
    if args.stop_recurrence:
        fields["recurrence_spec"] = None
    elif args.recurrence is not None:
        fields["recurrence_spec"] = _recurrence_input(args.recurrence)
    if args.whole_series:
        if args.due is None or "recurrence_spec" in fields:
            raise field_error("whole_series", "whole_series goes with a new due, and only with it.")
        fields["recurrence_spec"] = _series_moved(user, task, fields["due"])
    if not fields:
        raise ApplicationError("Nothing to change: give at least one field.")
    old_title = task.title
    task = _fresh(user, services.task_update(task=task, now=now, **fields))
    changed = sorted("recurrence" if k == "recurrence_spec" else k for k in fields)
    if "title" in fields and old_title != task.title:
        head = f'Renamed "{old_title}" to "{task.title}"'
    else:
        head = f'Updated "{task.title}"'
    summary = f"{head} — {_details(user, task, now)}."
    return ToolResult(
        summary, [{"type": "task.updated", "task_id": task.pk, "changed": changed}], [task]
    )


@_tool(
    "add_reminder",
    "Add a reminder to a task: minutes before its due time, or at a given time.",
    AddReminderArgs,
)
def add_reminder(user: User, args: AddReminderArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    kwargs = _reminder_kwargs(args)
    reminder = services.reminder_add(task=task, now=now, **kwargs)
    zone = _zone(user)
    what = formatting.reminder_text(reminder, zone=zone, now=now, all_day=task.all_day)
    fires = formatting.when_text(reminder.fire_at, all_day=False, zone=zone, now=now)
    summary = f'I\'ll remind you about "{task.title}" {what}'
    by_the_clock = reminder.offset_minutes is None or task.all_day  # the words say when
    summary += "." if by_the_clock else f" ({fires})."
    return ToolResult(
        summary,
        [{"type": "reminder.added", "task_id": task.pk, "reminder_id": reminder.pk}],
        [_fresh(user, task)],
    )


@_tool("remove_reminders", "Remove a task's pending reminders.", TaskIdArgs)
def remove_reminders(user: User, args: TaskIdArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    with transaction.atomic():
        pending = list(chat_selectors.task_pending_reminders(task=task))
        for reminder in pending:
            services.reminder_delete(reminder=reminder)
    if not pending:
        return ToolResult(f'"{task.title}" has no pending reminders.', [], [_fresh(user, task)])
    count = len(pending)
    return ToolResult(
        f'Removed {count} reminder{"s" if count != 1 else ""} from "{task.title}".',
        [{"type": "reminder.removed", "task_id": task.pk, "count": count}],
        [_fresh(user, task)],
    )


@_tool(
    "snooze_reminder",
    "Fire a reminder again in N minutes: the given one, the task's, or the latest that fired.",
    SnoozeReminderArgs,
)
def snooze_reminder(user: User, args: SnoozeReminderArgs, now: datetime) -> ToolResult:
    if args.reminder_id is not None:
        reminder = selectors.reminder_get(user=user, reminder_id=args.reminder_id)
        if args.task_id is not None and reminder.task_id != args.task_id:
            raise field_error("reminder_id", "That reminder belongs to another task.")
    else:
        task = selectors.task_get(user=user, task_id=args.task_id) if args.task_id else None
        found = chat_selectors.reminder_to_snooze(user=user, now=now, task=task)
        if found is None:
            where = f' for "{task.title}"' if task else ""
            raise ApplicationError(f"There is no reminder{where} to snooze.", code="not_found")
        reminder = found
    if reminder.status == ReminderStatus.PENDING and reminder.fire_at > now + timedelta(
        minutes=args.minutes
    ):  # not gone off yet: a snooze would bring it forward
        when = formatting.when_text(reminder.fire_at, all_day=False, zone=_zone(user), now=now)
        raise ApplicationError(
            f'The reminder for "{reminder.task.title}" goes off {when}; there is nothing to '
            "snooze yet.",
            code="not_due",
        )
    snoozed = services.reminder_snooze(reminder=reminder, minutes=args.minutes, now=now)
    task = snoozed.task
    until = formatting.when_text(snoozed.fire_at, all_day=False, zone=_zone(user), now=now)
    return ToolResult(
        f'Snoozed "{task.title}" for {formatting.duration_text(args.minutes)}, until {until}.',
        [{"type": "reminder.snoozed", "task_id": task.pk, "reminder_id": snoozed.pk}],
        [_fresh(user, task)],
    )


@_tool(
    "skip_occurrence",
    "Skip the open occurrence of a recurring task: it goes, and the next one comes.",
    TaskIdArgs,
)
def skip_occurrence(user: User, args: TaskIdArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    series = task.series
    if series is None or series.stopped_at is not None:
        raise ApplicationError(f'"{task.title}" does not repeat; there is no next one to skip to.')
    if task.completed_at is not None:
        raise ApplicationError(f'"{task.title}" is already completed.')
    zone = _zone(user)
    skipped = (
        formatting.when_text(task.due_at, all_day=task.all_day, zone=zone, now=now)
        if task.due_at is not None
        else "this one"
    )
    title, series_id = task.title, series.pk
    services.task_delete(task=task, now=now)  # the open occurrence of a series: skips ahead
    following, when = _next_open(user, series_id, now)
    summary = f'Skipped "{title}" ({skipped}).' + (f" Next: {when}." if when else "")
    actions: list[dict[str, Any]] = [{"type": "task.deleted", "task_id": args.task_id}]
    if following is None:
        return ToolResult(summary, actions, [])
    actions.append({"type": "task.created", "task_id": following.pk})
    return ToolResult(summary, actions, [following])


@_tool(
    "undo_add",
    "Take back the task just added: it goes, and the series it started with it.",
    TaskIdArgs,
)
def undo_add(user: User, args: TaskIdArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    title = task.title
    services.task_take_back(task=task)
    return ToolResult(
        f'Took back "{title}": it\'s off your list.',
        [{"type": "task.deleted", "task_id": args.task_id}],
        [],
    )


@_tool("stop_series", "Stop a recurring task from repeating; the current one stays.", TaskIdArgs)
def stop_series(user: User, args: TaskIdArgs, now: datetime) -> ToolResult:
    task = selectors.task_get(user=user, task_id=args.task_id)
    task = _fresh(user, services.task_stop_series(task=task, now=now))
    return ToolResult(
        f'"{task.title}" won\'t repeat any more; this one stays on your list.',
        [{"type": "series.stopped", "task_id": task.pk}],
        [task],
    )


MCP_TOOLS = (
    "add_task", "list_tasks", "complete_task", "reopen_task", "update_task", "delete_task",
    "add_reminder", "snooze_reminder",
)  # fmt: skip
