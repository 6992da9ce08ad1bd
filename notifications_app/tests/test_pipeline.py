"""A reminder pushed end to end through the real processes.

PostgreSQL, the broker, the outbox relay, the `notifications` consumer group and a prefork Celery
worker on the `notifications` queue all run for real; the push-service double (this process)
verifies VAPID and decrypts what arrives, as a browser would.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications_app.models import (
    AttemptOutcome,
    DeliveryAttempt,
    DeliveryState,
    Notification,
)
from tasks_app import events
from tasks_app import services as task_services
from todo_project.common import kafka
from todo_project.testing.events import read_topic
from todo_project.testing.processes import celery, manage
from todo_project.testing.push_service import Answer
from todo_project.testing.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def push_processes(kafka, push_settings, push_double, tmp_path):
    """Relay, consumer (group `notifications`) and a prefork worker, configured for the double."""
    env = {
        "VAPID_PRIVATE_KEY": push_settings.VAPID_PRIVATE_KEY,
        "VAPID_PUBLIC_KEY": push_settings.VAPID_PUBLIC_KEY,
        "VAPID_SUBJECT": push_settings.VAPID_SUBJECT,
        "PUSH_TEST_ENDPOINT_ORIGINS": push_double.origin,
        "PUSH_CA_BUNDLE": str(push_double.tls.ca),
    }
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "relay", "consumer")}
    worker = celery(
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        "2",
        "--queues",
        "notifications",
        "--loglevel",
        "INFO",
        log_path=logs["worker"],
        **env,
    ).start()
    relay = manage("relay_outbox", log_path=logs["relay"], **env).start()
    consumer = manage(
        "consume_events", "--group", "notifications", log_path=logs["consumer"], **env
    ).start()
    try:
        yield logs
    finally:
        for process in (consumer, relay, worker):
            process.stop()


def _logs(logs) -> str:
    return "\n".join(f"--- {name}\n{path.read_text()[-3000:]}" for name, path in logs.items())


def test_a_reminder_due_now_reaches_the_browser_through_every_process(
    push_processes, push_double, auth_client, user
):
    # Given a browser subscribed through the API and a task with a reminder due now
    browser = push_double.subscribe()
    assert (
        auth_client.post("/api/push/subscriptions/", browser.to_json(), format="json").status_code
        == 201
    )
    fire_at = timezone.now() + timedelta(seconds=1)
    response = auth_client.post(
        "/api/tasks/",
        {
            "title": "Stand-up meeting",
            "due_at": (fire_at + timedelta(minutes=15)).isoformat(),
            "reminders": [{"fire_at": fire_at.isoformat()}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    task_id = response.json()["id"]
    time.sleep(max(0.0, (fire_at - timezone.now()).total_seconds()) + 0.05)

    # When the scan fires it (what beat's `reminders.scan_due` runs every minute)
    assert task_services.reminders_fire_due().fired == 1

    # Then reminder.due is on the topic, and the double decrypts the right payload
    [due] = [
        m
        for m in read_topic(kafka.REMINDERS, expected=1, timeout=60)
        if m["envelope"]["type"] == events.REMINDER_DUE
    ]
    notification = Notification.objects.get()
    assert due["envelope"]["data"]["notification_id"] == notification.pk
    assert push_double.wait_for(1, timeout=90), _logs(push_processes)
    [received] = push_double.delivered(browser)
    assert received.payload["task_id"] == task_id
    assert received.payload["title"] == "Stand-up meeting"
    assert [a["action"] for a in received.payload["actions"]] == ["done", "snooze"]
    assert received.topic == f"reminder{notification.reminder_id}"
    assert wait_until(lambda: DeliveryAttempt.objects.exists(), 30), _logs(push_processes)
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.outcome, attempt.status_code) == (AttemptOutcome.SENT, 201)
    assert wait_until(
        lambda: Notification.objects.get().delivery_state == DeliveryState.DELIVERED, 30
    )
    time.sleep(2)  # a redelivered event or task would push a second time now
    assert len(push_double.received(browser)) == 1
    assert Notification.objects.count() == 1


def test_a_gone_subscription_is_deleted_by_the_worker(push_processes, push_double, subscribe, user):
    from notifications_app.models import PushSubscription

    from .factories import fired_notification

    browser, row = subscribe(user)
    push_double.script(browser, Answer(410))

    fired_notification(user)

    assert wait_until(lambda: not PushSubscription.objects.filter(pk=row.pk).exists(), 90), _logs(
        push_processes
    )
    assert DeliveryAttempt.objects.get().outcome == AttemptOutcome.GONE
