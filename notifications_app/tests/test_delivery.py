"""Push delivery (services.notification_deliver) against the decrypting push-service double.

Time is passed in (`now`): retries are asserted on the stored `next_attempt_at`, never on waits.
"""

import logging
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.core import signing
from django.utils import timezone

from notifications_app import selectors, services, tasks, webpush
from notifications_app.models import (
    AttemptOutcome,
    DeliveryAttempt,
    DeliveryState,
    PushDelivery,
    PushDeliveryState,
    PushSubscription,
)
from todo_project.testing.kafka_broker import free_port
from todo_project.testing.push_service import Answer

from .factories import NotificationFactory, fired_notification

pytestmark = pytest.mark.django_db


def deliver(notification, now=None):
    return services.notification_deliver(notification_id=notification.pk, now=now)


def delivery_of(notification, row) -> PushDelivery:
    return PushDelivery.objects.get(notification=notification, subscription=row)


def seconds_until_retry(notification, row, now) -> float:
    delivery = delivery_of(notification, row)
    assert delivery.state == PushDeliveryState.RETRY, delivery.last_error
    return (delivery.next_attempt_at - now).total_seconds()


# ---------------------------------------------------------------- success


def test_a_fired_reminder_is_pushed_with_its_task_title_and_actions(
    push_settings, push_double, subscribe, user
):
    browser, row = subscribe(user)
    notification = fired_notification(user, title="Water the plants")

    report = deliver(notification)

    assert report.state == DeliveryState.DELIVERED
    [received] = push_double.delivered(browser)
    payload = received.payload
    assert payload["title"] == "Water the plants"
    assert payload["body"].startswith("Due ")
    assert payload["task_id"] == notification.task_id
    assert payload["reminder_id"] == notification.reminder_id
    assert payload["notification_id"] == notification.pk
    assert payload["url"] == f"/tasks/{notification.task_id}"
    assert [a["action"] for a in payload["actions"]] == ["done", "snooze"]
    assert payload["action_url"] == "/api/push/actions/"
    assert received.topic == f"reminder{notification.reminder_id}"
    assert received.urgency == "high"
    assert received.ttl == push_settings.PUSH_TTL_SECONDS
    row.refresh_from_db()
    assert row.last_success_at is not None
    assert row.consecutive_failures == 0
    [attempt] = DeliveryAttempt.objects.filter(notification=notification)
    assert (attempt.outcome, attempt.status_code, attempt.subscription) == ("sent", 201, row)


def test_every_subscription_of_the_user_gets_the_push_and_no_other_user_does(
    push_settings, push_double, subscribe, user, other_user
):
    phone, _ = subscribe(user)
    laptop, _ = subscribe(user)
    stranger, _ = subscribe(other_user)
    notification = fired_notification(user)

    deliver(notification)

    assert len(push_double.delivered(phone)) == len(push_double.delivered(laptop)) == 1
    assert push_double.received(stranger) == []


def test_delivering_again_sends_nothing_twice(push_settings, push_double, subscribe, user):
    browser, _ = subscribe(user)
    notification = fired_notification(user)

    deliver(notification)
    deliver(notification)
    tasks.deliver(notification.pk)  # a redelivered Celery task

    assert len(push_double.received(browser)) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_the_payload_is_trimmed_to_the_limit_keeping_the_buttons(
    push_settings, push_double, subscribe, user
):
    browser, _ = subscribe(user)
    notification = fired_notification(user, title="\x01" * 200)
    notification.body = "\x02" * 500  # escaped as \u0002 in JSON: 6 bytes each
    notification.save()

    payload = services.push_payload(notification)
    deliver(notification)

    assert len(payload) <= webpush.PAYLOAD_MAX_BYTES
    [received] = push_double.delivered(browser)
    assert received.payload["title"].startswith("\x01")
    assert [a["action"] for a in received.payload["actions"]] == ["done", "snooze"]
    assert received.body_bytes <= 4096


def test_the_action_token_in_the_payload_names_the_user_and_notification(
    push_settings, push_double, subscribe, user
):
    browser, _ = subscribe(user)
    notification = fired_notification(user)

    deliver(notification)

    token = push_double.delivered(browser)[0].payload["action_token"]
    claims = signing.loads(token, salt=services.ACTION_TOKEN_SALT)
    assert claims == {"u": user.pk, "n": notification.pk}


# ---------------------------------------------------------------- the inbox is the fallback


def test_without_vapid_keys_the_notification_stays_in_the_inbox_only(
    settings, push_double, subscribe, user
):
    settings.VAPID_PRIVATE_KEY = ""
    _browser, _ = subscribe(user)
    notification = fired_notification(user)

    report = deliver(notification)

    assert report.state == DeliveryState.PUSH_OFF
    assert push_double.requests == 0
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.PUSH_OFF
    assert list(selectors.notification_list(user=user)) == [notification]


def test_a_user_without_subscriptions_still_has_the_notification(push_settings, user):
    notification = fired_notification(user)

    report = deliver(notification)

    assert report.state == DeliveryState.NO_SUBSCRIPTION
    assert list(selectors.notification_list(user=user, unread=True)) == [notification]


# ---------------------------------------------------------------- status classes


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(push_settings, push_double, subscribe, user, status):
    browser, row = subscribe(user)
    push_double.script(browser, Answer(status))
    notification = fired_notification(user)

    report = deliver(notification)

    assert not PushSubscription.objects.filter(pk=row.pk).exists()
    assert report.state == DeliveryState.FAILED
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.GONE, status)
    assert PushDelivery.objects.get(notification=notification).state == PushDeliveryState.GONE


def test_an_unsubscribed_browser_answers_410_and_later_pushes_skip_it(
    push_settings, push_double, subscribe, user
):
    browser, row = subscribe(user)
    push_double.forget(browser)

    deliver(fired_notification(user, title="first"))
    report = deliver(fired_notification(user, title="second"))

    assert not PushSubscription.objects.filter(pk=row.pk).exists()
    assert report.state == DeliveryState.NO_SUBSCRIPTION
    assert push_double.requests == 1


@pytest.mark.parametrize("status", [429, 406])
def test_a_rate_limited_push_is_retried_after_retry_after_seconds(
    push_settings, push_double, subscribe, user, status
):
    browser, row = subscribe(user)
    push_double.script(browser, Answer(status, retry_after="120"))
    notification = fired_notification(user)
    now = timezone.now()

    report = deliver(notification, now=now)
    assert report.state == DeliveryState.RETRYING
    assert seconds_until_retry(notification, row, now) == pytest.approx(120, abs=1)

    deliver(notification, now=now + timedelta(seconds=100))  # not yet due: nothing sent
    assert len(push_double.received(browser)) == 1

    report = deliver(notification, now=now + timedelta(seconds=121))
    assert report.state == DeliveryState.DELIVERED
    assert [r.status for r in push_double.received(browser)] == [status, 201]


def test_retry_after_as_an_http_date_is_honoured(push_settings, push_double, subscribe, user):
    browser, row = subscribe(user)
    now = timezone.now()
    push_double.script(
        browser, Answer(429, retry_after=format_datetime(now + timedelta(minutes=5), usegmt=True))
    )
    notification = fired_notification(user)

    deliver(notification, now=now)

    assert seconds_until_retry(notification, row, now) == pytest.approx(300, abs=2)


def test_server_errors_back_off_exponentially(push_settings, push_double, subscribe, user):
    browser, row = subscribe(user)
    push_double.script(browser, Answer(503), Answer(503), Answer(500))
    notification = fired_notification(user)
    now = timezone.now()
    base = push_settings.PUSH_RETRY_BASE_SECONDS

    deliver(notification, now=now)
    first = seconds_until_retry(notification, row, now)
    now = delivery_of(notification, row).next_attempt_at
    deliver(notification, now=now)
    second = seconds_until_retry(notification, row, now)
    now = delivery_of(notification, row).next_attempt_at
    deliver(notification, now=now)
    third = seconds_until_retry(notification, row, now)
    deliver(notification, now=delivery_of(notification, row).next_attempt_at)

    assert base * 0.8 <= first <= base * 1.2
    assert 2 * base * 0.8 <= second <= 2 * base * 1.2
    assert 4 * base * 0.8 <= third <= 4 * base * 1.2
    assert delivery_of(notification, row).state == PushDeliveryState.SENT
    assert [r.status for r in push_double.received(browser)] == [503, 503, 500, 201]


def test_backoff_is_capped(push_settings, push_double, subscribe, user):
    push_settings.PUSH_RETRY_BASE_SECONDS = 100
    push_settings.PUSH_RETRY_MAX_SECONDS = 150
    browser, row = subscribe(user)
    push_double.script(browser, *[Answer(502)] * 3)
    notification = fired_notification(user)
    now = timezone.now()

    for _ in range(3):
        deliver(notification, now=now)
        delay = seconds_until_retry(notification, row, now)
        now = delivery_of(notification, row).next_attempt_at

    assert delay <= 150 * 1.2


def test_retries_stop_after_the_maximum_number_of_attempts(
    push_settings, push_double, subscribe, user
):
    push_settings.PUSH_MAX_ATTEMPTS = 2
    browser, row = subscribe(user)
    push_double.script(browser, Answer(503), Answer(503))
    notification = fired_notification(user)
    now = timezone.now()

    deliver(notification, now=now)
    report = deliver(notification, now=delivery_of(notification, row).next_attempt_at)

    assert report.state == DeliveryState.FAILED
    delivery = delivery_of(notification, row)
    assert delivery.state == PushDeliveryState.FAILED
    assert "Gave up after 2 attempt(s)" in delivery.last_error
    assert selectors.notification_ids_due_for_push(now=now + timedelta(days=1)) == []


def test_a_stale_notification_is_not_pushed_any_more(push_settings, push_double, subscribe, user):
    browser, _row = subscribe(user)
    push_double.script(browser, Answer(503))
    notification = fired_notification(user)
    now = timezone.now()
    deliver(notification, now=now)

    later = notification.created_at + timedelta(seconds=push_settings.PUSH_GIVE_UP_AFTER_SECONDS)
    report = deliver(notification, now=later)

    assert report.state == DeliveryState.FAILED
    assert len(push_double.received(browser)) == 1


def test_nothing_is_re_sent_to_a_subscription_that_already_succeeded(
    push_settings, push_double, subscribe, user
):
    healthy, healthy_row = subscribe(user)
    flaky, flaky_row = subscribe(user)
    push_double.script(flaky, Answer(503))
    notification = fired_notification(user)
    now = timezone.now()

    first = deliver(notification, now=now)
    retry_at = delivery_of(notification, flaky_row).next_attempt_at
    second = deliver(notification, now=retry_at)

    assert first.state == DeliveryState.RETRYING
    assert second.state == DeliveryState.DELIVERED
    assert len(push_double.received(healthy)) == 1
    assert [r.status for r in push_double.received(flaky)] == [503, 201]
    assert delivery_of(notification, healthy_row).attempts == 1


def test_a_hanging_push_service_times_out_and_is_retried(
    push_settings, push_double, subscribe, user
):
    push_settings.PUSH_READ_TIMEOUT_SECONDS = 0.5
    browser, row = subscribe(user)
    push_double.script(browser, Answer(hang=30))
    notification = fired_notification(user)
    now = timezone.now()

    deliver(notification, now=now)
    delivery = delivery_of(notification, row)
    assert delivery.state == PushDeliveryState.RETRY
    assert "Timeout" in delivery.last_error
    deliver(notification, now=delivery.next_attempt_at)

    assert [r.status for r in push_double.received(browser)] == [0, 201]
    assert delivery_of(notification, row).state == PushDeliveryState.SENT


def test_a_network_error_is_retried_like_a_server_error(push_settings, push_double, user):
    closed = f"https://127.0.0.1:{free_port()}"
    push_settings.PUSH_TEST_ENDPOINT_ORIGINS = [push_double.origin, closed]
    browser = push_double.subscribe()
    row = PushSubscription.objects.create(
        user=user, endpoint=f"{closed}/push/x", p256dh=browser.p256dh, auth=browser.auth
    )
    notification = fired_notification(user)
    now = timezone.now()

    deliver(notification, now=now)

    base = push_settings.PUSH_RETRY_BASE_SECONDS
    assert base * 0.8 <= seconds_until_retry(notification, row, now) <= base * 1.2
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.RETRY
    assert attempt.status_code is None
    row.refresh_from_db()
    assert row.consecutive_failures == 1


@pytest.mark.parametrize("status", [400, 413])
def test_a_bad_request_is_not_retried_and_is_logged(
    push_settings, push_double, subscribe, user, status, caplog
):
    browser, row = subscribe(user)
    push_double.script(browser, Answer(status))
    notification = fired_notification(user)

    with caplog.at_level(logging.WARNING, logger="notifications_app.services"):
        report = deliver(notification)
    deliver(notification, now=timezone.now() + timedelta(hours=1))

    assert report.state == DeliveryState.FAILED
    assert delivery_of(notification, row).state == PushDeliveryState.FAILED
    assert len(push_double.received(browser)) == 1
    assert f"push failed with {status}, not retried" in caplog.text
    assert PushSubscription.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("status", [401, 403])
def test_an_authorization_failure_is_logged_as_a_vapid_configuration_problem(
    push_settings, push_double, subscribe, user, status, caplog
):
    browser, row = subscribe(user)
    push_double.script(browser, Answer(status))
    notification = fired_notification(user)

    with caplog.at_level(logging.ERROR, logger="notifications_app.services"):
        report = deliver(notification)

    assert report.state == DeliveryState.FAILED
    assert "VAPID configuration problem" in caplog.text
    assert delivery_of(notification, row).next_attempt_at is None


def test_a_real_vapid_key_mismatch_is_reported(push_settings, push_double, subscribe, user, caplog):
    subscribe(user)
    push_double.vapid_public_key, _ = webpush.generate_vapid_keys()  # subscribed with another key

    with caplog.at_level(logging.ERROR, logger="notifications_app.services"):
        deliver(fired_notification(user))

    assert "push rejected with 403" in caplog.text
    assert "VAPID configuration problem" in caplog.text


def test_a_redirect_is_a_failure_and_is_not_followed(
    push_settings, push_double, subscribe, user, internal_service
):
    browser, row = subscribe(user)
    push_double.script(browser, Answer(302, location=f"http://127.0.0.1:{internal_service.port}/"))
    notification = fired_notification(user)

    report = deliver(notification)

    assert report.state == DeliveryState.FAILED
    assert delivery_of(notification, row).last_status_code == 302
    assert internal_service.connections == 0


# ---------------------------------------------------------------- SSRF at send time


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:{port}/push/x",  # plain http
        "https://127.0.0.1:{port}/push/x",  # loopback, not a test origin
        "https://127.0.0.1/push/x",  # loopback on 443
        "https://evil.invalid/push/x",  # another host
        "https://evilfcm.googleapis.com/push/x",  # not at a dot boundary
    ],
)
def test_a_stored_unsafe_endpoint_is_refused_before_sending(
    push_settings, push_double, user, internal_service, endpoint
):
    browser = push_double.subscribe()
    row = PushSubscription.objects.create(  # bypassing the API, as old or tampered data would
        user=user,
        endpoint=endpoint.format(port=internal_service.port),
        p256dh=browser.p256dh,
        auth=browser.auth,
    )
    notification = fired_notification(user)

    report = deliver(notification)

    assert report.state == DeliveryState.FAILED
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == AttemptOutcome.REFUSED
    assert attempt.status_code is None
    assert delivery_of(notification, row).state == PushDeliveryState.FAILED
    assert internal_service.connections == 0
    assert push_double.requests == 0


def test_an_endpoint_is_checked_again_before_every_send(
    push_settings, push_double, subscribe, user
):
    _browser, _ = subscribe(user)
    push_settings.PUSH_TEST_ENDPOINT_ORIGINS = []  # no longer allowed since it subscribed

    report = deliver(fired_notification(user))

    assert report.state == DeliveryState.FAILED
    assert push_double.requests == 0


# ---------------------------------------------------------------- states, sweep, test push


def test_partial_delivery_is_reported(push_settings, push_double, subscribe, user):
    _ok, _ = subscribe(user)
    broken, _ = subscribe(user)
    push_double.script(broken, Answer(400))

    report = deliver(fired_notification(user))

    assert report.state == DeliveryState.PARTIAL


def test_the_sweep_requeues_due_retries_and_lost_deliver_tasks(
    push_settings, push_double, subscribe, user
):
    browser, _row = subscribe(user)
    push_double.script(browser, Answer(503))
    retrying = fired_notification(user, title="retrying")
    deliver(retrying)
    PushDelivery.objects.filter(notification=retrying).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    lost = fired_notification(user, title="lost")  # its deliver task never ran
    lost.__class__.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    fresh = fired_notification(user, title="fresh")  # its deliver task is on its way

    assert selectors.notification_ids_due_for_push() == [retrying.pk, lost.pk]
    assert tasks.requeue_due() == 2  # Celery runs eagerly in unit tests

    # Each deliver task also drains what else is due: "fresh" went out in the same run.
    titles = sorted(r.payload["title"] for r in push_double.delivered(browser))
    assert titles == ["fresh", "lost", "retrying"]
    assert fresh.pk not in selectors.notification_ids_due_for_push()


def test_the_sweep_fails_notifications_never_pushed_within_the_give_up_window(push_settings, user):
    old = NotificationFactory(user=user)
    old.__class__.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1))

    assert services.notifications_expire_stale() == 1
    old.refresh_from_db()
    assert old.delivery_state == DeliveryState.FAILED
    assert selectors.notification_ids_due_for_push() == []


def test_a_test_push_reaches_only_the_chosen_subscriptions(
    push_settings, push_double, subscribe, user
):
    chosen, chosen_row = subscribe(user)
    other, _ = subscribe(user)

    report = services.push_send_test(user=user, subscriptions=[chosen_row])

    assert report.count("sent") == 1
    [received] = push_double.delivered(chosen)
    assert received.payload["title"] == services.TEST_TITLE
    assert received.payload["actions"] == []
    assert push_double.received(other) == []


def test_a_deliver_task_also_pushes_the_other_untried_notifications_in_batches(
    push_settings, push_double, subscribe, user, other_user
):
    mine, _ = subscribe(user)
    theirs, _ = subscribe(other_user)
    first = fired_notification(user, title="first")
    others = [fired_notification(other_user, title=f"other {n}") for n in range(30)]

    result = tasks.deliver(first.pk)

    assert result["sent"] == 1
    assert result["drained"]["sent"] == 30
    assert len(push_double.delivered(mine)) == 1
    assert len(push_double.delivered(theirs)) == 30
    assert {n.delivery_state for n in type(first).objects.all()} == {DeliveryState.DELIVERED}
    for notification in others:  # their own tasks, arriving later, find nothing left to send
        assert tasks.deliver(notification.pk)["sent"] == 0
    assert len(push_double.received()) == 31


def test_draining_stops_when_its_time_budget_is_spent(push_settings, push_double, subscribe, user):
    subscribe(user)
    for n in range(3):
        fired_notification(user, title=f"n{n}")

    report = services.push_deliveries_drain(budget_seconds=0)

    assert report.count("sent") == 0
    assert push_double.requests == 0
    assert services.push_deliveries_drain().count("sent") == 3


def test_the_handler_enqueues_nothing_for_a_notification_already_pushed(
    push_settings, subscribe, user, monkeypatch
):
    from notifications_app import handlers

    subscribe(user)
    pushed, waiting = fired_notification(user), fired_notification(user)
    deliver(pushed)
    enqueued = []
    monkeypatch.setattr(handlers.deliver, "delay", lambda *ids: enqueued.append(ids))

    handlers.enqueue_push_delivery(
        [{"data": {"notification_id": n.pk}} for n in (pushed, waiting, pushed)]
    )

    assert enqueued == [(waiting.pk,)]


def test_the_handler_enqueues_one_task_per_batch_of_notifications(
    push_settings, push_double, subscribe, user, monkeypatch
):
    from notifications_app import handlers

    subscribe(user)
    notifications = [
        fired_notification(user, title=f"n{n}") for n in range(services.PUSH_BATCH_SIZE * 2 + 1)
    ]
    enqueued = []
    monkeypatch.setattr(handlers.deliver, "delay", lambda *ids: enqueued.append(ids))

    handlers.enqueue_push_delivery([{"data": {"notification_id": n.pk}} for n in notifications])

    ids = [n.pk for n in notifications]
    batch = services.PUSH_BATCH_SIZE
    assert enqueued == [tuple(ids[:batch]), tuple(ids[batch : 2 * batch]), (ids[-1],)]
    # each task pushes its own batch, and only that when there is no time left to drain
    push_settings.PUSH_DRAIN_SECONDS = 0
    report = tasks.deliver(*enqueued[1])
    assert report["sent"] == batch
    assert report["notifications"] == batch
    got = {r.payload["notification_id"] for r in push_double.received()}
    assert got == set(ids[batch : 2 * batch])


# ---------------------------------------------------------------- encrypted before the minute


def _fired_early(user, *titles: str) -> list:
    """Reminders fired by a scan beat sent early: prepared now, committed a second later."""
    from django.db import connection

    from notifications_app.models import Notification
    from tasks_app import services as task_services

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("the scan prepares a minute early only where rows lock (PostgreSQL)")
    on = timezone.now() + timedelta(seconds=1)
    tasks_ = [
        task_services.task_create(
            user=user, title=title, due=on + timedelta(hours=1), reminders=[{"fire_at": on}]
        )
        for title in titles or ("Stand-up",)
    ]
    task_services.reminders_fire_due(on=on)
    return [Notification.objects.get(reminder__task=task) for task in tasks_]


def _no_encrypting_now(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("encrypted at send time, not before the minute")

    monkeypatch.setattr(webpush, "encrypt", refuse)


def test_a_push_encrypted_before_the_minute_is_sent_as_it_was_prepared(
    push_settings, push_double, subscribe, user, monkeypatch
):
    # Given a user with two browsers, and a reminder the scan fired early
    phone, _ = subscribe(user)
    laptop, _ = subscribe(user)
    [notification] = _fired_early(user, "Call the bank")

    # Then each browser's message was encrypted in the scan's transaction, unclaimed, due on
    # the minute, and the notification still awaits its push (the handler enqueues it)
    rows = PushDelivery.objects.filter(notification=notification)
    assert len(rows) == 2
    for row in rows:
        assert row.body
        assert (row.state, row.claim, row.attempts) == (PushDeliveryState.PENDING, "", 0)
        assert row.next_attempt_at == notification.created_at
    assert selectors.notifications_awaiting_push(ids=[notification.pk]) == [notification.pk]

    # When it is delivered, nothing is encrypted again
    _no_encrypting_now(monkeypatch)
    report = deliver(notification)

    # Then both browsers decrypt the push, sent once each, and the bodies are dropped
    assert report.state == DeliveryState.DELIVERED
    for browser in (phone, laptop):
        [received] = push_double.delivered(browser)
        assert received.payload["title"] == "Call the bank"
        assert received.payload["notification_id"] == notification.pk
        assert [a["action"] for a in received.payload["actions"]] == ["done", "snooze"]
        assert received.topic == f"reminder{notification.reminder_id}"
    assert set(rows.values_list("state", "attempts", "body")) == {("sent", 1, None)}
    assert deliver(notification).count("sent") == 0


def test_a_deliver_task_drains_pushes_prepared_early_once_each(
    push_settings, push_double, subscribe, user, monkeypatch
):
    browser, _ = subscribe(user)
    first, *others = _fired_early(user, "one", "two", "three")
    _no_encrypting_now(monkeypatch)

    result = tasks.deliver(first.pk)

    assert result["sent"] + result["drained"]["sent"] == 3
    assert sorted(r.payload["title"] for r in push_double.delivered(browser)) == [
        "one",
        "three",
        "two",
    ]
    for notification in others:  # their own tasks find nothing left to send
        assert tasks.deliver(notification.pk)["sent"] == 0
    assert len(push_double.received()) == 3


def test_new_keys_for_a_browser_drop_its_prepared_push(push_settings, push_double, subscribe, user):
    # Given a push prepared for a browser's keys
    subscribe(user, "phone")
    [notification] = _fired_early(user, "Water the plants")

    # When the browser renews its subscription with new keys before it is sent
    renewed = push_double.subscribe("phone")  # the same endpoint, new keys
    services.push_subscription_upsert(
        user=user, endpoint=renewed.endpoint, p256dh=renewed.p256dh, auth=renewed.auth
    )
    assert PushDelivery.objects.get(notification=notification).body is None

    # Then it is encrypted for the new keys when sent, and the browser reads it
    assert deliver(notification).state == DeliveryState.DELIVERED
    [received] = push_double.delivered(renewed)
    assert received.payload["title"] == "Water the plants"


def test_what_is_not_encrypted_by_the_deadline_is_encrypted_when_sent(
    push_settings, push_double, subscribe, user
):
    import time

    browser, _ = subscribe(user)
    notification = fired_notification(user)

    prepared = services.push_deliveries_prepare(
        [notification], due_at=notification.created_at, deadline=time.monotonic()
    )

    assert prepared == 0
    assert not PushDelivery.objects.exists()
    assert deliver(notification).state == DeliveryState.DELIVERED
    assert len(push_double.delivered(browser)) == 1
