"""The one way to emit a domain event: append it to the outbox inside the caller's transaction.

Nothing talks to Kafka inside a request. `relay_outbox` publishes the rows after commit; on
PostgreSQL a NOTIFY (delivered only if the transaction commits) wakes it at once.
"""

from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import OutboxEvent

SCHEMA_VERSION = 1
NOTIFY_CHANNEL = "outbox"


def emit(
    *, topic: str, key: str | int, type: str, subject: str, data: dict[str, Any]
) -> OutboxEvent:
    """Append one CloudEvents 1.0 event. Must run inside the transaction making the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("emit() must be called inside the transaction that makes the change")
    event = OutboxEvent(topic=topic, key=str(key), type=type)
    event.envelope = {
        "specversion": "1.0",
        "id": str(event.event_id),
        "source": f"{settings.EVENTS_SOURCE}/{topic}",
        "type": type,
        "time": timezone.now().isoformat().replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": {"schema_version": SCHEMA_VERSION, **data},
    }
    event.save()
    if connection.vendor == "postgresql":
        # Delivered at commit, never on rollback; Postgres folds repeats within a transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [NOTIFY_CHANNEL])
    return event
