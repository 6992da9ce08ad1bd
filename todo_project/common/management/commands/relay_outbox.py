import logging
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand

from todo_project.common.relay import Relay

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Publish outbox events to Kafka, in order, at least once. Stops cleanly on SIGTERM."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument(
            "--pages", type=int, default=2, help="Batches produced per acknowledgement wait."
        )
        parser.add_argument("--heartbeat-file", type=Path, default=None)

    def handle(
        self, *args, batch_size: int | None, pages: int, heartbeat_file: Path | None, **options
    ) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        relay = Relay(stop=stop, batch_size=batch_size, pages=pages, heartbeat_file=heartbeat_file)
        logger.info("relay started")
        relay.run()
        logger.info("relay stopped after publishing %d events", relay.published)
