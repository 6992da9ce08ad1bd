import time

from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from todo_project.common import kafka


class Command(BaseCommand):
    help = "Create the event topics and their dead-letter topics (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0)
        parser.add_argument(
            "--wait", type=float, default=0.0, help="Seconds to wait for the broker to come up."
        )

    def handle(self, *args, timeout: float, wait: float, **options) -> None:
        admin = AdminClient(kafka.client_config())
        deadline = time.monotonic() + wait
        while True:
            try:
                existing = set(admin.list_topics(timeout=min(timeout, 5.0)).topics)
                break
            except Exception as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(f"cannot reach the broker: {exc}") from exc
                time.sleep(1.0)
        config = {"retention.ms": str(settings.KAFKA_TOPIC_RETENTION_MS)}
        wanted = [name for t in kafka.TOPICS for name in (kafka.topic_name(t), kafka.dlq_name(t))]
        missing = [
            NewTopic(
                name,
                num_partitions=settings.KAFKA_TOPIC_PARTITIONS,
                replication_factor=settings.KAFKA_TOPIC_REPLICATION,
                config=config,
            )
            for name in wanted
            if name not in existing
        ]
        for name in wanted:
            if name in existing:
                self.stdout.write(f"exists   {name}")
        if not missing:
            return
        for name, future in admin.create_topics(missing, operation_timeout=timeout).items():
            try:
                future.result()
                self.stdout.write(f"created  {name}")
            except Exception as exc:
                if "TOPIC_ALREADY_EXISTS" in str(exc):  # created concurrently: fine
                    self.stdout.write(f"exists   {name}")
                    continue
                raise CommandError(f"could not create {name}: {exc}") from exc
