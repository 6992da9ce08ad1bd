"""bulk_insert() writes exactly what bulk_create() would, through binary arrays on PostgreSQL."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications_app.models import DeliveryState, Notification
from tasks_app.tests.factories import UserFactory
from todo_project.common.bulk import bulk_insert
from todo_project.common.models import OutboxEvent

AWKWARD = 'quote " backslash \\ braces {} comma , NULL null \u00e9\u6f22\U0001f600 \n tab\t'


@pytest.mark.django_db(transaction=True)
def test_rows_read_back_equal_to_what_was_given():
    if connection.vendor != "postgresql":
        pytest.skip("the binary path exists only on PostgreSQL")
    envelopes = [{"n": n, "text": AWKWARD, "list": [1, None, "x"], "none": None} for n in range(3)]
    rows = [
        OutboxEvent(topic="task-events", key=str(n), type=AWKWARD, envelope=envelopes[n])
        for n in range(3)
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        returned = bulk_insert(OutboxEvent, rows)

    assert returned == rows
    assert len(queries) == 1
    assert "UNNEST" in queries[0]["sql"]
    assert all(r.pk is not None and not r._state.adding for r in rows)
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)  # ids follow the given order
    for row in rows:
        stored = OutboxEvent.objects.get(pk=row.pk)
        assert stored.event_id == row.event_id
        assert isinstance(stored.event_id, uuid.UUID)
        assert (stored.topic, stored.key, stored.type) == (row.topic, row.key, AWKWARD)
        assert stored.envelope == row.envelope
        assert stored.created_at == row.created_at is not None  # auto_now_add ran


@pytest.mark.django_db(transaction=True)
def test_foreign_keys_nulls_and_defaults():
    user = UserFactory()
    items = [Notification(user=user, title=f"t{n}", url="/x") for n in range(2)]
    bulk_insert(Notification, items)
    stored = list(Notification.objects.filter(user=user).order_by("id"))
    assert [n.pk for n in stored] == [n.pk for n in items]
    assert all(
        n.task_id is None and n.reminder_id is None and n.read_at is None and n.body == ""
        for n in stored
    )
    assert {n.delivery_state for n in stored} == {DeliveryState.PENDING}


@pytest.mark.django_db(transaction=True)
def test_a_failing_insert_writes_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce a varchar's length: this insert would not fail")
    user = UserFactory()
    items = [Notification(user=user, title="ok"), Notification(user=user, title="x" * 201)]
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011 (vendor error)
        bulk_insert(Notification, items)
    assert not Notification.objects.filter(user=user).exists()
    assert items[0].pk is None


def test_primary_keys_set_on_some_objects_only_is_refused():
    rows = [OutboxEvent(id=5, topic="t", key="k", type="x", envelope={}), OutboxEvent()]
    if connection.vendor != "postgresql":
        pytest.skip("the binary path exists only on PostgreSQL")
    with pytest.raises(ValueError, match="primary key"):
        bulk_insert(OutboxEvent, rows)


@pytest.mark.django_db(transaction=True)
def test_ignore_conflicts_skips_rows_that_break_a_unique_constraint_and_keeps_the_rest():
    if connection.vendor != "postgresql":
        pytest.skip("the binary path exists only on PostgreSQL")
    from notifications_app.models import PushDelivery, PushSubscription

    user = UserFactory()
    notification = Notification.objects.create(user=user, title="t")
    subscriptions = [
        PushSubscription.objects.create(
            user=user, endpoint=f"https://push.example/{n}", p256dh="k", auth="a"
        )
        for n in range(3)
    ]
    PushDelivery.objects.create(
        notification=notification, subscription=subscriptions[1], claim="old"
    )

    with CaptureQueriesContext(connection) as queries:
        rows = bulk_insert(
            PushDelivery,
            [
                PushDelivery(notification=notification, subscription=s, claim="new")
                for s in subscriptions
            ],
            ignore_conflicts=True,
        )

    assert len(queries) == 1
    assert all(r.pk is None for r in rows)  # as bulk_create(): no keys when conflicts are ignored
    stored = dict(
        PushDelivery.objects.filter(notification=notification).values_list("subscription", "claim")
    )
    assert stored == {
        subscriptions[0].pk: "new",
        subscriptions[1].pk: "old",
        subscriptions[2].pk: "new",
    }
