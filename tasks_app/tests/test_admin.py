from datetime import UTC, datetime

import pytest

from tasks_app import services
from tasks_app.models import Task
from tasks_app.services import RecurrenceInput
from tasks_app.tests.factories import UserFactory
from todo_project.testing.events import dispatch_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.fixture
def task(user):
    return services.task_create(
        user=user,
        title="Water plants",
        due=datetime(2030, 3, 6, 9, 0, tzinfo=UTC),
        recurrence_spec=RecurrenceInput("FREQ=DAILY"),
        reminders=[{"offset_minutes": 10}],
    )


@pytest.mark.parametrize(
    "query", ["", "?status=open", "?priority=high", "?due=overdue", "?q=water", "?status=completed"]
)
def test_task_changelist_with_filters_and_search(admin_client, task, query):
    response = admin_client.get(f"/admin/tasks_app/task/{query}")

    assert response.status_code == 200


def test_task_change_page_shows_reminders_inline(admin_client, task):
    response = admin_client.get(f"/admin/tasks_app/task/{task.pk}/change/")

    assert response.status_code == 200
    assert b"reminders-TOTAL_FORMS" in response.content
    # Bookkeeping of the recurrence sweep is shown, never edited by hand.
    assert b"Next occurrence pending" in response.content
    assert b'name="next_occurrence_pending"' not in response.content


def test_complete_action_goes_through_the_service(admin_client, task):
    response = admin_client.post(
        "/admin/tasks_app/task/",
        {"action": "complete_tasks", "_selected_action": [task.pk]},
        follow=True,
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.completed_at is not None
    dispatch_outbox()
    assert Task.objects.filter(spawned_from=task).exists()  # next occurrence, as via the API


def test_reopen_action(admin_client, task):
    services.task_complete(task=task)

    admin_client.post(
        "/admin/tasks_app/task/", {"action": "reopen_tasks", "_selected_action": [task.pk]}
    )

    task.refresh_from_db()
    assert task.completed_at is None


@pytest.mark.parametrize(
    "url", ["/admin/tasks_app/reminder/", "/admin/tasks_app/series/", "/admin/tasks_app/user/"]
)
def test_other_changelists_load(admin_client, task, url):
    assert admin_client.get(url).status_code == 200


def test_admin_is_for_staff_only(client, user):
    client.force_login(user)

    response = client.get("/admin/tasks_app/task/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/common/outboxevent/",
        "/admin/common/outboxevent/?published=no",
        "/admin/common/outboxevent/?published=yes",
        "/admin/common/relayposition/",
        "/admin/common/processedevent/",
    ],
)
def test_event_changelists_load(admin_client, task, url):
    assert admin_client.get(url).status_code == 200
