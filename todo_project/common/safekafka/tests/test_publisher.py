"""Publishing returns only once the broker has the message, and fails within its bound."""

from __future__ import annotations

import time
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from todo_project.common.safekafka import PublishError, PublishTimeout, publish_batch
from todo_project.common.safekafka.publisher import shared_producer
from todo_project.testing.kafka_broker import KafkaBroker, free_port

from .harness import client_app


def _read_all(broker: KafkaBroker, topic: str, expected: int) -> list[bytes]:
    """Every message of ``topic``, read by partition (no group: no join delay)."""
    consumer = Consumer({"bootstrap.servers": broker.bootstrap_servers, "group.id": "reader"})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    values: list[bytes] = []
    deadline = time.monotonic() + 60
    try:
        while len(values) < expected and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=100, timeout=0.2):
                if message.error() is None:
                    values.append(message.value())
    finally:
        consumer.close()
    return values


def test_a_confirmed_publish_is_on_the_broker(kafka_broker: KafkaBroker) -> None:
    topic = f"pub-{uuid.uuid4().hex[:8]}"
    producer = shared_producer({"bootstrap.servers": kafka_broker.bootstrap_servers}, 5.0)

    producer.publish(topic, b"hello")

    assert _read_all(kafka_broker, topic, 1) == [b"hello"]


def test_a_batch_is_confirmed_as_a_whole_when_the_block_exits(kafka_broker: KafkaBroker) -> None:
    topic = f"batch-{uuid.uuid4().hex[:8]}"
    producer = shared_producer({"bootstrap.servers": kafka_broker.bootstrap_servers}, 5.0)

    with publish_batch():
        for i in range(500):
            producer.publish(topic, str(i).encode())

    assert sorted(int(v) for v in _read_all(kafka_broker, topic, 500)) == list(range(500))


def test_publishing_to_an_unreachable_broker_raises_instead_of_returning() -> None:
    producer = shared_producer({"bootstrap.servers": f"127.0.0.1:{free_port()}"}, 1.0)

    with pytest.raises(PublishTimeout, match="may or may not be"):
        producer.publish("nowhere", b"lost?")


def test_a_failed_batch_raises_at_the_end_of_the_block() -> None:
    producer = shared_producer({"bootstrap.servers": f"127.0.0.1:{free_port()}"}, 1.0)

    def publish_ten() -> None:
        with publish_batch():
            for i in range(10):
                producer.publish("nowhere", str(i).encode())

    with pytest.raises(PublishError):
        publish_ten()


def test_a_failed_producer_is_replaced_for_the_next_publish() -> None:
    config = {"bootstrap.servers": f"127.0.0.1:{free_port()}"}
    first = shared_producer(config, 1.0)
    with pytest.raises(PublishError):
        first.publish("nowhere", b"x")

    assert shared_producer(config, 1.0) is not first


def test_celery_send_task_to_an_unreachable_broker_raises_a_publish_error() -> None:
    url = f"safekafka://127.0.0.1:{free_port()}"
    app = client_app(url, {"publish_timeout": 1.0, "admin_timeout": 1.0})

    with pytest.raises(PublishError):
        app.send_task("safekafka.tests.work", args=("x",), queue="nowhere")
