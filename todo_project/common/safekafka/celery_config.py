"""Celery settings this transport's guarantees rely on, and a start-up check for them.

The transport never commits past an unsettled message, but Celery decides when a message is
settled: with early acks a task killed mid-run is already settled, hence lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import transport_options
from .errors import UnsafeConfiguration

#: Celery settings for at-least-once delivery on this transport.
SAFE_CELERY_SETTINGS: dict[str, Any] = {
    # Ack after the task ran, so a crash mid-task leaves it unsettled and it runs again.
    "task_acks_late": True,
    # A pool process killed mid-task (OOM killer) requeues the task instead of settling it.
    "task_reject_on_worker_lost": True,
    # No fanout on Kafka: remote control, events and the worker-to-worker steps do nothing.
    "worker_enable_remote_control": False,
    "worker_send_task_events": False,
    "task_send_sent_event": False,
    "broker_connection_retry_on_startup": True,
}


def celery_settings(
    kafka_settings: Mapping[str, Any],
    *,
    topic_prefix: str,
    heartbeat_file: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Celery settings for an app on this transport (``app.conf.update(**celery_settings(...))``).

    ``topic_prefix`` makes the app's topics and consumer group its own on a shared cluster.
    """
    if heartbeat_file is not None:
        options["heartbeat_file"] = heartbeat_file
    return {
        **SAFE_CELERY_SETTINGS,
        "broker_url": "safekafka://",
        "broker_transport_options": transport_options(
            kafka_settings, topic_prefix=topic_prefix, **options
        ),
    }


def check_celery_app(app: Any) -> None:
    """Raise :class:`UnsafeConfiguration` for settings under which a crash loses tasks."""
    conf = app.conf
    if not str(conf.broker_url or "").startswith("safekafka"):
        return
    problems = [
        f"{name}={conf[name]!r} (needs {wanted!r})"
        for name, wanted in (("task_acks_late", True), ("task_reject_on_worker_lost", True))
        if conf[name] != wanted
    ]
    if problems:
        raise UnsafeConfiguration(
            "refusing to start: with " + ", ".join(problems) + " a worker crash loses tasks"
        )


def refuse_unsafe_workers(app: Any) -> None:
    """Make ``celery worker`` for ``app`` exit at start-up when its settings are unsafe."""
    from celery import bootsteps

    class RefuseUnsafeSettings(bootsteps.Step):
        """A worker bootstep: errors in signal handlers are only logged, these stop the worker."""

        def __init__(self, parent: Any, **kwargs: Any) -> None:
            check_celery_app(parent.app)
            super().__init__(parent, **kwargs)

    app.steps["worker"].add(RefuseUnsafeSettings)
