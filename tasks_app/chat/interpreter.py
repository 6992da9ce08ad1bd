"""The deterministic chat backend: message -> intent (`parsing`) -> tool call (`tools`) -> reply.

It remembers, per conversation, the last numbered list shown ("complete 2"), the task last
acted on ("remind me about it") and a question it asked ("which one?", "add it?"), which only
the very next message can answer. Every reply states what was understood, in the user's zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import Http404

from tasks_app import recurrence, selectors, services, timefmt
from tasks_app.models import Task, User
from todo_project.common.errors import ApplicationError

from . import formatting, matching, parsing, phrases, repeats, tools
from . import selectors as chat_selectors
from .parsing import Intent, TaskRef

SNOOZE_DEFAULT_MINUTES = 10
# "passport photos to my travel list", "milk, eggs and bread to groceries": where the things go,
# a list the person keeps as a tag. A bare "to <tag>" only after a list of things and only for a
# tag they have, so "go to work" stays a task even for someone with a #work tag.
_INTO_TAG = re.compile(
    r"(?P<title>.+?)\s+(?:to|on|onto|in|into)\s+(?:(?:my|the)\s+)?#?(?P<tag>[\w-]{1,50})\s+list"
    r"|(?P<items>.+(?:,|\band\b).+?)\s+(?:to|onto|into)\s+(?:my\s+)?#?(?P<tag2>[\w-]{1,50})",
    re.IGNORECASE,
)
# Verbs that take things somewhere: "X and Y to work" after one of them is a destination.
_GOING_VERBS = frozenset({
    "bring", "carry", "deliver", "drive", "drop", "email", "fly", "forward", "get", "give",
    "go", "hand", "invite", "lend", "mail", "move", "post", "return", "ride", "run", "send",
    "ship", "show", "take", "text", "walk", "wish",
})  # fmt: skip
# What leads a reminder said on its own ("and also remind me", "set a reminder"), before its time.
_REMINDER_LEAD = (
    r"^(?:(?:and|also|plus|please|ok(?:ay)?|actually|remind\s+me|(?:add|set)\s+(?:a\s+|another\s+)?"
    r"reminders?|(?:a|another)\s+reminder|another)[\s,]+)*"
)
# A list item's mark at the start of a line: "- ", "* ", "• ", "1. ", "[ ] ".
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,3}[.)]|\[\s?\])\s+")
TITLE_POOL = 500
CHOICES_MAX = 5
LIST_LIMIT = 50

HELP = """I can keep your task list. Try:
• add pay rent every month on the 1st at 9am, remind me a day before
• remind me to call mom tomorrow at 5pm
• list · today · what's overdue · this week · show #work · find dentist · show completed
• complete 1 · done call mom · I paid the rent · reopen 2 · delete 3
• move 1 to Friday at 3pm · postpone 2 by 2 days · move today's tasks to tomorrow
• rename 1 to Buy oat milk · show 2
• make 2 high priority · tag 2 with work · make 1 repeat every weekday at 8am
• remind me about 2 30 minutes before · remove the reminders from 2 · snooze 15 min
• skip 2 (a repeating task's next one comes) · stop repeating 2 · undo
• add a note to 1: bring the insurance card · what did I finish today
Numbers refer to the last list I showed; "it" is the task we last talked about."""


@dataclass
class ChatState:
    last_task_ids: list[int] = field(default_factory=list)
    focus_task_id: int | None = None
    pending: dict[str, Any] | None = None


@dataclass
class ChatReply:
    text: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    last_task_ids: list[int] | None = None  # a new numbered list was shown
    focus_task_id: int | None = None
    pending: dict[str, Any] | None = None


class _Say(Exception):
    pass


class _NotFound(_Say):
    """No task has the title the message gave."""


@dataclass(frozen=True)
class _Timing:
    """A reminder not created yet, as the wording reads one (formatting.ReminderTiming)."""

    offset_minutes: int | None
    fire_at: datetime | None


class _Choose(Exception):
    def __init__(self, candidates: list[Task]) -> None:
        self.candidates = candidates


class Interpreter:
    def __init__(self, *, user: User, state: ChatState, now: datetime) -> None:
        self.user = user
        self.state = state
        self.now = now
        self.zone = services.user_zone(user)
        self.clock = phrases.Clock.at(now, self.zone)

    # ------------------------------------------------------------ entry point

    def reply(self, text: str) -> ChatReply:
        # A list of tasks a line each; otherwise the lines are one message ("call mom" /
        # "tomorrow at 5" typed with a line break).
        if len([line for line in text.splitlines() if line.strip()]) > 1 and (
            tasks := self._task_lines(text)
        ):
            return self._add_each(tasks)
        intent = parsing.parse(text, now=self.now, zone=self.zone)
        pending = self.state.pending or {}
        if pending.get("type") == "choose" and intent.kind == "choose":
            original = parsing.parse(pending["message"], now=self.now, zone=self.zone)
            if original.ref is not None:
                chosen = Intent(**{**original.__dict__, "ref": intent.ref})
                return self._act(chosen, pending["message"])
        if pending.get("type") == "confirm" and intent.kind == "remind" and _about_focus(intent):
            # "remind me 10 minutes before" after "add it?": the reminder joins the offer.
            when = re.sub(_REMINDER_LEAD, "", text.strip(), flags=re.IGNORECASE)
            return self._offer_again(f"{pending['message']}, remind me {when}")
        if pending.get("type") == "when" and (
            message := parsing.answered_with_due(
                pending["message"], pending["drop"], text, self.clock
            )
        ):  # "tomorrow at 9" after "… has already passed. When is it due?"
            return self._act(parsing.parse(message, now=self.now, zone=self.zone), message)
        if pending.get("type") == "answer" and (
            message := _answered(text, pending["answers"], self.clock)
        ):
            # "friday" after "I see two dates (…). Which one?": the message as it stands for
            return self._act(parsing.parse(message, now=self.now, zone=self.zone), message)
        if pending.get("type") == "confirm" and intent.kind in ("yes", "no"):
            if intent.kind == "no":
                return ChatReply("OK, I left it.")
            return self._act(parsing.parse(pending["message"], now=self.now, zone=self.zone),
                             pending["message"])  # fmt: skip
        return self._act(intent, text)

    def _task_lines(self, text: str) -> list[tuple[str, Intent]] | None:
        """A list of tasks pasted or typed a line each ("- buy milk" / "- call mom at 5"): each
        line's task, when every line reads as one; None otherwise."""
        lines = [_BULLET.sub("", line).strip() for line in text.splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > LIST_LIMIT:
            return None
        tasks = []
        for line in lines:
            intent = parsing.parse(line, now=self.now, zone=self.zone)
            if intent.kind == "unknown" and intent.suggestion:  # "dentist appointment"
                intent = parsing.parse(intent.suggestion, now=self.now, zone=self.zone)
            if intent.kind != "add":
                return None
            tasks.append((line, intent))
        return tasks

    def _add_each(self, tasks: list[tuple[str, Intent]]) -> ChatReply:
        """All of them or, if one cannot be added, none (and which one says why)."""
        reply = ChatReply("")
        try:
            with transaction.atomic():
                for line, intent in tasks:
                    try:
                        one = self._add(intent)
                    except ApplicationError as exc:
                        raise _Say(f'I added none of them: "{line}": {exc.message}') from exc
                    reply.text += ("\n" if reply.text else "") + one.text
                    reply.actions += one.actions
                    reply.tasks += one.tasks
        except _Say as say:
            return ChatReply(str(say))
        reply.focus_task_id = reply.tasks[-1].pk if reply.tasks else None
        reply.last_task_ids = [task.pk for task in reply.tasks]
        reply.pending = {"type": "added", "task_ids": reply.last_task_ids}  # "undo": all of them
        return reply

    def _act(self, intent: Intent, message: str) -> ChatReply:
        handler = getattr(self, f"_{intent.kind}")
        try:
            return handler(intent)
        except _NotFound as missing:
            if intent.otherwise is not None:  # "make the bed every morning": no task "bed"
                return self._act(intent.otherwise, message)
            return ChatReply(str(missing))
        except _Say as say:
            return ChatReply(str(say))
        except _Choose as choose:
            return self._ask_which(choose.candidates, message)
        except Http404:
            return ChatReply("That task no longer exists.")
        except ApplicationError as exc:
            return ChatReply(f"I couldn't do that: {exc.message}")

    # ------------------------------------------------------------ task references

    def _tasks(self, ref: TaskRef | None, *, completed: bool = False) -> list[Task]:
        if ref is None:
            raise _Say("Which task? Give its number from the list, or its title.")
        if ref.focus:
            if self.state.focus_task_id is None:
                raise _Say("Which task do you mean? Give its number from the list, or its title.")
            return [selectors.task_get(user=self.user, task_id=self.state.focus_task_id)]
        if ref.numbers:
            return [self._numbered(n) for n in ref.numbers]
        if ref.listed:  # "complete both", "delete all of them"
            listed = len(self.state.last_task_ids or [])
            if not listed:
                raise _Say('There is no list to pick from yet. Say "list" to see your tasks.')
            if ref.listed_count is not None and ref.listed_count != listed:
                raise _Say(
                    f"The last list had {listed} item{'s' * (listed != 1)}. Which ones? Give "
                    'their numbers, e.g. "1 and 2".'
                )
            return [self._numbered(n) for n in range(1, listed + 1)]
        if ref.view is not None:
            if completed:
                raise _Say('Which one? Say "show completed" to see them by number.')
            found = list(
                selectors.task_list(
                    user=self.user,
                    filters=selectors.TaskFilters(status="open", view=ref.view),
                    now=self.now,
                )[:LIST_LIMIT]
            )
            if not found:
                raise _Say(
                    "Nothing is due today." if ref.view == "today" else "Nothing is overdue."
                )
            return found
        return [
            self._titled(
                ref.title or "", completed=completed, alternatives=ref.alternatives, exact=ref.exact
            )
        ]

    def _task(self, ref: TaskRef | None, *, completed: bool = False) -> Task:
        found = self._tasks(ref, completed=completed)
        if len(found) > 1:
            raise _Say("One task at a time for that, please.")
        return found[0]

    def _numbered(self, number: int) -> Task:
        ids = self.state.last_task_ids
        if not ids:
            raise _Say(f'There is no list to pick {number} from yet. Say "list" to see your tasks.')
        index = len(ids) - 1 if number == -1 else number - 1
        if not 0 <= index < len(ids):
            raise _Say(f"The last list had {len(ids)} item{'s' * (len(ids) != 1)}; "
                       f"there is no {number}.")  # fmt: skip
        try:
            return selectors.task_get(user=self.user, task_id=ids[index])
        except Http404:
            raise _Say(f"Item {number} of the last list no longer exists.") from None

    def _titled(
        self,
        title: str,
        *,
        completed: bool,
        alternatives: tuple[str, ...] = (),
        exact: bool = False,
    ) -> Task:
        status = "completed" if completed else "open"
        pool = list(
            selectors.task_list(
                user=self.user, filters=selectors.TaskFilters(status=status), now=self.now
            )[:TITLE_POOL]
        )
        titles = [(t.pk, t.title) for t in pool]
        ids: list[int] = []
        for reading in (title, *alternatives):  # "changed the oil": "chang the oil", "change …"
            ids = matching.best_matches(reading, titles, exact=exact)
            if ids:
                break
        if not ids:
            raise _NotFound(f'I couldn\'t find {"a completed" if completed else "an open"} task '
                       f'called "{title}".')  # fmt: skip
        if len(ids) > 1:
            close = set(ids)
            raise _Choose([t for t in pool if t.pk in close][:CHOICES_MAX])
        return next(t for t in pool if t.pk == ids[0])

    def _ask_which(self, candidates: list[Task], message: str) -> ChatReply:
        lines = [self._line(n, task) for n, task in enumerate(candidates, 1)]
        return ChatReply(
            "Which one do you mean?\n" + "\n".join(lines) + "\nAnswer with its number.",
            tasks=candidates,
            last_task_ids=[t.pk for t in candidates],
            pending={"type": "choose", "message": message},
        )

    def _line(self, number: int, task: Task) -> str:
        return f"{number}. {formatting.task_line(task, zone=self.zone, now=self.now)}"

    # ------------------------------------------------------------ running tools

    def _run(self, name: str, reply: ChatReply, **arguments: Any) -> tools.ToolResult:
        result = tools.call(name, user=self.user, arguments=arguments, now=self.now)
        reply.actions.extend(result.actions)
        known = {t.pk for t in reply.tasks}
        reply.tasks.extend(t for t in result.tasks if t.pk not in known)
        return result

    def _each(
        self,
        name: str,
        intent: Intent,
        *,
        completed: bool = False,
        snapshots: list[dict[str, Any]] | None = None,
    ) -> ChatReply:
        """Run a tool on each task the intent names. `snapshots`, if given, receives
        `services.task_snapshot` of each task it succeeded on, as it was before."""
        reply = ChatReply("")
        texts = []
        targets = self._tasks(intent.ref, completed=completed)
        for task in targets:
            before = services.task_snapshot(task) if snapshots is not None else None
            try:
                texts.append(self._run(name, reply, task_id=task.pk).summary)
            except ApplicationError as exc:
                if len(targets) == 1:
                    raise
                texts.append(f'"{task.title}": {exc.message}')
                continue
            if snapshots is not None and before is not None:
                snapshots.append(before)
        reply.text = "\n".join(texts)
        if len(targets) == 1 and name != "delete_task":
            # After completing a recurring task, "it" is the occurrence that is still open.
            following = [a["next_task_id"] for a in reply.actions if a.get("next_task_id")]
            reply.focus_task_id = following[0] if following else targets[0].pk
        return reply

    # ------------------------------------------------------------ intents

    def _add(self, intent: Intent) -> ChatReply:
        reply = ChatReply("")
        title, tags = into_list(self.user, intent.title or "", intent.tags)
        reminders = None
        if intent.reminders is not None:
            reminders = [
                {"minutes_before": r.offset_minutes}
                if r.offset_minutes is not None
                else {"at": tools.iso(r.at)}
                for r in intent.reminders
            ]
        result = self._run(
            "add_task",
            reply,
            title=title,
            due=tools.iso(intent.due),
            recurrence=intent.rule,
            reminders=reminders,
            tags=tags,
            priority=intent.priority or "none",
        )
        reply.text = result.summary
        reply.focus_task_id = result.tasks[0].pk
        # "undo" as the very next message takes the add back.
        reply.pending = {"type": "added", "task_id": reply.focus_task_id}
        return reply

    def _list(self, intent: Intent) -> ChatReply:
        query = intent.query or parsing.ListQuery()
        # "list my work tasks", "show groceries": a word that names a tag is that tag
        if (
            query.search
            and query.tag is None
            and re.fullmatch(r"[\w-]+", query.search)
            and (tag := chat_selectors.tag_named(user=self.user, name=query.search))
        ):
            query = replace(query, tag=tag, search=None)
        reply = ChatReply("")
        result = self._run(
            "list_tasks",
            reply,
            view=query.view,
            day=tools.iso(query.day),
            until=tools.iso(query.until),
            tag=query.tag,
            search=query.search,
            priority=query.priority,
            repeating=query.repeating,
            reminded=query.reminded,
            limit=LIST_LIMIT,
        )
        header, empty = self._headings(query)
        if not result.tasks:
            reply.text = f"{empty}."
        else:
            lines = [self._line(n, task) for n, task in enumerate(result.tasks, 1)]
            if query.reminded:  # each with its reminders: what was asked about
                lines = [
                    f"{line} — {formatting.reminders_text(task, zone=self.zone, now=self.now)}"
                    for line, task in zip(lines, result.tasks, strict=True)
                ]
            more = (result.total or 0) - len(result.tasks)
            if query.count:  # "how many tasks do I have": "Open tasks (3):"
                header += f" ({result.total or len(result.tasks)})"
            reply.text = f"{header}:\n" + "\n".join(lines)
            if more > 0:
                # (it had suggested "#work", a tag the person may not have)
                reply.text += (
                    f'\n…and {more} more. Narrow it down, e.g. "today", "this week" or "find '
                    'dentist".'
                )
        # An empty answer keeps the numbers of the last list shown ("complete 2" still works).
        reply.last_task_ids = [t.pk for t in result.tasks] or None
        return reply

    def _span_text(self, first: date | None, last: date | None) -> str:
        """ "from Mon, Mar 9 to Wed, Mar 11", "before Fri, Mar 6", "after tomorrow"."""
        today = self.clock.today
        if first is not None and last is not None:
            return f"from {formatting.day_text(first, today)} to {formatting.day_text(last, today)}"
        if last is not None:
            return f"before {formatting.day_text(last + timedelta(days=1), today)}"
        assert first is not None
        return f"after {formatting.day_text(first - timedelta(days=1), today)}"

    def _headings(self, query: parsing.ListQuery) -> tuple[str, str]:
        """(header of the list, text when it is empty), e.g. ("Due today", "Nothing due today")."""
        day = formatting.day_text(query.day, self.clock.today) if query.day else ""
        on_day = day if day in ("today", "yesterday") else f"on {day}"
        if query.until is not None or query.view == "range":
            day = self._span_text(query.day, query.until)
            on_day = day
        header, empty = {
            "open": ("Open tasks", "No open tasks"),
            "today": ("Due today", "Nothing due today"),
            "tomorrow": ("Due tomorrow", "Nothing due tomorrow"),
            "day": (f"Due {day}", f"Nothing due {day}"),
            "range": (f"Due {day}", f"Nothing due {day}"),
            "week": ("Due this week", "Nothing due this week"),
            "next_week": ("Due next week", "Nothing due next week"),
            "weekend": ("Due this weekend", "Nothing due this weekend"),
            "overdue": ("Overdue", "Nothing is overdue"),
            "upcoming": ("Coming up after today", "Nothing coming up after today"),
            "next": ("Next up", "Nothing coming up"),
            "month": ("Due this month", "Nothing due this month"),
            "undated": ("Without a due date", "No tasks without a due date"),
            "completed": (f"Completed {on_day}", f"Nothing completed {on_day}")
            if day
            else ("Completed", "Nothing completed yet"),
            "all": ("All tasks", "No tasks"),
        }[query.view]
        if query.reminded and query.view == "open" and not query.repeating:
            header, empty = "Tasks with reminders", "No reminders set"
        elif query.reminded:
            header, empty = f"{header} (with reminders)", f"{empty} (with reminders)"
        if query.repeating and query.view == "open":
            header, empty = "Repeating tasks", "No repeating tasks"
        elif query.repeating:
            header, empty = f"{header} (repeating)", f"{empty} (repeating)"
        filters = (
            (f" tagged #{query.tag}" if query.tag else "")
            + (f" of {query.priority} priority" if query.priority else "")
            + (f' matching "{query.search}"' if query.search else "")
        )
        return header + filters, empty + filters

    def _complete(self, intent: Intent) -> ChatReply:
        try:
            reply = self._each("complete_task", intent)
        except _NotFound as missing:
            if intent.otherwise is not None:  # "I called mom" with no such task
                return self._act(intent.otherwise, "")
            return self._offer_instead(missing, intent)
        done = [a["task_id"] for a in reply.actions if a["type"] == "task.completed"]
        if done:  # "undo" as the next message reopens them
            reply.pending = {"type": "completed", "task_ids": done}
        return reply

    def _offer_instead(self, missing: _NotFound, intent: Intent) -> ChatReply:
        """No task has the title the message named: offer to add the message as a task
        ("finish the report", "cancel netflix"), or say that none matched."""
        if intent.suggestion is None:
            raise missing
        offer = parsing.parse(intent.suggestion, now=self.now, zone=self.zone)
        if offer.kind != "add":
            raise missing
        reply = self._unknown(Intent("unknown", suggestion=intent.suggestion, title=offer.title,
                                     due=offer.due, rule=offer.rule, reminders=offer.reminders,
                                     tags=offer.tags, priority=offer.priority))  # fmt: skip
        reply.text = f"{missing} {reply.text}"
        return reply

    def _reopen(self, intent: Intent) -> ChatReply:
        return self._each("reopen_task", intent, completed=True)

    def _note(self, intent: Intent) -> ChatReply:
        task = self._task(intent.ref)
        if intent.clear_note:
            if not task.description.strip():
                return ChatReply(f'"{task.title}" has no notes.', focus_task_id=task.pk)
            reply = self._update_one(intent, task, description="")
            reply.text = f'Removed the notes from "{task.title}".'
            return reply
        note = intent.note or ""
        notes = f"{task.description.rstrip()}\n{note}" if task.description.strip() else note
        reply = self._update_one(intent, task, description=notes)
        reply.text = f'Added a note to "{task.title}": {note}'
        return reply

    def _undo(self, intent: Intent) -> ChatReply:
        """Take back, right after it, an add, a change, a delete or a completion (a repeating
        task's reopened occurrence takes back the next one its completion made)."""
        pending = self.state.pending or {}
        if pending.get("type") == "updated":  # "move it to 6pm", "rename it …": as it was
            task = self._own(pending["task_id"])
            if task is None:
                raise _Say("That task no longer exists.")
            reply = ChatReply("", focus_task_id=task.pk)
            before = dict(pending["before"])
            offsets = before.pop("_minutes_before", [])
            with transaction.atomic():
                result = self._run("update_task", reply, task_id=task.pk, **before)
                for minutes in offsets:
                    result = self._run(
                        "add_reminder", reply, task_id=task.pk, minutes_before=minutes
                    )
            back = result.tasks[0]
            details = formatting.task_details(back, zone=self.zone, now=self.now)
            reply.text = f'Put back "{back.title}" as it was — {details}.'
            return reply
        if pending.get("type") == "reminded":  # "remind me 30 minutes before": gone again
            task = self._own(pending["task_id"])
            if task is None:
                raise _Say("That task no longer exists.")
            with transaction.atomic():
                for reminder in chat_selectors.task_pending_reminders(task=task).filter(
                    pk__in=pending["reminder_ids"]
                ):
                    services.reminder_delete(reminder=reminder)
            task = selectors.task_get(user=self.user, task_id=task.pk)
            details = formatting.task_details(task, zone=self.zone, now=self.now)
            return ChatReply(
                f'Took back the reminder: "{task.title}" — {details}.',
                actions=[{"type": "task.updated", "task_id": task.pk, "changed": ["reminders"]}],
                tasks=[task],
                focus_task_id=task.pk,
            )
        if pending.get("type") == "added":  # one task, or a list of them a line each
            reply = ChatReply("")
            with transaction.atomic():
                reply.text = "\n".join(
                    self._run("undo_add", reply, task_id=task_id).summary
                    for task_id in pending.get("task_ids") or [pending["task_id"]]
                )
            return reply
        if pending.get("type") == "deleted":
            with transaction.atomic():
                back = [
                    services.task_restore(user=self.user, snapshot=snapshot, now=self.now)
                    for snapshot in pending["snapshots"]
                ]
            reply = ChatReply(
                "\n".join(
                    f'Put back "{task.title}" — '
                    f"{formatting.task_details(task, zone=self.zone, now=self.now)}."
                    for task in back
                ),
                actions=[{"type": "task.created", "task_id": task.pk} for task in back],
                tasks=back,
                focus_task_id=back[-1].pk,
            )
            return reply
        if pending.get("type") == "completed":  # reopens them, taking back what came next
            reply = ChatReply("")
            texts = [
                self._run("reopen_task", reply, task_id=task.pk).summary
                for task in (self._own(pk) for pk in pending["task_ids"])
                if task is not None
            ]
            if not texts:
                raise _Say("That task no longer exists.")
            reply.text = "\n".join(texts)
            reply.focus_task_id = pending["task_ids"][-1]
            return reply
        raise _Say(
            'I can take back an add, a change, a delete or a completion: say "undo" right after '
            'it, or "reopen" or "delete" with the task\'s number or title.'
        )

    def _own(self, task_id: int | None) -> Task | None:
        if task_id is None:
            return None
        try:
            return selectors.task_get(user=self.user, task_id=task_id)
        except Http404:
            return None

    def _delete(self, intent: Intent) -> ChatReply:
        """Delete; "undo" as the very next message puts back what went (as new tasks)."""
        gone: list[dict[str, Any]] = []
        try:
            reply = self._each("delete_task", intent, snapshots=gone)
        except _NotFound as missing:
            return self._offer_instead(missing, intent)
        if gone:
            reply.pending = {"type": "deleted", "snapshots": gone}
        return reply

    def _stop_series(self, intent: Intent) -> ChatReply:
        return self._each("stop_series", intent)

    def _skip(self, intent: Intent) -> ChatReply:
        task = self._task(intent.ref)
        current = self._local_due(task)
        day = current.date() if isinstance(current, datetime) else current
        if isinstance(intent.due, date) and day is not None and intent.due != day:
            assert task.due_at is not None
            now_on = formatting.on_when(
                task.due_at, all_day=task.all_day, zone=self.zone, now=self.now
            )
            said = formatting.day_text(intent.due, self.clock.today)
            raise _Say(
                f'"{task.title}" is next {now_on}, not {said}; only the next one can be skipped '
                '("skip it").'
            )
        reply = ChatReply("")
        result = self._run("skip_occurrence", reply, task_id=task.pk)
        reply.text = result.summary
        # "it" is now the occurrence that came next.
        reply.focus_task_id = result.tasks[0].pk if result.tasks else None
        return reply

    def _unremind(self, intent: Intent) -> ChatReply:
        return self._each("remove_reminders", intent)

    def _rename(self, intent: Intent) -> ChatReply:
        if intent.keep == "words":  # "oops, I meant oat milk": in place of the words it overlaps
            task = self._task(intent.ref)
            title = matching.corrected_title(task.title, intent.title or "")
            return self._update_one(intent, task, title=title)
        return self._update_one(intent, title=intent.title)

    def _update(self, intent: Intent) -> ChatReply:
        if intent.rule is not None:
            return self._set_repeat(intent)
        targets = self._tasks(intent.ref)
        if len(targets) == 1:
            return self._update_one(intent, targets[0], **self._changes(intent, targets[0]))
        # "tag 1 and 2 with work", "make 3-5 low priority": each
        return self._update_each(targets, lambda task: self._changes(intent, task))

    def _update_each(
        self, targets: list[Task], change_of: Callable[[Task], dict[str, Any]]
    ) -> ChatReply:
        """update_task on each task, with its own change; one that cannot change says why."""
        reply = ChatReply("")
        texts = []
        for task in targets:
            try:
                texts.append(
                    self._run("update_task", reply, task_id=task.pk, **change_of(task)).summary
                )
            except _Say as say:
                texts.append(str(say))
            except ApplicationError as exc:
                texts.append(f'"{task.title}": {exc.message}')
        reply.text = "\n".join(texts)
        return reply

    def _changes(self, intent: Intent, task: Task) -> dict[str, Any]:
        """The update_task arguments of a priority or tag change to this task."""
        if intent.priority is not None:
            return {"priority": intent.priority}
        current = task.tag_names
        if intent.clear_tags:
            if not current:
                raise _Say(f'"{task.title}" has no tags.')
            return {"tags": []}
        if intent.remove_tags:
            missing = [t for t in intent.remove_tags if t not in current]
            if missing:
                raise _Say(
                    f'"{task.title}" has no tag ' + ", ".join(f"#{t}" for t in missing) + "."
                )
            return {"tags": [t for t in current if t not in intent.remove_tags]}
        return {"tags": current + [t for t in intent.tags if t not in current]}

    def _update_one(self, intent: Intent, task: Task | None = None, **changes: Any) -> ChatReply:
        task = task or self._task(intent.ref)
        before = self._before(task, changes)
        reply = ChatReply("", focus_task_id=task.pk)
        reply.text = self._run("update_task", reply, task_id=task.pk, **changes).summary
        if before is not None:  # "undo" as the next message puts these back
            reply.pending = {"type": "updated", "task_id": task.pk, "before": before}
        return reply

    def _before(self, task: Task, changes: dict[str, Any]) -> dict[str, Any] | None:
        """The update_task arguments that would put back what `changes` change, or None when
        they change a repeat (taken back by setting the repeat again, not by "undo")."""
        if {"recurrence", "whole_series", "stop_recurrence"} & set(changes):
            return None
        before: dict[str, Any] = {}
        for name in ("title", "description", "priority"):
            if name in changes:
                before[name] = getattr(task, name)
        if "tags" in changes:
            before["tags"] = list(task.tag_names)
        if "due" in changes or "clear_due" in changes:
            current = self._local_due(task)
            if current is None:
                before["clear_due"] = True
            else:
                before["due"] = tools.iso(current)
        if changes.get("clear_due"):  # its relative reminders go with the date: back with it
            before["_minutes_before"] = sorted(
                r.offset_minutes
                for r in chat_selectors.task_pending_reminders(task=task)
                if r.offset_minutes is not None
            )
        return before or None

    def _local_due(self, task: Task) -> date | datetime | None:
        if task.due_at is None:
            return None
        local = task.due_at.astimezone(self.zone).replace(tzinfo=None)
        return local.date() if task.all_day else local

    def _set_repeat(self, intent: Intent) -> ChatReply:
        assert intent.rule is not None
        task = self._task(intent.ref)
        due = intent.due
        if due is None:
            # From today, as Todoist starts a repeat typed on a task ("make the gym every
            # Saturday", said on a Friday about Monday's gym, starts tomorrow, not on the Saturday
            # after Monday), at the task's own time of day.
            current = self._local_due(task)
            at = current.time() if isinstance(current, datetime) else None
            try:
                due = repeats.first_occurrence(intent.rule, self.clock.today, at, self.clock)
            except phrases.Clarify as question:
                raise _Say(str(question)) from None
        return self._update_one(intent, task=task, due=tools.iso(due), recurrence=intent.rule)

    def _reschedule(self, intent: Intent) -> ChatReply:
        targets = self._tasks(intent.ref)
        if len(targets) == 1:
            task = targets[0]
            if intent.clear_due:
                return self._update_one(intent, task=task, clear_due=True)
            due = tools.iso(self._new_due(task, intent))
            if intent.series and task.series_id is not None:  # "from now on": the later ones too
                return self._update_one(intent, task=task, due=due, whole_series=True)
            return self._update_one(intent, task=task, due=due)
        # "move today's tasks to tomorrow": each keeps its own time; one that cannot move says why.
        return self._update_each(
            targets,
            lambda task: (
                {"clear_due": True}
                if intent.clear_due
                else {"due": tools.iso(self._new_due(task, intent))}
            ),
        )

    def _new_due(self, task: Task, intent: Intent) -> date | datetime:
        """Where a reschedule puts this task's due (a shift moves it, a date keeps its time)."""
        current = self._local_due(task)
        if intent.shift is not None:
            if current is None:
                raise _Say(f'"{task.title}" has no due date to move. Say e.g. "move it to Friday".')
            new: date | datetime = current + intent.shift
            if not isinstance(current, datetime) and (intent.shift.hours or intent.shift.minutes):
                raise _Say(f'"{task.title}" is due all day; move it by days, or to a time.')
        else:
            new = intent.due  # type: ignore[assignment]
            if intent.keep == "time" and isinstance(current, datetime):
                new = datetime.combine(intent.due, current.time())  # type: ignore[arg-type]
            elif intent.keep == "date" and current is not None:
                day = current.date() if isinstance(current, datetime) else current
                new = datetime.combine(day, intent.due.time())  # type: ignore[union-attr]
                if intent.either_half and isinstance(current, datetime):
                    new = self._nearer_half(new, current)
        if isinstance(new, datetime) and new <= self.clock.now:
            raise _Say(phrases.already_passed(new))
        return new

    def _nearer_half(self, new: datetime, current: datetime) -> datetime:
        """ "Dinner at 19:00, change it to 8": 20:00, the 8 o'clock nearer the time it had (a
        past one never wins over one still ahead)."""
        other = new + timedelta(hours=12) if new.hour < 12 else new - timedelta(hours=12)
        if other <= self.clock.now:
            return new
        if new <= self.clock.now or abs(other - current) < abs(new - current):
            return other
        return new

    def _remind(self, intent: Intent) -> ChatReply:
        task = self._task(intent.ref)
        try:
            specs = phrases.resolve_reminders(
                list(intent.reminders or ()), self._local_due(task), self.clock, title=task.title
            )
        except phrases.Clarify as question:
            raise _Say(str(question)) from None
        for spec in specs or ():
            # A one-off's reminder that has passed: the API would fire it at once; asked for by
            # name it is a mistake. (A series' applies to the occurrences to come as well.)
            if spec.offset_minutes is not None and task.due_at and task.series_id is None:
                fires = services.relative_fire_at(
                    due_at=task.due_at,
                    all_day=task.all_day,
                    zone=self.zone,
                    offset_minutes=spec.offset_minutes,
                )
                if fires <= self.now:
                    when = formatting.when_text(fires, all_day=False, zone=self.zone, now=self.now)
                    raise _Say(f"A reminder {formatting.duration_text(spec.offset_minutes)} before "
                               f'"{task.title}" would be {when}, which has passed.')  # fmt: skip
        reply = ChatReply("", focus_task_id=task.pk)
        texts = []
        with transaction.atomic():  # "change the reminder": the old ones go only if the new come
            if intent.replace_reminders:
                removed = self._run("remove_reminders", reply, task_id=task.pk)
                if removed.actions:
                    texts.append(removed.summary)
            for spec in specs or ():
                arguments = (
                    {"minutes_before": spec.offset_minutes}
                    if spec.offset_minutes is not None
                    else {"at": tools.iso(spec.at)}
                )
                texts.append(self._run("add_reminder", reply, task_id=task.pk, **arguments).summary)
        reply.text = "\n".join(texts)
        added = [a["reminder_id"] for a in reply.actions if a["type"] == "reminder.added"]
        if added and not intent.replace_reminders:  # "undo" as the next message removes them
            reply.pending = {"type": "reminded", "task_id": task.pk, "reminder_ids": added}
        return reply

    def _snooze(self, intent: Intent) -> ChatReply:
        task = self._task(intent.ref) if intent.ref is not None else None
        minutes = intent.minutes or SNOOZE_DEFAULT_MINUTES
        reply = ChatReply("")
        result = self._run(
            "snooze_reminder", reply, task_id=task.pk if task else None, minutes=minutes
        )
        reply.text = result.summary
        if intent.minutes is None:
            reply.text += (
                f' ({SNOOZE_DEFAULT_MINUTES} minutes is the default; say e.g. "snooze 1 hour".)'
            )
        reply.focus_task_id = result.tasks[0].pk
        return reply

    # ------------------------------------------------------------ conversation

    def _help(self, intent: Intent) -> ChatReply:
        return ChatReply(HELP)

    def _now_is(self, intent: Intent) -> ChatReply:
        local = self.now.astimezone(self.zone)
        day = f"{local:%A}, {local:%B} {local.day}, {local.year}"
        return ChatReply(f"It's {timefmt.clock(local)} on {day} ({self.zone.key}).")

    def _how_are_you(self, intent: Intent) -> ChatReply:
        return ChatReply('All good, thanks! What can I do for you? Say "help" for examples.')

    def _thanks(self, intent: Intent) -> ChatReply:
        return ChatReply("You're welcome!")

    def _bye(self, intent: Intent) -> ChatReply:
        return ChatReply("Bye! Your reminders keep running.")

    def _show(self, intent: Intent) -> ChatReply:
        found = list({t.pk: t for t in self._tasks(intent.ref)}.values())
        text = "\n".join(
            f'"{t.title}": {formatting.task_details(t, zone=self.zone, now=self.now)}.'
            + (f"\nNotes: {t.description.strip()}" if t.description.strip() else "")
            for t in found
        )
        return ChatReply(text, tasks=found, focus_task_id=found[0].pk if len(found) == 1 else None)

    def _clarify(self, intent: Intent) -> ChatReply:
        reply = ChatReply(intent.question or "Could you say that differently?")
        if intent.answers:
            reply.pending = {"type": "answer", "answers": [list(a) for a in intent.answers]}
        elif intent.amend:
            message, *drop = intent.amend
            reply.pending = {"type": "when", "message": message, "drop": drop}
        return reply

    def _yes(self, intent: Intent) -> ChatReply:
        return ChatReply("There's no question waiting for a yes. What would you like to do?")

    def _no(self, intent: Intent) -> ChatReply:
        return ChatReply("OK.")

    def _choose(self, intent: Intent) -> ChatReply:
        number = intent.ref.numbers[0] if intent.ref and intent.ref.numbers else 1
        return ChatReply(f'What should I do with {number}? Say e.g. "complete {number}", '
                         f'"delete {number}" or "move {number} to Friday".')  # fmt: skip

    def _unknown(self, intent: Intent) -> ChatReply:
        if intent.suggestion is None:
            return ChatReply(
                'Sorry, I didn\'t understand that. Say "help" for examples, or start with '
                '"add" to add a task.'
            )
        said = preview(intent, zone=self.zone, now=self.now)
        return ChatReply(
            f'Do you want me to add "{intent.title}" — {said}? Say "yes" to add it.',
            pending={"type": "confirm", "message": intent.suggestion},
        )

    def _offer_again(self, message: str) -> ChatReply:
        intent = parsing.parse(message, now=self.now, zone=self.zone)
        if intent.kind == "clarify":
            return self._clarify(intent)
        if intent.kind != "add":
            return ChatReply("Which task do you mean? Give its number from the list, or its title.")
        offer = Intent("unknown", suggestion=message, title=intent.title, due=intent.due,
                       rule=intent.rule, reminders=intent.reminders, tags=intent.tags,
                       priority=intent.priority)  # fmt: skip
        return self._unknown(offer)


def _answered(text: str, answers: list[list[str]], clock: phrases.Clock) -> str | None:
    """The message an answer to a question stands for ("on Friday", "the first one", "both"),
    or None when the text answers none of them (it is then a message of its own)."""

    def plain(words: str) -> str:
        words = re.sub(r"[^\w\s']", " ", words.lower())
        words = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", words)  # "March 4th": "march 4"
        words = re.sub(r"^\s*(?:(?:on|the|its|it's|make\s+it|due|how\s+about)\s+)+", "", words)
        return re.sub(r"\s+one$", "", re.sub(r"\s+", " ", words).strip())

    def as_date(words: str) -> date | None:  # "April 3rd" and "3 April" are one date
        try:
            return phrases.parse_date(words, clock)[0]
        except phrases.Clarify:
            return None

    said = plain(text)
    for answer, message in answers:
        day = phrases.WEEKDAY_NAMES.get(answer.split()[-1].lower())
        if said == plain(answer) or (day is not None and phrases.WEEKDAY_NAMES.get(said) == day):
            return message
    on = as_date(said)
    for answer, message in answers:
        if on is not None and as_date(plain(answer)) == on:
            return message
    return None


def _about_focus(intent: Intent) -> bool:
    return intent.ref is not None and intent.ref.focus


def preview(intent: Intent, *, zone: ZoneInfo, now: datetime) -> str:
    """What adding this task would do, in words, without doing it: "every Monday at 07:00,
    first on Mon, Mar 9 at 07:00; reminder 10 minutes before; #gym" (the yes/no question, the
    web app's quick add)."""
    text = _preview_due(intent, zone=zone, now=now)
    if intent.reminders:
        due_at, all_day = (
            services.due_in_zone(intent.due, zone) if intent.due is not None else (None, False)
        )
        timings = [
            formatting.reminder_text(
                _Timing(
                    r.offset_minutes,
                    recurrence.local_to_utc(r.at, zone)
                    if r.at is not None
                    else services.relative_fire_at(
                        due_at=due_at, all_day=all_day, zone=zone, offset_minutes=r.offset_minutes
                    )
                    if due_at is not None and r.offset_minutes is not None
                    else None,
                ),
                zone=zone,
                now=now,
                all_day=all_day,
            )
            for r in intent.reminders
        ]
        label = "reminder" if len(timings) == 1 else "reminders"
        text += f"; {label} {formatting.join(timings)}"
    if intent.tags:
        text += "; " + " ".join(f"#{tag}" for tag in intent.tags)
    if intent.priority and intent.priority != "none":
        text += f"; {intent.priority} priority"
    return text


def _preview_due(intent: Intent, *, zone: ZoneInfo, now: datetime) -> str:
    due = intent.due
    if due is None:
        return "no due date"
    all_day = not isinstance(due, datetime)
    wall = due if isinstance(due, datetime) else datetime.combine(due, phrases.END_OF_DAY)
    moment = recurrence.local_to_utc(wall, zone)
    if intent.rule is None:
        return f"due {formatting.when_text(moment, all_day=all_day, zone=zone, now=now)}"
    rec = recurrence.build(intent.rule.to_rrule(), dtstart=wall, tz=zone, anchor=intent.rule.anchor)
    text = recurrence.describe(rec)
    if all_day:
        text = formatting.without_all_day_time(text)
    first = formatting.on_when(moment, all_day=all_day, zone=zone, now=now)
    return f"{text}, first {first}"


def into_list(user: User, title: str, tags: tuple[str, ...]) -> tuple[str, list[str]]:
    """A title that says which list it goes on, as a tag: ("Passport photos", ["travel"]) for
    "Passport photos to my travel list"; otherwise the title and tags as they are."""
    into = _INTO_TAG.fullmatch(title)
    if into is None or (
        into["items"] and into["items"].split()[0].lower() in _GOING_VERBS
    ):  # "drive kids and dog to work": where they go, not a list
        return title, list(tags)
    # "to my travel list" names its list; "to groceries" only if that is a tag already
    tag = (
        into["tag"].lower()
        if into["tag"]
        else chat_selectors.tag_named(user=user, name=into["tag2"])
    )
    if tag is None:
        return title, list(tags)
    return into["title"] or into["items"], list(tags) if tag in tags else [*tags, tag]
