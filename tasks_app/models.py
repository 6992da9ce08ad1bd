"""Task domain: users with a time zone, tasks, recurring series and reminders.

Times are stored in UTC. A series keeps its first occurrence as a *local* wall time
(date + time, no offset) plus the zone it is expanded in, because converting a wall time
to UTC and back is lossy across daylight-saving gaps.
"""

from collections import namedtuple
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from tasks_app import timefmt


class User(AbstractUser):
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA time zone name")
    default_reminder_offsets = models.JSONField(
        default=list,
        blank=True,
        help_text="Minutes before the due time; applied to new tasks that have a due time.",
    )
    time_format = models.CharField(
        max_length=3,
        choices=timefmt.CHOICES,
        default=timefmt.H24,
        help_text="How times of day are written for this person: 24-hour or 12-hour.",
    )


class Priority(models.TextChoices):
    NONE = "none", "None"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Tag(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="tag_unique_per_user")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Anchor(models.TextChoices):
    DUE = "due", "Due date"
    COMPLETION = "completion", "Completion"


class Series(models.Model):
    """The recurrence shared by the occurrences (tasks) of one recurring task."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="series"
    )
    rule = models.CharField(max_length=500, help_text="Normalized RFC 5545 RRULE, no DTSTART")
    anchor = models.CharField(max_length=10, choices=Anchor.choices, default=Anchor.DUE)
    start_date = models.DateField(help_text="Local date of DTSTART")
    start_time = models.TimeField(help_text="Local wall time of DTSTART")
    timezone = models.CharField(max_length=64)
    exdates = models.JSONField(default=list, blank=True, help_text="Local ISO wall times")
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.rule} ({self.timezone})"


class Task(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NONE)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tasks")
    due_at = models.DateTimeField(null=True, blank=True)
    all_day = models.BooleanField(
        default=False, help_text="Due on a date, not at a time: due_at is the end of that day."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    spawned_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spawned_next",
        help_text="The occurrence whose completion created this one.",
    )
    next_occurrence_pending = models.BooleanField(
        default=False,
        help_text="Completed in a series and its next occurrence not created yet: the "
        "recurrence sweep creates it if the task.completed event's Celery task did not.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [models.F("due_at").asc(nulls_last=True), "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "due_at"],
                condition=Q(series__isnull=False),
                name="task_unique_occurrence_per_series",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "completed_at", "due_at"]),
            # The recurrence sweep reads only the few completions still waiting.
            models.Index(
                fields=["completed_at"],
                condition=Q(next_occurrence_pending=True),
                name="task_next_occurrence_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    # What a task shows of its relations. Tasks read through the selectors carry them already,
    # read for the whole result at once (selectors._TasksWithRelations), and a task just created
    # carries what was written (services.task_create); any other instance reads them when
    # asked, every time, as `task.tags.all()` would.

    def carry_relations(self, *, tag_names: list[str], reminder_rows: list[tuple] | None) -> None:
        """Attach relations already in hand: tag names sorted, reminder rows soonest first.
        None leaves the reminders to be read when asked."""
        self._tag_names = tag_names
        if reminder_rows is not None:
            self._reminder_rows = reminder_rows

    @property
    def tag_names(self) -> list[str]:
        """The names of the task's tags, sorted."""
        attached = self.__dict__.get("_tag_names")
        if attached is not None:
            return attached
        return sorted(name for _, name in tag_name_rows([self.pk]))

    @property
    def reminder_rows(self) -> list[tuple]:
        """The task's reminders, soonest first, as rows (named tuples of REMINDER_ROW)."""
        attached = self.__dict__.get("_reminder_rows")
        if attached is not None:
            return attached
        return list(reminder_rows([self.pk]))


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    FIRED = "fired", "Fired"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class Reminder(models.Model):
    """Absolute (`offset_minutes` is null) or relative to the task's due time."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    offset_minutes = models.PositiveIntegerField(null=True, blank=True)
    fire_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    fired_at = models.DateTimeField(null=True, blank=True)
    snoozed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="snoozes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fire_at", "id"]
        indexes = [
            # The per-minute scan reads only pending reminders by fire time.
            models.Index(
                fields=["fire_at"],
                condition=Q(status="pending"),
                name="reminder_pending_fire_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} @ {self.fire_at:%Y-%m-%d %H:%M}Z ({self.status})"


# The fields of a reminder a task shows (the API's reminder object, the chat's reminder text).
REMINDER_ROW = (
    "id",
    "task_id",
    "fire_at",
    "offset_minutes",
    "status",
    "fired_at",
    "snoozed_from_id",
)


ReminderRow = namedtuple("ReminderRow", REMINDER_ROW)


def rows_of_reminders(reminders: Iterable[Reminder]) -> list[tuple]:
    """Reminders in hand as the rows `reminder_rows` reads (same fields, same order)."""
    rows = [ReminderRow(*(getattr(r, name) for name in REMINDER_ROW)) for r in reminders]
    return sorted(rows, key=lambda row: (row.fire_at, row.id))


def tag_name_rows(task_ids) -> models.QuerySet:
    """(task id, tag name) of every tag of these tasks."""
    links = Task.tags.through.objects.filter(task_id__in=task_ids)
    return links.values_list("task_id", "tag__name")


def reminder_rows(task_ids) -> models.QuerySet:
    """The reminders of these tasks as REMINDER_ROW named tuples, soonest first."""
    reminders = Reminder.objects.filter(task_id__in=task_ids).order_by("fire_at", "id")
    return reminders.values_list(*REMINDER_ROW, named=True)


from .chat.models import Conversation, Message  # noqa: E402,F401
