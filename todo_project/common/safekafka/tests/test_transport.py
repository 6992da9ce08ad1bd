"""The kombu transport on a real broker, without Celery: acks, rejects, routing."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition
from kombu import Connection, Exchange, Queue
from kombu.message import Message

from todo_project.common.safekafka import PublishError
from todo_project.testing.kafka_broker import KafkaBroker

from .conftest import FAST_FAILOVER
from .harness import wait_for


@pytest.fixture
def options(namespace: str) -> dict[str, Any]:
    return {
        "topic_prefix": namespace,
        "num_partitions": 1,
        "kafka_consumer_config": FAST_FAILOVER,
    }


@pytest.fixture
def connection(kafka_broker: KafkaBroker, options: dict[str, Any]) -> Iterator[Connection]:
    with Connection(
        f"safekafka://{kafka_broker.bootstrap_servers}", transport_options=options
    ) as conn:
        yield conn


def _committed(broker: KafkaBroker, options: dict[str, Any], queue: str) -> int:
    reader = Consumer(
        {
            "bootstrap.servers": broker.bootstrap_servers,
            "group.id": f"{options['topic_prefix']}celery-workers",
        }
    )
    try:
        topic = f"{options['topic_prefix']}{queue}"
        [position] = reader.committed([TopicPartition(topic, 0)], timeout=10)
        return int(position.offset)
    finally:
        reader.close()


def _receive(connection: Connection, queue: Queue, count: int) -> list[Message]:
    received: list[Message] = []
    consumer = connection.Consumer(queue, callbacks=[lambda _body, msg: received.append(msg)])
    consumer.consume()
    wait_for(lambda: _drain(connection) or len(received) >= count, 60.0, 0)
    return received


def _drain(connection: Connection) -> bool:
    with contextlib.suppress(TimeoutError):
        connection.drain_events(timeout=0.2)
    return False


def test_acks_from_other_threads_commit_exactly_the_settled_prefix(
    connection: Connection, kafka_broker: KafkaBroker, options: dict[str, Any]
) -> None:
    queue = Queue("exact")
    producer = connection.Producer()
    for i in range(10):
        producer.publish({"i": i}, routing_key="exact", declare=[queue])
    messages = _receive(connection, queue, 10)
    assert [m.payload["i"] for m in messages] == list(range(10))

    _ack_in_threads([messages[i] for i in (0, 1, 2, 4, 5, 9)])
    assert wait_for(lambda: _committed(kafka_broker, options, "exact") == 3, 30.0, 0.2)

    _ack_in_threads([messages[3]])
    assert wait_for(lambda: _committed(kafka_broker, options, "exact") == 6, 30.0, 0.2)


def _ack_in_threads(messages: list[Message]) -> None:
    threads = [threading.Thread(target=m.ack) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_reject_with_requeue_delivers_a_copy_and_settles_the_original(
    connection: Connection, kafka_broker: KafkaBroker, options: dict[str, Any]
) -> None:
    queue = Queue("requeue")
    producer = connection.Producer()
    for i in range(3):
        producer.publish({"i": i}, routing_key="requeue", declare=[queue])
    first, middle, last = _receive(connection, queue, 3)

    middle.reject(requeue=True)
    first.ack()
    last.ack()
    [copy] = _receive(connection, queue, 1)[-1:]
    copy.ack()

    assert copy.payload == {"i": 1}
    assert copy.delivery_info.get("redelivered") or copy._raw.get("redelivered")
    assert wait_for(lambda: _committed(kafka_broker, options, "requeue") == 4, 30.0, 0.2)


def test_reject_without_requeue_settles_like_an_ack(
    connection: Connection, kafka_broker: KafkaBroker, options: dict[str, Any]
) -> None:
    queue = Queue("drop")
    connection.Producer().publish({"i": 0}, routing_key="drop", declare=[queue])
    [message] = _receive(connection, queue, 1)

    message.reject(requeue=False)

    assert wait_for(lambda: _committed(kafka_broker, options, "drop") == 1, 30.0, 0.2)


def test_publishing_to_a_direct_exchange_with_no_bound_queue_raises(
    connection: Connection,
) -> None:
    exchange = Exchange("nowhere", type="direct")
    producer = connection.Producer(exchange=exchange)

    with pytest.raises(PublishError, match="no queue bound"):
        producer.publish({"lost": True}, routing_key="unbound", declare=[exchange])


def test_warm_up_starts_the_shared_producer_that_publishing_then_uses(connection: Connection):
    from todo_project.common.safekafka import publisher

    channel = connection.default_channel
    shared = channel._producer  # the registry key comes from the channel's configuration
    for earlier in list(publisher._registry.values()):
        earlier.retire()  # other tests' producers: the next use builds a fresh one
    before = set(map(id, publisher._registry.values()))

    channel.warm_up()

    started = [p for p in publisher._registry.values() if id(p) not in before]
    assert len(started) == 1
    assert shared() is started[0]  # a publish now goes through the started producer
    queue = Queue("warm", Exchange("warm", type="direct"), routing_key="warm")
    connection.Producer().publish(
        {"n": 1}, exchange=queue.exchange, routing_key="warm", declare=[queue]
    )
    assert [m.payload for m in _receive(connection, queue, 1)] == [{"n": 1}]


def test_warm_up_with_the_broker_away_does_not_raise(own_broker: KafkaBroker):
    from todo_project.common.safekafka import publisher

    own_broker.stop()
    before = dict(publisher._registry)
    with Connection(
        f"safekafka://{own_broker.bootstrap_servers}",
        transport_options={"topic_prefix": "away.", "publish_timeout": 1.0},
    ) as conn:
        conn.default_channel.warm_up()

    started = {k: p for k, p in publisher._registry.items() if before.get(k) is not p}
    assert len(started) == 1  # the producer exists; it connects once the broker is back
    for key, producer in started.items():  # and it goes: it would retry a dead port until exit
        producer.retire()
        del publisher._registry[key]
