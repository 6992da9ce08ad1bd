"""Shared fixtures: a real PostgreSQL server for the whole run, API clients, users.

The suite runs on a throwaway PostgreSQL started here. Without PostgreSQL binaries it falls
back to SQLite and says so, unless REQUIRE_POSTGRES=1 (as in CI), which makes that an error.
"""

import os

import pytest

from todo_project.testing.postgres import PostgresServer, find_bin_dir


@pytest.fixture(scope="session")
def postgres_server():
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.exit("REQUIRE_POSTGRES=1 but no PostgreSQL binaries (initdb/pg_ctl) found", 2)
        print("\nNo PostgreSQL binaries found: running the suite on SQLite.")
        yield None
        return
    server = PostgresServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    postgres_server, django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    from django.conf import settings
    from django.db import connections

    if postgres_server is None:
        # A file, not SQLite's in-memory test database, so the processes a test starts (relay,
        # consumer, worker) open the same database as the test.
        test_db = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        settings.DATABASES["default"]["TEST"]["NAME"] = str(test_db)
        return
    settings.DATABASES["default"].update(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "app",
            "USER": postgres_server.user,
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(postgres_server.port),
            "CONN_MAX_AGE": 0,
            "OPTIONS": {},  # the SQLite options of the settings' default URL mean nothing here
        }
    )
    # The connection object was built for the previous ENGINE; rebuild it from the new one.
    connections["default"].close()
    del connections["default"]


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def user(db):
    from tasks_app.tests.factories import UserFactory

    return UserFactory(timezone="America/New_York")


@pytest.fixture
def other_user(db):
    from tasks_app.tests.factories import UserFactory

    return UserFactory(timezone="Europe/Berlin")


@pytest.fixture
def client_for():
    from rest_framework.test import APIClient

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def auth_client(user, client_for):
    return client_for(user)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    """A real Kafka-API broker (Tansu, in memory) on a free loopback port, for the whole run."""
    from todo_project.testing.kafka_broker import KafkaBroker

    broker = KafkaBroker(log_path=tmp_path_factory.mktemp("broker") / "broker.log").start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def kafka(kafka_broker, settings):
    """Point the project at the test broker with a topic prefix of this test's own."""
    import uuid

    from django.core.management import call_command

    settings.KAFKA_BOOTSTRAP_SERVERS = kafka_broker.bootstrap_servers
    settings.KAFKA_TOPIC_PREFIX = f"t{uuid.uuid4().hex[:8]}-"
    settings.KAFKA_TOPIC_PARTITIONS = 2
    settings.KAFKA_DELIVERY_TIMEOUT_MS = 5000
    call_command("kafka_topics", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return kafka_broker
