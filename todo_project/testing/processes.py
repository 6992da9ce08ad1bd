"""Starting the project's own long-running commands as real processes in tests and benches.

Each process is bound to loopback resources, its PID kept, and exactly that process stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent PID, start time in clock ticks) of a live process, from /proc; None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces
    return int(fields[1]), int(fields[19])


def descendants(pid: int) -> list[tuple[int, int]]:
    """Every live process below `pid`, children first, as (PID, start time) pairs: the start
    time tells a process from a later one that reuses its PID."""
    parents: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents.setdefault(stat[0], []).append((int(entry.name), stat[1]))
    found: list[tuple[int, int]] = []
    frontier = [pid]
    while frontier:
        children = [child for parent in frontier for child in parents.get(parent, [])]
        found += children
        frontier = [child_pid for child_pid, _ in children]
    return found


def kill_exactly(processes: list[tuple[int, int]]) -> None:
    """SIGKILL each (PID, start time) that is still that same process."""
    for pid, started in processes:
        stat = _stat(pid)
        if stat is not None and stat[1] == started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def database_url() -> str:
    """The URL of the database the current test runs on, for child processes."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("postgresql"):
        return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KAFKA_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "todo_project.settings.test",
            "DATABASE_URL": database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "KAFKA_BOOTSTRAP_SERVERS": settings.KAFKA_BOOTSTRAP_SERVERS,
            "KAFKA_TOPIC_PREFIX": settings.KAFKA_TOPIC_PREFIX,
            "KAFKA_TOPIC_PARTITIONS": str(settings.KAFKA_TOPIC_PARTITIONS),
            # Real processes talk to each other through the broker, never inline.
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


class ManagedProcess:
    """A child process we started; stop() and kill() act on its PID only."""

    def __init__(self, args: list[str], *, log_path: Path, env: dict[str, str]) -> None:
        self.args = args
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> ManagedProcess:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()/kill()
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, wait; SIGKILL if it does not exit in time. Returns the exit code."""
        if self.process is None:
            return None
        code: int | None = self.process.poll()
        if code is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait()
        self._close_log()
        return code

    def kill(self) -> None:
        """SIGKILL: the crash case."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close_log()

    def kill_tree(self) -> int:
        """SIGKILL this process, then every process it started (a prefork pool, gunicorn's
        workers), each by its PID: the crash of a whole container. The parent goes first so it
        cannot replace a child. Returns how many processes were killed."""
        if self.process is None or self.process.poll() is not None:
            self._close_log()
            return 0
        below = descendants(self.pid)
        self.kill()
        kill_exactly(below)
        return 1 + len(below)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def manage(*args: str, log_path: Path, **env: str) -> ManagedProcess:
    return ManagedProcess(
        [sys.executable, "manage.py", *args], log_path=log_path, env=child_env(**env)
    )


def celery(*args: str, log_path: Path, **env: str) -> ManagedProcess:
    return ManagedProcess(
        [sys.executable, "-m", "celery", "-A", "todo_project", *args],
        log_path=log_path,
        env=child_env(**env),
    )
