"""A Kafka consumer owned by one background thread.

Why a thread: Celery's solo pool runs tasks inside the consuming thread, and prefork's main loop can
be busy too. If the consumer were only polled from there, a task longer than
``max.poll.interval.ms`` would make the worker leave the group and the task would be redelivered in
a loop. Here the consumer is polled every ``poll_timeout`` whatever the tasks do; when the local
buffer is full the partitions are paused (the consumer keeps polling, so it stays in the group).

The consumer object is touched by this thread only. Other threads talk to it through the
thread-safe methods :meth:`subscribe`, :meth:`pop`, :meth:`settle` and :meth:`stop`. Commits are
synchronous and happen on this thread, coalescing all acks that arrived since the previous one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition
from kombu.utils.json import loads

from .ledger import PartitionLedger

logger = logging.getLogger(__name__)

PartitionKey = tuple[str, int]

_COMMIT_RETRY_SECONDS = 1.0
_TOPIC_RECREATE_SECONDS = 5.0
_MISSING_TOPIC_ERRORS = (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC)


@dataclass(frozen=True)
class Delivery:
    """A fetched message and the coordinates its ack must settle."""

    queue: str
    payload: dict[str, Any]
    topic: str
    partition: int
    offset: int
    epoch: int

    @property
    def key(self) -> PartitionKey:
        return (self.topic, self.partition)


class Fetcher:
    """Fetch, buffer and commit for one kombu channel."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        on_ready: Callable[[], None],
        buffer_limit: Callable[[], int],
        ensure_topics: Callable[[list[str]], None] | None = None,
        poll_timeout: float = 0.05,
    ) -> None:
        self._config = dict(config)
        self._on_ready = on_ready
        self._buffer_limit = buffer_limit
        self._ensure_topics = ensure_topics
        self._poll_timeout = poll_timeout
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._buffer: deque[Delivery] = deque()
        self._ledgers: dict[PartitionKey, PartitionLedger] = {}
        self._epoch = 0
        self._dirty = False
        self._paused: set[PartitionKey] = set()
        self._topic_to_queue: dict[str, str] = {}
        self._wanted_version = 0
        self._applied_version = 0
        self._commit_retry_at = 0.0
        self._topics_recreated_at = 0.0
        self._fatal: KafkaError | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="safekafka-fetcher", daemon=True)

    # -- called from other threads ---------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and self.error is None

    def subscribe(self, topic_to_queue: Mapping[str, str]) -> None:
        with self._lock:
            if dict(topic_to_queue) == self._topic_to_queue:
                return
            self._topic_to_queue = dict(topic_to_queue)
            self._wanted_version += 1

    def pop(self) -> Delivery | None:
        """The oldest buffered message whose partition is still assigned to this worker."""
        with self._lock:
            while self._buffer:
                delivery = self._buffer.popleft()
                ledger = self._ledgers.get(delivery.key)
                if ledger is not None and ledger.epoch == delivery.epoch:
                    return delivery
            return None

    def buffered(self) -> int:
        return len(self._buffer)

    def settle(self, topic: str, partition: int, offset: int, epoch: int) -> bool:
        """Mark a message acked/rejected; False when its partition was revoked meanwhile."""
        with self._lock:
            ledger = self._ledgers.get((topic, partition))
            if ledger is None or ledger.epoch != epoch:
                # The partition moved to another worker, which starts from the last commit
                # and runs this message again: committing here could skip its work there.
                return False
            ledger.settle(offset)
            self._dirty = True
            return True

    def stop(self, timeout: float) -> None:
        """Final commit of settled offsets, leave the group, wait for the thread."""
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    # -- the fetcher thread ----------------------------------------------------------------

    def _run(self) -> None:
        consumer: Consumer | None = None
        try:
            consumer = Consumer({**self._config, "error_cb": self._on_client_error})
            while not self._stopping.is_set():
                self._step(consumer)
            self._commit(consumer, force=True)
        except BaseException as exc:  # reported to the consuming thread
            logger.exception("safekafka fetcher stopped")
            self.error = exc
        finally:
            if consumer is not None:
                self._close(consumer)
            self._on_ready()

    def _step(self, consumer: Consumer) -> None:
        if self._fatal is not None:
            raise KafkaException(self._fatal)
        if not self._apply_subscription(consumer):
            self._stopping.wait(self._poll_timeout)
            return
        self._apply_flow_control(consumer)
        # consume() with a batch size waits until the batch is full or the timeout expires:
        # wait for the first message only, then take whatever else is already there.
        first = consumer.poll(self._poll_timeout)
        if first is not None:
            room = self._buffer_limit() - len(self._buffer) - 1
            rest = consumer.consume(num_messages=room, timeout=0) if room > 0 else []
            self._accept([first, *rest])
        self._commit(consumer)

    def _close(self, consumer: Consumer) -> None:
        try:
            consumer.close()
        except (KafkaException, RuntimeError) as exc:
            logger.warning("closing kafka consumer: %s", exc)

    def _on_client_error(self, error: KafkaError) -> None:
        if error.fatal():
            self._fatal = error
        elif error.code() == KafkaError._ALL_BROKERS_DOWN:
            logger.warning("kafka consumer: all brokers down: %s", error)
        else:
            logger.info("kafka consumer: %s", error)

    def _apply_subscription(self, consumer: Consumer) -> bool:
        with self._lock:
            version, topics = self._wanted_version, list(self._topic_to_queue)
        if version != self._applied_version and topics:
            consumer.subscribe(
                topics,
                on_assign=self._on_assign,
                on_revoke=self._on_revoke,
                on_lost=self._on_lost,
            )
            self._applied_version = version
        return bool(topics)

    def _apply_flow_control(self, consumer: Consumer) -> None:
        # Pausing drops librdkafka's prefetched data and resuming re-fetches it, so pause at a
        # high-water mark and resume at half of it rather than flapping around one limit.
        limit = self._buffer_limit()
        buffered = len(self._buffer)
        if buffered >= limit or (self._paused and buffered > limit // 2):
            newly = [
                tp for tp in consumer.assignment() if (tp.topic, tp.partition) not in self._paused
            ]
            if newly:
                consumer.pause(newly)
                self._paused.update((tp.topic, tp.partition) for tp in newly)
        elif self._paused:
            paused = [
                tp for tp in consumer.assignment() if (tp.topic, tp.partition) in self._paused
            ]
            if paused:
                consumer.resume(paused)
                self._restart_fetching(consumer, paused)
            self._paused.clear()

    def _restart_fetching(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # librdkafka does not wake its broker thread on resume: fetching restarted ~0.7 s later,
        # every time. A seek to the position the application already reached (so nothing is
        # skipped or repeated) restarts it at once.
        for tp in consumer.position(partitions):
            if tp.offset >= 0:
                consumer.seek(tp)

    def _accept(self, messages: Iterable[Message]) -> None:
        accepted = 0
        for message in messages:
            error = message.error()
            if error is not None:
                self._on_message_error(error)
                continue
            delivery = self._track(message)
            if delivery is not None:
                with self._lock:
                    self._buffer.append(delivery)
                accepted += 1
        if accepted:
            self._on_ready()

    def _track(self, message: Message) -> Delivery | None:
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        with self._lock:
            ledger = self._ledgers.get((topic, partition))
            queue = self._topic_to_queue.get(topic)
            if ledger is None or queue is None or not ledger.track(offset):
                return None
            epoch = ledger.epoch
        payload = _decode(message)
        if payload is None:
            # A message no worker can ever read must not block its partition's commits.
            logger.error("dropping undecodable message %s[%d]@%d", topic, partition, offset)
            self.settle(topic, partition, offset, epoch)
            return None
        return Delivery(queue, payload, topic, partition, offset, epoch)

    def _on_message_error(self, error: KafkaError) -> None:
        if error.code() == KafkaError._PARTITION_EOF:
            return
        if error.fatal():
            raise KafkaException(error)
        if error.code() in _MISSING_TOPIC_ERRORS:
            self._recreate_topics()
        logger.warning("kafka consumer: %s", error)

    def _recreate_topics(self) -> None:
        # A broker that lost its topics (a restarted memory broker, an operator's mistake)
        # would otherwise leave this worker subscribed to nothing until someone publishes.
        now = time.monotonic()
        if self._ensure_topics is None or now - self._topics_recreated_at < _TOPIC_RECREATE_SECONDS:
            return
        self._topics_recreated_at = now
        with self._lock:
            topics = list(self._topic_to_queue)
        try:
            self._ensure_topics(topics)
        except Exception as exc:  # the next error retries
            logger.warning("recreating topics %s: %s", topics, exc)

    # -- rebalance callbacks (run inside consume(), on this thread) --------------------------

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        with self._lock:
            for tp in partitions:
                self._epoch += 1
                key = (tp.topic, tp.partition)
                self._ledgers[key] = PartitionLedger(tp.topic, tp.partition, self._epoch)
                self._paused.discard(key)
        logger.info("assigned %s", _describe(partitions))

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        keys = {(tp.topic, tp.partition) for tp in partitions}
        self._commit(consumer, only=keys, force=True)
        self._forget(keys)
        logger.info("revoked %s", _describe(partitions))

    def _on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Another member may already own these: a commit now could only be rejected or wrong.
        self._forget({(tp.topic, tp.partition) for tp in partitions})
        logger.warning("lost %s", _describe(partitions))

    def _forget(self, keys: set[PartitionKey]) -> None:
        with self._lock:
            for key in keys:
                self._ledgers.pop(key, None)
                self._paused.discard(key)
            self._buffer = deque(d for d in self._buffer if d.key not in keys)

    # -- commits -----------------------------------------------------------------------------

    def _commit(
        self, consumer: Consumer, *, only: set[PartitionKey] | None = None, force: bool = False
    ) -> None:
        if not force and (not self._dirty or time.monotonic() < self._commit_retry_at):
            return
        with self._lock:
            if only is None:
                self._dirty = False
            points = [
                (ledger, point)
                for key, ledger in self._ledgers.items()
                if only is None or key in only
                if (point := ledger.commit_point()) is not None
            ]
        if not points:
            return
        offsets = [
            TopicPartition(ledger.topic, ledger.partition, point) for ledger, point in points
        ]
        try:
            results = consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as exc:
            self._commit_failed(str(exc))
            return
        failed = {(tp.topic, tp.partition) for tp in results or () if tp.error is not None}
        with self._lock:
            for ledger, point in points:
                if (ledger.topic, ledger.partition) not in failed:
                    ledger.committed = point
        if failed:
            self._commit_failed(f"partitions {sorted(failed)}")

    def _commit_failed(self, reason: str) -> None:
        # Nothing is lost: the offsets stay uncommitted and are retried; a crash meanwhile only
        # means those tasks run again.
        logger.warning("offset commit failed, will retry: %s", reason)
        with self._lock:
            self._dirty = True
        self._commit_retry_at = time.monotonic() + _COMMIT_RETRY_SECONDS


def _decode(message: Message) -> dict[str, Any] | None:
    try:
        payload = loads(message.value() or b"")
    except (TypeError, ValueError):
        return None
    return payload if isinstance(payload, dict) and "properties" in payload else None


def _describe(partitions: list[TopicPartition]) -> str:
    return ", ".join(f"{tp.topic}[{tp.partition}]" for tp in partitions) or "nothing"
