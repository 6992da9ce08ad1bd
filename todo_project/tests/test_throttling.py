"""Rate limits on logging in, signing up, tokens and the chat: 429 with Retry-After, per user
and per client address, from settings; and request size limits."""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from tasks_app.models import Task, User
from tasks_app.tests.factories import UserFactory


@pytest.fixture
def rates(settings):
    """Set the rates of some scopes for one test; the shared throttle cache starts empty."""
    caches["throttle"].clear()
    caches["default"].clear()

    def set_rates(**scopes: str) -> None:
        rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        rates.update({scope.replace("_", "-"): rate for scope, rate in scopes.items()})
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rates


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert "Expected available in" in error["message"]


def login(client: APIClient, username: str, password: str = "wrong", ip: str = "203.0.113.7"):
    return client.post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_token_attempts_are_limited_per_address(rates):
    rates(login_ip="3/min", login_username="100/min")
    client = APIClient()
    UserFactory(username="alice")

    answers = [login(client, f"someone{n}").status_code for n in range(3)]
    blocked = login(client, "alice", "correct-horse-battery")
    elsewhere = login(client, "alice", "correct-horse-battery", ip="198.51.100.9")

    assert answers == [400, 400, 400]
    assert_throttled(blocked)
    assert elsewhere.status_code == 200  # another address has its own window


@pytest.mark.django_db
def test_attempts_on_one_account_are_limited_from_any_address(rates):
    rates(login_ip="100/min", login_username="3/min")
    client = APIClient()
    UserFactory(username="alice")

    for n in range(3):
        assert login(client, "Alice", ip=f"198.51.100.{n}").status_code == 400
    blocked = login(client, "alice", "correct-horse-battery", ip="198.51.100.99")
    other_account = login(client, "bob", ip="198.51.100.99")

    assert_throttled(blocked)  # case-insensitive: Alice and alice are one account's window
    assert other_account.status_code == 400


@pytest.mark.django_db
def test_session_login_shares_the_login_limits(rates):
    rates(login_ip="2/min")
    client = APIClient()
    UserFactory(username="alice")

    for _ in range(2):
        client.post("/api/auth/login/", {"username": "alice", "password": "x"}, format="json")
    blocked = client.post(
        "/api/auth/login/",
        {"username": "alice", "password": "correct-horse-battery"},
        format="json",
    )

    assert_throttled(blocked)


@pytest.mark.django_db
def test_signups_are_limited_per_address_and_a_refused_one_creates_nothing(rates):
    rates(signup_ip="2/hour")
    client = APIClient()

    for n in range(2):
        response = client.post(
            "/api/auth/signup/",
            {"username": f"new{n}", "password": "a-long-enough-passphrase"},
            format="json",
        )
        assert response.status_code == 201, response.content
        client.logout()
    blocked = client.post(
        "/api/auth/signup/",
        {"username": "new2", "password": "a-long-enough-passphrase"},
        format="json",
    )

    assert_throttled(blocked)
    assert not User.objects.filter(username="new2").exists()


@pytest.mark.django_db
def test_chat_is_limited_per_user_and_one_users_limit_leaves_others_alone(rates, client_for):
    rates(chat_user="2/min", chat_ip="100/min")
    alice, bob = UserFactory(), UserFactory()
    alice_client, bob_client = client_for(alice), client_for(bob)

    for _ in range(2):
        assert (
            alice_client.post(
                "/api/chat/", {"message": "what's due today"}, format="json"
            ).status_code
            == 200
        )
    blocked = alice_client.post("/api/chat/", {"message": "add buy milk"}, format="json")
    bob_answer = bob_client.post("/api/chat/", {"message": "what's due today"}, format="json")

    assert_throttled(blocked)
    assert bob_answer.status_code == 200
    assert not Task.objects.filter(user=alice).exists()  # the refused message did nothing


@pytest.mark.django_db
def test_chat_is_limited_per_address_across_users(rates, client_for):
    rates(chat_user="100/min", chat_ip="2/min")
    clients = [client_for(UserFactory()) for _ in range(3)]

    for client in clients[:2]:
        answer = client.post("/api/chat/", {"message": "hi"}, format="json", REMOTE_ADDR="10.9.9.9")
        assert answer.status_code == 200
    blocked = clients[2].post(
        "/api/chat/", {"message": "hi"}, format="json", REMOTE_ADDR="10.9.9.9"
    )

    assert_throttled(blocked)


@pytest.mark.django_db
def test_every_endpoint_has_a_per_user_ceiling(rates, auth_client):
    rates(user="3/min")

    answers = [auth_client.get("/api/tasks/").status_code for _ in range(3)]

    assert answers == [200, 200, 200]
    assert_throttled(auth_client.get("/api/notifications/"))


@pytest.mark.django_db
def test_anonymous_requests_have_a_per_address_ceiling(rates):
    rates(anon="2/min")
    client = APIClient()

    for _ in range(2):
        assert client.get("/api/auth/csrf/").status_code == 200
    assert_throttled(client.get("/api/auth/csrf/"))


@pytest.mark.django_db
def test_behind_the_proxy_the_client_address_is_the_hop_nginx_added(rates, settings):
    """NUM_PROXIES=1: a forged X-Forwarded-For prefix does not give a fresh window."""
    rates(login_ip="2/min", login_username="100/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()

    for n in range(2):
        client.post(
            "/api/auth/token/",
            {"username": f"u{n}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.50",
            REMOTE_ADDR="10.0.0.2",
        )
    blocked = client.post(
        "/api/auth/token/",
        {"username": "u9", "password": "x"},
        format="json",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.50",
        REMOTE_ADDR="10.0.0.2",
    )

    assert_throttled(blocked)


# ---------------------------------------------------------------- sizes


@pytest.mark.django_db
def test_a_one_megabyte_title_is_refused_before_parsing_and_nothing_is_written(auth_client):
    response = auth_client.post("/api/tasks/", {"title": "x" * 1_000_000}, format="json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert Task.objects.count() == 0


@pytest.mark.django_db
def test_a_one_megabyte_chat_message_is_refused(auth_client):
    response = auth_client.post("/api/chat/", {"message": "remind me " * 100_000}, format="json")

    assert response.status_code == 413
    assert Task.objects.count() == 0


@pytest.mark.django_db
def test_a_title_just_over_its_limit_is_a_400_naming_the_field(auth_client):
    response = auth_client.post("/api/tasks/", {"title": "x" * 201}, format="json")

    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_open_tasks_per_user_are_capped_but_history_does_not_count(auth_client, user, settings):
    from tasks_app import services

    settings.USER_OPEN_TASKS_MAX = 3
    first = services.task_create(user=user, title="done already")
    services.task_complete(task=first)
    for n in range(2):
        services.task_create(user=user, title=f"open {n}")
    services.task_create(user=UserFactory(), title="someone else's")

    third = auth_client.post("/api/tasks/", {"title": "third open"}, format="json")
    fourth = auth_client.post("/api/tasks/", {"title": "one too many"}, format="json")
    by_chat = auth_client.post("/api/chat/", {"message": "add one more thing"}, format="json")

    assert third.status_code == 201
    assert fourth.status_code == 400
    assert fourth.json()["error"]["code"] == "limit_reached"
    assert "3 open tasks" in fourth.json()["error"]["message"]
    assert by_chat.status_code == 200
    assert not Task.objects.filter(title__icontains="one more thing").exists()
    assert Task.objects.filter(user=user, completed_at__isnull=True).count() == 3
