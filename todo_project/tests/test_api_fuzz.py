"""API fuzzing: schemathesis drives every operation of our own OpenAPI schema, in process.

The schema is the one the app serves (/api/schema/), loaded from the WSGI application, and each
operation becomes one test. Every generated request, valid or deliberately invalid, must get a
response the schema documents: no 5xx, a documented status code, content type and headers, a
body matching the documented shape, and 4xx for what the schema forbids.

How the runs stay meaningful and repeatable:

- Database: pytest-django's `db` wraps each operation's run in one transaction, and every
  example runs in a savepoint rolled back after it, so each example sees the same `world`
  (a user with tasks, a reminder, a notification, a conversation, a push subscription).
  Django's handler would close the test's connection at the end of each request; the
  `keep_test_connection` fixture stops that, as Django's own test client does.
- Reaching success paths: ids in paths are drawn from the generated value (mostly a 404) or the
  world's rows; for bodies the schema cannot describe fully (credentials, signed tokens,
  RRULEs, push endpoints) a hand-written realistic body is drawn alongside the generated ones.
  Both go through hypothesis (schemathesis hooks), so shrinking and derandomisation still hold.
  Explicit overrides rather than stateful link-following: each example stays independent.
- Authentication: as browsers and API clients really call them. Operations that allow anonymous
  callers (sign-up, login, token, CSRF, the notification buttons) are called signed out; every
  other one with `Authorization: Token <key>`. Every request carries the CSRF cookie and header
  from GET /api/auth/csrf/, which the session endpoints (login, sign-up) require.
- Reproducible: hypothesis is derandomised and keeps no example database.
"""

import base64
from datetime import timedelta

import pytest
import schemathesis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from todo_project.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

PASSWORD = "correct-horse-battery"  # tasks_app.tests.factories.UserFactory's

# positive_data_acceptance ("a request the schema allows is accepted") cannot hold where the API
# checks meaning a JSON schema cannot state. Each operation it is off for, and why; every other
# operation keeps it, and all operations keep every other check.
SCHEMA_CANNOT_SAY = {
    "POST /api/auth/login/": "the password must be the user's",
    "POST /api/auth/token/": "the password must be the user's",
    "POST /api/auth/signup/": "a free username, Django's password validators, an IANA time zone",
    "PATCH /api/me/": "timezone must be an IANA time zone name",
    "POST /api/chat/": "text is trimmed and must not be blank after trimming",
    "POST /api/push/actions/": "the token must carry the server's signature",
    "POST /api/push/subscriptions/": "an https endpoint of an allow-listed push service, "
    "a P-256 public key",
    "POST /api/recurrence/preview/": "an RFC 5545 RRULE, an IANA time zone, an ISO 8601 start",
    "POST /api/tasks/": "text is trimmed; RRULEs; ISO 8601 times; an offset reminder needs a due",
    "POST /api/tasks/draft/": "the text must read as a task: a name, and dates and times that are",
    "PATCH /api/tasks/{task_id}/": "text is trimmed; RRULEs; ISO 8601 times",
    "POST /api/tasks/{task_id}/reminders/": "exactly one of offset_minutes and fire_at; "
    "an offset needs the task's due",
    "POST /api/tasks/{task_id}/stop-series/": "only a recurring task has a series to stop",
    "POST /api/reminders/{reminder_id}/snooze/": "a cancelled reminder, or one of a completed "
    "task, cannot be snoozed",
}

# Rows of the user under test and realistic bodies, filled per test by `world` (hooks run inside
# the test, after fixtures, and cannot take fixtures themselves).
WORLD: dict[str, dict] = {"ids": {}, "bodies": {}}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


PUSH_KEYS = {
    "p256dh": _b64url(
        ec.derive_private_key(20260306, ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    ),
    "auth": _b64url(b"sixteen byte key"),
}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    values = []
    for name, value in path_parameters.items():
        ids = WORLD["ids"].get(name, [])
        if isinstance(value, int) and not isinstance(value, bool) and ids:
            values.append(st.sampled_from([value, *ids]).map(lambda v, n=name: (n, v)))
        else:  # a negative case's non-integer id stays as generated
            values.append(st.just((name, value)))
    return st.tuples(*values).map(dict)


@schema.hook
def flatmap_body(context, body):
    realistic = WORLD["bodies"].get(context.operation.label, [])
    return st.sampled_from([body, *realistic])


@pytest.fixture
def keep_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def csrf():
    response = Client().get("/api/auth/csrf/")
    return {
        "cookies": {"csrftoken": response.cookies["csrftoken"].value},
        "headers": {"X-CSRFToken": response.json()["csrf_token"]},
    }


@pytest.fixture
def world(db, keep_test_connection):
    from rest_framework.authtoken.models import Token

    from notifications_app.models import PushSubscription
    from notifications_app.services import push_action_token
    from notifications_app.tests.factories import fired_notification
    from tasks_app import services
    from tasks_app.chat.services import chat_send
    from tasks_app.tests.factories import UserFactory

    user = UserFactory(timezone="America/New_York")
    now = timezone.now()
    open_task = services.task_create(
        user=user, title="Pay rent", due=now + timedelta(days=2), reminders=[{"offset_minutes": 30}]
    )
    done_task = services.task_create(user=user, title="Call mom", due=now + timedelta(days=1))
    services.task_complete(task=done_task)
    recurring = services.task_create(
        user=user,
        title="Water plants",
        due=now + timedelta(days=1),
        recurrence_spec=services.RecurrenceInput("FREQ=DAILY", "due"),
    )
    notification = fired_notification(user)
    conversation = chat_send(user=user, message="add buy milk tomorrow").conversation
    subscription = PushSubscription.objects.create(
        user=user, endpoint="https://fcm.googleapis.com/fcm/send/fuzz-seeded", **PUSH_KEYS
    )
    token = push_action_token(notification)
    later = (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    WORLD["ids"] = {
        "task_id": [open_task.pk, done_task.pk, recurring.pk],
        "reminder_id": list(open_task.reminders.values_list("pk", flat=True)),
        "notification_id": [notification.pk],
        "conversation_id": [conversation.pk],
    }
    credentials = {"username": user.username, "password": PASSWORD}
    WORLD["bodies"] = {
        "POST /api/auth/login/": [credentials],
        "POST /api/auth/token/": [credentials],
        "POST /api/auth/signup/": [
            {
                "username": "newcomer",
                "password": "a-long-enough-passphrase",
                "timezone": "Asia/Tokyo",
            }
        ],
        "PATCH /api/me/": [
            {"timezone": "Europe/Berlin", "default_reminder_offsets": [10, 60]},
            {"time_format": "12h"},
        ],
        "POST /api/chat/": [
            {"message": "add pay the rent every month on the 1st at 9am"},
            {"message": "list", "conversation_id": conversation.pk},
        ],
        "POST /api/push/actions/": [
            {"token": token, "action": "done"},
            {"token": token, "action": "snooze", "minutes": 15},
        ],
        "POST /api/push/subscriptions/": [
            {
                "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/fuzz",
                "keys": PUSH_KEYS,
            }
        ],
        "DELETE /api/push/subscriptions/": [{"endpoint": subscription.endpoint}],
        "POST /api/recurrence/preview/": [
            {"rule": "FREQ=WEEKLY;BYDAY=MO,WE", "start": "2026-03-06T09:00", "count": 3}
        ],
        "POST /api/tasks/draft/": [
            {"text": "pay rent every month on the 1st at 9am, remind me a day before #home"},
            {"text": "buy milk"},
        ],
        "POST /api/tasks/": [
            {
                "title": "Stretch",
                "due_at": later,
                "recurrence": {"rule": "FREQ=DAILY", "anchor": "completion"},
                "reminders": [{"offset_minutes": 10}],
            }
        ],
        "PATCH /api/tasks/{task_id}/": [{"due_at": later, "tags": ["home"]}],
        "POST /api/tasks/{task_id}/reminders/": [{"offset_minutes": 15}, {"fire_at": later}],
        "POST /api/reminders/{reminder_id}/snooze/": [{"minutes": 10}],
    }
    statuses: list[int] = []
    try:
        yield {"token": Token.objects.create(user=user).key, "statuses": statuses}
    finally:
        WORLD["ids"], WORLD["bodies"] = {}, {}
    # Guards the fuzzing itself: with broken auth or ids every answer could be a documented 4xx.
    assert any(200 <= code < 300 for code in statuses), "no example reached a success"


def _allows_anonymous(case) -> bool:
    return {} in (case.operation.definition.raw.get("security") or [])


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    # `world` is function-scoped on purpose: each example rolls back to it (see the docstring).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, world, csrf):
    headers = dict(csrf["headers"])
    if not _allows_anonymous(case):
        headers["Authorization"] = f"Token {world['token']}"
    if case.body in WORLD["bodies"].get(case.operation.label, []):
        # Re-setting the body makes schemathesis classify it afresh: a realistic body drawn in
        # a negative-mode example is valid, and must not be expected to be refused.
        case.body = case.body
    excluded = [positive_data_acceptance] if case.operation.label in SCHEMA_CANNOT_SAY else []
    with transaction.atomic():
        response = case.call_and_validate(
            headers=headers, cookies=csrf["cookies"], excluded_checks=excluded
        )
        transaction.set_rollback(True)
    world["statuses"].append(response.status_code)
