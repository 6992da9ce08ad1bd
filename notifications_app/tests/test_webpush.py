"""The Web Push sender: endpoint and key checks, the HTTP client's SSRF defences, the message."""

import base64
import json
import socket
import ssl
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from notifications_app import webpush
from notifications_app.webpush import EndpointRefused, KeyInvalid, endpoint_check, keys_check
from todo_project.testing.push_service import Answer, PushServiceDouble, b64url
from todo_project.testing.waiting import wait_until

# ---------------------------------------------------------------- endpoint checks (no network)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm",
        "https://web.push.apple.com/QGqHWUAhkQ",
        "https://wns2-by3p.notify.windows.com/w/?token=BQYAAAB%2bq",
        "https://FCM.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com:443/fcm/send/x",
    ],
)
def test_endpoints_of_real_push_services_are_accepted(endpoint):
    assert endpoint_check(endpoint)


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://fcm.googleapis.com/fcm/send/x", "https"),
        ("ftp://fcm.googleapis.com/x", "https"),
        ("https://fcm.googleapis.com:8443/fcm/send/x", "port 443"),
        ("https://user:secret@fcm.googleapis.com/fcm/send/x", "credentials"),
        ("https://fcm.googleapis.com@evil.invalid/x", "credentials"),
        ("https://evil.invalid\\@fcm.googleapis.com/x", "ASCII"),
        ("https://evilfcm.googleapis.com/x", "not a known push service"),
        ("https://fcm.googleapis.com.evil.invalid/x", "not a known push service"),
        ("https://fcm.googleapis.com./x", "not a known push service"),
        ("https://evil.invalid/x", "not a known push service"),
        ("https://10.0.0.5/x", "not a known push service"),
        ("https://192.168.1.1/x", "not a known push service"),
        ("https://127.0.0.1/x", "not a known push service"),
        ("https://[::1]/x", "not a known push service"),
        ("https://169.254.169.254/latest/meta-data", "not a known push service"),
        ("https://fcm.googleapis.com/x#fragment", "fragment"),
        ("https://fcm.googleapis.com/a b", "ASCII"),
        ("https://fcm.googleapis.com/é", "ASCII"),
        ("https://fcm.googleapis.com/" + "a" * 2100, "2048"),
        ("https:///x", "no host"),
        ("", "required"),
        (None, "required"),
    ],
)
def test_unsafe_endpoints_are_refused(endpoint, reason):
    with pytest.raises(EndpointRefused, match=reason):
        endpoint_check(endpoint)


def test_allow_list_entries_match_subdomains_at_a_dot_boundary_only(settings):
    settings.PUSH_ENDPOINT_ALLOWED_HOSTS = ["*.push.example.com", "example.org"]

    assert endpoint_check("https://eu.push.example.com/x")
    assert endpoint_check("https://push.example.com/x")
    assert endpoint_check("https://example.org/x")
    for host in ("evilpush.example.com", "example.com", "example.org.evil.invalid"):
        with pytest.raises(EndpointRefused):
            endpoint_check(f"https://{host}/x")


def test_test_origins_are_exact_and_never_widen_to_other_loopback_urls(settings):
    settings.PUSH_TEST_ENDPOINT_ORIGINS = ["https://127.0.0.1:8443"]

    assert endpoint_check("https://127.0.0.1:8443/push/abc") == "127.0.0.1"
    for endpoint in (
        "http://127.0.0.1:8443/push/abc",
        "https://127.0.0.1:8444/push/abc",
        "https://127.0.0.2:8443/push/abc",
        "https://localhost:8443/push/abc",
        "https://127.0.0.1/push/abc",
    ):
        with pytest.raises(EndpointRefused):
            endpoint_check(endpoint)


def test_production_settings_have_no_test_origins():
    from todo_project.settings import base

    assert base.PUSH_TEST_ENDPOINT_ORIGINS == []
    assert base.PUSH_CA_BUNDLE == ""


# ---------------------------------------------------------------- subscription keys


def _browser_keys() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point), b64url(b"0123456789abcdef")


def test_browser_keys_are_accepted_and_normalised_to_unpadded_base64url():
    p256dh, auth = _browser_keys()

    assert keys_check(p256dh + "=", auth + "==") == (p256dh, auth)


@pytest.mark.parametrize(
    ("p256dh", "auth", "field"),
    [
        ("not base64!", None, "keys.p256dh"),
        (b64url(b"\x04" + b"\x01" * 64), None, "keys.p256dh"),  # not a point on P-256
        (b64url(b"\x04" + b"\x01" * 63), None, "keys.p256dh"),  # 64 bytes
        (b64url(b"\x02" + b"\x01" * 32), None, "keys.p256dh"),  # compressed form
        (None, b64url(b"x" * 15), "keys.auth"),
        (None, b64url(b"x" * 17), "keys.auth"),
        (None, "***", "keys.auth"),
    ],
)
def test_invalid_keys_are_refused_naming_the_key(p256dh, auth, field):
    good_p256dh, good_auth = _browser_keys()

    with pytest.raises(KeyInvalid) as caught:
        keys_check(p256dh or good_p256dh, auth or good_auth)

    assert caught.value.field == field


# ---------------------------------------------------------------- sending


def _send(browser, payload=b'{"title":"hi"}', topic="reminder1"):
    return webpush.send(
        endpoint=browser.endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth,
        payload=payload,
        topic=topic,
    )


def test_a_push_reaches_the_double_with_vapid_ttl_urgency_and_topic(push_settings, push_double):
    browser = push_double.subscribe()

    result = _send(browser, payload=b'{"title":"Water the plants"}', topic="reminder42")

    assert result.ok
    assert result.status_code == 201
    [received] = push_double.delivered(browser)
    assert received.payload == {"title": "Water the plants"}
    assert received.ttl == push_settings.PUSH_TTL_SECONDS > 0
    assert received.urgency == "high"
    assert received.topic == "reminder42"
    assert received.claims["aud"] == push_double.origin
    assert received.claims["sub"] == "mailto:ops@todo.test"


def test_each_push_service_gets_a_token_with_its_own_audience(push_settings, push_double):
    with PushServiceDouble(
        tls=push_double.tls, vapid_public_key=push_double.vapid_public_key
    ) as other:
        push_settings.PUSH_TEST_ENDPOINT_ORIGINS = [push_double.origin, other.origin]
        first, second = push_double.subscribe(), other.subscribe()

        results = [_send(first), _send(second), _send(first)]

        assert all(r.ok for r in results), results
        assert other.delivered(second)[0].claims["aud"] == other.origin
    assert [r.claims["aud"] for r in push_double.delivered(first)] == [push_double.origin] * 2


def test_the_largest_payload_fits_the_4096_byte_limit_and_a_larger_one_is_refused(
    push_settings, push_double
):
    browser = push_double.subscribe()
    biggest = json.dumps({"pad": "x" * (webpush.PAYLOAD_MAX_BYTES - 11)}).encode()
    assert len(biggest) == webpush.PAYLOAD_MAX_BYTES

    assert _send(browser, payload=biggest).ok
    assert push_double.delivered(browser)[0].body_bytes == 4096
    with pytest.raises(ValueError, match="limit"):
        _send(browser, payload=biggest + b" ")


def test_a_redirect_is_not_followed(push_settings, push_double, internal_service):
    browser = push_double.subscribe()
    push_double.script(browser, Answer(307, location=f"http://127.0.0.1:{internal_service.port}/"))

    result = _send(browser)

    assert result.status_code == 307
    assert not result.ok
    assert internal_service.connections == 0


def test_a_redirect_to_another_allowed_endpoint_is_not_followed_either(push_settings, push_double):
    browser, elsewhere = push_double.subscribe(), push_double.subscribe()
    push_double.script(browser, Answer(308, location=elsewhere.endpoint))

    assert _send(browser).status_code == 308
    assert push_double.received(elsewhere) == []


def test_an_allowed_name_that_resolves_to_loopback_is_refused_at_connect_time(
    push_settings, push_double
):
    # The name passes the URL checks, but the address it resolves to is not public and is not
    # literally a test origin: the connection is dropped before TLS, before any request.
    push_settings.PUSH_TEST_ENDPOINT_ORIGINS = [f"https://localhost:{push_double.port}"]
    browser = push_double.subscribe()
    endpoint = browser.endpoint.replace("127.0.0.1", "localhost")

    result = webpush.send(
        endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth, payload=b"{}", topic="t"
    )

    assert result.refused
    assert "non-public address" in result.error
    assert push_double.requests == 0


def test_the_client_refuses_plain_http_and_proxies_from_the_environment(
    push_settings, push_double, internal_service, monkeypatch
):
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{internal_service.port}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{internal_service.port}")
    browser = push_double.subscribe()

    with pytest.raises(EndpointRefused):
        webpush.http().post(
            f"http://127.0.0.1:{internal_service.port}/", body=b"", headers={}, timeout=1
        )
    assert _send(browser).ok  # straight to the push service, not through the proxy

    assert internal_service.connections == 0


def test_an_endpoint_refused_at_send_time_is_not_contacted(push_settings, push_double):
    browser = push_double.subscribe()
    push_settings.PUSH_TEST_ENDPOINT_ORIGINS = []  # the allow-list changed since it subscribed

    result = _send(browser)

    assert result.refused
    assert push_double.requests == 0


def test_a_hanging_push_service_times_out(push_settings, push_double):
    push_settings.PUSH_READ_TIMEOUT_SECONDS = 0.5
    browser = push_double.subscribe()
    push_double.script(browser, Answer(hang=30))

    result = _send(browser)

    assert result.status_code is None
    assert "Timeout" in result.error
    assert not result.refused


def test_a_refused_connection_is_a_network_error_not_a_refusal(push_settings, push_double):
    from todo_project.testing.kafka_broker import free_port

    closed = f"https://127.0.0.1:{free_port()}"
    push_settings.PUSH_TEST_ENDPOINT_ORIGINS = [closed]
    browser = push_double.subscribe()

    result = webpush.send(
        endpoint=f"{closed}/push/x",
        p256dh=browser.p256dh,
        auth=browser.auth,
        payload=b"{}",
        topic="t",
    )

    assert result.status_code is None
    assert not result.refused
    assert "ConnectionError" in result.error


def test_the_vapid_key_is_parsed_once_per_process(push_settings):
    assert webpush.vapid_key() is webpush.vapid_key()
    assert webpush.vapid_public_key() == push_settings.VAPID_PUBLIC_KEY


def test_a_push_signed_with_another_vapid_key_is_rejected_by_the_double(push_settings, push_double):
    browser = push_double.subscribe()
    push_settings.VAPID_PRIVATE_KEY, _ = webpush.generate_vapid_keys()

    result = _send(browser)

    assert result.status_code == 403
    assert push_double.delivered() == []


def _tls_to(double, url):
    """A raw TLS connection to the double at `url` (an endpoint split), trusting its CA."""
    context = ssl.create_default_context(cafile=str(double.tls.ca))
    raw = socket.create_connection((url.hostname, url.port))
    return context.wrap_socket(raw, server_hostname=url.hostname)


def test_the_double_ignores_a_request_whose_sender_went_away_mid_body(push_double):
    # A sender killed while sending (the chaos run kills workers) leaves a request cut short: an
    # HTTP server never sees it whole, so the double must not record it as a bad push.
    browser = push_double.subscribe()
    url = urlsplit(browser.endpoint)
    with _tls_to(push_double, url) as conn:
        conn.sendall(
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nTTL: 60\r\n"
            "Content-Encoding: aes128gcm\r\nContent-Length: 300\r\n\r\n".encode()
            + b"\x00" * 10
        )

    assert not wait_until(lambda: push_double.rejected or push_double.received(), 1.0)


def test_a_token_is_signed_once_per_push_service_and_reused_for_an_hour(
    push_settings, push_double, monkeypatch
):
    first, second = push_double.subscribe(), push_double.subscribe()

    results = [_send(first), _send(second)]
    monkeypatch.setattr(webpush, "VAPID_TOKEN_REUSE_SECONDS", 0)  # the hour is over
    results += [_send(first), _send(first)]

    assert all(r.ok for r in results), results
    one, two, three, four = (r.token for r in push_double.delivered())
    assert one == two
    assert len({one, three, four}) == 3  # each send now signs anew
    assert push_double.signatures_verified == 3
    assert all(r.claims["aud"] == push_double.origin for r in push_double.delivered())


def test_a_token_the_push_service_refused_is_not_sent_again(push_settings, push_double):
    browser = push_double.subscribe()
    push_double.script(browser, Answer(403))  # e.g. its clock disagrees with our exp

    refused, accepted = _send(browser), _send(browser)

    assert refused.status_code == 403
    assert accepted.ok
    first, second = (r.token for r in push_double.received(browser))
    assert first != second


# ---------------------------------------------------------------- the double's own checks


def _post(double, browser, *, authorization, extra=b""):
    """One raw push to the double: a real aes128gcm body, the headers written by hand."""
    from pywebpush import WebPusher

    body = WebPusher(browser.to_json()).encode(b'{"title":"raw"}')["body"]
    url = urlsplit(browser.endpoint)
    with _tls_to(double, url) as conn:
        conn.sendall(
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nTTL: 60\r\n"
            f"Content-Encoding: aes128gcm\r\nAuthorization: {authorization}\r\n".encode()
            + extra
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def _token(vapid_keys, double, *, exp):
    from py_vapid import Vapid

    claims = {"sub": "mailto:ops@todo.test", "aud": double.origin, "exp": exp}
    return Vapid.from_string(private_key=vapid_keys[0]).sign(claims)["Authorization"]


def test_the_double_remembers_a_verified_token_but_checks_its_expiry_every_time(
    push_double, vapid_keys
):
    import time

    browser = push_double.subscribe()
    authorization = _token(vapid_keys, push_double, exp=int(time.time()) + 2)

    assert _post(push_double, browser, authorization=authorization) == 201
    assert push_double.signatures_verified == 1
    assert wait_until(lambda: time.time() >= _exp(authorization), 5)
    assert _post(push_double, browser, authorization=authorization) == 403  # expired now

    assert push_double.signatures_verified == 1  # remembered, not verified again
    assert [r.status for r in push_double.rejected] == [403]
    assert len(push_double.delivered(browser)) == 1


def _exp(authorization):
    token = authorization.split("t=", 1)[1].split(",", 1)[0]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"]


def test_the_double_refuses_a_tampered_copy_of_a_token_it_verified(push_double, vapid_keys):
    import time

    browser = push_double.subscribe()
    authorization = _token(vapid_keys, push_double, exp=int(time.time()) + 600)
    head, _, rest = authorization.rpartition(".")  # the signature is the JWT's last part
    flipped = "A" if rest[0] != "A" else "B"
    tampered = f"{head}.{flipped}{rest[1:]}"

    assert _post(push_double, browser, authorization=authorization) == 201
    assert _post(push_double, browser, authorization=tampered) == 401

    assert push_double.signatures_verified == 1  # the tampered one failed: not remembered
    assert [r.status for r in push_double.rejected] == [401]


@pytest.mark.parametrize(
    "extra",
    [b"No colon here\r\n", b" Folded: continuation\r\n", b"Spaced : name\r\n"],
    ids=["no-colon", "folded", "space-before-colon"],
)
def test_the_double_refuses_a_malformed_header_line(push_double, vapid_keys, extra):
    import time

    browser = push_double.subscribe()
    authorization = _token(vapid_keys, push_double, exp=int(time.time()) + 600)

    assert _post(push_double, browser, authorization=authorization, extra=extra) == 400
    assert push_double.received() == []
