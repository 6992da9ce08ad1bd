"""Operational commands are idempotent: safe to run on every deploy."""

from datetime import timedelta
from io import StringIO

import pytest
from confluent_kafka.admin import AdminClient
from django.core.management import call_command
from django.utils import timezone

from todo_project.common import kafka as kafka_config
from todo_project.common.models import OutboxEvent
from todo_project.common.relay import Relay
from todo_project.testing.events import mark_published


def test_kafka_topics_creates_topics_and_dead_letter_topics_once(kafka, settings):
    second = StringIO()

    call_command("kafka_topics", stdout=second)  # the fixture already ran it once

    topics = AdminClient(kafka_config.client_config()).list_topics(timeout=10).topics
    expected = {
        f"{settings.KAFKA_TOPIC_PREFIX}{name}{suffix}"
        for name in ("task-events", "reminders", "task-updates")
        for suffix in ("", ".dlq")
    }
    assert expected <= set(topics)
    assert all(len(topics[name].partitions) == settings.KAFKA_TOPIC_PARTITIONS for name in expected)
    assert second.getvalue().count("exists") == 6
    assert "created" not in second.getvalue()


@pytest.mark.django_db
def test_setup_periodic_tasks_declares_each_periodic_task_once():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_periodic_tasks", stdout=StringIO())
    call_command("setup_periodic_tasks", stdout=StringIO())

    assert sorted(PeriodicTask.objects.values_list("task", flat=True)) == [
        "notifications.requeue_due",
        "reminders.scan_due",
        "tasks.spawn_pending_occurrences",
    ]
    scan = PeriodicTask.objects.get(task="reminders.scan_due")
    assert scan.crontab.minute == "*"
    assert scan.enabled
    recurrence_sweep = PeriodicTask.objects.get(task="tasks.spawn_pending_occurrences")
    assert (recurrence_sweep.interval.every, recurrence_sweep.interval.period) == (60, "seconds")
    assert recurrence_sweep.enabled


@pytest.mark.django_db
def test_relay_prunes_published_rows_after_the_retention_period(settings):
    settings.OUTBOX_RETENTION_HOURS = 24
    old, recent, pending = (
        OutboxEvent.objects.create(topic="task-events", key="1", type="x", envelope={})
        for _ in range(3)
    )
    long_ago = timezone.now() - timedelta(hours=25)
    OutboxEvent.objects.filter(pk__in=[old.pk, pending.pk]).update(created_at=long_ago)
    mark_published(through_id=recent.pk)

    Relay(stop=None)._maybe_prune()  # type: ignore[arg-type]

    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
