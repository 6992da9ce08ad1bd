"""A small consumer framework: handlers registered per event type, one consumer group per
handler set, offsets committed only after success, retries then a dead-letter topic (an event
that fails because the broker or the database is unavailable is retried, never dead-lettered).

Handlers run inside a database transaction together with a `ProcessedEvent` row keyed by
(group, event id), so a redelivered event is skipped: effects in the database happen once.
Side effects outside the database (enqueuing a Celery task) must be idempotent themselves.

Events are handled in batches: what one poll brings (up to `CONSUMER_BATCH_SIZE`) is handled in
one transaction, one read and one insert of processed-event rows for all of it, each handler
called once with its events in offset order, Celery tasks confirmed by the broker with one wait,
and the offsets committed once. A burst of 10,000 reminders is then a few dozen transactions,
not 10,000. When a batch fails, nothing of it is kept and its events are handled again one at
a time, each with its own retries and dead letter: one bad event never holds up the others,
and the batch's try counts as each event's first attempt.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition
from django.apps import apps
from django.conf import settings
from django.db import InterfaceError, close_old_connections, connection, transaction
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as KombuOperationalError

from . import kafka
from .models import ProcessedEvent
from .safekafka import publish_batch

logger = logging.getLogger(__name__)

Envelope = dict[str, Any]
# Failures of the infrastructure, not of the event: a task the broker did not confirm (the
# Celery transport's PublishError is a kombu OperationalError), a database that is unreachable.
UNAVAILABLE = (KombuOperationalError, DatabaseOperationalError, InterfaceError)
# A handler gets the events of its types from one batch, in offset order, each event once.
HandlerFunc = Callable[[list[Envelope]], None]


@dataclass
class HandlerSet:
    group: str
    topics: set[str] = field(default_factory=set)
    handlers: dict[str, list[HandlerFunc]] = field(default_factory=dict)


REGISTRY: dict[str, HandlerSet] = {}


def handler(*, group: str, topic: str, types: list[str]) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register `func` for events of `types` on logical `topic`, in consumer group `group`.

    `func(envelopes)` is called with a list of events not yet processed by the group."""

    def register(func: HandlerFunc) -> HandlerFunc:
        handler_set = REGISTRY.setdefault(group, HandlerSet(group))
        handler_set.topics.add(topic)
        for event_type in types:
            handler_set.handlers.setdefault(event_type, []).append(func)
        return func

    return register


def autodiscover() -> None:
    """Import `<app>.handlers` of every installed app, which registers its handlers."""
    for app in apps.get_app_configs():
        try:
            import_module(f"{app.name}.handlers")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.handlers":
                raise


def handle_events(
    group: str, envelopes: list[Envelope], handlers: dict[str, list[HandlerFunc]]
) -> int:
    """Run the group's handlers for the events it has not processed yet, in one transaction.

    Returns how many events were handled (duplicates and events of other types are not).
    Raises whatever a handler raised, or IntegrityError when a concurrent consumer of the same
    group recorded one of the events first; nothing of the batch is kept then.
    """
    fresh: dict[uuid.UUID, Envelope] = {}
    for envelope in envelopes:
        if handlers.get(envelope.get("type")):
            fresh.setdefault(uuid.UUID(str(envelope["id"])), envelope)
    if not fresh:
        return 0
    with transaction.atomic():
        seen = ProcessedEvent.objects.filter(group=group, event_id__in=list(fresh))
        for event_id in seen.values_list("event_id", flat=True):
            del fresh[event_id]
        if not fresh:
            return 0
        ProcessedEvent.objects.bulk_create(
            [ProcessedEvent(group=group, event_id=event_id) for event_id in fresh]
        )
        calls: dict[HandlerFunc, list[Envelope]] = {}
        for envelope in fresh.values():
            for func in handlers[envelope["type"]]:
                calls.setdefault(func, []).append(envelope)
        with publish_batch():  # the tasks handlers enqueue: one wait for the broker's confirmations
            for func, events in calls.items():
                func(events)
    return len(fresh)


class GroupConsumer:
    def __init__(
        self,
        handler_set: HandlerSet,
        *,
        stop: threading.Event,
        max_attempts: int | None = None,
        retry_base_seconds: float = 0.5,
        heartbeat_file: Path | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.set = handler_set
        self.stop = stop
        self.max_attempts = max_attempts or settings.CONSUMER_MAX_ATTEMPTS
        self.retry_base_seconds = retry_base_seconds
        self.heartbeat_file = heartbeat_file
        self.batch_size = max(1, batch_size or settings.CONSUMER_BATCH_SIZE)
        self.handled = 0
        self.dead_lettered = 0
        self._dlq: Producer | None = None

    def run(self) -> None:
        consumer = Consumer(kafka.consumer_config(self.set.group))
        consumer.subscribe([kafka.topic_name(t) for t in sorted(self.set.topics)])
        logger.info("consumer group %s on %s", self.set.group, sorted(self.set.topics))
        try:
            while not self.stop.is_set():
                if self.heartbeat_file is not None:
                    self.heartbeat_file.touch()
                first = consumer.poll(0.5)
                if first is None:
                    continue
                # Then whatever has been fetched already, without waiting for more.
                polled = [first, *consumer.consume(self.batch_size - 1, timeout=0)]
                messages = []
                for message in polled:
                    if message.error() is None:
                        messages.append(message)
                    elif message.error().code() != KafkaError._PARTITION_EOF:
                        logger.warning("consumer %s: %s", self.set.group, message.error())
                if messages:
                    self._process(consumer, messages)
        finally:
            consumer.close()  # leaves the group at once so partitions move without waiting
            if self._dlq is not None:
                self._dlq.flush(5)
            connection.close()

    def _process(self, consumer: Consumer, messages: list[Message]) -> None:
        """Handle `messages` and commit their offsets, synchronously: an offset moves only past
        messages that were fully handled (or dead-lettered)."""
        parsed: list[tuple[Message, Envelope | None, str]] = []
        for message in messages:
            try:
                envelope = json.loads(message.value())
                if not isinstance(envelope, dict) or "id" not in envelope:
                    raise ValueError("not a CloudEvents envelope with an id")
                if self.set.handlers.get(envelope.get("type")):  # others are not ours to judge
                    uuid.UUID(str(envelope["id"]))  # the processed-event key
            except (ValueError, TypeError) as exc:
                parsed.append((message, None, f"malformed event: {exc}"))
            else:
                parsed.append((message, envelope, ""))
        events = [envelope for _, envelope, _ in parsed if envelope is not None]
        first_attempt = 1
        if len(events) > 1:
            close_old_connections()
            try:
                self.handled += handle_events(self.set.group, events, self.set.handlers)
            except Exception as exc:
                logger.warning(
                    "consumer %s: a batch of %d events failed (%r); handling them one at a time",
                    self.set.group,
                    len(events),
                    exc,
                )
                first_attempt = 2
                if self.stop.wait(self.retry_base_seconds):
                    raise  # shutting down: leave the offsets uncommitted, all is redelivered
            else:
                for message, envelope, reason in parsed:
                    if envelope is None:
                        self._dead_letter(message, reason)
                consumer.commit(offsets=_next_offsets(messages), asynchronous=False)
                return
        # One at a time, in offset order (so are the dead letters), each offset committed.
        for message, envelope, reason in parsed:
            if envelope is None:
                self._dead_letter(message, reason)
            else:
                self._process_one(message, envelope, first_attempt)
            consumer.commit(message=message, asynchronous=False)

    def _process_one(self, message: Message, envelope: Envelope, first_attempt: int) -> None:
        for attempt in range(first_attempt, self.max_attempts + 1):
            close_old_connections()
            try:
                self.handled += handle_events(self.set.group, [envelope], self.set.handlers)
                return
            except Exception as exc:
                if attempt == self.max_attempts and isinstance(exc, UNAVAILABLE):
                    # The broker or the database is away; the event is not at fault, so it
                    # never goes to the dead-letter topic. Its offset stays uncommitted: this
                    # consumer stops with the error and consume_events starts it again, which
                    # reads the event anew (and keeps the group membership fresh meanwhile).
                    logger.warning(
                        "event %s failed %d times, the broker or database unavailable: %r",
                        envelope["id"],
                        attempt,
                        exc,
                    )
                    raise
                if attempt == self.max_attempts:
                    logger.exception("event %s failed %d times", envelope["id"], attempt)
                    self._dead_letter(message, repr(exc))
                    return
                delay = self.retry_base_seconds * 2 ** (attempt - 1)
                logger.warning(
                    "event %s failed (attempt %d): %r; retrying in %.1fs",
                    envelope["id"],
                    attempt,
                    exc,
                    delay,
                )
                if self.stop.wait(delay):
                    raise  # shutting down: leave the offset uncommitted, it is redelivered

    def _dead_letter(self, message: Message, reason: str) -> None:
        if self._dlq is None:
            self._dlq = Producer(kafka.producer_config())
        delivered: list[KafkaError | None] = []
        self._dlq.produce(
            message.topic() + kafka.DLQ_SUFFIX,
            key=message.key(),
            value=message.value(),
            headers=[
                ("dlq-reason", reason[:1000].encode()),
                ("dlq-group", self.set.group.encode()),
                (
                    "dlq-source",
                    f"{message.topic()}/{message.partition()}@{message.offset()}".encode(),
                ),
            ],
            on_delivery=lambda err, _msg: delivered.append(err),
        )
        deadline = time.monotonic() + settings.KAFKA_DELIVERY_TIMEOUT_MS / 1000 + 5
        while not delivered and time.monotonic() < deadline:
            self._dlq.flush(0.5)
        if not delivered or delivered[0] is not None:
            # Never drop a message silently: without a confirmed dead letter, do not commit.
            raise RuntimeError(f"could not dead-letter {message.topic()}@{message.offset()}")
        self.dead_lettered += 1
        logger.error("dead-lettered %s@%d: %s", message.topic(), message.offset(), reason)


def _next_offsets(messages: list[Message]) -> list[TopicPartition]:
    """The offsets to commit after `messages`: one past the last of each partition."""
    last: dict[tuple[str, int], int] = {}
    for message in messages:
        key = (message.topic(), message.partition())
        last[key] = max(last.get(key, -1), message.offset())
    return [
        TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in last.items()
    ]
