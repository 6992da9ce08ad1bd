"""Celery-side settings: the recommended set, the start-up refusal, the health probe."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from todo_project.common.safekafka import (
    UnsafeConfiguration,
    celery_settings,
    check_celery_app,
)
from todo_project.common.safekafka.healthcheck import main as healthcheck

from .harness import APP_MODULE, REPO_ROOT


def test_recommended_settings_make_a_safe_app() -> None:
    settings = celery_settings(
        {"bootstrap.servers": "b:9092"}, topic_prefix="todo.", heartbeat_file="/tmp/x.alive"
    )
    app = Celery("safe", set_as_current=False)
    app.conf.update(**settings)

    check_celery_app(app)
    assert settings["broker_transport_options"]["topic_prefix"] == "todo."
    assert settings["broker_transport_options"]["heartbeat_file"] == "/tmp/x.alive"


def test_early_acks_are_refused() -> None:
    app = Celery("unsafe", broker="safekafka://b:9092", set_as_current=False)
    app.conf.update(task_acks_late=False, task_reject_on_worker_lost=True)

    with pytest.raises(UnsafeConfiguration, match="task_acks_late"):
        check_celery_app(app)


def test_a_worker_with_unsafe_settings_does_not_start() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "SAFEKAFKA_BROKER": "safekafka://127.0.0.1:1",
        "SAFEKAFKA_ACKS_LATE": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", APP_MODULE, "worker", "--pool=solo"]

    result = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)

    assert result.returncode != 0
    assert b"refusing to start" in result.stdout + result.stderr


def test_healthcheck_accepts_a_fresh_heartbeat(tmp_path: Path) -> None:
    heartbeat = tmp_path / "alive"
    heartbeat.touch()

    assert healthcheck([str(heartbeat), "--max-age", "30"]) == 0


def test_healthcheck_rejects_a_stale_or_missing_heartbeat(tmp_path: Path) -> None:
    heartbeat = tmp_path / "alive"
    heartbeat.touch()
    old = time.time() - 120
    os.utime(heartbeat, (old, old))

    assert healthcheck([str(heartbeat), "--max-age", "30"]) == 1
    assert healthcheck([str(tmp_path / "missing")]) == 1
