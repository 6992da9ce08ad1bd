"""Real Celery worker processes for the transport's tests and benchmarks.

A :class:`WorkerProcess` runs ``celery worker`` on :mod:`.celeryapp` in its own session and is only
ever signalled through the PIDs it started. :class:`Records` reads the per-run log the tasks
append to, from which lost and duplicated tasks are counted.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[4]
APP_MODULE = "todo_project.common.safekafka.tests.celeryapp"


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds passed; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@dataclass
class Records:
    """Lines appended by tasks: ``S key pid time [latency]`` on start, ``E key pid time`` on end."""

    path: Path

    def lines(self) -> list[list[str]]:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return []
        return [line.split() for line in text.splitlines() if line.strip()]

    def completions(self) -> Counter[str]:
        return Counter(parts[1] for parts in self.lines() if parts[0] == "E")

    def starts(self) -> Counter[str]:
        return Counter(parts[1] for parts in self.lines() if parts[0] == "S")

    def completed_count(self) -> int:
        return sum(1 for parts in self.lines() if parts[0] == "E")

    def distinct_completed(self, keys: Iterable[str]) -> int:
        done = self.completions()
        return sum(1 for key in keys if done[key])

    def latencies(self) -> list[float]:
        return [float(parts[4]) for parts in self.lines() if parts[0] == "S" and len(parts) > 4]

    def pids_for(self, keys: Iterable[str]) -> set[str]:
        wanted = set(keys)
        return {parts[2] for parts in self.lines() if parts[0] == "E" and parts[1] in wanted}


@dataclass
class Outcome:
    """Lost and duplicated task counts over a set of expected keys."""

    expected: int
    lost: list[str]
    duplicated: dict[str, int]

    @classmethod
    def of(cls, records: Records, keys: Iterable[str]) -> Outcome:
        keys = list(keys)
        done = records.completions()
        return cls(
            expected=len(keys),
            lost=[k for k in keys if done[k] == 0],
            duplicated={k: done[k] for k in keys if done[k] > 1},
        )

    @property
    def extra_runs(self) -> int:
        return sum(n - 1 for n in self.duplicated.values())

    def summary(self) -> str:
        return (
            f"{self.expected} tasks: {len(self.lost)} lost, {len(self.duplicated)} duplicated "
            f"({self.extra_runs} extra runs)"
        )


@dataclass
class WorkerProcess:
    """One ``celery worker`` process tree, started in its own session."""

    broker_url: str
    record_path: Path
    log_path: Path
    queues: tuple[str, ...] = ("celery",)
    pool: str = "prefork"
    concurrency: int = 2
    prefetch_multiplier: int = 4
    transport_options: Mapping[str, Any] = field(default_factory=dict)
    extra_env: Mapping[str, str] = field(default_factory=dict)
    hostname: str = "w1"
    #: Log text that shows the worker is consuming: safekafka logs its partition assignment.
    ready_pattern: str = " assigned "
    _process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            APP_MODULE,
            "worker",
            "--loglevel=INFO",
            f"--pool={self.pool}",
            f"--concurrency={self.concurrency}",
            f"--queues={','.join(self.queues)}",
            f"--hostname={self.hostname}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
            "SAFEKAFKA_BROKER": self.broker_url,
            "SAFEKAFKA_RECORD": str(self.record_path),
            "SAFEKAFKA_QUEUE": self.queues[0],
            "SAFEKAFKA_PREFETCH": str(self.prefetch_multiplier),
            "SAFEKAFKA_OPTIONS": json.dumps(dict(self.transport_options)),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> WorkerProcess:
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                self.command(),
                cwd=REPO_ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_assigned(self, timeout: float = 60.0) -> bool:
        """Until this worker's consumer owns partitions (it then fetches without delay)."""
        pattern = self.ready_pattern
        return wait_for(lambda: pattern in self.log() or not self.running, timeout, 0.2)

    def children(self) -> list[int]:
        """PIDs of the worker's pool processes (read from /proc, no extra dependency)."""
        if self._process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Field 4 (after the parenthesised command name) is the parent PID.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self._process.pid:
                found.append(int(entry.name))
        return found

    def kill9(self) -> None:
        """``kill -9`` the main process, then its pool children (a crashed pod loses both)."""
        if not self.running:
            return
        assert self._process is not None
        children = self.children()
        os.kill(self._process.pid, signal.SIGKILL)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._process.wait(timeout=10)

    def terminate(self, timeout: float = 60.0) -> int | None:
        """SIGTERM (Celery's warm shutdown) and wait; SIGKILL if it does not exit in time."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        return self._process.returncode

    def cleanup(self) -> None:
        """Kill whatever is left of this worker's session (used on test teardown)."""
        if self._process is None:
            return
        # The session leader's PID is the process group ID: only our own tree is hit.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=10)


def client_app(broker_url: str, transport_options: Mapping[str, Any]) -> Any:
    """A Celery app that only publishes (the web process's role)."""
    from celery import Celery

    import todo_project.common.safekafka  # noqa: F401 - registers safekafka://

    app = Celery("safekafka_client", broker=broker_url, set_as_current=False)
    app.conf.update(
        broker_transport_options=dict(transport_options),
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
    )
    return app


def publish_work(
    app: Any,
    keys: Iterable[str],
    *,
    queue: str,
    seconds: float | Callable[[str], float] = 0.0,
) -> list[str]:
    """Send one ``work`` task per key, confirmations deferred to the end of the batch."""
    from todo_project.common.safekafka import publish_batch

    keys = list(keys)
    with publish_batch():
        for key in keys:
            duration = seconds(key) if callable(seconds) else seconds
            app.send_task("safekafka.tests.work", args=(key, duration, time.time()), queue=queue)
    return keys


def wait_settled(records: Records, keys: list[str], *, timeout: float, idle: float = 15.0) -> bool:
    """Until every key completed, or nothing new completed for ``idle`` seconds."""
    deadline = time.monotonic() + timeout
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        if records.distinct_completed(keys) == len(keys):
            return True
        count = records.completed_count()
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > idle:
            return False
        time.sleep(0.2)
    return False


@dataclass(frozen=True)
class CrashCase:
    """One row of the crash matrix: a worker killed with -9 mid-run, then a fresh one started."""

    name: str
    pool: str = "prefork"
    concurrency: int = 2
    prefetch_multiplier: int = 4
    tasks: int = 200
    task_seconds: float = 0.02
    first_task_seconds: float | None = None
    kill_after: float = 0.5  # fraction of the tasks completed when the worker is killed


def run_crash_case(
    case: CrashCase,
    *,
    start_worker: Callable[..., WorkerProcess],
    publisher: Any,
    records: Records,
    queue: str,
    timeout: float = 120.0,
) -> Outcome:
    """Run ``case`` and count lost and duplicated tasks once the restarted worker is idle."""
    worker_args = {
        "pool": case.pool,
        "concurrency": case.concurrency,
        "prefetch_multiplier": case.prefetch_multiplier,
        "queues": (queue,),
    }
    first = start_worker(**worker_args)
    first.wait_assigned()
    keys = [f"{case.name}-{i}" for i in range(case.tasks)]

    def duration(key: str) -> float:
        if key == keys[0] and case.first_task_seconds is not None:
            return case.first_task_seconds
        return case.task_seconds

    publish_work(publisher, keys, queue=queue, seconds=duration)
    threshold = max(1, int(case.tasks * case.kill_after))
    wait_for(lambda: records.completed_count() >= threshold, timeout, 0.01)
    first.kill9()
    second = start_worker(**worker_args)
    wait_settled(records, keys, timeout=timeout)
    second.kill9()
    return Outcome.of(records, keys)
