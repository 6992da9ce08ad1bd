"""Service behaviour: series, reminders and their invariants."""

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from notifications_app.models import Notification
from tasks_app import services
from tasks_app.models import Reminder, ReminderStatus, Series, Task
from tasks_app.services import RecurrenceInput
from tasks_app.tests.factories import UserFactory
from todo_project.common.errors import ApplicationError
from todo_project.common.models import OutboxEvent
from todo_project.testing.events import dispatch_outbox
from todo_project.testing.waiting import wait_until

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


@pytest.fixture
def ny_user():
    return UserFactory(timezone="America/New_York")


def complete(task, now):
    """Complete, then let the `task.completed` event run its handler (as the consumer would)."""
    services.task_complete(task=task, now=now)
    dispatch_outbox()


def recurring(user, rule, due, anchor="due", **fields):
    return services.task_create(
        user=user,
        title=fields.pop("title", "Recurring"),
        due=due,
        recurrence_spec=RecurrenceInput(rule, anchor),
        now=NOW,
        **fields,
    )


def test_spawn_next_occurrence_is_idempotent(ny_user):
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0))
    services.task_complete(task=task, now=NOW)

    first = services.task_spawn_next_occurrence(task=task)
    second = services.task_spawn_next_occurrence(task=task)

    assert first is not None
    assert first.pk == second.pk
    assert Task.objects.filter(series=task.series).count() == 2


def test_spawn_copies_fields_and_relative_reminders_only(ny_user):
    task = recurring(
        ny_user,
        "FREQ=WEEKLY;BYDAY=FR",
        datetime(2026, 3, 6, 17, 0),
        title="Timesheet",
        description="Submit hours",
        priority="medium",
        tags=["work"],
        reminders=[{"offset_minutes": 30}, {"fire_at": datetime(2026, 3, 6, 12, 0, tzinfo=UTC)}],
    )

    complete(task, NOW)
    nxt = task.spawned_next

    assert (nxt.title, nxt.description, nxt.priority) == ("Timesheet", "Submit hours", "medium")
    assert [t.name for t in nxt.tags.all()] == ["work"]
    assert nxt.due_at == datetime(2026, 3, 13, 21, 0, tzinfo=UTC)  # 17:00 EDT
    assert [(r.offset_minutes, r.fire_at, r.status) for r in nxt.reminders.all()] == [
        (30, datetime(2026, 3, 13, 20, 30, tzinfo=UTC), "pending")
    ]


def test_completing_an_overdue_daily_task_skips_past_occurrences(ny_user):
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 1, 9, 0))
    completed_at = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)  # 15:00 local on March 5

    complete(task, completed_at)

    assert task.spawned_next.due_at == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)


def test_completion_anchor_counts_from_the_completion(ny_user):
    task = recurring(ny_user, "FREQ=DAILY;INTERVAL=3", datetime(2026, 3, 6, 9, 0), "completion")

    complete(task, datetime(2026, 3, 10, 22, 0, tzinfo=UTC))

    # Completed on March 10 (local): next is March 13 at the series' 09:00.
    assert task.spawned_next.due_at == datetime(2026, 3, 13, 13, 0, tzinfo=UTC)


def test_completion_anchor_done_early_gives_the_one_after_its_own_due(ny_user):
    # Found by a UX review: "every! day" due tomorrow at 08:00, done today, counted from the
    # completion came back to tomorrow 08:00 (this task's own due): no next occurrence, the
    # series silently ended and the web app waited for one for good.
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 8, 0), "completion")

    complete(task, NOW)  # March 5, 10:00 in New York

    assert task.spawned_next.due_at == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert Task.objects.filter(series=task.series, completed_at__isnull=True).count() == 1


def test_completion_anchor_done_a_little_early_still_counts_from_the_completion(ny_user):
    task = recurring(ny_user, "FREQ=DAILY;INTERVAL=3", datetime(2026, 3, 6, 9, 0), "completion")

    complete(task, NOW)  # a day early: March 5 + 3 days is after this one's due

    assert task.spawned_next.due_at == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


def test_count_ends_the_series(ny_user):
    task = recurring(ny_user, "FREQ=DAILY;COUNT=2", datetime(2026, 3, 6, 9, 0))

    complete(task, NOW)
    second = task.spawned_next
    complete(second, NOW + timedelta(days=1))

    assert services.task_spawn_next_occurrence(task=second) is None
    assert Task.objects.filter(series=task.series).count() == 2


def test_stopped_series_spawns_nothing(ny_user):
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0))

    services.task_stop_series(task=task, now=NOW)
    complete(task, NOW)

    assert Task.objects.count() == 1


def test_taking_back_an_add_removes_the_task_its_series_and_reminders(ny_user):
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0))
    services.reminder_add(task=task, offset_minutes=10, now=NOW)
    series_id = task.series_id

    services.task_take_back(task=task)

    assert not Task.objects.filter(pk=task.pk).exists()
    assert not Series.objects.filter(pk=series_id).exists()
    assert not Reminder.objects.filter(task_id=task.pk).exists()
    assert OutboxEvent.objects.filter(type="task.deleted", key=str(task.pk)).exists()


def test_taking_back_an_occurrence_of_a_longer_series_is_refused(ny_user):
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0))
    complete(task, NOW)
    following = task.spawned_next

    with pytest.raises(ApplicationError) as refused:
        services.task_take_back(task=following)

    assert refused.value.code == "not_new"
    assert list(Task.objects.filter(series=task.series).order_by("pk")) == [task, following]


def open_in(series) -> list[int]:
    return list(series.tasks.filter(completed_at__isnull=True).values_list("pk", flat=True))


def test_reopening_takes_back_the_next_occurrence_its_completion_created(ny_user):
    task = recurring(
        ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0), reminders=[{"offset_minutes": 5}]
    )
    complete(task, NOW)
    successor = task.spawned_next
    dispatch_outbox()

    services.task_reopen(task=task, now=NOW + timedelta(minutes=1))

    assert open_in(task.series) == [task.pk]  # one open occurrence, as before completing
    assert not Task.objects.filter(pk=successor.pk).exists()
    assert not Reminder.objects.filter(task_id=successor.pk).exists()
    assert [r.status for r in Task.objects.get(pk=task.pk).reminders.all()] == ["pending"]
    deleted = OutboxEvent.objects.filter(type="task.deleted")
    # On task-events and task-updates: the consumers and the open web apps hear of it.
    assert sorted(e.topic for e in deleted if e.envelope["data"]["task_id"] == successor.pk) == [
        "task-events",
        "task-updates",
    ]
    # Completing it again brings a next occurrence again, once.
    complete(task, NOW + timedelta(minutes=2))
    assert len(open_in(task.series)) == 1
    assert Task.objects.get(pk=task.pk).spawned_next.due_at == successor.due_at


def test_undo_before_the_next_occurrence_was_created_creates_none(ny_user):
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0))
    services.task_complete(task=task, now=NOW)

    services.task_reopen(task=task, now=NOW + timedelta(seconds=2))  # the web app's Undo
    dispatch_outbox()  # the completion's spawn runs only now
    swept = services.occurrences_spawn_pending(now=NOW + timedelta(hours=1))

    assert open_in(task.series) == [task.pk]
    assert Task.objects.count() == 1
    assert swept == services.SweepResult(settled=0, failed=0)


def spawned_an_hour_ago(task) -> None:
    """As if spawned (and left alone) an hour before the change a test makes now: auto_now
    stamps the real clock, and reopen tells a change from a spawn by that difference."""
    hour = timedelta(hours=1)
    Task.objects.filter(pk=task.pk).update(
        created_at=F("created_at") - hour, updated_at=F("updated_at") - hour
    )


def test_reopening_keeps_a_next_occurrence_the_person_changed_or_completed(ny_user):
    edited = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0), title="Edited")
    done = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 10, 0), title="Done")
    complete(edited, NOW)
    complete(done, NOW)
    later = edited.spawned_next
    spawned_an_hour_ago(later)
    services.task_update(task=later, title="Edited, with a new name", now=NOW)
    complete(done.spawned_next, NOW)

    services.task_reopen(task=edited, now=NOW)
    services.task_reopen(task=done, now=NOW)

    assert sorted(open_in(edited.series)) == sorted([edited.pk, later.pk])
    assert Task.objects.filter(pk=done.spawned_next.pk, completed_at__isnull=False).exists()


@pytest.mark.parametrize("change", ["add", "delete", "snooze"])
def test_reopening_keeps_a_next_occurrence_whose_reminders_alone_the_person_changed(
    ny_user, change
):
    task = recurring(
        ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0), reminders=[{"offset_minutes": 5}]
    )
    complete(task, NOW)
    later = task.spawned_next
    spawned_an_hour_ago(later)
    if change == "add":
        services.reminder_add(task=later, offset_minutes=60, now=NOW)
    elif change == "delete":
        services.reminder_delete(reminder=later.reminders.get())
    else:
        services.reminder_snooze(reminder=later.reminders.get(), minutes=10, now=NOW)

    services.task_reopen(task=task, now=NOW)

    assert sorted(open_in(task.series)) == sorted([task.pk, later.pk])


def test_changing_a_tasks_reminders_moves_its_updated_at(ny_user):
    task = services.task_create(
        user=ny_user, title="x", due=datetime(2026, 3, 9, 9, 0), reminders=[{"offset_minutes": 5}]
    )
    stamps = [Task.objects.get(pk=task.pk).updated_at]
    added = services.reminder_add(task=task, offset_minutes=30, now=NOW)
    stamps.append(Task.objects.get(pk=task.pk).updated_at)
    services.reminder_snooze(reminder=added, minutes=10, now=NOW)
    stamps.append(Task.objects.get(pk=task.pk).updated_at)
    services.reminder_delete(reminder=task.reminders.filter(offset_minutes=5).get())
    stamps.append(Task.objects.get(pk=task.pk).updated_at)

    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 4
    # What the reminder scan does to them is not the person's change: no move.
    Reminder.objects.filter(task=task).update(fire_at=NOW - timedelta(minutes=1))
    services.reminders_fire_due(now=NOW)
    assert Task.objects.get(pk=task.pk).updated_at == stamps[-1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_spawns_create_one_occurrence(ny_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0))
    Task.objects.filter(pk=task.pk).update(completed_at=NOW)
    barrier = threading.Barrier(4)
    results: list[int | None] = []

    def spawn() -> None:
        barrier.wait()
        try:
            nxt = services.task_spawn_next_occurrence(task=task)
            results.append(nxt.pk if nxt else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=spawn) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(results) == 4
    assert len(set(results)) == 1
    assert Task.objects.filter(series=task.series).count() == 2


@pytest.mark.django_db(transaction=True)
def test_reopening_keeps_a_next_occurrence_completed_while_it_waited_for_the_lock(ny_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 6, 9, 0))
    complete(task, NOW)
    successor = Task.objects.get(spawned_from=task)
    holding, release = threading.Event(), threading.Event()
    reopener_pid: list[int] = []

    def complete_successor() -> None:  # another device completes the next one, slowly
        try:
            with transaction.atomic():
                services.task_complete(task=successor, now=NOW)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    def reopen() -> None:
        try:
            reopener_pid.append(connection.cursor().connection.info.backend_pid)
            services.task_reopen(task=task, now=NOW)
        finally:
            connection.close()

    completer = threading.Thread(target=complete_successor)
    completer.start()
    assert holding.wait(30)
    reopener = threading.Thread(target=reopen)
    reopener.start()

    def reopen_waits_for_the_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                [reopener_pid[0] if reopener_pid else 0],
            )
            row = cursor.fetchone()
        return row is not None and row[0] == "Lock"

    try:
        assert wait_until(reopen_waits_for_the_lock, 30)
    finally:
        release.set()
        completer.join(timeout=30)
        reopener.join(timeout=30)

    assert Task.objects.get(pk=task.pk).completed_at is None
    assert Task.objects.get(pk=successor.pk).completed_at == NOW  # kept: it was done


def test_completing_cancels_pending_reminders_and_reopen_restores_future_ones(ny_user):
    task = services.task_create(
        user=ny_user,
        title="x",
        due=datetime(2026, 3, 10, 9, 0),
        reminders=[{"offset_minutes": 10}],
        now=NOW,
    )

    services.task_complete(task=task, now=NOW)
    cancelled = task.reminders.get().status
    with CaptureQueriesContext(connection) as reopening:
        services.task_reopen(task=task, now=NOW)

    assert cancelled == "cancelled"
    assert task.reminders.get().status == "pending"
    # A one-off never had a next occurrence: reopen does not look for one.
    successor_lookup = 'WHERE "tasks_app_task"."spawned_from_id"'
    assert not [q for q in reopening.captured_queries if successor_lookup in q["sql"]]


def test_moving_the_due_rearms_a_fired_relative_reminder(ny_user):
    task = services.task_create(
        user=ny_user,
        title="x",
        due=datetime(2026, 3, 5, 10, 30),
        reminders=[{"offset_minutes": 30}],
        now=NOW,
    )
    Reminder.objects.update(status="fired", fired_at=NOW)

    services.task_update(task=task, due=datetime(2026, 3, 6, 10, 30), now=NOW)

    statuses = sorted((r.status, r.fire_at) for r in task.reminders.all())
    assert statuses == [
        ("fired", datetime(2026, 3, 5, 15, 0, tzinfo=UTC)),
        ("pending", datetime(2026, 3, 6, 15, 0, tzinfo=UTC)),
    ]


def test_clearing_the_due_cancels_relative_reminders(ny_user):
    task = services.task_create(
        user=ny_user, title="x", due=datetime(2026, 3, 9, 9, 0), reminders=[{"offset_minutes": 5}]
    )

    services.task_update(task=task, due=None)

    assert task.reminders.get().status == "cancelled"


def test_snoozing_a_pending_reminder_supersedes_it(ny_user):
    task = services.task_create(
        user=ny_user, title="x", due=datetime(2026, 3, 9, 9, 0), reminders=[{"offset_minutes": 5}]
    )
    original = task.reminders.get()

    snoozed = services.reminder_snooze(reminder=original, minutes=15, now=NOW)

    original.refresh_from_db()
    assert original.status == "cancelled"
    assert snoozed.status == "pending"
    assert snoozed.fire_at == NOW + timedelta(minutes=15)


def test_snoozing_a_reminder_of_a_completed_task_is_refused(ny_user):
    task = services.task_create(
        user=ny_user, title="x", due=datetime(2026, 3, 9, 9, 0), reminders=[{"offset_minutes": 5}]
    )
    services.task_complete(task=task, now=NOW)

    with pytest.raises(ApplicationError):
        services.reminder_snooze(reminder=task.reminders.get(), minutes=15, now=NOW)


def test_reminder_count_is_capped(ny_user, settings):
    settings.TASK_REMINDERS_MAX = 2
    task = services.task_create(
        user=ny_user, title="x", due=datetime(2026, 3, 9, 9, 0), reminders=[]
    )
    services.reminder_add(task=task, offset_minutes=5)
    services.reminder_add(task=task, offset_minutes=10)

    with pytest.raises(ApplicationError):
        services.reminder_add(task=task, offset_minutes=15)
    assert task.reminders.count() == 2


def test_creating_with_the_same_offset_twice_makes_one_reminder_and_the_cap_holds(
    ny_user, settings
):
    due = datetime(2026, 3, 9, 9, 0)
    fire_at = datetime(2026, 3, 9, 8, 0)
    task = services.task_create(
        user=ny_user,
        title="x",
        due=due,
        reminders=[{"offset_minutes": 30}, {"fire_at": fire_at}, {"offset_minutes": 30}],
        now=NOW,
    )
    rows = task.reminders.order_by("fire_at")
    assert [(r.offset_minutes, r.status) for r in rows] == [
        (None, ReminderStatus.PENDING),
        (30, ReminderStatus.PENDING),
    ]

    settings.TASK_REMINDERS_MAX = 2
    with pytest.raises(ApplicationError) as caught:
        services.task_create(
            user=ny_user,
            title="y",
            due=due,
            reminders=[{"offset_minutes": 5}, {"offset_minutes": 10}, {"offset_minutes": 15}],
            now=NOW,
        )
    assert "at most 2" in str(caught.value)
    assert not Task.objects.filter(title="y").exists()


def test_a_failing_reminder_rolls_back_the_whole_task(ny_user):
    with pytest.raises(ApplicationError):
        services.task_create(
            user=ny_user,
            title="x",
            due=datetime(2026, 3, 9, 9, 0),
            tags=["a"],
            recurrence_spec=RecurrenceInput("FREQ=DAILY"),
            reminders=[{"offset_minutes": 5}, {"fire_at": NOW - timedelta(days=1)}],
            now=NOW,
        )

    assert not Task.objects.exists()
    assert not Reminder.objects.exists()


def test_recurring_due_snaps_to_the_first_occurrence(ny_user):
    # Due on a Thursday, rule on Mondays: the first occurrence is the next Monday.
    task = recurring(ny_user, "FREQ=WEEKLY;BYDAY=MO", datetime(2026, 3, 5, 9, 0))

    assert task.due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def test_every_day_at_0230_on_the_spring_forward_day_fires_at_0330(ny_user):
    task = recurring(ny_user, "FREQ=DAILY", datetime(2026, 3, 7, 2, 30))

    complete(task, datetime(2026, 3, 7, 8, 0, tzinfo=UTC))
    on_dst_day = task.spawned_next
    complete(on_dst_day, datetime(2026, 3, 8, 8, 0, tzinfo=UTC))

    assert on_dst_day.due_at == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert on_dst_day.spawned_next.due_at == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # 02:30 EDT


def test_a_series_starting_in_a_dst_gap_keeps_its_wall_time():
    berlin = UserFactory(timezone="Europe/Berlin")
    # 02:30 does not exist in Berlin on 2026-03-29: that occurrence fires at 03:30 CEST...
    task = recurring(berlin, "FREQ=DAILY", datetime(2026, 3, 29, 2, 30))
    assert task.due_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    complete(task, datetime(2026, 3, 29, 2, 0, tzinfo=UTC))

    # ...but the series stays at 02:30 local the next day.
    assert task.spawned_next.due_at == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)


def _change_racing_the_scan(monkeypatch, task, pause_at, change) -> list[BaseException]:
    """Run `change(task)` in one thread, paused at `pause_at` (owner, attribute): after the
    service locked the task, before it touches the task's reminders. Meanwhile the reminder scan
    runs in another thread (it claims the due reminder and writes its notification, or skips a
    reminder someone holds); then the change goes on. Returns what either thread raised."""
    owner, name = pause_at
    original = getattr(owner, name)
    locked, go = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def paused(*args, **kwargs):
        locked.set()
        go.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, paused)

    def run(func) -> None:
        try:
            func()
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    changer = threading.Thread(target=run, args=(lambda: change(task),))
    changer.start()
    assert locked.wait(10)
    scanner = threading.Thread(target=run, args=(lambda: services.reminders_fire_due(now=NOW),))
    scanner.start()
    scanner.join(1.0)  # the scan finishes, or waits for a lock the change holds
    go.set()
    for thread in (changer, scanner):
        thread.join(30)
    return errors


def _task_with_a_reminder_due_now(user):
    """Due in 10 minutes, with a reminder 10 minutes before: due at NOW."""
    return services.task_create(
        user=user,
        title="Call the bank",
        due=NOW + timedelta(minutes=10),
        reminders=[{"offset_minutes": 10}],
        now=NOW - timedelta(hours=1),
    )


def _fired_once(task) -> bool:
    fired = task.reminders.get(status="fired")
    return Notification.objects.filter(reminder=fired).count() == 1


@pytest.mark.parametrize(
    ("pause_at", "change", "outcome"),
    [
        (
            (services, "_cancel_pending_reminders"),
            lambda task: services.task_complete(task=task, now=NOW),
            _fired_once,
        ),
        (
            (services, "_move_relative_reminders"),
            lambda task: services.task_update(task=task, due=NOW + timedelta(hours=2), now=NOW),
            _fired_once,
        ),
        (
            (Reminder, "delete"),
            lambda task: services.reminder_delete(reminder=task.reminders.get()),
            lambda task: not task.reminders.exists() and Notification.objects.count() == 1,
        ),
        (
            (Task, "delete"),
            lambda task: services.task_delete(task=task, now=NOW),
            lambda task: not Task.objects.exists() and not Notification.objects.exists(),
        ),
    ],
    ids=["complete", "move-due", "delete-reminder", "delete-task"],
)
@pytest.mark.django_db(transaction=True)
def test_a_task_change_racing_the_scan_for_its_due_reminder_never_deadlocks(
    ny_user, monkeypatch, pause_at, change, outcome
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # Given a task whose reminder is due now
    task = _task_with_a_reminder_due_now(ny_user)

    # When a user's change holds the task while the scan wants its reminder
    errors = _change_racing_the_scan(monkeypatch, task, pause_at, change)

    # Then both commit (no deadlock, so no 500 and no failed scan), each in its turn
    assert errors == []
    assert outcome(task)


@pytest.mark.django_db(transaction=True)
def test_moving_the_due_while_the_scan_fires_its_reminder_keeps_a_reminder_at_the_new_time(
    ny_user, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # Given a task whose relative reminder is due now
    task = _task_with_a_reminder_due_now(ny_user)
    new_due = NOW + timedelta(hours=2)

    # When the due moves, and the scan runs after the update read the reminder as pending
    errors = _change_racing_the_scan(
        monkeypatch,
        task,
        (services, "_relative_fire_at"),
        lambda task: services.task_update(task=task, due=new_due, now=NOW),
    )

    # Then no reminder is both fired and moved: one is pending at the new time
    assert errors == []
    assert not task.reminders.filter(status="fired", fired_at__lt=F("fire_at")).exists()
    assert (
        task.reminders.filter(status="pending", fire_at=new_due - timedelta(minutes=10)).count()
        == 1
    )


def test_a_snapshot_restores_the_task_as_it_was_without_reminders_that_passed_meanwhile(user):
    task = services.task_create(
        user=user,
        title="Flight",
        description="Gate B",
        priority="high",
        tags=["travel"],
        due=datetime(2026, 3, 20, 7, 0),
        reminders=[{"offset_minutes": 60}, {"fire_at": NOW + timedelta(hours=1)}],
        now=NOW,
    )
    snapshot = services.task_snapshot(task)
    services.task_delete(task=task, now=NOW)

    back = services.task_restore(user=user, snapshot=snapshot, now=NOW + timedelta(hours=2))

    back.refresh_from_db()
    assert (back.title, back.description, back.priority) == ("Flight", "Gate B", "high")
    assert back.due_at == task.due_at
    assert back.series is None
    assert list(back.tags.values_list("name", flat=True)) == ["travel"]
    # The one-hour-from-then reminder had passed by the restore; the relative one is kept.
    assert list(back.reminders.values_list("offset_minutes", flat=True)) == [60]


def test_a_new_time_zone_keeps_the_local_times_of_open_tasks_and_their_reminders(ny_user):
    """Found by a UX review: after moving to Tokyo an all-day task showed a day later and a
    repeating one at 08:30 under "every Sunday at 18:30"."""
    tokyo = ZoneInfo("Asia/Tokyo")
    other = UserFactory(timezone="America/New_York")
    theirs = services.task_create(user=other, title="Theirs", due=datetime(2026, 3, 9, 17), now=NOW)
    all_day = services.task_create(user=ny_user, title="Pay rent", due=date(2026, 3, 9), now=NOW)
    timed = services.task_create(
        user=ny_user,
        title="Call mom",
        due=datetime(2026, 3, 9, 17),
        reminders=[{"offset_minutes": 30}, {"fire_at": datetime(2026, 3, 9, 8)}],
        now=NOW,
    )
    snoozed = services.reminder_snooze(
        reminder=timed.reminders.get(offset_minutes=30), minutes=10, now=NOW
    )
    weekly = recurring(ny_user, "FREQ=WEEKLY;BYDAY=SU", datetime(2026, 3, 8, 18, 30), title="Yoga")
    done = services.task_create(user=ny_user, title="Done", due=datetime(2026, 3, 4, 9), now=NOW)
    services.task_complete(task=done, now=NOW)
    stamps = {t.pk: Task.objects.get(pk=t.pk).due_at for t in (done, theirs)}
    before = OutboxEvent.objects.count()

    services.user_update(user=ny_user, timezone="Asia/Tokyo", now=NOW)

    def local(task):
        return Task.objects.get(pk=task.pk).due_at.astimezone(tokyo).replace(tzinfo=None)

    assert local(all_day) == datetime(2026, 3, 9, 23, 59, 59)
    assert local(timed) == datetime(2026, 3, 9, 17, 0)
    assert local(weekly) == datetime(2026, 3, 8, 18, 30)
    reminders = {
        r.pk: r for r in Reminder.objects.filter(task=timed, status=ReminderStatus.PENDING)
    }
    at_eight = next(
        r for r in reminders.values() if r.offset_minutes is None and r.pk != snoozed.pk
    )
    assert at_eight.fire_at.astimezone(tokyo).replace(tzinfo=None) == datetime(2026, 3, 9, 8, 0)
    assert reminders[snoozed.pk].fire_at == NOW + timedelta(
        minutes=10
    )  # a snooze keeps its instant
    assert Series.objects.get(pk=weekly.series_id).timezone == "Asia/Tokyo"
    assert {t.pk: Task.objects.get(pk=t.pk).due_at for t in (done, theirs)} == stamps
    moved = OutboxEvent.objects.order_by("id")[before:]
    assert {e.key for e in moved if e.topic == "task-events"} == {
        str(t.pk) for t in (all_day, timed, weekly)
    }
    assert {e.type for e in moved} == {"task.updated"}

    complete(Task.objects.get(pk=weekly.pk), NOW)
    following = Task.objects.get(series_id=weekly.series_id, completed_at__isnull=True)
    assert following.due_at.astimezone(tokyo).replace(tzinfo=None) == datetime(2026, 3, 15, 18, 30)


def test_default_reminders_that_would_already_have_passed_are_left_out(ny_user):
    # Found by a UX review: "feed the cat in 10 minutes" got a pending "1 day before" (yesterday)
    ny_user.default_reminder_offsets = [15, 1440]
    ny_user.save()

    soon = services.task_create(
        user=ny_user, title="Feed the cat", due=NOW + timedelta(minutes=10), now=NOW
    )
    later = services.task_create(
        user=ny_user, title="Dentist", due=NOW + timedelta(days=3), now=NOW
    )

    assert list(soon.reminders.values_list("offset_minutes", flat=True)) == []
    assert sorted(later.reminders.values_list("offset_minutes", flat=True)) == [15, 1440]


def test_the_same_time_zone_again_moves_nothing(ny_user):
    task = services.task_create(user=ny_user, title="x", due=datetime(2026, 3, 9, 17), now=NOW)
    before = OutboxEvent.objects.count()

    services.user_update(user=ny_user, timezone="America/New_York", now=NOW)

    assert Task.objects.get(pk=task.pk).due_at == task.due_at
    assert OutboxEvent.objects.count() == before


# ---------------------------------------------------------------- all-day tasks' reminders


def _fires(task, zone="America/New_York") -> dict[int, datetime]:
    """Each pending relative reminder's local fire time, by offset."""
    return {
        r.offset_minutes: r.fire_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        for r in task.reminders.filter(status="pending", offset_minutes__isnull=False)
    }


def _pay_rent(user, day: date, *offsets: int):
    """ "Pay rent", all day on `day`, with reminders these many minutes before."""
    return services.task_create(
        user=user,
        title="Pay rent",
        due=day,
        reminders=[{"offset_minutes": m} for m in offsets],
        now=NOW,
    )


def test_an_all_day_tasks_reminders_count_from_nine_on_its_day(ny_user):
    # Found by a UX review: "1 day before" on "pay rent" (all day on the 9th) fired at 23:59:59
    # on the 8th, and "at the due time" at midnight
    task = _pay_rent(ny_user, date(2026, 3, 9), 0, 15, 1440)

    assert _fires(task) == {
        0: datetime(2026, 3, 9, 9, 0),
        15: datetime(2026, 3, 9, 8, 45),
        1440: datetime(2026, 3, 8, 9, 0),
    }
    # a task due at a time still counts from its time
    timed = services.task_create(
        user=ny_user,
        title="Call the bank",
        due=datetime(2026, 3, 10, 17, 30),
        reminders=[{"offset_minutes": 15}],
        now=NOW,
    )
    assert _fires(timed) == {15: datetime(2026, 3, 10, 17, 15)}


def test_moving_an_all_day_task_or_giving_it_a_time_moves_its_reminders(ny_user):
    task = _pay_rent(ny_user, date(2026, 3, 9), 0)

    task = services.task_update(task=task, due=date(2026, 3, 12), now=NOW)
    assert _fires(task) == {0: datetime(2026, 3, 12, 9, 0)}

    task = services.task_update(task=task, due=datetime(2026, 3, 12, 14, 0), now=NOW)
    assert _fires(task) == {0: datetime(2026, 3, 12, 14, 0)}

    task = services.task_update(task=task, due=date(2026, 3, 13), now=NOW)
    assert _fires(task) == {0: datetime(2026, 3, 13, 9, 0)}


def test_the_next_occurrence_of_an_all_day_series_gets_its_reminders_at_nine(ny_user):
    task = recurring(ny_user, "FREQ=WEEKLY", date(2026, 3, 9), reminders=[{"offset_minutes": 1440}])
    assert _fires(task) == {1440: datetime(2026, 3, 8, 9, 0)}

    complete(task, NOW)

    following = Task.objects.get(series_id=task.series_id, completed_at__isnull=True)
    assert following.all_day
    assert _fires(following) == {1440: datetime(2026, 3, 15, 9, 0)}  # due all day on the 16th


def test_a_new_time_zone_keeps_an_all_day_tasks_reminders_at_nine_there(ny_user):
    task = _pay_rent(ny_user, date(2026, 3, 20), 0)

    services.user_update(user=ny_user, timezone="Asia/Tokyo", now=NOW)

    assert _fires(Task.objects.get(pk=task.pk), "Asia/Tokyo") == {0: datetime(2026, 3, 20, 9, 0)}
