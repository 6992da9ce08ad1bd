"""The Celery app the transport's tests and benchmarks run in real worker processes.

Configured entirely from environment variables so each test can start workers with its own
broker, queues and settings; no Django. Every task execution appends one line to
``SAFEKAFKA_RECORD`` (O_APPEND, one write per line) so runs can be counted after ``kill -9``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from celery import Celery
from celery.exceptions import Reject

from todo_project.common.safekafka import refuse_unsafe_workers

RECORD = os.environ.get("SAFEKAFKA_RECORD", "/dev/null")
QUEUE = os.environ.get("SAFEKAFKA_QUEUE", "celery")

app = Celery("safekafka_tests", broker=os.environ.get("SAFEKAFKA_BROKER", "memory://"))
app.conf.update(
    task_default_queue=QUEUE,
    task_acks_late=os.environ.get("SAFEKAFKA_ACKS_LATE", "1") == "1",
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=int(os.environ.get("SAFEKAFKA_PREFETCH", "4")),
    worker_enable_remote_control=False,
    worker_send_task_events=False,
    broker_connection_retry_on_startup=True,
    broker_transport_options=json.loads(os.environ.get("SAFEKAFKA_OPTIONS", "{}")),
    task_ignore_result=True,
)
refuse_unsafe_workers(app)


def _record(kind: str, key: str, extra: str = "") -> None:
    line = f"{kind} {key} {os.getpid()} {time.time():.6f} {extra}\n".encode()
    fd = os.open(RECORD, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


@app.task(name="safekafka.tests.work")
def work(key: str, seconds: float = 0.0, sent_at: float = 0.0) -> None:
    """Record the start (with the latency since ``sent_at``), sleep, record the completion."""
    _record("S", key, f"{time.time() - sent_at:.6f}" if sent_at else "")
    if seconds:
        time.sleep(seconds)
    _record("E", key)


@app.task(name="safekafka.tests.reject_once", bind=True)
def reject_once(self: object, key: str, marker: str) -> None:
    """Requeue itself the first time it runs (marker file absent), then complete normally."""
    _record("S", key)
    if not Path(marker).exists():
        Path(marker).write_text("rejected")
        raise Reject("first run requeues", requeue=True)
    _record("E", key)
