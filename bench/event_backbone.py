"""Event backbone benchmark: relay throughput, the outbox's cost per request, scan scaling.

    .venv/bin/python bench/event_backbone.py [--events 20000] [--requests 400] [--big 1000000]

Prints figures and the ratio of each against its baseline:
- relay events/s vs a bare confluent-kafka producer on the same broker (target >= 0.5);
- API task creation with the outbox vs the same endpoint with emission off (target <= 1.1x);
- the scan of 10,000 due reminders among 10,000 rows vs among --big rows (target <= 1.5x).
"""

from __future__ import annotations

import argparse
import json
import threading
import time

from _stack import median, start, timed, verdict


def relay_vs_bare(events: int, rounds: int = 5) -> None:
    """Both sides warm (producer connected, topic metadata known), `rounds` rounds, medians.

    Timing a cold start measures connection set-up (the first run of this bench did: bare
    0.54 s for 20,000 messages cold, 0.05-0.14 s warm), not throughput.
    """
    from confluent_kafka import Producer

    from todo_project.common import kafka
    from todo_project.common.models import OutboxEvent
    from todo_project.common.relay import HEADERS, Relay

    envelope = {"specversion": "1.0", "type": "bench", "data": {"n": 0, "pad": "x" * 200}}

    def seed(count: int) -> None:
        OutboxEvent.objects.bulk_create(
            OutboxEvent(topic=kafka.TASK_EVENTS, key=str(n % 500), type="bench", envelope=envelope)
            for n in range(count)
        )

    relay = Relay(stop=threading.Event())  # as deployed: OUTBOX_BATCH_SIZE rows a page, 2 pages
    producer = Producer(kafka.producer_config())
    value = json.dumps(envelope).encode()
    topic = kafka.topic_name(kafka.TASK_EVENTS)

    def drain() -> None:
        while relay.publish_batch():
            pass

    def bare() -> None:
        for n in range(events):
            while True:
                try:
                    producer.produce(topic, key=str(n % 500).encode(), value=value, headers=HEADERS)
                    break
                except BufferError:
                    producer.poll(0.01)
        producer.flush(60)

    seed(100)  # warm-up: connections, metadata, the outbox's first pages
    drain()
    producer.produce(topic, value=value)
    producer.flush(30)
    relay_runs, bare_runs = [], []
    for _ in range(rounds):
        seed(events)
        relay.published = 0
        relay_runs.append(timed(drain))
        assert relay.published == events, relay.published
        bare_runs.append(timed(bare))
    relay_seconds, bare_seconds = median(relay_runs), median(bare_runs)
    relay_rate, bare_rate = events / relay_seconds, events / bare_seconds
    ratio = relay_rate / bare_rate
    runs = " / ".join(f"{r:.2f}" for r in relay_runs)
    print(f"relay: {events} events in {relay_seconds:.2f}s = {relay_rate:,.0f} events/s ({runs} s)")
    runs = " / ".join(f"{r:.2f}" for r in bare_runs)
    print(
        f"bare producer: {events} messages in {bare_seconds:.2f}s = {bare_rate:,.0f} msgs/s "
        f"({runs} s)"
    )
    print(f"  ratio relay/bare = {ratio:.2f} (target >= 0.5: {verdict(ratio >= 0.5)})")
    relay._close()  # flushes its producer and closes its connections


def api_outbox_cost(requests: int) -> None:
    from django.conf import settings
    from rest_framework.test import APIClient

    from tasks_app.models import User

    user = User.objects.create_user("bench", password="x-long-enough-password")
    client = APIClient()
    client.force_authenticate(user)
    body = {
        "title": "Bench task",
        "due_at": "2031-01-01T09:00",
        "tags": ["bench"],
        "recurrence": {"rule": "FREQ=DAILY"},
        "reminders": [{"offset_minutes": 15}],
    }
    timings: dict[bool, list[float]] = {True: [], False: []}
    for n in range(requests * 2):
        enabled = n % 2 == 0  # interleaved so drift and noise hit both sides alike
        settings.OUTBOX_ENABLED = enabled
        started = time.perf_counter()
        response = client.post("/api/tasks/", body, format="json")
        timings[enabled].append(time.perf_counter() - started)
        assert response.status_code == 201, response.content
    settings.OUTBOX_ENABLED = True
    on, off = median(timings[True]) * 1000, median(timings[False]) * 1000
    ratio = on / off
    print(f"POST /api/tasks/ median with outbox {on:.2f} ms, emission off {off:.2f} ms")
    print(f"  ratio = {ratio:.2f}x (target <= 1.1x: {verdict(ratio <= 1.1)})")


def scan_scaling(due: int, big: int) -> None:
    from django.db import connection

    from tasks_app import services
    from tasks_app.models import Reminder, Task, User
    from todo_project.common.models import OutboxEvent

    user = User.objects.create_user("scan", password="x-long-enough-password")
    task = Task.objects.create(user=user, title="Scan bench")

    def seed(background: int) -> None:
        Reminder.objects.all().delete()
        OutboxEvent.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM notifications_app_notification")
            # History and future reminders that the scan must not pay for.
            cursor.execute(
                """INSERT INTO tasks_app_reminder (task_id, fire_at, status, created_at)
                   SELECT %s, now() - (g || ' seconds')::interval,
                          CASE WHEN g %% 10 = 0 THEN 'pending' ELSE 'fired' END, now()
                   FROM generate_series(1, %s) g""",
                [task.pk, background],
            )
            cursor.execute(
                "UPDATE tasks_app_reminder SET fire_at = now() + interval '30 days' "
                "WHERE status = 'pending'"
            )
            cursor.execute(
                """INSERT INTO tasks_app_reminder (task_id, fire_at, status, created_at)
                   SELECT %s, now() - (g || ' milliseconds')::interval, 'pending', now()
                   FROM generate_series(1, %s) g""",
                [task.pk, due],
            )
            cursor.execute("ANALYZE tasks_app_reminder")

    results = {}
    for label, background in (("small", 0), ("big", big - due)):
        seed(background)
        seconds = timed(lambda: services.reminders_fire_due())
        fired = Reminder.objects.filter(status="fired", fired_at__isnull=False).count()
        assert fired == due, fired
        results[label] = seconds
        print(
            f"scan: {due} due among {background + due:,} rows: {seconds:.2f}s "
            f"({due / seconds:,.0f} reminders/s)"
        )
    ratio = results["big"] / results["small"]
    print(f"  ratio big/small = {ratio:.2f} (target <= 1.5: {verdict(ratio <= 1.5)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--due", type=int, default=10000)
    parser.add_argument("--big", type=int, default=1_000_000)
    args = parser.parse_args()
    start()
    print("== relay throughput")
    relay_vs_bare(args.events)
    print("== outbox cost per API request")
    api_outbox_cost(args.requests)
    print("== reminder scan scaling")
    scan_scaling(args.due, args.big)


if __name__ == "__main__":
    main()
