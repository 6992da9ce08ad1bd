import pytest


@pytest.fixture
def dist(tmp_path, settings):
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


def test_client_routes_get_the_app_shell(client, dist):
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")

    response = client.get("/tasks/12")

    assert response.status_code == 200
    assert b"<div id=root>" in response.content
    assert "no-cache" in response["Cache-Control"]


def test_a_missing_build_says_how_to_build_it(client, dist):
    response = client.get("/")

    assert response.status_code == 503
    assert b"make run" in response.content


@pytest.mark.django_db
def test_api_paths_are_not_swallowed_by_the_app(client, dist):
    (dist / "index.html").write_text("<!doctype html>")

    assert client.get("/api/nope/").status_code == 404
    assert client.get("/api/tasks/").status_code == 401
