"""Shared set-up for benchmarks: a throwaway PostgreSQL and broker, Django configured on them.

Import this before anything from Django. Servers bind to loopback; only their own PIDs are
stopped at exit.
"""

from __future__ import annotations

import atexit
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from todo_project.testing.kafka_broker import KafkaBroker  # noqa: E402
from todo_project.testing.postgres import PostgresServer, find_bin_dir  # noqa: E402


def start(with_broker: bool = True) -> tuple[PostgresServer, KafkaBroker | None]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        sys.exit("benchmarks need PostgreSQL server binaries (apt-get install postgresql)")
    pg = PostgresServer(bin_dir).start()
    atexit.register(pg.stop)
    broker = None
    if with_broker:
        broker = KafkaBroker(log_path=Path(tempfile.mkdtemp()) / "broker.log").start()
        atexit.register(broker.stop)
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
    os.environ["DATABASE_URL"] = pg.url("postgres")
    os.environ["DJANGO_SETTINGS_MODULE"] = "todo_project.settings.test"
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if broker is not None:
        call_command("kafka_topics", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return pg, broker


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"
