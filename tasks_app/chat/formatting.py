"""Plain-English text for tasks, times and reminders, in the user's own zone."""

from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from tasks_app import services as task_services
from tasks_app import timefmt
from tasks_app.models import ReminderStatus, Task


def day_text(day: date, today: date) -> str:
    if day == today:
        return "today"
    if (day - today).days == 1:
        return "tomorrow"
    if (day - today).days == -1:
        return "yesterday"
    text = f"{day:%a, %b} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"


def when_text(moment: datetime, *, all_day: bool, zone: ZoneInfo, now: datetime) -> str:
    """ "tomorrow at 17:00", "Wed, Apr 1 at 09:00", "Fri, Mar 6" (all-day)."""
    local = moment.astimezone(zone)
    day = day_text(local.date(), now.astimezone(zone).date())
    return day if all_day else f"{day} at {timefmt.clock(local)}"


def on_when(moment: datetime, *, all_day: bool, zone: ZoneInfo, now: datetime) -> str:
    text = when_text(moment, all_day=all_day, zone=zone, now=now)
    return text if text.startswith(("today", "tomorrow")) else f"on {text}"


def duration_text(minutes: int) -> str:
    if minutes == 0:
        return "0 minutes"
    parts = []
    for size, unit in ((10080, "week"), (1440, "day"), (60, "hour"), (1, "minute")):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts)


def recurrence_text(task: Task) -> str | None:
    series = task.series
    if series is None or series.stopped_at is not None:
        return None
    text = task_services.recurrence_describe(series)
    return without_all_day_time(text) if task.all_day else text


def without_all_day_time(description: str) -> str:
    """An all-day series' description without the wall time `recurrence.describe` states for
    it (the end of its day)."""
    return description.replace(f" at {timefmt.clock(time(23, 59))}", "")


class ReminderTiming(Protocol):
    """What the wording reads: a `Reminder`, or one of a task's `reminder_rows`."""

    @property
    def fire_at(self) -> datetime | None: ...

    @property
    def offset_minutes(self) -> int | None: ...


# An offset of this much or more that is no whole number of days, and lands on an earlier day,
# is said by the day and time it fires: "the night before" is "the day before at 20:00", not
# "19 hours 30 minutes before".
_BY_THE_CLOCK_MINUTES = 12 * 60


def reminder_text(
    reminder: ReminderTiming, *, zone: ZoneInfo, now: datetime, all_day: bool = False
) -> str:
    minutes = reminder.offset_minutes
    if minutes is None:  # "tomorrow at 09:00", "on Wed, Apr 1 at 09:00"
        return on_when(reminder.fire_at, all_day=False, zone=zone, now=now)
    if all_day and reminder.fire_at is not None:  # counted from a wall time on the day: say it
        fires = reminder.fire_at.astimezone(zone)
        day = (reminder.fire_at + timedelta(minutes=minutes)).astimezone(zone).date()
        days = (day - fires.date()).days
        lead = {0: "on the day", 1: "the day before"}.get(days, f"{days} days before")
        return f"{lead} at {timefmt.clock(fires)}"
    if minutes == 0:
        return "at the due time"
    if minutes >= _BY_THE_CLOCK_MINUTES and minutes % 1440 and reminder.fire_at is not None:
        fires = reminder.fire_at.astimezone(zone)
        days = ((reminder.fire_at + timedelta(minutes=minutes)).astimezone(zone).date()
                - fires.date()).days  # fmt: skip
        if days >= 1:
            lead = "the day before" if days == 1 else f"{days} days before"
            return f"{lead} at {timefmt.clock(fires)}"
    return f"{duration_text(minutes)} before"


def reminders_text(task: Task, *, zone: ZoneInfo, now: datetime) -> str | None:
    pending = [r for r in task.reminder_rows if r.status == ReminderStatus.PENDING]
    if not pending:
        return None
    texts = [reminder_text(r, zone=zone, now=now, all_day=task.all_day) for r in pending]
    label = "reminder" if len(texts) == 1 else "reminders"
    return f"{label} {join(texts)}"


def join(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def task_details(task: Task, *, zone: ZoneInfo, now: datetime) -> str:
    """What was understood about a task: "every month on the 1st at 09:00, first on Wed, Apr 1
    at 09:00; reminder 1 day before; #home; high priority"."""
    parts = []
    rule = recurrence_text(task)
    if task.due_at is None:
        parts.append("no due date")
    elif rule:
        first = on_when(task.due_at, all_day=task.all_day, zone=zone, now=now)
        parts.append(f"{rule}, {'first' if _starts_series(task) else 'next'} {first}")
    else:
        parts.append(f"due {when_text(task.due_at, all_day=task.all_day, zone=zone, now=now)}")
    if reminders := reminders_text(task, zone=zone, now=now):
        parts.append(reminders)
    tags = task.tag_names
    if tags:
        parts.append(" ".join(f"#{t}" for t in tags))
    if task.priority != "none":
        parts.append(f"{task.priority} priority")
    return "; ".join(parts)


def _starts_series(task: Task) -> bool:
    """The task is its series' first occurrence (not one that came after a completion or a
    skip)."""
    series = task.series
    if series is None or task.due_at is None or task.spawned_from_id is not None:
        return False
    local = task.due_at.astimezone(ZoneInfo(series.timezone))
    return (local.date(), local.time()) == (series.start_date, series.start_time)


def task_line(task: Task, *, zone: ZoneInfo, now: datetime) -> str:
    """One line of a list: "Pay rent — Wed, Apr 1 at 09:00 (every month on the 1st) #home",
    "… · high priority"."""
    bits = [task.title]
    if task.completed_at is not None:
        bits.append(f"— done {when_text(task.completed_at, all_day=True, zone=zone, now=now)}")
    elif task.due_at is not None:
        due = when_text(task.due_at, all_day=task.all_day, zone=zone, now=now)
        # All-day tasks are due at the end of their day, so this is right for both kinds.
        bits.append(f"— {due}" + (" (overdue)" if task.due_at < now else ""))
    rule = recurrence_text(task)
    if rule:
        bits.append(f"({rule})")
    tags = task.tag_names
    if tags:
        bits.append(" ".join(f"#{t}" for t in tags))
    line = " ".join(bits)
    if task.priority == "high":  # a lone "!" read as a typo (a UX review)
        line += " · high priority"
    return line
