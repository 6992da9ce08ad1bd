"""The consumer framework against a real broker: dedupe, retries, dead letters, shutdown."""

import json
import threading
import time
from datetime import datetime

import pytest
from confluent_kafka import Producer

from tasks_app import services
from tasks_app.models import Task, User
from tasks_app.tests.factories import UserFactory
from todo_project.common import kafka as kafka_config
from todo_project.common.consumers import (
    REGISTRY,
    GroupConsumer,
    HandlerSet,
    autodiscover,
    handle_events,
)
from todo_project.common.management.commands.consume_events import Command as ConsumeEvents
from todo_project.common.models import OutboxEvent, ProcessedEvent
from todo_project.common.relay import Relay
from todo_project.common.safekafka import PublishTimeout
from todo_project.testing.events import read_topic
from todo_project.testing.waiting import wait_until


def run_in_thread(consumer: GroupConsumer) -> threading.Thread:
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    return thread


def publish_raw(logical: str, values: list[bytes], key: bytes = b"k") -> None:
    producer = Producer(kafka_config.producer_config())
    for value in values:
        producer.produce(kafka_config.topic_name(logical), key=key, value=value)
    assert producer.flush(10) == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_task_completed_delivered_twice_makes_one_next_occurrence(kafka):
    autodiscover()
    user = UserFactory()
    task = services.task_create(
        user=user,
        title="Daily",
        due=datetime(2030, 1, 1, 9, 0),
        recurrence_spec=services.RecurrenceInput("FREQ=DAILY"),
    )
    services.task_complete(task=task)
    completed = OutboxEvent.objects.get(topic="task-events", type="task.completed")
    relay = Relay(stop=threading.Event())
    while relay.publish_batch():
        pass
    publish_raw(
        "task-events", [json.dumps(completed.envelope).encode()], key=completed.key.encode()
    )
    stop = threading.Event()
    consumer = GroupConsumer(REGISTRY["recurrence"], stop=stop)
    thread = run_in_thread(consumer)
    try:
        assert wait_until(lambda: Task.objects.filter(spawned_from=task).exists(), 30)
        assert wait_until(lambda: consumer.handled >= 1 and thread.is_alive(), 5)
        time.sleep(2)  # give the duplicate its chance to be (wrongly) handled
    finally:
        stop.set()
        thread.join(timeout=30)

    assert Task.objects.filter(series=task.series).count() == 2
    assert consumer.handled == 1  # the duplicate was recognised by its event id
    assert (
        ProcessedEvent.objects.filter(group="recurrence", event_id=completed.event_id).count() == 1
    )


@pytest.mark.django_db(transaction=True)
def test_a_failing_event_is_retried_then_dead_lettered_and_the_stream_goes_on(kafka):
    calls: list[str] = []

    def flaky(envelopes):
        for envelope in envelopes:
            calls.append(envelope["id"])
            if envelope["data"]["poison"]:
                raise RuntimeError("cannot handle this one")

    handler_set = HandlerSet("test-dlq", {"task-events"}, {"test.event": [flaky]})
    events = [
        {
            "id": f"00000000-0000-0000-0000-00000000000{n}",
            "type": "test.event",
            "data": {"poison": n == 1},
        }
        for n in range(3)
    ]
    publish_raw("task-events", [json.dumps(e).encode() for e in events])
    no_uuid = {"id": "not-a-uuid", "type": "test.event", "data": {"poison": False}}
    ignored = {"id": "not-a-uuid", "type": "not.ours", "data": {}}
    publish_raw("task-events", [b"not json at all", json.dumps(no_uuid).encode()])
    publish_raw("task-events", [json.dumps(ignored).encode()])
    stop = threading.Event()
    consumer = GroupConsumer(handler_set, stop=stop, max_attempts=3, retry_base_seconds=0.05)
    thread = run_in_thread(consumer)
    try:
        assert wait_until(lambda: consumer.dead_lettered == 3, 30)
    finally:
        stop.set()
        thread.join(timeout=30)

    assert calls.count(events[1]["id"]) == 3  # retried, then given up
    assert "not-a-uuid" not in calls  # malformed: dead-lettered without a try
    assert consumer.handled == 2  # the good events before and after it
    dead = read_topic("task-events.dlq", expected=4, settle=1)
    assert [m["envelope"] for m in dead] == [events[1], None, no_uuid]  # not the ignored type
    assert dead[1]["value"] == b"not json at all"
    assert b"malformed event" in dead[2]["headers"]["dlq-reason"]
    assert dead[0]["headers"]["dlq-group"] == b"test-dlq"
    assert b"cannot handle this one" in dead[0]["headers"]["dlq-reason"]


@pytest.mark.django_db(transaction=True)
def test_an_event_failing_only_because_the_broker_is_away_is_never_dead_lettered(kafka):
    # Given a handler that enqueues a task, and a broker that does not confirm its publishes
    # for longer than the consumer's attempts last (an outage: the event is not at fault)
    calls: list[str] = []

    def enqueue(envelopes):
        [envelope] = envelopes
        calls.append(envelope["id"])
        if len(calls) <= 5:
            raise PublishTimeout("broker did not confirm 1 message(s) within 5.0s")

    handler_set = HandlerSet("test-outage", {"task-events"}, {"test.event": [enqueue]})
    event = {"id": "00000000-0000-0000-0000-000000000201", "type": "test.event", "data": {}}
    publish_raw("task-events", [json.dumps(event).encode()])
    stop = threading.Event()
    consumer = GroupConsumer(handler_set, stop=stop, max_attempts=2, retry_base_seconds=0.05)
    # consume_events' own loop, which starts a consumer again after it stopped on an error
    thread = threading.Thread(target=ConsumeEvents._run, args=(consumer, stop), daemon=True)
    thread.start()
    try:
        # Then it is retried until the broker is back, and handled, not dead-lettered
        assert wait_until(lambda: consumer.handled == 1, 90), calls
    finally:
        stop.set()
        thread.join(timeout=30)
    assert consumer.dead_lettered == 0
    assert calls == [event["id"]] * 6
    assert read_topic("task-events.dlq", expected=1, timeout=5) == []


@pytest.mark.django_db(transaction=True)
def test_a_restarted_consumer_resumes_after_the_last_committed_event(kafka):
    seen: list[str] = []
    handler_set = HandlerSet(
        "test-resume",
        {"task-events"},
        {"test.event": [lambda es: seen.extend(e["id"] for e in es)]},
    )
    ids = [f"00000000-0000-0000-0000-0000000001{n:02d}" for n in range(10)]

    for batch in (ids[:5], ids[5:]):
        publish_raw(
            "task-events",
            [json.dumps({"id": i, "type": "test.event", "data": {}}).encode() for i in batch],
        )
        stop = threading.Event()
        consumer = GroupConsumer(handler_set, stop=stop)
        thread = run_in_thread(consumer)
        try:
            assert wait_until(lambda b=batch: set(b) <= set(seen), 30), seen
        finally:
            stop.set()  # SIGTERM path: finish the current event, commit, leave the group
            thread.join(timeout=30)

    assert seen == ids  # no event handled twice, none skipped


def _event(n: int, event_type: str = "test.event", **data) -> dict:
    return {"id": f"00000000-0000-0000-0000-{n:012d}", "type": event_type, "data": data}


@pytest.mark.django_db
def test_handle_events_runs_each_handler_once_with_the_new_events_of_its_types_in_order():
    calls: list[tuple[str, list[str]]] = []
    handlers = {
        "a": [lambda es: calls.append(("first", [e["id"] for e in es]))],
        "b": [lambda es: calls.append(("second", [e["id"] for e in es]))],
    }
    done = _event(1, "a")
    assert handle_events("test-batch", [done], handlers) == 1
    calls.clear()

    batch = [_event(2, "b"), done, _event(3, "a"), _event(4, "other"), _event(3, "a")]
    assert handle_events("test-batch", batch, handlers) == 2

    # one call per handler; the event handled before, the repeat and the unknown type skipped
    assert calls == [("second", [_event(2)["id"]]), ("first", [_event(3)["id"]])]
    assert ProcessedEvent.objects.filter(group="test-batch").count() == 3
    assert handle_events("test-batch", batch, handlers) == 0


@pytest.mark.django_db
def test_a_failing_handler_leaves_nothing_of_the_batch_behind():
    def effect(envelopes):
        for envelope in envelopes:
            UserFactory(username=envelope["id"])

    def fails(envelopes):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        handle_events("test-batch", [_event(1, "a"), _event(2, "b")], {"a": [effect], "b": [fails]})

    assert not ProcessedEvent.objects.filter(group="test-batch").exists()
    assert not User.objects.filter(username=_event(1)["id"]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_burst_is_handled_in_batches_and_a_failed_batch_event_by_event_once_each(kafka):
    # Given 60 events already on the topic, one of which fails on its first two tries only
    batches: list[int] = []
    tries: dict[str, int] = {}

    def effect(envelopes):
        batches.append(len(envelopes))
        for envelope in envelopes:
            tries[envelope["id"]] = tries.get(envelope["id"], 0) + 1
            if envelope["data"]["flaky"] and tries[envelope["id"]] <= 2:
                raise RuntimeError("not yet")
            UserFactory(username=envelope["id"])

    events = [_event(500 + n, flaky=n == 30) for n in range(60)]
    publish_raw("task-events", [json.dumps(e).encode() for e in events])
    handler_set = HandlerSet("test-burst", {"task-events"}, {"test.event": [effect]})
    stop = threading.Event()
    consumer = GroupConsumer(handler_set, stop=stop, max_attempts=5, retry_base_seconds=0.05)
    thread = run_in_thread(consumer)
    try:
        assert wait_until(lambda: consumer.handled == 60, 60), consumer.handled
    finally:
        stop.set()
        thread.join(timeout=30)

    # Then several events went to the handler at once, and every effect happened exactly once
    assert max(batches) > 1, batches
    ids = [e["id"] for e in events]
    assert sorted(User.objects.filter(username__in=ids).values_list("username", flat=True)) == ids
    assert ProcessedEvent.objects.filter(group="test-burst").count() == 60
    assert consumer.dead_lettered == 0

    # And the offsets were committed: a new consumer of the group finds nothing to do
    stop = threading.Event()
    again = GroupConsumer(handler_set, stop=stop)
    thread = run_in_thread(again)
    publish_raw("task-events", [json.dumps(_event(999, flaky=False)).encode()])
    try:
        assert wait_until(lambda: again.handled == 1, 30)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert User.objects.filter(username=_event(999)["id"]).exists()
    assert tries.get(_event(999)["id"]) == 1
