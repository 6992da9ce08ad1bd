"""Push: subscribe from Settings, a reminder delivered to the service worker, Snooze from it."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .support import api, screenshot, sign_up, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def fire_reminder_now(username: str, title: str):
    """What beat's per-minute scan does when a reminder falls due: the notification and its
    push payload, exactly as the server would send it."""
    from django.utils import timezone

    from notifications_app.models import Notification
    from notifications_app.services import push_payload
    from tasks_app import services
    from tasks_app.models import User

    user = User.objects.get(username=username)
    now = timezone.now()
    task = services.task_create(
        user=user,
        title=title,
        due=now + timedelta(minutes=30),
        reminders=[{"fire_at": now + timedelta(seconds=1)}],
    )
    assert services.reminders_fire_due(now=now + timedelta(seconds=2)).fired == 1
    notification = Notification.objects.get(task=task)
    return task, notification, push_payload(notification).decode()


def registration_id(cdp, page) -> str:
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    assert wait_until(
        lambda: page.wait_for_timeout(100) or any(not r["isDeleted"] for r in registrations), 15
    ), registrations
    [registration] = [
        r for r in registrations if not r["isDeleted"] and r["scopeURL"].endswith("/")
    ]
    return registration["registrationId"]


SHOWN = """async () => (await self.registration.getNotifications()).map((n) => ({
  title: n.title, body: n.body, tag: n.tag, data: n.data,
  actions: n.actions.map((a) => ({ action: a.action, title: a.title })),
}))"""


def showing(context):
    """The service worker that shows a notification, whichever of those Playwright lists. A CI
    run once waited 15 s on the first one listed and saw nothing; likely (not proven) Chrome had
    stopped that idle worker and started another for the push."""
    for worker in context.service_workers:
        try:
            if len(worker.evaluate(SHOWN)) == 1:
                return worker
        except PlaywrightError:  # a worker that has stopped
            continue
    return None


SNOOZE = """async () => {
  const [notification] = await self.registration.getNotifications();
  const result = await self.todoSW.handleNotificationClick("snooze", notification.data);
  notification.close();
  return result;
}"""


def test_a_pushed_reminder_shows_done_and_snooze_and_snooze_moves_the_reminder(
    page, context, phone, stack, push_subscription
):
    # Given a signed-in user who turns push on in Settings (permission granted for the site)
    context.grant_permissions(["notifications"], origin=stack.base_url)
    username = sign_up(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Turn on notifications").click()
    expect(page.get_by_text("On for this device.")).to_be_visible()
    subscriptions = api(page, "GET", "/api/push/subscriptions/")["body"]
    assert [s["endpoint"] for s in subscriptions] == [push_subscription["endpoint"]]

    # And the subscription is sent again on every load (upsert), without asking again
    with page.expect_request(
        lambda r: r.url.endswith("/api/push/subscriptions/") and r.method == "POST"
    ):
        page.reload()
    expect(page.get_by_text("On for this device.")).to_be_visible()
    assert page.evaluate("window.__pushStub.subscribe") == 0  # a fresh page: nothing re-subscribed

    # When a reminder falls due and its push reaches the service worker (DevTools protocol)
    task, notification, payload = fire_reminder_now(username, "Stand-up meeting")
    cdp = context.new_cdp_session(page)
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": stack.base_url, "registrationId": registration_id(cdp, page), "data": payload},
    )

    # Then the worker shows one notification for it, with Done and Snooze 10 min
    if not context.service_workers:
        context.wait_for_event("serviceworker")
    assert wait_until(lambda: showing(context) is not None, 30)
    worker = showing(context)
    [shown] = worker.evaluate(SHOWN)
    assert shown["title"] == "Stand-up meeting"
    assert shown["tag"] == f"notification-{notification.pk}"
    assert shown["actions"] == [
        {"action": "done", "title": "Done"},
        {"action": "snooze", "title": "Snooze 10 min"},
    ]
    assert shown["data"]["task_id"] == task.pk

    # And the open app's bell counts it (the worker told the page), and the inbox lists it
    expect(page.get_by_test_id("unread-badge")).to_have_text("1")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_role("list", name="Notifications")).to_contain_text("Stand-up meeting")
    screenshot(page, "inbox-desktop")
    phone_page = phone()
    phone_page.goto("/inbox")
    expect(phone_page.get_by_role("list", name="Notifications")).to_contain_text("Stand-up meeting")
    screenshot(phone_page, "inbox-phone")

    # When the Snooze button's handler runs in the worker
    before = datetime.now(UTC)
    outcome = worker.evaluate(SNOOZE)
    after = datetime.now(UTC)

    # Then the server has a new pending reminder about 10 minutes ahead, replacing the fired one
    assert outcome["kind"] == "action", outcome
    assert outcome["outcome"]["ok"], outcome
    reminders = api(page, "GET", f"/api/tasks/{task.pk}/")["body"]["reminders"]
    [snoozed] = [r for r in reminders if r["status"] == "pending"]
    assert snoozed["snoozed_from"] == notification.reminder_id
    fire_at = datetime.fromisoformat(snoozed["fire_at"].replace("Z", "+00:00"))
    assert before + timedelta(minutes=9) <= fire_at <= after + timedelta(minutes=11)
    assert worker.evaluate(SHOWN) == []

    # And acting on it marked the notification read: the bell clears
    page.reload()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_test_id("unread-badge")).to_have_count(0)
