"""The short chaos run (chaos/run.py --short) as a test: every invariant holds after one kill -9
of each of worker, relay, consumer, beat and web and a broker outage, all under load."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from todo_project.testing.postgres import find_bin_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_short_chaos_run_keeps_every_invariant(tmp_path):
    if find_bin_dir() is None:  # the suite's SQLite fallback: run.py starts its own PostgreSQL
        pytest.skip("the chaos run needs PostgreSQL server binaries")
    # Given the whole system under load, when each process is killed once and the broker goes
    # away for a while (all inside run.py), then the run exits 0: every invariant holds.
    run = subprocess.Popen(
        [sys.executable, "chaos/run.py", "--short", "--run-dir", str(tmp_path / "run")],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = run.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGINT)  # run.py then stops every process it started
        try:
            output, _ = run.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            run.kill()
            raise
    assert run.returncode == 0, output[-20000:]
    print(output[output.find("== invariants") :])
