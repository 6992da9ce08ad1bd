"""The one way to emit a domain event: append it to the outbox inside the caller's transaction.

Nothing talks to Kafka inside a request. `relay_outbox` publishes the rows after commit; on
PostgreSQL a statement trigger on the outbox table NOTIFYs it (delivered only on commit), so
emitting costs one INSERT and no extra round trip.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .bulk import bulk_insert
from .models import OutboxEvent

SCHEMA_VERSION = 1
NOTIFY_CHANNEL = "outbox"


@dataclass(frozen=True)
class Event:
    topic: str
    key: str | int
    type: str
    subject: str
    data: dict[str, Any]


def emit_many(events: list[Event], *, time: datetime | None = None) -> list[OutboxEvent]:
    """Append CloudEvents 1.0 events in order. Must run inside the transaction making the change.

    `time`, the CloudEvents `time` of the occurrence, is now unless the caller says when it
    happened (the reminder scan prepares a minute's events before it strikes).

    OUTBOX_ENABLED=false turns emission off; it exists only so the benchmark can measure what
    the outbox costs a request. With it off, nothing event-driven happens.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("events must be emitted inside the transaction that makes the change")
    if not settings.OUTBOX_ENABLED or not events:
        return []
    now = (time or timezone.now()).astimezone(UTC).isoformat().replace("+00:00", "Z")
    rows = []
    for event in events:
        row = OutboxEvent(topic=event.topic, key=str(event.key), type=event.type)
        row.envelope = {
            "specversion": "1.0",
            "id": str(row.event_id),
            "source": f"{settings.EVENTS_SOURCE}/{event.topic}",
            "type": event.type,
            "time": now,
            "subject": event.subject,
            "datacontenttype": "application/json",
            "data": {"schema_version": SCHEMA_VERSION, **event.data},
        }
        rows.append(row)
    return bulk_insert(OutboxEvent, rows)
