"""A Web Push service double for tests and benchmarks: a real HTTPS server on loopback.

It behaves like FCM / Mozilla autopush / Apple as far as a sender can tell, and proves delivery
end to end without the internet:

- serves TLS with a certificate from a throwaway CA made at start (`cryptography`); the sender
  trusts that CA through `PUSH_CA_BUNDLE`, in test settings only;
- verifies the VAPID `Authorization: vapid t=…,k=…` header: the ES256 signature (py-vapid),
  `k` equal to the application server key the subscriptions were made with, `aud` equal to
  this server's origin, `exp` in the future and at most 24 h ahead, `sub` a mailto:/https: URL.
  A token whose signature verified is remembered (senders reuse a token for many messages, as
  RFC 8292 allows); `aud`, `exp` and `sub` are checked on every message all the same;
- requires `TTL`, `Content-Encoding: aes128gcm`, a valid `Urgency` and `Topic` when sent, and
  enforces the 4096-byte body limit (413);
- decrypts the body (http_ece, RFC 8291) with the subscription's private key and auth secret,
  exactly as a browser would, and records what it received;
- can be scripted per subscription to answer 404, 410, 429 + Retry-After, 5xx, a redirect, or
  to hang (no answer) — each answer is used once, then it answers 201 again.

Browser-like subscriptions (a P-256 key pair and a 16-byte auth secret, endpoint on this server)
come from `subscribe()`; `Subscription.to_json()` is the `PushSubscription.toJSON()` shape.

In a test (a thread of the test process)::

    with PushServiceDouble(vapid_public_key=KEY, tls_dir=tmp_path) as double:
        sub = double.subscribe()
        double.script(sub, Answer(410))
        ...
        double.received(sub)  # [Received(payload={...}, ttl=..., topic=..., ...)]

As a process of its own (benchmarks), it adds a control API under `/_double/`::

    python -m todo_project.testing.push_service --tls-dir DIR [--port P] [--vapid-public-key K]

    POST /_double/subscriptions {"count": n}  -> [{"name", "endpoint", "keys": {...}}, ...]
    GET  /_double/records?since=i             -> {"records": [...], "next": j, "rejected": r}
    POST /_double/script {"name", "answers": [{"status", "retry_after", "hang", "location"}]}

It binds 127.0.0.1 only; the process or thread that started it stops it.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import email.utils
import ipaddress
import json
import os
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import http_ece
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from py_vapid import jwt as vapid_jwt

MAX_BODY_BYTES = 4096
URGENCIES = {"very-low", "low", "normal", "high"}
TOPIC_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---------------------------------------------------------------- TLS material


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the bundle a sender trusts
    cert: Path
    key: Path


def make_tls_files(directory: Path) -> TlsFiles:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost signed by it."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    validity = (now - dt.timedelta(minutes=5), now + dt.timedelta(days=2))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push-service double test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


# ---------------------------------------------------------------- subscriptions and records


@dataclass
class Subscription:
    """What a browser holds: the private half of p256dh, the auth secret, the endpoint."""

    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def to_json(self) -> dict[str, Any]:
        """`PushSubscription.toJSON()`."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


@dataclass(frozen=True)
class Answer:
    """A scripted reply. `hang` seconds: read the request, then answer nothing for that long."""

    status: int = 201
    retry_after: str | None = None
    location: str | None = None
    hang: float = 0.0


@dataclass
class Received:
    subscription: str
    at: float  # time.time() when the request was read
    status: int  # what the double answered (0 = hung up without answering)
    payload: Any  # decrypted JSON (or bytes if not JSON)
    ttl: int
    urgency: str | None
    topic: str | None
    claims: dict[str, Any]
    body_bytes: int
    token: str = ""  # the VAPID JWT it came with

    def as_json(self) -> dict[str, Any]:
        payload = self.payload
        if isinstance(payload, bytes):
            payload = {"_raw": b64url(payload)}
        return {
            "subscription": self.subscription,
            "at": self.at,
            "status": self.status,
            "payload": payload,
            "ttl": self.ttl,
            "urgency": self.urgency,
            "topic": self.topic,
        }


@dataclass(frozen=True)
class Rejected:
    subscription: str | None
    status: int
    reason: str


@dataclass
class _Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    hang: float = 0.0


class _Refusal(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# ---------------------------------------------------------------- the double


class PushServiceDouble:
    def __init__(
        self,
        *,
        tls_dir: Path | None = None,
        tls: TlsFiles | None = None,
        vapid_public_key: str | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        if tls is None:
            assert tls_dir is not None, "give tls_dir (new CA) or tls (shared CA)"
            tls = make_tls_files(Path(tls_dir))
        self.tls = tls
        self.vapid_public_key = vapid_public_key  # None: any key whose signature verifies
        self.host = host
        self._requested_port = port
        self._subscriptions: dict[str, Subscription] = {}
        self._scripts: dict[str, deque[Answer]] = {}
        self._received: list[Received] = []
        self._rejected: list[Rejected] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests = 0  # every request that reached the push path
        self.signatures_verified = 0  # VAPID signatures checked (a reused token: once)
        # (token, k) -> (JOSE header, claims) of a JWT whose signature verified. Bounded.
        self._verified: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}

    # -- lifecycle

    @property
    def port(self) -> int:
        assert self._server is not None, "not started"
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self) -> PushServiceDouble:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.tls.cert, self.tls.key)
        double = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 256

            def get_request(self) -> tuple[socket.socket, Any]:
                sock, address = self.socket.accept()
                # The TLS handshake happens in the connection's own thread (Handler.setup),
                # so a slow or silent client never blocks accept().
                return context.wrap_socket(
                    sock, server_side=True, do_handshake_on_connect=False
                ), address

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up mid-handshake (e.g. refused by its own checks)

        class Handler(_Handler):
            pass

        Handler.double = double
        self._server = Server((self.host, self._requested_port), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> PushServiceDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- subscriptions and scripts

    def subscribe(self, name: str | None = None) -> Subscription:
        """A browser-like subscription whose endpoint is on this double."""
        name = name or secrets.token_urlsafe(12)
        subscription = Subscription(
            name=name,
            endpoint=f"{self.origin}/push/{name}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )
        with self._lock:
            self._subscriptions[name] = subscription
        return subscription

    def forget(self, subscription: Subscription | str) -> None:
        """The browser unsubscribed: its endpoint answers 410 from now on."""
        name = subscription if isinstance(subscription, str) else subscription.name
        with self._lock:
            self._subscriptions.pop(name, None)

    def script(self, subscription: Subscription | str, *answers: Answer) -> None:
        name = subscription if isinstance(subscription, str) else subscription.name
        with self._lock:
            self._scripts.setdefault(name, deque()).extend(answers)

    # -- what arrived

    def received(self, subscription: Subscription | str | None = None) -> list[Received]:
        name = subscription if isinstance(subscription, str) or subscription is None else None
        name = name or (subscription.name if isinstance(subscription, Subscription) else None)
        with self._lock:
            return [r for r in self._received if name is None or r.subscription == name]

    def delivered(self, subscription: Subscription | str | None = None) -> list[Received]:
        """Received and answered 2xx: what a browser would show."""
        return [r for r in self.received(subscription) if 200 <= r.status < 300]

    @property
    def rejected(self) -> list[Rejected]:
        with self._lock:
            return list(self._rejected)

    def wait_for(self, count: int, timeout: float, *, delivered: bool = True) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.delivered() if delivered else self.received()
            if len(got) >= count:
                return True
            time.sleep(0.05)
        return len(self.delivered() if delivered else self.received()) >= count

    # -- the push protocol

    def handle_push(self, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        with self._lock:
            self.requests += 1
        name = path.split("?", 1)[0].removeprefix("/push/")
        try:
            with self._lock:
                subscription = self._subscriptions.get(name)
            if subscription is None or not path.startswith("/push/"):
                raise _Refusal(410 if path.startswith("/push/") else 404, "no such subscription")
            token, claims = self._check_vapid(headers.get("authorization", ""))
            ttl_text = headers.get("ttl")
            if ttl_text is None or not ttl_text.isdigit():
                raise _Refusal(400, "TTL header missing or not a non-negative integer")
            if len(body) > MAX_BODY_BYTES:
                raise _Refusal(413, f"body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
            if headers.get("content-encoding", "").lower() != "aes128gcm":
                raise _Refusal(400, "Content-Encoding must be aes128gcm")
            urgency = headers.get("urgency")
            if urgency is not None and urgency not in URGENCIES:
                raise _Refusal(400, f"invalid Urgency {urgency!r}")
            topic = headers.get("topic")
            if topic is not None and (len(topic) > 32 or not set(topic) <= TOPIC_ALPHABET):
                raise _Refusal(400, f"invalid Topic {topic!r}")
            try:
                plaintext = http_ece.decrypt(
                    body,
                    private_key=subscription.private_key,
                    auth_secret=subscription.auth_secret,
                    version="aes128gcm",
                )
            except Exception as exc:
                raise _Refusal(400, f"cannot decrypt: {exc!r}") from exc
        except _Refusal as refusal:
            with self._lock:
                self._rejected.append(Rejected(name or None, refusal.status, refusal.reason))
            return _Reply(refusal.status, body=refusal.reason.encode())
        try:
            payload: Any = json.loads(plaintext)
        except ValueError:
            payload = plaintext
        with self._lock:
            script = self._scripts.get(name)
            answer = script.popleft() if script else Answer()
            self._received.append(
                Received(
                    subscription=name,
                    at=time.time(),
                    status=0 if answer.hang else answer.status,
                    payload=payload,
                    ttl=int(ttl_text),
                    urgency=urgency,
                    topic=topic,
                    claims=claims,
                    body_bytes=len(body),
                    token=token,
                )
            )
        reply = _Reply(answer.status, hang=answer.hang)
        if answer.retry_after is not None:
            reply.headers["Retry-After"] = answer.retry_after
        if answer.location is not None:
            reply.headers["Location"] = answer.location
        elif 200 <= answer.status < 300:
            reply.headers["Location"] = f"{self.origin}/message/{secrets.token_urlsafe(8)}"
        return reply

    def _check_vapid(self, authorization: str) -> tuple[str, dict[str, Any]]:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise _Refusal(401, "Authorization must use the vapid scheme (RFC 8292)")
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        token, key = parts.get("t"), parts.get("k")
        if not token or not key:
            raise _Refusal(401, "vapid Authorization needs t= and k=")
        if self.vapid_public_key is not None and key != self.vapid_public_key:
            raise _Refusal(403, "VAPID key is not the one the subscription was made with")
        with self._lock:
            verified = self._verified.get((token, key))
        if verified is None:
            try:
                header = json.loads(b64url_decode(token.split(".", 1)[0]))
                claims = vapid_jwt.decode(token, key)
            except Exception as exc:
                raise _Refusal(401, f"VAPID JWT signature does not verify: {exc!r}") from exc
            with self._lock:
                self.signatures_verified += 1
                if len(self._verified) >= 4096:
                    self._verified.clear()
                self._verified[(token, key)] = (header, claims)
        else:
            header, claims = verified
        if header.get("alg") != "ES256":
            raise _Refusal(401, "VAPID JWT must be ES256")
        if claims.get("aud") != self.origin:
            raise _Refusal(403, f"VAPID aud {claims.get('aud')!r} is not {self.origin!r}")
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
            raise _Refusal(403, "VAPID exp must be in the future and at most 24 hours ahead")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            raise _Refusal(403, "VAPID sub must be a mailto: or https: URL")
        return token, dict(claims)

    # -- control API (when run as a process)

    def handle_control(self, method: str, path: str, body: bytes) -> _Reply:
        url = urlsplit(path)
        if method == "POST" and url.path == "/_double/subscriptions":
            count = int(json.loads(body or b"{}").get("count", 1))
            subs = [self.subscribe() for _ in range(count)]
            data = [{"name": s.name, **s.to_json()} for s in subs]
        elif method == "GET" and url.path == "/_double/records":
            since = int(parse_qs(url.query).get("since", ["0"])[0])
            with self._lock:
                records = [r.as_json() for r in self._received[since:]]
                data = {
                    "records": records,
                    "next": since + len(records),
                    "rejected": len(self._rejected),
                    "requests": self.requests,
                    "signatures_verified": self.signatures_verified,
                }
        elif method == "POST" and url.path == "/_double/script":
            spec = json.loads(body)
            self.script(spec["name"], *(Answer(**a) for a in spec["answers"]))
            data = {"ok": True}
        else:
            return _Reply(404, body=b"unknown control path")
        return _Reply(
            200, headers={"Content-Type": "application/json"}, body=json.dumps(data).encode()
        )


_MAX_LINE = 65536  # http.server's limits
_MAX_HEADERS = 100
_date: tuple[int, str] = (0, "")


def _http_date() -> str:
    """Now as an HTTP date, formatted once a second."""
    global _date
    now = int(time.time())
    if _date[0] != now:
        _date = (now, email.utils.formatdate(now, usegmt=True))
    return _date[1]


class _Headers(dict):
    """Request headers by lower-case name; the first of a repeated header wins (as Message.get)."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return dict.get(self, name.lower(), default)


class _Handler(BaseHTTPRequestHandler):
    """http.server's handler with a lean request parse and one write per answer.

    Its own parse (email.parser) and response building were ~a fifth of the double's CPU per
    push, which shares the machine with what a benchmark measures.
    """

    protocol_version = "HTTP/1.1"  # keep-alive: senders reuse their connection
    timeout = 30  # an idle keep-alive connection's thread ends after this
    double: PushServiceDouble

    def setup(self) -> None:
        super().setup()
        try:
            self.request.do_handshake()
        except (OSError, ssl.SSLError):
            self.close_connection = True
            raise

    def handle(self) -> None:
        with contextlib.suppress(OSError, ssl.SSLError):  # a client that went away
            super().handle()

    def parse_request(self) -> bool:
        """BaseHTTPRequestHandler.parse_request without email.parser: the same request-line
        checks and limits, HTTP/1.0 and 1.1 only; a folded header line or one without a colon
        is refused (400) rather than read leniently."""
        self.command = None
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3:
            self.send_error(400, f"Bad request syntax ({self.requestline!r})")
            return False
        command, path, version = words
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            self.send_error(505 if version.startswith("HTTP/") else 400, "Unsupported version")
            return False
        self.command, self.path, self.request_version = command, path, version
        self.close_connection = version == "HTTP/1.0"
        headers = _Headers()
        for _ in range(_MAX_HEADERS + 1):
            line = self.rfile.readline(_MAX_LINE + 1)
            if len(line) > _MAX_LINE:
                self.send_error(431, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                self.send_error(400, "Malformed header line")
                return False
            headers.setdefault(
                name.decode("iso-8859-1").lower(), value.strip().decode("iso-8859-1")
            )
        else:
            self.send_error(431, "Too many headers")
            return False
        self.headers = headers  # type: ignore[assignment]
        connection = headers.get("connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if headers.get("expect", "").lower() == "100-continue" and version == "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read records, not logs

    def _body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 64 * 1024:
            self._send(_Reply(413, body=b"far too large"))
            self.close_connection = True
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            # The sender went away mid-body (in the chaos run, a worker killed while sending):
            # an HTTP server never sees that request whole, so it neither answers nor records it.
            self.close_connection = True
            return None
        return body

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if self.path.startswith("/_double/"):
            self._send(self.double.handle_control("POST", self.path, body))
            return
        self._send(self.double.handle_push(self.path, self.headers, body))

    def do_GET(self) -> None:
        if self.path.startswith("/_double/"):
            self._send(self.double.handle_control("GET", self.path, b""))
        else:
            self._send(_Reply(405, body=b"push messages are POSTed"))

    def _send(self, reply: _Reply) -> None:
        if reply.hang:
            self.double._stopping.wait(reply.hang)
            self.close_connection = True
            return
        phrase = self.responses.get(reply.status, ("",))[0]
        head = [
            f"{self.protocol_version} {reply.status} {phrase}",
            f"Server: {self.version_string()}",
            f"Date: {_http_date()}",
            *(f"{name}: {value}" for name, value in reply.headers.items()),
            f"Content-Length: {len(reply.body)}",
        ]
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the push-service double (loopback only).")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-dir", type=Path, required=True)
    parser.add_argument("--vapid-public-key", default=None)
    args = parser.parse_args(argv)
    double = PushServiceDouble(
        tls_dir=args.tls_dir, vapid_public_key=args.vapid_public_key, port=args.port
    ).start()
    print(json.dumps({"origin": double.origin, "ca": str(double.tls.ca)}), flush=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    double.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
