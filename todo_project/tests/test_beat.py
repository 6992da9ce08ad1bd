"""Beat sends the reminder scan a few seconds before each minute, once per minute."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from todo_project.celery import app
from todo_project.common import beat

T = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    now = {"at": T}
    monkeypatch.setattr(beat, "wall_clock", lambda tz: now["at"].astimezone(tz))
    return now


def _entry(task: str, last_run_at: datetime) -> beat.LeadModelEntry:
    model = PeriodicTask.objects.get(task=task)
    model.last_run_at = last_run_at
    return beat.LeadModelEntry(model, app=app)


@pytest.mark.django_db
def test_the_scan_is_sent_its_lead_before_each_minute_and_once(settings, clock):
    # Given the scan's beat entry, every minute with a 2-second lead, last sent for 09:59
    settings.CELERY_BEAT_LEAD_SECONDS = {"reminders.scan_due": 2.0}
    call_command("setup_periodic_tasks", verbosity=0)
    entry = _entry("reminders.scan_due", T - timedelta(minutes=1))

    # Then it is not due until 2 seconds before 10:00, and due then
    clock["at"] = T - timedelta(seconds=2.1)
    due, next_check = entry.is_due()
    assert not due
    assert next_check == pytest.approx(0.1, abs=0.01)
    clock["at"] = T - timedelta(seconds=2)
    assert entry.is_due()[0]

    # When it is sent, it records 10:00 as its run, and is not due again before 10:00:58
    entry = next(entry)
    assert entry.last_run_at == T
    for moment in (T - timedelta(seconds=1), T, T + timedelta(seconds=57.9)):
        clock["at"] = moment
        assert not entry.is_due()[0], moment
    clock["at"] = T + timedelta(seconds=58)
    assert entry.is_due()[0]


@pytest.mark.django_db
def test_entries_without_a_lead_keep_their_schedule(settings, clock):
    settings.CELERY_BEAT_LEAD_SECONDS = {"reminders.scan_due": 2.0}
    settings.PUSH_RETRY_SWEEP_SECONDS = 30
    call_command("setup_periodic_tasks", verbosity=0)
    entry = _entry("notifications.requeue_due", datetime.now(UTC) - timedelta(minutes=5))

    assert entry.lead == timedelta(0)
    assert entry.is_due()[0]  # its own clock, not the moved one: 5 minutes since its last run
    entry = next(entry)
    assert abs(entry.last_run_at - datetime.now(UTC)) < timedelta(minutes=1)  # not shifted
