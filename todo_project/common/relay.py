"""The outbox relay: publishes outbox rows to Kafka in commit order, at least once.

Where it got to is one row, `RelayPosition`, written only after the broker acknowledged
everything up to there (acks=all, idempotent producer): publishing a batch costs one read of the
outbox and one small UPDATE, not a write per event. On PostgreSQL the position is a pair of
snapshots (PgQ's batching): a window holds the rows of the transactions that committed between
two snapshots, published in id order, so a transaction that commits after others with higher ids
lands in a later window instead of being skipped. After a failed delivery nothing of the batch
is recorded and it is produced again after a back-off, while writes keep succeeding. A crash at
any point re-publishes some rows at worst, with the same CloudEvents id, so consumers
deduplicate by id.
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
from django.utils import timezone

from . import kafka
from .models import IN_WINDOW, TXID_RANGE, OutboxEvent, RelayPosition
from .outbox import NOTIFY_CHANNEL

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0
PRUNE_EVERY_SECONDS = 300.0
HEADERS = [("content-type", b"application/cloudevents+json")]  # CloudEvents structured mode

TABLE = OutboxEvent._meta.db_table


class DeliveryFailed(Exception):
    pass


Row = tuple[int, str, str, str]  # id, topic, key, envelope


class Position:
    """The relay's position, kept in memory and written to `RelayPosition` after each batch.

    `next_rows()` reads ahead of the recorded position (pages in flight); `advance()` records
    everything read so far as published, `rewind()` forgets it (to read it again).
    """

    def __init__(self) -> None:
        row, _ = RelayPosition.objects.get_or_create(id=1)
        self.done = row.done_snapshot
        self.window = row.window_snapshot
        self.last_id = row.last_id
        self.end: int | None = None  # the open window's highest id; found once per window
        self.read = self.last_id  # ids up to here are read (published, or produced and in flight)

    def next_rows(self, limit: int) -> list[Row]:
        """The next unread rows (at most `limit`) in publishing order; [] when none is ready."""
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute(
                    f"SELECT id, topic, key, envelope FROM {TABLE} WHERE id > %s "
                    "ORDER BY id LIMIT %s",
                    [self.read, limit],
                )
                rows = cursor.fetchall()
                self.read = rows[-1][0] if rows else self.read
                return rows
            while True:
                opened = not self.window
                if opened:  # open the next window: what has committed by now
                    cursor.execute(
                        "SELECT s::text, pg_snapshot_xmax(s) < pg_snapshot_xmax(%s::pg_snapshot) "
                        "FROM pg_current_snapshot() s",
                        [self.done],
                    )
                    self.window, backwards = cursor.fetchone()
                    self.end, self.last_id, self.read = None, 0, 0
                    if backwards:
                        self._start_over(cursor)
                        continue
                params = {"done": self.done, "window": self.window}
                if self.end is None:
                    # Through the index on txid; unfenced, PostgreSQL would find min(id) by
                    # walking the primary key from the table's first row.
                    cursor.execute(
                        f"SELECT min(id), max(id) FROM (SELECT id FROM {TABLE} "
                        f"WHERE {TXID_RANGE} AND {IN_WINDOW} OFFSET 0) window_rows",
                        params,
                    )
                    first, self.end = cursor.fetchone()
                    self.end = self.end or 0
                    self.last_id = max(self.last_id, (first or 0) - 1)
                    self.read = max(self.read, self.last_id)
                if self.read >= self.end:  # nothing left to read in the window
                    if self.read > self.last_id:
                        return []  # the rest of it is in flight: it closes once acknowledged
                    self.done, self.window = self.window, ""  # it is done
                    if opened:
                        return []
                    continue  # it was opened before (e.g. before a restart): on to the next
                # Pages are id ranges of the window, walked on the primary key: with ORDER BY
                # and LIMIT instead, PostgreSQL would sort the whole window for every page.
                upto = min(self.read + limit, self.end)
                params.update(after=self.read, upto=upto)
                cursor.execute(
                    f"SELECT id, topic, key, envelope FROM {TABLE} "
                    f"WHERE id > %(after)s AND id <= %(upto)s AND {IN_WINDOW}",
                    params,
                )
                rows = cursor.fetchall()
                if rows:
                    self.read = upto
                    rows.sort()  # by id (unique); they mostly come in order already
                    return rows
                # Only other windows' rows in that range (a late committer's window can be
                # sparse): on to the window's next row, through the txid index.
                cursor.execute(
                    f"SELECT min(id) FROM (SELECT id FROM {TABLE} "
                    f"WHERE {TXID_RANGE} AND {IN_WINDOW} AND id > %(upto)s OFFSET 0) later",
                    params,
                )
                following = cursor.fetchone()[0]
                self.read = self.end if following is None else following - 1

    def _start_over(self, cursor: Any) -> None:
        """Transaction ids went backwards: the database was restored into another cluster.

        The recorded snapshots and the rows' txids come from the old cluster's numbering, so
        nothing can be told apart: every row is published again (at least once holds; the
        CloudEvents ids are the same, consumers skip what they handled). Rows are stamped with
        transaction 1, which every snapshot of the new cluster sees as committed.
        """
        logger.error(
            "transaction ids went backwards (the database was restored into another cluster?); "
            "publishing the whole outbox again, with the same event ids"
        )
        cursor.execute(f"UPDATE {TABLE} SET txid = '1'::xid8")
        self.done, self.window = "1:1:", ""
        self.save()

    def save(self) -> None:
        RelayPosition.objects.filter(id=1).update(
            done_snapshot=self.done,
            window_snapshot=self.window,
            last_id=self.last_id,
            updated_at=timezone.now(),
        )

    def advance(self) -> None:
        """Record every row read so far as published."""
        self.last_id = self.read
        if connection.vendor == "postgresql" and self.end is not None and self.last_id >= self.end:
            self.done, self.window, self.end = self.window, "", None
            self.last_id = self.read = 0
        self.save()

    def rewind(self) -> None:
        """Forget what was read since the last `advance()`: it is read (and produced) again."""
        self.read = self.last_id


class Relay:
    def __init__(
        self,
        *,
        stop: threading.Event,
        batch_size: int | None = None,
        poll_seconds: float | None = None,
        heartbeat_file: Path | None = None,
        pages: int = 2,
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
        self._failures: list[KafkaError] = []
        self._position: Position | None = None
        self._listener: Any = None
        self._last_prune = 0.0
        self.published = 0

    # -------------------------------------------------------------- producer

    def _default_producer(self) -> Producer:
        # Delivery reports for failures only: a success costs no Python call per message.
        # A batch counts as acknowledged when the queue has drained and no report came.
        return Producer(
            kafka.producer_config(
                error_cb=self._on_error,
                on_delivery=self._on_failed_delivery,
                **{"delivery.report.only.error": True},
            )
        )

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            logger.error("fatal producer error, recreating the producer: %s", error)
            self._fatal = True
        else:
            logger.warning("producer: %s", error)

    def _on_failed_delivery(self, error: KafkaError | None, _message: Any) -> None:
        if error is not None:
            self._failures.append(error)

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
                if sent:
                    continue  # maybe a backlog: drain it without waiting
            except DeliveryFailed as exc:
                backoff = min(MAX_BACKOFF_SECONDS, max(0.25, backoff * 2))
                logger.warning("broker unavailable (%s); retrying in %.2fs", exc, backoff)
                self.stop.wait(backoff)
                continue
            except Exception:
                logger.exception("relay iteration failed; retrying")
                connection.close()
                self._listener = None
                self._position = None  # re-read: the failed batch was not recorded
                self.stop.wait(1.0)
                self._listen()
                continue
            self._wait_for_work()
        self._close()

    def publish_batch(self) -> int:
        """Publish up to `pages` pages of `batch_size` pending rows; return how many were acked.

        Pages are produced back to back, so reading the next page overlaps the broker's work on
        the previous one, and one wait for acknowledgements covers them all.
        """
        if self._position is None:
            self._position = Position()
        position = self._position
        producer = self.producer
        self._failures.clear()
        produced = 0
        for _ in range(self.pages):
            rows = position.next_rows(self.batch_size)
            if not rows:
                break
            self._produce(producer, rows)
            produced += len(rows)
            producer.poll(0)
        if not produced:
            return 0  # (an empty window closed is not written down: the next one covers it)
        try:
            self._confirm(producer)
        except DeliveryFailed:
            position.rewind()
            raise
        position.advance()
        self.published += produced
        return produced

    @staticmethod
    def _produce(producer: Producer, rows: list[Row]) -> None:
        produce = producer.produce
        topics: dict[str, str] = {}  # logical -> broker-side name (reads settings once a page)
        for _row_id, topic, key, envelope in rows:
            name = topics.get(topic) or topics.setdefault(topic, kafka.topic_name(topic))
            while True:
                try:
                    produce(name, envelope, key, headers=HEADERS)  # str: encoded in C
                    break
                except BufferError:  # librdkafka's queue is full: let it drain
                    producer.poll(0.05)

    def _confirm(self, producer: Producer) -> None:
        # Wait for every delivery (bounded by message.timeout.ms), so nothing from this batch
        # is still queued in librdkafka when the next batch reads the outbox.
        while len(producer) > 0 and not self.stop.is_set():
            producer.flush(0.5)
        if self._failures or len(producer) > 0:
            # The retry publishes with a fresh producer. After deliveries timed out (the broker
            # was away), an idempotent producer bumps its epoch, and a broker may answer every
            # later message with PRODUCER_FENCED (the local broker does): that producer never
            # recovers. Nothing is lost by replacing it: the batch is produced again, with its
            # ids, and it has no delivery report outstanding (or the relay is stopping).
            failure = self._failures[0] if self._failures else None
            self._producer = None
            raise DeliveryFailed(str(failure) if failure else "delivery not confirmed")

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
        deleted, _ = OutboxEvent.objects.published().filter(created_at__lt=horizon).delete()
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
