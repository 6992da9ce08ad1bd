"""Migration 0004 carries the per-row `published_at` marks over to the relay's position."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("common", "0003_throttle_cache_table")]
AFTER = [("common", "0004_relay_position")]


@pytest.mark.django_db(transaction=True)
def test_rows_published_before_the_migration_stay_published_and_pending_ones_pending():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("common", "OutboxEvent")
        rows = [
            old.objects.create(topic="task-events", key=str(n), type="t", envelope={"n": n})
            for n in range(5)
        ]
        # published, published, pending, published (re-published: after the first pending), pending
        published = {0, 1, 3}
        old.objects.filter(pk__in=[rows[n].pk for n in published]).update(
            published_at=timezone.now()
        )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    from todo_project.common.models import OutboxEvent

    assert list(OutboxEvent.objects.published().values_list("pk", flat=True)) == [
        rows[0].pk,
        rows[1].pk,
    ]
    assert list(OutboxEvent.objects.pending().values_list("pk", flat=True)) == [
        rows[2].pk,
        rows[3].pk,
        rows[4].pk,
    ]
    assert OutboxEvent.objects.get(pk=rows[4].pk).envelope == {"n": 4}
