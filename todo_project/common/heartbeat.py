"""Heartbeat files: how the processes without an HTTP port show Kubernetes they are alive.

Each long-running loop touches its file every turn (worker: the transport's consuming loop; beat:
every scheduler tick; relay and consumer: every poll). The probe is this module run as a script:

    python -m todo_project.common.heartbeat /tmp/heartbeat --max-age 60

It exits 0 when the file was touched within max-age seconds and 1 otherwise (missing, stale or
unreadable). It imports nothing from Django, so a probe costs a bare interpreter start.
"""

import argparse
import os
import sys
import time
from pathlib import Path


def touch(path: str | os.PathLike[str]) -> None:
    """Create the file if needed and set its modification time to now."""
    with open(path, "a"):
        os.utime(path)


def age_seconds(path: str | os.PathLike[str], *, now: float | None = None) -> float:
    """Seconds since the file was last touched; raises OSError when it cannot be read."""
    return (time.time() if now is None else now) - Path(path).stat().st_mtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exit 0 when a heartbeat file is fresh.")
    parser.add_argument("path")
    parser.add_argument("--max-age", type=float, default=60.0, help="seconds (default 60)")
    args = parser.parse_args(argv)
    try:
        age = age_seconds(args.path)
    except OSError as exc:
        print(f"unhealthy: no heartbeat at {args.path} ({exc.strerror})", file=sys.stderr)
        return 1
    if age > args.max_age:
        limit = f"limit {args.max_age:.0f}s"
        print(f"unhealthy: last heartbeat {age:.0f}s ago ({limit})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
