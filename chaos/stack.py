"""The whole system as real processes, for the chaos run: PostgreSQL, the broker behind its gate,
web (gunicorn), worker (prefork), beat, relay, consumer, and the push-service double.

Built on the project's test harness (`bench/_stack.py`, `todo_project/testing/`). Every process
binds 127.0.0.1, writes its log into the run directory, and is signalled only by its own PID (a
kill -9 takes the process and the processes it started, each by PID, like a crashed container).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from todo_project.testing.kafka_broker import KafkaBroker, free_port, probe  # noqa: E402
from todo_project.testing.processes import (  # noqa: E402
    ManagedProcess,
    descendants,
    kill_exactly,
)

# The processes the chaos kills, in the order they start (as the Procfile runs them).
KILLABLE = ("relay", "consumer", "worker", "beat", "web")


class Stack:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.pg = None
        self.broker: KafkaBroker | None = None
        self.gate: ManagedProcess | None = None
        self.double = None
        self.vapid_keys: tuple[str, str] | None = None
        self.web_port = free_port()
        self.processes: dict[str, ManagedProcess] = {}
        self.broker_cut = False

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    # ------------------------------------------------------------ start-up

    def start(self) -> None:
        """Broker and gate first (no Django needed), then PostgreSQL and Django in this process
        (bench/_stack.start: migrate), topics, periodic tasks, the push double, the processes."""
        gate_port = free_port()
        self.broker = KafkaBroker(
            log_path=self.run_dir / "broker.log", advertised_port=gate_port
        ).start()
        self.gate = ManagedProcess(
            [
                sys.executable,
                "-m",
                "todo_project.testing.broker_gate",
                "--port",
                str(gate_port),
                "--target",
                str(self.broker.port),
            ],
            log_path=self.run_dir / "gate.log",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        ).start()
        self._wait(lambda: probe("127.0.0.1", gate_port), 15, "the broker through its gate")
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = self.broker.bootstrap_servers
        os.environ.setdefault("LOG_LEVEL", "WARNING")  # this process; children log INFO

        sys.path.insert(0, str(ROOT / "bench"))
        from _stack import start as start_database

        self.pg, _ = start_database(with_broker=False)

        from django.core.management import call_command

        from notifications_app.webpush import generate_vapid_keys
        from todo_project.testing.push_service import PushServiceDouble

        with open(self.run_dir / "setup.log", "w") as out:
            call_command("kafka_topics", stdout=out)
            call_command("setup_periodic_tasks", stdout=out)
        self.vapid_keys = generate_vapid_keys()
        self.double = PushServiceDouble(
            tls_dir=self.run_dir / "tls", vapid_public_key=self.vapid_keys[1]
        ).start()
        self._build_processes()
        for name in KILLABLE:
            self.processes[name].start()
        self._wait(self.web_answers, 60, "web (gunicorn)")
        worker_log = self.run_dir / "worker.log"
        self._wait(lambda: " ready." in worker_log.read_text(errors="replace"), 90, "the worker")

    def _build_processes(self) -> None:
        from todo_project.testing.processes import celery, manage

        assert self.double is not None
        assert self.vapid_keys is not None
        env = {
            "VAPID_PRIVATE_KEY": self.vapid_keys[0],
            "VAPID_PUBLIC_KEY": self.vapid_keys[1],
            "VAPID_SUBJECT": "mailto:chaos@todo.test",
            "PUSH_TEST_ENDPOINT_ORIGINS": self.double.origin,
            "PUSH_CA_BUNDLE": str(self.double.tls.ca),
            "LOG_LEVEL": "INFO",
            "DATABASE_CONN_MAX_AGE": "60",  # as in production (the test helpers default to 0)
        }
        logs = {name: self.run_dir / f"{name}.log" for name in KILLABLE}
        # The Procfile's commands, with gunicorn for web so that a kill -9 is a real crash.
        self.processes = {
            "relay": manage("relay_outbox", log_path=logs["relay"], **env),
            "consumer": manage("consume_events", log_path=logs["consumer"], **env),
            "worker": celery(
                "worker",
                "--pool",
                "prefork",
                "--queues",
                "default,notifications",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                log_path=logs["worker"],
                **env,
            ),
            "beat": celery("beat", "--loglevel", "INFO", log_path=logs["beat"], **env),
        }
        from todo_project.testing.processes import child_env

        self.processes["web"] = ManagedProcess(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "todo_project.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "2",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
            ],
            log_path=logs["web"],
            env=child_env(**env),
        )

    # ------------------------------------------------------------ chaos actions

    def kill(self, name: str) -> int:
        """kill -9 the process and every process it started; returns how many died."""
        return self.processes[name].kill_tree()

    def restart(self, name: str) -> None:
        if not self.processes[name].alive():
            self.processes[name].start()

    def cut_broker(self) -> None:
        """Take the broker away: the gate refuses connections and closes the open ones."""
        assert self.gate is not None
        os.kill(self.gate.pid, signal.SIGUSR1)
        self.broker_cut = True
        self._wait(lambda: not self._port_open(self._gate_port()), 10, "the gate to close")

    def restore_broker(self) -> None:
        assert self.gate is not None
        os.kill(self.gate.pid, signal.SIGUSR2)
        self._wait(lambda: probe("127.0.0.1", self._gate_port()), 15, "the gate to reopen")
        self.broker_cut = False

    def down(self) -> list[str]:
        """What is not running right now."""
        down = [name for name, process in self.processes.items() if not process.alive()]
        return down + (["broker"] if self.broker_cut else [])

    def restore_all(self) -> list[str]:
        """Bring back whatever is down; returns what was."""
        down = self.down()
        if self.broker_cut:
            self.restore_broker()
        for name in KILLABLE:
            self.restart(name)
        return down

    # ------------------------------------------------------------ checks

    def web_answers(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.web_url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def pids(self) -> dict[str, int | None]:
        out: dict[str, int | None] = {
            name: p.pid if p.alive() else None for name, p in self.processes.items()
        }
        out["broker"] = self.broker.pid if self.broker else None
        out["gate"] = self.gate.pid if self.gate and self.gate.alive() else None
        return out

    # ------------------------------------------------------------ shutdown

    def stop(self) -> None:
        """Stop exactly what was started, last started first: SIGTERM by PID (SIGKILL if it
        lingers), then any process one of them started that is still there."""
        for name in reversed(KILLABLE):
            process = self.processes.get(name)
            if process is None or not process.alive():
                continue
            below = descendants(process.pid)
            try:
                process.stop(timeout=20)
            finally:
                kill_exactly(below)
        if self.double is not None:
            self.double.stop()
        if self.gate is not None:
            self.gate.stop(timeout=5)
        if self.broker is not None:
            self.broker.stop()
        if self.pg is not None:
            self.pg.stop()
            # Keep the server's log with the others; the data folder (tens of MB) goes.
            if self.pg.log_file.exists():
                shutil.copy(self.pg.log_file, self.run_dir / "postgres.log")
            shutil.rmtree(self.pg.root, ignore_errors=True)

    # ------------------------------------------------------------ helpers

    def _gate_port(self) -> int:
        assert self.broker is not None
        return self.broker.advertised_port

    @staticmethod
    def _port_open(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    def _wait(self, predicate: Callable[[], object], timeout: float, what: str) -> None:
        from todo_project.testing.waiting import wait_until

        if not wait_until(predicate, timeout, interval=0.2):
            raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")
