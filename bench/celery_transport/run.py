"""Celery on three brokers in one run: safekafka, kombu's stock confluentkafka, and Redis.

    .venv/bin/python bench/celery_transport/run.py            # everything (~15 min)
    .venv/bin/python bench/celery_transport/run.py --quick    # smaller counts (~6 min)

Measures, for each transport, with real ``celery worker`` processes (prefork, concurrency 2):

* latency from just before ``delay()`` to task start, idle worker, one queue; and a worker on two
  queues with traffic on the second;
* publish throughput (sequential ``delay()``; safekafka also inside ``publish_batch()``);
* consume throughput of a trivial task (backlog published first, then the worker started);
* the crash matrix of the test suite (``kill -9`` mid-run, then a new worker): lost and duplicated
  tasks, for the stock transport and safekafka.

Everything binds to 127.0.0.1 and every process started here is stopped by its own PID.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from bench.celery_transport.redis_server import RedisServer  # noqa: E402
from todo_project.common.safekafka import publish_batch  # noqa: E402
from todo_project.common.safekafka.tests.harness import (  # noqa: E402
    CrashCase,
    Outcome,
    Records,
    WorkerProcess,
    client_app,
    publish_work,
    run_crash_case,
    wait_for,
)
from todo_project.common.safekafka.tests.test_crashes import CASES  # noqa: E402
from todo_project.testing.kafka_broker import KafkaBroker  # noqa: E402

# Same librdkafka tuning for both Kafka transports, so the comparison is about design: the
# stock transport's own defaults (fetch.wait.max.ms 500, session 45 s) are far slower still.
KAFKA_TUNING = {"fetch.wait.max.ms": 10, "session.timeout.ms": 6000, "heartbeat.interval.ms": 1500}


@dataclass
class Transport:
    name: str
    url: str
    options: dict[str, Any]
    is_kafka: bool

    @property
    def ready_pattern(self) -> str:
        # Only safekafka logs its partition assignment; the others only say they are ready.
        return " assigned " if self.name == "safekafka" else " ready."

    def options_for(self, scenario: str) -> dict[str, Any]:
        if self.name == "safekafka":
            return {**self.options, "topic_prefix": f"bench.{scenario}."}
        return dict(self.options)


@dataclass
class Bench:
    workdir: Path
    quick: bool
    results: dict[str, Any] = field(default_factory=dict)
    _counter: int = 0

    def scenario(self, label: str) -> str:
        self._counter += 1
        return f"{label}{self._counter}"

    @contextmanager
    def worker(
        self, transport: Transport, scenario: str, queues: tuple[str, ...], **kwargs: Any
    ) -> Iterator[tuple[WorkerProcess, Records]]:
        records = Records(self.workdir / f"{scenario}.records")
        worker = WorkerProcess(
            broker_url=transport.url,
            record_path=records.path,
            log_path=self.workdir / f"{scenario}.worker.log",
            queues=queues,
            transport_options=transport.options_for(scenario),
            hostname=scenario,
            **kwargs,
        )
        try:
            yield worker.start(), records
        finally:
            worker.cleanup()

    def warm_up(self, app: Any, records: Records, queue: str) -> None:
        """Until the worker runs tasks from ``queue`` (its consumer joined and fetches)."""
        keys: list[str] = []

        def any_done() -> bool:
            return records.distinct_completed(keys) > 0

        for i in range(60):
            keys += publish_work(app, [f"warm-{queue}-{i}"], queue=queue)
            if wait_for(any_done, 2.0, 0.05):
                break
        wait_for(lambda: records.distinct_completed(keys) == len(keys), 60.0)

    # -- latency ---------------------------------------------------------------------------

    def latency(self, transport: Transport, *, two_queues: bool) -> dict[str, float]:
        scenario = self.scenario("lat2q" if two_queues else "lat1q")
        idle_queue, busy_queue = f"{scenario}-a", f"{scenario}-b"
        queues = (idle_queue, busy_queue) if two_queues else (busy_queue,)
        samples = 40 if self.quick else 100
        if two_queues and transport.name == "stock":
            # It polls each queue for wait_time_seconds (5 s): a backlog builds up on the second
            # queue at any rate, so more samples only measure a longer backlog.
            samples = 20
        app = client_app(transport.url, transport.options_for(scenario))
        with self.worker(transport, scenario, queues) as (_worker, records):
            self.warm_up(app, records, busy_queue)
            warm = len(records.latencies())
            keys = []
            for i in range(samples):
                keys += publish_work(app, [f"{scenario}-{i}"], queue=busy_queue)
                time.sleep(0.05)
            wait_for(lambda: records.distinct_completed(keys) == len(keys), 180.0)
            latencies = sorted(records.latencies()[warm:])
        return _percentiles(latencies)

    # -- throughput ------------------------------------------------------------------------

    def publish_rate(self, transport: Transport, *, batch: bool) -> float:
        scenario = self.scenario("pub")
        count = 1000 if self.quick else 3000
        app = client_app(transport.url, transport.options_for(scenario))
        publish_work(app, ["first"], queue=scenario)  # connection and topic set up
        keys = [f"{scenario}-{i}" for i in range(count)]
        started = time.perf_counter()
        if batch:
            with publish_batch():
                for key in keys:
                    app.send_task("safekafka.tests.work", args=(key,), queue=scenario)
        else:
            for key in keys:
                app.send_task("safekafka.tests.work", args=(key,), queue=scenario)
        return count / (time.perf_counter() - started)

    def consume_rate(self, transport: Transport) -> float:
        scenario = self.scenario("con")
        count = 1000 if self.quick else 3000
        app = client_app(transport.url, transport.options_for(scenario))
        keys = publish_work(app, [f"{scenario}-{i}" for i in range(count)], queue=scenario)
        with self.worker(transport, scenario, (scenario,)) as (_worker, records):
            wait_for(lambda: records.distinct_completed(keys) == len(keys), 600.0, 0.2)
            lines = records.lines()
        starts = [float(p[3]) for p in lines if p[0] == "S"]
        ends = [float(p[3]) for p in lines if p[0] == "E"]
        # Measured on the tasks' own clock: from the first start to the last completion.
        return len(ends) / (max(ends) - min(starts))

    # -- broker outage -------------------------------------------------------------------

    def outage(self) -> dict[str, Any]:
        """How long ``delay()`` takes to fail with the broker down, and to work again after."""
        result: dict[str, Any] = {}
        with KafkaBroker(log_path=self.workdir / "outage-tansu.log") as broker:
            app = client_app(f"safekafka://{broker.bootstrap_servers}", {"topic_prefix": "out."})
            publish_work(app, ["warm"], queue="outage")
            broker.stop()
            started = time.monotonic()
            try:
                publish_work(app, ["down"], queue="outage")
                result["raised"] = "nothing (returned normally)"
            except Exception as exc:  # the point is to report whatever it was
                result["raised"] = type(exc).__name__
            result["raise_after_s"] = round(time.monotonic() - started, 2)
            broker.restart()
            started = time.monotonic()
            for _ in range(30):
                try:
                    publish_work(app, ["again"], queue="outage")
                    break
                except Exception:  # retried until the broker answers
                    time.sleep(0.2)
            result["publishing_again_after_s"] = round(time.monotonic() - started, 2)
        return result

    # -- crash matrix ----------------------------------------------------------------------

    def crash_matrix(self, transport: Transport) -> dict[str, dict[str, Any]]:
        results = {}
        for case in CASES:
            scenario = self.scenario("crash")
            results[case.name] = self._crash_case(transport, case, scenario)
            print(f"  {transport.name:10} {case.name:22} {results[case.name]['summary']}")
        return results

    def _crash_case(self, transport: Transport, case: CrashCase, scenario: str) -> dict[str, Any]:
        records = Records(self.workdir / f"{scenario}.records")
        started: list[WorkerProcess] = []

        def start_worker(**kwargs: Any) -> WorkerProcess:
            worker = WorkerProcess(
                broker_url=transport.url,
                record_path=records.path,
                log_path=self.workdir / f"{scenario}.w{len(started) + 1}.log",
                transport_options=transport.options_for(scenario),
                hostname=f"{scenario}w{len(started) + 1}",
                ready_pattern=transport.ready_pattern,
                **kwargs,
            )
            started.append(worker.start())
            return worker

        app = client_app(transport.url, transport.options_for(scenario))
        try:
            outcome: Outcome = run_crash_case(
                case,
                start_worker=start_worker,
                publisher=app,
                records=records,
                queue=scenario,
                timeout=180.0,
            )
        finally:
            for worker in started:
                worker.cleanup()
        return {
            "lost": len(outcome.lost),
            "duplicated": len(outcome.duplicated),
            "extra_runs": outcome.extra_runs,
            "summary": outcome.summary(),
        }


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "n": len(values)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000, "n": len(values)}


def _timed(label: str, fun: Callable[[], Any]) -> Any:
    started = time.monotonic()
    value = fun()
    print(f"  {label}: {value}  ({time.monotonic() - started:.0f}s)", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--skip-crash", action="store_true", help="skip the crash matrices")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-celery-transport-"))
    print(f"logs and records in {workdir}")
    bench = Bench(workdir, args.quick)
    with KafkaBroker(log_path=workdir / "tansu.log") as broker:
        redis = RedisServer(workdir / "redis.log").start()
        try:
            bootstrap = broker.bootstrap_servers
            transports = [
                Transport(
                    "safekafka",
                    f"safekafka://{bootstrap}",
                    {"num_partitions": 4, "kafka_consumer_config": KAFKA_TUNING},
                    True,
                ),
                Transport(
                    "stock",
                    f"confluentkafka://{bootstrap}",
                    {"num_partitions": 4, "kafka_consumer_config": KAFKA_TUNING},
                    True,
                ),
                Transport("redis", redis.url, {}, False),
            ]
            run_all(bench, transports, skip_crash=args.skip_crash)
        finally:
            redis.stop()
    report(bench.results)
    if args.json:
        args.json.write_text(json.dumps(bench.results, indent=2, sort_keys=True))


def run_all(bench: Bench, transports: list[Transport], *, skip_crash: bool) -> None:
    for transport in transports:
        print(f"{transport.name}:", flush=True)
        result = bench.results.setdefault(transport.name, {})
        result["latency_1q"] = _timed(
            "latency, 1 queue", lambda t=transport: bench.latency(t, two_queues=False)
        )
        result["latency_2q"] = _timed(
            "latency, 2 queues", lambda t=transport: bench.latency(t, two_queues=True)
        )
        result["publish_per_s"] = _timed(
            "publish/s", lambda t=transport: bench.publish_rate(t, batch=False)
        )
        if transport.name == "safekafka":
            result["publish_batch_per_s"] = _timed(
                "publish/s in publish_batch()",
                lambda t=transport: bench.publish_rate(t, batch=True),
            )
        result["consume_per_s"] = _timed("consume/s", lambda t=transport: bench.consume_rate(t))
    bench.results["safekafka"]["outage"] = _timed("safekafka broker outage", bench.outage)
    if skip_crash:
        return
    print("crash matrix (kill -9 mid-run, then a new worker):", flush=True)
    for transport in transports:
        if transport.is_kafka:
            bench.results[transport.name]["crash"] = bench.crash_matrix(transport)


def report(results: dict[str, Any]) -> None:
    redis, safe = results.get("redis", {}), results.get("safekafka", {})

    def ratio(metric: str, sub: str | None = None, base: str = "redis") -> str:
        try:
            ours = safe[metric][sub] if sub else safe[metric]
            theirs = results[base][metric][sub] if sub else results[base][metric]
            return f"{ours / theirs:.2f}x"
        except (KeyError, ZeroDivisionError, TypeError):
            return "n/a"

    print("\n== figures ==")
    header = f"{'':34}" + "".join(f"{name:>14}" for name in results)
    print(header)
    rows = [
        ("latency 1 queue p50 (ms)", "latency_1q", "p50_ms"),
        ("latency 1 queue p99 (ms)", "latency_1q", "p99_ms"),
        ("latency 2 queues p50 (ms)", "latency_2q", "p50_ms"),
        ("latency 2 queues p99 (ms)", "latency_2q", "p99_ms"),
        ("publish (tasks/s, sequential)", "publish_per_s", None),
        ("publish (tasks/s, publish_batch)", "publish_batch_per_s", None),
        ("consume (tasks/s, trivial task)", "consume_per_s", None),
    ]
    for label, metric, sub in rows:
        cells = []
        for name in results:
            value = results[name].get(metric)
            value = value.get(sub) if isinstance(value, dict) and sub else value
            cells.append(f"{value:14.1f}" if isinstance(value, float) else f"{'-':>14}")
        print(f"{label:34}" + "".join(cells))
    print("\n== safekafka vs redis (targets: latency p50 <= 2x, throughput >= 0.5x) ==")
    print(f"latency 1 queue p50:   {ratio('latency_1q', 'p50_ms')}")
    print(f"latency 2 queues p50:  {ratio('latency_2q', 'p50_ms')}")
    print(f"publish sequential:    {ratio('publish_per_s')}")
    if redis.get("publish_per_s") and safe.get("publish_batch_per_s"):
        print(f"publish batch:         {safe['publish_batch_per_s'] / redis['publish_per_s']:.2f}x")
    print(f"consume:               {ratio('consume_per_s')}")
    if "outage" in safe:
        print(f"\nbroker stopped, publish_timeout 5 s (default): {safe['outage']}")
    for name in ("stock", "safekafka"):
        crash = results.get(name, {}).get("crash")
        if not crash:
            continue
        print(f"\n== crash matrix: {name} ==")
        for case, outcome in crash.items():
            print(f"{case:24} {outcome['summary']}")


if __name__ == "__main__":
    main()
