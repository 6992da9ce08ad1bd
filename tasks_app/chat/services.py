"""Writes for the chat: a chat turn, conversations and their messages. Task changes go
through the tools, which call `tasks_app.services`. Also the quick add's reading of a text
(`task_draft`), which writes nothing."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone as dj_timezone

from tasks_app import recurrence, services, timefmt
from tasks_app.models import User
from todo_project.common.errors import field_error

from . import llm, tools
from . import selectors as chat_selectors
from .interpreter import ChatReply, ChatState, Interpreter, into_list, preview
from .models import Conversation, Message, Role
from .parsing import MESSAGE_MAX, parse_task
from .phrases import Clarify

TITLE_MAX = 100
LLM_HISTORY = 20


@dataclass
class ChatTurn:
    conversation: Conversation
    reply: ChatReply


@transaction.atomic
def chat_send(
    *, user: User, message: str, conversation_id: int | None = None, now: datetime | None = None
) -> ChatTurn:
    """Answer one message: store it, act on it, store the reply, remember the context.

    The whole turn is one transaction, and the conversation row is locked, so two messages
    to the same conversation are answered one after the other.
    """
    now = now or dj_timezone.now()
    text = (message or "").strip()
    if not text:
        raise field_error("message", "Say something.", code="required")
    if len(text) > MESSAGE_MAX:
        raise field_error("message", f"Messages are at most {MESSAGE_MAX} characters.")
    if conversation_id is None:
        conversation = conversation_create(user=user, first_message=text)
    else:
        conversation = chat_selectors.conversation_get(
            user=user, conversation_id=conversation_id, for_update=True
        )
    history = chat_selectors.message_recent(conversation=conversation, limit=LLM_HISTORY)
    message_add(conversation=conversation, role=Role.USER, text=text)
    with timefmt.using(user.time_format):  # the reply's times as this person reads them
        reply = _answer(user=user, conversation=conversation, history=history, text=text, now=now)
    message_add(
        conversation=conversation, role=Role.ASSISTANT, text=reply.text, actions=reply.actions
    )
    conversation_set_context(
        conversation=conversation,
        last_task_ids=reply.last_task_ids,
        focus_task_id=reply.focus_task_id,
        pending=reply.pending,
    )
    return ChatTurn(conversation, reply)


def _answer(
    *, user: User, conversation: Conversation, history: list[Message], text: str, now: datetime
) -> ChatReply:
    config = llm.configured()
    if config is not None:
        try:
            return llm.LLMBackend(config, user=user, history=history, now=now).reply(text)
        except llm.Unavailable:
            pass  # logged by the backend; the deterministic interpreter still answers
    state = ChatState(
        last_task_ids=list(conversation.last_task_ids or []),
        focus_task_id=conversation.focus_task_id,
        pending=conversation.pending,
    )
    return Interpreter(user=user, state=state, now=now).reply(text)


@transaction.atomic
def conversation_create(*, user: User, first_message: str = "") -> Conversation:
    title = " ".join(first_message.split())
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    return Conversation.objects.create(user=user, title=title)


@transaction.atomic
def message_add(
    *, conversation: Conversation, role: str, text: str, actions: list[dict[str, Any]] | None = None
) -> Message:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    return Message.objects.create(
        conversation=conversation, role=role, text=text, actions=actions or []
    )


@transaction.atomic
def conversation_set_context(
    *,
    conversation: Conversation,
    last_task_ids: list[int] | None = None,
    focus_task_id: int | None = None,
    pending: dict[str, Any] | None = None,
) -> Conversation:
    """Remember what the next message may refer to. `pending` is replaced on every turn:
    a question is only answerable by the very next message."""
    if last_task_ids is not None:
        conversation.last_task_ids = list(last_task_ids)
    if focus_task_id is not None:
        conversation.focus_task_id = focus_task_id
    conversation.pending = pending
    conversation.save(update_fields=["last_task_ids", "focus_task_id", "pending", "updated_at"])
    return conversation


# ---------------------------------------------------------------- quick add


@dataclass
class TaskDraft:
    """A task as a line of text reads, in the shape `POST /api/tasks/` takes, and in words."""

    title: str
    due_at: str | None  # a local wall time or date: the API reads it in the user's zone
    recurrence: dict[str, str] | None  # {"rule", "anchor", "description"}
    reminders: list[dict[str, Any]] | None  # None: the user's default reminders
    tags: list[str]
    priority: str
    summary: str


def task_draft(*, user: User, text: str, now: datetime | None = None) -> TaskDraft:
    """Read `text` as a new task without adding it (the web app's quick add shows this while
    its user types, then creates the task from it). An unclear text is a 400 with the
    question the chat would ask."""
    now = now or dj_timezone.now()
    zone = services.user_zone(user)
    text = (text or "").strip()
    if not text:
        raise field_error("text", "Type a task.", code="required")
    try:
        intent = parse_task(text, now=now, zone=zone)
    except Clarify as question:
        raise field_error("text", str(question), code="unclear") from None
    title, tags = into_list(user, intent.title or "", intent.tags)
    intent = replace(intent, title=title, tags=tuple(tags))
    with timefmt.using(user.time_format):
        summary = preview(intent, zone=zone, now=now)
        rule = None
        if intent.rule is not None:
            wall = intent.due if isinstance(intent.due, datetime) else None  # all-day: no time
            rule = {
                "rule": intent.rule.to_rrule(),
                "anchor": intent.rule.anchor,
                "description": recurrence.describe(intent.rule.to_rrule(), dtstart=wall),
            }
    reminders = None
    if intent.reminders is not None:
        reminders = [
            {"offset_minutes": r.offset_minutes}
            if r.offset_minutes is not None
            else {"fire_at": r.at.isoformat(timespec="minutes")}  # type: ignore[union-attr]
            for r in intent.reminders
        ]
    due = intent.due
    return TaskDraft(
        title=title,
        due_at=due.isoformat(timespec="minutes") if isinstance(due, datetime) else tools.iso(due),
        recurrence=rule,
        reminders=reminders,
        tags=tags,
        priority=intent.priority or "none",
        summary=summary,
    )
