"""safekafka: a kombu transport for Kafka-API brokers that loses no task (at-least-once).

Importing this package registers the ``safekafka://`` URL scheme with kombu, so
``Celery(broker="safekafka://host:9092")`` works. See README.md in this folder.
"""

from __future__ import annotations

from kombu.transport import TRANSPORT_ALIASES

from .celery_config import celery_settings, check_celery_app, refuse_unsafe_workers
from .config import transport_options
from .errors import PublishError, PublishTimeout, TopicUnavailable, UnsafeConfiguration
from .publisher import publish_batch

TRANSPORT = "todo_project.common.safekafka.transport:Transport"


def register(alias: str = "safekafka") -> None:
    """Make ``alias://`` resolve to this transport (done once on import)."""
    TRANSPORT_ALIASES[alias] = TRANSPORT


register()

__all__ = [
    "PublishError",
    "PublishTimeout",
    "TopicUnavailable",
    "UnsafeConfiguration",
    "celery_settings",
    "check_celery_app",
    "publish_batch",
    "refuse_unsafe_workers",
    "register",
    "transport_options",
]
