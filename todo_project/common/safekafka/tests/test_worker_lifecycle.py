"""Real workers through shutdown, requeue, rebalance, broker outage and long tasks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from todo_project.common.safekafka import PublishError, publish_batch
from todo_project.testing.kafka_broker import KafkaBroker

from .harness import Outcome, Records, WorkerProcess, client_app, publish_work, wait_for

SETTLE_TIMEOUT = 120.0


def _url(broker: KafkaBroker) -> str:
    return f"safekafka://{broker.bootstrap_servers}"


def test_sigterm_mid_run_loses_and_duplicates_nothing(
    kafka_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    records: Records,
    transport_options: dict[str, Any],
) -> None:
    publisher = client_app(_url(kafka_broker), transport_options)
    first = start_worker(queues=("term",), concurrency=2, prefetch_multiplier=4)
    first.wait_assigned()
    keys = publish_work(publisher, [f"term-{i}" for i in range(200)], queue="term", seconds=0.02)
    wait_for(lambda: records.completed_count() >= 60, SETTLE_TIMEOUT, 0.01)

    first.terminate()
    second = start_worker(queues=("term",), concurrency=2, prefetch_multiplier=4)
    wait_for(lambda: records.distinct_completed(keys) == len(keys), SETTLE_TIMEOUT)
    second.terminate()

    outcome = Outcome.of(records, keys)
    print(f"sigterm: {outcome.summary()}")
    assert outcome.lost == []
    assert outcome.duplicated == {}


def test_reject_requeue_runs_that_task_again_and_nothing_else(
    kafka_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    records: Records,
    transport_options: dict[str, Any],
    tmp_path: Path,
) -> None:
    publisher = client_app(_url(kafka_broker), transport_options)
    worker = start_worker(queues=("rej",), concurrency=2, prefetch_multiplier=4)
    worker.wait_assigned()
    keys = [f"rej-{i}" for i in range(40)]
    marker = tmp_path / "rejected-once"

    with publish_batch():
        for i, key in enumerate(keys):
            if i == 20:
                publisher.send_task(
                    "safekafka.tests.reject_once", args=(key, str(marker)), queue="rej"
                )
            else:
                publisher.send_task("safekafka.tests.work", args=(key, 0.02), queue="rej")
    wait_for(lambda: records.distinct_completed(keys) == len(keys), SETTLE_TIMEOUT)
    worker.terminate()

    outcome = Outcome.of(records, keys)
    assert marker.exists()
    assert records.starts()["rej-20"] == 2
    assert outcome.lost == []
    assert outcome.duplicated == {}


def test_second_worker_joining_then_killed_loses_nothing(
    kafka_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    records: Records,
    transport_options: dict[str, Any],
) -> None:
    publisher = client_app(_url(kafka_broker), transport_options)
    first = start_worker(queues=("join",), concurrency=2)
    first.wait_assigned()
    keys = publish_work(publisher, [f"join-a{i}" for i in range(150)], queue="join", seconds=0.03)
    wait_for(lambda: records.completed_count() >= 40, SETTLE_TIMEOUT, 0.01)

    second = start_worker(queues=("join",), concurrency=2)
    second.wait_assigned()
    second_pids = {str(pid) for pid in wait_children(second)}
    keys += publish_work(publisher, [f"join-b{i}" for i in range(150)], queue="join", seconds=0.03)
    took_work = wait_for(lambda: _completed_by(records, second_pids) >= 10, SETTLE_TIMEOUT, 0.01)
    second.kill9()
    wait_for(lambda: records.distinct_completed(keys) == len(keys), SETTLE_TIMEOUT)
    first.terminate()

    outcome = Outcome.of(records, keys)
    print(f"join-then-kill: {outcome.summary()}")
    assert took_work, second.log()[-3000:]
    assert outcome.lost == [], first.log()[-3000:]


def wait_children(worker: WorkerProcess) -> list[int]:
    wait_for(lambda: len(worker.children()) >= worker.concurrency, 60.0)
    return worker.children()


def _completed_by(records: Records, pids: set[str]) -> int:
    return sum(1 for parts in records.lines() if parts[0] == "E" and parts[2] in pids)


def test_task_longer_than_max_poll_interval_runs_once(
    kafka_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    records: Records,
    transport_options: dict[str, Any],
) -> None:
    # The solo pool runs the task on the consuming thread: the worst case for group membership.
    options = {
        **transport_options,
        "kafka_consumer_config": {
            **transport_options["kafka_consumer_config"],
            "max.poll.interval.ms": 6000,
        },
    }
    publisher = client_app(_url(kafka_broker), options)
    worker = start_worker(queues=("long",), pool="solo", concurrency=1, transport_options=options)
    worker.wait_assigned()

    keys = ["long-0", *publish_work(publisher, ["long-1", "long-2"], queue="long")]
    publish_work(publisher, keys[:1], queue="long", seconds=10.0)
    wait_for(lambda: records.distinct_completed(keys) == len(keys), SETTLE_TIMEOUT)
    # Long enough for a group eviction and redelivery to show up if it happened.
    time.sleep(8)
    worker.terminate()

    assert records.starts()["long-0"] == 1
    assert Outcome.of(records, keys).duplicated == {}
    assert " lost " not in worker.log()


def test_worker_on_two_queues_runs_traffic_of_the_second(
    kafka_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    records: Records,
    transport_options: dict[str, Any],
) -> None:
    publisher = client_app(_url(kafka_broker), transport_options)
    worker = start_worker(queues=("first", "second"), concurrency=2)
    worker.wait_assigned()

    keys = []
    for i in range(10):
        keys += publish_work(publisher, [f"second-{i}"], queue="second")
        time.sleep(0.05)
    wait_for(lambda: records.distinct_completed(keys) == len(keys), SETTLE_TIMEOUT)
    worker.terminate()

    latencies = sorted(records.latencies())
    print(f"second-queue latency p50 {latencies[len(latencies) // 2] * 1000:.1f} ms (info only)")
    assert Outcome.of(records, keys).lost == []


def test_worker_touches_its_heartbeat_file(
    kafka_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    transport_options: dict[str, Any],
    tmp_path: Path,
) -> None:
    heartbeat = tmp_path / "worker.alive"
    options = {**transport_options, "heartbeat_file": str(heartbeat), "heartbeat_interval": 0.5}
    worker = start_worker(queues=("hb",), transport_options=options)

    assert wait_for(heartbeat.exists, 60.0)
    first = heartbeat.stat().st_mtime
    assert wait_for(lambda: heartbeat.stat().st_mtime > first, 30.0)
    worker.terminate()


def test_broker_outage_raises_on_publish_then_everything_resumes(
    own_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    records: Records,
    transport_options: dict[str, Any],
) -> None:
    options = {**transport_options, "publish_timeout": 2.0}
    publisher = client_app(_url(own_broker), options)
    worker = start_worker(broker=own_broker, queues=("out",), transport_options=options)
    worker.wait_assigned()
    before = publish_work(publisher, [f"before-{i}" for i in range(5)], queue="out")
    assert wait_for(lambda: records.distinct_completed(before) == 5, SETTLE_TIMEOUT)

    own_broker.stop()
    error = _publish_in_thread(publisher, "during", hang_guard=60.0)
    assert isinstance(error, PublishError), error

    own_broker.restart()  # same port, and empty: Tansu keeps everything in memory
    after = _publish_until_accepted(publisher, [f"after-{i}" for i in range(5)])
    resumed = wait_for(lambda: records.distinct_completed(after) == 5, SETTLE_TIMEOUT)
    pid_before = worker.pid
    running = worker.running
    worker.terminate()

    assert running
    assert worker.pid == pid_before
    assert resumed, worker.log()[-3000:]


def _publish_in_thread(publisher: Any, key: str, hang_guard: float) -> BaseException | None:
    """Publish from a thread so a publish that blocks for minutes fails the test, not CI."""
    outcome: list[BaseException | None] = []

    def publish() -> None:
        try:
            publisher.send_task("safekafka.tests.work", args=(key,), queue="out")
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    thread.join(hang_guard)
    if not outcome:
        pytest.fail(f"publishing with the broker down still blocked after {hang_guard}s")
    return outcome[0]


def _publish_until_accepted(publisher: Any, keys: list[str], attempts: int = 20) -> list[str]:
    """After a restart the first publishes may fail while clients reconnect; they must recover."""
    for attempt in range(attempts):
        try:
            return publish_work(publisher, keys, queue="out")
        except PublishError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)
    return keys
