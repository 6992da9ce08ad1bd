"""API contract tests: every endpoint, its errors, and user isolation."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tasks_app.models import Reminder, Series, Task, User
from todo_project.testing.events import dispatch_outbox

pytestmark = pytest.mark.django_db

FIXED_NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # Thursday, 10:00 in New York


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FIXED_NOW)
    return FIXED_NOW


def assert_error(response, status_code: int, field: str | None = None) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    assert body["error"]["message"]
    if field is not None:
        assert field in body["error"]["fields"], body
    return body["error"]


# ---------------------------------------------------------------- accounts


def test_signup_creates_user_logs_in_and_validates_timezone(api_client):
    response = api_client.post(
        "/api/auth/signup/",
        {"username": "ada", "password": "a-long-enough-passphrase", "timezone": "Europe/Berlin"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["timezone"] == "Europe/Berlin"
    assert api_client.get("/api/me/").json()["username"] == "ada"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"username": "ada", "password": "a-long-enough-passphrase", "timezone": "Mars/Base"},
            "timezone",
        ),
        ({"username": "ada", "password": "123"}, "password"),
        ({"username": "ada"}, "password"),
        ({"username": "bad name!", "password": "a-long-enough-passphrase"}, "username"),
    ],
)
def test_signup_rejects_bad_input_and_writes_nothing(api_client, payload, field):
    response = api_client.post("/api/auth/signup/", payload, format="json")

    assert_error(response, 400, field)
    assert not User.objects.exists()


def test_signup_rejects_a_taken_username(api_client, user):
    response = api_client.post(
        "/api/auth/signup/",
        {"username": user.username, "password": "a-long-enough-passphrase"},
        format="json",
    )

    assert_error(response, 400, "username")
    assert User.objects.count() == 1


def test_login_and_logout_with_session(api_client, user):
    response = api_client.post(
        "/api/auth/login/",
        {"username": user.username, "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 200
    assert api_client.get("/api/me/").status_code == 200

    assert api_client.post("/api/auth/logout/").status_code == 204
    assert api_client.get("/api/me/").status_code == 401


def test_login_with_wrong_password_is_a_clear_400(api_client, user):
    response = api_client.post(
        "/api/auth/login/", {"username": user.username, "password": "nope"}, format="json"
    )

    assert_error(response, 400, "password")


def test_session_login_requires_a_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    credentials = {"username": user.username, "password": "correct-horse-battery"}

    refused = client.post("/api/auth/login/", credentials, format="json")
    token = client.get("/api/auth/csrf/").json()["csrf_token"]
    accepted = client.post("/api/auth/login/", credentials, format="json", HTTP_X_CSRFTOKEN=token)

    assert_error(refused, 403)
    assert accepted.status_code == 200


def test_token_auth_and_logout_revokes_the_token(api_client, user):
    token = api_client.post(
        "/api/auth/token/",
        {"username": user.username, "password": "correct-horse-battery"},
        format="json",
    ).json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/me/").json()["username"] == user.username
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/me/").status_code == 401


@pytest.mark.parametrize("url", ["/api/auth/login/", "/api/auth/token/"])
@pytest.mark.parametrize("username", ["ada\x00", "ada\ud800"])
def test_a_username_postgres_cannot_store_is_a_400_not_a_500(api_client, url, username):
    # Found by the API fuzzer: the per-username throttle used the raw name as a database-cache key.
    body = json.dumps({"username": username, "password": "x"})  # \ud800 escaped, as JSON allows

    response = api_client.post(url, body, content_type="application/json")

    assert_error(response, 400, "username")


def test_token_with_wrong_password_is_refused(api_client, user):
    response = api_client.post(
        "/api/auth/token/", {"username": user.username, "password": "wrong"}, format="json"
    )

    assert_error(response, 400, "password")


def test_me_update_timezone_and_default_offsets(auth_client):
    response = auth_client.patch(
        "/api/me/",
        {"timezone": "Asia/Tokyo", "default_reminder_offsets": [30, 0, 30]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["timezone"] == "Asia/Tokyo"
    assert response.json()["default_reminder_offsets"] == [0, 30]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"timezone": "Not/AZone"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"default_reminder_offsets": [-5]}, "default_reminder_offsets.0"),
        ({"default_reminder_offsets": "soon"}, "default_reminder_offsets"),
        # JSON types are taken as sent, not coerced (found by the API fuzzer).
        ({"default_reminder_offsets": ["10"]}, "default_reminder_offsets.0"),
        ({"timezone": 3}, "timezone"),
    ],
)
def test_me_update_rejects_bad_input_and_changes_nothing(auth_client, user, payload, field):
    assert_error(auth_client.patch("/api/me/", payload, format="json"), 400, field)
    user.refresh_from_db()
    assert user.timezone == "America/New_York"
    assert user.default_reminder_offsets == []


PROTECTED = [
    ("get", "/api/me/"),
    ("patch", "/api/me/"),
    ("get", "/api/tasks/"),
    ("post", "/api/tasks/"),
    ("get", "/api/tasks/1/"),
    ("patch", "/api/tasks/1/"),
    ("delete", "/api/tasks/1/"),
    ("post", "/api/tasks/1/complete/"),
    ("post", "/api/tasks/1/reopen/"),
    ("post", "/api/tasks/1/stop-series/"),
    ("post", "/api/tasks/1/reminders/"),
    ("delete", "/api/reminders/1/"),
    ("post", "/api/reminders/1/snooze/"),
    ("post", "/api/recurrence/preview/"),
    ("post", "/api/auth/logout/"),
]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_every_endpoint_refuses_anonymous_requests(api_client, method, url):
    response = getattr(api_client, method)(url, {}, format="json")

    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_bad_token_is_a_401(db):
    client = APIClient(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert_error(client.get("/api/tasks/"), 401)


# ---------------------------------------------------------------- tasks: create


def test_create_a_completed_task_puts_history_back_as_it_was(auth_client, user, frozen_now):
    # The web app's Undo of deleting a completed task (it had come back open: a UX review)
    user.default_reminder_offsets = [30]
    user.save()
    response = auth_client.post(
        "/api/tasks/",
        {"title": "Gym", "due_at": "2026-03-02T06:00", "completed_at": "2026-03-02T12:00:00Z"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["completed"], body["completed_at"]) == (True, "2026-03-02T12:00:00Z")
    assert body["reminders"] == []  # not the user's default ones
    assert Task.objects.get(pk=body["id"]).completed_at == datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_create_minimal_task(auth_client, user):
    response = auth_client.post("/api/tasks/", {"title": "  Buy milk  "}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Buy milk"
    assert body["priority"] == "none"
    assert body["tags"] == []
    assert body["due_at"] is None
    assert body["completed"] is False
    assert body["recurrence"] is None
    assert body["reminders"] == []
    assert set(body) >= {
        "id",
        "title",
        "description",
        "priority",
        "tags",
        "due_at",
        "completed",
        "completed_at",
        "series_id",
        "recurrence",
        "reminders",
        "created_at",
        "updated_at",
    }
    assert Task.objects.get().user == user


def test_create_full_recurring_task_with_reminders(auth_client, frozen_now):
    response = auth_client.post(
        "/api/tasks/",
        {
            "title": "Stand-up",
            "description": "Daily sync",
            "priority": "high",
            "tags": ["work", "#Meetings"],
            "due_at": "2026-03-06T09:00",
            "recurrence": {"rule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "anchor": "due"},
            "reminders": [{"offset_minutes": 15}, {"fire_at": "2026-03-06T07:00:00Z"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_at"] == "2026-03-06T14:00:00Z"  # 09:00 in New York (EST)
    assert body["tags"] == ["meetings", "work"]
    assert body["recurrence"]["rule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert body["recurrence"]["anchor"] == "due"
    assert "weekday" in body["recurrence"]["description"]
    fire_times = sorted(r["fire_at"] for r in body["reminders"])
    assert fire_times == ["2026-03-06T07:00:00Z", "2026-03-06T13:45:00Z"]
    assert body["series_id"] == Series.objects.get().pk


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "Bare"},
        {"title": "All day", "due_at": "2026-03-09", "tags": ["home"]},
        {  # the user's default offsets (reminders omitted), one tag seen before, one new
            "title": "Defaults",
            "due_at": "2026-03-07T10:00",
            "tags": ["Work", "errands", "work"],
        },
        {  # given out of order, one offset twice: written once each, shown soonest first
            "title": "Out of order",
            "priority": "high",
            "due_at": "2026-03-08T18:30",
            "reminders": [
                {"offset_minutes": 5},
                {"fire_at": "2026-03-08T12:00:00Z"},
                {"offset_minutes": 120},
                {"offset_minutes": 5},
            ],
        },
        {
            "title": "Recurring",
            "description": "Weekdays",
            "due_at": "2026-03-06T09:00",
            "recurrence": {"rule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "anchor": "due"},
            "reminders": [{"offset_minutes": 15}],
        },
    ],
    ids=["bare", "all-day", "defaults", "out-of-order", "recurring"],
)
def test_create_answers_what_reading_the_task_back_gives_without_reading_it(
    auth_client, user, frozen_now, payload
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user.default_reminder_offsets = [30, 10]
    user.save()
    make_task(user, title="earlier", tags=["work"])

    with CaptureQueriesContext(connection) as queries:
        created = auth_client.post("/api/tasks/", payload, format="json")

    # Read before the next request: Django clears the query log when a request starts.
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert created.status_code == 201, created.content
    assert created.json() == auth_client.get(f"/api/tasks/{created.json()['id']}/").json()
    assert reads  # the capacity check and the tags' lookups
    assert not [
        sql for sql in reads if '"tasks_app_reminder"' in sql or '"tasks_app_task_tags"' in sql
    ]


def test_date_only_due_is_all_day_ending_at_local_midnight(auth_client):
    body = auth_client.post(
        "/api/tasks/", {"title": "Taxes", "due_at": "2026-04-15"}, format="json"
    ).json()

    assert body["all_day"] is True
    assert body["due_at"] == "2026-04-16T03:59:59Z"  # 23:59:59 EDT


def test_due_with_offset_is_taken_as_an_instant(auth_client):
    body = auth_client.post(
        "/api/tasks/", {"title": "Call", "due_at": "2026-04-15T10:00:00+02:00"}, format="json"
    ).json()

    assert body["due_at"] == "2026-04-15T08:00:00Z"
    assert body["all_day"] is False


def test_user_default_offsets_apply_to_new_tasks_with_a_due(auth_client, user):
    user.default_reminder_offsets = [10, 60]
    user.save()

    with_due = auth_client.post(
        "/api/tasks/", {"title": "A", "due_at": "2027-01-01T10:00:00Z"}, format="json"
    ).json()
    explicit_none = auth_client.post(
        "/api/tasks/",
        {"title": "B", "due_at": "2027-01-01T10:00:00Z", "reminders": []},
        format="json",
    ).json()
    # A second UX review: an all-day task got them counted back from 23:59:59 (23:50, 22:59)
    all_day = auth_client.post(
        "/api/tasks/", {"title": "C", "due_at": "2027-01-01"}, format="json"
    ).json()

    assert sorted(r["offset_minutes"] for r in with_due["reminders"]) == [10, 60]
    assert explicit_none["reminders"] == []
    assert all_day["reminders"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "description": "d" * 5001}, "description"),
        ({"title": "ok", "priority": "urgent"}, "priority"),
        ({"title": "ok", "tags": ["has space"]}, "tags"),
        ({"title": "ok", "tags": "work"}, "tags"),
        ({"title": "ok", "due_at": "next tuesday"}, "due_at"),
        ({"title": "ok", "due_at": "2026-02-30"}, "due_at"),
        ({"title": "ok", "recurrence": {"rule": "FREQ=DAILY"}}, "recurrence"),
        (
            {"title": "ok", "due_at": "2027-01-01T09:00", "recurrence": {"rule": "FREQ=SOMETIMES"}},
            "recurrence.rule",
        ),
        (
            {"title": "ok", "due_at": "2027-01-01T09:00", "recurrence": {"rule": "FREQ=MINUTELY"}},
            "recurrence.rule",
        ),
        (
            {
                "title": "ok",
                "due_at": "2027-01-01T09:00",
                "recurrence": {"rule": "FREQ=DAILY", "anchor": "x"},
            },
            "recurrence.anchor",
        ),
        ({"title": "ok", "reminders": [{"offset_minutes": 10}]}, "offset_minutes"),
        (
            {"title": "ok", "due_at": "2027-01-01T09:00", "reminders": [{"offset_minutes": -1}]},
            "reminders.0.offset_minutes",
        ),
        ({"title": "ok", "reminders": [{"fire_at": "2001-01-01T00:00:00Z"}]}, "fire_at"),
        ({"title": "ok", "reminders": [{}]}, "reminders.0"),
        # JSON types are taken as sent, not coerced (found by the API fuzzer).
        ({"title": 0}, "title"),
        ({"title": "ok", "tags": [0]}, "tags.0"),
        (
            {"title": "ok", "due_at": "2027-01-01T09:00", "reminders": [{"offset_minutes": "10"}]},
            "reminders.0.offset_minutes",
        ),
        ({"title": "ok", "completed_at": "2999-01-01T00:00:00Z"}, "completed_at"),
        ({"title": "ok", "completed_at": "yesterday"}, "completed_at"),
        (
            {
                "title": "ok",
                "due_at": "2027-01-01T09:00",
                "recurrence": {"rule": "FREQ=DAILY"},
                "completed_at": "2026-01-01T00:00:00Z",
            },
            "completed_at",
        ),
        (
            {
                "title": "ok",
                "due_at": "2027-01-01T09:00",
                "reminders": [{"offset_minutes": 10}],
                "completed_at": "2026-01-01T00:00:00Z",
            },
            "completed_at",
        ),
    ],
)
def test_create_rejects_bad_input_naming_the_field_and_writes_nothing(auth_client, payload, field):
    response = auth_client.post("/api/tasks/", payload, format="json")

    assert_error(response, 400, field)
    assert not Task.objects.exists()
    assert not Series.objects.exists()
    assert not Reminder.objects.exists()


def test_an_error_quoting_a_lone_surrogate_is_a_400_not_a_500(auth_client):
    # "\ud800" is valid JSON but no UTF-8 response can carry it; the choice error quotes it.
    body = json.dumps({"title": "ok", "priority": "\ud800"})

    response = auth_client.post("/api/tasks/", body, content_type="application/json")

    error = assert_error(response, 400, "priority")
    assert "\\ud800" in error["message"]
    assert not Task.objects.exists()


def test_malformed_json_is_a_clear_400(auth_client):
    response = auth_client.post("/api/tasks/", "{not json", content_type="application/json")

    assert_error(response, 400)


# ---------------------------------------------------------------- tasks: list and filters


def make_task(user, **fields):
    from tasks_app import services

    return services.task_create(user=user, **fields)


def test_list_is_paginated(auth_client, user):
    for n in range(5):
        make_task(user, title=f"t{n}")

    first = auth_client.get("/api/tasks/?page_size=2").json()
    last = auth_client.get("/api/tasks/?page_size=2&page=3").json()

    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"] is not None
    assert len(last["results"]) == 1
    assert last["next"] is None


@pytest.mark.parametrize(
    ("tasks", "page_size", "counted"),
    [(0, 5, False), (3, 5, False), (5, 5, False), (6, 5, True), (7, 3, True)],
)
def test_a_first_page_holding_every_row_is_not_counted_again(
    auth_client, user, tasks, page_size, counted
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(tasks):
        make_task(user, title=f"t{n}")

    with CaptureQueriesContext(connection) as queries:
        body = auth_client.get(f"/api/tasks/?page_size={page_size}").json()

    assert body["count"] == tasks
    assert [t["title"] for t in body["results"]] == [f"t{n}" for n in range(min(tasks, page_size))]
    assert (body["next"] is not None) == (tasks > page_size)
    assert any("COUNT(" in q["sql"] for q in queries.captured_queries) == counted


def _list_with_relations(auth_client, user, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    later = timezone.now() + timedelta(days=2)
    for n in range(count):
        make_task(
            user,
            title=f"r{n}",
            due=later + timedelta(minutes=n),
            tags=[f"tag{n}", "all"] if n % 2 else [],
            reminders=[{"offset_minutes": 30}, {"offset_minutes": 5 + n}],
        )
    with CaptureQueriesContext(connection) as queries:
        body = auth_client.get("/api/tasks/?page_size=50").json()
    return body["results"], len(queries.captured_queries)


def test_the_list_reads_tags_and_reminders_in_the_same_statements_for_any_page(
    auth_client, user, other_user
):
    make_task(
        other_user,
        title="theirs",
        tags=["all"],
        reminders=[{"offset_minutes": 5}],
        due=timezone.now() + timedelta(days=2),
    )
    small, small_statements = _list_with_relations(auth_client, user, 2)
    Task.objects.filter(user=user).delete()
    large, large_statements = _list_with_relations(auth_client, user, 20)

    assert len(small) == 2
    assert small_statements == large_statements
    assert [t["title"] for t in large] == [f"r{n}" for n in range(20)]
    for n, task in enumerate(large):
        db = Task.objects.get(pk=task["id"])
        assert task["tags"] == (sorted([f"tag{n}", "all"]) if n % 2 else [])
        assert [r["offset_minutes"] for r in task["reminders"]] == [30, 5 + n]  # soonest first
        assert [r["id"] for r in task["reminders"]] == [
            r.pk for r in db.reminders.order_by("fire_at", "id")
        ]
        assert all(r["fire_at"] and r["status"] == "pending" for r in task["reminders"])


def test_a_task_not_read_through_the_selectors_reads_its_relations_when_asked(user):
    task = make_task(
        user,
        title="bare",
        due=timezone.now() + timedelta(days=1),
        tags=["b", "a"],
        reminders=[{"offset_minutes": 10}],
    )
    bare = Task.objects.get(pk=task.pk)  # no selector: nothing attached

    assert bare.tag_names == ["a", "b"]
    assert [r.offset_minutes for r in bare.reminder_rows] == [10]
    Reminder.objects.filter(task=bare).delete()
    assert bare.reminder_rows == []  # read again, as task.reminders.all() would


def test_list_views_follow_the_users_zone(auth_client, user, frozen_now):
    # Now is Thursday 2026-03-05 10:00 in New York (15:00Z).
    overdue = make_task(user, title="overdue", due=datetime(2026, 3, 5, 8, 0))
    later_today = make_task(user, title="tonight", due=datetime(2026, 3, 5, 23, 30))
    tomorrow = make_task(user, title="tomorrow", due=datetime(2026, 3, 6, 0, 30))
    done = make_task(user, title="done", due=datetime(2026, 3, 5, 12, 0))
    from tasks_app import services

    services.task_complete(task=done)

    def titles(query: str) -> list[str]:
        return [t["title"] for t in auth_client.get(f"/api/tasks/?{query}").json()["results"]]

    assert titles("view=today") == [overdue.title, later_today.title]
    assert titles("view=overdue") == [overdue.title]
    assert titles("view=upcoming") == [tomorrow.title]
    assert titles("status=completed") == [done.title]
    assert titles("status=open") == [overdue.title, later_today.title, tomorrow.title]


def test_today_differs_between_zones_for_the_same_instant(client_for, frozen_now):
    from tasks_app.tests.factories import UserFactory

    # 2026-03-06T12:00Z is 02:00 tomorrow in Honolulu but 21:00 today in Tokyo.
    due = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    honolulu = UserFactory(timezone="Pacific/Honolulu")
    tokyo = UserFactory(timezone="Asia/Tokyo")
    make_task(honolulu, title="honolulu", due=due)
    make_task(tokyo, title="tokyo", due=due)

    def titles(user, view: str) -> list[str]:
        results = client_for(user).get(f"/api/tasks/?view={view}").json()["results"]
        return [t["title"] for t in results]

    assert titles(honolulu, "today") == []
    assert titles(honolulu, "upcoming") == ["honolulu"]
    assert titles(tokyo, "today") == ["tokyo"]
    assert titles(tokyo, "upcoming") == []


def test_list_filters_by_search_tag_and_due_range(auth_client, user):
    make_task(user, title="Pay rent", tags=["home"], due=datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    make_task(user, title="Email Bob", description="about the rent", tags=["work"])
    make_task(user, title="Gym", tags=["health"], due=datetime(2026, 6, 1, 9, 0, tzinfo=UTC))

    def titles(query: str) -> list[str]:
        return sorted(t["title"] for t in auth_client.get(f"/api/tasks/?{query}").json()["results"])

    assert titles("q=rent") == ["Email Bob", "Pay rent"]
    assert titles("tag=work") == ["Email Bob"]
    assert titles("tag=%23Home") == ["Pay rent"]
    assert titles("due_after=2026-05-15T00:00:00Z") == ["Gym"]
    assert titles("due_before=2026-05-15T00:00:00Z") == ["Pay rent"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("view=someday", "view"),
        ("status=maybe", "status"),
        ("due_before=soon", "due_before"),
        # DRF fell back to the default page size; the schema says a whole number of at least 1
        # (found by the API fuzzer).
        ("page_size=null", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=-3", "page_size"),
        ("ids=1,two", "ids"),
        ("ids=1,,2", "ids"),
        ("ids=" + ",".join(str(n) for n in range(1, 102)), "ids"),
    ],
)
def test_list_rejects_bad_filters(auth_client, query, field):
    assert_error(auth_client.get(f"/api/tasks/?{query}"), 400, field)


def test_list_by_ids_gives_the_users_own_that_still_exist(auth_client, user, other_user):
    mine = [make_task(user, title=t) for t in ("A", "B", "C")]
    theirs = make_task(other_user, title="Theirs")
    gone = make_task(user, title="Gone")
    gone_id = gone.pk
    gone.delete()

    query = ",".join(str(pk) for pk in (mine[0].pk, mine[2].pk, theirs.pk, gone_id, mine[0].pk))
    body = auth_client.get(f"/api/tasks/?ids={query}").json()

    assert sorted(t["title"] for t in body["results"]) == ["A", "C"]


def test_empty_or_blank_filters_mean_no_filter(auth_client, user):
    # Found by the API fuzzer: an empty value was "not given" but "q= " was a 400.
    make_task(user, title="Pay rent", due=datetime(2026, 5, 1, 9, 0, tzinfo=UTC))

    body = auth_client.get("/api/tasks/?view=&status=&q=%20&tag=%09&ids=&page_size=").json()

    assert [t["title"] for t in body["results"]] == ["Pay rent"]


def test_a_page_past_the_end_or_named_last_is_a_404(auth_client, user):
    make_task(user, title="only one")

    assert_error(auth_client.get("/api/tasks/?page=2"), 404)
    assert_error(auth_client.get("/api/tasks/?page=last"), 404)  # the schema says an integer


# ---------------------------------------------------------------- tasks: detail


def test_patch_moves_relative_reminders_with_the_due(auth_client, user, frozen_now):
    task = make_task(
        user, title="Dentist", due=datetime(2026, 3, 10, 9, 0), reminders=[{"offset_minutes": 60}]
    )

    body = auth_client.patch(
        f"/api/tasks/{task.pk}/", {"due_at": "2026-03-12T15:00"}, format="json"
    ).json()

    assert body["due_at"] == "2026-03-12T19:00:00Z"
    assert [r["fire_at"] for r in body["reminders"]] == ["2026-03-12T18:00:00Z"]


def test_patch_bad_input_changes_nothing(auth_client, user):
    task = make_task(user, title="Keep me", tags=["a"])

    response = auth_client.patch(
        f"/api/tasks/{task.pk}/", {"title": "", "tags": ["b"]}, format="json"
    )

    assert_error(response, 400, "title")
    task.refresh_from_db()
    assert task.title == "Keep me"
    assert [t.name for t in task.tags.all()] == ["a"]


def test_patch_sets_and_removes_recurrence(auth_client, user, frozen_now):
    task = make_task(user, title="Water plants", due=datetime(2026, 3, 7, 8, 0))

    set_body = auth_client.patch(
        f"/api/tasks/{task.pk}/",
        {"recurrence": {"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"}},
        format="json",
    ).json()
    removed = auth_client.patch(
        f"/api/tasks/{task.pk}/", {"recurrence": None}, format="json"
    ).json()

    assert set_body["recurrence"]["rule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"
    assert removed["recurrence"] is None
    assert removed["series_id"] is None


def test_complete_creates_the_next_occurrence_and_reopen_restores(auth_client, user, frozen_now):
    task = make_task(
        user,
        title="Stand-up",
        tags=["work"],
        priority="high",
        due=datetime(2026, 3, 6, 9, 0),
        recurrence_spec=_spec("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        reminders=[{"offset_minutes": 15}],
    )

    completed = auth_client.post(f"/api/tasks/{task.pk}/complete/").json()
    again = auth_client.post(f"/api/tasks/{task.pk}/complete/")
    dispatch_outbox()  # task.completed → consumer → next occurrence
    open_tasks = auth_client.get("/api/tasks/?status=open").json()["results"]

    assert completed["completed"] is True
    assert completed["completed_at"] == "2026-03-05T15:00:00Z"
    assert [r["status"] for r in completed["reminders"]] == ["cancelled"]
    assert again.status_code == 200
    assert len(open_tasks) == 1
    nxt = open_tasks[0]
    assert nxt["title"] == "Stand-up"
    assert nxt["tags"] == ["work"]
    assert nxt["priority"] == "high"
    assert nxt["due_at"] == "2026-03-09T13:00:00Z"  # Monday 09:00 EDT, after the DST change
    assert [(r["offset_minutes"], r["fire_at"]) for r in nxt["reminders"]] == [
        (15, "2026-03-09T12:45:00Z")
    ]
    assert nxt["series_id"] == completed["series_id"]

    reopened = auth_client.post(f"/api/tasks/{task.pk}/reopen/").json()
    assert reopened["completed"] is False
    assert [r["status"] for r in reopened["reminders"]] == ["pending"]
    # Reopening undoes the completion: the next occurrence it created is taken back.
    open_again = auth_client.get("/api/tasks/?status=open").json()["results"]
    assert [t["id"] for t in open_again] == [task.pk]


def test_stop_series_keeps_the_task_and_ends_recurrence(auth_client, user, frozen_now):
    task = make_task(
        user, title="Daily", due=datetime(2026, 3, 6, 9, 0), recurrence_spec=_spec("FREQ=DAILY")
    )

    stopped = auth_client.post(f"/api/tasks/{task.pk}/stop-series/").json()
    auth_client.post(f"/api/tasks/{task.pk}/complete/")

    assert stopped["recurrence"] is None
    assert Task.objects.count() == 1


def test_stop_series_on_a_one_off_task_is_a_clear_400(auth_client, user):
    task = make_task(user, title="Once")

    assert_error(auth_client.post(f"/api/tasks/{task.pk}/stop-series/"), 400)


def test_delete_one_occurrence_skips_to_the_next(auth_client, user, frozen_now):
    task = make_task(
        user, title="Daily", due=datetime(2026, 3, 6, 9, 0), recurrence_spec=_spec("FREQ=DAILY")
    )

    assert auth_client.delete(f"/api/tasks/{task.pk}/").status_code == 204
    remaining = auth_client.get("/api/tasks/").json()["results"]

    assert [t["due_at"] for t in remaining] == ["2026-03-07T14:00:00Z"]


def test_delete_a_repeating_task_for_good(auth_client, user, frozen_now):
    task = make_task(
        user, title="Daily", due=datetime(2026, 3, 6, 9, 0), recurrence_spec=_spec("FREQ=DAILY")
    )
    auth_client.post(f"/api/tasks/{task.pk}/complete/")
    dispatch_outbox()  # the next occurrence comes through the event pipeline
    current = Task.objects.get(completed_at__isnull=True)

    assert auth_client.delete(f"/api/tasks/{current.pk}/?series=true").status_code == 204

    # Nothing comes next, and the completed occurrence stays as history.
    assert auth_client.get("/api/tasks/?status=open").json()["count"] == 0
    done = auth_client.get("/api/tasks/?status=completed").json()["results"]
    assert [t["id"] for t in done] == [task.pk]
    assert Series.objects.get().stopped_at is not None


def test_delete_with_a_bad_series_flag_is_a_400_and_deletes_nothing(auth_client, user, frozen_now):
    task = make_task(
        user, title="Daily", due=datetime(2026, 3, 6, 9, 0), recurrence_spec=_spec("FREQ=DAILY")
    )

    assert_error(auth_client.delete(f"/api/tasks/{task.pk}/?series=maybe"), 400)
    assert Task.objects.get().pk == task.pk
    assert Series.objects.get().stopped_at is None


def test_delete_a_plain_task(auth_client, user):
    task = make_task(user, title="Gone")

    assert auth_client.delete(f"/api/tasks/{task.pk}/").status_code == 204
    assert_error(auth_client.get(f"/api/tasks/{task.pk}/"), 404)


# ---------------------------------------------------------------- reminders


def test_add_relative_and_absolute_reminders(auth_client, user, frozen_now):
    task = make_task(user, title="Flight", due=datetime(2026, 3, 20, 7, 0))

    relative = auth_client.post(
        f"/api/tasks/{task.pk}/reminders/", {"offset_minutes": 1440}, format="json"
    )
    absolute = auth_client.post(
        f"/api/tasks/{task.pk}/reminders/", {"fire_at": "2026-03-19T20:00"}, format="json"
    )

    assert relative.status_code == 201
    assert relative.json()["fire_at"] == "2026-03-19T11:00:00Z"
    assert absolute.status_code == 201
    assert absolute.json()["fire_at"] == "2026-03-20T00:00:00Z"  # 20:00 EDT, the user's zone


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"offset_minutes": 5, "fire_at": "2026-03-19T20:00:00Z"}, "non_field_errors"),
        ({"fire_at": "2020-01-01T00:00:00Z"}, "fire_at"),
        ({"offset_minutes": "soon"}, "offset_minutes"),
        ({"offset_minutes": "30"}, "offset_minutes"),  # not coerced (found by the API fuzzer)
    ],
)
def test_add_reminder_rejects_bad_input(auth_client, user, frozen_now, payload, field):
    task = make_task(user, title="Flight", due=datetime(2026, 3, 20, 7, 0), reminders=[])

    assert_error(
        auth_client.post(f"/api/tasks/{task.pk}/reminders/", payload, format="json"), 400, field
    )
    assert not Reminder.objects.exists()


def test_relative_reminder_needs_a_due(auth_client, user):
    task = make_task(user, title="Someday")

    response = auth_client.post(
        f"/api/tasks/{task.pk}/reminders/", {"offset_minutes": 5}, format="json"
    )

    assert_error(response, 400, "offset_minutes")


def test_delete_reminder(auth_client, user, frozen_now):
    task = make_task(
        user, title="x", due=datetime(2026, 3, 20, 7, 0), reminders=[{"offset_minutes": 5}]
    )
    reminder = task.reminders.get()

    assert auth_client.delete(f"/api/reminders/{reminder.pk}/").status_code == 204
    assert not Reminder.objects.exists()


def test_snooze_creates_a_new_pending_fire_time(auth_client, user, frozen_now):
    task = make_task(
        user, title="x", due=datetime(2026, 3, 20, 7, 0), reminders=[{"offset_minutes": 5}]
    )
    reminder = task.reminders.get()
    Reminder.objects.filter(pk=reminder.pk).update(status="fired", fired_at=FIXED_NOW)

    response = auth_client.post(
        f"/api/reminders/{reminder.pk}/snooze/", {"minutes": 10}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["fire_at"] == "2026-03-05T15:10:00Z"
    assert response.json()["status"] == "pending"
    assert response.json()["snoozed_from"] == reminder.pk
    reminder.refresh_from_db()
    assert reminder.status == "fired"


@pytest.mark.parametrize("minutes", [0, -5, 100000, "ten", "10"])
def test_snooze_rejects_bad_minutes(auth_client, user, frozen_now, minutes):
    task = make_task(
        user, title="x", due=datetime(2026, 3, 20, 7, 0), reminders=[{"offset_minutes": 5}]
    )
    reminder = task.reminders.get()

    response = auth_client.post(
        f"/api/reminders/{reminder.pk}/snooze/", {"minutes": minutes}, format="json"
    )

    assert_error(response, 400, "minutes")
    assert Reminder.objects.count() == 1


# ---------------------------------------------------------------- isolation


def _foreign_objects(owner):
    task = make_task(
        owner,
        title="Private",
        due=datetime(2027, 3, 20, 7, 0),
        recurrence_spec=_spec("FREQ=DAILY"),
        reminders=[{"offset_minutes": 5}],
    )
    return task, task.reminders.get()


FOREIGN_REQUESTS = [
    ("get", "/api/tasks/{task}/", None),
    ("patch", "/api/tasks/{task}/", {"title": "mine now"}),
    ("delete", "/api/tasks/{task}/", None),
    ("delete", "/api/tasks/{task}/?series=true", None),
    ("post", "/api/tasks/{task}/complete/", None),
    ("post", "/api/tasks/{task}/reopen/", None),
    ("post", "/api/tasks/{task}/stop-series/", None),
    ("post", "/api/tasks/{task}/reminders/", {"offset_minutes": 30}),
    ("delete", "/api/reminders/{reminder}/", None),
    ("post", "/api/reminders/{reminder}/snooze/", {"minutes": 10}),
]


@pytest.mark.parametrize(("method", "url", "payload"), FOREIGN_REQUESTS)
def test_another_users_task_reminder_and_series_are_404_on_every_verb(
    client_for, user, other_user, method, url, payload
):
    task, reminder = _foreign_objects(user)
    before = (Task.objects.count(), Reminder.objects.count(), Series.objects.get().stopped_at)

    response = getattr(client_for(other_user), method)(
        url.format(task=task.pk, reminder=reminder.pk), payload, format="json"
    )

    assert_error(response, 404)
    task.refresh_from_db()
    assert task.title == "Private"
    assert task.completed_at is None
    assert (
        Task.objects.count(),
        Reminder.objects.count(),
        Series.objects.get().stopped_at,
    ) == before


def test_list_shows_only_the_users_own_tasks(client_for, user, other_user):
    make_task(user, title="mine")
    make_task(other_user, title="theirs")

    results = client_for(user).get("/api/tasks/").json()["results"]

    assert [t["title"] for t in results] == ["mine"]


# ---------------------------------------------------------------- recurrence preview


def test_recurrence_preview_in_the_users_zone(auth_client):
    response = auth_client.post(
        "/api/recurrence/preview/",
        {"rule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "start": "2026-03-06T09:00", "count": 2},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["occurrences"] == ["2026-03-06T14:00:00Z", "2026-03-09T13:00:00Z"]
    assert body["description"] == "every weekday at 09:00"
    assert body["timezone"] == "America/New_York"


def test_recurrence_preview_in_another_zone(auth_client):
    body = auth_client.post(
        "/api/recurrence/preview/",
        {
            "rule": "FREQ=DAILY",
            "start": "2026-03-28T09:00",
            "timezone": "Europe/Berlin",
            "count": 2,
        },
        format="json",
    ).json()

    assert body["occurrences"] == ["2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rule": "FREQ=NEVER", "start": "2026-03-06T09:00"}, "rule"),
        (
            {"rule": "FREQ=DAILY", "start": "2026-03-06T09:00", "timezone": "Moon/Crater"},
            "timezone",
        ),
        ({"rule": "FREQ=DAILY", "start": "tomorrow"}, "start"),
        ({"rule": "FREQ=DAILY", "start": "2026-03-06T09:00", "count": 0}, "count"),
    ],
)
def test_recurrence_preview_rejects_bad_input(auth_client, payload, field):
    assert_error(auth_client.post("/api/recurrence/preview/", payload, format="json"), 400, field)


# ---------------------------------------------------------------- schema and health


def test_openapi_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    docs = api_client.get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/tasks/{task_id}/complete/" in paths
    assert "/api/recurrence/preview/" in paths
    assert docs.status_code == 200


def openapi(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def component(spec: dict, schema: dict) -> dict:
    return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]


def test_the_task_list_is_documented_as_a_page(api_client):
    # Found by the API fuzzer: the schema said a bare array of tasks.
    spec = openapi(api_client)
    operation = spec["paths"]["/api/tasks/"]["get"]

    page = component(spec, operation["responses"]["200"]["content"]["application/json"]["schema"])
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Task"}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["page_size"]["schema"]["minimum"] == 1


def test_the_schema_says_optional_query_parameters_may_be_empty(api_client):
    # Found by the API fuzzer: `?view=` was accepted (an empty value means not given).
    parameters = openapi(api_client)["paths"]["/api/tasks/"]["get"]["parameters"]

    assert all(p["allowEmptyValue"] for p in parameters if p["in"] == "query")


def test_the_schema_says_text_input_cannot_hold_a_nul_character(auth_client):
    # Found by the API fuzzer: `?tag=%00` is refused (PostgreSQL cannot store NUL), which the
    # schema did not say.
    parameters = openapi(auth_client)["paths"]["/api/tasks/"]["get"]["parameters"]
    tag = next(p for p in parameters if p["name"] == "tag")

    assert tag["schema"]["oneOf"][0]["pattern"] == "^[^\\u0000]+$"
    assert_error(auth_client.get("/api/tasks/?tag=%00"), 400, "tag")


def test_every_error_response_is_documented_in_the_one_error_shape(api_client):
    # Found by the API fuzzer: no operation documented any 4xx it answers with.
    spec = openapi(api_client)
    error = {"$ref": "#/components/schemas/Error"}

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    documented = response["content"]["application/json"]["schema"]
                    assert documented == error, (method, path, code)
    create = spec["paths"]["/api/tasks/"]["post"]["responses"]
    assert {"400", "401", "403", "413", "429"} <= set(create)
    assert "Retry-After" in create["429"]["headers"]
    assert "404" in spec["paths"]["/api/tasks/{task_id}/"]["get"]["responses"]
    assert "401" not in spec["paths"]["/api/auth/token/"]["post"]["responses"]  # reads none
    assert "403" in spec["paths"]["/api/auth/login/"]["post"]["responses"]  # CSRF
    assert set(component(spec, error)["required"]) == {"error"}
    assert set(spec["components"]["schemas"]["ErrorDetail"]["required"]) == {
        "code",
        "message",
        "fields",
    }


def test_an_api_url_no_view_matches_is_a_404_with_the_error_shape(auth_client):
    # Found by the API fuzzer: /api/tasks/null,null/ answered Django's HTML 404 page.
    assert_error(auth_client.get("/api/tasks/null,null/"), 404)
    assert_error(auth_client.get("/api/no-such-endpoint/"), 404)
    assert auth_client.get("/static/no-such-file.js")["Content-Type"].startswith("text/html")


def test_health_and_readiness(api_client):
    assert api_client.get("/healthz").json() == {"status": "ok"}
    assert api_client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_unknown_task_is_a_404_with_the_error_shape(auth_client):
    assert_error(auth_client.get("/api/tasks/999999/"), 404)


def _spec(rule: str, anchor: str = "due"):
    from tasks_app.services import RecurrenceInput

    return RecurrenceInput(rule, anchor)


def test_times_are_utc_in_responses(auth_client, user):
    task = make_task(user, title="x", due=timezone.now() + timedelta(days=1))

    assert auth_client.get(f"/api/tasks/{task.pk}/").json()["due_at"].endswith("Z")
