"""/metrics: the operator's figures, read from the database, in Prometheus text format."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from notifications_app.models import AttemptOutcome, DeliveryAttempt
from notifications_app.tests.factories import NotificationFactory
from tasks_app import services
from tasks_app.models import Reminder
from tasks_app.tests.factories import UserFactory
from todo_project.common.models import OutboxEvent
from todo_project.testing.events import mark_published


def scrape(client, **headers) -> dict[str, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        sample.name
        + (
            "{" + ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items())) + "}"
            if sample.labels
            else ""
        ): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def remind(user, fire_at, *, fired_late_by: timedelta) -> None:
    """A reminder due at fire_at, fired by a scan running fired_late_by after it."""
    services.task_create(
        user=user,
        title="t",
        due=fire_at + timedelta(hours=1),
        reminders=[{"fire_at": fire_at}],
        now=fire_at - timedelta(hours=1),
    )
    services.reminders_fire_due(now=fire_at + fired_late_by)


@pytest.mark.django_db
def test_reminders_fired_missed_and_lateness_histogram(client):
    user = UserFactory()
    base = timezone.now() - timedelta(days=1)
    remind(user, base, fired_late_by=timedelta(seconds=0.2))
    remind(user, base + timedelta(minutes=10), fired_late_by=timedelta(seconds=3))
    remind(user, base + timedelta(minutes=20), fired_late_by=timedelta(seconds=45))
    remind(user, base + timedelta(minutes=30), fired_late_by=timedelta(hours=2))  # missed

    metrics = scrape(client)

    assert metrics["todo_database_up"] == 1
    assert metrics["todo_reminders_fired_total"] == 3
    assert metrics["todo_reminders_missed_total"] == 1
    assert metrics["todo_reminder_lateness_seconds_bucket{le=0.5}"] == 1
    assert metrics["todo_reminder_lateness_seconds_bucket{le=2.0}"] == 1
    assert metrics["todo_reminder_lateness_seconds_bucket{le=5.0}"] == 2
    assert metrics["todo_reminder_lateness_seconds_bucket{le=30.0}"] == 2
    assert metrics["todo_reminder_lateness_seconds_bucket{le=60.0}"] == 3
    assert metrics["todo_reminder_lateness_seconds_bucket{le=+Inf}"] == 3
    assert metrics["todo_reminder_lateness_seconds_count"] == 3
    assert metrics["todo_reminder_lateness_seconds_sum"] == pytest.approx(48.2)


@pytest.mark.django_db
def test_outbox_backlog_and_the_age_of_its_oldest_event(client):
    user = UserFactory()
    services.task_create(user=user, title="a")
    services.task_create(user=user, title="b")
    mark_published(through_id=OutboxEvent.objects.order_by("id").first().pk)
    OutboxEvent.objects.pending().update(created_at=timezone.now() - timedelta(minutes=5))
    unpublished = OutboxEvent.objects.pending().count()

    metrics = scrape(client)

    assert unpublished >= 1
    assert metrics["todo_outbox_backlog"] == unpublished
    assert 300 <= metrics["todo_outbox_oldest_unpublished_age_seconds"] < 400


@pytest.mark.django_db
def test_empty_outbox_has_zero_backlog_and_age(client):
    metrics = scrape(client)

    assert metrics["todo_outbox_backlog"] == 0
    assert metrics["todo_outbox_oldest_unpublished_age_seconds"] == 0
    assert metrics["todo_reminder_lateness_seconds_count"] == 0


@pytest.mark.django_db
def test_push_attempts_by_outcome_and_status_and_notifications_by_state(client):
    notification = NotificationFactory()
    now = timezone.now()
    for outcome, status in [
        (AttemptOutcome.SENT, 201),
        (AttemptOutcome.SENT, 201),
        (AttemptOutcome.RETRY, 429),
        (AttemptOutcome.GONE, 410),
        (AttemptOutcome.REFUSED, None),
    ]:
        DeliveryAttempt.objects.create(
            notification=notification, outcome=outcome, status_code=status, attempted_at=now
        )

    metrics = scrape(client)

    assert metrics["todo_push_attempts_total{outcome=sent,status=201}"] == 2
    assert metrics["todo_push_attempts_total{outcome=retry,status=429}"] == 1
    assert metrics["todo_push_attempts_total{outcome=gone,status=410}"] == 1
    assert metrics["todo_push_attempts_total{outcome=refused,status=none}"] == 1
    assert metrics[f"todo_notifications_total{{delivery_state={notification.delivery_state}}}"] == 1


@pytest.mark.django_db
def test_metrics_say_the_database_is_down_instead_of_failing_the_scrape(client):
    def refuse(execute, sql, params, many, context):
        raise DatabaseError("connection refused")

    with connection.execute_wrapper(refuse):
        metrics = scrape(client)

    assert metrics["todo_database_up"] == 0
    assert "todo_reminders_fired_total" not in metrics
    assert "process_cpu_seconds_total" in metrics


@pytest.mark.django_db
def test_a_metrics_token_is_required_when_configured(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"

    missing = client.get("/metrics")
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    metrics = scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret")

    assert missing.status_code == 401
    assert missing["WWW-Authenticate"] == "Bearer"
    assert wrong.status_code == 401
    assert metrics["todo_database_up"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_answer_any_host_over_plain_http_in_production_mode(client, settings, path):
    """The kubelet and Prometheus call http://<pod-ip>:8000/…, a host no one lists."""
    settings.ALLOWED_HOSTS = ["todo.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    probe = client.get(path, HTTP_HOST="10.244.0.17:8000")
    api = client.get("/api/tasks/", HTTP_HOST="10.244.0.17:8000")
    redirected = client.get("/api/tasks/", HTTP_HOST="todo.example.com")

    assert probe.status_code == 200
    assert api.status_code == 400  # DisallowedHost: other paths still validate the host
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://todo.example.com/")


@pytest.mark.django_db
def test_probe_paths_accept_only_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/metrics").status_code == 405
    assert Reminder.objects.count() == 0
