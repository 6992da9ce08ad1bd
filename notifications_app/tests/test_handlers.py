"""The `reminder.due` handler: registered, and it leads to exactly one push per reminder."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications_app.models import DeliveryAttempt, DeliveryState, Notification
from tasks_app import services as task_services
from todo_project.common import kafka
from todo_project.common.consumers import REGISTRY, autodiscover
from todo_project.testing.events import dispatch_outbox

pytestmark = pytest.mark.django_db


def test_the_handler_is_registered_for_reminder_due_on_the_reminders_topic():
    autodiscover()

    handler_set = REGISTRY["notifications"]

    assert kafka.REMINDERS in handler_set.topics
    assert [f.__name__ for f in handler_set.handlers["reminder.due"]] == ["enqueue_push_delivery"]


def test_a_reminder_created_through_the_api_is_pushed_once_after_the_scan(
    push_settings, push_double, auth_client, user
):
    browser = push_double.subscribe()
    auth_client.post("/api/push/subscriptions/", browser.to_json(), format="json")
    fire_at = timezone.now() + timedelta(minutes=1)
    response = auth_client.post(
        "/api/tasks/",
        {
            "title": "Take the bins out",
            "due_at": (fire_at + timedelta(minutes=30)).isoformat(),
            "reminders": [{"fire_at": fire_at.isoformat()}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content

    task_services.reminders_fire_due(now=fire_at)
    dispatch_outbox()  # relay -> broker -> consumer, in-process; Celery runs eagerly
    dispatch_outbox()

    [received] = push_double.delivered(browser)
    assert received.payload["task_id"] == response.json()["id"]
    assert received.payload["title"] == "Take the bins out"
    notification = Notification.objects.get()
    assert notification.delivery_state == DeliveryState.DELIVERED
    assert DeliveryAttempt.objects.filter(notification=notification).count() == 1
