"""Confirmed publishing: a task is only "sent" once the broker acknowledged it (``acks=all``).

One librdkafka producer is shared per process and configuration (it is thread-safe and each one
owns threads and sockets); a forked child (prefork pool) builds its own, because librdkafka handles
do not survive ``fork()``.

Each publish waits for its own delivery report, bounded by ``timeout``. Inside
:func:`publish_batch` the waits are deferred to the end of the block, so enqueuing thousands of
tasks costs one wait rather than one round trip each.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from .errors import PublishError, PublishTimeout

logger = logging.getLogger(__name__)

#: librdkafka settings that make a delivery report mean "durably on the broker".
CONFIRMED_PRODUCER_DEFAULTS: dict[str, Any] = {
    "acks": "all",
    "enable.idempotence": True,
    # A lone delay() waits for its own report: batching delay only adds latency. Bursts still
    # batch, because messages queue up while earlier requests are in flight.
    "linger.ms": 0,
}

# librdkafka gives up on a message after message.timeout.ms and only then reports it; the
# waiter allows this much more so the report (not our own timer) usually decides.
_REPORT_GRACE_SECONDS = 0.5
_POLL_SLICE_SECONDS = 0.01


class _Delivery:
    """One produced message waiting for its delivery report."""

    __slots__ = ("done", "error", "topic")

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.error: KafkaError | None = None
        self.done = False

    def __call__(self, error: KafkaError | None, _message: Message | None) -> None:
        self.error = error
        self.done = True


class ConfirmedProducer:
    """A librdkafka producer whose ``publish`` returns only after the broker has the message."""

    def __init__(self, config: Mapping[str, Any], timeout: float) -> None:
        self.timeout = timeout
        self._fatal: KafkaError | None = None
        self._retired = False
        self._producer = Producer(
            {
                **CONFIRMED_PRODUCER_DEFAULTS,
                "message.timeout.ms": int(timeout * 1000),
                **config,
                "error_cb": self._on_error,
            }
        )

    @property
    def usable(self) -> bool:
        return self._fatal is None and not self._retired

    def retire(self) -> None:
        """Stop handing out this producer; the registry builds a fresh one on next use.

        Done after any failed delivery: an idempotent producer whose broker lost its state (a
        restarted memory broker, a failed-over cluster) can otherwise keep failing with
        UNKNOWN_PRODUCER_ID, while a new producer simply gets a new producer id.
        """
        if self._retired:
            return
        self._retired = True
        try:
            # Fail what is still queued now rather than delivering it after the caller was told
            # it failed; their waiters get a PURGE error at once.
            self._producer.purge(in_queue=True, in_flight=False, blocking=False)
            self._producer.poll(0)
        except KafkaException as exc:
            logger.info("purging a retired kafka producer: %s", exc)

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            # The idempotent producer can go fatal (e.g. the broker forgot its producer id after
            # a restart): the registry replaces this producer on the next publish.
            self._fatal = error
            logger.error("kafka producer fatal error, it will be replaced: %s", error)
        elif error.code() == KafkaError._ALL_BROKERS_DOWN:
            logger.warning("kafka producer: all brokers down: %s", error)
        else:
            logger.info("kafka producer: %s", error)

    def publish(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        delivery = self.send(topic, value, key)
        batch = _current_batch()
        if batch is not None:
            batch.append((self, delivery))
            return
        self.wait([delivery])

    def send(self, topic: str, value: bytes, key: bytes | None = None) -> _Delivery:
        """Hand a message to librdkafka without waiting for its report."""
        delivery = _Delivery(topic)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._producer.produce(topic, value, key, on_delivery=delivery)
                return delivery
            except BufferError:
                # The local queue is full (a large burst): let deliveries drain, within bound.
                if time.monotonic() >= deadline:
                    raise PublishTimeout(
                        f"kafka producer queue stayed full for {self.timeout:.1f}s "
                        f"publishing to {topic!r}"
                    ) from None
                self._poll(0.05)
            except KafkaException as exc:
                self._note_fatal(exc)
                raise PublishError(f"kafka refused a message for {topic!r}: {exc}") from exc

    def wait(self, deliveries: list[_Delivery]) -> None:
        """Block until every delivery is reported, or raise within the bound."""
        deadline = time.monotonic() + self.timeout + _REPORT_GRACE_SECONDS
        pending = [d for d in deliveries if not d.done]
        while pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.retire()
                raise PublishTimeout(
                    f"broker did not confirm {len(pending)} message(s) to "
                    f"{pending[0].topic!r} within {self.timeout:.1f}s; they may or may not be "
                    "enqueued (is the broker reachable?)"
                )
            self._poll(min(remaining, _POLL_SLICE_SECONDS))
            pending = [d for d in pending if not d.done]
        failed = [d for d in deliveries if d.error is not None]
        if failed:
            self.retire()
            error = failed[0].error
            summary = f"{len(failed)} of {len(deliveries)} message(s) to {failed[0].topic!r}"
            if _is_timeout(error):
                raise PublishTimeout(
                    f"broker did not confirm {summary} within {self.timeout:.1f}s; they may or "
                    f"may not be enqueued (is the broker reachable?): {error}"
                )
            raise PublishError(f"broker refused {summary}: {error}")

    def _poll(self, timeout: float) -> None:
        try:
            self._producer.poll(timeout)
        except KafkaException as exc:
            self._note_fatal(exc)
            self.retire()
            raise PublishError(f"kafka producer failed: {exc}") from exc

    def _note_fatal(self, exc: KafkaException) -> None:
        error = exc.args[0] if exc.args else None
        if isinstance(error, KafkaError) and error.fatal():
            self._fatal = error

    def flush(self, timeout: float) -> int:
        return int(self._producer.flush(timeout))


def _is_timeout(error: KafkaError | None) -> bool:
    return error is not None and error.code() in (
        KafkaError._MSG_TIMED_OUT,
        KafkaError._TIMED_OUT,
        KafkaError.REQUEST_TIMED_OUT,
    )


_registry: dict[tuple[tuple[str, str], ...], ConfirmedProducer] = {}
_registry_lock = threading.Lock()
# Producers inherited through fork() are unusable in the child, and destroying them there can hang
# (librdkafka would join threads that were not copied): the child keeps them, unused, until exit.
_inherited: list[ConfirmedProducer] = []


def _forget_parent_producers() -> None:
    global _registry_lock
    _inherited.extend(_registry.values())
    _registry.clear()
    _registry_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_parent_producers)


def shared_producer(config: Mapping[str, Any], timeout: float) -> ConfirmedProducer:
    """The process-wide producer for this configuration, replaced after a fatal error."""
    key = (("timeout", repr(timeout)), *sorted((k, repr(v)) for k, v in config.items()))
    with _registry_lock:
        producer = _registry.get(key)
        if producer is None or not producer.usable:
            producer = _registry[key] = ConfirmedProducer(config, timeout)
        return producer


_batches = threading.local()


def _current_batch() -> list[tuple[ConfirmedProducer, _Delivery]] | None:
    return getattr(_batches, "pending", None)


@contextmanager
def publish_batch() -> Iterator[None]:
    """Defer delivery confirmation of every publish in this thread to the end of the block.

    The block exits only once the broker confirmed every message, or raises
    :class:`PublishError` (some messages may then be enqueued and others not: the batch must be
    safe to repeat, like any task). Nested blocks join the outer one.
    """
    if _current_batch() is not None:
        yield
        return
    pending: list[tuple[ConfirmedProducer, _Delivery]] = []
    _batches.pending = pending
    try:
        yield
    finally:
        _batches.pending = None
    by_producer: dict[int, tuple[ConfirmedProducer, list[_Delivery]]] = {}
    for producer, delivery in pending:
        by_producer.setdefault(id(producer), (producer, []))[1].append(delivery)
    for producer, deliveries in by_producer.values():
        producer.wait(deliveries)
