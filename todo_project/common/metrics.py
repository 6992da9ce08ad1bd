"""Prometheus metrics, read from the database at scrape time.

The facts operators alert on (reminders fired and how late, the outbox backlog, push outcomes)
are rows in PostgreSQL, written by whichever pod did the work. Reading them at scrape time gives
one exact, restart-proof figure per cluster from the web pods, with no per-process counters to
aggregate across prefork children and pods. Counters are monotonic except when rows are deleted
(an outbox prune, a user deleting tasks), which Prometheus treats as a counter reset.
"""

from datetime import timedelta

from django.db import DatabaseError
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.utils import floatToGoString

from notifications_app.models import DeliveryAttempt, Notification
from tasks_app.models import Reminder, ReminderStatus
from todo_project.common.models import OutboxEvent

# Seconds from a reminder's fire_at to the scan that fired it; the scan runs every minute.
LATENESS_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600)


def _seconds(value: timedelta | float | int | None) -> float:
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # SQLite returns durations as microseconds


class DatabaseCollector:
    """Collects every database-backed series in one short read."""

    def collect(self):
        up = GaugeMetricFamily("todo_database_up", "1 when the metrics query reached the database")
        try:
            families = list(self._database_families())
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _database_families(self):
        reminders = Reminder.objects.aggregate(
            fired=Count("id", filter=Q(status=ReminderStatus.FIRED)),
            missed=Count("id", filter=Q(status=ReminderStatus.MISSED)),
        )
        fired = CounterMetricFamily("todo_reminders_fired", "Reminders the scan fired")
        fired.add_metric([], reminders["fired"])
        yield fired
        missed = CounterMetricFamily(
            "todo_reminders_missed", "Reminders marked missed (later than the cutoff)"
        )
        missed.add_metric([], reminders["missed"])
        yield missed
        yield self._lateness()

        backlog = OutboxEvent.objects.pending().aggregate(
            count=Count("id"), oldest=Min("created_at")
        )
        outbox = GaugeMetricFamily("todo_outbox_backlog", "Outbox events not yet on the broker")
        outbox.add_metric([], backlog["count"])
        yield outbox
        age = GaugeMetricFamily(
            "todo_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest unpublished outbox event (0 when none)",
        )
        oldest = backlog["oldest"]
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield age

        attempts = CounterMetricFamily(
            "todo_push_attempts",
            "Web Push requests by outcome and the push service's HTTP status",
            labels=["outcome", "status"],
        )
        rows = DeliveryAttempt.objects.values("outcome", "status_code").annotate(n=Count("id"))
        for row in rows.order_by("outcome", "status_code"):
            status = str(row["status_code"]) if row["status_code"] is not None else "none"
            attempts.add_metric([row["outcome"], status], row["n"])
        yield attempts

        notifications = CounterMetricFamily(
            "todo_notifications",
            "Notifications created, by delivery state",
            labels=["delivery_state"],
        )
        rows = Notification.objects.values("delivery_state").annotate(n=Count("id"))
        for row in rows.order_by("delivery_state"):
            notifications.add_metric([row["delivery_state"]], row["n"])
        yield notifications

    def _lateness(self) -> HistogramMetricFamily:
        lateness = ExpressionWrapper(F("fired_at") - F("fire_at"), output_field=DurationField())
        bucket_counts = {
            f"le_{i}": Count("id", filter=Q(lateness__lte=timedelta(seconds=bound)))
            for i, bound in enumerate(LATENESS_BUCKETS)
        }
        row = (
            Reminder.objects.filter(status=ReminderStatus.FIRED, fired_at__isnull=False)
            .annotate(lateness=lateness)
            .aggregate(total=Count("id"), seconds=Sum("lateness"), **bucket_counts)
        )
        buckets = [
            (floatToGoString(bound), row[f"le_{i}"]) for i, bound in enumerate(LATENESS_BUCKETS)
        ]
        buckets.append(("+Inf", row["total"]))
        histogram = HistogramMetricFamily(
            "todo_reminder_lateness_seconds",
            "Seconds from a reminder's due instant to the scan that fired it",
        )
        histogram.add_metric([], buckets, sum_value=_seconds(row["seconds"]))
        return histogram


def registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    ProcessCollector(registry=registry)
    return registry


REGISTRY = registry()


def render() -> bytes:
    return generate_latest(REGISTRY)
