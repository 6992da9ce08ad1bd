"""A small consumer framework: handlers registered per event type, one consumer group per
handler set, offsets committed only after success, retries then a dead-letter topic (an event
that fails because the broker or the database is unavailable is retried, never dead-lettered).

Handlers run inside a database transaction together with a `ProcessedEvent` row keyed by
(group, event id), so a redelivered event is skipped: effects in the database happen once.
Side effects outside the database (enqueuing a Celery task) must be idempotent themselves.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, InterfaceError, close_old_connections, connection, transaction
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as KombuOperationalError

from . import kafka
from .models import ProcessedEvent

logger = logging.getLogger(__name__)

Envelope = dict[str, Any]
# Failures of the infrastructure, not of the event: a task the broker did not confirm (the
# Celery transport's PublishError is a kombu OperationalError), a database that is unreachable.
UNAVAILABLE = (KombuOperationalError, DatabaseOperationalError, InterfaceError)
HandlerFunc = Callable[[Envelope], None]


@dataclass
class HandlerSet:
    group: str
    topics: set[str] = field(default_factory=set)
    handlers: dict[str, list[HandlerFunc]] = field(default_factory=dict)


REGISTRY: dict[str, HandlerSet] = {}


def handler(*, group: str, topic: str, types: list[str]) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register `func` for events of `types` on logical `topic`, in consumer group `group`."""

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


def handle_once(group: str, envelope: Envelope, funcs: list[HandlerFunc]) -> bool:
    """Run the handlers for one event unless this group already processed it.

    Returns False when the event was a duplicate.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProcessedEvent.objects.create(group=group, event_id=envelope["id"])
        except IntegrityError:
            return False
        for func in funcs:
            func(envelope)
    return True


class GroupConsumer:
    def __init__(
        self,
        handler_set: HandlerSet,
        *,
        stop: threading.Event,
        max_attempts: int | None = None,
        retry_base_seconds: float = 0.5,
        heartbeat_file: Path | None = None,
    ) -> None:
        self.set = handler_set
        self.stop = stop
        self.max_attempts = max_attempts or settings.CONSUMER_MAX_ATTEMPTS
        self.retry_base_seconds = retry_base_seconds
        self.heartbeat_file = heartbeat_file
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
                message = consumer.poll(0.5)
                if message is None:
                    continue
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        logger.warning("consumer %s: %s", self.set.group, message.error())
                    continue
                self._process(message)
                # Synchronous: the offset moves only past a message that was fully handled.
                consumer.commit(message=message, asynchronous=False)
        finally:
            consumer.close()  # leaves the group at once so partitions move without waiting
            if self._dlq is not None:
                self._dlq.flush(5)
            connection.close()

    def _process(self, message: Message) -> None:
        try:
            envelope = json.loads(message.value())
            if not isinstance(envelope, dict) or "id" not in envelope:
                raise ValueError("not a CloudEvents envelope with an id")
            funcs = self.set.handlers.get(envelope.get("type"), [])
        except (ValueError, TypeError) as exc:
            self._dead_letter(message, f"malformed event: {exc}")
            return
        if not funcs:
            return
        for attempt in range(1, self.max_attempts + 1):
            close_old_connections()
            try:
                if handle_once(self.set.group, envelope, funcs):
                    self.handled += 1
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
