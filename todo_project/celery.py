"""The Celery app: Redpanda (Kafka API) as broker through the project's reliable transport.

JSON only; late acks (a task runs at least once: every task is idempotent); no results stored
(tasks write their outcome to the database, which is what callers read); no ETA/countdown
anywhere, since the broker cannot hold delayed work durably (see common/safekafka/README.md).
"""

import logging
import os

from celery import Celery

from todo_project.common.safekafka import refuse_unsafe_workers  # also registers safekafka://

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "todo_project.settings.local")

app = Celery("todo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A worker whose settings could lose a task on a crash refuses to start.
refuse_unsafe_workers(app)


@app.on_after_configure.connect
def _broker_from_kafka_settings(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    from todo_project.common import kafka
    from todo_project.common.safekafka import transport_options

    if sender.conf.broker_url and not sender.conf.broker_url.startswith("safekafka"):
        return  # an explicit non-Kafka broker (e.g. memory:// in unit tests)
    common = {k: v for k, v in kafka.client_config().items() if k != "logger"}
    wait = settings.KAFKA_FETCH_WAIT_MAX_MS
    sender.conf.broker_transport_options = transport_options(
        common,
        consumer={"fetch.wait.max.ms": wait} if wait else None,
        topic_prefix=f"{settings.KAFKA_TOPIC_PREFIX}celery.",
        num_partitions=settings.CELERY_QUEUE_PARTITIONS,
        publish_timeout=settings.CELERY_PUBLISH_TIMEOUT_SECONDS,
        heartbeat_file=settings.CELERY_WORKER_HEARTBEAT_FILE or None,
    )


def warm_up_publisher() -> None:
    """Connect the task publisher of this process ahead of its first task (see the transport's
    Channel.warm_up): for processes whose first publish is on the reminder path (the consumer
    enqueuing pushes, beat sending the scan)."""
    try:
        with app.producer_or_acquire() as producer:
            warm_up = getattr(producer.channel, "warm_up", None)
            if warm_up is not None:
                warm_up()
    except Exception:  # the broker may be away at start; the first publish then connects
        logging.getLogger(__name__).warning("could not start the task publisher", exc_info=True)
