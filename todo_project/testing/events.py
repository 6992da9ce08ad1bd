"""Reading events back from the real broker in tests."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from confluent_kafka import Consumer, KafkaError

from todo_project.common import kafka


def read_topic(
    logical: str, *, expected: int, timeout: float = 30.0, settle: float = 0.0
) -> list[dict[str, Any]]:
    """Consume `logical` from the beginning until `expected` messages (or the timeout).

    Each item: {"key", "partition", "offset", "envelope"}. With `settle`, keep reading after the
    count is reached until nothing new arrived for that many seconds, to see duplicates too.
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
            out.append(
                {
                    "key": message.key().decode() if message.key() else None,
                    "partition": message.partition(),
                    "offset": message.offset(),
                    "envelope": envelope,
                    "value": message.value(),
                    "headers": dict(message.headers() or []),
                }
            )
    finally:
        consumer.close()
    return out


def dispatch_outbox() -> int:
    """Deliver pending outbox events straight to the registered handlers, in order, in-process.

    Stands in for relay → broker → consumer in unit tests (with Celery eager), so a test can
    follow an event-driven effect (e.g. the next occurrence after a completion) without
    processes. Returns the number of events handled. Tests of the real path use the broker.
    """
    from django.utils import timezone

    from todo_project.common.consumers import REGISTRY, autodiscover, handle_once
    from todo_project.common.models import OutboxEvent

    autodiscover()
    handled = 0
    while True:
        pending = list(OutboxEvent.objects.filter(published_at__isnull=True).order_by("id"))
        if not pending:
            return handled
        for event in pending:
            for handler_set in REGISTRY.values():
                funcs = handler_set.handlers.get(event.type, [])
                if event.topic in handler_set.topics and funcs:
                    handle_once(handler_set.group, event.envelope, funcs)
                    handled += 1
            event.published_at = timezone.now()
            event.save(update_fields=["published_at"])
