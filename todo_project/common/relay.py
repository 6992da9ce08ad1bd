"""The outbox relay: publishes unpublished outbox rows to Kafka in id order, at least once.

A row is marked published only after the broker acknowledged it (acks=all, idempotent producer).
After a failed delivery only the acknowledged prefix is marked, so per-key order holds; the rest is
retried after a back-off while writes keep succeeding. A crash at any point re-publishes some rows
at worst, with the same CloudEvents id, so consumers deduplicate by id.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, Producer
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from . import kafka
from .models import OutboxEvent
from .outbox import NOTIFY_CHANNEL

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0
PRUNE_EVERY_SECONDS = 300.0


class DeliveryFailed(Exception):
    pass


class Relay:
    def __init__(
        self,
        *,
        stop: threading.Event,
        batch_size: int | None = None,
        poll_seconds: float | None = None,
        heartbeat_file: Path | None = None,
        pages: int = 10,
        producer_factory: Callable[[], Producer] | None = None,
    ) -> None:
        self.stop = stop
        self.batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
        self.poll_seconds = poll_seconds or settings.OUTBOX_POLL_SECONDS
        self.heartbeat_file = heartbeat_file
        self.pages = pages
        self._producer_factory = producer_factory or self._default_producer
        self._producer: Producer | None = None
        self._fatal = False
        self._listener: Any = None
        self._last_prune = 0.0
        self.published = 0

    # -------------------------------------------------------------- producer

    def _default_producer(self) -> Producer:
        return Producer(kafka.producer_config(error_cb=self._on_error))

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            logger.error("fatal producer error, recreating the producer: %s", error)
            self._fatal = True
        else:
            logger.warning("producer: %s", error)

    @property
    def producer(self) -> Producer:
        if self._producer is None or self._fatal:
            self._fatal = False
            self._producer = self._producer_factory()
        return self._producer

    # -------------------------------------------------------------- main loop

    def run(self) -> None:
        backoff = 0.0
        self._listen()
        while not self.stop.is_set():
            self._beat()
            try:
                close_old_connections()
                sent = self.publish_batch()
                backoff = 0.0
                self._maybe_prune()
                if sent >= self.batch_size * self.pages:
                    continue  # a backlog: drain it without waiting
            except DeliveryFailed as exc:
                backoff = min(MAX_BACKOFF_SECONDS, max(0.25, backoff * 2))
                logger.warning("broker unavailable (%s); retrying in %.2fs", exc, backoff)
                self.stop.wait(backoff)
                continue
            except Exception:
                logger.exception("relay iteration failed; retrying")
                connection.close()
                self._listener = None
                self.stop.wait(1.0)
                self._listen()
                continue
            self._wait_for_work()
        self._close()

    def publish_batch(self) -> int:
        """Publish pending rows, up to `pages` pages of `batch_size`; return how many were acked.

        Pages are produced back to back, so reading the next page overlaps the broker's work on
        the previous one, and one wait for acknowledgements covers them all.
        """
        # The envelope is read as stored text: no parse-and-dump round trip per event.
        pending = (
            OutboxEvent.objects.filter(published_at__isnull=True)
            .order_by("id")
            .annotate(raw=Cast("envelope", output_field=TextField()))
            .values_list("id", "topic", "key", "raw")
        )
        outcomes: dict[int, KafkaError | None] = {}
        producer = self.producer
        rows: list[tuple[int, str, str, str]] = []
        topics: dict[str, str] = {}  # logical -> broker-side name (reads settings once a batch)
        cursor = 0
        for _ in range(self.pages):
            page = list(pending.filter(id__gt=cursor)[: self.batch_size])
            for row_id, topic, key, raw in page:
                if topic not in topics:
                    topics[topic] = kafka.topic_name(topic)

                def report(err: KafkaError | None, _msg: Any, row_id: int = row_id) -> None:
                    outcomes[row_id] = err

                while True:
                    try:
                        producer.produce(
                            topics[topic],
                            key=key.encode(),
                            value=raw.encode(),
                            headers=[("content-type", b"application/cloudevents+json")],
                            on_delivery=report,
                        )
                        break
                    except BufferError:  # librdkafka's queue is full: let it drain
                        producer.poll(0.05)
            rows += page
            if len(page) < self.batch_size:
                break
            cursor = page[-1][0]
            producer.poll(0)
        if not rows:
            return 0
        # Wait for every delivery report (bounded by message.timeout.ms), so nothing from this
        # batch is still queued in librdkafka when the next batch re-reads the outbox.
        while len(producer) > 0 and not self.stop.is_set():
            producer.flush(0.5)
        acked: list[int] = []
        failure: KafkaError | None = None
        for row_id, *_ in rows:
            outcome = outcomes.get(row_id, "missing")
            if outcome is not None:
                failure = outcome if isinstance(outcome, KafkaError) else None
                break
            acked.append(row_id)
        if acked:
            self._mark_published(acked)
            self.published += len(acked)
        if len(acked) < len(rows):
            # The retry publishes with a fresh producer. After deliveries timed out (the broker
            # was away), an idempotent producer bumps its epoch, and a broker may answer every
            # later message with PRODUCER_FENCED (the local broker does): that producer never
            # recovers. Nothing is lost by replacing it: the rows not acknowledged are produced
            # again anyway, with their ids, and this batch has no delivery report outstanding.
            self._producer = None
            raise DeliveryFailed(str(failure) if failure else "delivery not confirmed")
        return len(acked)

    @staticmethod
    def _mark_published(ids: list[int]) -> None:
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of IN (...) placeholders.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {OutboxEvent._meta.db_table} SET published_at = %s "
                    "WHERE id = ANY(%s::bigint[])",
                    [timezone.now(), ids],
                )
        else:
            OutboxEvent.objects.filter(pk__in=ids).update(published_at=timezone.now())

    # -------------------------------------------------------------- waking up

    def _listen(self) -> None:
        """LISTEN on a dedicated connection (PostgreSQL); elsewhere the relay polls."""
        if connection.vendor != "postgresql" or self._listener is not None:
            return
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        try:
            listener = psycopg.Connection.connect(autocommit=True, **params)
            listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self._listener = listener
        except Exception:
            logger.exception("LISTEN failed; falling back to polling")
            self._listener = None

    def _wait_for_work(self) -> None:
        if self._listener is None:
            self.stop.wait(self.poll_seconds)
            return
        try:
            for _ in self._listener.notifies(timeout=self.poll_seconds, stop_after=1):
                pass
        except Exception:
            logger.warning("lost the LISTEN connection; reconnecting", exc_info=True)
            self._listener = None
            self._listen()

    # -------------------------------------------------------------- housekeeping

    def _maybe_prune(self) -> None:
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        horizon = timezone.now() - timedelta(hours=settings.OUTBOX_RETENTION_HOURS)
        deleted, _ = OutboxEvent.objects.filter(published_at__lt=horizon).delete()
        if deleted:
            logger.info("pruned %d published outbox rows", deleted)

    def _beat(self) -> None:
        if self.heartbeat_file is not None:
            self.heartbeat_file.touch()

    def _close(self) -> None:
        if self._producer is not None:
            self._producer.flush(5)
        if self._listener is not None:
            self._listener.close()
        connection.close()
