"""Whole-stack chaos run: the real system under load while its processes are killed with -9.

    .venv/bin/python chaos/run.py [--duration SECONDS] [--users N] [--seed S] [--short]

Starts PostgreSQL, the local broker (behind a TCP gate, todo_project/testing/broker_gate.py),
web (gunicorn), a prefork Celery worker, beat, the outbox relay, the event consumers and the
push-service double, all on 127.0.0.1. Drives load through the REST API (load.py) for
`--duration` seconds while, at random moments from a seeded RNG, each of worker, relay,
consumer, beat and web is killed with -9 (with the processes it started) and restarted, and the
broker is taken away once. Then it restores whatever is down, waits (bounded) for the system to
settle, and checks the invariants (invariants.py), printing each with its counts and PASS or FAIL.

Default: 4 minutes, each process killed twice, the broker away 30-60 s. `--short`: 1 minute,
each killed once, and a shorter broker outage (15-20 s) so the run fits in CI.

Exit status: 0 when every invariant holds, 1 when one breaks, 2 when the run itself failed.
Logs of every process, the load's journal and the chaos timeline go to the run directory
(printed first). Every process started here is stopped by its PID at the end, also on an error
or Ctrl-C.
"""

from __future__ import annotations

import argparse
import heapq
import random
import secrets
import signal
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaos.stack import KILLABLE, Stack

# Client threads finish their last write, retries included (load.RETRY_PATIENCE_SECONDS).
JOIN_SECONDS = 120.0


def main() -> int:
    args = parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    run_dir = Path(args.run_dir or tempfile.mkdtemp(prefix="chaos-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    timeline = open(run_dir / "chaos.log", "a", encoding="utf-8")  # noqa: SIM115

    def log(line: str) -> None:
        stamped = f"{datetime.now(UTC):%H:%M:%S} {line}"
        print(stamped, flush=True)
        timeline.write(stamped + "\n")
        timeline.flush()

    signal.signal(signal.SIGTERM, _interrupt)  # stop like Ctrl-C: every process by its PID
    kind = "short" if args.short else "full"
    print(f"chaos run ({kind}): seed {seed}, {args.duration:.0f}s of load, {args.users} users")
    print(f"run directory: {run_dir}", flush=True)
    started = time.monotonic()
    stack = Stack(run_dir)
    try:
        stack.start()
        log(f"stack up in {time.monotonic() - started:.0f}s: pids {stack.pids()}")
        return run(args, seed, stack, log, run_dir, started)
    except KeyboardInterrupt:
        log("interrupted")
        return 2
    except Exception:
        log("the run failed:\n" + traceback.format_exc())
        return 2
    finally:
        stack.stop()
        print(f"stopped every process; logs in {run_dir}", flush=True)
        timeline.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--short", action="store_true", help="~1 minute, one kill of each")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--kills", type=int, default=None, help="kills of each process")
    parser.add_argument("--settle", type=float, default=180.0, help="cap of the settle wait")
    parser.add_argument("--run-dir", default=None)
    args = parser.parse_args()
    args.duration = args.duration or (60.0 if args.short else 240.0)
    args.users = args.users or (6 if args.short else 12)
    args.kills = args.kills or (1 if args.short else 2)
    args.outage = (15.0, 20.0) if args.short else (30.0, 60.0)
    if args.duration < 45:
        parser.error("--duration must be at least 45 seconds")
    return args


# ---------------------------------------------------------------- the schedule


def schedule(args: argparse.Namespace, rng: random.Random) -> list[tuple[float, int, str, str]]:
    """(seconds after the load starts, order, action, target): each process killed `kills`
    times, one kill per equal slot of the window, restarted 1-6 s later; one broker outage.
    Everything is back up 12 s before the load ends."""
    events: list[tuple[float, int, str, str]] = []
    first, last = 5.0, args.duration - 12.0
    slot = (last - first) / args.kills
    for name in KILLABLE:
        for n in range(args.kills):
            down = rng.uniform(1.0, 6.0)
            at = first + n * slot + rng.uniform(0.0, max(0.0, slot - down - 1.0))
            events += [
                (at, len(events), "kill", name),
                (at + down, len(events) + 1, "restart", name),
            ]
    outage = rng.uniform(*args.outage)
    at = rng.uniform(10.0, max(10.0, last - outage))
    events += [
        (at, len(events), "cut", "broker"),
        (at + outage, len(events) + 1, "restore", "broker"),
    ]
    heapq.heapify(events)
    return events


# ---------------------------------------------------------------- the run


def run(
    args: argparse.Namespace,
    seed: int,
    stack: Stack,
    log,
    run_dir: Path,
    started: float,
) -> int:
    from chaos import invariants
    from chaos.load import Journal, Load

    rng = random.Random(seed)
    accounts = make_accounts(stack, args.users, rng)
    events = schedule(args, rng)
    for at, _, action, target in sorted(events):
        log(f"planned: +{at:5.1f}s {action} {target}")

    journal = Journal(run_dir / "journal.jsonl")
    load_started = time.monotonic()
    load_ends = datetime.now(UTC) + timedelta(seconds=args.duration)
    load = Load(
        base_url=stack.web_url,
        accounts=accounts,
        journal=journal,
        ends_at=load_started + args.duration,
        reminders_until=load_ends,
        seed=seed,
    )
    load.start()
    log(f"load started: {len(load.threads)} client threads")
    kills: dict[str, int] = dict.fromkeys(KILLABLE, 0)
    unexpected: list[str] = []
    killed: set[str] = set()
    finished = False
    try:
        while time.monotonic() < load_started + args.duration or events:
            now = time.monotonic() - load_started
            while events and events[0][0] <= now:
                _, _, action, target = heapq.heappop(events)
                act(stack, action, target, log, kills, killed)
            check_processes(stack, killed, unexpected, log)
            time.sleep(0.1)
        finished = True
    finally:
        if not finished:
            load.stop.set()  # an error or Ctrl-C: the client threads give up their retries
        if not load.join(JOIN_SECONDS):
            log("some client threads did not finish in time")
        journal.close()
    log(f"load finished: {journal.counts}")
    if load.errors:
        raise RuntimeError(f"the load driver failed: {load.errors}")

    down = stack.restore_all()
    if down:
        log(f"restored: {down}")
    settle_started = time.monotonic()
    work = settle(stack, load_ends, args.settle, killed, unexpected, log)
    settled = time.monotonic() - settle_started
    log(f"settled in {settled:.0f}s" if not any(work.values()) else f"NOT settled: {work}")

    checks = [
        invariants.outbox_events_on_topics(),
        invariants.reminders_notified(until=load_ends),
        invariants.notifications_pushed(until=load_ends, double=stack.double),
        invariants.recurrence_one_next(),
        invariants.outbox_drained(),
        invariants.acknowledged_writes(run_dir / "journal.jsonl"),
        invariants.events_consumed(),
        invariants.processes_stayed_up(unexpected),
        invariants.no_server_errors(load.server_errors),
    ]
    report(checks, args, seed, kills, started, settled, run_dir)
    return 0 if all(c.ok for c in checks) else 1


def make_accounts(stack: Stack, count: int, rng: random.Random):
    """Users made with the service (set-up, not under test); a token and a push subscription
    on the double for each, through the API."""
    import requests

    from chaos.load import Account
    from tasks_app import services

    zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"]
    accounts = []
    http = requests.Session()
    http.trust_env = False
    tag = f"{rng.randrange(16**6):06x}"
    for n in range(count):
        username = f"chaos-{tag}-{n}"
        password = secrets.token_urlsafe(16)
        user = services.user_create(
            username=username, password=password, timezone=rng.choice(zones)
        )
        response = http.post(
            f"{stack.web_url}/api/auth/token/",
            json={"username": username, "password": password},
            timeout=10,
        )
        response.raise_for_status()
        token = response.json()["token"]
        browser = stack.double.subscribe(username)
        response = http.post(
            f"{stack.web_url}/api/push/subscriptions/",
            json=browser.to_json(),
            headers={"Authorization": f"Token {token}"},
            timeout=10,
        )
        response.raise_for_status()
        accounts.append(Account(username, token, user.timezone))
    return accounts


def act(stack: Stack, action: str, target: str, log, kills: dict[str, int], killed: set[str]):
    if action == "kill":
        killed.add(target)
        count = stack.kill(target)
        kills[target] += 1
        log(f"kill -9 {target} ({count} process(es))")
    elif action == "restart":
        stack.restart(target)
        killed.discard(target)
        log(f"restarted {target} (pid {stack.processes[target].pid})")
    elif action == "cut":
        stack.cut_broker()
        log("broker stopped: unreachable (gate cut)")
    elif action == "restore":
        stack.restore_broker()
        log("broker back")


def check_processes(stack: Stack, killed: set[str], unexpected: list[str], log) -> None:
    """A process that exited without being killed is a finding: note it and start it again."""
    for name, process in stack.processes.items():
        if name not in killed and not process.alive():
            code = process.process.returncode if process.process else None
            unexpected.append(f"{name} exited with code {code} at {datetime.now(UTC):%H:%M:%S}")
            log(f"UNEXPECTED: {name} exited with code {code}; restarting it")
            process.start()


def settle(stack: Stack, until: datetime, cap: float, killed, unexpected, log) -> dict[str, int]:
    """Wait, at most `cap` seconds, until the system owes no more work."""
    from chaos import invariants

    deadline = time.monotonic() + cap
    last_print = 0.0
    while True:
        check_processes(stack, killed, unexpected, log)
        work = invariants.pending_work(until=until, double=stack.double)
        if not any(work.values()) or time.monotonic() > deadline:
            return work
        if time.monotonic() - last_print > 10:
            log("settling: " + ", ".join(f"{k} {v}" for k, v in work.items() if v))
            last_print = time.monotonic()
        time.sleep(2.0)


def report(checks, args, seed, kills, started, settled, run_dir) -> None:
    total = time.monotonic() - started
    print()
    print(f"== invariants (seed {seed}, {'short' if args.short else 'full'} run)")
    for check in checks:
        print(f"({check.key}) {check.title}: {'PASS' if check.ok else 'FAIL'}")
        for line in check.lines:
            print(f"      {line}")
    print(
        f"== kills: {', '.join(f'{k} x{v}' for k, v in kills.items())}; "
        f"load {args.duration:.0f}s, settle {settled:.0f}s, whole run {total:.0f}s"
    )
    failed = [c.key for c in checks if not c.ok]
    print(f"== {'FAIL: ' + ', '.join(failed) if failed else 'PASS'} (logs: {run_dir})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
