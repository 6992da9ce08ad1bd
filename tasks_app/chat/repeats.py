"""Recurrence phrases -> a `RecurrenceRule` and the series' first occurrence. Pure.

Covered: every day / weekday / weekend / N days, weeks, months, years; every other ...; sets of
weekdays, with one or more times ("every Mon and Wed at 7pm", "twice a day at 9am and 9pm");
the nth and last weekday of the month; day N of the month and its last day; the first and last
workday of the month; a date every year; hourly; "until <date>", "N times", "for N weeks",
"starting <date>"; completion-based repeats ("every! 3 days", "3 days after I finish").

Defaults: without a time the occurrences are all-day, except "every morning" (09:00), "every
evening" (19:00) and "every night" (20:00). The first occurrence is the first day matching the
pattern at or after the later of now and the start, and the interval counts from it ("every
other Tuesday" said on a Thursday starts next Tuesday). "biweekly", "bimonthly" and "every
second Monday" have two readings and are asked.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from tasks_app import recurrence

from .phrases import (
    AMPM,
    DATE_ATOM,
    END_OF_DAY,
    MONTH,
    MONTH_NAMES,
    NUM,
    PART,
    PART_OF_DAY,
    WD_ANY,
    WD_FULL,
    WD_PLURAL,
    WEEKDAY_NAMES,
    Clarify,
    Clock,
    Phrase,
    When,
    number,
    parse_date,
    parse_duration,
    parse_time,
)
from .rules import WEEKDAY_CODES, RecurrenceRule

ORD = r"(?:second[- ]to[- ]last|first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)"
DAY_ORD = r"(?:\d{1,2}(?:st|nd|rd|th))"
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "last": -1, "second to last": -2, "second-to-last": -2,
}  # fmt: skip
_TIMES_A_PERIOD = {"once": 1, "twice": 2, "thrice": 3}


@dataclass
class Repeat:
    """What a message says about recurrence, before the first occurrence is known."""

    rule: RecurrenceRule
    said: str
    default_time: time | None = None  # "every morning"
    more_times: list[time] = field(default_factory=list)  # "every morning and evening"
    times_per_day: int | None = None  # "twice a day": needs that many times
    start: date | None = None
    until: date | None = None
    count: int | None = None
    for_span: relativedelta | None = None  # "for 2 weeks"


def _weekday_code(name: str) -> str:
    name = name if name in WEEKDAY_NAMES else name.removesuffix("s")
    return WEEKDAY_CODES[WEEKDAY_NAMES[name]]


def _weekday_codes(text: str) -> list[str]:
    return [_weekday_code(name) for name in re.findall(WD_ANY + r"s?", text)]


def _interval(text: str | None) -> int:
    if not text:
        return 1
    return number(re.sub(r"(?<=\d)(?:st|nd|rd|th)$", "", text))


_FREQ = {"hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}
_EVERY = r"(?:every|each)"
_N = rf"(?:other|second|third|\d+(?:st|nd|rd|th)?|{NUM})"
_UNIT_WORD = r"(?P<unit>hour|day|week|month|year|fortnight|quarter)s?"
# "monday, wednesday and friday", "mon/wed/fri"; "monday wednesday friday", and short names
# with spaces only before another day, a time or the end ("every mon wed fri 6am"), so that
# "every monday sun cream" keeps its sun.
_WD_SEP = r"(?:\s*(?:,\s*(?:and\s+)?|&|/)\s*|\s+and\s+)"
_WD_SPACED = rf"\s+(?:{WD_FULL}s?|{WD_ANY}(?=\s+{WD_ANY}(?![a-z])|\s*(?:$|,|\d|at\b|@)))"
_WDLIST = rf"{WD_ANY}s?(?:{_WD_SEP}{WD_ANY}s?|{_WD_SPACED})*"
# Three days or more said as a list, without "every" ("go running mon wed fri"): one task can
# be due on one day only, so it repeats on them.
_WDLIST3 = rf"{WD_ANY}(?:(?:{_WD_SEP}|\s+){WD_ANY}(?![a-z])){{2,}}"
_ORDLIST = rf"{ORD}(?:\s*(?:,|and|&)\s*(?:the\s+)?{ORD})*"
_DAY_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "tenth": 10,
              "fifteenth": 15, "twentieth": 20}  # fmt: skip
_DAY = rf"(?:{DAY_ORD}|{'|'.join(_DAY_WORDS)}|last\s+day)"
_DAYLIST = rf"{_DAY}(?:\s*(?:,|and|&)\s*(?:the\s+)?{_DAY})*"
_OF_MONTH = rf"(?:of|in)\s+(?:every|each|the|a)\s+(?:(?P<n2>{_N})\s+)?months?"
_AFTER_DONE = (
    r"after\s+(?:i\s+(?:finish|complete|do|did|mark)(?:\s+it)?(?:\s+(?:done|off))?"
    r"|(?:it'?s\s+|it\s+is\s+|it\s+was\s+)?(?:done|completed|finished)|(?:the\s+last\s+)?completion"
    r"|completing(?:\s+it)?|finishing(?:\s+it)?|the\s+last\s+one(?:\s+is\s+done)?)"
)
_WORKDAY = r"(?:work\s*days?|working\s+days?|business\s+days?|week\s*days?|school\s*days?)"
_PART_SUFFIX = rf"(?:\s+(?:in\s+the\s+)?(?P<part>{PART}))?"
_MONTH_DAY = (
    rf"(?:(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?![a-z])"
    rf"|{MONTH}\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?![\d:]))"
)
_NOT_A_UNIT = rf"(?!\s+(?:of\s+{MONTH}|{WD_ANY}|hour|day|week|month|year|fortnight|quarter|time))"


def _rule(frequency: str, **parts: object) -> RecurrenceRule:
    return RecurrenceRule(frequency=frequency, **parts)  # type: ignore[arg-type]


def _groups(m: re.Match[str]) -> dict[str, str]:
    return {k: v for k, v in m.groupdict().items() if v}


def _month_and_day(text: str) -> tuple[int, int]:
    match = re.fullmatch(rf"(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH})", text)
    if match:
        return MONTH_NAMES[match[2].rstrip(".")], int(match[1])
    match = re.fullmatch(rf"({MONTH})\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?", text)
    assert match is not None
    return MONTH_NAMES[match[1].rstrip(".")], int(match[2])


class _NotRecurrence(Exception):
    pass


Builder = Callable[[dict[str, str], str], Repeat]
# (pattern, builder), tried in order: the more specific phrases come first.
_PATTERNS: list[tuple[re.Pattern[str], Builder]] = []


def _pattern(*regexes: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        for regex in regexes:
            _PATTERNS.append((re.compile(rf"(?<![\w!]){regex}(?![\w])"), builder))
        return builder

    return register


@_pattern(
    rf"every!\s*(?:(?P<n>{_N})\s+)?{_UNIT_WORD}",
    rf"(?:{_EVERY}\s+)?(?:(?P<n>{_N})\s+)?{_UNIT_WORD}\s+{_AFTER_DONE}",
)
def _after_completion(g: dict[str, str], said: str) -> Repeat:
    frequency, interval = _unit(g["unit"], _interval(g.get("n")))
    return Repeat(_rule(frequency, interval=interval, after_completion=True), said)


def _unit(unit: str, interval: int) -> tuple[str, int]:
    """(frequency, interval) of "every N <unit>": a fortnight is 2 weeks, a quarter 3 months."""
    if unit == "fortnight":
        return "weekly", interval * 2
    if unit == "quarter":
        return "monthly", interval * 3
    return _FREQ[unit], interval


@_pattern(r"bi-?weekly|bi-?monthly|semi-?monthly")
def _ambiguous_frequency(g: dict[str, str], said: str) -> Repeat:
    unit = "week" if "week" in said else "month"
    raise Clarify(
        f'"{said}" can mean twice a {unit} or every two {unit}s. Which one? '
        f'Say e.g. "every 2 {unit}s" or "twice a {unit} on ...".'
    )


@_pattern(
    rf"(?:(?:{_EVERY}|on)\s+)?(?:the\s+)?(?P<which>last|first)\s+{_WORKDAY}\s+{_OF_MONTH}",
    rf"{_EVERY}\s+(?:(?P<n>{_N})\s+)?months?\s+on\s+the\s+(?P<which>last|first)\s+{_WORKDAY}",
    rf"monthly\s+on\s+the\s+(?P<which>last|first)\s+{_WORKDAY}",
)
def _workday_of_month(g: dict[str, str], said: str) -> Repeat:
    return Repeat(
        _rule(
            "monthly",
            interval=_interval(g.get("n") or g.get("n2")),
            weekdays=list(WEEKDAY_CODES[:5]),
            set_positions=[-1 if g["which"] == "last" else 1],
        ),
        said,
    )


@_pattern(
    rf"(?:(?:{_EVERY}|on)\s+)?(?:the\s+)?(?P<ords>{_ORDLIST})\s+(?P<wd>{WD_ANY})\s+{_OF_MONTH}",
    rf"{_EVERY}\s+(?:(?P<n>{_N})\s+)?months?\s+on\s+the\s+(?P<ords>{_ORDLIST})\s+(?P<wd>{WD_ANY})",
    rf"monthly\s+on\s+the\s+(?P<ords>{_ORDLIST})\s+(?P<wd>{WD_ANY})",
    rf"{_EVERY}\s+(?P<ords>{_ORDLIST})\s+(?P<wd>{WD_ANY})(?P<of>\s+of\s+the\s+month)?",
)
def _nth_weekday_of_month(g: dict[str, str], said: str) -> Repeat:
    ordinals = re.findall(ORD, g["ords"])
    # "every 3rd thursday" is the month's, as in Todoist; "every second monday" is also said
    # for every other one
    unsure = any(o in ("second", "2nd") for o in ordinals)
    if unsure and said.startswith(("every", "each")) and "month" not in said:
        day = g["wd"].capitalize()
        raise Clarify(
            f'"{said}": every other {day}, or the {ordinals[0]} {day} of each month? '
            f'Say "every other {day}" or "the {ordinals[0]} {day} of every month".'
        )
    code = _weekday_code(g["wd"])
    weekdays = [f"{_ORDINALS[o.replace('-', ' ')]}{code}" for o in ordinals]
    interval = _interval(g.get("n") or g.get("n2"))
    return Repeat(_rule("monthly", interval=interval, weekdays=weekdays), said)


@_pattern(
    rf"(?:on\s+)?the\s+(?P<days>{_DAYLIST})\s+{_OF_MONTH}",
    rf"{_EVERY}\s+(?:(?P<n>{_N})\s+)?months?\s+on\s+the\s+(?P<days>{_DAYLIST})",
    rf"monthly\s+on\s+the\s+(?P<days>{_DAYLIST})",
    rf"{_EVERY}\s+(?P<days>{DAY_ORD})(?:\s+of\s+the\s+month)?{_NOT_A_UNIT}",
    rf"{_EVERY}\s+(?P<days>last\s+day)(?:\s+of\s+(?:the|every|each)\s+month)?",
)
def _day_of_month(g: dict[str, str], said: str) -> Repeat:
    found = re.findall(rf"\d{{1,2}}|last\s+day|{'|'.join(_DAY_WORDS)}", g["days"])
    days = [-1 if "last" in d else _DAY_WORDS.get(d) or int(d) for d in found]
    if any(d > 31 for d in days):
        raise Clarify("A month has at most 31 days.")
    interval = _interval(g.get("n") or g.get("n2"))
    return Repeat(_rule("monthly", interval=interval, month_days=days), said)


@_pattern(
    rf"{_EVERY}\s+year\s+on\s+(?P<md>{_MONTH_DAY})",
    rf"(?:yearly|annually)\s+on\s+(?P<md>{_MONTH_DAY})",
    rf"{_EVERY}\s+(?P<md>{_MONTH_DAY})",
    rf"(?:on\s+)?(?P<md>{_MONTH_DAY})\s+(?:every\s+year|yearly|annually)",
)
def _yearly_on_date(g: dict[str, str], said: str) -> Repeat:
    month, day = _month_and_day(g["md"])
    if day > calendar.monthrange(2024, month)[1]:
        raise Clarify(f"{calendar.month_name[month]} has no day {day}.")
    return Repeat(_rule("yearly", months=[month], month_days=[day]), said)


@_pattern(rf"(?P<amount>once|twice|thrice|{NUM}\s+times)\s+(?:a|per|each)\s+(?P<period>day|week)")
def _times_a_period(g: dict[str, str], said: str) -> Repeat:
    text = g["amount"].replace("times", "").strip()
    amount = _TIMES_A_PERIOD.get(text) or number(text)
    if g["period"] == "day":
        return Repeat(_rule("daily"), said, times_per_day=amount if amount > 1 else None)
    # "twice a week" only makes sense with the days, given as "on mon and thu".
    return Repeat(_rule("weekly"), said, times_per_day=-amount if amount > 1 else None)


@_pattern(
    # "every Monday through Friday", "mon-fri", "Mondays to Thursdays": each day of the span.
    # "Monday to Friday" alone is two dates (a question): it may be one task's span.
    rf"{_EVERY}\s+(?P<a>{WD_ANY})\s*(?:-|\u2013|to|through|thru|till|until)\s*(?P<b>{WD_ANY})"
    rf"{_PART_SUFFIX}",
    rf"(?:on\s+)?(?P<a>{WD_ANY})\s*(?:-|\u2013)\s*(?P<b>{WD_ANY}){_PART_SUFFIX}",
    rf"(?:on\s+)?(?P<a>{WD_PLURAL})\s*(?:-|\u2013|to|through|thru|till|until)\s*(?P<b>{WD_PLURAL})"
    rf"{_PART_SUFFIX}",
)
def _weekday_span(g: dict[str, str], said: str) -> Repeat:
    first = WEEKDAY_CODES.index(_weekday_code(g["a"]))
    last = WEEKDAY_CODES.index(_weekday_code(g["b"]))
    days = [WEEKDAY_CODES[(first + i) % 7] for i in range((last - first) % 7 + 1)]
    part = PART_OF_DAY[g["part"]] if g.get("part") else None
    return Repeat(_rule("weekly", weekdays=days), said, default_time=part)


@_pattern(
    rf"{_EVERY}\s+(?:(?P<n>{_N})\s+)?weeks?\s+on\s+(?P<days>{_WDLIST}){_PART_SUFFIX}",
    rf"(?:weekly|every\s+week)\s+on\s+(?P<days>{_WDLIST}){_PART_SUFFIX}",
    rf"(?P<fortnight>fortnightly|every\s+fortnight)\s+on\s+(?P<days>{_WDLIST}){_PART_SUFFIX}",
    rf"{_EVERY}\s+(?:(?P<n>other|second|third|\d+(?:nd|rd|th))\s+)?(?P<days>{_WDLIST}){_PART_SUFFIX}",
    rf"(?:on\s+)?(?P<days>{WD_PLURAL}(?:(?:{_WD_SEP}|\s+){WD_PLURAL})*){_PART_SUFFIX}",
    rf"(?:on\s+)?(?P<days>{_WDLIST3}){_PART_SUFFIX}",
)
def _weekly_on_days(g: dict[str, str], said: str) -> Repeat:
    interval = 2 if g.get("fortnight") else _interval(g.get("n"))
    part = PART_OF_DAY[g["part"]] if g.get("part") else None
    rule = _rule("weekly", interval=interval, weekdays=_weekday_codes(g["days"]))
    return Repeat(rule, said, default_time=part)


@_pattern(rf"(?:(?:{_EVERY}|on)\s+)?(?:the\s+)?week\s*ends?(?!\s*day)|{_EVERY}\s+weekend\s+day")
def _weekends(g: dict[str, str], said: str) -> Repeat:
    if not re.match(rf"{_EVERY}|(?:on\s+)?week\s*ends", said):
        raise _NotRecurrence  # "this weekend", "on the weekend": a date
    return Repeat(_rule("weekly", weekdays=["SA", "SU"]), said)


@_pattern(rf"(?:(?:{_EVERY}|on)\s+)?{_WORKDAY}{_PART_SUFFIX}")
def _workdays(g: dict[str, str], said: str) -> Repeat:
    if not re.match(rf"{_EVERY}|on|week\s*days|work\s*days|business\s+days|working\s+days", said):
        raise _NotRecurrence
    part = PART_OF_DAY[g["part"]] if g.get("part") else None
    return Repeat(_rule("weekly", weekdays=list(WEEKDAY_CODES[:5])), said, default_time=part)


@_pattern(
    rf"{_EVERY}\s+(?P<part>morning|evening|night)"
    r"(?:\s*(?:,|and|&)\s*(?:(?:every|each)\s+)?(?P<part2>morning|evening|night))?|nightly"
)
def _every_part_of_day(g: dict[str, str], said: str) -> Repeat:
    more = [PART_OF_DAY[g["part2"]]] if g.get("part2") and g["part2"] != g.get("part") else []
    return Repeat(
        _rule("daily"), said, default_time=PART_OF_DAY[g.get("part", "night")], more_times=more
    )


@_pattern(rf"{_EVERY}\s+(?:(?P<n>{_N})\s+)?{_UNIT_WORD}")
def _every_unit(g: dict[str, str], said: str) -> Repeat:
    frequency, interval = _unit(g["unit"], _interval(g.get("n")))
    return Repeat(_rule(frequency, interval=interval), said)


@_pattern(r"(?P<word>daily|hourly|weekly|monthly|yearly|annually|fortnightly|quarterly)")
def _adverb(g: dict[str, str], said: str) -> Repeat:
    word = g["word"]
    if word == "fortnightly":
        return Repeat(_rule("weekly", interval=2), said)
    if word == "quarterly":
        return Repeat(_rule("monthly", interval=3), said)
    return Repeat(_rule("yearly" if word == "annually" else word), said)


_MONTH_ONLY = rf"{MONTH}(?:\s+\d{{4}})?"
_START = (
    r"(?<!\w)(?:starting|beginning|from|as\s+of|effective|commencing)\s+(?:on\s+|from\s+|in\s+)?"
    rf"({DATE_ATOM}|{_MONTH_ONLY})(?!\w)"
)
_UNTIL = (
    r"(?<!\w)(?:until|till|til|through|thru|up\s+to|ending(?:\s+on)?)\s+"
    r"(?:on\s+|(?:the\s+)?end\s+of\s+)?"
    rf"({DATE_ATOM}|{_MONTH_ONLY})(?!\w)"
)
_COUNT = rf"(?<!\w)(?:for\s+)?({NUM})\s+(?:times|occurrences)(?!\s+(?:a|per|each)\b)(?!\w)"
_FOR_SPAN = rf"(?<!\w)for\s+(?:the\s+next\s+)?({NUM}\s+(?:day|week|month|year)s?)(?!\w)"


def _month_or_date(text: str, clock: Clock, *, last_day: bool) -> date:
    """A date, or a month alone: its first day ("starting April"), its last ("until June")."""
    match = re.fullmatch(rf"({MONTH})(?:\s+(\d{{4}}))?", text)
    if not match:
        return parse_date(text, clock)[0]
    month = MONTH_NAMES[match[1].rstrip(".")]
    year = int(match[2]) if match[2] else clock.today.year
    if not match[2] and (year, month) < (clock.today.year, clock.today.month):
        year += 1
    day = calendar.monthrange(year, month)[1] if last_day else 1
    return date(year, month, day)


def take_repeat(phrase: Phrase, clock: Clock) -> Repeat | None:
    """The recurrence phrase with its modifiers (starting, until, N times, for N weeks,
    except some weekdays)."""
    found: Repeat | None = None
    # "except Fridays", "but not on weekends": taken first, so its days are no repeat of their own.
    excluded = phrase.take(
        rf"(?<!\w)[,\s]*(?:except|but\s+not|excluding|apart\s+from)\s+(?:on\s+)?"
        rf"(?P<days>{_WDLIST}|{WD_PLURAL}(?:\s*(?:,|and|&|/)\s*{WD_PLURAL})*|weekends?)(?!\w)"
    )
    for regex, builder in _PATTERNS:
        match = phrase.find(regex)
        if not match:
            continue
        try:
            repeat = builder(_groups(match), match[0])
        except _NotRecurrence:
            continue
        if found is not None:
            if builder is _adverb and _names_a_thing(phrase, match):
                continue  # "weekly review on Fridays": the review's name, the Fridays its repeat
            if (both := _hours_on_days(found, repeat)) is not None:
                phrase.consume(match.start(), match.end())
                found = both
                continue
            raise Clarify(
                f'"{found.said}" and "{repeat.said}" are two different repeats. Which one?'
            )
        phrase.consume(match.start(), match.end())
        found = repeat
    if found is None:
        if excluded:  # no repeat to take days from: the words are the title's
            phrase.release(excluded.start(), excluded.end())
        if phrase.find(r"(?<!\w)(?:every|each)(?!\w)|every!"):
            bit = phrase.find(r"(?:every|each)!?\s*\S*(?:\s+\S+)?")
            said = bit[0].replace("\0", "").strip() if bit else "every"
            raise Clarify(f'I didn\'t understand how often "{said}" is. Try "every 2 weeks" or '
                          '"every Monday and Thursday".')  # fmt: skip
        return None
    if found.rule.frequency == "hourly" and (window := phrase.take(_HOURS_WINDOW)):
        found = _within_hours(found, window)
    if match := phrase.take(_START):
        found.start = _month_or_date(match[1], clock, last_day=False)
    if match := phrase.take(_UNTIL):
        found.until = _month_or_date(match[1], clock, last_day=True)
    if match := phrase.take(_COUNT):
        found.count = number(match[1])
    if match := phrase.take(_FOR_SPAN):
        found.for_span = parse_duration(match[1])
    if sum(x is not None for x in (found.until, found.count, found.for_span)) > 1:
        raise Clarify("Give either an end date or a number of times, not both.")
    if found.times_per_day is not None and found.times_per_day < 0:
        days = phrase.take(rf"(?<!\w)on\s+({_WDLIST})(?!\w)")
        if not days:
            raise Clarify(f'On which days "{found.said}"? Say e.g. "every Monday and Thursday".')
        codes = _weekday_codes(days[1])
        if len(codes) != -found.times_per_day:
            raise Clarify(f'"{found.said}" but {len(codes)} days given. Which days?')
        found.rule = found.rule.model_copy(update={"weekdays": codes})
        found.times_per_day = None
    if excluded:
        _exclude_days(found, excluded)
    return found


_CLOCK = rf"\d{{1,2}}(?::\d{{2}})?(?:\s*{AMPM})?|noon|midday"
# "every 2 hours from 9am to 5pm", "every hour between 8 and 8pm": the hours of a day it runs.
_HOURS_WINDOW = (
    rf"(?<!\w)(?:from|between)\s+(?P<a>{_CLOCK})\s*(?:-|to|until|till|and)\s*(?P<b>{_CLOCK})"
    r"(?![\w:])"
)


def _hours_on_days(one: Repeat, other: Repeat) -> Repeat | None:
    """ "every hour between 9 and 5 on weekdays": an hourly repeat on some days of the week."""
    hourly, days = (one, other) if one.rule.frequency == "hourly" else (other, one)
    rule = days.rule
    if (
        hourly.rule.frequency != "hourly"
        or rule.frequency not in ("daily", "weekly")
        or rule.interval != 1
        or not rule.weekdays
        or not all(re.fullmatch(r"[A-Z]{2}", day) for day in rule.weekdays)
        or hourly.rule.weekdays
        or days.default_time is not None
    ):
        return None
    hourly.rule = hourly.rule.model_copy(update={"weekdays": list(rule.weekdays)})
    hourly.said = f"{one.said} {other.said}"
    return hourly


def _within_hours(found: Repeat, window: re.Match[str]) -> Repeat:
    """An hourly repeat within a window of the day: the same times every day."""
    end = parse_time(window["b"], bare_ok=True)
    start = parse_time(window["a"], bare_ok=True)
    if start >= end:
        raise Clarify(f'"{window[0]}" ends before it starts. Say e.g. "from 9am to 5pm".')
    hours = range(start.hour, end.hour + 1, found.rule.interval)
    times = [time(hour, start.minute) for hour in hours if time(hour, start.minute) <= end]
    frequency = "weekly" if found.rule.weekdays else "daily"  # "… on weekdays": those days
    rule = found.rule.model_copy(update={"frequency": frequency, "interval": 1})
    return Repeat(rule, f"{found.said} {window[0]}", default_time=times[0], more_times=times[1:])


def _names_a_thing(phrase: Phrase, match: re.Match[str]) -> bool:
    """ "weekly" in "weekly review", "daily" in "daily standup": an adjective, part of a title."""
    after = phrase.view()[match.end() :]
    return bool(
        re.match(
            r"\s+(?!(?:on|at|in|from|until|till|starting|for|and|or|every|each|by|to|the)\b)[a-z]",
            after,
        )
    )


def _exclude_days(found: Repeat, excluded: re.Match[str]) -> None:
    days = excluded["days"]
    codes = set(WEEKDAY_CODES[5:]) if days.startswith("weekend") else set(_weekday_codes(days))
    rule = found.rule
    plain_days = all(re.fullmatch(r"[A-Z]{2}", day) for day in rule.weekdays)
    if rule.interval != 1 or not plain_days or rule.frequency not in ("daily", "weekly"):
        raise Clarify(f'"{excluded[0].strip(" ,")}" works with a repeat on days of the week, '
                      'e.g. "every day except Sundays".')  # fmt: skip
    every = rule.weekdays or list(WEEKDAY_CODES)
    if rule.frequency == "weekly" and not rule.weekdays:
        raise Clarify('On which days? Say e.g. "every weekday except Fridays".')
    kept = [day for day in every if day not in codes]
    if not kept:
        raise Clarify("That leaves no day to repeat on.")
    found.rule = rule.model_copy(update={"frequency": "weekly", "weekdays": kept})


def first_due(repeat: Repeat, when: When, clock: Clock) -> tuple[RecurrenceRule, date | datetime]:
    """Complete the rule and find the first occurrence: the due value of the new task."""
    times = when.times or ([repeat.default_time, *repeat.more_times] if repeat.default_time else [])
    if when.exact is not None:
        raise Clarify(f'"{when.said[0]}" and "{repeat.said}": when should the first one be?')
    if repeat.times_per_day is not None and len(times) != repeat.times_per_day:
        raise Clarify(f'At what times "{repeat.said}"? Say e.g. "at 9am and 9pm".')
    if repeat.start is not None and when.day is not None and repeat.start != when.day:
        raise Clarify("I see both a due date and a start date. Which one is the first?")
    start = repeat.start or when.day or clock.today
    rule = repeat.rule
    updates: dict[str, object] = {}
    if len(times) > 1:
        if rule.frequency not in ("daily", "weekly"):
            raise Clarify("Several times a day work with daily or weekly repeats only.")
        updates["times"] = [t.strftime("%H:%M") for t in times]
    if repeat.until is not None:
        updates["until"] = repeat.until
    if repeat.count is not None:
        updates["count"] = repeat.count
    if repeat.for_span is not None:
        updates["until"] = start + repeat.for_span - timedelta(days=1)
    if updates:
        try:
            rule = RecurrenceRule.model_validate(rule.model_dump() | updates)
        except ValueError as exc:
            raise Clarify(_validation_text(exc)) from None
    at = times[0] if times else None
    if rule.frequency == "hourly" and at is None:
        # Hourly rules start at the next full hour unless a time says otherwise.
        at = (clock.now + timedelta(hours=1)).replace(minute=0).time()
    return rule, first_occurrence(rule, start, at, clock)


def _validation_text(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        text = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in errors())
    else:
        text = str(exc)
    return text[:1].upper() + text[1:] + "."


def first_occurrence(
    rule: RecurrenceRule, start: date, at: time | None, clock: Clock
) -> date | datetime:
    """The first occurrence at or after the later of now and `start` (`at`: time of day, or
    None for all-day). It is the series' first: "every other Tuesday" said on a Thursday
    starts next Tuesday, "every other day at 7am" said at 10:00 starts tomorrow."""
    wall = datetime.combine(start, at or END_OF_DAY)
    try:
        since = max(recurrence.local_to_utc(wall, clock.zone), _utc_now(clock))
        # The pattern alone (interval 1, no end) finds the first matching day; counting the
        # interval from there keeps RRULE's period arithmetic from skipping that day. Hours
        # keep their interval: "every 8 hours starting 8am", said at 10:00, is next at 16:00.
        interval = rule.interval if rule.frequency == "hourly" else 1
        pattern = rule.model_copy(update={"interval": interval, "count": None, "until": None})
        probe = recurrence.build(pattern.to_rrule(), dtstart=wall, tz=clock.zone)
        first = recurrence.first_on_or_after(probe, when=since)
        if first is not None:
            first = _outside_gap(probe, first, rule, at, clock.zone)
        if first is not None:
            wall = first.astimezone(clock.zone).replace(tzinfo=None)
            rec = recurrence.build(rule.to_rrule(), dtstart=wall, tz=clock.zone, anchor=rule.anchor)
            first = recurrence.first_on_or_after(rec, when=first)
    except recurrence.RecurrenceError as exc:
        raise Clarify(f"That repeat doesn't work: {exc}.") from None
    if first is None:
        raise Clarify("That repeat has no occurrence from now on.")
    local = first.astimezone(clock.zone).replace(tzinfo=None)
    return local.date() if at is None else local


def _outside_gap(
    probe: recurrence.Recurrence,
    first: datetime,
    rule: RecurrenceRule,
    at: time | None,
    zone: ZoneInfo,
) -> datetime | None:
    """Skip first occurrences that a spring-forward gap moved (02:30 -> 03:30): a series takes
    its wall time from its first due time, so starting on one would shift every later one."""
    wanted = {at, *(time.fromisoformat(t) for t in rule.times)} - {None}
    if not wanted or rule.frequency == "hourly":
        return first
    candidate: datetime | None = first
    for _ in range(8):
        if candidate is None or candidate.astimezone(zone).time() in wanted:
            return candidate
        candidate = recurrence.next_occurrence(probe, after=candidate)
    return candidate


def _utc_now(clock: Clock) -> datetime:
    # The minute now starts in: a task due "every day at 10:00" created at 10:00:30 starts today.
    return recurrence.local_to_utc(clock.now, clock.zone)


def occurrences(
    rule: RecurrenceRule, due: date | datetime, zone: ZoneInfo, count: int = 2
) -> list[datetime]:
    """The first `count` occurrences, in `zone`, of a series whose first is `due` (previews)."""
    wall = due if isinstance(due, datetime) else datetime.combine(due, END_OF_DAY)
    rec = recurrence.build(rule.to_rrule(), dtstart=wall, tz=zone, anchor=rule.anchor)
    found = recurrence.occurrences(rec, start=recurrence.local_to_utc(wall, zone), count=count)
    return [x.astimezone(zone) for x in found]
