"""Reading events back from the real broker in tests."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import Consumer, KafkaError

from todo_project.common import kafka


def read_topic(
    logical: str,
    *,
    expected: int,
    timeout: float = 30.0,
    settle: float = 0.0,
    match: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """Consume `logical` from the beginning until `expected` messages (or the timeout).

    Each item: {"key", "partition", "offset", "timestamp", "envelope", "value", "headers"}, the
    timestamp a datetime (the producer's CreateTime). With `settle`, keep reading after the
    count is reached until nothing new arrived for that many seconds, to see duplicates too.
    With `match`, only the messages it accepts are kept and counted (a topic that earlier runs
    wrote to as well).
    """
    consumer = Consumer(
        kafka.consumer_config(f"reader-{uuid.uuid4().hex}", **{"enable.partition.eof": False})
    )
    consumer.subscribe([kafka.topic_name(logical)])
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    last_message = time.monotonic()
    try:
        while time.monotonic() < deadline:
            if len(out) >= expected and time.monotonic() - last_message >= settle:
                break
            message = consumer.poll(0.2)
            if message is None:
                continue
            last_message = time.monotonic()
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise RuntimeError(str(message.error()))
            try:
                envelope = json.loads(message.value())
            except ValueError:
                envelope = None  # not JSON (e.g. a malformed message in a dead-letter topic)
            item = {
                "key": message.key().decode() if message.key() else None,
                "partition": message.partition(),
                "offset": message.offset(),
                "timestamp": datetime.fromtimestamp(message.timestamp()[1] / 1000, UTC),
                "envelope": envelope,
                "value": message.value(),
                "headers": dict(message.headers() or []),
            }
            if match is None or match(item):
                out.append(item)
    finally:
        consumer.close()
    return out


def dispatch_outbox() -> int:
    """Deliver outbox events straight to the registered handlers, in order, in-process.

    Stands in for relay → broker → consumer in unit tests (with Celery eager), so a test can
    follow an event-driven effect (e.g. the next occurrence after a completion) without
    processes. Each call walks the whole outbox; events a group already handled are skipped the
    way the consumer skips a redelivery (`handle_events`). Returns the number of events handled.
    Tests of the real path use the broker.
    """
    from todo_project.common.consumers import REGISTRY, autodiscover, handle_events
    from todo_project.common.models import OutboxEvent

    autodiscover()
    handled = 0
    after = 0
    while True:  # handlers emit events of their own: follow them until none is new
        events = list(OutboxEvent.objects.filter(id__gt=after).order_by("id"))
        if not events:
            return handled
        for event in events:
            for handler_set in REGISTRY.values():
                if event.topic in handler_set.topics:
                    handled += handle_events(
                        handler_set.group, [event.envelope], handler_set.handlers
                    )
        after = events[-1].id


def mark_published(through_id: int) -> None:
    """Set the relay's position as if it had published the rows up to `through_id`, no others.

    Rows of transactions committed so far count, and the caller's own (tests run in one).
    """
    from django.db import connection

    from todo_project.common.models import RelayPosition

    window = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint + 1")
            after_this = cursor.fetchone()[0]
        window = f"{after_this}:{after_this}:"  # sees every transaction up to the caller's
    RelayPosition.objects.update_or_create(
        id=1, defaults={"done_snapshot": "1:1:", "window_snapshot": window, "last_id": through_id}
    )
