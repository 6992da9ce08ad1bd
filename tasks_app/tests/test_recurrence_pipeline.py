"""Event-driven recurrence through the real processes: relay → broker → consumer → Celery.

PostgreSQL, the broker, the relay, the consumer and a prefork Celery worker all run for real;
the consumer is killed with -9 while it works through `task.completed` events.
"""

import time
from datetime import datetime

import pytest
from django.db.models import Count

from tasks_app import services
from tasks_app.models import Task
from tasks_app.tests.factories import UserFactory
from todo_project.testing.processes import celery, manage
from todo_project.testing.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def successors() -> int:
    return Task.objects.filter(spawned_from__isnull=False).count()


def test_consumer_killed_mid_stream_every_next_occurrence_exists_exactly_once(kafka, tmp_path):
    user = UserFactory(timezone="America/New_York")
    completed = []
    for n in range(60):
        task = services.task_create(
            user=user,
            title=f"habit {n}",
            due=datetime(2031, 1, 1, 7, 0),
            recurrence_spec=services.RecurrenceInput("FREQ=DAILY"),
        )
        completed.append(services.task_complete(task=task))

    worker = celery(
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        "2",
        "--queues",
        "default",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        log_path=tmp_path / "worker.log",
    ).start()
    relay = manage("relay_outbox", log_path=tmp_path / "relay.log").start()
    consumer = manage("consume_events", "--group", "recurrence", log_path=tmp_path / "c.log")
    consumer.start()
    try:
        assert wait_until(lambda: successors() >= 5, 90), (tmp_path / "c.log").read_text()
        consumer.kill()
        killed_at = successors()
        consumer = manage("consume_events", "--group", "recurrence", log_path=tmp_path / "c.log")
        consumer.start()
        assert wait_until(lambda: successors() >= 60, 120), (tmp_path / "worker.log").read_text()
        time.sleep(3)  # redelivered events and retried tasks get their chance to duplicate
    finally:
        for process in (consumer, relay, worker):
            process.stop()

    per_series = Task.objects.values("series").annotate(n=Count("id"))
    assert {row["n"] for row in per_series} == {2}  # the original and exactly one next
    assert all(Task.objects.filter(spawned_from=t).count() == 1 for t in completed)
    print(f"consumer killed after {killed_at} of 60 next occurrences")
