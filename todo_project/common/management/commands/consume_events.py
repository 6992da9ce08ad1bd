import logging
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from todo_project.celery import warm_up_publisher
from todo_project.common.consumers import REGISTRY, GroupConsumer, autodiscover

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the event consumer groups (all, or those named). Stops cleanly on SIGTERM."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--group", action="append", dest="groups", default=None)
        parser.add_argument("--heartbeat-file", type=Path, default=None)

    def handle(self, *args, groups: list[str] | None, heartbeat_file: Path | None, **options):
        autodiscover()
        names = groups or sorted(REGISTRY)
        unknown = set(names) - set(REGISTRY)
        if unknown:
            raise CommandError(f"unknown group(s): {', '.join(sorted(unknown))}")
        warm_up_publisher()  # the first reminder after a start should not wait for it
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        consumers = [
            GroupConsumer(REGISTRY[name], stop=stop, heartbeat_file=heartbeat_file)
            for name in names
        ]
        threads = [
            threading.Thread(target=self._run, args=(c, stop), name=c.set.group, daemon=True)
            for c in consumers
        ]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            for thread in threads:
                thread.join(timeout=0.5)
        logger.info("consumers stopped")

    @staticmethod
    def _run(consumer: GroupConsumer, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                consumer.run()
            except Exception:
                logger.exception("consumer group %s crashed; restarting", consumer.set.group)
                stop.wait(1.0)
