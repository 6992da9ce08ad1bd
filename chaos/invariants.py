"""What must hold after the chaos, each check with its counts, and the work still in flight.

Every check reads the database this process shares with the stack, the broker (each topic read
with a fresh consumer group to its end), the push double's records, and the load's journal.
`pending_work` is what the settle phase waits on; the checks then decide PASS or FAIL.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from django.db.models import Count, F, Max, Min, Q
from django.utils.dateparse import parse_datetime

from notifications_app.models import DeliveryState, Notification, PushSubscription
from tasks_app.models import Reminder, ReminderStatus, Task
from todo_project.common import kafka
from todo_project.common.consumers import REGISTRY, autodiscover
from todo_project.common.models import OutboxEvent, ProcessedEvent
from todo_project.testing.events import read_topic

SAMPLES = 5  # ids shown per failure


@dataclass
class Check:
    key: str
    title: str
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.ok = False
        self.lines.append(f"FAIL: {line}")

    def note(self, line: str) -> None:
        self.lines.append(line)


def _sample(values: Any) -> str:
    values = sorted(values, key=str)
    more = f" … (+{len(values) - SAMPLES})" if len(values) > SAMPLES else ""
    return ", ".join(str(v) for v in values[:SAMPLES]) + more


# ---------------------------------------------------------------- consumers


def unprocessed_events() -> dict[str, int]:
    """Per consumer group: events of the types it handles with no `ProcessedEvent` row yet.

    Exact, unlike lag from the broker's high watermarks: the local broker (Tansu 0.6) reports
    a partition's high watermark as the base offset of its last record batch + 1, so a batch of
    several records is under-counted until the next one arrives.
    """
    autodiscover()
    out: dict[str, int] = {}
    for group, handler_set in REGISTRY.items():
        events = OutboxEvent.objects.filter(
            topic__in=handler_set.topics, type__in=list(handler_set.handlers)
        )
        done = ProcessedEvent.objects.filter(group=group).values("event_id")
        out[group] = events.exclude(event_id__in=done).count()
    return out


# ---------------------------------------------------------------- settling


def delivered_notification_ids(double: Any) -> Counter[int]:
    """How many pushes of each notification the double received and accepted."""
    return Counter(
        r.payload.get("notification_id") for r in double.delivered() if isinstance(r.payload, dict)
    )


def _due_notifications(until: datetime):
    return Notification.objects.filter(reminder__fire_at__lte=until)


def pending_work(*, until: datetime, double: Any) -> dict[str, int]:
    """Work the system still owes; the run has settled when every count is 0."""
    delivered = delivered_notification_ids(double)
    subscribed = set(PushSubscription.objects.values_list("user_id", flat=True))
    undelivered = [
        pk
        for pk, user_id in _due_notifications(until).values_list("pk", "user_id")
        if user_id in subscribed and pk not in delivered
    ]
    completed = Task.objects.filter(series__isnull=False, completed_at__isnull=False)
    return {
        "outbox unpublished": OutboxEvent.objects.pending().count(),
        "events not yet consumed": sum(unprocessed_events().values()),
        "due reminders not fired": Reminder.objects.filter(
            status=ReminderStatus.PENDING, fire_at__lte=until
        ).count(),
        "completed occurrences without a next": completed.filter(spawned_next__isnull=True).count(),
        "notifications not pushed": len(undelivered),
    }


# ---------------------------------------------------------------- the invariants


def outbox_events_on_topics(*, timeout: float = 180.0) -> Check:
    check = Check("a", "every committed outbox event is on its topic (by event id)")
    known = {str(e) for e in OutboxEvent.objects.values_list("event_id", flat=True)}
    for logical in kafka.TOPICS:
        rows = OutboxEvent.objects.filter(topic=logical)
        committed = {str(e) for e in rows.values_list("event_id", flat=True)}
        published = {str(e) for e in rows.published().values_list("event_id", flat=True)}
        # From the beginning with a fresh consumer group, until at least as many messages as
        # the relay has published and then 3 s without a new one: the end of the topic.
        messages = read_topic(logical, expected=len(published), timeout=timeout, settle=3.0)
        ids = [m["envelope"]["id"] for m in messages if isinstance(m["envelope"], dict)]
        seen = set(ids)
        missing = committed - seen
        unknown = seen - known
        check.note(
            f"{logical}: {len(committed)} committed, {len(seen)} on the topic, "
            f"{len(missing)} missing, {len(ids) - len(seen)} re-published (duplicates)"
        )
        if lost := missing & published:
            check.fail(f"{logical}: {len(lost)} marked published but not on it: {_sample(lost)}")
            span = rows.filter(event_id__in=lost).aggregate(first=Min("id"), last=Max("id"))
            check.note(f"{logical}: lost outbox ids {span['first']} .. {span['last']}")
        if never := missing - published:
            check.fail(f"{logical}: {len(never)} never published: {_sample(never)}")
        if unknown:
            check.note(f"{logical}: {len(unknown)} event(s) with no outbox row: {_sample(unknown)}")
    return check


def dead_letters(logical: str) -> int:
    """Messages on the topic's dead-letter topic. Any message at all moves the (under-counted,
    see unprocessed_events) high watermark, so it says whether there is one to read."""
    name = kafka.dlq_name(logical)
    consumer = Consumer(kafka.consumer_config("chaos-dlq-sizer"))
    try:
        partitions = consumer.list_topics(name, timeout=10).topics[name].partitions
        marks = [
            consumer.get_watermark_offsets(TopicPartition(name, p), timeout=10) for p in partitions
        ]
    finally:
        consumer.close()
    if not any(high > low for low, high in marks):
        return 0
    return len(read_topic(logical + kafka.DLQ_SUFFIX, expected=1, timeout=60, settle=3.0))


def reminders_notified(*, until: datetime) -> Check:
    check = Check("b", "every reminder that fell due has exactly one notification")
    due = Reminder.objects.filter(fire_at__lte=until).annotate(n=Count("notification"))
    by_status = Counter(due.values_list("status", flat=True))
    check.note(
        f"{sum(by_status.values())} reminders due by the end of the load: "
        + ", ".join(f"{by_status[s]} {s}" for s in ReminderStatus.values)
    )
    fired_without = due.filter(status=ReminderStatus.FIRED, n=0)
    unfired_with = due.exclude(status=ReminderStatus.FIRED).filter(n__gt=0)
    pending = due.filter(status=ReminderStatus.PENDING)
    notifications = Notification.objects.filter(reminder__in=due).count()
    fired = by_status[ReminderStatus.FIRED]
    check.note(f"{fired} fired, {notifications} notifications for them")
    if pending.exists():
        ids = pending.values_list("pk", flat=True)
        check.fail(f"{len(ids)} due reminder(s) never fired: {_sample(ids)}")
    if fired_without.exists():
        ids = fired_without.values_list("pk", flat=True)
        check.fail(f"{len(ids)} fired reminder(s) without a notification: {_sample(ids)}")
    if unfired_with.exists():
        ids = unfired_with.values_list("pk", flat=True)
        check.fail(f"{len(ids)} reminder(s) not fired but notified: {_sample(ids)}")
    # Over every reminder: one marked fired before its time means its time moved after it
    # fired, so the reminder at the new time is lost.
    early = Reminder.objects.filter(status=ReminderStatus.FIRED, fired_at__lt=F("fire_at"))
    if early.exists():
        ids = early.values_list("pk", flat=True)
        check.fail(f"{len(ids)} reminder(s) marked fired before their fire time: {_sample(ids)}")
    check.note(
        f"missed (later than REMINDER_LATENESS_CUTOFF_MINUTES, no push by policy): "
        f"{by_status[ReminderStatus.MISSED]}; cancelled (task completed first): "
        f"{by_status[ReminderStatus.CANCELLED]}"
    )
    return check


def notifications_pushed(*, until: datetime, double: Any) -> Check:
    check = Check("c", "every notification reached the push double at least once")
    delivered = delivered_notification_ids(double)
    subscribed = set(PushSubscription.objects.values_list("user_id", flat=True))
    due = list(_due_notifications(until).values_list("pk", "user_id", "delivery_state"))
    wanted = {pk for pk, user_id, _ in due if user_id in subscribed}
    missing = wanted - set(delivered)
    pushes = sum(delivered[pk] for pk in wanted)
    duplicates = pushes - len(wanted - missing)
    states = Counter(state for _, _, state in due)
    fire_times = dict(
        _due_notifications(until).filter(pk__in=wanted).values_list("pk", "reminder__fire_at")
    )
    first_push: dict[int, float] = {}
    for record in double.delivered():
        pk = record.payload.get("notification_id") if isinstance(record.payload, dict) else None
        if pk in fire_times and pk not in first_push:
            first_push[pk] = record.at - fire_times[pk].timestamp()
    if first_push:
        late = sorted(first_push.values())
        p50, p99 = late[len(late) // 2], late[min(len(late) - 1, round(0.99 * (len(late) - 1)))]
        check.note(
            f"first push after the reminder's time: p50 {p50:.1f}s, p99 {p99:.1f}s, "
            f"max {late[-1]:.1f}s (the scan runs on the minute)"
        )
    check.note(
        f"{len(wanted)} notifications with a subscription, {len(wanted) - len(missing)} reached "
        f"the double in {pushes} pushes: {duplicates} duplicate push(es) (at-least-once: allowed)"
    )
    check.note("delivery states: " + ", ".join(f"{n} {s}" for s, n in sorted(states.items())))
    later = Notification.objects.count() - len(due)
    if later:
        check.note(f"{later} notification(s) of reminders due after the load (not checked)")
    rejected = double.rejected
    if rejected:
        check.fail(f"the double rejected {len(rejected)} push(es): {rejected[:SAMPLES]}")
    if missing:
        check.fail(f"{len(missing)} notification(s) never reached the double: {_sample(missing)}")
    unsettled = [pk for pk, _, s in due if s in (DeliveryState.PENDING, DeliveryState.SENDING)]
    if unsettled:
        check.note(f"{len(unsettled)} notification(s) still pending/sending: {_sample(unsettled)}")
    return check


def recurrence_one_next() -> Check:
    check = Check("d", "every completed recurring occurrence has exactly one next occurrence")
    completed = set(
        Task.objects.filter(series__isnull=False, completed_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    successors = Counter(
        Task.objects.filter(spawned_from__isnull=False).values_list("spawned_from_id", flat=True)
    )
    without = completed - set(successors)
    several = {pk for pk, n in successors.items() if n > 1}
    of_open = set(successors) - completed
    series = Task.objects.filter(series__isnull=False).values("series")
    open_per_series = series.annotate(
        open=Count("pk", filter=Q(completed_at__isnull=True)), total=Count("pk")
    )
    not_one_open = [row["series"] for row in open_per_series if row["open"] != 1]
    # Flagged at completion, cleared by the spawn (or the recurrence sweep) in one transaction.
    unsettled = set(Task.objects.filter(next_occurrence_pending=True).values_list("pk", flat=True))
    check.note(
        f"{len(completed)} completed occurrences in {len(open_per_series)} series, "
        f"{sum(successors.values())} next occurrences"
    )
    if without:
        check.fail(f"{len(without)} completed occurrence(s) without a next: {_sample(without)}")
    if several:
        check.fail(f"{len(several)} occurrence(s) with several next: {_sample(several)}")
    if of_open:
        check.fail(f"{len(of_open)} next occurrence(s) of an open task: {_sample(of_open)}")
    if not_one_open:
        check.fail(
            f"{len(not_one_open)} series without exactly one open occurrence: "
            f"{_sample(not_one_open)}"
        )
    if unsettled:
        check.fail(
            f"{len(unsettled)} completion(s) still flagged as owed a next: {_sample(unsettled)}"
        )
    return check


def outbox_drained() -> Check:
    check = Check("e", "nothing stuck in the outbox")
    pending = OutboxEvent.objects.pending()
    total = OutboxEvent.objects.count()
    check.note(f"{total} outbox events, {pending.count()} not published")
    if pending.exists():
        oldest = pending.order_by("id").first()
        check.fail(f"{pending.count()} unpublished; oldest {oldest.event_id} ({oldest.type})")
    return check


REMINDER_OPS = {"remind", "snooze"}


def acknowledged_writes(journal: Path) -> Check:
    check = Check("f", "every write the API acknowledged is in the database as acknowledged")
    records = [json.loads(line) for line in journal.read_text().splitlines() if line]
    per_task: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if record["task_id"] is not None:
            per_task[record["task_id"]].append(record)
    acked = [r for r in records if r["acknowledged"]]
    unacked_creates = [r for r in records if r["op"] == "create" and r["status"] is None]
    rejected = [r for r in records if not r["acknowledged"] and r["status"] is not None]
    retried = sum(1 for r in records if r["attempts"] > 1)
    check.note(
        f"{len(records)} writes: {len(acked)} acknowledged ({retried} after retries), "
        f"{sum(1 for r in records if r['status'] is None)} not acknowledged, "
        f"{len(rejected)} rejected with 4xx"
    )
    if rejected:
        check.note("4xx answers: " + "; ".join(f"{r['status']} {r['error']}" for r in rejected[:3]))
    if unacked_creates:
        titles = set(Task.objects.values_list("title", flat=True))
        markers = [r["marker"] for r in unacked_creates]
        committed = sum(
            1 for m in markers if any(t.endswith(f" {m}") or f" {m} v" in t for t in titles)
        )
        check.note(
            f"{len(unacked_creates)} create(s) not acknowledged; {committed} of them committed "
            "anyway (allowed: the answer was lost, not the write)"
        )
    rows = {
        t.pk: t
        for t in Task.objects.filter(pk__in=list(per_task)).only(
            "pk", "title", "due_at", "completed_at"
        )
    }
    reminder_tasks = dict(Reminder.objects.values_list("pk", "task_id"))
    wrong: list[str] = []
    uncertain = 0
    for task_id, history in per_task.items():
        acknowledged = [r for r in history if r["acknowledged"]]
        for record in acknowledged:
            for reminder_id in record["state"]["reminder_ids"]:
                if reminder_tasks.get(reminder_id) != task_id:
                    wrong.append(f"reminder {reminder_id} of task {task_id} missing")
        # The task's own state: its last acknowledged write that answered with the task (a
        # reminder's add or snooze answers with the reminder alone).
        task_writes = [r for r in history if r["op"] not in REMINDER_OPS]
        acknowledged = [r for r in task_writes if r["acknowledged"]]
        if not acknowledged:
            continue
        last = acknowledged[-1]
        if any(r["status"] is None for r in task_writes[task_writes.index(last) + 1 :]):
            uncertain += 1  # a later write's outcome is unknown: its state may or may not apply
            continue
        row = rows.get(task_id)
        if row is None:
            wrong.append(f"task {task_id} missing")
            continue
        state = last["state"]
        due = parse_datetime(state["due_at"]) if state["due_at"] else None
        if row.title != state["title"]:
            wrong.append(f"task {task_id} title {row.title!r} != {state['title']!r}")
        if row.due_at != due:
            wrong.append(f"task {task_id} due {row.due_at} != {due}")
        if (row.completed_at is not None) != bool(state["completed"]):
            wrong.append(f"task {task_id} completed={row.completed_at is not None}")
    check.note(
        f"{len(per_task)} tasks written to; {uncertain} skipped (last write unanswered after "
        "all retries)"
    )
    if wrong:
        check.fail(f"{len(wrong)} acknowledged state(s) not in the database: {_sample(wrong)}")
    return check


def events_consumed() -> Check:
    check = Check("g", "every consumer group processed every event it handles (extra)")
    for group, count in sorted(unprocessed_events().items()):
        check.note(f"group {group}: {count} event(s) not processed")
        if count:
            check.fail(f"group {group} did not process {count} event(s)")
    for logical in kafka.TOPICS:
        if dead := dead_letters(logical):
            check.fail(f"{kafka.dlq_name(logical)}: {dead} dead-lettered message(s)")
    return check


def processes_stayed_up(unexpected: list[str]) -> Check:
    check = Check("h", "no process exited unless the chaos killed it (extra)")
    check.note(f"{len(unexpected)} unexpected exit(s)")
    for line in unexpected:
        check.fail(line)
    return check


def no_server_errors(server_errors: list[str]) -> Check:
    check = Check("i", "the API never answered 5xx (extra; a lost connection is not an answer)")
    check.note(f"{len(server_errors)} 5xx answer(s)")
    if server_errors:
        check.fail(f"{len(server_errors)} 5xx: {_sample(server_errors)} (see web.log)")
    return check
