"""The background consumer: bounded buffering, and no commits for partitions it lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from todo_project.common.safekafka import publish_batch
from todo_project.common.safekafka.config import TransportSettings, consumer_config
from todo_project.common.safekafka.fetcher import Delivery, Fetcher
from todo_project.common.safekafka.publisher import shared_producer
from todo_project.testing.kafka_broker import KafkaBroker

from .conftest import FAST_FAILOVER
from .harness import wait_for


def _create_topic(broker: KafkaBroker, topic: str, partitions: int) -> None:
    admin = AdminClient({"bootstrap.servers": broker.bootstrap_servers})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions)]).values():
        future.result(10)


def _fill(broker: KafkaBroker, topic: str, count: int) -> None:
    producer = shared_producer({"bootstrap.servers": broker.bootstrap_servers}, 5.0)
    with publish_batch():
        for _ in range(count):
            producer.publish(topic, b'{"properties": {}, "body": ""}')


@pytest.fixture
def make_fetcher(kafka_broker: KafkaBroker, namespace: str) -> Iterator[Any]:
    started: list[Fetcher] = []
    settings = TransportSettings(
        topic_prefix=namespace, kafka_consumer_config=FAST_FAILOVER | {"fetch.wait.max.ms": 10}
    )
    config = consumer_config(settings, {"bootstrap.servers": kafka_broker.bootstrap_servers})

    def make(topic: str, limit: int = 100) -> Fetcher:
        fetcher = Fetcher(config, on_ready=lambda: None, buffer_limit=lambda: limit)
        fetcher.subscribe({topic: "q"})
        fetcher.start()
        started.append(fetcher)
        return fetcher

    yield make
    for fetcher in started:
        fetcher.stop(timeout=15)


def _committed(broker: KafkaBroker, group: str, topic: str, partitions: int) -> list[int]:
    reader = Consumer({"bootstrap.servers": broker.bootstrap_servers, "group.id": group})
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        return [tp.offset for tp in reader.committed(tps, timeout=10)]
    finally:
        reader.close()


def test_the_buffer_stays_bounded_while_nothing_is_taken(
    kafka_broker: KafkaBroker, make_fetcher: Any, namespace: str
) -> None:
    topic = f"{namespace}bounded"
    _create_topic(kafka_broker, topic, 1)
    _fill(kafka_broker, topic, 60)
    fetcher = make_fetcher(topic, limit=8)
    peak = 0

    def watch() -> bool:
        nonlocal peak
        peak = max(peak, fetcher.buffered())
        return False

    wait_for(lambda: fetcher.buffered() >= 8, 60.0)
    wait_for(watch, 2.0, 0.01)  # keeps sampling: the fetcher polls on meanwhile
    taken = [fetcher.pop() for _ in range(8)]
    wait_for(lambda: fetcher.buffered() >= 8, 60.0)

    assert peak == 8
    assert all(d is not None for d in taken)
    assert fetcher.alive


def test_acks_for_a_partition_moved_to_another_member_are_ignored(
    kafka_broker: KafkaBroker, make_fetcher: Any, namespace: str
) -> None:
    topic = f"{namespace}moved"
    _create_topic(kafka_broker, topic, 2)
    _fill(kafka_broker, topic, 40)
    first = make_fetcher(topic)
    assert wait_for(lambda: first.buffered() >= 40, 60.0)
    held: list[Delivery] = [d for d in iter(first.pop, None)]

    second = make_fetcher(topic)
    assert wait_for(lambda: second.buffered() > 0, 60.0)
    moved = {d.partition for d in iter(second.pop, None)}
    results = {d.partition: first.settle(d.topic, d.partition, d.offset, d.epoch) for d in held}

    assert len(moved) == 1
    assert all(results[p] is False for p in moved)
    assert all(results[p] is True for p in results if p not in moved)
    first.stop(timeout=15)
    group = f"{namespace}celery-workers"
    committed = _committed(kafka_broker, group, topic, 2)
    [kept] = {0, 1} - moved
    assert committed[kept] > 0
    assert committed[moved.pop()] < 0  # nothing was ever committed for the moved partition


def test_settle_is_safe_from_many_threads(
    kafka_broker: KafkaBroker, make_fetcher: Any, namespace: str
) -> None:
    topic = f"{namespace}threads"
    _create_topic(kafka_broker, topic, 1)
    _fill(kafka_broker, topic, 200)
    fetcher = make_fetcher(topic, limit=500)
    assert wait_for(lambda: fetcher.buffered() >= 200, 60.0)
    deliveries = list(iter(fetcher.pop, None))

    threads = [
        threading.Thread(
            target=lambda chunk=deliveries[i::8]: [
                fetcher.settle(d.topic, d.partition, d.offset, d.epoch) for d in chunk
            ]
        )
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    group = f"{namespace}celery-workers"
    assert wait_for(lambda: _committed(kafka_broker, group, topic, 1) == [200], 30.0, 0.2)
