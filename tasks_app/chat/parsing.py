"""What a chat message asks for: text + now + zone -> an `Intent`. Pure: no database.

Intents: add, list, show, complete, reopen, delete, rename, update (priority, tags, recurrence),
reschedule, remind, unremind, snooze, skip, stop_series, undo, note, help; plus the answers
to a question the assistant asked (yes, no, choose), clarify (a question back instead of an action)
and unknown.

Tasks are referred to by their number in the last list shown ("complete 2", "done 1 and 3",
"the second one"), by "it"/"that" (the task last acted on), or by title (matched by the
interpreter against the user's tasks). Dates, times, reminders and recurrence are read by
`phrases` (see its docstring for the defaults: all-day without a time, "tonight" = 20:00, ...).

The parser never guesses silently: a message it reads only in part, or that could mean two
things, becomes `Intent(kind="clarify", question=...)`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from . import phrases, repeats
from .phrases import (
    DATE_ATOM,
    DURATION,
    MONTH,
    TIME_ATOM,
    WD_ANY,
    Clarify,
    Clock,
    Phrase,
    ReminderSpec,
)
from .rules import RecurrenceRule

MESSAGE_MAX = 2000


@dataclass(frozen=True)
class TaskRef:
    numbers: tuple[int, ...] = ()  # positions in the last list shown; -1 = its last item
    title: str | None = None
    alternatives: tuple[str, ...] = ()  # other readings of the title, tried if it matches none
    focus: bool = False  # "it", "that": the task last acted on
    exact: bool = False  # the title as it is (but case and articles), not a part or a typo
    listed: bool = False  # "both", "all of them": every task of the last list shown
    listed_count: int | None = None  # "both" is 2, "all three" 3: the size that list must have
    view: str | None = None  # "today's tasks", "everything overdue": each task of that view


@dataclass(frozen=True)
class ListQuery:
    # open | today | tomorrow | day | week | next_week | weekend | month | next | overdue |
    # upcoming | undated | completed
    view: str = "open"
    day: date | None = None
    tag: str | None = None
    search: str | None = None
    priority: str | None = None
    repeating: bool = False
    reminded: bool = False  # "what reminders do I have": tasks with reminders, and those
    until: date | None = None  # range / completed: the last day (inclusive); `day` the first
    count: bool = False  # "how many tasks do I have": the answer says how many


@dataclass(frozen=True)
class Intent:
    kind: str
    ref: TaskRef | None = None
    title: str | None = None
    due: date | datetime | None = None  # local wall time; a date is all-day
    # reschedule: "date" keeps the task's date (only a time was said), "time" keeps its time.
    # rename: "words" puts the title said in place of the words of the current one it
    # overlaps ("Buy milk", "I meant oat milk": "Buy oat milk")
    keep: str | None = None
    either_half: bool = False  # reschedule: "to 8" (no am/pm): 08:00 or 20:00, whichever is nearer
    series: bool = False  # reschedule "from now on": a repeating task's later occurrences too
    clear_tags: bool = False  # update: "untag it"
    clear_note: bool = False  # note: "delete the note"
    clear_due: bool = False
    shift: relativedelta | None = None  # "postpone 1 by 2 days"
    rule: RecurrenceRule | None = None
    reminders: tuple[ReminderSpec, ...] | None = None  # None: the user's default offsets
    replace_reminders: bool = False  # remind: "change the reminder to 7:30" replaces them
    tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    priority: str | None = None
    query: ListQuery | None = None
    minutes: int | None = None  # snooze; None: the default
    note: str | None = None  # note: text to add to the task's notes
    question: str | None = None  # clarify
    # unknown: a message to run if the user says yes; complete: the add to offer when no open
    # task matches ("finish the report")
    suggestion: str | None = None
    # complete: what the message means when no open task matches ("I called mom" with none)
    otherwise: Intent | None = None
    # clarify: the answers the question takes, each with the message it stands for
    # (("friday", "call mom friday"), ("both", "call mom every monday and friday"))
    answers: tuple[tuple[str, str], ...] = ()
    # clarify: a question answered with a due: (the message, the phrases of its earlier due)
    amend: tuple[str, ...] = ()


def parse_task(text: str, *, now: datetime, zone: ZoneInfo) -> Intent:
    """The whole text as a task to add (the web app's quick add): its title, due, repeat,
    reminders, tags and priority. Raises Clarify with the question when it is unclear."""
    original, _ = _clean(text)
    return _add(original, Clock.at(now, zone))


def parse(text: str, *, now: datetime, zone: ZoneInfo) -> Intent:
    clock = Clock.at(now, zone)
    original, lower = _clean(text)
    if not lower:
        return Intent("help")
    try:
        if (fixed := _correction(text, clock)) is not None:
            return fixed
        for regex, handler in _COMMANDS:
            match = regex.fullmatch(lower)
            if match:
                intent = handler(_Command(match, original), clock)
                if intent is not None:
                    return intent
        said = text.strip().lower()
        asking = bool(_QUESTION.match(said)) or said.endswith("?")
        if not asking and (done := _done_news(original, clock)) is not None:
            return done
        return _unknown(
            original, clock, chatting=asking or bool(_CHATTER.match(said)), asking=asking
        )
    except Clarify as question:
        return _clarify(question, original)


def _clarify(question: Clarify, message: str) -> Intent:
    """The question to ask back, with the answers it takes when they are few and known."""
    answers: list[tuple[str, str]] = []
    text = str(question)
    if isinstance(question, phrases.WhenAgain):
        return Intent("clarify", question=text, amend=(message, *question.dropped))
    if isinstance(question, phrases.Either):  # "3/4": "March 4" or "3 April" in its place
        said = re.compile(rf"(?<![\w/]){re.escape(question.said)}(?![\w/])", re.IGNORECASE)
        answers = [(option, said.sub(option, message, count=1)) for option in question.options]
        answers += [("first", answers[0][1]), ("second", answers[1][1])]
    if isinstance(question, phrases.TwoDates):
        first, second = question.said
        answers = [(first, _without(message, second)), (second, _without(message, first))]
        answers += [("first", answers[0][1]), ("second", answers[1][1])]
        # Two weekdays said as a pair ("tue and thu", not "Monday to Friday"): "both" repeats
        # on them every week.
        pair = re.search(
            rf"(?<![\w])(?:on\s+)?({WD_ANY})\s*(?:,|and|&|/|\s)\s*(?:on\s+)?({WD_ANY})(?![\w])",
            message,
            re.IGNORECASE,
        )
        if pair and {pair[1].lower(), pair[2].lower()} == {
            re.sub(r"^on\s+", "", said) for said in question.said
        }:
            days = [calendar.day_name[phrases.WEEKDAY_NAMES[d.lower()]] for d in pair.groups()]
            text += f' Or say "both" for every {days[0]} and {days[1]}.'
            both = f"{message[: pair.start()]}every {pair[1]} and {pair[2]}{message[pair.end() :]}"
            answers.append(("both", both))
    return Intent("clarify", question=text, answers=tuple(answers))


def _spans(phrase: Phrase, before: list[bool]) -> tuple[str, ...]:
    """The pieces of the message understood since `before` (a copy of `phrase.used`)."""
    pieces: list[str] = []
    start = None
    for i, (was, now) in enumerate([*zip(before, phrase.used, strict=True), (True, True)]):
        if now and not was and start is None:
            start = i
        elif not (now and not was) and start is not None:
            pieces.append(phrase.original[start:i].strip())
            start = None
    return tuple(piece for piece in pieces if piece)


def answered_with_due(message: str, dropped: list[str], answer: str, clock: Clock) -> str | None:
    """The message to carry out when a question about its due is answered with one ("tomorrow
    at 9", "every day at 8"), or None when the answer is no due (a message of its own)."""
    _, lower = _clean(answer)
    phrase = Phrase(lower)
    try:
        repeat = repeats.take_repeat(phrase, clock)
        when = phrases.take_when(phrase, clock)
    except Clarify:
        return None
    if (repeat is None and when.empty) or phrase.rest().strip(" ,.!"):
        return None
    for said in dropped:
        message = _without(message, said)
    return f"{message} {answer.strip()}"


def _without(message: str, said: str) -> str:
    """The message without one of its phrases, and the word that joined it to the next one
    ("call mom monday and friday" without "monday": "call mom friday")."""
    phrase = rf"(?<![\w]){re.escape(said)}(?![\w])"
    joint = r"\s*(?:,|\band\b|\bor\b|&|/)\s*"
    for regex in (phrase + joint, joint + phrase, phrase):
        trimmed, found = re.subn(regex, " ", message, count=1, flags=re.IGNORECASE)
        if found:
            return re.sub(r"\s+", " ", trimmed).strip()
    return message


# ---------------------------------------------------------------- message cleaning

_LEADING = re.compile(
    r"^(?:please|pls|plz|ok(?:ay)?|so|also|and|now|then|actually|hey|hi|hello"
    r"|(?:can|could|would|will)\s+(?:you|u)(?:\s+please)?"
    r"|i\s+want\s+(?:you\s+)?to|i'?d\s+like\s+(?:you\s+)?to"
    r"|\d{1,2}[.)](?=\s+[^\W\d]))[\s,]+"  # "1. call mom": a list's number
)
_TRAILING = re.compile(
    r"(?:(?:^|[\s,]+)(?:please|pls|plz|thanks|thank\s+you|thx|ty))+$|[\s.!?;,]+$"
)


# Misspellings and shorthands of the words dates are made of, read as the words they stand for
# ("dentist thrusday 3pm" was due today, "gym tonite at 7" tomorrow morning).
_SPELLINGS = {
    "monday": ("monady", "mondy", "mondey"),
    "tuesday": ("tuseday", "teusday", "tueday", "tuesay", "tusday"),
    "wednesday": ("wendesday", "wensday", "wednsday", "wedensday", "wednesay", "wedsday",
                  "wenesday", "wednseday"),
    "thursday": ("thrusday", "thurday", "thursdy", "thurdsay", "thusday"),
    "friday": ("firday", "fridy", "frday", "fridya"),
    "saturday": ("saturady", "satruday", "saterday", "saturdy", "satuday"),
    "sunday": ("sundy", "sunady", "sundey"),
    "tonight": ("tonite", "2nite", "tonigt", "tonght", "2night"),
    "tomorrow": ("2moro", "2morrow", "2mrw", "tomorro", "tomorrw", "tomrw", "tommorrow",
                 "tomorrrow", "tomarrow", "tommorow", "tomorow"),
    "today": ("2day", "todya"),
    "next": ("nxt",),
    # the words of commands, as fast thumbs type them
    "delete": ("delte", "dlete", "deleet", "delet", "deelte"),
    "complete": ("complet", "compelte", "comlete", "complte"),
    "show": ("shwo", "sohw"),
    "list": ("lsit", "lits"),
    "remind": ("remnd", "rmind", "remidn", "reimnd", "remimd"),
    "reminder": ("remnder", "reminer", "reminde"),
    "what's": ("wats", "whta's", "waht's"),
    "what": ("waht", "whta"),
}  # fmt: skip
_MISSPELT = {wrong: right for right, wrongs in _SPELLINGS.items() for wrong in wrongs}
_MISSPELLING = re.compile(rf"(?<![\w'])(?:{'|'.join(_MISSPELT)})(?![\w'])", re.IGNORECASE)


# Times and days said in words, rewritten as digits before reading: "half past three" 3:30,
# "quarter to ten" 9:45, "three o'clock", "first thing tomorrow" (09:00), "on the first" (the
# 1st; not "on the first floor"). Minutes other than half and quarter are left alone ("invite
# five to ten people").
_HOUR_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "noon": 12, "midday": 12, "midnight": 0,
}  # fmt: skip
_HOUR = rf"(?:1[0-2]|0?[1-9]|{'|'.join(_HOUR_WORDS)})"
_CLOCK_HOUR = "|".join(list(_HOUR_WORDS)[:12])  # "three o'clock", not "noon o'clock"
_SPOKEN_TIME = re.compile(
    rf"(?<![\w'])(?:a\s+)?(?P<m>half|quarter)\s+(?P<dir>past|after|to|till|til|of|before)\s+"
    rf"(?P<h>{_HOUR})(?![\w':])"
    rf"|(?<![\w'])(?P<oh>{_CLOCK_HOUR})\s+o'?clock(?![\w'])",
    re.IGNORECASE,
)
_DAY_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty-second": 22,
    "twenty-third": 23, "twenty-fourth": 24, "twenty-fifth": 25, "twenty-sixth": 26,
    "twenty-seventh": 27, "twenty-eighth": 28, "twenty-ninth": 29, "thirtieth": 30,
    "thirty-first": 31,
}  # fmt: skip
_SPOKEN_DAY = re.compile(
    rf"(?<![\w'])(?P<lead>(?:on|by|due|before|until|till)\s+the\s+)"
    rf"(?P<d>{'|'.join(sorted(_DAY_ORDINALS, key=len, reverse=True)).replace('-', '[- ]')})"
    r"(?=\s*$|\s*[,.!?]|\s+(?:of\s+|at\s+|@|\d))",
    re.IGNORECASE,
)
_FIRST_THING = re.compile(
    r"(?<![\w'])first\s+thing(?:\s+in\s+the\s+morning)?(?=\s*$|\s*[,.!?]|\s+(?:tomorrow|tmrw"
    rf"|today|next\s|this\s|(?:on\s+)?{WD_ANY}(?![\w])))",
    re.IGNORECASE,
)


def _spoken_time(match: re.Match[str]) -> str:
    if match["oh"]:
        return f"{_HOUR_WORDS[match['oh'].lower()]} o'clock"
    said = match["h"].lower()
    hour = _HOUR_WORDS[said] if said in _HOUR_WORDS else int(said)
    minutes = 30 if match["m"].lower() == "half" else 15
    if match["dir"].lower() in ("to", "till", "til", "of", "before"):
        hour, minutes = (hour - 1) % 12 or 12, 60 - minutes
    if said in ("noon", "midday"):
        return f"{hour}:{minutes:02d}pm"
    if said == "midnight":
        return f"{hour}:{minutes:02d}{'pm' if hour == 11 else 'am'}"
    return f"{hour}:{minutes:02d}"


def _spoken_day(match: re.Match[str]) -> str:
    day = _DAY_ORDINALS[re.sub(r"\s+", "-", match["d"].lower())]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day, "th")
    return f"{match['lead']}{day}{suffix}"


def _clean(text: str) -> tuple[str, str]:
    """(original, lower-cased) with politeness and end punctuation trimmed, same length."""
    text = text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'",
                                         "\u2019": "'", "\u2013": "-", "\u2014": "-"}))  # fmt: skip
    text = re.sub(r"\s+", " ", text).strip()
    text = _MISSPELLING.sub(lambda m: _MISSPELT[m[0].lower()], text)
    text = _SPOKEN_TIME.sub(_spoken_time, text)
    text = _SPOKEN_DAY.sub(_spoken_day, text)
    text = _FIRST_THING.sub("at 9am", text)
    lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if re.fullmatch(r"\?+", lower):
        return text, lower
    start, end = 0, len(lower)
    while match := _LEADING.match(lower, start, end):
        start = match.end()
    while match := _TRAILING.search(lower[start:end]):
        if match.start() == match.end():
            break
        end = start + match.start()
    if start == end:  # the message was only politeness ("thanks!"): keep its words
        end = len(lower.rstrip(".!?"))
        start = 0
    return text[start:end], lower[start:end]


class _Command:
    """A command match with access to the original-case text of its groups."""

    def __init__(self, match: re.Match[str], original: str) -> None:
        self.match = match
        self.original = original

    def __getitem__(self, name: str) -> str | None:
        if self.match.group(name) is None:
            return None
        return self.original[self.match.start(name) : self.match.end(name)]

    def has(self, name: str) -> bool:
        return name in self.match.groupdict() and self.match.group(name) is not None


Handler = Callable[[_Command, Clock], Intent | None]
_COMMANDS: list[tuple[re.Pattern[str], Handler]] = []


def _command(*regexes: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for regex in regexes:
            _COMMANDS.append((re.compile(regex), handler))
        return handler

    return register


# ---------------------------------------------------------------- task references

_ORDINAL_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
                  "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1}  # fmt: skip
_FOCUS = r"(?:it|that|this|that\s+one|this\s+one|the\s+one\s+i\s+just\s+added|the\s+last\s+one\s+i\s+added)"  # noqa: E501
_NUMBER_LIST = r"\d{1,3}(?:\s*(?:,|and|&|\s)\s*(?:(?:task|item|number|no\.?|#)\s*)?\d{1,3})*"


# "today's tasks", "all of the overdue ones", "everything due today", "all tasks overdue".
_VIEW_REF = re.compile(
    r"(?:all\s+(?:of\s+)?|each\s+of\s+)?(?:my\s+|the\s+)?(?P<a>today'?s|overdue)"
    r"(?:\s+(?:tasks?|todos?|to-?dos?|items?|stuff|ones|things))?"
    r"|(?:everything|all(?:\s+(?:of\s+)?(?:my|the))?(?:\s+(?:tasks?|todos?|to-?dos?|items?|things))?)"
    r"(?:\s+(?:that'?s|that\s+is|which\s+is|from|for|on))?\s+(?:due\s+)?(?P<b>today|overdue)"
)


def _ref(text: str | None) -> TaskRef:
    text = (text or "").strip().strip(",;:")
    lower = text.lower()
    lower_stripped = re.sub(r"^(?:the\s+|my\s+)?(?:task|item|number|no\.?)\s*(?=#?\d)", "", lower)
    offset = len(lower) - len(lower_stripped)
    lower, text = lower_stripped, text[offset:]
    lower_trimmed = re.sub(r"\s+(?:task|item|one|todo)$", "", lower)
    if lower_trimmed and lower_trimmed != lower:
        text, lower = text[: len(lower_trimmed)], lower_trimmed
    if not lower:
        raise Clarify("Which task? Give its number from the list, or its title.")
    if re.fullmatch(_FOCUS, lower):
        return TaskRef(focus=True)
    if match := _VIEW_REF.fullmatch(lower):
        return TaskRef(
            view="today" if (match["a"] or match["b"]).startswith("today") else "overdue"
        )
    if match := re.fullmatch(r"#?(\d{1,3})\s*(?:-|to|through|thru)\s*#?(\d{1,3})", lower):
        first, last = int(match[1]), int(match[2])
        if not 1 <= first <= last or last - first > 49:
            raise Clarify(f'"{text}" is not a range of list numbers I can use.')
        return TaskRef(numbers=tuple(range(first, last + 1)))
    if re.fullmatch(r"#?" + _NUMBER_LIST, lower):
        return TaskRef(numbers=tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", lower))))
    if match := re.fullmatch(
        r"(?P<both>both)(?:\s+of\s+(?:them|those))?|(?:all|each)\s+of\s+(?:them|those|these)"
        r"|them\s+all|all\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
        r"(?:\s+of\s+them)?|(?:all\s+)?(?:those|these)(?:\s+ones)?"
        r"|(?:all\s+)?the\s+(?:ones|tasks)\s+(?:above|listed)",
        lower,
    ):
        count = 2 if match["both"] else phrases.number(match["n"]) if match["n"] else None
        return TaskRef(listed=True, listed_count=count)
    if match := re.fullmatch(
        r"(?:the\s+)?first\s+(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})(?:\s+ones)?",
        lower,
    ):  # "the first two": 1 and 2 of the last list
        return TaskRef(numbers=tuple(range(1, phrases.number(match[1]) + 1)))
    if match := re.fullmatch(
        r"(?:the\s+)?(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)(?:\s+one)?", lower
    ):
        return TaskRef(numbers=(_ORDINAL_WORDS[match[1]],))
    if match := re.fullmatch(r"\"([^\"]+)\"|'([^']+)'", text):
        return TaskRef(title=(match[1] or match[2]).strip())
    title = re.sub(r"^(?:the|my)\s+", "", text, flags=re.IGNORECASE).strip()
    return TaskRef(title=title)


def _ref_and_rest(phrase: Phrase) -> TaskRef:
    """The task reference left once the values in a command were understood."""
    rest = phrase.rest()
    rest = re.sub(r"^(?:(?:about|of|for|on|to|from)\s+)+", "", rest, flags=re.IGNORECASE)
    rest = re.sub(r"(?:\s+(?:to|until|till|for|on|at|about|of|by|from))+$", "", rest,
                  flags=re.IGNORECASE)  # fmt: skip
    return _ref(rest)


# ---------------------------------------------------------------- small talk and answers


@_command(
    r"(?:help|\?+|what\s+can\s+you\s+do|what\s+do\s+you\s+do|how\s+does\s+(?:this|it)\s+work"
    r"|commands|usage|hi|hello|hey|good\s+(?:morning|afternoon|evening)|start|menu|examples?"
    r"|who\s+are\s+you|what\s+are\s+you)"
)
def _help(cmd: _Command, clock: Clock) -> Intent:
    return Intent("help")


@_command(
    r"how\s+are\s+(?:you|u)(?:\s+doing)?(?:\s+today)?|how'?s\s+it\s+going|what'?s\s+up|how\s+do\s+you\s+do"
)
def _how_are_you(cmd: _Command, clock: Clock) -> Intent:
    return Intent("how_are_you")


@_command(
    r"what(?:'s|\s+is)\s+the\s+(?:time|date|day)(?:\s+(?:now|today|it\s+is))?",
    r"what\s+(?:time|day|date)\s+is\s+(?:it|today)(?:\s+(?:now|today))?",
    r"(?:what(?:'s|\s+is)\s+)?today'?s\s+date",
)
def _now_is(cmd: _Command, clock: Clock) -> Intent:
    """ "what time is it", "what's the date": the user's own clock, as the app reads it."""
    return Intent("now_is")


@_command(
    r"(?:thanks|thank\s+you|thx|ty|cheers|great|cool|nice|perfect|awesome)"
    r"(?:\s+(?:so|very)\s+much|\s+a\s+lot|\s+again|\s+a\s+bunch)?"
)
def _thanks(cmd: _Command, clock: Clock) -> Intent:
    return Intent("thanks")


@_command(
    r"(?:good\s*night|bye|goodbye|bye\s*bye|see\s+(?:you|ya)(?:\s+later)?|ttyl"
    r"|i(?:'?m|\s+am)\s+done(?:\s+for\s+(?:now|today|the\s+day))?)"
)
def _bye(cmd: _Command, clock: Clock) -> Intent:
    return Intent("bye")


@_command(r"(?:done|did\s+it|finished|all\s+done|that'?s\s+done|it'?s\s+done)")
def _done_with_focus(cmd: _Command, clock: Clock) -> Intent:
    """ "done" on its own: the task we last talked about."""
    return Intent("complete", ref=TaskRef(focus=True))


@_command(
    r"(?:yes|y|yeah|yep|yup|sure|ok|okay|do\s+it|go\s+ahead|please\s+do|confirm|correct|right"
    r"|sounds\s+(?:good|great|right)|that\s+works|works\s+for\s+me)"
)
def _yes(cmd: _Command, clock: Clock) -> Intent:
    return Intent("yes")


@_command(r"(?:no|n|nope|nah|cancel|never\s*mind|forget\s+it|don'?t|stop)")
def _no(cmd: _Command, clock: Clock) -> Intent:
    return Intent("no")


@_command(
    r"(?:(?:number|no\.?|item|task|#)\s*)?(?P<n>\d{1,3})",
    r"(?:the\s+)?(?P<ord>first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)(?:\s+one)?",
)
def _choose(cmd: _Command, clock: Clock) -> Intent:
    number = int(cmd["n"]) if cmd.has("n") else _ORDINAL_WORDS[(cmd["ord"] or "").lower()]
    return Intent("choose", ref=TaskRef(numbers=(number,)))


# ---------------------------------------------------------------- reminders, series, snooze


@_command(
    r"(?:remove|delete|cancel|clear|drop|turn\s+off|disable|stop)\s+(?:the\s+|all\s+(?:the\s+)?"
    r"|any\s+|my\s+)?reminders?\s+(?:(?:for|from|on|of|about|to)\s+)?(?P<ref>.+)",
    r"(?:no|without)\s+reminders?\s+(?:for|on|about)\s+(?P<ref>.+)",
    r"(?:don'?t|do\s+not)\s+remind\s+me\s+(?:about|of)\s+(?P<ref>.+?)(?:\s+any\s*more)?",
    # "remove the reminder", "no reminders": of the task in focus
    r"(?:remove|delete|cancel|clear|drop|turn\s+off|disable|stop)\s+(?:the\s+|all\s+(?:the\s+)?"
    r"|any\s+|its\s+|my\s+)?reminders?",
    r"(?:no\s+reminders?|don'?t\s+remind\s+me(?:\s+any\s*more)?)",
)
def _unremind(cmd: _Command, clock: Clock) -> Intent:
    ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
    return Intent("unremind", ref=ref)


_REPEAT_WORDS = r"(?:repeat(?:ing|s)?|recurrence|recurring|series|repetition)"


@_command(
    rf"(?:stop|end|cancel|remove|delete|turn\s+off|disable|clear)\s+(?:the\s+)?{_REPEAT_WORDS}"
    r"\s+(?:(?:of|for|on|from)\s+)?(?P<ref>.+)",
    r"stop\s+(?P<ref>.+?)\s+(?:from\s+)?(?:repeating|recurring)",
    r"(?:don'?t|do\s+not|no\s+longer)\s+repeat\s+(?P<ref>.+?)(?:\s+any\s*more)?",
    r"make\s+(?P<ref>.+?)\s+(?:a\s+)?(?:one[- ]?(?:off|time)|non[- ]?recurring|not\s+recurring)"
    r"(?:\s+task)?",
    r"(?P<ref>.+?)\s+(?:should\s+)?(?:no\s+longer|not|doesn'?t\s+need\s+to|does\s+not\s+need\s+to"
    r"|shouldn'?t)\s+(?:repeat|recur)(?:\s+any\s*more)?",
)
def _stop_series(cmd: _Command, clock: Clock) -> Intent:
    return Intent("stop_series", ref=_ref(cmd["ref"]))


_SKIP_WHEN = (
    r"(?:for\s+)?(?:today|tonight|this\s+(?:time|week|month|morning|afternoon|evening)|once)"
)


@_command(
    r"skip\s+(?:the\s+)?(?:next|this|current|upcoming)\s+(?:one|occurrence|time)"
    r"(?:\s+(?:of|for)\s+(?P<ref>.+))?",
    rf"skip\s+(?:{_FOCUS}\s+)?{_SKIP_WHEN}",  # "skip today": the task in focus
    rf"skip\s+(?P<ref>.+?)(?:\s+{_SKIP_WHEN}|\s+next\s+(?:time|week|month))?(?:\s+once)?",
    # "I don't have to go to the gym today": this time only (without "today": not at all)
    rf"(?:i\s+|we\s+)?(?:don'?t|do\s+not)\s+(?:need|have)\s+to\s+(?P<ref>.+?)\s+{_SKIP_WHEN}",
)
def _skip(cmd: _Command, clock: Clock) -> Intent:
    """ "skip it", "skip gym this week": the open occurrence goes, the next one comes. "skip
    next tuesday", "skip yoga on thursday": the open one, if it falls on that day."""
    if not cmd.has("ref"):
        return Intent("skip", ref=TaskRef(focus=True))
    phrase = Phrase(cmd["ref"] or "")
    try:
        when = phrases.take_when(phrase, clock)
    except Clarify:
        when = None
    if when is None or when.empty or when.day is None or when.times:
        return Intent("skip", ref=_ref(cmd["ref"]))
    rest = re.sub(r"(?:\s+(?:on|for))+$", "", phrase.rest().strip(), flags=re.IGNORECASE)
    return Intent("skip", ref=_ref(rest) if rest else TaskRef(focus=True), due=when.day)


@_command(r"snooze(?:\s+(?P<rest>.+))?")
def _snooze(cmd: _Command, clock: Clock) -> Intent:
    phrase = Phrase(cmd["rest"] or "")
    minutes = None
    if match := re.fullmatch(r"(?:for\s+)?(5|10|15|20|25|30|45|60|90|120)", cmd["rest"] or ""):
        # "snooze 15": minutes, as a snooze button would say; a list number is "snooze task 2"
        return Intent("snooze", minutes=int(match[1]))
    if match := phrase.take(rf"(?<!\w)(?:for\s+)?(?:another\s+)?({DURATION})"):
        minutes = phrases.duration_minutes(phrases.parse_duration(match[1]))
    elif phrase.take(r"(?<!\w)(?:until|till|til|to)\s+(?=\S)"):
        when = phrases.take_when(phrase, clock)
        until = phrases.due_from(when, clock)
        if not isinstance(until, datetime):
            raise Clarify('Until what time? Say e.g. "snooze until 5pm".')
        minutes = int((until - clock.now).total_seconds() // 60)
    rest = phrase.rest()
    # "snooze the reminder", "snooze it": the reminder that went off last, as "snooze" alone
    rest = re.sub(
        r"^(?:(?:the|my|that|this|last)\s+)*(?:reminders?|notifications?|alarm)(?:\s+(?:for|of|on|about))?"
        r"\s*",
        "",
        rest,
        flags=re.IGNORECASE,
    ).strip()
    ref = _ref(rest) if rest else None
    return Intent("snooze", ref=ref, minutes=minutes)


@_command(
    r"remind\s+me\s+(?:about|of)\s+(?P<rest>.+)",
    r"(?:add|set|create|put|schedule)\s+(?:up\s+)?(?:a\s+|another\s+|an\s+extra\s+)?reminders?"
    r"\s+(?P<prep>for|to|on|about|of)\s+(?P<rest>.+)",
    r"remind\s+me\s+(?P<spec>(?!to\s).+?)\s+(?:about|of)\s+(?P<ref>.+)",
    # "remind me 2 hours before my flight (at 7pm tomorrow)"
    rf"remind\s+me\s+(?P<spec>(?:{DURATION}|an?\s+(?:hour|day|week))\s+before)\s+"
    r"(?!(?:at|on|in|by)\s|\d|(?:each|every|it|that|this)\b|the\s+(?:day|night|evening|morning)\b)"
    r"(?P<ref>.+)",
)
def _remind(cmd: _Command, clock: Clock) -> Intent | None:
    if cmd.has("spec"):
        spec_phrase = Phrase(cmd["spec"] or "")
        specs = phrases.take_reminders(spec_phrase, clock, trigger=False) or []
        if spec_phrase.rest() or not specs:
            return None  # not "remind me <when> about <task>": maybe "remind me to ..."
        ref = _ref(cmd["ref"])
        if ref.title is None:  # "remind me at 8am tomorrow about 3"
            return Intent("remind", ref=ref, reminders=tuple(specs))
        # No task of that name: a new one, due when it says ("remind me 2 hours before my
        # flight at 7pm tomorrow"), or due when the reminder is ("… in 2 days about the package")
        before = bool(re.search(r"\bbefore$", cmd["spec"] or "", re.IGNORECASE))
        said = f"{cmd['ref']}, remind me {cmd['spec']}" if before else f"{cmd['ref']} {cmd['spec']}"
        try:
            added = _add(said, clock, reminder_at_due=not before)
        except Clarify as question:
            added = _clarify(question, f"remind me to {said}")
        try:
            dated = _add(cmd["ref"] or "", clock).due is not None
        except Clarify:
            dated = False
        if dated and added.kind == "add":
            return added  # "my flight at 7pm tomorrow": a task of its own, new
        return Intent("remind", ref=ref, reminders=tuple(specs), otherwise=added)
    if (
        cmd.has("prep")
        and (cmd["prep"] or "").lower() == "to"
        and not re.match(
            r"(?:the|my|it|that|this|task|item|number|no\.?|#|\d)\b", (cmd["rest"] or "").lower()
        )
    ):
        # "set a reminder to call mom at 5pm": a task to add, as "remind me to ..." is
        return _add(cmd["rest"] or "", clock, reminder_at_due=True)
    phrase = Phrase(cmd["rest"] or "")
    specs = phrases.take_reminders(phrase, clock, trigger=False) or []
    if not specs and re.match(rf"{TIME_ATOM}(?![\w:])", cmd["rest"] or ""):
        # "set a reminder for 3pm", "for 7:30 tomorrow": at that time
        phrase = Phrase(f"at {cmd['rest']}")
        specs = phrases.take_reminders(phrase, clock, trigger=False) or []
    # "set a reminder for 10 minutes before": for the task in focus
    ref = _ref_and_rest(phrase) if phrase.rest().strip(" ,.") else TaskRef(focus=True)
    if not specs:
        raise Clarify('When should I remind you? Say e.g. "30 minutes before" or "at 8am".')
    return Intent("remind", ref=ref, reminders=tuple(specs))


@_command(
    r"(?:remind\s+me|(?:add|set)\s+(?:a\s+)?reminders?)\s+(?P<spec>.+)",
    rf"(?:(?:and|also|plus)\s+)*(?:(?:another|a)\s+(?:reminder\s+)?)?"
    rf"(?P<spec>{phrases.RELATIVE_REMINDER_LIST})(?:\s+too|\s+as\s+well)?",
)
def _remind_focus(cmd: _Command, clock: Clock) -> Intent | None:
    """ "remind me 10 minutes before", "also the day before at 6pm": a reminder for the task we
    last talked about (or the one just offered)."""
    # "5 minutes before each one": of a repeating task, every reminder is before each one
    spec = re.sub(r"\s+(?:of\s+)?(?:each|every)\s+(?:one|time|occurrence)$", "", cmd["spec"] or "")
    spec = re.sub(r"^(?:again|too|as\s+well)\s+", "", spec)
    if re.fullmatch(phrases.RELATIVE, spec):
        # "remind me again in 30 minutes": a reminder at that moment, for the task in focus
        body = re.sub(r"^in\s+|\s+from\s+(?:now|today)$", "", spec)
        moment = clock.now + phrases.parse_duration(body)
        return Intent("remind", ref=TaskRef(focus=True), reminders=(ReminderSpec(at=moment),))
    phrase = Phrase(spec)
    specs = phrases.take_reminders(phrase, clock, trigger=False) or []
    if phrase.rest().strip(" ,.") or not specs:
        return None  # "remind me to ...": a task to add
    return Intent("remind", ref=TaskRef(focus=True), reminders=tuple(specs))


@_command(
    r"(?:change|move|set|update|make|reset)\s+(?:the\s+|my\s+|its\s+)?reminders?\s+(?:for|on|of|about)\s+"
    r"(?P<ref>.+?)\s+to\s+(?P<spec>.+)",
    r"(?:change|move|set|update|make|reset)\s+(?:the\s+|my\s+|its\s+)?reminders?\s+to\s+(?P<spec>.+)",
)
def _change_reminder(cmd: _Command, clock: Clock) -> Intent:
    """ "change the reminder for vitamins to 7:30", "move the reminder to 1 hour before": the
    task's reminders become this one."""
    spec = (cmd["spec"] or "").strip()
    if re.fullmatch(rf"{TIME_ATOM}|\d{{1,2}}(?::\d{{2}})?|noon|midnight", spec, re.IGNORECASE):
        spec = f"at {spec}"  # "to 7:30": a time of day
    phrase = Phrase(spec)
    specs = phrases.take_reminders(phrase, clock, trigger=False) or []
    if phrase.rest().strip(" ,.") or not specs:
        raise Clarify('To when? Say e.g. "change the reminder to 30 minutes before" or "to 8am".')
    ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
    return Intent("remind", ref=ref, reminders=tuple(specs), replace_reminders=True)


@_command(
    r"(?:make|change|move|set|put|schedule|reschedule)\s+(?:that|it|this)\s+(?:to\s+|at\s+|for\s+"
    r"|on\s+)?(?P<value>.+)",
    r"(?:(?:no|nope|oh|sorry|wait|rather)[,\s]+)*(?P<value>.+?)[,\s]+instead",
)
def _make_it(cmd: _Command, clock: Clock) -> Intent | None:
    """ "make that 6pm", "actually make it Friday", "make it every Sunday", "tomorrow
    instead": the task in focus gets a new due time, or a repeat."""
    return _focus_due(cmd["value"] or "", clock)


# A correction of what was just said or done: "actually 4", "no, 4:30pm", "wait, thursday",
# "oops, I meant oat milk". The words after it are a new due, a priority, or (after "I
# meant") the title meant; anything else is read as a message of its own.
_CORRECTION = re.compile(
    r"(?P<lead>(?:(?:actually|no|nope|nah|wait|sorry|oops|whoops|oh|hmm+|correction)[\s,!.:;-]+)*)"
    r"(?P<meant>i\s+mean(?:t)?[\s,:]+|i\s+meant\s+to\s+say[\s,:]+)?(?P<value>.+)"
)


def _correction(text: str, clock: Clock) -> Intent | None:
    said = re.sub(r"\s+", " ", text).strip().rstrip(".!")
    match = _CORRECTION.fullmatch(said.lower())
    if match is None or not (match["lead"] or match["meant"]):
        return None
    original, value = _clean(said[match.start("value") :])
    if not value or _NOT_A_CORRECTION.match(value):
        return None
    due = _focus_due(value, clock)
    if due is not None:
        return due
    if prio := re.fullmatch(rf"(?:(?:with|make\s+it|and)\s+)?(?:a\s+)?{_PRIO}\s+priority", value):
        return Intent("update", ref=TaskRef(focus=True), priority=_PRIORITIES[prio["p"]])
    if _COMMAND_START.match(value):  # "no, delete it": a message of its own
        now = clock.now.replace(tzinfo=clock.zone)
        intent = parse(said[match.start("value") :], now=now, zone=clock.zone)
        return intent if intent.kind not in ("unknown", "clarify") else None
    if match["meant"]:
        return Intent("rename", ref=TaskRef(focus=True), title=original.strip(), keep="words")
    return None


_NOT_A_CORRECTION = re.compile(r"(?:thanks?|thank\s+you|thx|ok(?:ay)?|never\s*mind|yes|no)\b")


# The first words of a message that is a command of its own ("no, delete it"), never a title.
_COMMAND_START = re.compile(
    r"(?:add|delete|remove|complete|finish|done|list|show|move|remind|snooze|skip|undo|cancel"
    r"|rename|tag|make|change|set|stop)\b"
)


def _focus_due(value: str, clock: Clock) -> Intent | None:
    """A new due or repeat for the task in focus, when `value` is only that; else None."""
    phrase = Phrase(value)
    repeat = repeats.take_repeat(phrase, clock)
    if repeat is not None:
        when = phrases.take_when(phrase, clock)
        if phrase.rest().strip(" ,."):
            return None
        rule, due = repeats.first_due(repeat, when, clock)
        said = not when.empty or repeat.default_time is not None
        return Intent("update", ref=TaskRef(focus=True), rule=rule, due=due if said else None)
    value = _new_due_text(value)
    phrase = Phrase(value)
    intent = _reschedule_value(phrase, clock)
    if intent is None or phrase.rest().strip(" ,."):
        return None
    return _either_half(_with_ref(intent, TaskRef(focus=True)), value)


@_command(
    r"remind\s+me\s+(?P<rest>.+)",
    # "every monday remind me to take out the trash", "in 2 hours, remind me to …"
    r"(?P<lead>.+?)[,\s]+remind\s+me\s+(?:to\s+)?(?P<rest>.+)",
    # "reminder: call mom at 5pm", "reminder to pay rent friday", "reminder call mom at 5" (a
    # verb of something to do next; "reminder letters tomorrow" is a task's title)
    r"reminder\s*(?::|-|\s+to\s)\s*(?P<rest>.+)",
    r"reminder\s+(?P<verb>[\w-]+)\s+(?P<rest>.+)",
    r"(?P<alarm>set\s+(?:an?\s+|my\s+)?alarm|wake\s+me(?:\s+up)?)(?:\s+(?P<rest>.+))?",
)
def _remind_me_to(cmd: _Command, clock: Clock) -> Intent | None:
    if cmd.has("alarm"):  # "set an alarm for 6am", "wake me up at 7": a task that reminds
        title = "Wake up" if cmd["alarm"].lower().startswith("wake") else "Alarm"
        rest = re.sub(r"^for\s+", "", cmd["rest"] or "", flags=re.IGNORECASE)
        # an alarm's bare hour is in the morning ("for 6:30" is 06:30, not 18:30)
        rest = re.sub(
            r"^(?:at\s+)?((?:1[0-2]|0?[1-9])(?::[0-5]\d)?)(?=\s|$)(?!\s*(?:[ap]\.?m|o'?clock"
            r"|min|hour|hr))",
            r"at \1am",
            rest,
            flags=re.IGNORECASE,
        )
        return _add(f"{title} {rest}", clock, reminder_at_due=True)
    if cmd.has("verb"):
        if (cmd["verb"] or "").lower() not in _TODO_VERBS:
            return None
        return _add(f"{cmd['verb']} {cmd['rest']}", clock, reminder_at_due=True)
    if cmd.has("lead"):
        lead = Phrase(cmd["lead"] or "")
        try:
            said = repeats.take_repeat(lead, clock) is not None
            said = not phrases.take_when(lead, clock).empty or said
        except Clarify:
            return None
        if not said or lead.rest().strip(" ,."):
            return None
        return _add(f"{cmd['rest']} {cmd['lead']}", clock, reminder_at_due=True)
    rest = cmd["rest"] or ""
    if (
        split := re.fullmatch(r"(?P<when>(?!to\s|about\s|of\s).+?)\s+to\s+(?P<todo>.+)", rest, re.I)
    ) and (
        _unread_when(split["when"], clock)
    ):  # "remind me later to call mom": what to do is clear, when is not
        todo = _title(split["todo"])
        raise phrases.WhenAgain(
            f"When should I remind you to {todo[:1].lower() + todo[1:]}?", (split["when"],)
        )
    intent = _add(rest, clock, reminder_at_due=True)
    # "remind me next week about the dentist": "The dentist"
    title = re.sub(r"^(?:about|of)\s+(?=\S)", "", intent.title or "", flags=re.IGNORECASE)
    return replace(intent, title=title[:1].upper() + title[1:])


def _unread_when(text: str, clock: Clock) -> bool:
    """Words said where a time goes that say none ("later", "before I leave work")."""
    phrase = Phrase(text)
    try:
        repeats.take_repeat(phrase, clock)
        phrases.take_when(phrase, clock)
        phrases.take_reminders(phrase, clock, trigger=False)
    except Clarify:
        return False
    return bool(phrase.rest().strip(" ,.")) and not re.search(r"\d|\bat\b", phrase.rest())


# ---------------------------------------------------------------- tags


def _tag_names(text: str) -> tuple[str, ...]:
    names = re.split(r"[\s,&]+|\band\b", text.lower())
    return tuple(dict.fromkeys(n.lstrip("#") for n in names if n.strip("#")))


@_command(
    r"(?:tag|label)\s+(?P<ref>.+?)\s+(?:with|as)\s+(?P<tags>.+)",
    r"(?:tag|label)\s+(?P<ref>.+?)\s+(?P<tags>#[\w-]+(?:[\s,]+(?:and\s+)?#[\w-]+)*)",
    # "tag it family", "tag 2 work": a number or "it" leaves no doubt where the tags start
    rf"(?:tag|label)\s+(?P<ref>{_FOCUS}|#?\d{{1,3}})\s+(?P<tags>[\w-]+(?:[\s,]+(?:and\s+)?[\w-]+)*)",
    r"add\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<tags>.+?)\s+to\s+(?P<ref>.+)",
    r"(?:remove|delete|drop)\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<untags>.+?)\s+from\s+(?P<ref>.+)",
    r"(?:remove|delete|drop)\s+(?:the\s+)?#?(?P<untags>[\w-]+)\s+(?:tag|label)\s+from\s+(?P<ref>.+)",
    rf"un-?tag\s+(?P<ref>{_FOCUS}|#?\d{{1,3}})\s+(?P<untags>[\w-]+(?:[\s,]+(?:and\s+)?[\w-]+)*)",
    # "untag it", "remove all tags from 2", "clear the tags": every tag of that task
    r"un-?tag\s+(?P<all>(?P<ref>.+))",
    r"(?:remove|delete|drop|clear)\s+(?P<all>all\s+(?:the\s+|its\s+)?|the\s+|its\s+)?(?:tags|labels)"
    r"(?:\s+(?:from|on|of)\s+(?P<ref>.+))?",
)
def _tags(cmd: _Command, clock: Clock) -> Intent:
    if cmd.has("all") or not (cmd.has("tags") or cmd.has("untags")):
        ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
        return Intent("update", ref=ref, clear_tags=True)
    if cmd.has("untags"):
        return Intent("update", ref=_ref(cmd["ref"]), remove_tags=_tag_names(cmd["untags"] or ""))
    return Intent("update", ref=_ref(cmd["ref"]), tags=_tag_names(cmd["tags"] or ""))


# ---------------------------------------------------------------- add


@_command(
    r"(?:add|put|write|attach|leave|set)\s+(?:a\s+|the\s+)?(?:note|description|details?|comment)"
    r"\s+(?:to|on|for)\s+(?P<ref>.+?)\s*(?::|\s-|,|\s+saying|\s+that\s+says)\s*(?P<note>.+)",
    r"(?:note|notes|comment)\s+(?:for|on|to)\s+(?P<ref>.+?)\s*:\s*(?P<note>.+)",
    # "add a note: bring the insurance card": to the task in focus
    r"(?:add|put|write|attach|leave)\s+(?:a\s+|the\s+)?(?:note|comment)\s*:\s*(?P<note>.+)",
    r"(?P<clear>delete|remove|clear|erase|wipe)\s+(?:all\s+)?(?:the\s+|its\s+)?(?:notes?|comments?"
    r"|description)(?:\s+(?:from|on|of|for|in)\s+(?P<ref>.+))?",
    r"(?P<read>what(?:'s|\s+is|\s+are)|show(?:\s+me)?|read(?:\s+me)?)\s+(?:the\s+|its\s+)?"
    r"(?:notes?|comments?|description)(?:\s+(?:on|for|of|in)\s+(?P<ref>.+))?",
)
def _note(cmd: _Command, clock: Clock) -> Intent:
    """ "add a note to 2: bring the insurance card": added to the task's notes; "delete the
    note" clears them; "what are the notes on 2" shows the task, notes and all."""
    ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
    if cmd.has("clear"):
        return Intent("note", ref=ref, note="", clear_note=True)
    if cmd.has("read"):
        return Intent("show", ref=ref)
    return Intent("note", ref=ref, note=(cmd["note"] or "").strip())


_ADD_VERBS = (
    r"(?:(?:add|create|new|put|note|jot\s+down|capture|remember\s+to)\b|to-?do\s*:|task\s*:"
    r"|to-?do(?=\s)(?!\s+lists?\b))"
    r"(?:\s+(?:a|an|the)(?=\s))?(?:\s+new(?=\s+(?:task|todo|to-?do|item|entry|reminder|note)\b))?"
    r"(?:\s+(?:task|todo|to-?do|item|entry|reminder|note)(?=[\s:]))?"
    r"(?:\s+to\s+(?:my\s+)?(?:list|tasks|todos?)(?=[\s:]))?"
    r"(?:\s*[:-]|\s+(?:called|named|for|to)(?=\s))?"
)


@_command(
    rf"{_ADD_VERBS}\s*(?P<rest>.+)",
    r"(?:i\s+need\s+to|i\s+have\s+to|i\s+must|i\s+should|i\s+gotta|i'?ve\s+got\s+to|need\s+to"
    r"|have\s+to|don'?t\s+(?:let\s+me\s+)?forget(?:\s+(?:to|about))?)\s+(?:remember\s+to\s+)?"
    r"(?P<rest>.+)",
)
def _add_command(cmd: _Command, clock: Clock) -> Intent:
    return _add(cmd["rest"] or "", clock)


# "…, tag work", "… with the tag work", "… tagged work": a tag in words. After a comma, "and"
# or "with" only, so a title's own "name tag on the suitcase" stays whole.
_TAG_PHRASE = (
    r"(?:(?:,|\band\b)\s*|\bwith\s+(?:the\s+|a\s+)?)(?:tag|label)\s+(?:it\s+)?(?:as\s+|with\s+)?"
    r"#?(?P<tag>[\w-]{1,50})(?![\w-])"
    r"|(?<![\w-])(?:tagged|labell?ed)\s+(?:as\s+|with\s+)?#?(?P<tag2>[\w-]{1,50})(?![\w-])"
)

_PRIORITY_PHRASE = (
    r"(?<![\w!])(?:(?:with\s+)?(?:a\s+)?(?P<p1>high|medium|low)[\s-]+priority"
    r"|priority\s*[:=]?\s*(?P<p2>high|medium|low|none)|!(?P<p3>high|medium|low)"
    r"|(?P<p4>!{1,3})(?=\s|$)|(?:\bp|!!)(?P<p5>[1-4])\b"  # Todoist's "p1" and "!!1"
    # "call the bank asap", "urgent: renew passport": high priority
    r"|(?P<p6>asap|a\.s\.a\.p\.?|urgent(?:ly)?)(?=\s*[:,!]|\s*$)|^(?P<p7>urgent)\s*[:-])"
)


def _take_priority(phrase: Phrase) -> str | None:
    match = phrase.take(_PRIORITY_PHRASE)
    if not match:
        return None
    if match["p4"]:
        return {1: "low", 2: "medium", 3: "high"}[len(match["p4"])]
    if match["p5"]:
        return {"1": "high", "2": "medium", "3": "low", "4": "none"}[match["p5"]]
    if match["p6"] or match["p7"]:
        return "high"
    return match["p1"] or match["p2"] or match["p3"]


# Words left dangling at the ends of a title once its date and reminder phrases are taken out.
_LEADING_CONNECTOR = r"(?:,|;|:|-|\.|and|to|then|also|some\s*time)"
_TRAILING_CONNECTOR = (
    r"(?:,|;|:|-|\.|and|with|starting|from|until|till|then|also|remind\s+me|some\s*time)"
)


def _title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    # "put 'renew passport' on my list": the list is where it goes, the quotes only mark it
    text = re.sub(
        r"\s+(?:to|on)\s+(?:my\s+|the\s+)?(?:list|tasks|todos?|to-?do\s+list|task\s+list)$",
        "",
        text,
        flags=re.I,
    )
    if match := re.fullmatch(r"\"([^\"]+)\"|'([^']+)'", text):
        text = (match[1] or match[2]).strip()
    previous = None
    while previous != text:
        previous = text
        text = re.sub(rf"^{_LEADING_CONNECTOR}(?:\s+|$)", "", text, flags=re.IGNORECASE).strip()
        text = re.sub(rf"(?:^|\s+){_TRAILING_CONNECTOR}$", "", text, flags=re.IGNORECASE).strip()
        text = text.strip(",;:-. ")
    text = re.sub(
        r"\s+(?:to|on)\s+(?:my\s+|the\s+)?(?:list|tasks|todos?|to-?do\s+list|task\s+list)$",
        "",
        text,
        flags=re.I,
    )
    text = re.sub(r"\s+([,;:])", r"\1", text)
    text = re.sub(r"([,;])(?:\s*[,;])+", r"\1", text)  # what stood between them was taken
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _add(text: str, clock: Clock, *, reminder_at_due: bool = False) -> Intent:
    phrase = Phrase(text)
    quoted = phrase.take(r"\"[^\"]+\"")  # shielded from date parsing, kept in the title
    tags = tuple(
        dict.fromkeys(
            # A tag has a letter: "PR #123" keeps its number.
            [m[1] for m in phrase.take_all(r"(?<![\w#&])#(?=[\w-]*[^\W\d_])([\w-]{1,50})")]
            + [m["tag"] or m["tag2"] for m in phrase.take_all(_TAG_PHRASE)]
        )
    )
    priority = _take_priority(phrase)
    reminders = phrases.take_reminders(phrase, clock)
    repeat = repeats.take_repeat(phrase, clock)
    before = list(phrase.used)
    when = phrases.take_when(phrase, clock)
    if match := re.search(r"(?<!\w)(?:at|@)\s+\d[\d:.]*\s*\w*", phrase.rest(), flags=re.I):
        raise Clarify(f'I couldn\'t read the time "{match[0]}". Try "at 9am" or "at 21:30".')
    if quoted:
        phrase.release(quoted.start(), quoted.end())
    title = _title(phrase.rest())
    if not title:
        raise Clarify("What should the task be called?")
    rule: RecurrenceRule | None = None
    if repeat is not None:
        rule, due = repeats.first_due(repeat, when, clock)
    else:
        try:
            due = phrases.due_from(when, clock)
        except phrases.Passed as passed:  # answered with another due: "tomorrow at 9"
            raise phrases.WhenAgain(str(passed), _spans(phrase, before)) from passed
    if reminder_at_due and reminders is None:
        if due is None:
            raise phrases.WhenAgain(f"When should I remind you to {title[:1].lower() + title[1:]}?")
        if not isinstance(due, datetime):  # answered with a time: "9am"
            raise phrases.WhenAgain(f"At what time on {due:%a, %b} {due.day} should I remind you?")
        reminders = [ReminderSpec(offset_minutes=0)]
    resolved = phrases.resolve_reminders(reminders, due, clock, title=title)
    return Intent(
        "add",
        title=title,
        due=due,
        rule=rule,
        reminders=None if resolved is None else tuple(resolved),
        tags=tags,
        priority=priority,
    )


# ---------------------------------------------------------------- list

_LIST_FILLER = re.compile(
    r"(?<![\w#])(?:all|everything|every|open|pending|my|me|the|tasks?|todos?|to-?dos?|items?|list"
    r"|due|do|did|i|have|got|get|is|are|there|any|anything|on|for|what|whats|what's|left|remaining"
    r"|still|to|in|of|up|stuff|things?|else|now|currently|can|you|a|an|agenda|schedule|plate"
    r"|need|should|show|please|that|which|ones?|coming)(?![\w])",
    re.IGNORECASE,
)


@_command(
    r"what(?:'s|\s+is|s)\s+(?:number\s+|no\.?\s*|#)?(?P<numbers>\d{1,3})",
    rf"(?:show|open|view|see|display|details\s+(?:of|for|on))\s+(?:me\s+)?(?:the\s+)?(?:details\s+"
    rf"(?:of|for|on)\s+)?(?:(?:task|item|number|no\.?|#)\s*)?(?P<numbers>{_NUMBER_LIST}|{_FOCUS})",
)
def _show_numbered(cmd: _Command, clock: Clock) -> Intent:
    """ "show 3", "show it": that task's details (from the last list, or the one in focus)."""
    return Intent("show", ref=_ref(cmd["numbers"]))


@_command(
    r"(?P<verb>list|show|display|view|see|give\s+me|pull\s+up)(?:\s+(?P<rest>.*))?",
    r"(?P<what>what(?:'s|\s+is|\s+are|s)|what\s+do\s+i\s+have|what\s+have\s+i\s+got|anything"
    r"|what\s+about|and|how\s+about"
    r"|how\s+many(?:\s+(?:open\s+)?(?:tasks?|things|todos?|to-?dos?|items?))?"
    r"|(?:what|which)(?=\s+reminders?\b)|any(?=\s+(?:reminders?|tasks?|todos?|to-?dos?)\b)"
    r"|do\s+i\s+have|what\s+did\s+i|what\s+should\s+i\s+do|what\s+else"
    r"|am\s+i\s+(?:free|busy|booked)|how\s+busy\s+am\s+i"
    r"|is\s+there\s+(?:anything|something))(?:\s+(?P<rest>.*))?",
    r"(?:my\s+)?(?P<noun>tasks?|todos?|to-?dos?|agenda|todo\s+list|list)(?:\s+(?P<rest>.*))?",
    r"(?P<rest>(?:today|tomorrow|overdue|completed|upcoming|this\s+week|next\s+week"
    r"|this\s+weekend|next|coming\s+up)(?:'s)?(?:\s+(?:tasks?|todos?|list|stuff|things|items))?)",
)
def _list(cmd: _Command, clock: Clock) -> Intent | None:
    rest = cmd["rest"] or ""
    if cmd.has("what") and re.match(r"what\s+(?:did|have)\s+i", (cmd["what"] or "").lower()):
        # "what did I do today", "what have I got done": what was completed
        rest = re.sub(r"^(?:do|done|get\s+done|got\s+done|accomplish(?:ed)?|achieve[d]?)\b",
                      "done", rest.strip(), flags=re.IGNORECASE)  # fmt: skip
    phrase = Phrase(rest)
    query = _list_query(phrase, clock)
    leftover = _LIST_FILLER.sub(" ", phrase.view().replace("\0", " ")).strip(" ,.?!'s")
    if leftover:
        # "what are my work tasks": one word before "tasks" says which (a tag or a search)
        named = re.fullmatch(r"[\w-]+", leftover) and re.search(
            rf"(?<![\w#]){re.escape(leftover)}\s+(?:tasks?|todos?|to-?dos?|items?|things|stuff)"
            r"(?![\w])",
            rest,
            re.IGNORECASE,
        )
        if not cmd.has("verb") and not named:
            return None
        search = re.sub(r"\s+", " ", _LIST_FILLER.sub(" ", phrase.rest())).strip("\"'?!. ")
        query = replace(query, search=search)
    if cmd.has("what") and re.match(r"how\s+many", (cmd["what"] or "").lower()):
        query = replace(query, count=True)
    return Intent("list", query=query)


@_command(
    r"when(?:\s+(?:is|are|was)|'s|s)\s+(?:the\s+|my\s+)?(?P<rest>.+?)(?:\s+(?:due|again|happening))?",
    r"when\s+(?:do|did|should|must)\s+i\s+(?:have\s+to\s+|need\s+to\s+|want\s+to\s+)?(?P<rest>.+)",
    r"what\s+(?:time|day|date)\s+(?:is|'s|are)\s+(?:the\s+|my\s+)?(?P<rest>.+?)(?:\s+(?:due|on|at))?",
    # "is the dentist tomorrow?", "is it due at 3?": that task, with when it is due
    rf"(?:is|are)\s+(?!there\b|you\b)(?:the\s+|my\s+)?(?P<rest>.+?)\s+(?:still\s+)?(?:due\s+)?"
    rf"(?:(?:on|at|by)\s+)?"
    rf"(?:{DATE_ATOM}|{TIME_ATOM}|\d{{1,2}})(?:\s+(?:at\s+)?(?:{TIME_ATOM}|\d{{1,2}}))?",
)
def _when_due(cmd: _Command, clock: Clock) -> Intent:
    """ "when is it due": that task's details; "when is the report due": the matching tasks,
    with their dates."""
    rest = (cmd["rest"] or "").strip("\"'?!. ")
    if re.fullmatch(r"(?:the\s+)?next\s+(?:one|occurrence|time)", rest, re.IGNORECASE):
        return Intent("show", ref=TaskRef(focus=True))  # of the repeating task in focus
    # "when's the next yoga", "when is my next dentist appointment": that task
    rest = re.sub(r"^(?:the\s+|my\s+)?next\s+(?=\S)", "", rest, flags=re.IGNORECASE)
    ref = _ref(rest)
    if ref.title is None:
        return Intent("show", ref=ref)
    return Intent("list", query=ListQuery(search=ref.title))


@_command(r"(?:search|find|look\s+(?:for|up)|lookup)\s+(?:for\s+)?(?P<rest>.+)")
def _search(cmd: _Command, clock: Clock) -> Intent:
    """Words to look for, taken literally ("find weekend" is not the weekend view)."""
    text = (cmd["rest"] or "").strip("\"'?!. ")
    text = re.sub(r"^(?:tasks?|todos?)\s+(?:about|with|for|called|named|matching)\s+", "", text)
    if match := re.fullmatch(r"#([\w-]+)", text):
        return Intent("list", query=ListQuery(tag=match[1]))
    return Intent("list", query=ListQuery(search=text))


def _list_range(phrase: Phrase, clock: Clock) -> tuple[date | None, date | None] | None:
    """Days said as a span: "in the next 3 days", "between monday and wednesday", "today or
    tomorrow", "before friday", "after tomorrow" -> (first, last), either None when open."""
    lead = r"(?<![\w#])(?:due\s+)?"
    if match := phrase.take(
        rf"{lead}(?:in\s+|within\s+|for\s+|over\s+)?(?:the\s+)?(?:next|coming)\s+"
        rf"({phrases.NUM})\s+days?(?![\w])"
    ):
        return clock.today, clock.today + relativedelta(days=phrases.number(match[1]))
    if match := phrase.take(
        rf"{lead}(?:between|from)\s+({DATE_ATOM})\s+(?:and|to|until|till|through|thru|-)\s+"
        rf"({DATE_ATOM})(?![\w])"
    ) or phrase.take(
        rf"{lead}(?:on\s+)?({DATE_ATOM})\s+(?:or|and|&)\s+(?:on\s+)?({DATE_ATOM})(?![\w])"
    ):
        first, last = phrases.parse_date(match[1], clock)[0], phrases.parse_date(match[2], clock)[0]
        return min(first, last), max(first, last)
    if match := phrase.take(rf"{lead}before\s+({DATE_ATOM})(?![\w])"):
        return None, phrases.parse_date(match[1], clock)[0] - relativedelta(days=1)
    if match := phrase.take(rf"{lead}after\s+({DATE_ATOM})(?![\w])"):
        return phrases.parse_date(match[1], clock)[0] + relativedelta(days=1), None
    return None


def _list_query(phrase: Phrase, clock: Clock) -> ListQuery:
    view, day, until = "open", None, None
    span = _list_range(phrase, clock)
    views = [
        ("overdue", r"overdue|late|past\s+due|missed"),
        ("completed", r"completed|done|finished|finish|closed|complete"),
        ("next_week", r"next\s+week"),
        ("weekend", r"(?:this\s+|the\s+)?week\s*end"),
        ("week", r"(?:this|the)\s+week|week"),
        ("month", r"(?:this|the)\s+month"),
        ("today", r"(?:for\s+)?today|tonight"),
        # "what's next": from now on (later today too); "coming up": after today
        ("next", rf"next\s+up|next(?:\s+(?:task|one|thing))?(?!\s+(?:{WD_ANY}|month|year)\b)"),
        ("upcoming", r"upcoming|coming\s+up|later|future|soon"),
        ("undated", r"(?:without|with\s+no|no)\s+(?:a\s+)?(?:due\s+)?dates?|undated|unscheduled"),
    ]
    for name, regex in views:
        if phrase.take(rf"(?<![\w#])(?:{regex})(?:'s)?(?![\w])"):
            view = name
            break
    if view == "completed" and span is not None:  # "what did I finish between monday and …"
        day, until = span[0], min(span[1] or clock.today, clock.today)
    elif view == "completed":  # "what did I finish today", "done yesterday": completed that day
        if match := phrase.take(
            r"(?<![\w#])(?:this\s+(?P<w>week|month)|(?:in\s+)?the\s+(?:past|last)\s+(?:7\s+days|week))"
            r"(?![\w])"
        ):  # "what did I do this week": since its Monday (the month's 1st, a week ago)
            if match["w"] == "month":
                day = clock.today.replace(day=1)
            elif match["w"] == "week":
                day = clock.today - relativedelta(days=clock.today.weekday())
            else:
                day = clock.today - relativedelta(days=6)
            until = clock.today
        elif phrase.take(r"(?<![\w#])yesterday(?![\w])"):
            day = clock.today - relativedelta(days=1)
        elif match := phrase.take(rf"(?<![\w#])(?:on\s+|for\s+)?({DATE_ATOM})(?![\w])"):
            day = phrases.parse_date(match[1], clock)[0]
            if day > clock.today:  # "the 3rd", "Friday": the last one, not the next
                day = _last_before(day, match[1])
    if view == "open" and span is not None:
        view, (day, until) = "range", span
    if view == "open":
        match = phrase.take(rf"(?<![\w#])(?:on\s+|for\s+|due\s+)?({DATE_ATOM})(?![\w])")
        if match:
            day = phrases.parse_date(match[1], clock)[0]
            view = "tomorrow" if day == clock.today + relativedelta(days=1) else "day"
            if day == clock.today:
                view, day = "today", None
    tag = None
    if (
        match := phrase.take(
            r"(?<![\w#])(?:tagged|with\s+(?:the\s+)?tag|label(?:l)?ed)\s+#?([\w-]+)"
        )
    ) or (match := phrase.take(r"(?<![\w#])(?:in\s+|with\s+|under\s+)?#([\w-]+)")):
        tag = match[1]
    priority = None
    if match := phrase.take(
        r"(?<![\w!])(?:with\s+)?(?:(?P<p>high|medium|low|urgent|important|top)[\s-]+priority"
        r"|priority\s+(?P<q>high|medium|low)|(?P<r>urgent|important)(?=\s+(?:tasks?|things|todos?"
        r"|ones|items|stuff|today|tomorrow|this|next|for|on|due)\b|\s+\x00|$)|!(?P<s>high|medium|low))"
        r"(?![\w])"
    ):
        priority = _PRIORITIES[(match["p"] or match["q"] or match["r"] or match["s"]).lower()]
    search = None
    if match := phrase.take(
        r"(?<!\w)(?:about|matching|containing|mentioning|called|named|like)\s+(.+)"
    ):
        search = phrase.original_of(match, 1).strip("\"'?!. ")
    repeating = bool(
        phrase.take(r"(?<![\w#])(?:recurring|repeating|repeated|regular|routine)(?![\w])")
    )
    reminded = bool(phrase.take(r"(?<![\w#])(?:with\s+)?reminders?(?![\w])"))
    day = day if view in ("day", "completed", "range") else None
    until = until if view in ("completed", "range") else None
    return ListQuery(view, day, tag, search, priority, repeating, reminded, until=until)


def _last_before(day: date, said: str) -> date:
    """A date said about the past that reads as the next one: the one before it ("Friday" a
    week earlier, "the 30th" a month earlier, "March 3" a year earlier)."""
    if re.search(rf"(?<![a-z]){WD_ANY}(?![a-z])", said):
        return day - relativedelta(days=7)
    if re.search(MONTH, said):
        return day - relativedelta(years=1)
    months = 1
    while (day - relativedelta(months=months)).day != day.day:  # "the 30th" skips February
        months += 1
    return day - relativedelta(months=months)


# ---------------------------------------------------------------- updates

_PRIORITIES = {"high": "high", "urgent": "high", "important": "high", "top": "high",
               "medium": "medium", "mid": "medium", "low": "low", "none": "none",
               "no": "none", "normal": "none", "regular": "none"}  # fmt: skip
_PRIO = r"(?P<p>high|urgent|important|top|medium|mid|low|none|no|normal|regular)"


@_command(
    r"(?:rename|retitle)\s+(?P<ref>.+?)\s+(?:to|as|into)\s+(?P<title>.+)",
    r"(?:change|set|update|edit)\s+(?:the\s+)?(?:title|name|text)\s+(?:of|for|on)\s+(?P<ref>.+?)"
    r"\s+to\s+(?P<title>.+)",
    # "change the title to …", "rename it Call mom and dad": the task in focus
    r"(?:change|set|update|edit)\s+(?:the\s+|its\s+)?(?:title|name|text)\s+to\s+(?P<title>.+)",
    rf"(?:rename|retitle)\s+{_FOCUS}\s+(?P<title>(?!(?:to|as|into)\s).+)",
)
def _rename(cmd: _Command, clock: Clock) -> Intent:
    ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
    return Intent("rename", ref=ref, title=_title(cmd["title"] or ""))


@_command(
    r"(?:remove|clear|delete|drop|unset)\s+(?:the\s+)?(?:due\s+date|due\s+time|due|date|deadline)"
    r"\s+(?:from|of|on|for)\s+(?P<ref>.+)",
    r"(?P<ref>.+?)\s+(?:has|should\s+have)\s+no\s+(?:due\s+date|deadline|date)",
    # "clear the date", "no due date": the task in focus
    r"(?:remove|clear|delete|drop|unset)\s+(?:the\s+|its\s+)?(?:due\s+date|due\s+time|due|date"
    r"|deadline)",
    r"(?:make\s+it\s+|with\s+)?no\s+(?:due\s+)?date",
)
def _clear_due(cmd: _Command, clock: Clock) -> Intent:
    ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
    return Intent("reschedule", ref=ref, clear_due=True)


@_command(
    rf"(?:set|change|make|mark)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+(?P<ref>.+?)\s+(?:to|as)\s+{_PRIO}",
    rf"(?:make|set|mark)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+)?(?:a\s+)?{_PRIO}(?:\s+priority)?",
    r"(?P<up>prioriti[sz]e)\s+(?P<ref>.+)",
    # "high priority", "and make it urgent" right after adding: the task in focus
    rf"(?:make\s+it\s+|mark\s+it\s+)?(?:with\s+)?(?:a\s+)?{_PRIO}\s+priority",
    r"(?P<down>de-?prioriti[sz]e)\s+(?P<ref>.+)",
    # "lower the priority of the slides", "raise its priority"
    r"(?:(?P<down2>lower|decrease|reduce|drop)|(?P<up2>raise|increase|bump\s+up|up))\s+(?:the\s+)?"
    r"priority\s+(?:of|on|for)\s+(?P<ref>.+)",
    r"(?:(?P<down3>lower|decrease|reduce|drop)|(?P<up3>raise|increase|bump\s+up|up))\s+(?:its|the)\s+"
    r"priority",
)
def _priority(cmd: _Command, clock: Clock) -> Intent:
    if cmd.has("up") or cmd.has("up2") or cmd.has("up3"):
        priority = "high"
    elif cmd.has("down") or cmd.has("down2") or cmd.has("down3"):
        priority = "low"
    else:
        priority = _PRIORITIES[(cmd["p"] or "").lower()]
    ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
    return Intent("update", ref=ref, priority=priority)


@_command(
    r"(?:make|set|change)\s+(?P<ref>.+?)\s+(?:to\s+)?(?:repeat|recur)s?\s+(?P<rest>.+)",
    r"(?:repeat|recur)\s+(?P<ref>.+?)\s+(?P<rest>(?:every|each|daily|weekly|monthly|yearly|annually"
    r"|on|twice|once|hourly|nightly)\b.*)",
    r"(?P<ref>.+?)\s+(?:should\s+)?(?:repeats?|recurs?)\s+(?P<rest>.+)",
    # "make the gym every monday and thursday"; with no task of that title, "make the bed every
    # morning" is a task to add (and "change air filter every 90 days"); "change X to every …"
    # is always X's
    r"(?P<verb>make|change|switch|set)\s+(?P<ref>.+?)\s+(?P<to>to\s+)?(?P<rest>(?:every|each|daily"
    r"|weekly|monthly|yearly|annually|hourly|nightly|twice|once)\b.*)",
)
def _set_repeat(cmd: _Command, clock: Clock) -> Intent:
    if cmd.has("verb"):
        try:
            intent = _set_repeat_of(cmd, clock)
        except Clarify:
            intent = None
        try:  # "change air filter every 90 days": a task, unless one has just that title
            added = None if cmd.has("to") else _add(cmd.original, clock)
        except Clarify:
            added = None
        if intent is None:
            if added is None:
                return _set_repeat_of(cmd, clock)  # says what it could not read
            return added
        if added is None:
            return intent
        # "make coffee every morning" is far more often a new task: only a task of just that
        # title has its repeat changed
        return replace(intent, ref=replace(intent.ref, exact=True), otherwise=added)
    return _set_repeat_of(cmd, clock)


def _set_repeat_of(cmd: _Command, clock: Clock) -> Intent:
    phrase = Phrase(cmd["rest"] or "")
    repeat = repeats.take_repeat(phrase, clock)
    if repeat is None:
        raise Clarify('How often should it repeat? Say e.g. "every Monday at 9am".')
    when = phrases.take_when(phrase, clock)
    if phrase.rest():
        raise Clarify(f'I understood "{repeat.said}" but not "{phrase.rest()}".')
    rule, due = repeats.first_due(repeat, when, clock)
    said_when = not when.empty or repeat.default_time is not None or repeat.start is not None
    return Intent("update", ref=_ref(cmd["ref"]), rule=rule, due=due if said_when else None)


_RESCHEDULE_VERBS = (
    r"(?:move|reschedule|postpone|push(?:\s+back)?|defer|delay|shift|bump|put\s+off|snooze\s+task)"
)


@_command(
    r"(?:set|change|update|move)\s+(?:the\s+)?(?:due\s+date|due\s+time|date|deadline|time)"
    r"\s+(?:of|for|on)\s+(?P<ref>.+?)\s+to\s+(?P<when>.+)",
    # "change the time to 8": the task in focus
    r"(?:set|change|update|move)\s+(?:the\s+|its\s+)?(?:due\s+date|due\s+time|date|deadline|time)"
    r"\s+to\s+(?P<when>.+)",
    # "the report is due friday" (not "what's due next saturday", a question)
    r"(?:make\s+)?(?!(?:what|what'?s|whats|which|anything|is\s+there|do\s+i|am\s+i|how|show|list"
    r"|tell\s+me)\b)(?P<ref>.+?)\s+(?:is\s+)?(?:now\s+)?due\s+(?P<when>.+)",
)
def _due(cmd: _Command, clock: Clock) -> Intent | None:
    value = _new_due_text(cmd["when"] or "")
    phrase = Phrase(value)
    intent = _reschedule_value(phrase, clock)
    if intent is None or phrase.rest():
        return None
    ref = _ref(cmd["ref"]) if cmd.has("ref") else TaskRef(focus=True)
    return _either_half(_with_ref(intent, ref), value)


@_command(rf"{_RESCHEDULE_VERBS}\s+(?P<rest>.+)")
def _reschedule(cmd: _Command, clock: Clock) -> Intent:
    text = cmd["rest"] or ""
    if lead := re.match(r"(?:to|until|till|for|on)\s+", text, re.IGNORECASE):
        # "reschedule to next friday, same time": the task in focus
        value = _new_due_text(text[lead.end() :])
        phrase = Phrase(value)
        intent = _reschedule_value(phrase, clock)
        if intent is not None and not phrase.rest():
            return _either_half(_with_ref(intent, TaskRef(focus=True)), value)
    # "move call to mom to friday": the value is what follows the last " to " that parses.
    for split in reversed(list(re.finditer(r"\s+(?:to|until|till|for)\s+", text.lower()))):
        value = _new_due_text(text[split.end() :])
        phrase = Phrase(value)
        intent = _reschedule_value(phrase, clock)
        if intent is not None and not phrase.rest():
            return _either_half(_with_ref(intent, _ref(text[: split.start()])), value)
    phrase = Phrase(text)
    intent = _reschedule_value(phrase, clock)
    if intent is None:
        raise Clarify('To when? Say e.g. "move 1 to Friday at 3pm" or "postpone 1 by 2 days".')
    return _with_ref(intent, _ref_and_rest(phrase))


def _either_half(intent: Intent, value: str) -> Intent:
    """Mark a new due said as a bare hour of 1-12 ("to 8"): am or pm is the interpreter's call."""
    match = re.fullmatch(
        rf"(?:at\s+)?(\d{{1,2}})(?::\d{{2}})?(?:\s*o'?clock)?(?:\s+{_FROM_NOW_ON})?",
        value.strip(),
        re.I,
    )
    if match and 1 <= int(match[1]) <= 12 and not match[1].startswith("0"):
        return Intent(**{**intent.__dict__, "either_half": True})
    return intent


def _new_due_text(value: str) -> str:
    """A new due as people say it after "to": "9" is an hour ("at 9"); "Wednesday, same time"
    is a date that keeps the time (a date alone does)."""
    value = re.sub(r"[\s,]+(?:at\s+)?(?:the\s+)?same\s+time$", "", value.strip(), flags=re.I)
    if re.fullmatch(rf"\d{{1,2}}(?:\s*o'?clock)?(?:\s+{_FROM_NOW_ON})?", value, re.I):
        return f"at {value}"  # "to 4", "to 4 from now on"
    return value


def _reschedule_value(phrase: Phrase, clock: Clock) -> Intent | None:
    """The new due value in a reschedule; the caller checks that nothing else is left."""
    if phrase.take(_FROM_NOW_ON):  # "change yoga to 7pm from now on": the series as well
        intent = _reschedule_value(phrase, clock)
        return replace(intent, series=True) if intent is not None else None
    shift = phrase.take(
        rf"(?<!\w)(?:(?:back\s+(?:by\s+)?|by\s+)(?:another\s+)?({DURATION})|({DURATION})\s+later"
        # "postpone it a day": a duration at the end, not "in 2 days" (a date)
        rf"|(?<!\bin\s)(?:another\s+)?({DURATION})$"
        rf"|({DURATION})\s+(?:earlier|sooner))"  # "make it 2 hours earlier"
    )
    if shift:
        if shift[4]:
            return Intent("reschedule", shift=-phrases.parse_duration(shift[4]))
        amount = shift[1] or shift[2] or shift[3]
        return Intent("reschedule", shift=phrases.parse_duration(amount))
    if another := phrase.take(r"(?<!\w)(?:by\s+)?another\s+(day|week|hour|month)$"):
        return Intent("reschedule", shift=phrases.parse_duration(f"1 {another[1]}"))
    when = phrases.take_when(phrase, clock)
    if when.empty:
        return None
    keep = None
    if when.exact is None and when.day is None:
        keep = "date"
    elif when.exact is None and not when.times:
        keep = "time"
    return Intent("reschedule", due=phrases.due_from(when, clock), keep=keep)


_FROM_NOW_ON = (
    r"(?<!\w)(?:from\s+now\s+on|from\s+here\s+on(?:\s+out)?|going\s+forward|for\s+good"
    r"|permanently|every\s+time|each\s+time|for\s+all\s+of\s+them|for\s+the\s+whole\s+series"
    r"|for\s+all\s+future\s+ones)(?!\w)"
)


def _with_ref(intent: Intent, ref: TaskRef) -> Intent:
    return Intent(**{**intent.__dict__, "ref": ref})


@_command(r"(?:change|update|edit|set|modify|switch)\s+(?P<rest>.+?\s+to\s+.+)")
def _change(cmd: _Command, clock: Clock) -> Intent | None:
    """ "change 1 to X": X is a due date, a repeat, a priority, or else a new title."""
    text = cmd["rest"] or ""
    splits = list(re.finditer(r"\s+to\s+", text.lower()))
    for split in reversed(splits):
        ref_text, value = text[: split.start()], text[split.end() :]
        if match := re.fullmatch(rf"{_PRIO}(?:\s+priority)?", value.lower()):
            return Intent("update", ref=_ref(ref_text), priority=_PRIORITIES[match["p"]])
        phrase = Phrase(value)
        repeat = repeats.take_repeat(phrase, clock)
        if repeat is not None:
            when = phrases.take_when(phrase, clock)
            if not phrase.rest():
                rule, due = repeats.first_due(repeat, when, clock)
                said = not when.empty or repeat.default_time is not None
                return Intent("update", ref=_ref(ref_text), rule=rule, due=due if said else None)
            continue
        due_text = _new_due_text(value)
        phrase = Phrase(due_text)
        intent = _reschedule_value(phrase, clock)
        if intent is not None and not phrase.rest():
            return _either_half(_with_ref(intent, _ref(ref_text)), due_text)
    first = splits[0]
    ref_text, value = text[: first.start()], text[first.end() :]
    phrase = Phrase(value)
    try:  # "change yoga to 7pm on the dot": a date or time half read is no new title
        dated = repeats.take_repeat(phrase, clock) is not None
        dated = dated or not phrases.take_when(phrase, clock).empty
    except Clarify:
        dated = True
    if dated:
        raise Clarify(
            f'I read a date or time in "{value}" but not all of it. To rename, say "rename '
            f'{ref_text} to {value}"; to move it, e.g. "move {ref_text} to 7pm".'
        )
    return Intent("rename", ref=_ref(ref_text), title=_title(value))


# ---------------------------------------------------------------- complete, reopen, delete


@_command(r"(?:undo|oops|whoops|my\s+bad)(?:[\s,]+(?:undo\s+)?(?:that|it|this|the\s+last\s+one))?")
def _undo(cmd: _Command, clock: Clock) -> Intent:
    """ "undo", "undo that", "oops": take back the completion of the task in focus."""
    return Intent("undo")


@_command(
    r"(?:reopen|re-open|un-?complete|un-?check|un-?tick|undo|restore|revive|unfinish)\s+(?P<ref>.+)",
    r"mark\s+(?P<ref>.+?)\s+(?:as\s+)?(?:not\s+done|undone|open|incomplete|not\s+complete(?:d)?"
    r"|to\s*do|uncompleted|unfinished|not\s+finished)",
    r"(?P<ref>.+?)\s+(?:is|was|are)\s+(?:not|n'?t)\s+(?:done|finished|complete(?:d)?)(?:\s+yet)?",
    r"(?P<ref>.+?)\s+(?:isn'?t|wasn'?t|aren'?t)\s+(?:done|finished|complete(?:d)?)(?:\s+yet)?",
)
def _reopen(cmd: _Command, clock: Clock) -> Intent:
    return Intent("reopen", ref=_ref(cmd["ref"]))


@_command(
    r"(?:clear|delete|remove|erase|wipe|empty|trash)\s+(?:out\s+)?(?:my\s+|the\s+)?(?:whole\s+|entire\s+)?"
    r"(?:list|to-?do\s+list|task\s+list|everything|all(?:\s+(?:of\s+)?(?:my|the))?(?:\s+(?:completed|done|"
    r"finished))?(?:\s+(?:tasks?|todos?|to-?dos?|items?))?|(?:completed|done|finished)(?:\s+(?:tasks?|"
    r"todos?|items?))?)"
)
def _clear_all(cmd: _Command, clock: Clock) -> Intent:
    """ "clear my list", "delete all completed tasks": never at once from a sentence."""
    return Intent(
        "clarify",
        question='I don\'t delete tasks wholesale. Delete them by number ("delete 1 and 3"), or '
        "a day's at a time (\"delete today's tasks\").",
    )


@_command(
    r"(?P<verb>complete|finish(?:ed)?|done(?:\s+with)?|check(?:\s+off)?|tick(?:\s+off)?"
    r"|cross\s+(?:off|out)|close|i\s+(?:did|finished|completed|have\s+(?:done|finished|completed)"
    r"|'ve\s+(?:done|finished|completed)|'m\s+done\s+with|am\s+done\s+with))\s*:?\s+(?P<ref>.+)",
    r"mark\s+(?P<ref>.+?)\s+(?:as\s+)?(?:done|complete(?:d)?|finished)",
    r"(?P<ref>.+?)\s+(?:is\s+|are\s+)?(?:now\s+)?(?:done|finished|completed|complete)",
)
def _complete(cmd: _Command, clock: Clock) -> Intent:
    ref = _ref(cmd["ref"])
    verb = (cmd["verb"] or "").lower() if cmd.has("verb") else ""
    if verb not in _TASK_VERBS or ref.numbers or ref.focus or ref.view or ref.listed:
        return Intent("complete", ref=ref)
    # "finish the report by Friday", "check the oven in 20 minutes": something to do, with a
    # date, is a task to add; without one it is a completion, and if no open task matches,
    # the chat offers to add it.
    offer = f"add {cmd.original}" if verb != "complete" else None  # "complete taxes": no
    try:
        candidate = _add(cmd.original, clock)
    except Clarify:
        return Intent("complete", ref=ref, suggestion=offer)
    if candidate.due is not None or candidate.rule is not None:
        return candidate
    return Intent("complete", ref=ref, suggestion=offer)


# Verbs that mark a task done and also start the title of one ("finish the report").
_TASK_VERBS = frozenset({"complete", "finish", "check", "close"})


@_command(
    r"(?P<verb>delete|remove|erase|drop(?!\s+(?:off|by|in)\b)|trash|discard|get\s+rid\s+of"
    r"|forget(?:\s+about)?|cancel|scrap|scratch)\s+(?P<ref>.+)",
    # "I don't need to call dad anymore", "no need to renew the passport": not to be done
    r"(?:i\s+|we\s+)?(?:don'?t|do\s+not|no\s+longer|won'?t)\s+(?:need|have|want)\s+to\s+(?P<ref>.+?)"
    r"(?:\s+(?:any\s*more|after\s+all))?",
    r"(?:there'?s\s+)?no\s+(?:more\s+)?need\s+to\s+(?P<ref>.+?)(?:\s+(?:any\s*more|after\s+all))?",
    r"(?P<ref>.+?)\s+(?:is|was|got|has\s+been)\s+(?:cancell?ed|called\s+off)",
)
def _delete(cmd: _Command, clock: Clock) -> Intent:
    # "delete all yoga", "cancel all the gym ones": that task, series and all
    ref = _ref(cmd["ref"])
    if not ref.listed:
        said = re.sub(r"^all\s+(?:of\s+)?(?:the\s+|my\s+)?(?=\S)", "", cmd["ref"] or "", flags=re.I)
        said = re.sub(r"\s+(?:ones|tasks|sessions|classes)$", "", said, flags=re.IGNORECASE)
        ref = _ref(said)
    if not cmd.has("verb") or ref.numbers or ref.focus or ref.view or ref.listed:
        return Intent("delete", ref=ref)
    # "cancel the dentist tomorrow": the task with that title (the date tells which, said as
    # people do); "trash every tue and fri at 7am", with no title left, is a task to add. If
    # no open task matches, the chat offers to add the message ("cancel netflix").
    try:
        named = _add(cmd["ref"] or "", clock)
    except Clarify:
        try:
            candidate = _add(cmd.original, clock)
        except Clarify:
            candidate = None
        if candidate is not None and (candidate.due is not None or candidate.rule is not None):
            return candidate
    else:
        if (named.due is not None or named.rule is not None) and named.title:
            title = re.sub(r"^(?:the|my)\s+", "", named.title, flags=re.IGNORECASE)
            ref = replace(ref, alternatives=(title,))
    return Intent("delete", ref=ref, suggestion=f"add {cmd.original}")


# ---------------------------------------------------------------- news of something done

# "I called mom", "paid the rent", "just bought milk": something done, said in the past tense.
# It completes the open task it names in the present ("Call mom", "Pay rent").
_IRREGULAR_PAST = {
    "ate": "eat", "eaten": "eat", "bought": "buy", "brought": "bring", "built": "build",
    "caught": "catch", "chose": "choose", "chosen": "choose", "did": "do", "done": "do",
    "drew": "draw", "drawn": "draw", "drove": "drive", "driven": "drive", "fed": "feed",
    "found": "find", "gave": "give", "given": "give", "got": "get", "gotten": "get",
    "went": "go", "gone": "go", "had": "have", "hung": "hang", "kept": "keep", "left": "leave",
    "made": "make", "met": "meet", "paid": "pay", "ran": "run", "rode": "ride", "said": "say",
    "sent": "send", "sold": "sell", "spent": "spend", "spoke": "speak", "spoken": "speak",
    "swept": "sweep", "taught": "teach", "told": "tell", "took": "take", "taken": "take",
    "threw": "throw", "thrown": "throw", "woke": "wake", "wrote": "write", "written": "write",
    "won": "win", "withdrew": "withdraw", "withdrawn": "withdraw",
}  # fmt: skip
# Words in -ed that are no past tense ("-eed" words never are: need, feed, speed).
_NOT_PAST = frozenset({"shred", "embed", "imbed", "infrared"})
_DONE_LEAD = re.compile(
    r"(?:i\s+(?:have\s+|'ve\s+)?|i'?ve\s+|we\s+(?:have\s+|'ve\s+)?)?"
    r"(?:just\s+|already\s+|finally\s+|also\s+)*"
)
# When, as news tells it: "today", "this morning", "already".
_NEWS_WHEN = re.compile(
    r"(?:[\s,]+(?:already|just\s+now|now|today|tonight|earlier(?:\s+today)?|yesterday|finally"
    r"|at\s+last|too|as\s+well|this\s+(?:morning|afternoon|evening)|on\s+time))+(?=[\s.!]*$)",
    re.IGNORECASE,
)


def _present(word: str) -> list[str]:
    """The present forms a past-tense word may come from, likeliest first ("called" → call,
    "changed" → chang, change; "submitted" → submit; "replied" → reply); [] for none."""
    if word in _IRREGULAR_PAST:
        return [_IRREGULAR_PAST[word]]
    if word in _NOT_PAST or not re.fullmatch(r"[a-z]{3,}(?<!e)ed", word):
        return []
    stem = word[:-2]
    if word.endswith("ied"):
        return [word[:-3] + "y", stem]
    if stem[-1] == stem[-2] and stem[-1] not in "lsfz":  # "stopped", not "called"
        return [stem[:-1], stem]
    return [stem, stem + "e"]


def _done_news(text: str, clock: Clock) -> Intent | None:
    """ "I called mom": complete the open task "Call mom". When none matches, a message with
    a date of its own is read as before (a title may start with "Scheduled" or "Advanced"),
    and otherwise the reply says there was nothing to check off."""
    lead = _DONE_LEAD.match(text.lower())
    words = text[lead.end() if lead else 0 :].split(maxsplit=1)
    presents = _present(words[0].lower()) if len(words) == 2 else []
    if not presents:
        return None
    news_when = _NEWS_WHEN.search(words[1])
    thing = _NEWS_WHEN.sub("", words[1]).strip(" ,.!")
    if not re.search(r"[^\W\d_]", thing) or thing.lower() in _FOCUS_WORDS:
        return None  # "got it", "made it": no task named
    titles = [f"{present} {thing}" for present in presents]
    nothing = f'There\'s no open task like "{titles[0]}" to check off.'
    otherwise = Intent("clarify", question=nothing)
    if news_when is None:
        try:
            candidate = _add(text, clock)
        except Clarify:
            candidate = None
        if candidate is not None and (candidate.due is not None or candidate.rule is not None):
            otherwise = _unknown(text, clock)
    ref = TaskRef(title=titles[0], alternatives=tuple(titles[1:]))
    return Intent("complete", ref=ref, otherwise=otherwise)


_FOCUS_WORDS = frozenset({"it", "that", "this", "them", "those", "these", "you", "one"})


# ---------------------------------------------------------------- anything else


# A message that talks (or asks) rather than names something to do: offered as a task only if
# it has a date or a repeat.
_CHATTER = re.compile(
    r"(?:hi|hello|hey|yo|good\s+(?:morning|afternoon|evening|night)|bye|goodbye|lol|haha|hmm+"
    r"|blah|meh|ugh|test(?:ing)?"
    r"|what|what'?s|when|where|why|how|who|whose|which|is|are|am|was|were|do|does|did|can|could"
    r"|should|would|will|shall|may|might|i|i'm|im|you|you're|it'?s|that'?s|this\s+is)(?![\w'])"
)
# A question is never offered as a task, with a date or without ("what did we say on Friday").
_QUESTION = re.compile(
    r"(?:what|what'?s|when|where|why|how|who|whose|which|is|are|do|does|did|can|could|should"
    r"|would|will|shall)(?![\w'])"
)
_OFFER_WORDS_MAX = 12
# First words of replies and of requests to the app itself, never of a task to offer: "sounds
# good", "thank you so much", "turn off notifications", "next please".
_NOT_A_TASK = frozenset({
    "thank", "thanks", "thx", "sounds", "sound", "cool", "nice", "great", "good", "fine", "ok",
    "okay", "sure", "awesome", "perfect", "lovely", "yes", "yeah", "yep", "no", "nope", "nah",
    "next", "settings", "setting", "turn", "enable", "disable", "switch", "show", "open", "go",
    "help", "stop", "start", "bye", "night", "morning", "evening", "afternoon", "overdue",
    "today", "tomorrow", "tonight", "done", "finished", "me", "my", "mine", "it", "that", "this",
    "these", "those", "we", "let's", "lets", "our", "your", "there", "here", "any", "anything",
})  # fmt: skip


_DAY_WORDS = frozenset({"today", "tomorrow", "tonight", "tmrw", "tmr"})
# First words of requests to the app ("go to settings", "turn off notifications") that, with a
# date, start something to do: "go to the gym tomorrow at 6", "stop by the bank on Friday".
_DATED_VERBS = frozenset({"go", "start", "stop", "open", "turn", "switch", "show"})
# Verbs a to-do starts with: a message that starts with one names something to do, undated too.
_TODO_VERBS = frozenset({
    "buy", "call", "email", "e-mail", "text", "phone", "ring", "pay", "book", "schedule",
    "fix", "repair", "clean", "wash", "vacuum", "mop", "iron", "tidy", "pick", "send", "mail",
    "post", "ship", "write", "submit", "renew", "order", "return", "print", "water", "feed",
    "walk", "bring", "update", "prepare", "plan", "review", "reply", "respond", "ask", "get",
    "cook", "bake", "organize", "organise", "file", "sign", "install", "charge", "backup",
    "refill", "replace", "pack", "unpack", "wrap", "research", "register",
    "apply", "invite", "confirm", "collect", "deposit", "transfer", "visit", "drop", "grab",
    "mow", "shovel", "change", "empty", "prep", "draft", "finish", "practice", "practise",
    "study", "learn", "contact", "follow", "arrange", "reserve", "rsvp", "download", "upload",
})  # fmt: skip
# Words after such a verb that make it talk, not name a task ("call me later", "get lost",
# "change of plans").
_NOT_AN_OBJECT = frozenset({
    "me", "you", "us", "it", "that", "this", "them", "of", "lost", "well", "better", "ready",
    "real", "going", "away",
})  # fmt: skip
# "moved", "called": a message that starts in the past tense tells, it asks nothing to be done.
_PAST_TENSE = re.compile(r"[a-z]{3,}(?<!e)ed|went|had|got|was|were|saw|met|did|made|took|sent")


def _unknown(text: str, clock: Clock, *, chatting: bool = False, asking: bool = False) -> Intent:
    """Not a command. A message that reads as something to do, with a date or a repeat, is
    added ("call mom tomorrow at 5pm"; "undo" takes it back). One that might not be is offered
    (confirm with yes): a dated one that chats or starts as a reply, or a short one without a
    date that does not ask, chat or talk to the app ("buy milk")."""
    try:
        candidate = _add(text, clock)
    except Clarify as question:
        if chatting:
            return Intent("unknown")
        # It reads as a task with something to settle ("on the 15th, remind me 2 days
        # before": at what time?): ask that rather than say nothing was understood.
        return _clarify(question, text)
    words = text.lower().split()
    plain = (
        not chatting
        and 2 <= len(words) <= _OFFER_WORDS_MAX
        and words[0].strip(",.!") not in _NOT_A_TASK
        and re.search(r"[^\W\d_]", candidate.title) is not None
    )
    dated = candidate.due is not None or candidate.rule is not None
    saying = bool(re.match(r"(?:i'?m|i\s+am)\s", text.lower()))  # "I'm done for today"
    first = words[0].strip(",.!:") if words else ""
    named = candidate.title.lower().split()  # "urgent: call the plumber": "call the plumber"
    if (
        first in _DAY_WORDS
        and named
        and named[0] not in _NOT_A_TASK
        and not _CHATTER.fullmatch(named[0])
    ):
        first = named[0]  # "tomorrow at 10 dentist": the day first, then what to do
    if (
        dated
        and not chatting
        and not saying
        and (first not in _NOT_A_TASK or first in _DATED_VERBS)
        and not (_PAST_TENSE.fullmatch(first) and first not in _NOT_PAST)
    ):
        return candidate
    if (
        plain
        and not dated
        and len(named) > 1
        and named[0] in _TODO_VERBS
        and named[1].strip(",.!") not in _NOT_AN_OBJECT
    ):
        return candidate  # "buy milk", "call the plumber": something to do, even undated
    if (dated and not asking and not saying) or plain:
        return Intent("unknown", suggestion=f"add {text}", title=candidate.title,
                      due=candidate.due, rule=candidate.rule, reminders=candidate.reminders,
                      tags=candidate.tags, priority=candidate.priority)  # fmt: skip
    return Intent("unknown")
