"""Times of day as each person reads them: 24-hour (the default) or 12-hour."""

from datetime import UTC, datetime, time

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications_app.models import Notification
from tasks_app import recurrence, services, timefmt
from tasks_app.chat.services import chat_send
from tasks_app.services import RecurrenceInput

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # Thursday, 10:00 in New York
DB = pytest.mark.django_db


@pytest.mark.parametrize(
    ("at", "h24", "h12"),
    [
        (time(0, 5), "00:05", "12:05 AM"),
        (time(9, 0), "09:00", "9:00 AM"),
        (time(12, 0), "12:00", "12:00 PM"),
        (time(13, 30), "13:30", "1:30 PM"),
        (time(23, 59), "23:59", "11:59 PM"),
    ],
)
def test_clock_writes_both_formats(at, h24, h12):
    assert timefmt.clock(at) == h24  # the default
    assert timefmt.clock(at, timefmt.H12) == h12
    with timefmt.using(timefmt.H12):
        assert timefmt.clock(at) == h12
        assert timefmt.clock(at, timefmt.H24) == h24  # an explicit format wins
    assert timefmt.clock(at) == h24  # and the context is restored


def test_a_rule_is_described_in_the_active_format():
    rec = recurrence.build(
        "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9,18;BYMINUTE=30;UNTIL=20260601T170000",
        dtstart=datetime(2026, 3, 9, 9, 30),
        tz=recurrence.validate_timezone("America/New_York"),
    )

    with timefmt.using(timefmt.H12):
        twelve = recurrence.describe(rec)

    assert twelve == (
        "every Monday and Thursday at 9:30 AM and 6:30 PM, until June 1, 2026 at 5:00 PM"
    )
    assert recurrence.describe(rec) == (
        "every Monday and Thursday at 09:30 and 18:30, until June 1, 2026 at 17:00"
    )


@pytest.fixture
def twelve_hour(user):
    user.time_format = timefmt.H12
    user.save(update_fields=["time_format"])
    return user


@DB
def test_each_persons_api_answers_use_their_own_format(twelve_hour, other_user):
    mine = services.task_create(
        user=twelve_hour,
        title="Standup",
        due=datetime(2026, 3, 6, 9, 30),
        recurrence_spec=RecurrenceInput("FREQ=DAILY"),
        now=NOW,
    )
    theirs = services.task_create(
        user=other_user,
        title="Standup",
        due=datetime(2026, 3, 6, 9, 30),
        recurrence_spec=RecurrenceInput("FREQ=DAILY"),
        now=NOW,
    )
    clients = {}
    for person in (twelve_hour, other_user):  # signed in by token, as an API client is
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person).key}")
        clients[person.pk] = client

    mine_json = clients[twelve_hour.pk].get(f"/api/tasks/{mine.pk}/").json()
    theirs_json = clients[other_user.pk].get(f"/api/tasks/{theirs.pk}/").json()
    listed = clients[twelve_hour.pk].get("/api/tasks/").json()["results"]
    preview = clients[twelve_hour.pk].post(
        "/api/recurrence/preview/",
        {"rule": "FREQ=DAILY", "start": "2026-03-06T18:00"},
        format="json",
    )

    assert mine_json["recurrence"]["description"] == "every day at 9:30 AM"
    assert [t["recurrence"]["description"] for t in listed] == ["every day at 9:30 AM"]
    assert theirs_json["recurrence"]["description"] == "every day at 09:30"
    assert preview.json()["description"] == "every day at 6:00 PM"
    assert clients[other_user.pk].get(f"/api/tasks/{mine.pk}/").status_code == 404


@DB
def test_the_format_is_chosen_at_sign_up_and_changed_in_settings(api_client):
    signed_up = api_client.post(
        "/api/auth/signup/",
        {"username": "ada", "password": "a-long-enough-passphrase", "time_format": "12h"},
        format="json",
    )
    changed = api_client.patch("/api/me/", {"time_format": "24h"}, format="json")
    refused = api_client.patch("/api/me/", {"time_format": "13h"}, format="json")

    assert signed_up.status_code == 201
    assert signed_up.json()["time_format"] == "12h"
    assert changed.json()["time_format"] == "24h"
    assert refused.status_code == 400
    assert "time_format" in refused.json()["error"]["fields"]
    assert api_client.get("/api/me/").json()["time_format"] == "24h"


@DB
def test_the_chat_answers_in_the_persons_format(twelve_hour):
    def chat(text, conversation=None):
        return chat_send(user=twelve_hour, message=text, conversation_id=conversation, now=NOW)

    added = chat("call mom tomorrow at 5pm, remind me the night before")
    daily = chat("water plants every day", added.conversation.pk)
    past = chat("add report today at 9am", added.conversation.pk)

    assert added.reply.text == (
        'Added "Call mom" — due tomorrow at 5:00 PM; reminder the day before at 8:00 PM.'
    )
    assert daily.reply.text == 'Added "Water plants" — every day, first today.'
    assert past.reply.text == "Thu, Mar 5 at 9:00 AM has already passed. When is it due?"


@DB
def test_a_notification_says_the_due_time_in_its_persons_format(twelve_hour, other_user):
    for person in (twelve_hour, other_user):
        task = services.task_create(
            user=person, title="Dentist", due=datetime(2026, 3, 5, 21, 0, tzinfo=UTC), now=NOW
        )
        services.reminder_add(task=task, fire_at=datetime(2026, 3, 5, 16, 0, tzinfo=UTC), now=NOW)

    services.reminders_fire_due(now=datetime(2026, 3, 5, 16, 0, tzinfo=UTC))

    bodies = dict(Notification.objects.values_list("user__username", "body"))
    assert bodies == {
        twelve_hour.username: "Due Thu, Mar 5, 4:00 PM",  # 21:00 UTC in New York
        other_user.username: "Due Thu, Mar 5, 22:00",  # and in Berlin
    }
