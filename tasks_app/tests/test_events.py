"""Each service operation appends exactly its events to the outbox, in its transaction."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications_app.models import Notification
from tasks_app import services
from tasks_app.models import Task
from tasks_app.services import RecurrenceInput
from todo_project.common.models import OutboxEvent
from todo_project.testing.events import dispatch_outbox

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def drain() -> list[tuple[str, str, str]]:
    """(topic, type, key) of the outbox rows since the last drain, in order."""
    rows = [(e.topic, e.type, e.key) for e in OutboxEvent.objects.order_by("id")]
    OutboxEvent.objects.all().delete()
    return rows


def test_envelope_is_cloudevents_with_the_outbox_id(user):
    task = services.task_create(user=user, title="Pay rent", now=NOW)

    event = OutboxEvent.objects.filter(topic="task-events").get()
    envelope = event.envelope

    assert envelope["specversion"] == "1.0"
    assert envelope["id"] == str(event.event_id)
    assert envelope["type"] == "task.created"
    assert envelope["source"] == "/todo/task-events"
    assert envelope["subject"] == f"tasks/{task.pk}"
    assert envelope["datacontenttype"] == "application/json"
    assert envelope["time"].endswith("Z")
    assert envelope["data"]["schema_version"] == 1
    assert envelope["data"]["task_id"] == task.pk
    assert envelope["data"]["title"] == "Pay rent"
    assert event.key == str(task.pk)


def test_each_task_operation_emits_its_event_and_a_user_update(user):
    t = services.task_create(
        user=user,
        title="Daily",
        due=datetime(2026, 3, 6, 9, 0),
        recurrence_spec=RecurrenceInput("FREQ=DAILY"),
        reminders=[{"offset_minutes": 5}],
        now=NOW,
    )
    tid, uid = str(t.pk), str(user.pk)
    assert drain() == [("task-events", "task.created", tid), ("task-updates", "task.created", uid)]

    services.task_update(task=t, title="Daily stand-up", now=NOW)
    assert drain() == [("task-events", "task.updated", tid), ("task-updates", "task.updated", uid)]

    reminder = services.reminder_add(task=t, offset_minutes=30, now=NOW)
    assert drain() == [("task-events", "task.updated", tid), ("task-updates", "task.updated", uid)]

    snoozed = services.reminder_snooze(reminder=reminder, minutes=10, now=NOW)
    assert drain() == [
        ("reminders", "reminder.snoozed", tid),
        ("task-updates", "reminder.snoozed", uid),
    ]

    services.reminder_delete(reminder=snoozed)
    assert drain() == [("task-events", "task.updated", tid), ("task-updates", "task.updated", uid)]

    services.task_complete(task=t, now=NOW)
    dispatch_outbox()  # the consumer's handler creates the next occurrence
    completed = [(e.topic, e.type, e.key) for e in OutboxEvent.objects.order_by("id")]
    OutboxEvent.objects.all().delete()
    assert completed[:2] == [
        ("task-events", "task.completed", tid),
        ("task-updates", "task.completed", uid),
    ]
    nxt = t.spawned_next
    assert completed[2:] == [
        ("task-events", "task.created", str(nxt.pk)),
        ("task-updates", "task.created", uid),
    ]

    services.task_reopen(task=t, now=NOW)  # takes back the next occurrence it created
    assert drain() == [
        ("task-events", "task.deleted", str(nxt.pk)),
        ("task-updates", "task.deleted", uid),
        ("task-events", "task.reopened", tid),
        ("task-updates", "task.reopened", uid),
    ]

    services.task_stop_series(task=t, now=NOW)
    assert drain() == [("task-events", "task.updated", tid), ("task-updates", "task.updated", uid)]

    services.task_delete(task=t, now=NOW)
    assert drain() == [("task-events", "task.deleted", tid), ("task-updates", "task.deleted", uid)]


def test_deleted_event_carries_the_id_of_the_deleted_task(user):
    task = services.task_create(user=user, title="Gone", now=NOW)
    task_id = task.pk
    OutboxEvent.objects.all().delete()

    services.task_delete(task=task)

    event = OutboxEvent.objects.get(topic="task-events")
    assert event.envelope["data"]["task_id"] == task_id
    assert event.key == str(task_id)


def test_failed_operation_emits_nothing(user):
    with pytest.raises(Exception):  # noqa: B017, PT011 - any validation error
        services.task_create(user=user, title="", now=NOW)

    assert not OutboxEvent.objects.exists()


def test_scan_fires_due_reminders_with_notification_and_event(user):
    task = services.task_create(
        user=user, title="Call mom", due=NOW + timedelta(minutes=10), reminders=[], now=NOW
    )
    due = services.reminder_add(task=task, fire_at=NOW + timedelta(minutes=1), now=NOW)
    later = services.reminder_add(task=task, fire_at=NOW + timedelta(minutes=5), now=NOW)
    drain()

    result = services.reminders_fire_due(now=NOW + timedelta(minutes=1, seconds=3))

    assert result == services.ScanResult(fired=1, missed=0)
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("fired", "pending")
    assert due.notification.title == "Call mom"
    events = OutboxEvent.objects.filter(topic="reminders")
    assert [e.type for e in events] == ["reminder.due"]
    data = events[0].envelope["data"]
    assert data["reminder_id"] == due.pk
    assert data["notification_id"] == due.notification.pk
    assert data["task_id"] == task.pk


def test_scan_marks_stale_reminders_missed_without_a_notification(user, settings):
    settings.REMINDER_LATENESS_CUTOFF_MINUTES = 60
    task = services.task_create(user=user, title="Old", due=NOW + timedelta(hours=3), now=NOW)
    stale = services.reminder_add(task=task, fire_at=NOW + timedelta(minutes=1), now=NOW)
    drain()

    result = services.reminders_fire_due(now=NOW + timedelta(hours=2))

    stale.refresh_from_db()
    assert result == services.ScanResult(fired=0, missed=1)
    assert stale.status == "missed"
    assert not Notification.objects.filter(reminder=stale).exists()
    assert [e.type for e in OutboxEvent.objects.filter(topic="reminders")] == ["reminder.missed"]


def test_scan_never_fires_reminders_of_completed_tasks(user):
    task = services.task_create(
        user=user, title="Done", due=NOW + timedelta(hours=1), reminders=[], now=NOW
    )
    reminder = services.reminder_add(task=task, fire_at=NOW + timedelta(minutes=1), now=NOW)
    services.task_complete(task=task, now=NOW)

    result = services.reminders_fire_due(now=NOW + timedelta(minutes=2))

    reminder.refresh_from_db()
    assert result.fired == 0
    assert reminder.status == "cancelled"


def test_scan_cancels_a_pending_reminder_it_finds_on_a_completed_task(user):
    task = services.task_create(
        user=user, title="Done elsewhere", due=NOW + timedelta(hours=1), reminders=[], now=NOW
    )
    reminder = services.reminder_add(task=task, fire_at=NOW + timedelta(minutes=1), now=NOW)
    other = services.task_create(
        user=user, title="Still open", due=NOW + timedelta(hours=1), reminders=[], now=NOW
    )
    kept = services.reminder_add(task=other, fire_at=NOW + timedelta(minutes=1), now=NOW)
    # Completed without the service (a race with completion looks the same to the scan): the
    # reminder is still pending.
    Task.objects.filter(pk=task.pk).update(completed_at=NOW)
    drain()

    result = services.reminders_fire_due(now=NOW + timedelta(minutes=2), batch_size=1)

    assert result == services.ScanResult(fired=1, missed=0, cancelled=1)
    reminder.refresh_from_db()
    kept.refresh_from_db()
    assert (reminder.status, reminder.fired_at) == ("cancelled", None)
    assert kept.status == "fired"
    assert not Notification.objects.filter(reminder=reminder).exists()
    assert {e.envelope["data"]["reminder_id"] for e in OutboxEvent.objects.all()} == {kept.pk}
    assert [e.type for e in OutboxEvent.objects.filter(topic="reminders")] == ["reminder.due"]


def test_scan_claims_reminders_without_joining_tasks(user):
    """The locking statement reads the reminder table alone (its partial index): joined with
    tasks, stale planner statistics after a burst of new reminders made it quadratic."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    task = services.task_create(
        user=user, title="Plan", due=NOW + timedelta(hours=1), reminders=[], now=NOW
    )
    services.reminder_add(task=task, fire_at=NOW + timedelta(minutes=1), now=NOW)

    with CaptureQueriesContext(connection) as queries:
        assert services.reminders_fire_due(now=NOW + timedelta(minutes=2)).fired == 1

    claims = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    if connection.features.has_select_for_update_skip_locked:
        assert claims, "the scan claims its rows with SELECT ... FOR UPDATE SKIP LOCKED"
    for sql in claims:
        assert "JOIN" not in sql.upper()
        assert '"tasks_app_task"' not in sql


def test_scan_works_through_several_batches(user):
    task = services.task_create(
        user=user, title="Many", due=NOW + timedelta(hours=1), reminders=[], now=NOW
    )
    for minutes in range(1, 8):
        services.reminder_add(task=task, fire_at=NOW + timedelta(minutes=minutes), now=NOW)

    result = services.reminders_fire_due(now=NOW + timedelta(minutes=10), batch_size=3)

    assert result.fired == 7
    assert not task.reminders.filter(status="pending").exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_fire_each_reminder_once(user):
    import threading

    from django.db import connection

    for n in range(4):
        task = services.task_create(
            user=user, title=f"Race {n}", due=NOW + timedelta(hours=1), reminders=[], now=NOW
        )
        for second in range(10):
            services.reminder_add(
                task=task, fire_at=NOW + timedelta(minutes=1, seconds=second), now=NOW
            )
    barrier = threading.Barrier(2)
    results: list[services.ScanResult] = []

    def scan() -> None:
        barrier.wait()
        try:
            results.append(
                services.reminders_fire_due(now=NOW + timedelta(minutes=2), batch_size=5)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sum(r.fired for r in results) == 40
    assert Notification.objects.count() == 40
    assert OutboxEvent.objects.filter(topic="reminders", type="reminder.due").count() == 40


def _reminder_due_at(user, moment: datetime):
    task = services.task_create(
        user=user, title="Stand-up", due=moment + timedelta(minutes=15), reminders=[]
    )
    return services.reminder_add(task=task, fire_at=moment)


@pytest.mark.django_db(transaction=True)
def test_a_scan_sent_early_prepares_the_minute_and_commits_on_it(user, monkeypatch):
    import threading

    from django.db import connection, transaction
    from django.utils import timezone

    from tasks_app.models import Reminder

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("preparing early needs row locks (PostgreSQL)")
    # Given a reminder due on a moment a few seconds ahead, and the scan beat sends early
    on = timezone.now() + timedelta(seconds=5)
    reminder = _reminder_due_at(user, on)
    drain()
    outcome: dict = {}
    prepared, proceed = threading.Event(), threading.Event()
    wait_for_the_moment = services._sleep_until

    def held(moment: datetime) -> None:  # the prepared batch, its transaction open
        prepared.set()
        proceed.wait(30)
        wait_for_the_moment(moment)

    monkeypatch.setattr(services, "_sleep_until", held)

    def scan() -> None:
        try:
            outcome["result"] = services.reminders_fire_due(on=on)
            outcome["returned_at"] = timezone.now()
        finally:
            connection.close()

    # When it runs, and while its batch waits for the moment someone adds another reminder
    scanner = threading.Thread(target=scan)
    scanner.start()
    assert prepared.wait(30)
    seen = (
        Notification.objects.filter(reminder=reminder).exists(),
        OutboxEvent.objects.filter(topic="reminders").exists(),
        Reminder.objects.get(pk=reminder.pk).status,
    )
    with transaction.atomic():
        free = Reminder.objects.select_for_update(skip_locked=True).filter(pk=reminder.pk)
        claimed = not free.exists()
    added = _reminder_due_at(user, on)
    proceed.set()
    scanner.join(30)

    # Then it had claimed the reminder, and nobody saw the firing before the moment
    assert claimed
    assert seen == (False, False, "pending")
    # and it commits on the moment, not before, stamped with it; the one added meanwhile fires
    # in the same scan, right after
    assert outcome["result"] == services.ScanResult(fired=2)
    assert outcome["returned_at"] >= on
    reminder.refresh_from_db()
    assert (reminder.status, reminder.fired_at) == ("fired", on)
    assert reminder.notification.created_at == on
    added.refresh_from_db()
    assert (added.status, added.fired_at) == ("fired", on)
    events = OutboxEvent.objects.filter(topic="reminders")
    assert [e.type for e in events] == ["reminder.due", "reminder.due"]
    assert {e.envelope["time"] for e in events} == {on.isoformat().replace("+00:00", "Z")}


def test_a_scan_sent_early_fires_the_rest_of_a_big_minute_after_its_first_batch(user, settings):
    from django.utils import timezone

    settings.REMINDER_SCAN_EARLY_BATCH_SIZE = 3
    on = timezone.now() + timedelta(seconds=1)
    task = services.task_create(user=user, title="Many", due=on + timedelta(hours=1), reminders=[])
    for seconds in range(8):
        services.reminder_add(task=task, fire_at=on - timedelta(seconds=seconds), now=NOW)
    later = services.reminder_add(task=task, fire_at=on + timedelta(seconds=1), now=NOW)

    result = services.reminders_fire_due(on=on, batch_size=2)

    assert result.fired == 8
    assert set(task.reminders.values_list("status", "fired_at")) == {
        ("fired", on),
        ("pending", None),
    }
    assert task.reminders.get(status="pending") == later


def test_a_scan_sent_early_without_row_locks_waits_for_the_moment_then_fires(user, monkeypatch):
    from django.db import connection
    from django.utils import timezone

    # Given a database without row locks (SQLite), where a transaction held open would keep
    # every writer waiting
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    on = timezone.now() + timedelta(seconds=1)
    reminder = _reminder_due_at(user, on)

    # When the scan beat sent early runs
    result = services.reminders_fire_due(on=on)

    # Then it waited for the moment before claiming, and fired the reminder due on it
    assert result == services.ScanResult(fired=1)
    reminder.refresh_from_db()
    assert reminder.status == "fired"
    assert reminder.fired_at == on
    assert timezone.now() >= on


@pytest.mark.parametrize(
    ("now", "lead", "minute"),
    [
        ("09:59:58.000", 2, "10:00"),  # sent 2 s early, arrives at once
        ("09:59:57.200", 2, "10:00"),  # beat's tick and the broker hop within a second
        ("09:59:56.900", 2, None),  # too early to be beat's: fires what is due now
        ("10:00:00.300", 2, None),  # on time or late (a backlog): what is due now
        ("10:00:59.500", 2, "10:01"),
        ("09:59:59.000", 0, None),  # no lead configured
    ],
)
def test_a_scan_is_for_the_next_minute_when_it_arrives_within_its_lead(now, lead, minute):
    from tasks_app.tasks import upcoming_minute

    def at(text: str) -> datetime:
        return datetime.fromisoformat(f"2026-11-28T{text}+00:00")

    expected = at(minute) if minute else None
    assert upcoming_minute(at(now), lead) == expected
