"""End-to-end fixtures: the real backend stack and Debian's Chromium driven by Playwright.

Each test gets the whole stack on loopback, started here as real processes against the test's
PostgreSQL database (the root conftest's) and the broker (the root `kafka` fixture): the web
server (`runserver`, serving the built app from frontend/dist like `make run` does), the outbox
relay, the `recurrence` consumer group and a Celery worker. So completing a recurring task in
the browser spawns its next occurrence the way it does in production.

The browser is Debian's `chromium` (never a downloaded one), headless, driven by the
`playwright` PyPI package.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .support import DESKTOP, PHONE, TIMEZONE, wait_until

# Playwright's sync API keeps an event loop in the test's thread; Django's ORM (used by the
# tests to fire reminders, as beat's scan would) would refuse to run there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FRONTEND = Path(__file__).resolve().parents[1]
DIST = FRONTEND / "dist"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def built_app() -> Path:
    if not (DIST / "index.html").is_file() or not (DIST / "sw.js").is_file():
        pytest.fail(
            "frontend/dist is not built; run `cd frontend && npm ci && npm run build` first",
            pytrace=False,
        )
    return DIST


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is needed: apt-get install -y chromium", pytrace=False)
    return path


@pytest.fixture(scope="session")
def vapid() -> tuple[str, str]:
    from notifications_app.webpush import generate_vapid_keys

    return generate_vapid_keys()


@dataclass
class Stack:
    base_url: str
    logs: dict[str, Path]

    def tail(self) -> str:
        return "\n".join(
            f"--- {name}\n{path.read_text(errors='replace')[-4000:]}"
            for name, path in self.logs.items()
            if path.exists()
        )


@pytest.fixture
def stack(built_app, transactional_db, kafka, vapid, tmp_path) -> Iterator[Stack]:
    from todo_project.testing.kafka_broker import free_port
    from todo_project.testing.processes import celery, manage

    port = free_port()
    env = {
        "VAPID_PRIVATE_KEY": vapid[0],
        "VAPID_PUBLIC_KEY": vapid[1],
        "VAPID_SUBJECT": "mailto:e2e@todo.test",
    }
    # The test settings run Celery tasks inline; here every task really goes through the broker.
    not_eager = {**env, "CELERY_TASK_ALWAYS_EAGER": "false"}
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "relay", "consumer", "worker")}
    processes = [
        manage("runserver", f"127.0.0.1:{port}", "--noreload", log_path=logs["web"], **not_eager),
        manage("relay_outbox", log_path=logs["relay"], **not_eager),
        manage("consume_events", "--group", "recurrence", log_path=logs["consumer"], **not_eager),
        celery(
            "worker",
            "--pool",
            "solo",
            "--queues",
            "default",
            "--loglevel",
            "INFO",
            log_path=logs["worker"],
            **env,
        ),
    ]
    for process in processes:
        process.start()
    stack = Stack(base_url=f"http://127.0.0.1:{port}", logs=logs)

    def web_ready() -> bool:
        try:
            with urllib.request.urlopen(f"{stack.base_url}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        assert wait_until(web_ready, 60), stack.tail()
        yield stack
    finally:
        for process in reversed(processes):
            process.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def fake_push_subscription() -> dict:
    """What PushManager.subscribe() would return, with real key shapes (the server checks them)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/e2e-{uuid.uuid4().hex}",
        "keys": {"p256dh": b64url(point), "auth": b64url(secrets.token_bytes(16))},
    }


# pushManager.subscribe() needs the browser's push service, which is not reachable offline: the
# stub returns a subscription of the real shape and remembers it like the browser would.
PUSH_STUB = """
(() => {
  const STORE = "e2e.push-subscription";
  const fake = %s;
  const stats = (window.__pushStub = { subscribe: 0, unsubscribe: 0 });
  const toBytes = (key) =>
    key instanceof ArrayBuffer
      ? new Uint8Array(key)
      : new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
  function subscription(keyBase64) {
    const key = Uint8Array.from(atob(keyBase64), (c) => c.charCodeAt(0)).buffer;
    return {
      endpoint: fake.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: key },
      getKey: () => null,
      toJSON: () => ({ endpoint: fake.endpoint, expirationTime: null, keys: fake.keys }),
      unsubscribe: async () => {
        stats.unsubscribe += 1;
        localStorage.removeItem(STORE);
        return true;
      },
    };
  }
  PushManager.prototype.subscribe = async function (options) {
    stats.subscribe += 1;
    const stored = btoa(String.fromCharCode(...toBytes(options.applicationServerKey)));
    localStorage.setItem(STORE, stored);
    return subscription(stored);
  };
  PushManager.prototype.getSubscription = async function () {
    const stored = localStorage.getItem(STORE);
    return stored ? subscription(stored) : null;
  };
})();
"""


@pytest.fixture
def push_subscription() -> dict:
    return fake_push_subscription()


@pytest.fixture
def context(browser, stack, push_subscription):
    context = browser.new_context(
        viewport=DESKTOP, locale="en-US", timezone_id=TIMEZONE, base_url=stack.base_url
    )
    context.add_init_script(PUSH_STUB % json.dumps(push_subscription))
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(browser, stack, context):
    """A phone-sized window signed in as the same user (it shares the session cookie)."""

    def open_phone():
        phone_context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="en-US",
            timezone_id=TIMEZONE,
            base_url=stack.base_url,
        )
        phone_context.add_cookies(context.cookies())
        opened.append(phone_context)
        return phone_context.new_page()

    opened: list = []
    yield open_phone
    for phone_context in opened:
        phone_context.close()
