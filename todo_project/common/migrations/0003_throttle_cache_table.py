from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # The database cache behind the shared throttles (settings.CACHES["throttle"]). Done in a
    # migration so every deploy path that migrates (chart hook, compose, `make run`, tests) has it;
    # createcachetable skips a table that exists and non-database caches.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("common", "0002_outbox_notify_trigger")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
