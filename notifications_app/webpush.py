"""Sending one Web Push message, safely, with pywebpush.

Subscription endpoints are URLs supplied by browsers, that is by users: the server POSTs to them.
`endpoint_check` is applied when a subscription is stored and again right before every send:

- https only, port 443, no credentials, no fragment, plain ASCII, at most 2048 characters;
- the host equals an entry of `PUSH_ENDPOINT_ALLOWED_HOSTS` or is a subdomain of one (suffix
  match at a dot boundary: `wns2-by3p.notify.windows.com` matches `notify.windows.com`,
  `evilnotify.windows.com` does not); IP literals never match;
- `PUSH_TEST_ENDPOINT_ORIGINS` (test settings only) lists exact https origins of the loopback
  push-service double, the one way around the allow-list and port 443.

The message is encrypted by pywebpush (`WebPusher.encode`: aes128gcm, a fresh ECDH key per
message) and signed by py_vapid; the POST goes out through urllib3 directly, one pool manager per
process, connections kept alive. That client never follows a redirect and never retries, reads no
proxy, netrc or CA setting from the environment, has explicit (connect, read) timeouts, and checks
the address it actually connected to: a non-public address (loopback, private, link-local, ...)
is refused before a byte is sent, unless it is literally a test origin. That stops an
allow-listed name that resolves somewhere internal. (pywebpush's own `webpush()` posts through
requests, whose per-request work cost a third of the CPU of a push: 1.57 against 1.06 ms,
measured against the double.)

pywebpush pitfalls handled here: no default timeout (set), TTL 0 by default (set), redirects
followed (off), `aud`/`exp` written into the caller's claims dict (a fresh dict per call), and
the 4096-byte body limit (plaintext <= 3993 bytes, checked). The VAPID private key is parsed once
per process, not per push, and its token signed once an hour per push service (`vapid_headers`).
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import certifi
import urllib3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool

logger = logging.getLogger(__name__)

ENDPOINT_MAX_LENGTH = 2048
# 4096-byte record limit - 86 bytes of aes128gcm header - 16-byte tag - 1 padding delimiter.
PAYLOAD_MAX_BYTES = 3993
VAPID_TOKEN_LIFETIME_SECONDS = 12 * 3600  # RFC 8292: at most 24 hours
VAPID_TOKEN_REUSE_SECONDS = 3600  # a token is signed per push service and reused for an hour
URGENCIES = ("very-low", "low", "normal", "high")
TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_B64_RE = re.compile(r"^[A-Za-z0-9_+/-]+={0,2}$")
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


class EndpointRefused(ValueError):
    """A subscription endpoint the server must not send to."""


class KeyInvalid(ValueError):
    """A subscription key that is not what a browser would give."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- endpoint and key checks


def _test_origins() -> set[tuple[str, int]]:
    origins = set()
    for origin in settings.PUSH_TEST_ENDPOINT_ORIGINS:
        parts = urlsplit(origin)
        if parts.scheme == "https" and parts.hostname:
            origins.add((parts.hostname, parts.port or 443))
    return origins


def _allowed_entries() -> list[str]:
    entries = []
    for entry in settings.PUSH_ENDPOINT_ALLOWED_HOSTS:
        entry = entry.strip().lower().removeprefix("*.").lstrip(".")
        if entry:
            entries.append(entry)
    return entries


def host_allowed(host: str) -> bool:
    """Suffix match at a dot boundary against the allow-list (IP literals never match)."""
    if _is_ip(host) or not _HOST_RE.match(host):
        return False
    return any(host == entry or host.endswith("." + entry) for entry in _allowed_entries())


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def endpoint_check(endpoint: Any) -> str:
    """Return the endpoint's host, or raise EndpointRefused saying why it may not be used."""
    if not isinstance(endpoint, str) or not endpoint:
        raise EndpointRefused("The endpoint is required.")
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        raise EndpointRefused(f"The endpoint must be at most {ENDPOINT_MAX_LENGTH} characters.")
    if any(not 0x21 <= ord(c) <= 0x7E for c in endpoint) or "\\" in endpoint:
        raise EndpointRefused("The endpoint must be a plain ASCII URL without spaces.")
    parts = urlsplit(endpoint)
    if parts.scheme != "https":
        raise EndpointRefused("The endpoint must use https.")
    if "@" in parts.netloc:
        raise EndpointRefused("The endpoint must not carry credentials.")
    if parts.fragment or endpoint.endswith("#"):
        raise EndpointRefused("The endpoint must not have a fragment.")
    host = parts.hostname
    try:
        port = parts.port
    except ValueError as exc:
        raise EndpointRefused("The endpoint has an invalid port.") from exc
    if not host:
        raise EndpointRefused("The endpoint has no host.")
    if (host, port or 443) in _test_origins():
        return host
    if port not in (None, 443):
        raise EndpointRefused("The endpoint must use port 443.")
    if not host_allowed(host):
        raise EndpointRefused(f"{host} is not a known push service.")
    return host


def _b64url_decode(value: Any) -> bytes:
    if not isinstance(value, str) or not _B64_RE.match(value):
        raise ValueError("not base64url")
    data = value.rstrip("=").replace("+", "-").replace("/", "_")
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def keys_check(p256dh: Any, auth: Any) -> tuple[str, str]:
    """Normalised (unpadded base64url) keys, or KeyInvalid.

    p256dh must be an uncompressed point on P-256; auth a 16-byte secret.
    """
    try:
        raw = _b64url_decode(p256dh)
        if len(raw) != 65 or raw[0] != 4:
            raise ValueError("not an uncompressed P-256 point")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise KeyInvalid(
            "keys.p256dh", "p256dh must be a base64url P-256 public key (65 bytes, uncompressed)."
        ) from exc
    try:
        secret = _b64url_decode(auth)
    except ValueError as exc:
        raise KeyInvalid("keys.auth", "auth must be a base64url 16-byte secret.") from exc
    if len(secret) != 16:
        raise KeyInvalid("keys.auth", "auth must be a base64url 16-byte secret.")
    return b64url(raw), b64url(secret)


# ---------------------------------------------------------------- VAPID


@lru_cache(maxsize=4)
def _vapid_from(private_key: str) -> Vapid:
    return Vapid.from_string(private_key=private_key)


def vapid_key() -> Vapid | None:
    """The application server's VAPID key, parsed once per process; None when push is off."""
    if not settings.VAPID_PRIVATE_KEY:
        return None
    return _vapid_from(settings.VAPID_PRIVATE_KEY)


def public_key_of(vapid: Vapid) -> str:
    return b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def vapid_public_key() -> str | None:
    """The key browsers pass to `pushManager.subscribe()` as `applicationServerKey`."""
    vapid = vapid_key()
    return public_key_of(vapid) if vapid is not None else None


def push_enabled() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY)


def generate_vapid_keys() -> tuple[str, str]:
    """A new (private, public) pair, base64url raw, in the format the settings take."""
    private = ec.generate_private_key(ec.SECP256R1())
    raw_private = private.private_numbers().private_value.to_bytes(32, "big")
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw_private), b64url(raw_public)


# ---------------------------------------------------------------- the HTTP client


def _peer_allowed(ip_text: str, port: int) -> bool:
    ip = ipaddress.ip_address(ip_text.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return True
    return (str(ip), port) in _test_origins()


class _GuardedHTTPSConnection(HTTPSConnection):
    """Checks the address it connected to before TLS starts and before any request is sent."""

    def _new_conn(self) -> Any:
        sock = super()._new_conn()
        try:
            ip, port = sock.getpeername()[:2]
            allowed = _peer_allowed(ip, port)
        except (OSError, ValueError):
            allowed, ip = False, "?"
        if not allowed:
            sock.close()
            raise EndpointRefused(f"{self.host} resolved to a non-public address ({ip}).")
        return sock


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _PushPoolManager(urllib3.PoolManager):
    """https only, through the guarded pool. urllib3 reads no proxy, netrc or CA bundle from
    the environment, so nothing there can reroute a push."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_classes_by_scheme = {"https": _GuardedHTTPSConnectionPool}


class PushHTTP:
    """The HTTP client pushes go out through: keep-alive connections, no redirect followed,
    no retry (a failed push is retried by the delivery rows, later), explicit timeouts."""

    def __init__(self, *, ca_bundle: str = "", maxsize: int = 10) -> None:
        self.pools = _PushPoolManager(
            num_pools=32,  # one pool per push service host
            maxsize=maxsize,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_bundle or certifi.where(),
        )

    def post(
        self, url: str, *, body: bytes, headers: dict[str, str], timeout: urllib3.Timeout
    ) -> urllib3.BaseHTTPResponse:
        if urlsplit(url).scheme != "https":
            raise EndpointRefused(f"Refused to send to {url.split(':', 1)[0]}:// URL.")
        return self.pools.urlopen(
            "POST", url, body=body, headers=headers, redirect=False, retries=False, timeout=timeout
        )


_clients: dict[tuple[int, str], PushHTTP] = {}
_clients_lock = threading.Lock()


def http() -> PushHTTP:
    """This process's client (a forked worker child builds its own: sockets are not shared)."""
    key = (os.getpid(), settings.PUSH_CA_BUNDLE)
    with _clients_lock:
        existing = _clients.get(key)
        if existing is None:
            existing = _clients[key] = PushHTTP(
                ca_bundle=settings.PUSH_CA_BUNDLE, maxsize=max(10, settings.PUSH_SEND_THREADS)
            )
        return existing


_signed: dict[tuple[str, str, str], tuple[float, dict[str, str]]] = {}  # -> (when, headers)


def vapid_headers(vapid: Vapid, aud: str) -> dict[str, str]:
    """The VAPID `Authorization` header for one push service (`aud`, its origin).

    A token names the application server and the push service, not the message, and RFC 8292
    lets it live up to 24 hours: it is signed once per push service and reused for
    VAPID_TOKEN_REUSE_SECONDS (so ~11 of its 12 hours are left when it is last used), in this
    process. Signing per message cost the sender ~0.06 ms and the push service a signature
    verification per message; a push service can keep what it verified once.
    """
    now = time.time()
    key = (settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT, aud)
    cached = _signed.get(key)
    if cached is not None and now < cached[0] + VAPID_TOKEN_REUSE_SECONDS:
        return cached[1]
    claims = {
        "sub": settings.VAPID_SUBJECT,
        "aud": aud,
        "exp": int(now) + VAPID_TOKEN_LIFETIME_SECONDS,
    }
    headers = vapid.sign(claims)
    if len(_signed) >= 256:  # push services are a handful; keys change only with settings
        _signed.clear()
    _signed[key] = (now, headers)
    return headers


def forget_vapid_headers(aud: str) -> None:
    """Sign a new token for this push service next time (it refused the one it was sent)."""
    for key in list(_signed):  # a copy: send threads may add a token meanwhile
        if key[2] == aud:
            _signed.pop(key, None)


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class PushResult:
    """What came of one send: an HTTP status, or an error before any answer."""

    status_code: int | None = None
    retry_after: str | None = None
    error: str = ""
    refused: bool = False  # refused by our own checks: nothing was sent

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"https://{host}" if parts.port in (None, 443) else f"https://{host}:{parts.port}"


def _check_payload_size(payload: bytes) -> None:
    if len(payload) > PAYLOAD_MAX_BYTES:
        raise ValueError(f"push payload is {len(payload)} bytes; the limit is {PAYLOAD_MAX_BYTES}")


def encrypt(*, p256dh: str, auth: str, payload: bytes) -> bytes:
    """`payload` as the aes128gcm body for one subscription (RFC 8291: pywebpush, a fresh ECDH
    key per message). Raises ValueError for a payload over the limit or keys it cannot use."""
    _check_payload_size(payload)
    try:
        subscription = {"endpoint": "", "keys": {"p256dh": p256dh, "auth": auth}}
        return WebPusher(subscription).encode(payload)["body"]
    except WebPushException as exc:
        raise ValueError(str(exc)) from exc


def send(
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    payload: bytes | None,
    topic: str,
    ttl: int | None = None,
    urgency: str = "high",
    body: bytes | None = None,
) -> PushResult:
    """Encrypt `payload` (aes128gcm) for one subscription and POST it with VAPID; or POST
    `body`, encrypted for it beforehand (`encrypt`).

    Never raises for what the push service or the network does: the result says.
    """
    try:
        endpoint_check(endpoint)
    except EndpointRefused as exc:
        return PushResult(error=str(exc), refused=True)
    vapid = vapid_key()
    if vapid is None:
        return PushResult(
            error="Push is not configured (VAPID_PRIVATE_KEY is empty).", refused=True
        )
    if body is None and payload is None:
        raise ValueError("send() needs a payload or an encrypted body")
    if not TOPIC_RE.match(topic) or urgency not in URGENCIES:
        raise ValueError(f"invalid Topic {topic!r} or Urgency {urgency!r}")
    headers = {
        "TTL": str(settings.PUSH_TTL_SECONDS if ttl is None else ttl),
        "Urgency": urgency,
        "Topic": topic,
        "Content-Encoding": "aes128gcm",
        **vapid_headers(vapid, audience(endpoint)),  # each push service its own audience
    }
    if body is None:
        _check_payload_size(payload)  # raised: a caller's bug, not the subscription's
        try:
            body = encrypt(p256dh=p256dh, auth=auth, payload=payload)
        except ValueError as exc:
            return PushResult(error=_short(f"Could not encrypt for this subscription: {exc}"))
    timeout = urllib3.Timeout(
        connect=settings.PUSH_CONNECT_TIMEOUT_SECONDS, read=settings.PUSH_READ_TIMEOUT_SECONDS
    )
    try:
        response = http().post(endpoint, body=body, headers=headers, timeout=timeout)
    except EndpointRefused as exc:
        return PushResult(error=str(exc), refused=True)
    except urllib3.exceptions.NewConnectionError as exc:  # (a ConnectTimeoutError subclass)
        return PushResult(error=_short(f"ConnectionError: {exc}"))
    except urllib3.exceptions.TimeoutError as exc:
        return PushResult(error=_short(f"Timeout: {exc}"))
    except urllib3.exceptions.SSLError as exc:
        return PushResult(error=_short(f"TLS error: {exc}"))
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return PushResult(error=_short(f"ConnectionError: {type(exc).__name__}: {exc}"))
    status = response.status
    if status in (401, 403):  # the push service refused our token: the next send signs anew
        forget_vapid_headers(audience(endpoint))
    text = response.data.decode("utf-8", "replace")
    error = "" if 200 <= status < 300 else _short(f"{status} {response.reason}: {text}")
    return PushResult(
        status_code=status, retry_after=response.headers.get("Retry-After"), error=error
    )


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
