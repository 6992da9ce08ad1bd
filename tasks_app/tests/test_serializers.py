"""TaskSerializer's written-out to_representation returns exactly what DRF's field walk does."""

from datetime import UTC, date, datetime, timedelta

import pytest
from rest_framework import serializers

from tasks_app import selectors, services
from tasks_app.models import Task
from tasks_app.serializers import TaskSerializer
from tasks_app.services import RecurrenceInput
from tasks_app.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def every_shape_of_task() -> list[Task]:
    user = UserFactory(timezone="America/New_York")
    make = services.task_create
    plain = make(user=user, title="Undated, no tags", reminders=[], now=NOW)
    tagged = make(
        user=user,
        title="Tagged \u00e9\u6f22 \U0001f600",
        description="two\nlines",
        priority="high",
        tags=["zeta", "alpha", "mid"],
        due=datetime(2026, 3, 6, 9, 30),
        reminders=[{"offset_minutes": 0}, {"fire_at": datetime(2026, 3, 6, 8, 15)}],
        now=NOW,
    )
    all_day = make(user=user, title="All day", due=date(2026, 3, 7), reminders=None, now=NOW)
    daily = make(
        user=user,
        title="Daily",
        due=datetime(2026, 3, 5, 11, 0),
        recurrence_spec=RecurrenceInput("FREQ=WEEKLY;BYDAY=MO,TH"),
        reminders=[{"offset_minutes": 10}],
        now=NOW,
    )
    fired = make(
        user=user,
        title="Fired, then snoozed",
        due=NOW + timedelta(minutes=20),
        reminders=[{"offset_minutes": 30}, {"offset_minutes": 60}],
        now=NOW - timedelta(hours=2),
    )
    services.reminders_fire_due(now=NOW)
    services.reminder_snooze(
        reminder=fired.reminders.order_by("fire_at").first(), minutes=5, now=NOW
    )
    done = make(
        user=user, title="Done", due=NOW + timedelta(days=1), reminders=[{"offset_minutes": 5}]
    )
    services.task_complete(task=done, now=NOW)
    stopped = make(
        user=user,
        title="Series stopped",
        due=datetime(2026, 3, 9, 7, 0),
        recurrence_spec=RecurrenceInput("FREQ=DAILY", anchor="completion"),
        now=NOW,
    )
    services.task_complete(task=stopped, now=NOW)
    services.task_stop_series(task=stopped, now=NOW)
    return [plain, tagged, all_day, daily, fired, done, stopped]


def field_walk(task: Task) -> dict:
    """DRF's own Serializer.to_representation, over the same declared fields."""
    return dict(serializers.ModelSerializer.to_representation(TaskSerializer(), task))


def test_every_shape_of_task_serializes_as_drfs_field_walk_does():
    tasks = every_shape_of_task()
    shapes = set()
    for task in tasks:
        for loaded in (
            selectors.task_get(user=task.user, task_id=task.pk),  # relations prefetched
            Task.objects.get(pk=task.pk),  # relations read lazily
        ):
            fast = TaskSerializer(loaded).data
            assert fast == field_walk(loaded)
            assert list(fast) == list(field_walk(loaded))  # the same key order in the JSON
            shapes |= {
                ("recurring", fast["recurrence"] is not None),
                ("series", fast["series_id"] is not None),
                ("completed", fast["completed"]),
                ("tags", bool(fast["tags"])),
                ("due", fast["due_at"] is not None),
                *(
                    ("reminder", r["status"], r["snoozed_from"] is not None)
                    for r in fast["reminders"]
                ),
            }
    # The fixture really covers what the comparison is for.
    assert {
        ("recurring", True),
        ("recurring", False),
        ("series", True),
        ("completed", True),
        ("tags", True),
        ("due", False),
        ("reminder", "pending", True),
        ("reminder", "fired", False),
        ("reminder", "cancelled", False),
    } <= shapes


def test_a_list_serializes_each_task_the_same_way():
    tasks = every_shape_of_task()
    page = list(selectors.task_list(user=tasks[0].user))
    assert TaskSerializer(page, many=True).data == [field_walk(t) for t in page]
