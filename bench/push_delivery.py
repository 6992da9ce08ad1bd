"""Push delivery benchmark: the Celery task path against a bare pywebpush loop, and reminder
lateness end to end, all against the decrypting push-service double on loopback.

    .venv/bin/python bench/push_delivery.py [--pushes 3000] [--reminders 1000,10000]
                                            [--concurrency 2] [--send-threads 1]
                                            [--skip-throughput] [--repeat 1]

Prints figures and ratios:
- pushes/s to the double through `notifications.deliver` (real prefork worker, real broker,
  PostgreSQL) vs a bare pywebpush loop with a reused requests.Session in as many processes as
  the worker has (the ratio task path / bare);
- for each reminder count, every reminder due in the same minute, each to its own subscription:
  lateness after the due minute (p50, p99, max seconds) through the whole system — beat's
  `reminders.scan_due` on the minute, the scan, the outbox relay, the broker, the `notifications`
  consumer group, Celery, the push — and the time the bare loop needs for as many pushes at the
  same concurrency (the machine's floor). Targets: p99 <= 2 s for 1,000; p99 <= 1.5x the bare
  loop's time for 10,000; with `--repeat N`, judged on the median of N runs.

The double runs as a process of its own so that neither side shares its interpreter with it.
Everything binds to 127.0.0.1; every process started here is stopped by its own PID.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _stack import ROOT, pct, start, verdict

PAYLOAD = {
    "title": "Water the plants",
    "body": "Due Thu, Mar 5, 10:00",
    "url": "/tasks/1",
    "tag": "notification-1",
    "notification_id": 1,
    "task_id": 1,
    "reminder_id": 1,
    "timestamp": 0,
    "actions": [
        {"action": "done", "title": "Done"},
        {"action": "snooze", "title": "Snooze 10 min"},
    ],
    "action_url": "/api/push/actions/",
    "action_token": "x" * 96,
    "snooze_minutes": 10,
}


# ---------------------------------------------------------------- the double, as a process


class Double:
    def __init__(self, vapid_public_key: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="push-double-"))
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "todo_project.testing.push_service",
                "--tls-dir",
                str(self.dir),
                "--vapid-public-key",
                vapid_public_key,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        info = json.loads(self.process.stdout.readline())  # type: ignore[union-attr]
        self.origin, self.ca = info["origin"], info["ca"]
        import requests

        self.http = requests.Session()
        self.http.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment wins
        self.http.verify = self.ca
        self.seen = 0

    def subscriptions(self, count: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while len(out) < count:
            chunk = min(2000, count - len(out))
            response = self.http.post(
                f"{self.origin}/_double/subscriptions", json={"count": chunk}, timeout=120
            )
            out += response.json()
        return out

    def records(self) -> list[dict[str, Any]]:
        data = self.http.get(f"{self.origin}/_double/records?since={self.seen}", timeout=60).json()
        self.seen = data["next"]
        if data["rejected"]:
            raise SystemExit(f"the double rejected {data['rejected']} push(es)")
        return data["records"]

    def wait(self, count: int, timeout: float) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            got += self.records()
            time.sleep(0.1)
        return got

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---------------------------------------------------------------- the bare loop (the floor)


def _bare_loop(job: tuple[list[dict[str, Any]], str, str, str]) -> int:
    """One process: pywebpush with a reused session, TTL, timeouts, no redirects, and one VAPID
    token for all its pushes (signed here once, as the task path signs one per push service an
    hour: the double verifies a token's signature once either way)."""
    import requests
    from py_vapid import Vapid
    from pywebpush import webpush

    subscriptions, private_key, ca, origin = job
    vapid = Vapid.from_string(private_key=private_key)
    session = requests.Session()
    session.trust_env = False
    session.verify = ca
    data = json.dumps(PAYLOAD, separators=(",", ":"))
    claims = {"sub": "mailto:bench@todo.test", "aud": origin, "exp": int(time.time()) + 43200}
    headers = {"Urgency": "high", "Topic": "reminder1", **vapid.sign(claims)}
    for subscription in subscriptions:
        webpush(  # no vapid_claims: the Authorization header above goes as it is
            {"endpoint": subscription["endpoint"], "keys": subscription["keys"]},
            data=data,
            ttl=3600,
            timeout=(3.05, 5.0),
            headers=headers,
            requests_session=session,
        )
    return len(subscriptions)


def bare_loop_seconds(
    pool: Any, subscriptions: list[dict[str, Any]], private_key: str, double: Double, procs: int
) -> float:
    jobs = [(subscriptions[i::procs], private_key, double.ca, double.origin) for i in range(procs)]
    started = time.perf_counter()
    sent = sum(pool.map(_bare_loop, jobs))
    seconds = time.perf_counter() - started
    assert sent == len(subscriptions)
    double.wait(len(subscriptions), 60)
    return seconds


# ---------------------------------------------------------------- seeding


def seed(subscriptions: list[dict[str, Any]], *, fire_at: datetime, fired: bool) -> list[int]:
    """One user, task, reminder and subscription per double subscription. With `fired`, the
    reminders have fired and their notifications exist; else they are pending at `fire_at`."""
    from django.db import transaction

    from notifications_app.models import Notification, PushSubscription
    from tasks_app.models import Reminder, ReminderStatus, Task, User

    tag = f"b{time.monotonic_ns()}"
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"{tag}-{n}", password="!") for n in range(len(subscriptions))
        )
        tasks = Task.objects.bulk_create(
            Task(user=u, title=f"Bench task {n}", due_at=fire_at + timedelta(minutes=30))
            for n, u in enumerate(users)
        )
        status = ReminderStatus.FIRED if fired else ReminderStatus.PENDING
        reminders = Reminder.objects.bulk_create(
            Reminder(task=t, fire_at=fire_at, status=status, fired_at=fire_at if fired else None)
            for t in tasks
        )
        PushSubscription.objects.bulk_create(
            PushSubscription(
                user=u, endpoint=s["endpoint"], p256dh=s["keys"]["p256dh"], auth=s["keys"]["auth"]
            )
            for u, s in zip(users, subscriptions, strict=True)
        )
        if not fired:
            return [r.pk for r in reminders]
        notifications = Notification.objects.bulk_create(
            Notification(
                user=u, task=t, reminder=r, title=t.title, body="Due soon", url=f"/tasks/{t.pk}"
            )
            for u, t, r in zip(users, tasks, reminders, strict=True)
        )
    return [n.pk for n in notifications]


# ---------------------------------------------------------------- processes


# Send threads per worker process (PUSH_SEND_THREADS; production default 8, for push services
# tens of milliseconds away). The comparison is "at the same concurrency" as the bare loop: one
# send at a time per process, so 1 unless --send-threads says otherwise.
SEND_THREADS = 1
FETCH_WAIT_MS = 0


def push_env(double: Double, keys: tuple[str, str]) -> dict[str, str]:
    return {
        "VAPID_PRIVATE_KEY": keys[0],
        "VAPID_PUBLIC_KEY": keys[1],
        "VAPID_SUBJECT": "mailto:bench@todo.test",
        "PUSH_TEST_ENDPOINT_ORIGINS": double.origin,
        "PUSH_CA_BUNDLE": double.ca,
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "DATABASE_CONN_MAX_AGE": "60",  # as in production (the test helpers default to 0)
        "PUSH_SEND_THREADS": str(SEND_THREADS),
        **({"KAFKA_FETCH_WAIT_MAX_MS": str(FETCH_WAIT_MS)} if FETCH_WAIT_MS else {}),
    }


def worker(
    env: dict[str, str], logs: Path, concurrency: int, queues: str, pool: str = "prefork"
) -> Any:
    from todo_project.testing.processes import celery

    return celery(
        "worker",
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--queues",
        queues,
        "--loglevel",
        os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        log_path=logs / f"worker-{queues.replace(',', '-')}.log",
        **env,
    ).start()


def wait_worker_ready(double: Double, private_key: str, count: int = 4) -> None:
    """Push `count` warm-up notifications through the task path and wait for them."""
    from notifications_app.tasks import deliver
    from todo_project.common.safekafka import publish_batch

    ids = seed(double.subscriptions(count), fire_at=datetime.now(UTC), fired=True)
    with publish_batch():
        for pk in ids:
            deliver.delay(pk)
    if len(double.wait(count, 180)) < count:
        raise SystemExit("the worker did not deliver the warm-up pushes")


# ---------------------------------------------------------------- the two measurements


def throughput(
    pushes: int, concurrency: int, double: Double, keys: tuple[str, str], pool: Any, logs: Path
) -> None:
    from notifications_app.tasks import deliver
    from todo_project.common.safekafka import publish_batch

    bare_subs = double.subscriptions(pushes)
    bare = bare_loop_seconds(pool, bare_subs, keys[0], double, concurrency)

    process = worker(push_env(double, keys), logs, concurrency, "notifications")
    try:
        wait_worker_ready(double, keys[0])
        ids = seed(double.subscriptions(pushes), fire_at=datetime.now(UTC), fired=True)
        started = time.perf_counter()
        with publish_batch():
            for pk in ids:
                deliver.delay(pk)
        got = double.wait(pushes, 600)
        task_path = time.perf_counter() - started
    finally:
        process.stop()
    assert len(got) >= pushes, f"only {len(got)} of {pushes} arrived"
    task_rate, bare_rate = pushes / task_path, pushes / bare
    print(
        f"task path: {pushes} pushes in {task_path:.2f}s = {task_rate:,.0f} pushes/s "
        f"(prefork worker, concurrency {concurrency}, enqueue included)"
    )
    print(
        f"bare pywebpush loop: {pushes} pushes in {bare:.2f}s = {bare_rate:,.0f} pushes/s "
        f"({concurrency} processes, one reused session each)"
    )
    print(f"  ratio task path / bare = {task_rate / bare_rate:.2f}")


def lateness(
    reminders: int,
    concurrency: int,
    double: Double,
    keys: tuple[str, str],
    pool: Any,
    logs: Path,
    separate_scan_worker: bool,
) -> dict[str, float]:
    from django.core.management import call_command

    from todo_project.testing.processes import celery, manage

    # The floor is measured before and after the run (the machine is shared: its load drifts).
    floors = [
        bare_loop_seconds(pool, double.subscriptions(reminders), keys[0], double, concurrency)
    ]

    env = push_env(double, keys)
    subscriptions = double.subscriptions(reminders)
    workers = (
        [worker(env, logs, concurrency, "notifications"), worker(env, logs, 1, "default", "solo")]
        if separate_scan_worker
        else [worker(env, logs, concurrency, "default,notifications")]  # as in the Procfile
    )
    processes = [
        *workers,
        manage("relay_outbox", log_path=logs / "relay.log", **env).start(),
        manage("consume_events", log_path=logs / "consumer.log", **env).start(),
    ]
    try:
        wait_worker_ready(double, keys[0])
        # The due minute: the next one at least 25 s away, leaving time to seed and settle.
        due = (datetime.now(UTC) + timedelta(seconds=85)).replace(second=0, microsecond=0)
        reminder_ids = set(seed(subscriptions, fire_at=due, fired=False))
        call_command("setup_periodic_tasks", stdout=open(os.devnull, "w"))  # noqa: SIM115
        processes.append(
            celery("beat", "--loglevel", "INFO", log_path=logs / "beat.log", **env).start()
        )
        wait = (due - datetime.now(UTC)).total_seconds()
        print(f"  {reminders} reminders due at {due:%H:%M:%S}Z (in {wait:.0f}s)", flush=True)
        got = double.wait(reminders, max(120.0, wait + reminders / 10))
    finally:
        for process in reversed(processes):
            process.stop()
    arrived = {
        r["payload"]["reminder_id"]: r["at"]
        for r in got
        if r["payload"].get("reminder_id") in reminder_ids
    }
    if len(arrived) < reminders:
        raise SystemExit(f"only {len(arrived)} of {reminders} reminders were pushed; see {logs}")
    floors.append(
        bare_loop_seconds(pool, double.subscriptions(reminders), keys[0], double, concurrency)
    )
    floor = sum(floors) / 2
    late = [at - due.timestamp() for at in arrived.values()]
    figures = {"p50": pct(late, 50), "p99": pct(late, 99), "max": max(late), "floor": floor}
    print(
        f"lateness of {reminders} reminders due in the same minute: p50 {figures['p50']:.2f}s, "
        f"p99 {figures['p99']:.2f}s, max {figures['max']:.2f}s after the due minute"
    )
    stages(reminder_ids, due)
    print(
        f"  bare pywebpush loop, {reminders} pushes at concurrency {concurrency}: "
        f"{floors[0]:.2f}s before, {floors[1]:.2f}s after the run, mean {floor:.2f}s"
    )
    print(f"  ratio p99 / bare loop = {figures['p99'] / floor:.2f}")
    return figures


def stages(reminder_ids: set[int], due: datetime) -> None:
    """Where the time went: each stage's min / p50 / max, seconds after the due minute."""
    from notifications_app.models import DeliveryAttempt, Notification, PushDelivery
    from todo_project.common import kafka
    from todo_project.common.models import OutboxEvent, ProcessedEvent
    from todo_project.testing.events import read_topic

    def spread(values: list[datetime]) -> str:
        late = [(v - due).total_seconds() for v in values if v is not None]
        return f"{min(late):.2f} / {pct(late, 50):.2f} / {max(late):.2f}"

    ids = list(reminder_ids)
    notifications = Notification.objects.filter(reminder_id__in=ids)
    subjects = {f"reminders/{pk}" for pk in ids}
    due_events = [
        event
        for event in OutboxEvent.objects.filter(
            type="reminder.due", created_at__gte=due - timedelta(minutes=1)
        )
        if event.envelope["subject"] in subjects
    ]
    due_ids = {str(event.event_id) for event in due_events}
    on_topic = read_topic(  # this run's events only: earlier runs wrote to the topic too
        kafka.REMINDERS,
        expected=len(due_ids),
        timeout=60,
        match=lambda m: (m["envelope"] or {}).get("id") in due_ids,
    )
    rows = {
        # When the scan wrote the event, before its batch committed: a scan beat sent early
        # prepares the minute's first batch before it (negative) and commits on it.
        "outbox row written": [event.created_at for event in due_events],
        "reminder.due published": [m["timestamp"] for m in on_topic],
        "consumer handled it": ProcessedEvent.objects.filter(
            group="notifications", event_id__in=[event.event_id for event in due_events]
        ).values_list("processed_at", flat=True),
        "taken for push (planned)": PushDelivery.objects.filter(
            notification__in=notifications
        ).values_list("created_at", flat=True),
        "push answered": DeliveryAttempt.objects.filter(notification__in=notifications).values_list(
            "attempted_at", flat=True
        ),
    }
    print("  stages, min / p50 / max seconds after the due minute:")
    for label, values in rows.items():
        print(f"    {label:<27}{spread(list(values))}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pushes", type=int, default=3000)
    parser.add_argument("--reminders", default="1000,10000")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="lateness runs per reminder count; the targets are judged on the median run "
        "(one run's p99 moves by a second with the shared machine's speed)",
    )
    parser.add_argument(
        "--send-threads",
        type=int,
        default=1,
        help="PUSH_SEND_THREADS of the worker (default 1: one send at a time per process, the "
        "bare loop's concurrency; production uses 8 for push services tens of ms away)",
    )
    parser.add_argument(
        "--separate-scan-worker",
        action="store_true",
        help="run the scan (queue default) in a solo worker of its own instead of sharing the "
        "notifications worker's processes, as `make run` does",
    )
    parser.add_argument(
        "--fetch-wait-ms",
        type=int,
        default=0,
        help="KAFKA_FETCH_WAIT_MAX_MS of every consumer (the chart's: 100); 0: the local "
        "defaults (Celery 10 ms, events 50 ms)",
    )
    args = parser.parse_args()
    global SEND_THREADS, FETCH_WAIT_MS
    SEND_THREADS, FETCH_WAIT_MS = args.send_threads, args.fetch_wait_ms

    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    start()
    from notifications_app.webpush import generate_vapid_keys
    from todo_project.celery import app  # noqa: F401  (tasks publish through the real broker)

    keys = generate_vapid_keys()
    double = Double(vapid_public_key=keys[1])
    logs = Path(tempfile.mkdtemp(prefix="push-bench-"))
    pool = multiprocessing.get_context("spawn").Pool(args.concurrency)
    pool.map(abs, range(args.concurrency))  # the pool's processes are up before timing
    print(
        f"machine: {os.cpu_count()} cores; worker concurrency {args.concurrency}, "
        f"{SEND_THREADS} send thread(s) per process; logs in {logs}"
    )
    try:
        if not args.skip_throughput:
            print("== pushes per second: Celery task path vs bare pywebpush loop")
            throughput(args.pushes, args.concurrency, double, keys, pool, logs)
        results: dict[int, list[dict[str, float]]] = {}
        for count in (int(c) for c in args.reminders.split(",") if c):
            for run in range(1, args.repeat + 1):
                of = f" (run {run} of {args.repeat})" if args.repeat > 1 else ""
                print(f"== end-to-end lateness, {count} reminders due in the same minute{of}")
                results.setdefault(count, []).append(
                    lateness(
                        count, args.concurrency, double, keys, pool, logs, args.separate_scan_worker
                    )
                )
        for count, runs in results.items():
            p99s = [figures["p99"] for figures in runs]
            ratios = [figures["p99"] / figures["floor"] for figures in runs]
            if len(runs) > 1:
                print(
                    f"{count} reminders, {len(runs)} runs: p99 "
                    + ", ".join(f"{p:.2f}" for p in p99s)
                    + " s; p99 / bare loop "
                    + ", ".join(f"{r:.2f}" for r in ratios)
                )
            median_run = "" if len(runs) == 1 else f" (median of {len(runs)} runs)"
            if count == 1000:
                p99 = statistics.median(p99s)
                print(f"target p99 <= 2 s for 1,000: {p99:.2f}s{median_run}: {verdict(p99 <= 2.0)}")
            if count == 10000:
                ratio = statistics.median(ratios)
                print(
                    f"target p99 <= 1.5x bare loop for 10,000: {ratio:.2f}x{median_run}: "
                    f"{verdict(ratio <= 1.5)}"
                )
    finally:
        pool.terminate()
        double.stop()


if __name__ == "__main__":
    main()
