"""The chaos run's load: client threads writing through the REST API over HTTP (token auth), and a
journal of every write and what the API answered.

Users are split into sets; a few threads share each set. A thread only ever writes to the tasks
(and recurring series) it created itself, so the writes to one task are sequential and the last
acknowledged one names the state the database must end in. Writes:

- creates, most with a reminder due in the next 1-2 minutes (never after the load ends), either
  absolute (`fire_at`) or relative to the due time (`offset_minutes`); some daily recurring tasks;
- updates (title, priority; for one-off tasks with a relative reminder, the due time too);
- completions of recurring occurrences (the next occurrence is found by listing open tasks, and
  completed in its turn) and of one-off tasks.

Outcomes: a 2xx with the task is *acknowledged*. A request that never reached the server
(connection refused while web is down) is retried. Updates and completions are idempotent, so
they are retried after any failure (lost connection, timeout, 5xx) until acknowledged, for a
bounded time. A create that failed after it was sent may or may not have committed: it is not
retried (it could create a second task) and is counted as *not acknowledged*; its unique title
tells afterwards whether it committed anyway.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

RETRY_PATIENCE_SECONDS = 90.0
CONNECT_TIMEOUT, READ_TIMEOUT = 2.0, 20.0


@dataclass
class Account:
    username: str
    token: str
    timezone: str


@dataclass
class Outcome:
    status: int | None  # the HTTP status of the last answer; None: no answer at all
    body: Any
    attempts: int
    failures: list[str]  # what went wrong before the last attempt: refused, lost, 5xx

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _not_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (nothing listened)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


class Client:
    """One account's HTTP client. A connection per request (gunicorn's sync workers close it
    anyway), so a request to a web that is down is refused before anything is sent."""

    def __init__(self, base_url: str, account: Account, server_errors: list[str]) -> None:
        self.base_url = base_url
        self.account = account
        self.server_errors = server_errors  # every 5xx answer, shared by the load's clients
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers.update(
            {"Authorization": f"Token {account.token}", "Connection": "close"}
        )

    def send(
        self, method: str, path: str, body: Any = None, *, idempotent: bool, stop: threading.Event
    ) -> Outcome:
        failures: list[str] = []
        deadline = time.monotonic() + RETRY_PATIENCE_SECONDS
        attempts = 0
        while True:
            attempts += 1
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    json=body,
                    timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                )
            except requests.RequestException as exc:
                failure = "refused" if _not_sent(exc) else "lost"
            else:
                if response.status_code < 500:
                    try:
                        data = response.json()
                    except ValueError:
                        data = response.text[:300]
                    return Outcome(response.status_code, data, attempts, failures)
                failure = f"{response.status_code}"
                self.server_errors.append(
                    f"{datetime.now(UTC):%H:%M:%S} {method} {path} -> {response.status_code}"
                )
            failures.append(failure)
            retry = failure == "refused" or idempotent
            if not retry or time.monotonic() > deadline or stop.is_set():
                return Outcome(None, None, attempts, failures)
            time.sleep(0.3 + random.random() * 0.4)


class Journal:
    """Every write, appended as one JSON line, in the order each thread made them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def write(self, record: dict[str, Any]) -> None:
        kind = (
            "acknowledged"
            if record["acknowledged"]
            else ("rejected" if record["status"] else "not acknowledged")
        )
        with self._lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            retried = "retried" if record["attempts"] > 1 else None
            if retried:
                self.counts[retried] = self.counts.get(retried, 0) + 1
            self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
            self._file.flush()

    def close(self) -> None:
        self._file.close()


@dataclass
class Known:
    """A task this thread writes to, as the API last acknowledged it."""

    task_id: int
    account: Account
    recurring: bool
    title: str
    version: int = 0
    completed: bool = False
    offset: int | None = None  # minutes of its relative reminder, if it has one
    reminder_ids: list[int] = field(default_factory=list)  # pending or fired, not superseded


@dataclass
class Load:
    base_url: str
    accounts: list[Account]
    journal: Journal
    ends_at: float  # time.monotonic() when the threads stop writing
    reminders_until: datetime  # no reminder is set to fire later than this
    seed: int
    threads_per_set: int = 2
    set_size: int = 3
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def start(self) -> None:
        sets = [
            self.accounts[i : i + self.set_size]
            for i in range(0, len(self.accounts), self.set_size)
        ]
        for set_no, accounts in enumerate(sets):
            for n in range(self.threads_per_set):
                name = f"s{set_no}t{n}"
                writer = Writer(self, name, accounts, random.Random(f"{self.seed}-{name}"))
                thread = threading.Thread(target=writer.run, name=name, daemon=True)
                self.threads.append(thread)
                thread.start()

    def join(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self.threads)


class Writer:
    """One client thread: picks a user of its set and an operation, writes, records."""

    WEIGHTS = (
        ("create", 30),
        ("create_recurring", 10),
        ("update", 30),
        ("complete_recurring", 22),
        ("complete", 8),
        ("remind", 10),
    )

    def __init__(self, load: Load, name: str, accounts: list[Account], rng: random.Random) -> None:
        self.load = load
        self.name = name
        self.rng = rng
        self.clients = {a.username: Client(load.base_url, a, load.server_errors) for a in accounts}
        self.accounts = accounts
        self.tasks: dict[int, Known] = {}
        self.series: set[int] = set()  # series this thread created: it completes their tasks
        self.seq = 0

    # ------------------------------------------------------------ the loop

    def run(self) -> None:
        try:
            while time.monotonic() < self.load.ends_at and not self.load.stop.is_set():
                account = self.rng.choice(self.accounts)
                op = self.rng.choices([o for o, _ in self.WEIGHTS], [w for _, w in self.WEIGHTS])[0]
                getattr(self, op)(account)
                time.sleep(self.rng.uniform(0.1, 0.4))
        except Exception as exc:  # a bug of the driver: reported, never silent
            self.load.errors.append(f"{self.name}: {exc!r}")
            raise

    # ------------------------------------------------------------ writes

    def create(self, account: Account) -> None:
        marker = self._marker()
        body: dict[str, Any] = {
            "title": f"chaos {marker}",
            "priority": self.rng.choice(["none", "low", "medium", "high"]),
        }
        offset = None
        fire_in = self._reminder_delay()
        now = datetime.now(UTC)
        if fire_in is not None and self.rng.random() < 0.8:
            fire_at = now + timedelta(seconds=fire_in)
            if self.rng.random() < 0.5:
                offset = self.rng.choice([5, 10, 15])
                body["due_at"] = _iso(fire_at + timedelta(minutes=offset))
                body["reminders"] = [{"offset_minutes": offset}]
            else:
                body["due_at"] = _iso(fire_at + timedelta(minutes=self.rng.randint(5, 90)))
                body["reminders"] = [{"fire_at": _iso(fire_at)}]
        elif self.rng.random() < 0.5:
            body["due_at"] = _iso(now + timedelta(days=self.rng.randint(1, 30)))
            body["reminders"] = []
        outcome = self._send(account, "POST", "/api/tasks/", body, idempotent=False)
        self._record("create", account, None, outcome, marker=marker)
        if outcome.acknowledged:
            task = outcome.body
            self.tasks[task["id"]] = Known(
                task["id"],
                account,
                False,
                task["title"],
                offset=offset,
                reminder_ids=[r["id"] for r in task["reminders"]],
            )

    def create_recurring(self, account: Account) -> None:
        marker = self._marker()
        local = datetime.now(ZoneInfo(account.timezone)) + timedelta(days=1)
        wall = local.replace(hour=self.rng.randint(6, 21), minute=0, second=0, microsecond=0)
        body: dict[str, Any] = {
            "title": f"chaos daily {marker}",
            "due_at": wall.replace(tzinfo=None).isoformat(timespec="minutes"),
            "recurrence": {"rule": "FREQ=DAILY"},
            "reminders": [{"offset_minutes": 30}] if self.rng.random() < 0.5 else [],
        }
        outcome = self._send(account, "POST", "/api/tasks/", body, idempotent=False)
        self._record("create", account, None, outcome, marker=marker)
        if outcome.acknowledged:
            task = outcome.body
            self.series.add(task["series_id"])
            self.tasks[task["id"]] = Known(task["id"], account, True, task["title"])

    def update(self, account: Account) -> None:
        known = self._pick(account, recurring=None)
        if known is None:
            return self.create(account)
        known.version += 1
        base = known.title.split(" v", 1)[0]
        body: dict[str, Any] = {
            "title": f"{base} v{known.version}",
            "priority": self.rng.choice(["none", "low", "medium", "high"]),
        }
        fire_in = self._reminder_delay()
        if known.offset is not None and fire_in is not None and self.rng.random() < 0.4:
            # Move the due time: its relative reminder moves with it (still before the end).
            due = datetime.now(UTC) + timedelta(seconds=fire_in, minutes=known.offset)
            body["due_at"] = _iso(due)
        path = f"/api/tasks/{known.task_id}/"
        outcome = self._send(account, "PATCH", path, body, idempotent=True)
        self._record("update", account, known.task_id, outcome)
        if outcome.acknowledged:
            known.title = outcome.body["title"]

    def complete_recurring(self, account: Account) -> None:
        known = self._pick(account, recurring=True)
        if known is None:
            self._refresh(account)
            known = self._pick(account, recurring=True)
        if known is None:
            return self.create_recurring(account)
        self._complete(account, known)

    def complete(self, account: Account) -> None:
        known = self._pick(account, recurring=False)
        if known is None:
            return self.create(account)
        self._complete(account, known)

    def remind(self, account: Account) -> None:
        """Add a reminder to an open one-off task, or snooze one of its reminders a minute."""
        known = self._pick(account, recurring=False)
        fire_in = self._reminder_delay()
        if known is None or fire_in is None:
            return self.create(account)
        remaining = (self.load.reminders_until - datetime.now(UTC)).total_seconds()
        if known.reminder_ids and remaining > 70 and self.rng.random() < 0.5:
            snoozed = self.rng.choice(known.reminder_ids)
            path = f"/api/reminders/{snoozed}/snooze/"
            outcome = self._send(account, "POST", path, {"minutes": 1}, idempotent=False)
            if outcome.acknowledged:
                known.reminder_ids.remove(snoozed)  # a pending one is superseded
        else:
            snoozed = None
            body = {"fire_at": _iso(datetime.now(UTC) + timedelta(seconds=fire_in))}
            path = f"/api/tasks/{known.task_id}/reminders/"
            outcome = self._send(account, "POST", path, body, idempotent=False)
        self._record_reminder("snooze" if snoozed else "remind", account, known.task_id, outcome)
        if outcome.acknowledged and isinstance(outcome.body, dict) and "id" in outcome.body:
            known.reminder_ids.append(outcome.body["id"])

    def _complete(self, account: Account, known: Known) -> None:
        path = f"/api/tasks/{known.task_id}/complete/"
        outcome = self._send(account, "POST", path, None, idempotent=True)
        self._record("complete", account, known.task_id, outcome)
        if outcome.acknowledged:
            known.completed = True

    # ------------------------------------------------------------ reads

    def _refresh(self, account: Account) -> None:
        """List the user's open tasks: next occurrences of this thread's series join its set."""
        outcome = self._send(
            account, "GET", "/api/tasks/?status=open&page_size=200", None, idempotent=True
        )
        if not outcome.acknowledged:
            return
        for task in outcome.body["results"]:
            if task["series_id"] in self.series and task["id"] not in self.tasks:
                self.tasks[task["id"]] = Known(task["id"], account, True, task["title"])

    # ------------------------------------------------------------ helpers

    def _pick(self, account: Account, *, recurring: bool | None) -> Known | None:
        candidates = [
            k
            for k in self.tasks.values()
            if k.account is account
            and not k.completed
            and (recurring is None or k.recurring == recurring)
        ]
        return self.rng.choice(candidates) if candidates else None

    def _marker(self) -> str:
        self.seq += 1
        return f"{self.name}-{self.seq}"

    def _reminder_delay(self) -> float | None:
        """Seconds until a new reminder fires: 1-2 minutes ahead, but never after the load ends
        (so every reminder set during the run falls due before the checks)."""
        remaining = (self.load.reminders_until - datetime.now(UTC)).total_seconds()
        if remaining < 10:
            return None
        high = min(120.0, remaining - 2)
        return self.rng.uniform(min(60.0, high / 2), high)

    def _send(
        self, account: Account, method: str, path: str, body: Any, *, idempotent: bool
    ) -> Outcome:
        client = self.clients[account.username]
        return client.send(method, path, body, idempotent=idempotent, stop=self.load.stop)

    def _record(
        self,
        op: str,
        account: Account,
        task_id: int | None,
        outcome: Outcome,
        marker: str | None = None,
    ) -> None:
        """A task's write: the answer is the task, as the API acknowledged it."""
        body = outcome.body if isinstance(outcome.body, dict) else {}
        state = {
            "title": body.get("title"),
            "due_at": body.get("due_at"),
            "completed": body.get("completed"),
            "reminder_ids": [r["id"] for r in body.get("reminders", [])],
        }
        answered = body.get("id") if outcome.acknowledged and "id" in body else task_id
        self._journal(op, account, answered, outcome, state, marker)

    def _record_reminder(self, op: str, account: Account, task_id: int, outcome: Outcome) -> None:
        """A reminder's write: its task's state is not in the answer, only the reminder's id."""
        body = outcome.body if isinstance(outcome.body, dict) else {}
        self._journal(op, account, task_id, outcome, {"reminder_ids": [body.get("id")]})

    def _journal(
        self,
        op: str,
        account: Account,
        task_id: int | None,
        outcome: Outcome,
        state: dict[str, Any],
        marker: str | None = None,
    ) -> None:
        body = outcome.body if isinstance(outcome.body, dict) else {}
        acknowledged = outcome.acknowledged and "id" in body
        self.load.journal.write(
            {
                "t": datetime.now(UTC).isoformat(),
                "thread": self.name,
                "user": account.username,
                "op": op,
                "task_id": task_id,
                "marker": marker,
                "acknowledged": acknowledged,
                "status": outcome.status,
                "attempts": outcome.attempts,
                "failures": outcome.failures,
                "state": state if acknowledged else None,
                "error": None if acknowledged or not outcome.status else str(outcome.body)[:300],
            }
        )


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
