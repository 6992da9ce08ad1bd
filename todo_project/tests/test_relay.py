"""The outbox relay against a real broker: order, outage, crash."""

import os
import threading
import time
from collections import defaultdict
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tasks_app import services
from tasks_app.tests.factories import UserFactory
from todo_project.common.models import OutboxEvent, RelayPosition
from todo_project.common.relay import Relay
from todo_project.testing.broker_gate import Gate
from todo_project.testing.events import read_topic
from todo_project.testing.kafka_broker import KafkaBroker, free_port
from todo_project.testing.processes import manage
from todo_project.testing.waiting import wait_until


def drain_with(relay: Relay) -> None:
    while relay.publish_batch():
        pass


@pytest.mark.django_db(transaction=True)
def test_every_service_operation_arrives_on_its_topic_with_a_valid_envelope(kafka):
    user = UserFactory(timezone="Europe/Berlin")
    task = services.task_create(
        user=user,
        title="Daily",
        due=datetime(2030, 3, 6, 9, 0),
        recurrence_spec=services.RecurrenceInput("FREQ=DAILY"),
        reminders=[{"offset_minutes": 10}],
    )
    services.task_update(task=task, title="Daily sync")
    reminder = task.reminders.get()
    services.reminder_snooze(reminder=reminder, minutes=5)
    services.task_complete(task=task)
    services.task_reopen(task=task)
    services.task_delete(task=task)
    outbox = {
        topic: list(OutboxEvent.objects.filter(topic=topic).order_by("id"))
        for topic in ("task-events", "reminders", "task-updates")
    }

    drain_with(Relay(stop=threading.Event()))

    for topic, rows in outbox.items():
        received = read_topic(topic, expected=len(rows))
        # Kafka orders a key's events (one partition), not events of different keys: the next
        # occurrence's task.created may sit on another partition than the deleted task's events.
        assert sorted(m["envelope"]["id"] for m in received) == sorted(
            str(r.event_id) for r in rows
        )
        for key in {r.key for r in rows}:
            assert [m["envelope"]["id"] for m in received if m["key"] == key] == [
                str(r.event_id) for r in rows if r.key == key
            ]
        by_id = {m["envelope"]["id"]: m for m in received}
        for row in rows:
            message = by_id[str(row.event_id)]
            envelope = message["envelope"]
            assert message["key"] == row.key
            assert envelope["type"] == row.type
            assert envelope["specversion"] == "1.0"
            assert {"id", "source", "type", "time", "subject", "data"} <= set(envelope)
            assert envelope["data"]["schema_version"] == 1
    events = read_topic("task-events", expected=6)
    assert [m["envelope"]["type"] for m in events if m["key"] == str(task.pk)] == [
        "task.created",
        "task.updated",
        "task.completed",
        "task.reopened",
        "task.deleted",
    ]
    # Deleting the open occurrence of an active series skips to the next one.
    assert [m["envelope"]["type"] for m in events if m["key"] != str(task.pk)] == ["task.created"]
    assert not OutboxEvent.objects.pending().exists()


@pytest.mark.django_db(transaction=True)
def test_writes_succeed_while_the_broker_is_down_and_all_events_arrive_after(kafka, client_for):
    user = UserFactory()
    client = client_for(user)
    kafka.stop()
    try:
        task_ids = []
        for n in range(50):
            response = client.post("/api/tasks/", {"title": f"task {n}"}, format="json")
            assert response.status_code == 201
            task_ids.append(response.json()["id"])
        for round_ in range(1, 4):
            for task_id in task_ids:
                response = client.patch(
                    f"/api/tasks/{task_id}/", {"title": f"r{round_}"}, format="json"
                )
                assert response.status_code == 200
    finally:
        stop = threading.Event()
        relay = Relay(stop=stop)
        thread = threading.Thread(target=relay.run, daemon=True)
        thread.start()  # the broker is still down: the relay backs off
        time.sleep(1.0)
        kafka.restart()
        call_command("kafka_topics")  # the in-memory broker lost its topics
    try:
        expected = list(OutboxEvent.objects.filter(topic="task-events").order_by("id"))
        assert len(expected) == 200
        assert wait_until(lambda: not OutboxEvent.objects.pending().exists(), 60)
    finally:
        stop.set()
        thread.join(timeout=30)

    received = read_topic("task-events", expected=200)
    ids = [m["envelope"]["id"] for m in received]
    assert set(ids) == {str(e.event_id) for e in expected}
    by_key: dict[str, list[str]] = defaultdict(list)
    for message in received:
        by_key[message["key"]].append(message["envelope"]["type"])
    assert all(
        types == ["task.created", "task.updated", "task.updated", "task.updated"]
        for types in by_key.values()
    )


@pytest.mark.django_db(transaction=True)
def test_relay_killed_mid_batch_loses_nothing_and_duplicates_keep_their_id(kafka, tmp_path):
    envelope = {"specversion": "1.0", "type": "test.event", "data": {}}
    rows = OutboxEvent.objects.bulk_create(
        OutboxEvent(topic="task-events", key=str(n % 50), type="test.event", envelope=envelope)
        for n in range(3000)
    )
    for row in rows:  # the envelope id is the row's event id, as emit_many() writes it
        row.envelope = {**envelope, "id": str(row.event_id)}
    OutboxEvent.objects.bulk_update(rows, ["envelope"])
    log = tmp_path / "relay.log"

    # Small batches, one acknowledgement wait each: slow enough to be killed mid-stream.
    slow = ("relay_outbox", "--batch-size", "5", "--pages", "1")
    relay = manage(*slow, log_path=log).start()
    try:
        assert wait_until(lambda: OutboxEvent.objects.published().count() > 100, 60)
        relay.kill()
        published_when_killed = OutboxEvent.objects.published().count()
        assert published_when_killed < len(rows), "the kill came too late to test"
        relay = manage("relay_outbox", log_path=log).start()
        assert wait_until(lambda: not OutboxEvent.objects.pending().exists(), 90)
        assert relay.stop() == 0  # SIGTERM: a clean exit
    finally:
        relay.kill()

    received = read_topic("task-events", expected=len(rows), settle=3)
    ids = [m["envelope"]["id"] for m in received]
    assert set(ids) == {str(row.event_id) for row in rows}  # nothing lost, nothing unknown
    duplicates = len(ids) - len(set(ids))
    print(f"relay kill -9 after {published_when_killed} of {len(rows)}: {duplicates} re-published")


def _outbox_rows(numbers: range) -> list[OutboxEvent]:
    envelope = {"specversion": "1.0", "type": "test.event", "data": {}}
    rows = [
        OutboxEvent(topic="task-events", key=str(n % 7), type="test.event", envelope=envelope)
        for n in numbers
    ]
    for row in rows:  # the envelope id is the row's event id, as emit_many() writes it
        row.envelope = {**envelope, "id": str(row.event_id)}
    return OutboxEvent.objects.bulk_create(rows)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_committing_after_higher_ids_were_published_is_not_skipped(kafka):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers and transaction snapshots need PostgreSQL")
    # Given a transaction that wrote an outbox row and has not committed yet
    inserted, release = threading.Event(), threading.Event()
    late: list[OutboxEvent] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                late.extend(_outbox_rows(range(1)))
                inserted.set()
                assert release.wait(30)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert inserted.wait(30)
        # When later transactions commit higher ids and the relay publishes them
        early = _outbox_rows(range(1, 6))
        assert late[0].pk < early[0].pk
        relay = Relay(stop=threading.Event())
        drain_with(relay)
        assert relay.published == 5
    finally:
        release.set()
        writer.join(30)

    # And then the first transaction commits (its row pending, below published ids), and one more
    assert list(OutboxEvent.objects.pending()) == late
    after = _outbox_rows(range(6, 7))
    # (pages of 2 ids: the published ids between the two rows are ranges to skip)
    restarted = Relay(stop=threading.Event(), batch_size=2, pages=1)  # reads the recorded position
    drain_with(restarted)

    # Then both are published, once each, and nothing else again
    assert restarted.published == 2
    assert not OutboxEvent.objects.pending().exists()
    received = read_topic("task-events", expected=7, settle=1)
    assert sorted(m["envelope"]["id"] for m in received) == sorted(
        str(row.event_id) for row in late + early + after
    )


@pytest.mark.django_db(transaction=True)
def test_after_a_restore_into_another_cluster_the_whole_outbox_is_published_again(kafka, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("transaction ids and snapshots exist only on PostgreSQL")
    # Given an outbox published up to a position from a cluster with higher transaction ids
    before = _outbox_rows(range(0, 3))
    drain_with(Relay(stop=threading.Event()))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE common_outboxevent SET txid = '900000005'")
    RelayPosition.objects.update(done_snapshot="900000010:900000010:", window_snapshot="")
    # and rows written in the new cluster since
    after = _outbox_rows(range(3, 5))

    # When the relay runs
    relay = Relay(stop=threading.Event())
    drain_with(relay)

    # Then it says what it saw and publishes everything again, with the same ids
    assert "transaction ids went backwards" in caplog.text
    assert relay.published == 5
    assert not OutboxEvent.objects.pending().exists()
    received = read_topic("task-events", expected=8, settle=1)
    ids = [m["envelope"]["id"] for m in received]
    assert sorted(set(ids)) == sorted(str(row.event_id) for row in before + after)
    assert len(ids) == 8  # the three from before twice


@pytest.mark.django_db(transaction=True)
def test_relay_resumes_after_a_broker_outage_that_timed_its_deliveries_out(
    settings, tmp_path, caplog
):
    # Given a relay that publishes through a broker it reaches only through a gate
    gate_port = free_port()
    broker = KafkaBroker(log_path=tmp_path / "broker.log", advertised_port=gate_port).start()
    gate = Gate(port=gate_port, target=broker.port).restore()
    settings.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrap_servers
    settings.KAFKA_DELIVERY_TIMEOUT_MS = 1500
    call_command("kafka_topics", stdout=open(os.devnull, "w"))  # noqa: SIM115
    stop = threading.Event()
    relay = Relay(stop=stop)
    thread = threading.Thread(target=relay.run, daemon=True)
    thread.start()
    unpublished = OutboxEvent.objects.pending()
    try:
        rows = _outbox_rows(range(0, 20))
        assert wait_until(lambda: not unpublished.exists(), 30)

        # When the broker goes away long enough for deliveries to time out, then comes back
        gate.cut()
        rows += _outbox_rows(range(20, 40))
        assert wait_until(lambda: "Message timed out" in caplog.text, 30)
        gate.restore()
        rows += _outbox_rows(range(40, 60))

        # Then the relay publishes everything: the backlog and what came after
        assert wait_until(lambda: not unpublished.exists(), 30), (
            f"{unpublished.count()} rows still unpublished"
        )
        received = read_topic("task-events", expected=len(rows), settle=2)
        assert {m["envelope"]["id"] for m in received} == {str(r.event_id) for r in rows}
    finally:
        stop.set()
        thread.join(timeout=30)
        gate.cut()
        broker.stop()
