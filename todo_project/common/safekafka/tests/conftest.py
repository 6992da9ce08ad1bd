"""Fixtures for the transport's tests: one local broker per run, workers that always get stopped."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from todo_project.testing.kafka_broker import KafkaBroker

from .harness import Records, WorkerProcess

_names = itertools.count(1)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    log = tmp_path_factory.mktemp("broker") / "broker.log"
    broker = KafkaBroker(log_path=log).start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[KafkaBroker]:
    """A broker this test may stop and restart without disturbing the others."""
    broker = KafkaBroker(log_path=tmp_path / "own-broker.log").start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def namespace() -> str:
    """A topic prefix (hence queue topics and consumer group) no other test shares."""
    return f"t{os.getpid()}x{next(_names)}."


@pytest.fixture
def records(tmp_path: Path) -> Records:
    return Records(tmp_path / "records.log")


#: Failover in ~3 s instead of ~6 s keeps the crash matrix short. Tansu accepts it; Redpanda and
#: Kafka refuse sessions under 6 s by default, hence the transport's own default of 6000.
FAST_FAILOVER = {"session.timeout.ms": 3000, "heartbeat.interval.ms": 500}


@pytest.fixture
def transport_options(namespace: str) -> dict[str, Any]:
    return {
        "topic_prefix": namespace,
        "num_partitions": 4,
        "publish_timeout": 5.0,
        "kafka_consumer_config": FAST_FAILOVER,
    }


@pytest.fixture
def start_worker(
    kafka_broker: KafkaBroker,
    tmp_path: Path,
    records: Records,
    transport_options: dict[str, Any],
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker processes on the session broker; every one is killed at teardown."""
    started: list[WorkerProcess] = []

    def start(broker: KafkaBroker | None = None, **kwargs: Any) -> WorkerProcess:
        index = len(started) + 1
        kwargs.setdefault("transport_options", transport_options)
        worker = WorkerProcess(
            broker_url=f"safekafka://{(broker or kafka_broker).bootstrap_servers}",
            record_path=records.path,
            log_path=tmp_path / f"worker{index}.log",
            hostname=f"w{index}",
            **kwargs,
        )
        started.append(worker.start())
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.cleanup()
