"""Worker liveness probe from the heartbeat file (Celery's ``inspect ping`` needs fanout).

    python -m todo_project.common.safekafka.healthcheck /tmp/celery-worker.alive --max-age 30

Exit status 0 when the file was touched within ``--max-age`` seconds. The worker's consuming loop
touches it about every second while its Kafka consumer thread is alive; under the solo pool a task
blocks that loop, so ``--max-age`` must exceed the longest task there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def heartbeat_age(path: str) -> float | None:
    """Seconds since the heartbeat file was last touched, or None if there is none."""
    try:
        return time.time() - os.stat(path).st_mtime
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Celery worker liveness from a heartbeat file")
    parser.add_argument("path")
    parser.add_argument("--max-age", type=float, default=30.0)
    args = parser.parse_args(argv)
    age = heartbeat_age(args.path)
    if age is None:
        print(f"unhealthy: no heartbeat file at {args.path}")
        return 1
    if age > args.max_age:
        print(f"unhealthy: last heartbeat {age:.0f}s ago (max {args.max_age:.0f}s)")
        return 1
    print(f"ok: last heartbeat {age:.1f}s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
