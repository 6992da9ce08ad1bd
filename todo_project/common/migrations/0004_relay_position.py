from django.db import migrations, models

import todo_project.common.models

# The transaction that wrote each outbox row, for the relay's snapshot windows (RelayPosition).
# Not a model field: it exists on PostgreSQL only and nothing but SQL reads it.
ADD_TXID = """
ALTER TABLE common_outboxevent ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX outbox_txid ON common_outboxevent (txid);
"""
DROP_TXID = "ALTER TABLE common_outboxevent DROP COLUMN txid;"


def add_txid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_TXID)


def drop_txid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TXID)


def position_from_published_at(apps, schema_editor):
    """Carry the old per-row marks over: the rows before the first unpublished one stay published.

    Rows that existed get this migration's transaction id (the column's default); a window whose
    snapshot sees that transaction, with `last_id` at the end of the published prefix, says
    exactly that. Published rows after the first unpublished one are published again (their
    CloudEvents ids are unchanged, consumers skip them).
    """
    OutboxEvent = apps.get_model("common", "OutboxEvent")
    RelayPosition = apps.get_model("common", "RelayPosition")
    first_pending = (
        OutboxEvent.objects.filter(published_at__isnull=True).order_by("id").first()
    )
    if first_pending is not None:
        last_id = first_pending.id - 1
    else:
        last_id = OutboxEvent.objects.aggregate(top=models.Max("id"))["top"] or 0
    window = ""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint + 1")
            after_this = cursor.fetchone()[0]
        window = f"{after_this}:{after_this}:"
    RelayPosition.objects.create(id=1, window_snapshot=window, last_id=last_id)


class Migration(migrations.Migration):
    """The relay records a position instead of marking each row (see RelayPosition)."""

    dependencies = [("common", "0003_throttle_cache_table")]

    operations = [
        migrations.CreateModel(
            name="RelayPosition",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("done_snapshot", models.TextField(default="1:1:")),
                ("window_snapshot", models.TextField(blank=True, default="")),
                ("last_id", models.BigIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.RunPython(add_txid, drop_txid),
        migrations.RunPython(position_from_published_at, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="outboxevent", name="outbox_pending"),
        migrations.RemoveIndex(model_name="outboxevent", name="outbox_published_at"),
        migrations.RemoveField(model_name="outboxevent", name="published_at"),
        migrations.AlterField(
            model_name="outboxevent",
            name="envelope",
            field=todo_project.common.models.JSONTextField(
                help_text="CloudEvents 1.0 structured JSON"
            ),
        ),
    ]
