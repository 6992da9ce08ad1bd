"""Operations: VAPID keys, the test push command and admin action, checks, the beat schedule."""

import json
import shlex
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from py_vapid import Vapid

from notifications_app import checks, webpush
from notifications_app.models import DeliveryAttempt, Notification
from tasks_app.tests.factories import UserFactory

from .factories import fired_notification

pytestmark = pytest.mark.django_db


def test_vapid_keys_prints_a_matching_pair_in_the_settings_format():
    out = StringIO()

    call_command("vapid_keys", stdout=out)

    values = dict(line.split("=", 1) for line in out.getvalue().split())
    private, public = values["VAPID_PRIVATE_KEY"], values["VAPID_PUBLIC_KEY"]
    assert webpush.public_key_of(Vapid.from_string(private)) == public


def test_vapid_keys_can_print_a_patch_of_the_charts_secret():
    out = StringIO()

    call_command("vapid_keys", "--format", "kubectl", stdout=out)

    patch, public_line, restart = out.getvalue().splitlines()
    words = shlex.split(patch)
    assert words[:6] == ["kubectl", "-n", "todo", "patch", "secret", "todo-secrets"]
    assert words[6:8] == ["--type", "merge"]
    private = json.loads(words[9])["stringData"]["VAPID_PRIVATE_KEY"]
    assert public_line.endswith(webpush.public_key_of(Vapid.from_string(private)))
    assert restart.startswith("kubectl -n todo rollout restart deployment")


def test_send_test_push_reports_each_subscription(push_settings, push_double, subscribe, user):
    browser, _ = subscribe(user)
    out = StringIO()

    call_command("send_test_push", "--user", user.username, stdout=out)

    assert "sent (201)" in out.getvalue()
    assert push_double.delivered(browser)[0].payload["title"] == "Test notification"


def test_send_test_push_fails_loudly_when_nothing_was_reached(
    push_settings, push_double, subscribe, user
):
    subscribe(user)
    push_settings.PUSH_TEST_ENDPOINT_ORIGINS = []

    with pytest.raises(CommandError, match="reached no subscription"):
        call_command("send_test_push", "--user", user.username, stdout=StringIO())


@pytest.mark.parametrize(
    ("setup", "message"),
    [("unknown", "no user named"), ("no_subscription", "has no push subscription")],
)
def test_send_test_push_explains_what_is_missing(push_settings, user, setup, message):
    name = "nobody" if setup == "unknown" else user.username

    with pytest.raises(CommandError, match=message):
        call_command("send_test_push", "--user", name, stdout=StringIO())


def test_send_test_push_needs_vapid_keys(settings, user):
    settings.VAPID_PRIVATE_KEY = ""

    with pytest.raises(CommandError, match="not configured"):
        call_command("send_test_push", "--user", user.username, stdout=StringIO())


def test_admin_action_sends_a_test_push_to_the_selected_subscriptions(
    push_settings, push_double, subscribe, user, client
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    browser, row = subscribe(user)

    response = client.post(
        "/admin/notifications_app/pushsubscription/",
        {"action": "send_test_push", "_selected_action": [row.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 sent" in response.content.decode()
    assert push_double.delivered(browser)[0].payload["title"] == "Test notification"


def test_admin_pages_show_notifications_subscriptions_and_attempts(
    push_settings, subscribe, user, client
):
    from notifications_app import services

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    subscribe(user)
    notification = fired_notification(user)
    services.notification_deliver(notification_id=notification.pk)
    attempt = DeliveryAttempt.objects.get()

    for url in (
        "/admin/notifications_app/notification/",
        f"/admin/notifications_app/notification/{notification.pk}/change/",
        "/admin/notifications_app/pushsubscription/",
        "/admin/notifications_app/deliveryattempt/",
        f"/admin/notifications_app/deliveryattempt/{attempt.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_system_check_catches_a_mismatched_or_unreadable_vapid_key(settings, vapid_keys):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = vapid_keys
    assert checks.vapid_configuration(None) == []

    settings.VAPID_PUBLIC_KEY = webpush.generate_vapid_keys()[1]
    assert [e.id for e in checks.vapid_configuration(None)] == ["notifications.E002"]

    settings.VAPID_PRIVATE_KEY = "not-a-key"
    assert [e.id for e in checks.vapid_configuration(None)] == ["notifications.E001"]


def test_no_vapid_key_means_push_off_and_no_check_message(settings):
    settings.VAPID_PRIVATE_KEY = ""

    assert checks.vapid_configuration(None) == []


def test_setup_periodic_tasks_declares_the_push_retry_sweep_once(settings):
    from django_celery_beat.models import PeriodicTask

    settings.PUSH_RETRY_SWEEP_SECONDS = 15
    call_command("setup_periodic_tasks", stdout=StringIO())
    call_command("setup_periodic_tasks", stdout=StringIO())

    sweep = PeriodicTask.objects.get(task="notifications.requeue_due")
    assert (sweep.interval.every, sweep.interval.period) == (15, "seconds")
    assert sweep.enabled
    assert sweep.crontab is None


def test_notifications_are_kept_when_push_state_is_unknown(user):
    # A notification exists the moment its reminder fires, before any delivery is tried.
    notification = fired_notification(user)

    assert Notification.objects.get().delivery_state == "pending" == notification.delivery_state
