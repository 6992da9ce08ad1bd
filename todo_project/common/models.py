import json
import uuid
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL


class JSONTextField(models.TextField):
    """JSON kept as the text it was written as (compact), read back as Python values.

    The relay sends an event's stored text to the broker as it is: no `jsonb` to text conversion
    in PostgreSQL (half of the relay's reading time) and no parse on insert.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else json.dumps(value, separators=(",", ":"))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))


# Whether the relay has published a row. On PostgreSQL the position is a pair of snapshots (see
# RelayPosition) tested against the `txid` column that migration 0004 adds (not a model field:
# SQLite has no transaction ids). On SQLite, where writers take turns, ids commit in order.
_PUBLISHED_SQL = {
    "postgresql": """COALESCE((
        SELECT pg_visible_in_snapshot(common_outboxevent.txid, p.done_snapshot::pg_snapshot)
            OR (p.window_snapshot <> ''
                AND pg_visible_in_snapshot(common_outboxevent.txid, p.window_snapshot::pg_snapshot)
                AND common_outboxevent.id <= p.last_id)
        FROM common_relayposition p WHERE p.id = 1), false)""",
    "sqlite": """COALESCE(
        common_outboxevent.id <= (SELECT last_id FROM common_relayposition WHERE id = 1), false)""",
}


# The relay's next rows, the open window (see RelayPosition): committed since `done`, visible in
# `window`; TXID_RANGE is where they can be (no earlier row is in it), for the index on txid.
IN_WINDOW = """pg_visible_in_snapshot(txid, %(window)s::pg_snapshot)
    AND NOT pg_visible_in_snapshot(txid, %(done)s::pg_snapshot)"""
TXID_RANGE = "txid >= pg_snapshot_xmin(%(done)s::pg_snapshot)"

# Rows below the done snapshot's xmin are all published: the index on `txid` skips them.
_PENDING_SQL = {
    "postgresql": """common_outboxevent.txid >= COALESCE((
        SELECT pg_snapshot_xmin(done_snapshot::pg_snapshot) FROM common_relayposition WHERE id = 1
        ), '0'::xid8) AND NOT """
    + _PUBLISHED_SQL["postgresql"],
    "sqlite": "NOT " + _PUBLISHED_SQL["sqlite"],
}


class OutboxQuerySet(models.QuerySet):
    def with_published(self) -> "OutboxQuerySet":
        """Annotates `published`: whether the relay has published the row."""
        sql = _PUBLISHED_SQL[connection.vendor]
        return self.annotate(published=RawSQL(sql, [], output_field=models.BooleanField()))

    def pending(self) -> "OutboxQuerySet":
        """Rows the relay has not published yet."""
        sql = _PENDING_SQL[connection.vendor]
        return self.filter(RawSQL(sql, [], output_field=models.BooleanField()))

    def published(self) -> "OutboxQuerySet":
        return self.with_published().filter(published=True)


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it describes.

    `relay_outbox` publishes rows in commit order (id order within a commit) and records how far
    it got in `RelayPosition` once the broker has acknowledged them. `event_id` is the
    CloudEvents id; `envelope` is the CloudEvents JSON exactly as the broker receives it.
    """

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(max_length=100, help_text="Logical topic name (without prefix)")
    key = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    envelope = JSONTextField(help_text="CloudEvents 1.0 structured JSON")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.key}"


class RelayPosition(models.Model):
    """How far the relay has published: one row (id 1), written after each acknowledged batch.

    PostgreSQL: every outbox row whose transaction is visible in `done_snapshot` is published.
    The relay publishes the next *window*, the rows whose transaction is visible in
    `window_snapshot` (a snapshot taken when the window opened) but not in `done_snapshot`, in
    id order; the window's rows up to `last_id` are published. When the window is exhausted it
    becomes `done_snapshot`. A transaction that commits late (a low id committed after higher
    ones) falls into a later window, so nothing is skipped, and marking a batch published is one
    UPDATE of this row instead of one per event. This is PgQ's batching, on a `pg_snapshot`.

    SQLite (one writer at a time, so ids commit in order): rows up to `last_id` are published.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    done_snapshot = models.TextField(default="1:1:")  # "1:1:": no transaction is visible
    window_snapshot = models.TextField(blank=True, default="")
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"relay position (last id {self.last_id})"


class ProcessedEvent(models.Model):
    """Marks an event as handled by one consumer group, so a redelivery is a no-op."""

    group = models.CharField(max_length=100)
    event_id = models.UUIDField()
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "event_id"], name="processed_once_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.event_id}"
