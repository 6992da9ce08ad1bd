"""The optional LLM backend against a local stand-in for an OpenAI-compatible endpoint."""

import json
import socket
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tasks_app import services
from tasks_app.chat.services import chat_send
from tasks_app.models import Task

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


class FakeEndpoint:
    """Answers /chat/completions with scripted messages and records what it was sent."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                payload = json.dumps({"choices": [{"message": endpoint.answers.pop(0)}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def tool_call(name, arguments, call_id="call_1"):
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ],
    }


@pytest.fixture
def llm(settings):
    endpoints = []

    def configure(answers):
        endpoint = FakeEndpoint(answers)
        endpoints.append(endpoint)
        settings.CHAT_LLM_BASE_URL = endpoint.url
        settings.CHAT_LLM_MODEL = "test-model"
        settings.CHAT_LLM_API_KEY = "sk-test"
        return endpoint

    yield configure
    for endpoint in endpoints:
        endpoint.close()


def test_the_model_acts_through_the_tools_for_the_conversations_user(llm, user):
    endpoint = llm(
        [
            tool_call("add_task", {"title": "Call mom", "due": "2026-03-06T17:00"}),
            {"role": "assistant", "content": "Added Call mom for tomorrow at 17:00."},
        ]
    )

    turn = chat_send(user=user, message="remember to call mom tomorrow 5pm", now=NOW)

    task = Task.objects.get()
    assert (task.user, task.title) == (user, "Call mom")
    assert task.due_at == datetime(2026, 3, 6, 22, 0, tzinfo=UTC)
    assert turn.reply.text == "Added Call mom for tomorrow at 17:00."
    assert turn.reply.actions == [{"type": "task.created", "task_id": task.pk}]
    first, second = endpoint.requests
    assert first["path"] == "/v1/chat/completions"
    assert first["headers"]["Authorization"] == "Bearer sk-test"
    assert first["body"]["model"] == "test-model"
    assert "2026-03-05 10:00 (Thursday)" in first["body"]["messages"][0]["content"]
    assert "times written 24-hour (17:30)" in first["body"]["messages"][0]["content"]
    tool_names = {t["function"]["name"] for t in first["body"]["tools"]}
    assert {"add_task", "list_tasks", "complete_task", "snooze_reminder"} <= tool_names
    assert all(
        "user" not in t["function"]["parameters"]["properties"] for t in first["body"]["tools"]
    )
    tool_message = second["body"]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == "call_1"
    assert json.loads(tool_message["content"])["task_ids"] == [task.pk]


def test_the_model_cannot_reach_another_users_task(llm, user, other_user):
    theirs = services.task_create(user=other_user, title="Theirs")
    endpoint = llm(
        [
            tool_call("complete_task", {"task_id": theirs.pk}),
            {"role": "assistant", "content": "I couldn't find that task."},
        ]
    )

    turn = chat_send(user=user, message="complete their task", now=NOW)

    theirs.refresh_from_db()
    assert theirs.completed_at is None
    assert turn.reply.actions == []
    assert endpoint.requests[1]["body"]["messages"][-1]["content"].startswith("Error: no such task")


def test_bad_tool_arguments_go_back_to_the_model_as_errors(llm, user):
    endpoint = llm(
        [
            tool_call("add_task", {"title": "", "due": "soon"}),
            {"role": "assistant", "content": "What should the task be called?"},
        ]
    )

    turn = chat_send(user=user, message="add something", now=NOW)

    assert not Task.objects.exists()
    assert endpoint.requests[1]["body"]["messages"][-1]["content"].startswith("Error: title")
    assert turn.reply.text == "What should the task be called?"


def test_an_unreachable_endpoint_falls_back_to_the_deterministic_interpreter(settings, user):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CHAT_LLM_BASE_URL = f"http://127.0.0.1:{closed_port}/v1"
    settings.CHAT_LLM_MODEL = "test-model"

    turn = chat_send(user=user, message="add buy milk tomorrow", now=NOW)

    assert turn.reply.text == 'Added "Buy milk" — due tomorrow.'
    assert Task.objects.get().title == "Buy milk"
