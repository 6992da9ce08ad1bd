"""Chat API: conversations through the HTTP endpoints, isolation between users, bad input."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tasks_app.models import Conversation, Message, Task
from tasks_app.tests.test_apis import component, openapi

pytestmark = pytest.mark.django_db

FIXED_NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # Thursday, 10:00 in New York


@pytest.fixture
def frozen_now(monkeypatch):
    clock = {"now": FIXED_NOW}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    return clock


def say(client, message, conversation_id=None):
    payload = {"message": message}
    if conversation_id is not None:
        payload["conversation_id"] = conversation_id
    response = client.post("/api/chat/", payload, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def assert_error(response, status_code, field=None):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["message"]
    if field is not None:
        assert field in body["error"]["fields"], body
    return body["error"]


def test_conversation_adds_a_recurring_task_lists_completes_it_and_sees_the_next(
    auth_client, user, frozen_now
):
    added = say(auth_client, "add pay rent every month on the 1st at 9am, remind me a day before")
    conversation = added["conversation_id"]

    listed = say(auth_client, "list", conversation)
    done = say(auth_client, "complete 1", conversation)

    assert added["reply"] == (
        'Added "Pay rent" — on the 1st of every month at 09:00, first on Wed, Apr 1 at 09:00; '
        "reminder 1 day before."
    )
    assert added["actions"] == [{"type": "task.created", "task_id": added["tasks"][0]["id"]}]
    task = added["tasks"][0]
    assert task["due_at"] == "2026-04-01T13:00:00Z"  # 09:00 EDT
    assert task["recurrence"]["rule"] == "FREQ=MONTHLY;BYMONTHDAY=1"
    assert [r["offset_minutes"] for r in task["reminders"]] == [1440]
    assert listed["reply"].splitlines()[1].startswith("1. Pay rent — Wed, Apr 1 at 09:00")
    assert [t["id"] for t in listed["tasks"]] == [task["id"]]
    first, following = done["tasks"]
    assert first["completed"] is True
    assert following["due_at"] == "2026-05-01T13:00:00Z"
    assert [r["offset_minutes"] for r in following["reminders"]] == [1440]
    assert done["actions"] == [
        {"type": "task.completed", "task_id": first["id"], "next_task_id": following["id"]}
    ]
    assert done["reply"] == 'Done: "Pay rent". Next: Fri, May 1 at 09:00.'


def test_history_is_stored_per_conversation(auth_client, user, frozen_now):
    first = say(auth_client, "add buy milk tomorrow")
    say(auth_client, "list", first["conversation_id"])
    second = say(auth_client, "help")

    listing = auth_client.get("/api/chat/conversations/").json()
    detail = auth_client.get(f"/api/chat/conversations/{first['conversation_id']}/").json()

    assert [c["id"] for c in listing["results"]] == [
        second["conversation_id"],
        first["conversation_id"],
    ]
    assert detail["title"] == "add buy milk tomorrow"
    assert [(m["role"], m["text"][:12]) for m in detail["messages"]] == [
        ("user", "add buy milk"),
        ("assistant", 'Added "Buy m'),
        ("user", "list"),
        ("assistant", "Open tasks:\n"),
    ]
    assert detail["messages"][1]["actions"][0]["type"] == "task.created"


def test_numbers_refer_to_the_list_shown_in_that_conversation(auth_client, user, frozen_now):
    first = say(auth_client, "add alpha tomorrow")
    say(auth_client, "add beta friday", first["conversation_id"])
    say(auth_client, "list", first["conversation_id"])

    other = say(auth_client, "complete 1")
    done = say(auth_client, "complete 2", first["conversation_id"])

    assert "no list" in other["reply"]
    assert done["reply"] == 'Done: "Beta".'
    assert Task.objects.get(title="Alpha").completed_at is None


def test_another_users_conversation_is_a_404_and_untouched(
    client_for, user, other_user, frozen_now
):
    mine = say(client_for(user), "add water plants tomorrow")
    theirs = client_for(other_user)

    read = theirs.get(f"/api/chat/conversations/{mine['conversation_id']}/")
    post = theirs.post(
        "/api/chat/",
        {"message": "list", "conversation_id": mine["conversation_id"]},
        format="json",
    )

    assert_error(read, 404)
    assert_error(post, 404)
    assert theirs.get("/api/chat/conversations/").json()["results"] == []
    assert Message.objects.filter(conversation_id=mine["conversation_id"]).count() == 2


def test_a_users_tools_only_see_their_own_tasks(client_for, user, other_user, frozen_now):
    say(client_for(user), "add secret plan tomorrow")

    listed = say(client_for(other_user), "list")
    completed = say(client_for(other_user), "complete secret plan")

    assert listed["tasks"] == []
    assert listed["reply"] == "No open tasks."
    assert "couldn't find" in completed["reply"]
    assert Task.objects.get(title="Secret plan").completed_at is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({}, "message"),
        ({"message": "x" * 10_000}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"message": "list", "conversation_id": "abc"}, "conversation_id"),
        ({"message": "list", "conversation_id": 0}, "conversation_id"),
        # JSON types are taken as sent, not coerced (found by the API fuzzer).
        ({"message": 0}, "message"),
        ({"message": "list", "conversation_id": "1"}, "conversation_id"),
    ],
)
def test_bad_input_is_a_clear_400_and_stores_nothing(auth_client, payload, field):
    response = auth_client.post("/api/chat/", payload, format="json")

    assert_error(response, 400, field)
    assert not Conversation.objects.exists()


def test_a_message_of_exactly_the_limit_is_accepted(auth_client, frozen_now):
    response = auth_client.post("/api/chat/", {"message": "x" * 2000}, format="json")

    assert response.status_code == 200


def test_an_unknown_conversation_id_is_a_404(auth_client):
    assert_error(
        auth_client.post("/api/chat/", {"message": "hi", "conversation_id": 999}, format="json"),
        404,
    )


def test_the_schema_documents_the_conversation_page_and_the_unknown_conversation(api_client):
    # Found by the API fuzzer: the list was documented as a bare array and the 404 not at all.
    spec = openapi(api_client)
    listed = spec["paths"]["/api/chat/conversations/"]["get"]["responses"]["200"]
    sent = spec["paths"]["/api/chat/"]["post"]["responses"]

    page = component(spec, listed["content"]["application/json"]["schema"])
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert sent["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/chat/"),
        ("get", "/api/chat/conversations/"),
        ("get", "/api/chat/conversations/1/"),
    ],
)
def test_chat_endpoints_refuse_anonymous_requests(api_client, method, url):
    response = getattr(api_client, method)(url, {}, format="json")

    assert_error(response, 401)


def test_a_clarifying_question_creates_nothing(auth_client, frozen_now):
    asked = say(auth_client, "add meeting 3/4 at 9")

    assert asked["reply"].startswith('"3/4" could be March 4 or 3 April')
    assert asked["actions"] == []
    assert asked["tasks"] == []
    assert not Task.objects.exists()


def test_snooze_after_a_reminder_fired(auth_client, user, frozen_now):
    added = say(auth_client, "remind me to call mom today at 11am")
    reminder = Task.objects.get(pk=added["tasks"][0]["id"]).reminders.get()
    reminder.status, reminder.fired_at = "fired", FIXED_NOW + timedelta(hours=1)
    reminder.save()
    frozen_now["now"] = FIXED_NOW + timedelta(hours=1, minutes=1)

    snoozed = say(auth_client, "snooze 15 min", added["conversation_id"])

    assert snoozed["reply"] == 'Snoozed "Call mom" for 15 minutes, until today at 11:16.'
    assert snoozed["actions"][0]["type"] == "reminder.snoozed"


# ---------------------------------------------------------------- quick add: a task read from text


def test_a_draft_reads_the_text_as_the_chat_would_and_creating_it_gives_that_task(
    auth_client, user, frozen_now
):
    drafted = auth_client.post(
        "/api/tasks/draft/",
        {"text": "pay rent every month on the 1st at 9am, remind me a day before #home !high"},
        format="json",
    )

    assert drafted.status_code == 200, drafted.content
    draft = drafted.json()
    assert draft == {
        "title": "Pay rent",
        "due_at": "2026-04-01T09:00",
        "recurrence": {
            "rule": "FREQ=MONTHLY;BYMONTHDAY=1",
            "anchor": "due",
            "description": "on the 1st of every month at 09:00",
        },
        "reminders": [{"offset_minutes": 1440}],
        "tags": ["home"],
        "priority": "high",
        "summary": "on the 1st of every month at 09:00, first on Wed, Apr 1 at 09:00; reminder "
        "1 day before; #home; high priority",
    }
    assert not Task.objects.exists()  # a draft adds nothing
    created = auth_client.post(
        "/api/tasks/",
        {**draft, "recurrence": {"rule": draft["recurrence"]["rule"], "anchor": "due"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["due_at"] == "2026-04-01T13:00:00Z"  # 09:00 in New York, after the DST change
    assert task["recurrence"]["description"] == "on the 1st of every month at 09:00"
    assert [r["offset_minutes"] for r in task["reminders"]] == [1440]


def test_a_draft_without_reminders_leaves_the_defaults_to_the_create(auth_client, user, frozen_now):
    user.default_reminder_offsets = [30]
    user.save(update_fields=["default_reminder_offsets"])

    draft = auth_client.post(
        "/api/tasks/draft/", {"text": "call mom tomorrow at 5pm"}, format="json"
    ).json()
    created = auth_client.post(
        "/api/tasks/", {k: draft[k] for k in ("title", "due_at")}, format="json"
    ).json()

    assert (draft["reminders"], draft["due_at"]) == (None, "2026-03-06T17:00")
    assert [r["offset_minutes"] for r in created["reminders"]] == [30]


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("call the bank at 25pm", '"25pm" is not a time I can read.'),
        ("tomorrow at 9", "What should the task be called?"),
        ("dentist on 3/4", '"3/4" could be March 4 or 3 April.'),
    ],
)
def test_a_draft_of_an_unclear_text_is_the_question_and_changes_nothing(
    auth_client, frozen_now, text, question
):
    error = assert_error(
        auth_client.post("/api/tasks/draft/", {"text": text}, format="json"), 400, "text"
    )

    assert error["code"] == "unclear"
    assert error["message"].startswith(question)
    assert not Task.objects.exists()


def test_a_draft_is_read_in_its_persons_zone_and_clock(client_for, user, other_user, frozen_now):
    other_user.time_format = "12h"
    other_user.save(update_fields=["time_format"])

    mine = (
        client_for(user)
        .post("/api/tasks/draft/", {"text": "standup tomorrow at 9"}, format="json")
        .json()
    )
    theirs = client_for(other_user).post(
        "/api/tasks/draft/", {"text": "standup tomorrow at 9"}, format="json"
    )

    assert mine["summary"] == "due tomorrow at 09:00"
    assert theirs.json()["summary"] == "due tomorrow at 9:00 AM"  # Berlin, 12-hour
    assert theirs.json()["due_at"] == "2026-03-06T09:00"


def test_a_draft_needs_a_signed_in_user_and_text(api_client, auth_client):
    assert (
        api_client.post("/api/tasks/draft/", {"text": "buy milk"}, format="json").status_code == 401
    )
    assert_error(auth_client.post("/api/tasks/draft/", {"text": ""}, format="json"), 400, "text")
    assert_error(
        auth_client.post("/api/tasks/draft/", {"text": "x" * 501}, format="json"), 400, "text"
    )
    assert_error(auth_client.post("/api/tasks/draft/", {"text": 5}, format="json"), 400, "text")


def test_a_draft_puts_things_on_the_list_they_name(auth_client, user, frozen_now):
    draft = auth_client.post(
        "/api/tasks/draft/", {"text": "passport photos to my travel list"}, format="json"
    ).json()

    assert (draft["title"], draft["tags"], draft["summary"]) == (
        "Passport photos",
        ["travel"],
        "no due date; #travel",
    )
