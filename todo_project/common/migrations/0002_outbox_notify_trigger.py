from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER outbox_notify AFTER INSERT ON common_outboxevent
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS outbox_notify ON common_outboxevent;
DROP FUNCTION IF EXISTS outbox_notify();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    """Wake the relay on commit of any transaction that appended events (PostgreSQL only)."""

    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
