"""Optional chat backend: an OpenAI-compatible chat-completions endpoint that calls our tools.

Off unless `CHAT_LLM_BASE_URL` and `CHAT_LLM_MODEL` are set (Django settings first, then the
environment); `CHAT_LLM_API_KEY`, when set, is sent as a bearer token. The model acts only
through `tools` (the functions the deterministic interpreter and the MCP server use), always
for the conversation's user: no tool takes a user. If the endpoint cannot be reached before any
tool ran, the deterministic interpreter answers instead, so chat keeps working offline.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404

from tasks_app import services, timefmt
from tasks_app.models import User
from todo_project.common.errors import ApplicationError

from . import tools
from .interpreter import ChatReply
from .models import Message, Role

logger = logging.getLogger(__name__)

MAX_ROUNDS = 6
TIMEOUT_SECONDS = 30
SYSTEM_PROMPT = """You keep the user's todo list, using only the tools you are given.
Now it is {now} ({weekday}) in the user's time zone, {zone}.
- Give due and reminder times as local wall times in that zone (2026-03-06T17:00), or a date
  (2026-03-06) for an all-day task. Recurrence is a structured rule; its first occurrence is
  the task's due time.
- Find task ids with list_tasks; never invent one.
- If a request is ambiguous or misses something a task needs, ask one short question instead
  of guessing.
- After acting, say in one or two sentences what you did, with dates and times in the user's
  zone, times written {clock}."""


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = None


def _setting(name: str) -> str | None:
    return getattr(settings, name, None) or os.environ.get(name) or None


def configured() -> LLMConfig | None:
    base_url, model = _setting("CHAT_LLM_BASE_URL"), _setting("CHAT_LLM_MODEL")
    if not base_url or not model:
        return None
    return LLMConfig(base_url.rstrip("/"), model, _setting("CHAT_LLM_API_KEY"))


def tool_schemas() -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.args.model_json_schema(),
            },
        }
        for tool in tools.TOOLS.values()
    ]


class Unavailable(Exception):
    pass


class LLMBackend:
    def __init__(self, config: LLMConfig, *, user: User, history: list[Message], now: datetime):
        self.config = config
        self.user = user
        self.history = history
        self.now = now

    def reply(self, text: str) -> ChatReply:
        zone = services.user_zone(self.user)
        local = self.now.astimezone(zone)
        clock = "12-hour (5:30 PM)" if self.user.time_format == timefmt.H12 else "24-hour (17:30)"
        system = SYSTEM_PROMPT.format(
            now=f"{local:%Y-%m-%d %H:%M}", weekday=f"{local:%A}", zone=zone.key, clock=clock
        )
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
        messages += [{"role": m.role, "content": m.text} for m in self.history]
        messages.append({"role": Role.USER, "content": text})
        reply = ChatReply("")
        for _ in range(MAX_ROUNDS):
            try:
                answer = self._complete(messages)
            except Unavailable:
                if reply.actions:  # tools already ran: report them rather than act twice
                    reply.text = "Done. (The assistant stopped answering halfway.)"
                    return reply
                raise
            calls = answer.get("tool_calls") or []
            if not calls:
                reply.text = (answer.get("content") or "").strip() or "Done."
                return reply
            messages.append(
                {"role": "assistant", "content": answer.get("content"), "tool_calls": calls}
            )
            for call in calls:
                content = self._run(call, reply)
                messages.append(
                    {"role": "tool", "tool_call_id": call.get("id"), "content": content}
                )
        reply.text = "Sorry, that took too many steps. Please try again more simply."
        return reply

    def _run(self, call: dict[str, Any], reply: ChatReply) -> str:
        function = call.get("function") or {}
        try:
            arguments = json.loads(function.get("arguments") or "{}")
            if not isinstance(arguments, dict):
                raise ValueError("arguments must be an object")
            result = tools.call(
                str(function.get("name")), user=self.user, arguments=arguments, now=self.now
            )
        except ValueError as exc:
            return f"Error: arguments are not valid JSON ({exc})."
        except Http404:
            return "Error: no such task or reminder for this user."
        except ApplicationError as exc:
            return f"Error: {exc.message}"
        reply.actions.extend(result.actions)
        reply.tasks.extend(result.tasks)
        return json.dumps({"result": result.summary, "task_ids": [t.pk for t in result.tasks]})

    def _complete(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        body = json.dumps(
            {"model": self.config.model, "messages": messages, "tools": tool_schemas()}
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(
            f"{self.config.base_url}/chat/completions", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                payload = json.load(response)
            return payload["choices"][0]["message"]
        except (urllib.error.URLError, TimeoutError, ValueError, KeyError, IndexError) as exc:
            logger.warning("Chat LLM endpoint failed: %r", exc)
            raise Unavailable(str(exc)) from exc
