"""The recurrence sweep: a completion whose next occurrence was never created gets it later.

The event-driven path (task.completed → consumer → `tasks.spawn_next_occurrence`) is not
retried by Celery: a retry would be a countdown, which the broker cannot hold durably. The
completed occurrence carries `next_occurrence_pending` instead, and the sweep acts on it.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError

from tasks_app import services, tasks
from tasks_app.models import Task
from tasks_app.services import RecurrenceInput
from tasks_app.tests.factories import UserFactory
from todo_project.testing.events import dispatch_outbox

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _grace(settings):
    settings.RECURRENCE_SWEEP_GRACE_SECONDS = 120


@pytest.fixture
def user():
    return UserFactory(timezone="America/New_York")


def recurring(user, rule="FREQ=DAILY", title="Water the plants"):
    return services.task_create(
        user=user,
        title=title,
        due=datetime(2026, 3, 6, 9, 0),
        recurrence_spec=RecurrenceInput(rule),
        reminders=[{"offset_minutes": 15}],
        now=NOW,
    )


def flagged(task) -> bool:
    return Task.objects.values_list("next_occurrence_pending", flat=True).get(pk=task.pk)


def sweep(at: datetime) -> services.SweepResult:
    return services.occurrences_spawn_pending(now=at)


def test_a_completion_is_flagged_until_its_next_occurrence_exists(user):
    task = recurring(user)
    one_off = services.task_create(user=user, title="Call the bank", now=NOW)

    services.task_complete(task=task, now=NOW)
    services.task_complete(task=one_off, now=NOW)
    changed_at = Task.objects.get(pk=task.pk).updated_at

    assert flagged(task)
    assert not flagged(one_off)  # nothing follows a one-off task
    dispatch_outbox()  # the consumer and the Celery task, in-process
    assert not flagged(task)
    assert Task.objects.get(pk=task.pk).spawned_next.due_at == datetime(2026, 3, 7, 14, tzinfo=UTC)
    # Settling the flag is bookkeeping, not a change the user made.
    assert Task.objects.get(pk=task.pk).updated_at == changed_at


def test_the_sweep_creates_the_next_occurrence_a_lost_task_left_undone(user):
    task = recurring(user)
    services.task_complete(task=task, now=NOW)  # its task.completed event is never handled

    early = sweep(NOW + timedelta(seconds=119))
    assert early == services.SweepResult(settled=0, failed=0)  # the event path's turn still
    assert not Task.objects.filter(spawned_from=task).exists()

    late = sweep(NOW + timedelta(seconds=121))

    assert late == services.SweepResult(settled=1, failed=0)
    successor = Task.objects.get(spawned_from=task)
    assert (successor.title, successor.due_at) == (task.title, datetime(2026, 3, 7, 14, tzinfo=UTC))
    assert [r.offset_minutes for r in successor.reminders.all()] == [15]
    assert not flagged(task)
    assert sweep(NOW + timedelta(minutes=5)) == services.SweepResult(settled=0, failed=0)
    # The event's Celery task arriving after all creates nothing more.
    dispatch_outbox()
    assert Task.objects.filter(series=task.series).count() == 2


def test_the_sweep_settles_completions_that_have_no_next_occurrence(user):
    last = recurring(user, "FREQ=DAILY;COUNT=1")
    stopped = recurring(user, title="Stretch")
    services.task_complete(task=last, now=NOW)
    services.task_complete(task=stopped, now=NOW)
    services.task_stop_series(task=stopped, now=NOW)  # after completing: series stays linked

    result = sweep(NOW + timedelta(minutes=3))

    assert result == services.SweepResult(settled=2, failed=0)
    assert not flagged(last)
    assert not flagged(stopped)
    assert Task.objects.count() == 2  # the rule ended, the series was stopped: nothing new
    assert sweep(NOW + timedelta(minutes=4)) == services.SweepResult(settled=0, failed=0)


def test_a_reopened_task_is_owed_no_next_occurrence(user):
    task = recurring(user)
    services.task_complete(task=task, now=NOW)

    services.task_reopen(task=task, now=NOW + timedelta(seconds=30))

    assert not flagged(task)
    assert sweep(NOW + timedelta(minutes=3)) == services.SweepResult(settled=0, failed=0)
    assert Task.objects.count() == 1  # the reopened task is its series' open occurrence


def test_a_failing_spawn_is_not_retried_by_celery_and_the_sweep_finishes_it(user, monkeypatch):
    # Fault injection: the database fails under the first spawn (a real outage cannot be
    # staged inside a unit test's transaction); later calls reach the real service.
    task = recurring(user)
    services.task_complete(task=task, now=NOW)
    real = services.task_spawn_next_occurrence
    calls = []

    def fails_once(**kwargs):
        calls.append(kwargs["task"].pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "task_spawn_next_occurrence", fails_once)

    outcome = tasks.spawn_next_occurrence.apply(args=[task.pk], throw=False)

    assert outcome.failed()
    assert calls == [task.pk]  # one attempt: no Celery retry, so no countdown in the broker
    assert flagged(task)
    assert not Task.objects.filter(spawned_from=task).exists()

    assert sweep(NOW + timedelta(minutes=3)) == services.SweepResult(settled=1, failed=0)
    assert Task.objects.filter(spawned_from=task).count() == 1


def test_one_broken_completion_does_not_hold_up_the_others(user, monkeypatch):
    broken, fine = recurring(user, title="Broken"), recurring(user, title="Fine")
    services.task_complete(task=broken, now=NOW)
    services.task_complete(task=fine, now=NOW + timedelta(seconds=1))
    real_next_due = services._next_due

    def next_due(task, series, now):
        if task.pk == broken.pk:
            raise ValueError("a rule this code cannot expand")  # fault injection: a bug
        return real_next_due(task, series, now)

    monkeypatch.setattr(services, "_next_due", next_due)

    result = sweep(NOW + timedelta(minutes=3))

    assert result == services.SweepResult(settled=1, failed=1)
    assert flagged(broken)  # left for the next sweep, and logged
    assert not Task.objects.filter(spawned_from=broken).exists()
    assert Task.objects.filter(spawned_from=fine).count() == 1


def test_losing_the_database_ends_the_sweep_and_leaves_the_rest_flagged(user, monkeypatch):
    first, second = recurring(user, title="First"), recurring(user, title="Second")
    services.task_complete(task=first, now=NOW)
    services.task_complete(task=second, now=NOW + timedelta(seconds=1))

    def down(task, series, now):
        raise OperationalError("could not connect to server")  # fault injection

    monkeypatch.setattr(services, "_next_due", down)

    with pytest.raises(OperationalError):
        sweep(NOW + timedelta(minutes=3))

    assert flagged(first)
    assert flagged(second)


def test_the_sweep_takes_a_bounded_batch_oldest_first(user):
    older, newer = recurring(user, title="Older"), recurring(user, title="Newer")
    services.task_complete(task=newer, now=NOW + timedelta(seconds=1))
    services.task_complete(task=older, now=NOW)

    result = services.occurrences_spawn_pending(now=NOW + timedelta(minutes=3), limit=1)

    assert result == services.SweepResult(settled=1, failed=0)
    assert Task.objects.filter(spawned_from=older).exists()
    assert flagged(newer)


def test_the_beat_task_reports_what_it_settled(user, settings):
    settings.RECURRENCE_SWEEP_GRACE_SECONDS = 0
    task = recurring(user)
    services.task_complete(task=task, now=NOW)

    assert tasks.spawn_pending_occurrences.apply().get() == {"settled": 1, "failed": 0}
    assert Task.objects.filter(spawned_from=task).count() == 1
