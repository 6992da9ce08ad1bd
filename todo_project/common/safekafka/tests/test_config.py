"""Settings plumbing: the URL alias and librdkafka settings reaching every client."""

from __future__ import annotations

import pytest
from kombu import Connection

from todo_project.common.safekafka import transport_options
from todo_project.common.safekafka.config import (
    TransportSettings,
    admin_config,
    consumer_config,
    producer_config,
)
from todo_project.common.safekafka.transport import Transport

SASL = {
    "bootstrap.servers": "seed-1.example.invalid:9092,seed-2.example.invalid:9092",
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-256",
    "sasl.username": "worker",
    "sasl.password": "s3cret",
}


def test_the_alias_resolves_to_this_transport() -> None:
    with Connection("safekafka://127.0.0.1:1") as connection:
        assert connection.transport_cls == "safekafka"
        assert isinstance(connection.transport, Transport)


def test_security_settings_reach_producer_consumer_and_admin() -> None:
    options = transport_options(SASL, topic_prefix="todo.", num_partitions=6)

    with Connection("safekafka://", transport_options=options) as connection:
        channel = connection.default_channel
        settings, common = channel.settings, channel.common_config
        configs = [
            producer_config(settings, common),
            consumer_config(settings, common),
            admin_config(settings, common),
        ]

    for config in configs:
        assert {k: config[k] for k in SASL} == SASL
    assert settings.num_partitions == 6
    assert configs[1]["group.id"] == "todo.celery-workers"


def test_side_specific_settings_stay_on_their_side() -> None:
    options = transport_options(
        {"bootstrap.servers": "b:9092"},
        producer={"compression.type": "lz4"},
        consumer={"max.poll.interval.ms": 600000},
    )
    settings = TransportSettings.from_options(options)
    common = dict(settings.kafka_common_config)

    assert producer_config(settings, common)["compression.type"] == "lz4"
    assert "compression.type" not in consumer_config(settings, common)
    assert consumer_config(settings, common)["max.poll.interval.ms"] == 600000


def test_url_credentials_are_used_when_security_is_on() -> None:
    url = "safekafka://worker:pw@broker.example.invalid:9093"
    options = {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-256"}

    with Connection(url, transport_options=options) as connection:
        common = connection.default_channel.common_config

    assert common["bootstrap.servers"] == "broker.example.invalid:9093"
    assert (common["sasl.username"], common["sasl.password"]) == ("worker", "pw")
    assert common["sasl.mechanism"] == "SCRAM-SHA-256"


def test_unknown_transport_options_are_refused() -> None:
    with pytest.raises(TypeError, match="num_partition"):
        transport_options({"bootstrap.servers": "b:9092"}, num_partition=3)


def test_credentials_without_a_security_protocol_are_refused() -> None:
    with pytest.raises(ValueError, match=r"security\.protocol"):
        transport_options({"bootstrap.servers": "b:9092", "sasl.username": "u"})


def test_topic_names_carry_the_prefix_and_lose_at_signs() -> None:
    settings = TransportSettings(topic_prefix="todo.")

    assert settings.topic_for("celery@host.pidbox") == "todo.celeryhost.pidbox"
