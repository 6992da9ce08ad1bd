"""Fixtures of the notifications tests: VAPID keys and the loopback push-service double."""

import pytest

from notifications_app.webpush import generate_vapid_keys
from todo_project.testing.push_service import PushServiceDouble


@pytest.fixture(scope="session")
def vapid_keys() -> tuple[str, str]:
    return generate_vapid_keys()


@pytest.fixture
def push_double(tmp_path, vapid_keys):
    """A running double that accepts only our VAPID key; stopped after the test."""
    double = PushServiceDouble(tls_dir=tmp_path / "tls", vapid_public_key=vapid_keys[1]).start()
    try:
        yield double
    finally:
        double.stop()


@pytest.fixture
def push_settings(settings, vapid_keys, push_double):
    """Push configured for this test: our VAPID keys, the double's origin and CA trusted."""
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = vapid_keys
    settings.VAPID_SUBJECT = "mailto:ops@todo.test"
    settings.PUSH_TEST_ENDPOINT_ORIGINS = [push_double.origin]
    settings.PUSH_CA_BUNDLE = str(push_double.tls.ca)
    settings.PUSH_CONNECT_TIMEOUT_SECONDS = 2.0
    settings.PUSH_READ_TIMEOUT_SECONDS = 2.0
    return settings


@pytest.fixture
def subscribe(push_double):
    """Make a browser-like subscription on the double and store it for `user` (no API)."""
    from notifications_app.models import PushSubscription

    def make(user, name=None):
        browser = push_double.subscribe(name)
        row = PushSubscription.objects.create(
            user=user, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
        return browser, row

    return make


class ConnectionCounter:
    """A loopback TCP listener standing in for an internal service: it only counts who connects."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def internal_service():
    counter = ConnectionCounter()
    try:
        yield counter
    finally:
        counter.stop()
