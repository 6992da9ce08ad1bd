"""Input parsing and output shapes for the task API. Validation of meaning lives in services."""

from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from todo_project.common.fields import StrictCharField, StrictIntegerField

from . import timefmt
from .models import Anchor, Priority, Reminder, Task, User
from .services import SNOOZE_MAX_MINUTES, recurrence_describe


@extend_schema_field(OpenApiTypes.STR)
class WallOrInstantField(serializers.Field):
    """ISO 8601 date, local wall time (no offset: the user's zone) or instant (with offset).

    The value stays naive or aware as given; services interpret naive values in the
    user's own zone.
    """

    default_error_messages = {
        "invalid": "Use an ISO 8601 date (2026-03-06), local time (2026-03-06T09:00) "
        "or instant (2026-03-06T14:00:00Z).",
    }

    def __init__(self, *, allow_date: bool = True, **kwargs: Any) -> None:
        self.allow_date = allow_date
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> date | datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        try:
            if self.allow_date and len(data) == 10:
                parsed_date = parse_date(data)
                if parsed_date is not None:
                    return parsed_date
            parsed = parse_datetime(data)
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        return parsed

    def to_representation(self, value: Any) -> str:
        return value.isoformat()


class RecurrenceInputSerializer(serializers.Serializer):
    rule = StrictCharField(max_length=500)
    anchor = serializers.ChoiceField(choices=Anchor.choices, default=Anchor.DUE)


class ReminderInputSerializer(serializers.Serializer):
    offset_minutes = StrictIntegerField(min_value=0, max_value=525600, required=False)
    fire_at = WallOrInstantField(allow_date=False, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("offset_minutes" in attrs) == ("fire_at" in attrs):
            raise serializers.ValidationError("Give exactly one of offset_minutes or fire_at.")
        return attrs


class TaskCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200)
    description = StrictCharField(max_length=5000, allow_blank=True, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    tags = serializers.ListField(
        child=StrictCharField(max_length=51), max_length=20, required=False
    )
    due_at = WallOrInstantField(required=False, allow_null=True)
    recurrence = RecurrenceInputSerializer(required=False, allow_null=True)
    reminders = ReminderInputSerializer(many=True, required=False, max_length=20)
    completed_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Create it already completed at this instant, not in the future (history, as "
        "when the web app puts back a deleted completed task); no repeat or reminders with it.",
    )


class TaskUpdateSerializer(TaskCreateSerializer):
    title = StrictCharField(max_length=200, required=False)
    reminders = None  # reminders change through their own endpoints
    completed_at = None  # complete/ and reopen/ do that


_DATETIME = serializers.DateTimeField()


def _datetime_out(value: datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "fire_at", "offset_minutes", "status", "fired_at", "snoozed_from"]


class RecurrenceSerializer(serializers.Serializer):
    rule = serializers.CharField()
    anchor = serializers.ChoiceField(choices=Anchor.choices)
    description = serializers.CharField()


class TaskSerializer(serializers.ModelSerializer):
    completed = serializers.BooleanField(read_only=True)
    tags = serializers.SerializerMethodField()
    series_id = serializers.IntegerField(allow_null=True, read_only=True)
    recurrence = serializers.SerializerMethodField()
    reminders = ReminderSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "priority",
            "tags",
            "due_at",
            "all_day",
            "completed",
            "completed_at",
            "series_id",
            "recurrence",
            "reminders",
            "created_at",
            "updated_at",
        ]

    def get_tags(self, task: Task) -> list[str]:
        return task.tag_names

    def to_representation(self, task: Task) -> dict[str, Any]:
        """What DRF's field-by-field walk returns, written out.

        The walk (attribute lookups, a field object per value, the nested reminder serializer)
        was most of the CPU a task list spends in DRF; test_serializers compares the two on
        every shape of task. The declared fields above still define input and the schema.
        """
        out = _datetime_out
        return {
            "id": task.pk,
            "title": task.title,
            "description": task.description,
            "priority": task.priority,
            "tags": task.tag_names,
            "due_at": out(task.due_at),
            "all_day": task.all_day,
            "completed": task.completed,
            "completed_at": out(task.completed_at),
            "series_id": task.series_id,
            "recurrence": self.get_recurrence(task),
            "reminders": [
                {
                    "id": r.id,
                    "fire_at": out(r.fire_at),
                    "offset_minutes": r.offset_minutes,
                    "status": r.status,
                    "fired_at": out(r.fired_at),
                    "snoozed_from": r.snoozed_from_id,
                }
                for r in task.reminder_rows
            ],
            "created_at": out(task.created_at),
            "updated_at": out(task.updated_at),
        }

    @extend_schema_field(RecurrenceSerializer(allow_null=True))
    def get_recurrence(self, task: Task) -> dict[str, str] | None:
        series = task.series
        if series is None or series.stopped_at is not None:
            return None
        return {
            "rule": series.rule,
            "anchor": series.anchor,
            "description": recurrence_describe(series),
        }


class TaskListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "completed"], required=False)
    view = serializers.ChoiceField(choices=["today", "upcoming", "overdue"], required=False)
    due_before = serializers.DateTimeField(required=False)
    due_after = serializers.DateTimeField(required=False)
    # Blank (or only whitespace, which is trimmed) means no filter, like an empty or absent one.
    q = serializers.CharField(max_length=200, required=False, allow_blank=True)
    tag = serializers.CharField(max_length=51, required=False, allow_blank=True)
    # The pattern is in the schema, so a client (and the API fuzzer) knows what passes: up to
    # 100 ids of up to 10 digits, comma-separated.
    ids = serializers.RegexField(
        regex=r"^(?:\d{1,10}(?:,\d{1,10}){0,99})?$",
        max_length=1099,
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Give up to 100 task ids as whole numbers, comma-separated."},
        help_text="Only these tasks: up to 100 ids, comma-separated (e.g. 12,15). Ids that are "
        "not the user's, or no longer exist, are left out (the chat's task cards use this).",
    )

    def validate_ids(self, value: str) -> tuple[int, ...] | None:
        if not value:
            return None  # blank: no filter, as with the others
        return tuple(dict.fromkeys(int(part) for part in value.split(",")))


class TaskDeleteSerializer(serializers.Serializer):
    series = serializers.BooleanField(
        default=False,
        help_text="On the open occurrence of a repeating task: true deletes it for good (the "
        "series stops; completed occurrences stay), false skips to the next occurrence.",
    )


class SnoozeSerializer(serializers.Serializer):
    minutes = StrictIntegerField(min_value=1, max_value=SNOOZE_MAX_MINUTES)


class RecurrencePreviewSerializer(serializers.Serializer):
    rule = StrictCharField(max_length=500)
    start = WallOrInstantField(
        allow_date=False,
        help_text="Local wall time of the first occurrence, e.g. 2026-03-06T09:00.",
    )
    timezone = StrictCharField(max_length=64, required=False)
    count = StrictIntegerField(min_value=1, max_value=100, default=5)
    anchor = serializers.ChoiceField(choices=Anchor.choices, default=Anchor.DUE)


class RecurrencePreviewOutputSerializer(serializers.Serializer):
    rule = serializers.CharField()
    description = serializers.CharField()
    timezone = serializers.CharField()
    occurrences = serializers.ListField(child=serializers.DateTimeField())


class SignupSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    timezone = StrictCharField(max_length=64, required=False)
    time_format = serializers.ChoiceField(choices=timefmt.CHOICES, required=False)


class LoginSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "timezone", "time_format", "default_reminder_offsets"]
        read_only_fields = fields


class MeUpdateSerializer(serializers.Serializer):
    timezone = StrictCharField(max_length=64, required=False)
    time_format = serializers.ChoiceField(choices=timefmt.CHOICES, required=False)
    default_reminder_offsets = serializers.ListField(
        child=StrictIntegerField(min_value=0, max_value=525600), max_length=20, required=False
    )
