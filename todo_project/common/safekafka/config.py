"""Transport settings: defaults, parsing of ``broker_transport_options``, librdkafka configs.

The project hands a plain dict of librdkafka settings (bootstrap servers, SASL credentials...) to
:func:`transport_options`; everything in it reaches the producer, the consumer and the admin
client alike, which is what security settings need.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_PORT = 9092

# librdkafka prints to stderr by default; through logging its lines get levels and handlers.
LIBRDKAFKA_LOGGER = logging.getLogger("safekafka.librdkafka")

#: Consumer settings the transport's guarantees depend on or are tuned for.
CONSUMER_DEFAULTS: dict[str, Any] = {
    "auto.offset.reset": "earliest",
    # Offsets are committed by the transport only, and only past settled messages.
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    # Quick failover: a dead worker's partitions move after ~6 s instead of librdkafka's 45 s.
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 1500,
    # Brokers that long-poll properly answer as soon as data arrives whatever this is; brokers
    # that do not (the local Tansu) otherwise add up to this much latency to every task.
    "fetch.wait.max.ms": 10,
    # A topic deleted and recreated (a memory broker restarted) is noticed within this delay.
    "topic.metadata.refresh.interval.ms": 10000,
    # Only partitions that actually move are revoked when a worker joins or leaves, so tasks
    # running elsewhere keep their acks.
    "partition.assignment.strategy": "cooperative-sticky",
}

_SASL_KEYS = ("sasl.username", "sasl.password", "sasl.mechanism", "sasl.mechanisms")


@dataclass(frozen=True)
class TransportSettings:
    """Everything the transport reads from ``broker_transport_options``."""

    topic_prefix: str = ""
    group_id: str | None = None
    num_partitions: int = 4
    replication_factor: int = -1
    topic_config: Mapping[str, str] = field(default_factory=dict)
    create_topics: bool = True
    publish_timeout: float = 5.0
    admin_timeout: float = 5.0
    poll_timeout: float = 0.05
    fetch_buffer: int = 64
    heartbeat_file: str | None = None
    heartbeat_interval: float = 1.0
    security_protocol: str = "plaintext"
    sasl_mechanism: str | None = None
    kafka_common_config: Mapping[str, Any] = field(default_factory=dict)
    kafka_producer_config: Mapping[str, Any] = field(default_factory=dict)
    kafka_consumer_config: Mapping[str, Any] = field(default_factory=dict)
    kafka_admin_config: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TransportSettings:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in options.items() if k in known})

    @property
    def consumer_group(self) -> str:
        return self.group_id or f"{self.topic_prefix}celery-workers"

    def topic_for(self, queue: str) -> str:
        # Celery puts '@' in some generated queue names; Kafka topic names cannot hold it.
        return f"{self.topic_prefix}{queue}".replace("@", "")


def common_config(
    settings: TransportSettings,
    *,
    hostname: str | None,
    port: int | None,
    userid: str | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    """Settings shared by producer, consumer and admin client (bootstrap, security)."""
    config: dict[str, Any] = {
        "bootstrap.servers": f"{hostname or 'localhost'}:{port or DEFAULT_PORT}",
        "logger": LIBRDKAFKA_LOGGER,
    }
    if settings.security_protocol.lower() != "plaintext":
        config["security.protocol"] = settings.security_protocol
        if settings.sasl_mechanism:
            config["sasl.mechanism"] = settings.sasl_mechanism
        if userid:
            config["sasl.username"] = userid
        if password:
            config["sasl.password"] = password
    config.update(settings.kafka_common_config)
    return config


def producer_config(settings: TransportSettings, common: Mapping[str, Any]) -> dict[str, Any]:
    return {**common, **settings.kafka_producer_config}


def consumer_config(settings: TransportSettings, common: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **CONSUMER_DEFAULTS,
        "group.id": settings.consumer_group,
        **common,
        **settings.kafka_consumer_config,
    }


def admin_config(settings: TransportSettings, common: Mapping[str, Any]) -> dict[str, Any]:
    return {**common, **settings.kafka_admin_config}


def transport_options(
    kafka_settings: Mapping[str, Any],
    *,
    producer: Mapping[str, Any] | None = None,
    consumer: Mapping[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Build Celery's ``broker_transport_options`` from a plain dict of librdkafka settings.

    ``kafka_settings`` (e.g. ``bootstrap.servers``, ``security.protocol``, ``sasl.mechanism``,
    ``sasl.username``, ``sasl.password``) go to the producer, the consumer and the admin client.
    ``producer`` / ``consumer`` hold settings for one side only; ``options`` are this
    transport's own settings (``topic_prefix``, ``num_partitions``, ``publish_timeout``...).

    Example::

        broker_url = "safekafka://"
        broker_transport_options = transport_options(
            {"bootstrap.servers": "seed.example:9092", "security.protocol": "SASL_SSL",
             "sasl.mechanism": "SCRAM-SHA-256", "sasl.username": user, "sasl.password": pw},
            topic_prefix="todo.", num_partitions=6,
        )
    """
    unknown = set(options) - set(TransportSettings.__dataclass_fields__)
    if unknown:
        raise TypeError(f"unknown safekafka transport option(s): {sorted(unknown)}")
    common = {k: v for k, v in kafka_settings.items() if v is not None}
    if any(k in common for k in _SASL_KEYS) and "security.protocol" not in common:
        raise ValueError("SASL credentials given without security.protocol (e.g. SASL_SSL)")
    return {
        **options,
        "kafka_common_config": common,
        "kafka_producer_config": dict(producer or {}),
        "kafka_consumer_config": dict(consumer or {}),
    }
