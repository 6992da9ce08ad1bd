"""Kafka configuration in one place, shared by the relay, the consumers and the Celery broker.

Works unchanged against a local PLAINTEXT broker and Redpanda Cloud (SASL_SSL + SCRAM-SHA-256):
set KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.
"""

import logging
from typing import Any

from django.conf import settings

TASK_EVENTS = "task-events"
REMINDERS = "reminders"
TASK_UPDATES = "task-updates"
TOPICS = (TASK_EVENTS, REMINDERS, TASK_UPDATES)
DLQ_SUFFIX = ".dlq"


def topic_name(logical: str) -> str:
    """The broker-side name of a logical topic; a prefix keeps apps apart on one cluster."""
    return f"{settings.KAFKA_TOPIC_PREFIX}{logical}"


def dlq_name(logical: str) -> str:
    return topic_name(logical) + DLQ_SUFFIX


def client_config() -> dict[str, Any]:
    """librdkafka settings common to producers, consumers and the admin client."""
    config: dict[str, Any] = {
        "bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        "security.protocol": settings.KAFKA_SECURITY_PROTOCOL,
        "client.id": settings.KAFKA_CLIENT_ID,
        # librdkafka's own log lines go through Python logging instead of raw stderr.
        "logger": logging.getLogger("librdkafka"),
    }
    if settings.KAFKA_SASL_MECHANISM:
        config.update(
            {
                "sasl.mechanism": settings.KAFKA_SASL_MECHANISM,
                "sasl.username": settings.KAFKA_SASL_USERNAME,
                "sasl.password": settings.KAFKA_SASL_PASSWORD,
            }
        )
    return config


def producer_config(**overrides: Any) -> dict[str, Any]:
    return {
        **client_config(),
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "message.timeout.ms": settings.KAFKA_DELIVERY_TIMEOUT_MS,
        **overrides,
    }


def consumer_config(group_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        **client_config(),
        "group.id": f"{settings.KAFKA_TOPIC_PREFIX}{group_id}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        # Fail over quickly: librdkafka's 45 s default stalls a dead consumer's partitions.
        "session.timeout.ms": settings.KAFKA_SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": max(1000, settings.KAFKA_SESSION_TIMEOUT_MS // 3),
        "fetch.wait.max.ms": settings.KAFKA_FETCH_WAIT_MAX_MS or 50,
        **overrides,
    }
