from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_are_in_sync():
    out = StringIO()

    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()} (exit {exc.code})")


@pytest.mark.django_db(transaction=True)
def test_pending_reminders_of_all_day_tasks_move_to_count_from_nine():
    from datetime import UTC, datetime, timedelta

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = [("tasks_app", "0004_user_time_format")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("tasks_app", "User")
    Task = apps.get_model("tasks_app", "Task")
    Reminder = apps.get_model("tasks_app", "Reminder")
    user = User.objects.create(username="ana", timezone="America/New_York")
    year = timezone.now().year + 1
    # all day on Jun 10 (New York, EDT): due at 23:59:59 local, 03:59:59Z on the 11th
    due = datetime(year, 6, 11, 3, 59, 59, tzinfo=UTC)
    rent = Task.objects.create(user=user, title="Pay rent", due_at=due, all_day=True)
    day_before = Reminder.objects.create(
        task=rent, offset_minutes=1440, fire_at=due - timedelta(days=1)
    )
    timed = Task.objects.create(user=user, title="Call", due_at=due, all_day=False)
    kept = Reminder.objects.create(task=timed, offset_minutes=1440, fire_at=due - timedelta(days=1))
    fired = Reminder.objects.create(
        task=rent, offset_minutes=0, fire_at=due, status="fired", fired_at=due
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from tasks_app.models import Reminder as Current

    # 09:00 EDT on Jun 9, the day before
    assert Current.objects.get(pk=day_before.pk).fire_at == datetime(year, 6, 9, 13, 0, tzinfo=UTC)
    assert Current.objects.get(pk=kept.pk).fire_at == kept.fire_at  # due at a time: as it was
    assert Current.objects.get(pk=fired.pk).fire_at == fired.fire_at  # history stays
