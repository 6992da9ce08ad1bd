"""Real workers killed with ``kill -9`` mid-run: no task may be lost (duplicates are allowed).

Each case kills the first worker once a share of the tasks completed, starts a fresh worker on
the same queue and waits until every task completed at least once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from todo_project.testing.kafka_broker import KafkaBroker

from .harness import CrashCase, Records, WorkerProcess, client_app, run_crash_case

CASES = [
    CrashCase("prefork-c2-m4-mid", concurrency=2, prefetch_multiplier=4, kill_after=0.5),
    CrashCase("prefork-c8-mid", concurrency=8, prefetch_multiplier=4, kill_after=0.5),
    CrashCase("long-first-then-199", first_task_seconds=8.0, kill_after=0.25),
    CrashCase("solo-mid", pool="solo", concurrency=1, prefetch_multiplier=4, kill_after=0.5),
    CrashCase("prefork-c2-early", kill_after=0.05),
    CrashCase("prefork-c2-late", kill_after=0.9),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_kill9_loses_no_task(
    case: CrashCase,
    kafka_broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
    records: Records,
    transport_options: dict[str, Any],
    namespace: str,
) -> None:
    publisher = client_app(f"safekafka://{kafka_broker.bootstrap_servers}", transport_options)

    outcome = run_crash_case(
        case,
        start_worker=start_worker,
        publisher=publisher,
        records=records,
        queue="crash",
    )

    print(f"{case.name}: {outcome.summary()}")
    assert outcome.lost == []
