"""Writes of the notifications domain: the inbox, push subscriptions and push delivery.

Push delivery: durable retries, no ETA
--------------------------------------
The reminder scan creates the `Notification` (the in-app inbox entry, there whether or not push
works) with the `reminder.due` event; the `notifications` consumer group enqueues Celery task
`notifications.deliver(notification_id, ...)`, one for every `PUSH_BATCH_SIZE` notifications of
the events it handled together. Each (notification, subscription) pair is one
`PushDelivery` row, the durable state of that push:

1. **Plan and claim.** A notification not tried yet (`pending`) is taken under
   `SELECT … FOR UPDATE SKIP LOCKED` and gets one row per subscription of its user, created
   already *claimed*: stamped with this run's token and a `next_attempt_at` one lease ahead
   (`CELERY_TASK_TIME_LIMIT`, at least 60 s). A row due again later (a retry, or a claim whose
   worker died and whose lease ran out) is claimed by one conditional UPDATE that moves that
   time ahead. Only rows carrying this run's token are sent, so a duplicate or redelivered task
   (Celery is at-least-once here) finds nothing to send, and a `sent` row is never claimed
   again: a retried task never re-sends to a subscription that succeeded. No lock is held while
   talking to a push service. The rows of a reminder the scan fired early exist already
   (`push_deliveries_prepare`: unclaimed, due on the minute, the message encrypted); a run
   claims them like any due row and sends the body as it is.
2. **Send** the claimed rows, up to `PUSH_SEND_THREADS` at a time (webpush.py: endpoint checked
   again, VAPID, TTL, `Urgency: high`, `Topic` per reminder, no redirects, timeouts), and
   **record** the batch in one transaction: rows, `DeliveryAttempt`s, subscription health, and
   each notification's `delivery_state` derived from all its rows:

   ====================  ==================================================================
   2xx                   sent; the subscription's failure count resets
   404, 410              the subscription is deleted (gone)
   429, 406              retry at `Retry-After` (seconds or HTTP date; backoff without one)
   5xx, network errors   retry with exponential backoff (+-20 % jitter), capped
   400, 413              failed, not retried, logged
   401, 403              failed, not retried, logged as a VAPID configuration problem
   3xx                   failed: redirects are never followed
   refused endpoint      failed before sending (allow-list, https, port, address checks)
   ====================  ==================================================================

   A retry is given up after `PUSH_MAX_ATTEMPTS` or once the notification is older than
   `PUSH_GIVE_UP_AFTER_SECONDS` (a stale reminder is worse than none).
3. **Drain.** After its own notifications, a deliver task keeps taking whatever else is due,
   untried notifications first, in batches of `PUSH_BATCH_SIZE`, for `PUSH_DRAIN_SECONDS`.
   A burst of reminders due in the same minute is thus pushed in batches, not at one task's
   overhead per reminder; a task whose notifications another run's drain took finds them done
   (and the consumer enqueues none for a notification already taken).

Delayed retries live in the database, never in the broker: the Kafka-based broker cannot hold
ETA/countdown work durably. Beat runs `notifications.requeue_due` every
`PUSH_RETRY_SWEEP_SECONDS`; it enqueues `notifications.deliver` when a row is due again or a
notification was never tried (its task lost). A worker killed mid-batch leaves its claimed rows
to be sent again once their lease runs out: at-least-once, like every task here (a repeat
carries the same `Topic`, so a push service still holding the first replaces it, and the
service worker shows it under the same notification tag).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats
from django.utils import timezone as dj_timezone
from rest_framework import status

from tasks_app import recurrence, timefmt
from tasks_app import services as task_services
from tasks_app.models import Reminder, ReminderStatus, Task, User
from todo_project.common.bulk import bulk_insert
from todo_project.common.errors import ApplicationError, field_error

from . import webpush
from .models import (
    OPEN_DELIVERY_STATES,
    AttemptOutcome,
    DeliveryAttempt,
    DeliveryState,
    Notification,
    PushDelivery,
    PushDeliveryState,
    PushSubscription,
)

logger = logging.getLogger(__name__)

ACTION_TOKEN_SALT = "notifications_app.push-action"
ACTION_URL = "/api/push/actions/"
DEFAULT_SNOOZE_MINUTES = 10
# Rows a delivery run claims, sends and records together. A run that dies re-sends at most
# these (after their lease).
PUSH_BATCH_SIZE = 50
TEST_TITLE = "Test notification"


def _now(now: datetime | None) -> datetime:
    return now or dj_timezone.now()


# ---------------------------------------------------------------- in-app notifications


def _body(reminder: Reminder, memo: dict[tuple, str]) -> str:
    """The notification's text; `memo` keeps what a batch formatted already: a burst of
    reminders mostly shares a few due times, each (time, zone) is formatted once."""
    task = reminder.task
    if task.due_at is None:
        return "Reminder"
    user = task.user
    key = (task.due_at, user.timezone, task.all_day, user.time_format)
    if key not in memo:
        local = task.due_at.astimezone(recurrence.validate_timezone(user.timezone))
        day = formats.date_format(local, "D, M j")
        memo[key] = (
            f"Due {day}" if task.all_day else f"Due {day}, {timefmt.clock(local, user.time_format)}"
        )
    return memo[key]


def notifications_create_for_reminders(
    *, reminders: list[Reminder], at: datetime | None = None
) -> list[Notification]:
    """The in-app notifications of fired reminders, one INSERT for the lot, created `at` (now).

    Call inside the firing transaction; the unique key on `reminder` makes a second
    notification for the same reminder impossible.
    """
    at = at or dj_timezone.now()
    bodies: dict[tuple, str] = {}
    return bulk_insert(
        Notification,
        [
            Notification(
                user=reminder.task.user,
                task=reminder.task,
                reminder=reminder,
                title=reminder.task.title[:200],
                body=_body(reminder, bodies),
                url=f"/tasks/{reminder.task_id}",
                created_at=at,
            )
            for reminder in reminders
        ],
    )


@transaction.atomic
def notification_mark_read(
    *, notification: Notification, now: datetime | None = None
) -> Notification:
    """Mark one notification read (idempotent: the first read time is kept)."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=_now(now))
    notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=_now(now))


# ---------------------------------------------------------------- push subscriptions


def _clean_subscription(endpoint: Any, p256dh: Any, auth: Any) -> tuple[str, str, str]:
    try:
        webpush.endpoint_check(endpoint)
    except webpush.EndpointRefused as exc:
        raise field_error("endpoint", str(exc)) from exc
    try:
        p256dh, auth = webpush.keys_check(p256dh, auth)
    except webpush.KeyInvalid as exc:
        raise field_error(exc.field, str(exc)) from exc
    return endpoint, p256dh, auth


@transaction.atomic
def push_subscription_upsert(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store a browser's subscription, keyed by its endpoint. Returns (subscription, created).

    An endpoint seen before is updated (new keys) and, when another user signed in on that
    browser, moves to this user; its pending pushes for the previous user are dropped. Beyond
    `PUSH_SUBSCRIPTIONS_PER_USER_MAX`, the user's least recently renewed subscriptions go.
    """
    endpoint, p256dh, auth = _clean_subscription(endpoint, p256dh, auth)
    user_agent = (user_agent or "")[:300]
    subscription = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    created = False
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = PushSubscription.objects.create(
                    user=user, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent
                )
                created = True
        except IntegrityError:  # a concurrent request stored the same endpoint first
            subscription = PushSubscription.objects.select_for_update().get(endpoint=endpoint)
    if not created:
        if subscription.user_id != user.pk:
            PushDelivery.objects.filter(
                subscription=subscription, state__in=OPEN_DELIVERY_STATES
            ).update(
                state=PushDeliveryState.FAILED,
                next_attempt_at=None,
                last_error="The subscription moved to another user.",
            )
        if (subscription.p256dh, subscription.auth) != (p256dh, auth):
            # bodies encrypted for the old keys: the send encrypts again
            PushDelivery.objects.filter(subscription=subscription, body__isnull=False).update(
                body=None
            )
        subscription.user = user
        subscription.p256dh, subscription.auth = p256dh, auth
        subscription.user_agent = user_agent
        subscription.consecutive_failures = 0
        subscription.save()
    keep = PushSubscription.objects.filter(user=user).order_by("-updated_at", "-id")
    stale = keep.values_list("pk", flat=True)[settings.PUSH_SUBSCRIPTIONS_PER_USER_MAX :]
    PushSubscription.objects.filter(pk__in=list(stale)).delete()
    return subscription, created


@transaction.atomic
def push_subscription_delete(*, user: User, endpoint: str) -> None:
    """Forget one of the user's subscriptions (the browser unsubscribed). Another user's: 404."""
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    if not deleted:
        raise ApplicationError(
            "No such push subscription.", code="not_found", status_code=status.HTTP_404_NOT_FOUND
        )


# ---------------------------------------------------------------- the push message


def push_action_token(notification: Notification) -> str:
    """A signed, expiring token that lets the notification's buttons act without a session."""
    return signing.dumps(
        {"u": notification.user_id, "n": notification.pk}, salt=ACTION_TOKEN_SALT, compress=False
    )


def push_topic(notification: Notification) -> str:
    """Alphanumeric, <= 32 characters: a newer message with the same topic replaces an older
    one still waiting at the push service."""
    if notification.reminder_id is not None:
        return f"reminder{notification.reminder_id}"
    return f"notification{notification.pk}"


def _encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def push_payload(notification: Notification) -> bytes:
    """The JSON the service worker shows, at most `webpush.PAYLOAD_MAX_BYTES` bytes."""
    actionable = notification.reminder_id is not None and notification.task_id is not None
    data: dict[str, Any] = {
        "title": notification.title,
        "body": notification.body,
        "url": notification.url or "/",
        "tag": f"notification-{notification.pk}",
        "notification_id": notification.pk,
        "task_id": notification.task_id,
        "reminder_id": notification.reminder_id,
        "timestamp": int(notification.created_at.timestamp() * 1000),
        "actions": [
            {"action": "done", "title": "Done"},
            {"action": "snooze", "title": f"Snooze {DEFAULT_SNOOZE_MINUTES} min"},
        ]
        if actionable
        else [],
    }
    if actionable:
        data.update(
            action_url=ACTION_URL,
            action_token=push_action_token(notification),
            snooze_minutes=DEFAULT_SNOOZE_MINUTES,
        )
    encoded = _encode(data)
    # Titles and bodies are bounded, but multi-byte text can still exceed the limit: trim the
    # body first, then the title, keeping everything the buttons need.
    for key in ("body", "title"):
        while len(encoded) > webpush.PAYLOAD_MAX_BYTES and data[key]:
            keep = len(data[key]) - max(2, (len(encoded) - webpush.PAYLOAD_MAX_BYTES) // 6)
            data[key] = data[key][:keep] + "…" if keep > 0 else ""
            encoded = _encode(data)
    return encoded


# ---------------------------------------------------------------- push delivery


def push_deliveries_prepare(
    notifications: list[Notification], *, due_at: datetime, deadline: float
) -> int:
    """Encrypt fired reminders' pushes before their minute: one delivery row per subscription,
    unclaimed, due at `due_at`, holding its encrypted body. Returns how many rows it wrote.

    The reminder scan calls this inside the transaction it commits on the minute, with the time
    it has left (`deadline`, on `time.monotonic()`): encrypting is a fifth of a push's CPU on
    the sending side, better spent before the minute than in the burst after it. What is not
    ready by the deadline is planned and encrypted when sent, as usual. The notifications stay
    `pending`, so the `reminder.due` handler enqueues their delivery as for any other; the
    delivery run takes these rows as due (`take_due`), and its plan keeps them (one row per
    notification and subscription). A subscription's key change drops its prepared bodies.
    """
    if not notifications or time.monotonic() >= deadline or not webpush.push_enabled():
        return 0
    by_user: dict[int, list[tuple[int, str, str]]] = {}
    for pk, user_id, p256dh, auth in PushSubscription.objects.filter(
        user_id__in={n.user_id for n in notifications}
    ).values_list("pk", "user_id", "p256dh", "auth"):
        by_user.setdefault(user_id, []).append((pk, p256dh, auth))
    rows: list[PushDelivery] = []
    for notification in notifications:
        subscriptions = by_user.get(notification.user_id)
        if not subscriptions:
            continue
        if time.monotonic() >= deadline:
            break
        payload = push_payload(notification)
        for subscription_id, p256dh, auth in subscriptions:
            try:
                body = webpush.encrypt(p256dh=p256dh, auth=auth, payload=payload)
            except ValueError:
                continue  # the send says why, and records it
            rows.append(
                PushDelivery(
                    notification_id=notification.pk,
                    subscription_id=subscription_id,
                    next_attempt_at=due_at,
                    body=body,
                )
            )
    bulk_insert(PushDelivery, rows)
    return len(rows)


@dataclass
class DeliveryReport:
    """What one delivery run did: per claimed row (subscription id, outcome, status, error)."""

    notification_id: int | None = None
    state: str = ""
    outcomes: list[tuple[int | None, str, int | None, str]] = field(default_factory=list)
    notifications: int = 0  # notifications whose pushes this run sent or settled

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o[1] == outcome)

    def as_dict(self) -> dict[str, Any]:
        return {
            "notification_id": self.notification_id,
            "state": self.state,
            "notifications": self.notifications,
            **{o: self.count(o) for o in AttemptOutcome.values},
        }


def notification_deliver(
    *,
    notification_id: int,
    now: datetime | None = None,
    subscription_ids: list[int] | None = None,
) -> DeliveryReport:
    """Push one notification to each of its user's subscriptions; see the module docstring.

    Safe to call any number of times, concurrently too: only rows this run claims are sent.
    `subscription_ids` restricts a first plan to those subscriptions (a test push).
    """
    return notifications_deliver(
        notification_ids=[notification_id], now=now, subscription_ids=subscription_ids
    )


def notifications_deliver(
    *,
    notification_ids: list[int],
    now: datetime | None = None,
    subscription_ids: list[int] | None = None,
) -> DeliveryReport:
    """Push these notifications, as one batch: first runs planned, due retries taken.

    The report's `notification_id` and `state` are set when there is one notification.
    """
    ids = list(dict.fromkeys(notification_ids))
    single = ids[0] if len(ids) == 1 else None
    report = DeliveryReport(single)
    states = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "delivery_state"))
    if not states:
        report.state = "missing"
        return report
    if not webpush.push_enabled():
        Notification.objects.filter(pk__in=ids, delivery_state=DeliveryState.PENDING).update(
            delivery_state=DeliveryState.PUSH_OFF
        )
        report.state = _state_now(single)
        return report
    claim = _Claim.new(now)
    pending = [pk for pk in ids if states.get(pk) == DeliveryState.PENDING]
    taken = claim.plan(ids=pending, subscription_ids=subscription_ids) if pending else 0
    taken += claim.take_due(notification_ids=ids)
    if not taken:  # a repeat, or pushed already by another run's batch: nothing to send
        report.state = states.get(single, "") if single is not None else ""
        return report
    _deliver_claimed(claim, report, now)
    report.state = _state_now(single)
    return report


def _state_now(notification_id: int | None) -> str:
    if notification_id is None:
        return ""
    state = Notification.objects.filter(pk=notification_id).values_list("delivery_state", flat=True)
    return state.first() or ""


def push_deliveries_drain(
    *, now: datetime | None = None, budget_seconds: float | None = None
) -> DeliveryReport:
    """Deliver whatever else is due, oldest first, a batch at a time, within a time budget.

    Notifications not yet tried come first (a burst of reminders due in the same minute is
    pushed by whichever deliver tasks run first, in batches, instead of paying a task's
    overhead for each), then deliveries due for a retry.
    """
    report = DeliveryReport()
    if not webpush.push_enabled():
        return report
    budget = settings.PUSH_DRAIN_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        claim = _Claim.new(now)
        fresh = claim.plan(limit=PUSH_BATCH_SIZE)
        if not fresh:
            claim.take_due(limit=PUSH_BATCH_SIZE)
        if not _deliver_claimed(claim, report, now) and not fresh:
            break
    return report


@dataclass
class _Claim:
    """Rows stamped with one token: only this run sends them (see the module docstring)."""

    token: str
    now: datetime
    lease_until: datetime

    @classmethod
    def new(cls, now: datetime | None) -> _Claim:
        now = _now(now)
        lease = timedelta(seconds=max(60, settings.CELERY_TASK_TIME_LIMIT))
        return cls(uuid.uuid4().hex, now, now + lease)

    @transaction.atomic
    def plan(
        self,
        *,
        ids: list[int] | None = None,
        limit: int | None = None,
        subscription_ids: list[int] | None = None,
    ) -> int:
        """First run of not-yet-tried notifications: one delivery per subscription, created
        already claimed. Returns how many notifications were taken."""
        pending = Notification.objects.filter(delivery_state=DeliveryState.PENDING)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        else:
            give_up = self.now - timedelta(seconds=settings.PUSH_GIVE_UP_AFTER_SECONDS)
            pending = pending.filter(created_at__gt=give_up)
        if ids is None and not pending.exists():  # the usual case outside a burst: no locks
            return 0
        taken = list(
            pending.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "user_id")[:limit]
        )
        if not taken:
            return 0
        subscriptions = PushSubscription.objects.filter(user_id__in={u for _, u in taken})
        if subscription_ids is not None:
            subscriptions = subscriptions.filter(pk__in=subscription_ids)
        by_user: dict[int, list[int]] = {}
        for pk, user_id in subscriptions.values_list("pk", "user_id"):
            by_user.setdefault(user_id, []).append(pk)
        bulk_insert(
            PushDelivery,
            [
                PushDelivery(
                    notification_id=pk,
                    subscription_id=subscription_id,
                    claim=self.token,
                    attempts=1,
                    next_attempt_at=self.lease_until,
                )
                for pk, user_id in taken
                for subscription_id in by_user.get(user_id, [])
            ],
            ignore_conflicts=True,  # a concurrent first run of the same notification keeps none
        )
        for state, pks in (
            (DeliveryState.SENDING, [pk for pk, u in taken if u in by_user]),
            (DeliveryState.NO_SUBSCRIPTION, [pk for pk, u in taken if u not in by_user]),
        ):
            if pks:
                Notification.objects.filter(
                    pk__in=pks, delivery_state=DeliveryState.PENDING
                ).update(delivery_state=state)
        return len(taken)

    def take_due(
        self, *, notification_ids: list[int] | None = None, limit: int | None = None
    ) -> int:
        """Deliveries due again (a retry, or a claim whose worker died and whose lease ran out)."""
        due = PushDelivery.objects.filter(
            state__in=OPEN_DELIVERY_STATES, next_attempt_at__lte=self.now
        )
        if notification_ids is not None:
            due = due.filter(notification_id__in=notification_ids)
        pks = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
        if not pks:
            return 0
        # Conditional: a concurrent run that took a row first moved its next_attempt_at ahead.
        return due.filter(pk__in=pks).update(
            claim=self.token,
            next_attempt_at=self.lease_until,
            attempts=F("attempts") + 1,
            updated_at=self.now,
        )


@dataclass
class _Sent:
    row: PushDelivery
    verdict: _Verdict
    result: webpush.PushResult
    at: datetime
    host: str


_senders: dict[int, ThreadPoolExecutor] = {}


def _sender_pool() -> ThreadPoolExecutor:
    """This process's send threads (a forked worker child makes its own)."""
    pool = _senders.get(os.getpid())
    if pool is None:
        pool = _senders[os.getpid()] = ThreadPoolExecutor(
            max_workers=settings.PUSH_SEND_THREADS, thread_name_prefix="push-send"
        )
    return pool


def _deliver_claimed(claim: _Claim, report: DeliveryReport, now: datetime | None) -> int:
    """Send the rows carrying the claim's token, a few at a time, and record what came of them.

    Sends overlap in `PUSH_SEND_THREADS` threads: a push service answers in tens of
    milliseconds, and one slow endpoint must not hold up the rest of the batch. The threads
    only encrypt and POST; every database access stays in this thread.
    """
    rows = list(
        PushDelivery.objects.filter(claim=claim.token).select_related(
            "subscription", "notification"
        )
    )
    if not rows:
        return 0
    payloads: dict[int, bytes] = {}  # only for rows not encrypted beforehand
    for row in rows:
        if row.body is None and row.notification_id not in payloads:
            payloads[row.notification_id] = push_payload(row.notification)
    jobs = [
        (row, payloads.get(row.notification_id), push_topic(row.notification), now) for row in rows
    ]
    if len(jobs) == 1 or settings.PUSH_SEND_THREADS <= 1:
        sent = [_send_one(*job) for job in jobs]
    else:
        sent = list(_sender_pool().map(lambda job: _send_one(*job), jobs))
    _record(claim, sent, now)
    report.outcomes += [
        (s.row.subscription_id, s.verdict.outcome, s.result.status_code, s.result.error)
        for s in sent
    ]
    report.notifications += len({s.row.notification_id for s in sent})
    return len(sent)


def _send_one(row: PushDelivery, payload: bytes | None, topic: str, now: datetime | None) -> _Sent:
    subscription = row.subscription
    if subscription is None:  # deleted since (unsubscribed, or gone for another notification)
        return _Sent(row, _Verdict(AttemptOutcome.GONE), webpush.PushResult(), _now(now), "")
    host = urlsplit(subscription.endpoint).hostname or ""
    give_up_at = row.notification.created_at + timedelta(
        seconds=settings.PUSH_GIVE_UP_AFTER_SECONDS
    )
    if _now(now) >= give_up_at:
        result = webpush.PushResult(error="Gave up: the notification is too old to push.")
        return _Sent(row, _Verdict(AttemptOutcome.FAILED), result, _now(now), host)
    result = webpush.send(
        endpoint=subscription.endpoint,
        p256dh=subscription.p256dh,
        auth=subscription.auth,
        payload=payload,
        topic=topic,
        body=None if row.body is None else bytes(row.body),
    )
    finished = _now(now)
    verdict = _verdict(result, attempts=row.attempts, now=finished)
    if verdict.outcome == AttemptOutcome.RETRY:
        retry_at = finished + timedelta(seconds=verdict.retry_in or 0)
        if row.attempts >= settings.PUSH_MAX_ATTEMPTS or retry_at >= give_up_at:
            verdict = _Verdict(AttemptOutcome.FAILED)
            result = webpush.PushResult(
                status_code=result.status_code,
                error=f"Gave up after {row.attempts} attempt(s): {result.error}"[:300],
            )
    _log(verdict, result, row, host)
    return _Sent(row, verdict, result, finished, host)


_STATE_AFTER = {
    AttemptOutcome.SENT: PushDeliveryState.SENT,
    AttemptOutcome.RETRY: PushDeliveryState.RETRY,
    AttemptOutcome.FAILED: PushDeliveryState.FAILED,
    AttemptOutcome.REFUSED: PushDeliveryState.FAILED,
    AttemptOutcome.GONE: PushDeliveryState.GONE,
}


@transaction.atomic
def _record(claim: _Claim, sent: list[_Sent], now: datetime | None) -> None:
    """Outcomes of a batch in a handful of statements: rows, attempts, subscriptions, states."""
    if not sent:
        return
    when = _now(now)
    ok = [s for s in sent if s.verdict.outcome == AttemptOutcome.SENT]
    by_status: dict[int | None, list[int]] = {}
    for s in ok:
        by_status.setdefault(s.result.status_code, []).append(s.row.pk)
    for status_code, pks in by_status.items():
        PushDelivery.objects.filter(pk__in=pks, claim=claim.token).update(
            state=PushDeliveryState.SENT,
            next_attempt_at=None,
            claim="",
            last_status_code=status_code,
            last_error="",
            sent_at=when,
            updated_at=when,
            body=None,
        )
    for s in sent:
        if s.verdict.outcome == AttemptOutcome.SENT:
            continue
        retrying = s.verdict.outcome == AttemptOutcome.RETRY
        PushDelivery.objects.filter(pk=s.row.pk, claim=claim.token).update(
            state=_STATE_AFTER[s.verdict.outcome],
            next_attempt_at=s.at + timedelta(seconds=s.verdict.retry_in or 0) if retrying else None,
            claim="",
            last_status_code=s.result.status_code,
            last_error=s.result.error[:300],
            updated_at=when,
            **({} if retrying else {"body": None}),
        )
    bulk_insert(
        DeliveryAttempt,
        [
            DeliveryAttempt(
                notification_id=s.row.notification_id,
                subscription_id=s.row.subscription_id,
                endpoint_host=s.host[:255],
                outcome=s.verdict.outcome,
                status_code=s.result.status_code,
                error=s.result.error[:300],
                attempted_at=s.at,
            )
            for s in sent
            if s.row.subscription_id is not None
        ],
    )
    if ok:
        PushSubscription.objects.filter(pk__in={s.row.subscription_id for s in ok}).update(
            last_success_at=when, consecutive_failures=0
        )
    failing = {
        s.row.subscription_id
        for s in sent
        if s.verdict.outcome
        in (AttemptOutcome.RETRY, AttemptOutcome.FAILED, AttemptOutcome.REFUSED)
        and s.row.subscription_id is not None
    }
    if failing:
        PushSubscription.objects.filter(pk__in=failing).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
    gone = {s.row.subscription_id for s in sent if s.verdict.outcome == AttemptOutcome.GONE}
    if gone - {None}:
        PushSubscription.objects.filter(pk__in=gone - {None}).delete()
    _refresh_states({s.row.notification_id for s in sent})


def _refresh_states(notification_ids: set[int]) -> None:
    """Each notification's delivery state, derived from all its rows: one read, an UPDATE per
    distinct state."""
    rows: dict[int, set[str]] = {pk: set() for pk in notification_ids}
    for pk, state in PushDelivery.objects.filter(notification_id__in=notification_ids).values_list(
        "notification_id", "state"
    ):
        rows[pk].add(state)
    by_state: dict[str, list[int]] = {}
    for pk, states in rows.items():
        by_state.setdefault(_state_of(states), []).append(pk)
    for state, pks in by_state.items():
        Notification.objects.filter(pk__in=pks).exclude(delivery_state=state).update(
            delivery_state=state
        )


def _state_of(states: set[str]) -> str:
    if not states:
        return DeliveryState.NO_SUBSCRIPTION
    if states & set(OPEN_DELIVERY_STATES):
        return DeliveryState.RETRYING
    if states == {PushDeliveryState.SENT}:
        return DeliveryState.DELIVERED
    if PushDeliveryState.SENT in states:
        return DeliveryState.PARTIAL
    return DeliveryState.FAILED


def _retry_after_seconds(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _backoff_seconds(attempts: int) -> float:
    delay = min(
        settings.PUSH_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1),
        settings.PUSH_RETRY_MAX_SECONDS,
    )
    return delay * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class _Verdict:
    outcome: str
    retry_in: float | None = None  # seconds, for RETRY


def _verdict(result: webpush.PushResult, *, attempts: int, now: datetime) -> _Verdict:
    code = result.status_code
    if result.refused:
        return _Verdict(AttemptOutcome.REFUSED)
    if code is None or code >= 500:  # network error, timeout, or the push service failed
        return _Verdict(AttemptOutcome.RETRY, _backoff_seconds(attempts))
    if 200 <= code < 300:
        return _Verdict(AttemptOutcome.SENT)
    if code in (404, 410):
        return _Verdict(AttemptOutcome.GONE)
    if code in (429, 406):
        retry_after = _retry_after_seconds(result.retry_after, now)
        if retry_after is None:
            return _Verdict(AttemptOutcome.RETRY, _backoff_seconds(attempts))
        return _Verdict(
            AttemptOutcome.RETRY, min(max(1.0, retry_after), settings.PUSH_RETRY_AFTER_MAX_SECONDS)
        )
    return _Verdict(AttemptOutcome.FAILED)


def _log(verdict: _Verdict, result: webpush.PushResult, row: PushDelivery, host: str) -> None:
    code = result.status_code
    where = f"notification {row.notification_id} to subscription {row.subscription_id} ({host})"
    if verdict.outcome == AttemptOutcome.REFUSED:
        logger.warning("push refused before sending, %s: %s", where, result.error)
    elif code in (401, 403):
        logger.error(
            "push rejected with %s, %s: VAPID configuration problem (key pair, subject, or a "
            "subscription made with another applicationServerKey): %s",
            code,
            where,
            result.error,
        )
    elif code is not None and 300 <= code < 400:
        logger.warning("push answered a redirect (%s), not followed, %s", code, where)
    elif verdict.outcome == AttemptOutcome.FAILED:
        logger.warning("push failed with %s, not retried, %s: %s", code, where, result.error)
    elif verdict.outcome == AttemptOutcome.RETRY:
        logger.info("push will be retried in %.0fs, %s: %s", verdict.retry_in, where, result.error)


def notifications_expire_stale(*, now: datetime | None = None) -> int:
    """Notifications never tried within the give-up window are failed for good."""
    cutoff = _now(now) - timedelta(seconds=settings.PUSH_GIVE_UP_AFTER_SECONDS)
    return Notification.objects.filter(
        delivery_state=DeliveryState.PENDING, created_at__lt=cutoff
    ).update(delivery_state=DeliveryState.FAILED)


def push_send_test(
    *,
    user: User,
    subscriptions: list[PushSubscription] | None = None,
    now: datetime | None = None,
) -> DeliveryReport:
    """Create a test notification for `user` and push it now (to `subscriptions`, or all)."""
    claim = _Claim.new(now)
    enabled = webpush.push_enabled()
    with transaction.atomic():  # taken before any delivery run can see it
        notification = Notification.objects.create(
            user=user,
            title=TEST_TITLE,
            body="Push notifications reach this device.",
            url="/",
            delivery_state=DeliveryState.PENDING if enabled else DeliveryState.PUSH_OFF,
        )
        if enabled:
            claim.plan(
                ids=[notification.pk],
                subscription_ids=[s.pk for s in subscriptions]
                if subscriptions is not None
                else None,
            )
    report = DeliveryReport(notification.pk)
    if enabled:
        _deliver_claimed(claim, report, now)
    notification.refresh_from_db(fields=["delivery_state"])
    report.state = notification.delivery_state
    return report


# ---------------------------------------------------------------- notification actions


@dataclass(frozen=True)
class ActionResult:
    action: str
    notification: Notification
    task: Task
    reminder: Reminder | None = None  # the new reminder of a snooze


def _token_error(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"token": [message]})


def _read_action_token(token: str) -> tuple[int, int]:
    try:
        claims = signing.loads(
            token, salt=ACTION_TOKEN_SALT, max_age=settings.PUSH_ACTION_TOKEN_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise _token_error(
            "This notification's buttons have expired; open the app instead.", "token_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise _token_error("This action token is not valid.", "invalid_token") from exc
    if (
        not isinstance(claims, dict)
        or not isinstance(claims.get("u"), int)
        or not isinstance(claims.get("n"), int)
    ):
        raise _token_error("This action token is not valid.", "invalid_token")
    return claims["u"], claims["n"]


def _not_found(message: str) -> ApplicationError:
    return ApplicationError(message, code="not_found", status_code=status.HTTP_404_NOT_FOUND)


@transaction.atomic
def push_action_perform(
    *,
    token: str,
    action: str,
    minutes: int | None = None,
    acting_user: User | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Done / Snooze from a notification's button, authorised by its signed action token.

    `acting_user` is whoever the request is signed in as, if anyone: a token of another user
    is then a 404. Acting marks the notification read. A repeated snooze of the same reminder
    returns the snooze already pending instead of stacking another.
    """
    user_id, notification_id = _read_action_token(token)
    if acting_user is not None and acting_user.pk != user_id:
        raise _not_found("No such notification.")
    notification = (
        Notification.objects.select_related("task", "reminder")
        .filter(pk=notification_id, user_id=user_id)
        .first()
    )
    if notification is None or notification.task is None or notification.reminder is None:
        raise _not_found("The task of this notification no longer exists.")
    task, reminder = notification.task, notification.reminder
    if task.user_id != user_id:
        raise _not_found("No such notification.")
    snoozed = None
    if action == "done":
        task = task_services.task_complete(task=task, now=now)
    elif action == "snooze":
        snoozed = Reminder.objects.filter(
            snoozed_from=reminder, status=ReminderStatus.PENDING
        ).first() or task_services.reminder_snooze(
            reminder=reminder,
            minutes=DEFAULT_SNOOZE_MINUTES if minutes is None else minutes,
            now=now,
        )
    else:
        raise field_error("action", "action must be 'done' or 'snooze'.")
    notification_mark_read(notification=notification, now=now)
    return ActionResult(action=action, notification=notification, task=task, reminder=snoozed)
