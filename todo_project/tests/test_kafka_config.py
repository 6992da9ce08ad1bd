"""One Kafka configuration for the relay, the consumers and the Celery broker."""

from todo_project.common import kafka
from todo_project.common.safekafka.config import TransportSettings
from todo_project.common.safekafka.config import consumer_config as safekafka_consumer_config


def cloud(settings):
    settings.KAFKA_BOOTSTRAP_SERVERS = "seed-abc.redpanda.cloud:9092"
    settings.KAFKA_SECURITY_PROTOCOL = "SASL_SSL"
    settings.KAFKA_SASL_MECHANISM = "SCRAM-SHA-256"
    settings.KAFKA_SASL_USERNAME = "todo"
    settings.KAFKA_SASL_PASSWORD = "s3cret"
    settings.KAFKA_TOPIC_PREFIX = "prod."


def test_redpanda_cloud_credentials_reach_producer_and_consumer(settings):
    cloud(settings)
    expected = {
        "bootstrap.servers": "seed-abc.redpanda.cloud:9092",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-256",
        "sasl.username": "todo",
        "sasl.password": "s3cret",
    }

    producer = kafka.producer_config()
    consumer = kafka.consumer_config("recurrence")

    assert expected.items() <= producer.items()
    assert expected.items() <= consumer.items()
    assert producer["acks"] == "all"
    assert producer["enable.idempotence"] is True
    assert consumer["enable.auto.commit"] is False
    assert consumer["group.id"] == "prod.recurrence"
    assert kafka.topic_name(kafka.TASK_EVENTS) == "prod.task-events"
    assert kafka.dlq_name(kafka.REMINDERS) == "prod.reminders.dlq"


def test_celery_broker_uses_the_same_credentials(settings):
    from todo_project.celery import _broker_from_kafka_settings, app

    cloud(settings)
    saved = app.conf.broker_transport_options

    try:
        _broker_from_kafka_settings(app)
        options = app.conf.broker_transport_options
    finally:
        app.conf.broker_transport_options = saved

    assert options["kafka_common_config"]["sasl.username"] == "todo"
    assert options["kafka_common_config"]["security.protocol"] == "SASL_SSL"
    assert options["topic_prefix"] == "prod.celery."


def test_fetch_wait_reaches_event_consumers_and_the_celery_transport(settings):
    from todo_project.celery import _broker_from_kafka_settings, app

    saved = app.conf.broker_transport_options
    try:
        settings.KAFKA_FETCH_WAIT_MAX_MS = None  # the local broker's defaults
        _broker_from_kafka_settings(app)
        local = app.conf.broker_transport_options
        local_consumer = kafka.consumer_config("recurrence")
        settings.KAFKA_FETCH_WAIT_MAX_MS = 100  # the chart's, for Redpanda
        _broker_from_kafka_settings(app)
        redpanda = app.conf.broker_transport_options
        redpanda_consumer = kafka.consumer_config("recurrence")
    finally:
        app.conf.broker_transport_options = saved

    def transport_wait(options) -> int:
        transport = TransportSettings.from_options(options)
        return safekafka_consumer_config(transport, {})["fetch.wait.max.ms"]

    assert local_consumer["fetch.wait.max.ms"] == 50
    assert transport_wait(local) == 10
    assert redpanda_consumer["fetch.wait.max.ms"] == 100
    assert transport_wait(redpanda) == 100


def test_local_plaintext_has_no_sasl(settings):
    settings.KAFKA_SASL_MECHANISM = ""

    config = kafka.client_config()

    assert config["security.protocol"] == "PLAINTEXT"
    assert not any(key.startswith("sasl.") for key in config)
