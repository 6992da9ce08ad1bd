"""MCP server: each tool through the SDK's client, always acting for the authenticated user."""

import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import httpx2
import pytest
import uvicorn
from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils import timezone
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from rest_framework.authtoken.models import Token

from tasks_app import services
from tasks_app.chat import mcp_app, tools
from tasks_app.models import Reminder, ReminderStatus, Task
from tasks_app.tests.factories import TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def call_tool(user, name, arguments=None):
    """Call one tool in-process, as `user` (what `mcp_server --user NAME` serves over stdio)."""
    server = mcp_app.build_server(mcp_app.fixed_user(user.pk))

    async def go():
        async with Client(server) as client:
            return await client.call_tool(name, arguments or {})

    # async_to_sync keeps the ORM calls on this thread, inside the test's transaction.
    return async_to_sync(go)()


def list_tools(user):
    server = mcp_app.build_server(mcp_app.fixed_user(user.pk))

    async def go():
        async with Client(server) as client:
            return (await client.list_tools()).tools

    return async_to_sync(go)()


def error_text(result) -> str:
    assert result.is_error, result
    return result.content[0].text


@pytest.fixture
def their_task(other_user):
    return services.task_create(user=other_user, title="Their task", due=timezone.now().date())


def test_the_eight_tools_are_listed_with_typed_parameters_and_no_user(user):
    listed = {tool.name: tool for tool in list_tools(user)}

    assert set(listed) == set(tools.MCP_TOOLS)
    for tool in listed.values():
        assert "user" not in str(tool.input_schema["properties"]).lower().split("'")
        assert tool.output_schema["required"] == ["summary", "actions", "tasks"]
    add = listed["add_task"].input_schema
    assert add["required"] == ["title"]
    rule = add["$defs"]["RecurrenceRule"]["properties"]
    assert rule["frequency"]["enum"] == ["hourly", "daily", "weekly", "monthly", "yearly"]
    assert {"interval", "weekdays", "month_days", "count", "until", "after_completion"} <= set(rule)
    assert listed["complete_task"].input_schema["required"] == ["task_id"]


def test_add_task_with_a_structured_rule_and_a_reminder(user):
    result = call_tool(
        user,
        "add_task",
        {
            "title": "Team sync",
            "due": "2030-01-07T10:00",
            "recurrence": {"frequency": "monthly", "weekdays": ["1MO"]},
            "reminders": [{"minutes_before": 15}],
            "tags": ["work"],
        },
    )

    assert not result.is_error, result
    out = result.structured_content
    task = Task.objects.get(pk=out["tasks"][0]["id"])
    assert task.user == user
    assert task.series.rule == "FREQ=MONTHLY;BYDAY=1MO"
    assert task.due_at.isoformat() == "2030-01-07T15:00:00+00:00"  # 10:00 in New York
    assert out["actions"] == [{"type": "task.created", "task_id": task.pk}]
    assert out["tasks"][0]["reminders"][0]["offset_minutes"] == 15
    assert out["summary"].startswith('Added "Team sync" — on the 1st Monday of every month')


def test_list_tasks_shows_only_the_users_tasks(user, their_task):
    services.task_create(user=user, title="Mine")

    result = call_tool(user, "list_tasks", {"view": "open"})

    assert [t["title"] for t in result.structured_content["tasks"]] == ["Mine"]


def test_complete_task_completes_and_returns_the_next_occurrence(user):
    task = services.task_create(
        user=user,
        title="Water plants",
        due=timezone.now().date() + timedelta(days=1),
        recurrence_spec=services.RecurrenceInput("FREQ=DAILY;INTERVAL=3"),
    )

    result = call_tool(user, "complete_task", {"task_id": task.pk})

    done, following = result.structured_content["tasks"]
    assert done["completed"] is True
    assert following["series_id"] == task.series_id
    assert following["completed"] is False
    assert result.structured_content["actions"] == [
        {"type": "task.completed", "task_id": task.pk, "next_task_id": following["id"]}
    ]


def test_reopen_task(user):
    task = services.task_complete(task=services.task_create(user=user, title="Oops"))

    result = call_tool(user, "reopen_task", {"task_id": task.pk})

    task.refresh_from_db()
    assert task.completed_at is None
    assert result.structured_content["actions"][0]["type"] == "task.reopened"


def test_update_task_changes_fields_and_stops_recurrence(user):
    task = services.task_create(
        user=user,
        title="Gym",
        due=timezone.now().date() + timedelta(days=2),
        recurrence_spec=services.RecurrenceInput("FREQ=WEEKLY"),
    )

    result = call_tool(
        user,
        "update_task",
        {"task_id": task.pk, "title": "Gym class", "priority": "high", "stop_recurrence": True},
    )

    task.refresh_from_db()
    assert (task.title, task.priority, task.series_id) == ("Gym class", "high", None)
    assert result.structured_content["actions"][0]["changed"] == [
        "priority",
        "recurrence",
        "title",
    ]


def test_update_task_whole_series_restarts_the_rule_from_the_new_due_or_says_why_not(user):
    soon = (timezone.now() + timedelta(days=2)).astimezone(services.user_zone(user))
    weekly = services.task_create(
        user=user,
        title="Yoga",
        due=soon.replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=None),
        recurrence_spec=services.RecurrenceInput("FREQ=WEEKLY"),
    )
    pills = services.task_create(
        user=user,
        title="Pills",
        due=soon.replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=None),
        recurrence_spec=services.RecurrenceInput("FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0"),
    )
    one_off = services.task_create(user=user, title="Dentist", due=soon.date())
    later = soon.replace(hour=19, minute=30, second=0, microsecond=0, tzinfo=None).isoformat()

    moved = call_tool(
        user, "update_task", {"task_id": weekly.pk, "due": later, "whole_series": True}
    )
    alone = call_tool(user, "update_task", {"task_id": weekly.pk, "whole_series": True})
    timed = call_tool(
        user, "update_task", {"task_id": pills.pk, "due": later, "whole_series": True}
    )
    single = call_tool(
        user, "update_task", {"task_id": one_off.pk, "due": later, "whole_series": True}
    )

    assert "at 19:30, first on" in moved.structured_content["summary"]
    series = Task.objects.get(pk=weekly.pk).series
    assert (series.rule, series.start_time.isoformat()) == ("FREQ=WEEKLY", "19:30:00")
    assert "whole_series goes with a new due" in error_text(alone)
    assert "repeats at set times of day" in error_text(timed)
    assert '"Dentist" does not repeat' in error_text(single)
    assert Task.objects.get(pk=pills.pk).series.rule == "FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0"


def test_delete_task(user):
    task = services.task_create(user=user, title="Old idea")

    result = call_tool(user, "delete_task", {"task_id": task.pk})

    assert not Task.objects.filter(pk=task.pk).exists()
    assert result.structured_content["summary"] == 'Deleted "Old idea".'


def test_add_reminder_at_a_local_time(user):
    task = services.task_create(user=user, title="Dentist", due=datetime(2030, 1, 10, 10, 0))

    result = call_tool(user, "add_reminder", {"task_id": task.pk, "at": "2030-01-10T08:00"})

    reminder = Reminder.objects.get(pk=result.structured_content["actions"][0]["reminder_id"])
    assert reminder.fire_at.isoformat() == "2030-01-10T13:00:00+00:00"


def test_a_reminder_before_an_all_day_task_fires_and_is_said_by_its_day_and_time(user):
    # The user fixture lives in New York; "pay rent" is due all day on Jan 10, 2030.
    from datetime import date

    task = services.task_create(user=user, title="Pay rent", due=date(2030, 1, 10))

    result = call_tool(user, "add_reminder", {"task_id": task.pk, "minutes_before": 1440})

    reminder = Reminder.objects.get(pk=result.structured_content["actions"][0]["reminder_id"])
    assert reminder.fire_at.isoformat() == "2030-01-09T14:00:00+00:00"  # 09:00 the day before
    summary = result.structured_content["summary"]
    assert summary == 'I\'ll remind you about "Pay rent" the day before at 09:00.'


def test_snooze_reminder_snoozes_the_one_that_fired(user):
    task = services.task_create(
        user=user, title="Stretch", due=timezone.now() + timedelta(hours=1), reminders=[]
    )
    fired = Reminder.objects.create(
        task=task, fire_at=timezone.now(), status=ReminderStatus.FIRED, fired_at=timezone.now()
    )

    result = call_tool(user, "snooze_reminder", {"minutes": 20})

    snoozed = Reminder.objects.get(pk=result.structured_content["actions"][0]["reminder_id"])
    assert snoozed.snoozed_from == fired
    assert snoozed.status == ReminderStatus.PENDING


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("complete_task", {}),
        ("reopen_task", {}),
        ("delete_task", {}),
        ("update_task", {"title": "Hijacked"}),
        ("add_reminder", {"minutes_before": 5}),
        ("snooze_reminder", {"minutes": 5}),
    ],
)
def test_no_tool_reaches_another_users_task(user, their_task, name, arguments):
    if name == "reopen_task":
        services.task_complete(task=their_task)
    before = Task.objects.values().get(pk=their_task.pk)

    result = call_tool(user, name, {"task_id": their_task.pk, **arguments})

    assert "No such task" in error_text(result) or "no reminder" in error_text(result)
    assert Task.objects.values().get(pk=their_task.pk) == before
    assert not their_task.reminders.exists()


def test_another_users_reminder_cannot_be_snoozed_by_id(user, their_task):
    theirs = Reminder.objects.create(task=their_task, fire_at=timezone.now() + timedelta(hours=1))

    result = call_tool(user, "snooze_reminder", {"reminder_id": theirs.pk})

    assert "No such task or reminder" in error_text(result)
    assert Reminder.objects.count() == 1


def test_bad_arguments_are_tool_errors_that_name_the_problem(user):
    bad_rule = call_tool(
        user, "add_task", {"title": "X", "due": "2030-01-01", "recurrence": {"frequency": "often"}}
    )
    bad_due = call_tool(user, "add_task", {"title": "X", "due": "next tuesday"})
    rule_without_due = call_tool(
        user, "add_task", {"title": "X", "recurrence": {"frequency": "daily"}}
    )

    assert "frequency" in error_text(bad_rule)
    assert "not a date or time" in error_text(bad_due)
    assert "needs a due date" in error_text(rule_without_due)
    assert not Task.objects.exists()
    open_range = call_tool(user, "list_tasks", {"view": "range"})
    timed_until = call_tool(user, "list_tasks", {"view": "range", "until": "2030-01-01T09:00"})
    assert "view=range needs `day`, `until` or both" in error_text(open_range)
    assert "`until` must be an ISO date" in error_text(timed_until)


def test_tools_refuse_an_inactive_user(user):
    user.is_active = False
    user.save()

    assert "inactive" in error_text(call_tool(user, "list_tasks"))


# ---------------------------------------------------------------- streamable HTTP


@pytest.fixture
def http_server():
    """The `mcp_server --http` app on a free loopback port, in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = mcp_app.build_http_app(host="127.0.0.1")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(timeout=10)


def http_call_tool(url, key, name, arguments):
    async def go():
        headers = {"Authorization": f"Token {key}"}
        async with (
            httpx2.AsyncClient(headers=headers) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            return await client.call_tool(name, arguments)

    return async_to_sync(go)()


# The server runs on its own thread and database connection, so rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_http_tools_act_for_the_token_owner(http_server):
    alice, bob = UserFactory(timezone="Europe/Berlin"), UserFactory()
    TaskFactory(user=alice, title="Alice's task")
    TaskFactory(user=bob, title="Bob's task")
    key = Token.objects.create(user=alice).key

    listed = http_call_tool(http_server, key, "list_tasks", {})
    added = http_call_tool(
        http_server, key, "add_task", {"title": "Via HTTP", "due": "2030-05-01T09:00"}
    )

    assert [t["title"] for t in listed.structured_content["tasks"]] == ["Alice's task"]
    task = Task.objects.get(title="Via HTTP")
    assert task.user == alice
    assert task.due_at.isoformat() == "2030-05-01T07:00:00+00:00"  # 09:00 in Berlin
    assert added.structured_content["actions"] == [{"type": "task.created", "task_id": task.pk}]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("authorization", [None, "Token not-a-key", "Basic abc"])
def test_http_without_a_valid_token_is_a_401(http_server, authorization):
    request = urllib.request.Request(
        http_server,
        data=b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}',
        headers={"Content-Type": "application/json", "Accept": "application/json"}
        | ({"Authorization": authorization} if authorization else {}),
        method="POST",
    )

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"] == "Token"


# ---------------------------------------------------------------- stdio command


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_stdio_command_serves_the_user_named_at_launch():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the command runs in its own process and needs a server database")
    alice = UserFactory(username="alice")
    TaskFactory(user=alice, title="Alice's task")
    TaskFactory(title="Someone else's task")
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    command = StdioServerParameters(
        command=sys.executable,
        args=["manage.py", "mcp_server", "--user", "alice"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "todo_project.settings.test",
            "DATABASE_URL": url,
        },
        cwd=str(settings.BASE_DIR),
    )

    async def go():
        async with Client(command) as client:
            return await client.call_tool("list_tasks", {})

    listed = async_to_sync(go)()

    assert [t["title"] for t in listed.structured_content["tasks"]] == ["Alice's task"]
