"""Liveness for the processes without a port: each touches a heartbeat file the probe checks.

The probe is the chart's command: `python todo_project/common/heartbeat.py FILE --max-age N`.
"""

import os
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from todo_project.common.heartbeat import main, touch
from todo_project.testing.processes import ROOT, celery, manage
from todo_project.testing.waiting import wait_until

SCRIPT = ROOT / "todo_project" / "common" / "heartbeat.py"


def probe(path, max_age: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(path), "--max-age", f"{max_age}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_fresh_file_is_healthy(tmp_path):
    path = tmp_path / "heartbeat"
    touch(path)

    assert main([str(path), "--max-age", "60"]) == 0


def test_missing_file_is_unhealthy(tmp_path, capsys):
    assert main([str(tmp_path / "absent"), "--max-age", "60"]) == 1
    assert "no heartbeat" in capsys.readouterr().err


def test_stale_file_is_unhealthy(tmp_path, capsys):
    path = tmp_path / "heartbeat"
    touch(path)
    old = time.time() - 120
    os.utime(path, (old, old))

    assert main([str(path), "--max-age", "60"]) == 1
    assert "last heartbeat 120s ago" in capsys.readouterr().err


def test_touch_refreshes_an_existing_file(tmp_path):
    path = tmp_path / "heartbeat"
    path.write_text("kept")
    old = time.time() - 300
    os.utime(path, (old, old))

    touch(path)

    assert main([str(path), "--max-age", "60"]) == 0
    assert path.read_text() == "kept"


def _worker(log_path, heartbeat):
    return celery(
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        "--queues",
        "default",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        log_path=log_path,
        CELERY_WORKER_HEARTBEAT_FILE=str(heartbeat),
    )


def _beat(log_path, heartbeat, schedule):
    return celery(
        "beat",
        "--loglevel",
        "INFO",
        "--pidfile=",
        "--schedule",
        str(schedule),
        log_path=log_path,
        CELERY_BEAT_HEARTBEAT_FILE=str(heartbeat),
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["relay", "consumer", "worker", "beat"])
def test_each_process_keeps_its_heartbeat_fresh_and_it_goes_stale_when_killed(
    kafka, tmp_path, name
):
    call_command("setup_periodic_tasks", verbosity=0)
    heartbeat = tmp_path / "heartbeat"
    log = tmp_path / f"{name}.log"
    process = {
        "relay": lambda: manage("relay_outbox", "--heartbeat-file", str(heartbeat), log_path=log),
        "consumer": lambda: manage(
            "consume_events", "--heartbeat-file", str(heartbeat), log_path=log
        ),
        "worker": lambda: _worker(log, heartbeat),
        "beat": lambda: _beat(log, heartbeat, tmp_path / "schedule"),
    }[name]().start()
    try:
        assert wait_until(lambda: probe(heartbeat, 10).returncode == 0, 90), log.read_text()
        # Still fresh a while later: the loop keeps touching it, not just once at start.
        first = heartbeat.stat().st_mtime
        assert wait_until(lambda: heartbeat.stat().st_mtime > first, 30), log.read_text()
        assert probe(heartbeat, 10).returncode == 0
    finally:
        process.kill()
    # Nothing touches the file once the process is gone: the probe fails and Kubernetes restarts.
    assert wait_until(lambda: probe(heartbeat, 1).returncode == 1, 30)
    assert "last heartbeat" in probe(heartbeat, 1).stderr
