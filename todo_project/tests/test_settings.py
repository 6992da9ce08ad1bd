"""Production settings refuse to start without their secrets and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "todo_project.settings.production",
    "DJANGO_SECRET_KEY": "x" * 60 + "-a-long-random-looking-production-key",
    "DATABASE_URL": "postgres://app@127.0.0.1:1/app",
    "DJANGO_ALLOWED_HOSTS": "todo.example.com",
}


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_check_deploy():
    result = run_manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = run_manage(env, "check")

    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_an_unfilled_placeholder(name):
    env = {**PRODUCTION_ENV, name: "REPLACE_ME"}

    result = run_manage(env, "check")

    assert result.returncode != 0
    assert f"{name} still holds the REPLACE_ME placeholder" in result.stderr


def production_setting(env: dict[str, str], name: str) -> str:
    result = run_manage(
        env, "shell", "-c", f"from django.conf import settings; print(repr(settings.{name}))"
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_is_https_only_by_default():
    assert production_setting(PRODUCTION_ENV, "SESSION_COOKIE_SECURE") == "True"
    assert production_setting(PRODUCTION_ENV, "SECURE_SSL_REDIRECT") == "True"
    assert production_setting(PRODUCTION_ENV, "SECURE_HSTS_SECONDS") == "31536000"


def test_plain_http_mode_drops_secure_cookies_redirect_and_hsts_and_still_passes_the_check():
    """The chart's NodePort address before TLS: Secure cookies would be dropped by browsers."""
    env = {**PRODUCTION_ENV, "DJANGO_HTTPS": "false"}

    check = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert check.returncode == 0, check.stdout + check.stderr
    assert production_setting(env, "SESSION_COOKIE_SECURE") == "False"
    assert production_setting(env, "CSRF_COOKIE_SECURE") == "False"
    assert production_setting(env, "SECURE_SSL_REDIRECT") == "False"
    assert production_setting(env, "SECURE_HSTS_SECONDS") == "0"
