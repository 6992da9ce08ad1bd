"""Reading events back from the real broker in tests."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from confluent_kafka import Consumer, KafkaError

from todo_project.common import kafka


def read_topic(
    logical: str, *, expected: int, timeout: float = 30.0, settle: float = 0.0
) -> list[dict[str, Any]]:
    """Consume `logical` from the beginning until `expected` messages (or the timeout).

    Each item: {"key", "partition", "offset", "envelope"}. With `settle`, keep reading after the
    count is reached until nothing new arrived for that many seconds, to see duplicates too.
    """
    consumer = Consumer(
        kafka.consumer_config(f"reader-{uuid.uuid4().hex}", **{"enable.partition.eof": False})
    )
    consumer.subscribe([kafka.topic_name(logical)])
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    last_message = time.monotonic()
    try:
        while time.monotonic() < deadline:
            if len(out) >= expected and time.monotonic() - last_message >= settle:
                break
            message = consumer.poll(0.2)
            if message is None:
                continue
            last_message = time.monotonic()
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise RuntimeError(str(message.error()))
            out.append(
                {
                    "key": message.key().decode() if message.key() else None,
                    "partition": message.partition(),
                    "offset": message.offset(),
                    "envelope": json.loads(message.value()),
                }
            )
    finally:
        consumer.close()
    return out
