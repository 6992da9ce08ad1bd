"""kombu transport for Kafka-API brokers that loses no task: ``safekafka://host:port``.

Built on kombu's ``confluentkafka`` transport, replacing the parts that lose tasks:

* acks commit exactly the offset past each partition's contiguous settled prefix
  (:mod:`.ledger`), never the consumer's position;
* one consumer per channel, polled by a background thread (:mod:`.fetcher`), so several queues cost
  one poll and long tasks do not make the worker leave the group;
* publishing waits for the broker's ``acks=all`` confirmation, within a bound (:mod:`.publisher`);
* ``reject(requeue=True)`` re-publishes a copy, then settles the original: no seeking.

Delivery is at least once: after a crash, everything past the last commit runs again.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
from kombu.exceptions import ConnectionError as KombuConnectionError
from kombu.transport import confluentkafka, virtual
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps
from kombu.utils.objects import cached_property

from . import config
from .errors import FetcherFailed, PublishError, TopicUnavailable
from .fetcher import Delivery, Fetcher
from .publisher import ConfirmedProducer, shared_producer

logger = logging.getLogger(__name__)

_UNREACHABLE = (
    KafkaError._TIMED_OUT,
    KafkaError._TRANSPORT,
    KafkaError._ALL_BROKERS_DOWN,
    KafkaError.REQUEST_TIMED_OUT,
)
_delivery_tags = itertools.count(1)
_known_topics: set[str] = set()
_known_topics_lock = threading.Lock()


class Message(confluentkafka.Message):
    """A delivered message that remembers where it came from, for its ack."""

    def __init__(self, payload: dict[str, Any], channel: Any = None, **kwargs: Any) -> None:
        self.partition: int = payload.get("partition", -1)
        self.offset: int = payload.get("offset", -1)
        self.epoch: int = payload.get("epoch", -1)
        super().__init__(payload, channel=channel, **kwargs)


class QoS(confluentkafka.QoS):
    """Prefetch accounting and ack/reject; safe to call from any thread.

    Celery's prefork pool acks from its result-handler thread while the main thread delivers.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()

    def can_consume(self) -> bool:
        with self._lock:
            return not self.prefetch_count or len(self._not_yet_acked) < self.prefetch_count

    def can_consume_max_estimate(self) -> int:
        with self._lock:
            if self.prefetch_count:
                return max(self.prefetch_count - len(self._not_yet_acked), 0)
            return 1

    def append(self, message: Message, delivery_tag: str) -> None:
        with self._lock:
            self._not_yet_acked[delivery_tag] = message

    def ack(self, delivery_tag: str) -> None:
        message = self._pop(delivery_tag)
        if message is not None:
            self.channel._settle(message)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        message = self._pop(delivery_tag)
        if message is None:
            return
        if requeue:
            try:
                self.channel._requeue(message)
            except PublishError as exc:
                # Leaving it unsettled holds back this partition's commits, so the original is
                # delivered again after the next restart or rebalance instead of being lost.
                logger.error("could not requeue %s, it stays uncommitted: %s", delivery_tag, exc)
                return
        self.channel._settle(message)

    def _pop(self, delivery_tag: str) -> Message | None:
        with self._lock:
            return self._not_yet_acked.pop(delivery_tag, None)

    def restore_unacked(self) -> list[Any]:
        # Unsettled messages are not committed, so Kafka hands them out again; re-publishing
        # them as the virtual transport does would run them twice.
        with self._lock:
            self._not_yet_acked.clear()
        return []

    def restore_unacked_once(self, stderr: Any = None) -> None:
        self._on_collect.cancel()
        self.restore_unacked()


class Channel(confluentkafka.Channel):
    """One consumer (all of the channel's queues), the shared producer, a lazy admin client."""

    QoS = QoS
    Message = Message

    _fetcher: Fetcher | None = None

    # -- settings and clients ------------------------------------------------------------------

    @cached_property
    def settings(self) -> config.TransportSettings:
        return config.TransportSettings.from_options(self.options)

    @cached_property
    def common_config(self) -> dict[str, Any]:
        conninfo = self.conninfo
        return config.common_config(
            self.settings,
            hostname=conninfo.hostname,
            port=conninfo.port,
            userid=conninfo.userid,
            password=conninfo.password,
        )

    def _open(self) -> None:
        # The stock transport probes the broker here, so creating a channel (and thus every
        # delay() on a fresh connection) blocked for its full timeout when the broker was down.
        return None

    @property
    def client(self) -> AdminClient:
        if self._client is None:
            self._client = AdminClient(config.admin_config(self.settings, self.common_config))
        return self._client

    def warm_up(self) -> None:
        """Start this process's producer now rather than at the first publish.

        librdkafka connects and obtains its idempotent producer id in the background; a message
        sent right after the producer was created waits for that: ~0.5 s on the local broker
        (measured), against ~30 ms once it is done. Never blocks, never raises for the broker.
        """
        self._producer()

    def _producer(self) -> ConfirmedProducer:
        settings = self.settings
        return shared_producer(
            config.producer_config(settings, self.common_config), settings.publish_timeout
        )

    def _topic(self, queue: str) -> str:
        return self.settings.topic_for(queue)

    # -- publishing ----------------------------------------------------------------------------

    def _put(self, queue: str, message: dict[str, Any], **kwargs: Any) -> None:
        self._producer().publish(self._topic(queue), str_to_bytes(dumps(message)))

    def _requeue(self, message: Message) -> None:
        payload = message.serializable()
        payload["redelivered"] = True
        self._producer().publish(message.topic, str_to_bytes(dumps(payload)))

    def _lookup(self, exchange: str, routing_key: str, default: str | None = None) -> list[str]:
        queues: list[str] = super()._lookup(exchange, routing_key, default)
        if not queues and exchange and self.typeof(exchange).type == "direct":
            # The virtual transport silently drops such a message: a task that would never run.
            raise PublishError(
                f"no queue bound to exchange {exchange!r} with routing key {routing_key!r} "
                "(declare the queue, or route by queue name)"
            )
        return queues

    # -- topics --------------------------------------------------------------------------------

    def _new_queue(self, queue: str, **kwargs: Any) -> None:
        self._ensure_topics([self._topic(queue)])

    def _has_queue(self, queue: str, **kwargs: Any) -> bool:
        topic = self._topic(queue)
        return topic in _known_topics or self._topic_exists(topic)

    def _ensure_topics(self, topics: list[str], *, force: bool = False) -> None:
        missing = [t for t in topics if force or t not in _known_topics]
        if not missing:
            return
        failures = self._create_topics(missing) if self.settings.create_topics else {}
        # A refused creation is fine if the topic exists (e.g. created by an operator on a
        # cluster where this user may not create topics).
        absent = [t for t in missing if (t in failures or not self.settings.create_topics)]
        absent = [t for t in absent if not self._topic_exists(t)]
        if absent:
            reasons = "; ".join(f"{t}: {failures.get(t, 'does not exist')}" for t in absent)
            raise TopicUnavailable(f"cannot use topic(s) {absent}: {reasons}")
        with _known_topics_lock:
            _known_topics.update(missing)

    def _topic_exists(self, topic: str) -> bool:
        try:
            metadata = self.client.list_topics(topic=topic, timeout=self.settings.admin_timeout)
        except KafkaException as exc:
            raise TopicUnavailable(f"cannot reach the broker to look up {topic!r}: {exc}") from exc
        found = metadata.topics.get(topic)
        return found is not None and found.error is None

    def _create_topics(self, topics: list[str]) -> dict[str, str]:
        """Create ``topics``; return the ones that failed for another reason than existing."""
        settings = self.settings
        new = [
            NewTopic(
                topic,
                num_partitions=settings.num_partitions,
                replication_factor=settings.replication_factor,
                config=dict(settings.topic_config),
            )
            for topic in topics
        ]
        failures: dict[str, str] = {}
        futures = self.client.create_topics(new, request_timeout=settings.admin_timeout)
        for topic, future in futures.items():
            try:
                future.result(timeout=settings.admin_timeout + 1)
            except KafkaException as exc:
                code = exc.args[0].code()
                if code in _UNREACHABLE:
                    raise TopicUnavailable(f"broker unreachable creating {topic!r}: {exc}") from exc
                if code != KafkaError.TOPIC_ALREADY_EXISTS:
                    failures[topic] = str(exc)
            except TimeoutError as exc:
                raise TopicUnavailable(
                    f"broker did not answer creating {topic!r} within {settings.admin_timeout}s"
                ) from exc
        return failures

    def _size(self, queue: str) -> int:
        # A Kafka topic has no "ready messages" count without a group's offsets and a round trip
        # per partition; kombu calls this on every declare, so it is not worth blocking for.
        return 0

    def _purge(self, queue: str) -> int:
        raise NotImplementedError("safekafka cannot purge a topic; delete its records instead")

    def _delete(self, queue: str, *args: Any, **kwargs: Any) -> None:
        # Topics are infrastructure (created explicitly in production): never deleted from here.
        return None

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        raise NotImplementedError("safekafka delivers through basic_consume (a worker) only")

    # -- consuming -----------------------------------------------------------------------------

    def basic_consume(self, queue: str, *args: Any, **kwargs: Any) -> Any:
        result = super().basic_consume(queue, *args, **kwargs)
        topics = {self._topic(q): q for q in self._active_queues}
        self._ensure_topics(list(topics))
        self._get_fetcher().subscribe(topics)
        return result

    def _get_fetcher(self) -> Fetcher:
        if self._fetcher is None:
            settings = self.settings
            self._fetcher = Fetcher(
                config.consumer_config(settings, self.common_config),
                on_ready=self.connection.wakeup,
                buffer_limit=self._buffer_limit,
                ensure_topics=lambda topics: self._ensure_topics(topics, force=True),
                poll_timeout=settings.poll_timeout,
            )
            self._fetcher.start()
        return self._fetcher

    def _buffer_limit(self) -> int:
        # Buffered messages were never handed to a task: a crash only means they are fetched
        # again, so the buffer can comfortably exceed the prefetch window.
        return max(2 * (self.qos.prefetch_count or 0), self.settings.fetch_buffer, 1)

    def deliver_buffered(self, deliver: Callable[[dict[str, Any], str], None]) -> int:
        """Hand buffered messages to kombu while the prefetch limit allows; return the count."""
        fetcher = self._fetcher
        if fetcher is None:
            return 0
        if not fetcher.alive:
            raise FetcherFailed(f"kafka consumer thread stopped: {fetcher.error!r}")
        delivered = 0
        while self._consumers and self.qos.can_consume():
            delivery = fetcher.pop()
            if delivery is None:
                break
            if delivery.queue not in self.connection._callbacks:
                # Consumer cancelled (shutting down): left uncommitted, so it is redelivered.
                continue
            deliver(self._to_payload(delivery), delivery.queue)
            delivered += 1
        return delivered

    def _to_payload(self, delivery: Delivery) -> dict[str, Any]:
        payload = delivery.payload
        # Tags come from the publisher and repeat when a message is delivered twice (after a
        # rebalance, or a requeued copy): a per-delivery tag keeps acks apart.
        payload["properties"]["delivery_tag"] = f"{os.getpid()}.{next(_delivery_tags)}"
        payload["topic"] = delivery.topic
        payload["partition"] = delivery.partition
        payload["offset"] = delivery.offset
        payload["epoch"] = delivery.epoch
        return payload

    def _settle(self, message: Message) -> None:
        fetcher = self._fetcher
        if fetcher is not None:
            fetcher.settle(message.topic, message.partition, message.offset, message.epoch)
        transport = self.connection
        if transport is not None:
            transport.wakeup()  # a prefetch slot is free again

    def close(self) -> None:
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            fetcher.stop(timeout=self.settings.admin_timeout + 10)
        super().close()


class Transport(confluentkafka.Transport):
    """``safekafka://host:port`` — see the module docstring."""

    Channel = Channel

    driver_name = "safekafka"

    connection_errors = (KombuConnectionError, FetcherFailed, TopicUnavailable)
    # Publish errors are left out on purpose: kombu would retry them, multiplying the bound.
    recoverable_connection_errors = (FetcherFailed,)
    recoverable_channel_errors = ()

    implements = virtual.Transport.implements.extend(
        asynchronous=False,
        exchange_type=frozenset(["direct", "topic"]),
        heartbeats=False,
    )

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self._ready = threading.Event()
        options = client.transport_options
        self._heartbeat_file: str | None = options.get("heartbeat_file")
        self._heartbeat_interval = float(options.get("heartbeat_interval", 1.0))
        self._heartbeat_at = 0.0

    def as_uri(self, uri: str, include_password: bool = False, mask: str = "**") -> str:
        raise NotImplementedError  # kombu's default formatting (the stock one returns None)

    def wakeup(self) -> None:
        self._ready.set()

    def drain_events(self, connection: Any, timeout: float | None = None) -> None:
        """Deliver what the fetchers buffered, waiting up to ``timeout`` for something.

        All queues of a channel share one consumer, so an idle multi-queue worker wakes as soon
        as any queue has a message instead of polling each in turn.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._ready.clear()
            delivered = sum(ch.deliver_buffered(self._deliver) for ch in list(self.channels))
            self._beat()
            if delivered:
                return
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError()
            wait = self._heartbeat_interval if remaining is None else remaining
            self._ready.wait(min(wait, self._heartbeat_interval))

    def _beat(self) -> None:
        """Touch the heartbeat file: the consuming loop and its fetchers are alive."""
        if not self._heartbeat_file:
            return
        now = time.monotonic()
        if now - self._heartbeat_at < self._heartbeat_interval:
            return
        self._heartbeat_at = now
        try:
            with open(self._heartbeat_file, "a"):
                os.utime(self._heartbeat_file)
        except OSError as exc:
            logger.warning("cannot touch heartbeat file %s: %s", self._heartbeat_file, exc)
