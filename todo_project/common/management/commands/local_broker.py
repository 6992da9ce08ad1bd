import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from todo_project.testing.kafka_broker import KafkaBroker


class Command(BaseCommand):
    help = (
        "Run the bundled local Kafka-API broker (Tansu, in memory) on KAFKA_BOOTSTRAP_SERVERS, "
        "for `make run`. Data lives only as long as the process."
    )

    def handle(self, *args, **options) -> None:
        host, _, port = settings.KAFKA_BOOTSTRAP_SERVERS.split(",")[0].rpartition(":")
        if host not in ("127.0.0.1", "localhost"):
            raise CommandError("the local broker only listens on 127.0.0.1")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        broker = KafkaBroker(port=int(port)).start()
        self.stdout.write(f"local broker on {broker.bootstrap_servers} (pid {broker.pid})")
        try:
            while not stop.wait(1.0):
                if not broker.running:
                    raise CommandError("the local broker exited")
        finally:
            broker.stop()  # Tansu ignores SIGTERM; KafkaBroker stops it with SIGINT
