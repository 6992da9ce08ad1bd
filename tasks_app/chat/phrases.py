"""Date, time, duration and reminder phrases -> values. Pure: text, now and zone in.

Phrases are found in a `Phrase` (the message with a mask of what has been understood so far);
each `take_*` function consumes what it understood, so what is left is the task's title.
Everything is local wall time in the user's zone (naive datetimes). Recurrence phrases are
read by `repeats`.

Defaults, so that nothing is guessed silently (the chat reply always states the result):

* A date without a time is an all-day task. A time without a date is the next one: today if
  it is still ahead, else tomorrow.
* "tonight" and "night" = 20:00; "morning" = 09:00; "afternoon" = 15:00; "evening" = 19:00;
  with a time, that time read in that part of the day ("tonight at 7" = 19:00, "tomorrow
  morning at 5" = 05:00; "7am" stays 07:00); "noon" = 12:00; "midnight" = 23:59 of that day
  (the end of it: "Friday at midnight" stays on Friday). "before work" = 08:00, "at lunch" =
  12:00, "after lunch" = 13:00, "after school" = 15:30, "after work" = 18:00, "after dinner" =
  20:00.
* A bare hour after "at": 1-6 is in the afternoon (13:00-18:00), 7-11 in the morning, 12 is
  noon, 0 and 13-23 are 24-hour times. A leading zero ("at 05:30") is taken literally. "by 5"
  and "after 3" are times (due then) when only a date follows them. A span ("2-5pm", "11-1pm",
  "between 9 and 5") is due at its start.
  Moving a timed task "to 8" (no am/pm) takes the 8 o'clock nearer its current time.
* "Friday", "on Friday", "this Friday": the next Friday, today included. "next Friday": the
  Friday of next week (weeks start on Monday). "this weekend": Saturday (today on a weekend day);
  "next weekend": Saturday of next week. "next week", "early next week": its Monday; "next
  month": its 1st. "this week", "end of the week": its Friday (at the weekend, its Sunday); "end
  of next week": next week's Friday. "Friday, Dec 4": that date, if it is a Friday (else asked).
* A month and day that have passed this year ("March 3" on March 5) mean next year. "in March":
  its 1st (in March itself: today). "end of day", "eod": today, or the day said with it ("eod
  tomorrow"); "close of business", "COB": 17:00. "fri", "wed": dates ("sat" and "sun" only
  before a time). Common misspellings ("thrusday", "tonite", "2moro") are read as meant.
* "3/4" with both numbers up to 12 could be March 4 or 3 April: asked, never guessed.
* Said in words (rewritten as digits by `parsing._clean` before reading): "half past three"
  is 3:30 and "quarter to ten" 9:45, read as those digits are; "three o'clock"; "first thing
  tomorrow" is 09:00; "on the first", "by the twenty-first" are days of the month ("on the
  first floor" is not). "sometime next week" is next week.
* "in 20 minutes", "in 2 hours": that exact time. "in 3 days", "in 2 weeks": that date.
* "remind me at 8am" on a task due at a time becomes "N minutes before" (so it follows a
  reschedule and every occurrence of a series); on an all-day task it is 08:00 on the due date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from tasks_app import timefmt


class Clarify(Exception):
    """The message cannot be carried out as written; the text is the question to ask back."""


class Passed(Clarify):
    """The due said has already passed."""


class WhenAgain(Clarify):
    """A question answered with a due ("tomorrow at 9"): the message is carried out again
    without the phrases in `dropped` (the due said before, if any) and with the answer."""

    def __init__(self, question: str, dropped: tuple[str, ...] = ()) -> None:
        super().__init__(question)
        self.dropped = dropped


class Either(Clarify):
    """One phrase that reads two ways ("3/4"): answered with one of `options`, which then
    stands in its place."""

    def __init__(self, question: str, said: str, options: tuple[str, ...]) -> None:
        super().__init__(question)
        self.said = said
        self.options = options


class TwoDates(Clarify):
    """Two different due dates in one message: which one (or, for two weekdays, both as a
    weekly repeat)? `said` are the two phrases as written."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f'I see two dates ("{first}" and "{second}"). Which one should it be due?')
        self.said = (first, second)


# ---------------------------------------------------------------- vocabulary

END_OF_DAY = time(23, 59, 59)
# Moments of a day people plan around: "call mom after work".
DAY_MOMENTS = {
    "before work": time(8),
    "at lunch": time(12),
    "lunchtime": time(12),
    "at lunchtime": time(12),
    "after lunch": time(13),
    "after school": time(15, 30),
    "after work": time(18),
    "after dinner": time(20),
}
PART_OF_DAY = {
    "morning": time(9),
    "afternoon": time(15),
    "evening": time(19),
    "night": time(20),
    "tonight": time(20),
}
WEEKDAY_NAMES = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
MONTH_NAMES = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty-five": 45, "forty five": 45, "ninety": 90,
    "couple of": 2, "a couple of": 2, "other": 2, "second": 2, "third": 3,
}  # fmt: skip

# Full weekday names anywhere; three-letter forms only where a date is plainly meant
# ("on sat", "every mon"), so "buy sun cream" keeps its sun.
WD_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
WD_ANY = r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"  # noqa: E501
WD_PLURAL = r"(?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)"
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_FULL = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
NUM = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty[- ]five|ninety|(?:a\s+)?couple\s+of)"
)
UNIT = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?)"
_SHORT_UNIT = r"(?:m|h|d|w)"
DURATION = (
    rf"(?:half\s+an\s+hour|an?\s+hour\s+and\s+a\s+half|\d+\s*h\s*\d+\s*m(?:in)?"
    rf"|{NUM}\s+{UNIT}|\d+\s*{UNIT}|\d+\s*{_SHORT_UNIT})(?![a-z])"
)
AMPM = r"(?:a\.?m\.?|p\.?m\.?)"
TIME_ATOM = (
    rf"(?:\d{{1,2}}(?:[:.]\d{{2}})?\s*{AMPM}(?![a-z])|\d{{1,2}}:\d{{2}}(?!\d)|noon|midday"
    r"|midnight)"
)
_TIME_BARE = r"(?:\d{1,2}(?:\s*o'?clock)?(?![\d:./]))"
PART = r"(?:morning|afternoon|evening|night)"
# A calendar date: "4 Dec", "December 4th, 2027", "the 4th", "2026-12-04", "12/4".
_CALENDAR_DATE = (
    rf"(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?(?![a-z])"
    rf"|{MONTH}\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?![\d:])(?:,?\s+\d{{4}})?"
    r"|the\s+\d{1,2}(?:st|nd|rd|th)"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
)
# A date, without the words that may lead it ("on", "by", "due").
DATE_ATOM = (
    rf"(?:{WD_ANY},?\s+(?:{_CALENDAR_DATE})"  # "Friday, Dec 4": one date, its weekday checked
    r"|(?:the\s+)?day\s+after\s+tomorrow|tomorrow|tmrw|tmr|tomorow|tommorow|today|tonight"
    r"|this\s+(?:morning|afternoon|evening)"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|today)|eod|(?:the\s+)?(?:close|end)\s+of\s+business"
    r"|cob|eob"
    r"|(?:this\s+|next\s+|the\s+)?week\s*end"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week|this\s+week|(?:the\s+)?end\s+of\s+next\s+week"
    r"|early\s+next\s+week"
    r"|next\s+(?:week|month)"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month"
    rf"|(?:(?:this|next|coming|the\s+coming)\s+)?{WD_FULL}"
    rf"|(?:this|next|coming|on)\s+{WD_ANY}"
    # "gym fri 7pm", "dentist wed": short names alone too, but "sat" and "sun" only before a
    # time ("sun 10am"): "sat nav", "sun cream", "lie in the sun" stay words
    # "book flights in March": its 1st (this month's: today)
    rf"|in\s+(?:early\s+)?{_MONTH_FULL}(?:\s+\d{{4}})?(?![\w.])"
    r"|(?:mon|tues?|wed|thu(?:rs?)?|fri)"
    r"|(?:sat|sun)(?=\s+(?:at\s+|@\s*)?\d)"
    rf"|{_CALENDAR_DATE})"
)
_DATE_LEAD = r"(?:(?:due(?:\s+(?:on|by|before))?|by|on|for|before)\s+)?"


def number(text: str) -> int:
    text = re.sub(r"\s+", " ", text.strip())
    if text.isdigit():
        return int(text)
    return _NUMBER_WORDS[text]


# ---------------------------------------------------------------- the text being read


class Phrase:
    """A message with a mask of the characters already understood.

    Matching runs on a lower-cased copy in which understood characters are NUL, so a later
    pattern can neither match them again nor bridge across them.
    """

    def __init__(self, text: str) -> None:
        self.original = text
        # Lower-casing some characters changes their length; keep positions aligned.
        self.lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.used = [False] * len(text)

    def view(self) -> str:
        return "".join("\0" if u else c for c, u in zip(self.lower, self.used, strict=True))

    def find(self, pattern: str | re.Pattern[str]) -> re.Match[str] | None:
        return re.search(pattern, self.view())

    def take(self, pattern: str | re.Pattern[str]) -> re.Match[str] | None:
        match = self.find(pattern)
        if match:
            self.consume(match.start(), match.end())
        return match

    def take_all(self, pattern: str | re.Pattern[str]) -> list[re.Match[str]]:
        found = []
        while match := self.take(pattern):
            found.append(match)
        return found

    def consume(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = True

    def release(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = False

    def original_of(self, match: re.Match[str], group: int | str = 0) -> str:
        return self.original[match.start(group) : match.end(group)]

    def rest(self) -> str:
        """What has not been understood, in its original case, gaps closed up."""
        pieces, current = [], []
        for char, used in zip(self.original, self.used, strict=True):
            if used:
                if current:
                    pieces.append("".join(current))
                    current = []
            else:
                current.append(char)
        if current:
            pieces.append("".join(current))
        return " ".join(p.strip() for p in pieces if p.strip())


@dataclass(frozen=True)
class Clock:
    """Now, as a local wall time in the user's zone."""

    now: datetime  # naive local
    zone: ZoneInfo

    @classmethod
    def at(cls, now: datetime, zone: ZoneInfo) -> Clock:
        return cls(now.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0), zone)

    @property
    def today(self) -> date:
        return self.now.date()


# ---------------------------------------------------------------- times


def parse_time(text: str, *, bare_ok: bool = False) -> time:
    """One time of day: "9am", "9:30 pm", "21:00", "noon", "midnight", "morning", "at 9"."""
    text = re.sub(r"^(?:at|@|by|around|in\s+the)\s+", "", text.strip())
    if text in ("noon", "midday"):
        return time(12)
    if text == "midnight":
        return time(23, 59)
    if text in PART_OF_DAY:
        return PART_OF_DAY[text]
    moment = re.sub(r"\s+", " ", text).replace("lunch time", "lunchtime")
    if moment in DAY_MOMENTS or f"at {moment}" in DAY_MOMENTS:
        return DAY_MOMENTS.get(moment) or DAY_MOMENTS[f"at {moment}"]
    match = re.fullmatch(rf"(\d{{1,2}})(?:[:.](\d{{2}}))?\s*({AMPM})", text)
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise Clarify(f'"{text}" is not a time I can read.')
        pm = match[3].startswith("p")
        return time(hour % 12 + (12 if pm else 0), minute)
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise Clarify(f'"{text}" is not a time I can read.')
        return time(_bare_hour(hour, literal=match[1].startswith("0")), minute)
    match = re.fullmatch(r"(\d{1,2})(?:\s*o'?clock)?", text)
    if match and bare_ok:
        hour = int(match[1])
        if hour > 23:
            raise Clarify(f'"{text}" is not a time I can read.')
        return time(_bare_hour(hour, literal=match[1].startswith("0")))
    raise Clarify(f'"{text}" is not a time I can read.')


def _bare_hour(hour: int, *, literal: bool) -> int:
    # "at 5" means 17:00: tasks at 5 in the morning are rare enough to be said so.
    if literal or hour == 0 or hour >= 12:
        return hour
    return hour + 12 if hour <= 6 else hour


TIME_PHRASE = (
    rf"(?<![\w:/.])(?:(?:at|@|by|around|after)\s+)?{TIME_ATOM}"
    rf"|(?<![\w:/.])(?:at|@|around)\s+{_TIME_BARE}"
    # "by 5" is a time when nothing but a date follows ("read by 3 chapters" is not; NUL marks
    # what was understood already, a date)
    rf"|(?<![\w:/.])(?:by|after)\s+{_TIME_BARE}(?=\s*$|\s*[,;.!?\0]|\s+(?:today|tonight|tomorrow|on|this"
    rf"|next|{WD_ANY})(?![\w]))"
    rf"|(?<![\w:/.])in\s+the\s+{PART}"
    r"|(?<![\w:/.])(?:before\s+work|(?:at\s+)?lunch\s*time|at\s+lunch|after\s+(?:lunch|school|work"
    r"|dinner))(?![\w])"
)
TIME_LIST = (
    rf"(?<![\w:/.])(?:at|@)\s+(?:{TIME_ATOM}|{_TIME_BARE})"
    rf"(?:\s*(?:,|and|&)\s*(?:at\s+)?(?:{TIME_ATOM}|{_TIME_BARE}))+"
)


def take_times(phrase: Phrase) -> list[time]:
    """All times of day mentioned: a list ("at 9am and 9pm") or single times."""
    return sorted({at for at, _ in _take_times(phrase)})


def _take_times(phrase: Phrase) -> list[tuple[time, bool]]:
    """Each time of day mentioned, and whether it says its half of the day (am, pm, noon...)."""
    found: list[tuple[time, bool]] = []
    listed = phrase.take(TIME_LIST)
    texts: list[tuple[str, bool]] = []
    if listed:
        body = re.sub(r"^(?:at|@)\s+", "", listed[0])
        for item in re.split(r"\s*(?:,|\band\b|&)\s*", body):
            texts.append((re.sub(r"^at\s+", "", item), True))
    for match in phrase.take_all(TIME_PHRASE):
        text = re.sub(
            r"^(?:at|@|by|around|after(?!\s+(?:lunch|school|work|dinner)))\s+", "", match[0]
        )
        texts.append((text, match[0] != text))
    for text, bare_ok in texts:
        half = bool(re.search(rf"{AMPM}|noon|midday|midnight|work|lunch|school|dinner", text))
        found.append((parse_time(text, bare_ok=bare_ok), half))
    return found


# ---------------------------------------------------------------- dates


def next_weekday(today: date, weekday: int, *, next_week: bool = False) -> date:
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _month_day(clock: Clock, month: int, day: int, year: int | None) -> date:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(clock.today.year, month, day)
        if candidate < clock.today:
            candidate = date(clock.today.year + 1, month, day)
        return candidate
    except ValueError:
        raise Clarify(f"{calendar.month_name[month]} has no day {day}.") from None


def parse_date(text: str, clock: Clock) -> tuple[date, time | None]:
    """One date phrase (see DATE_ATOM) -> (date, time of day if the phrase says one)."""
    text = re.sub(r"\s+", " ", text.strip().rstrip("."))
    today = clock.today
    if (match := re.fullmatch(rf"({WD_ANY}),? (.+)", text)) and re.fullmatch(
        _CALENDAR_DATE, match[2]
    ):
        day, at = parse_date(match[2], clock)
        said = WEEKDAY_NAMES[match[1]]
        if day.weekday() != said:
            raise Clarify(
                f"{day:%b} {day.day} is a {day:%A}, not a {calendar.day_name[said]}. "
                "Which day do you mean?"
            )
        return day, at
    if re.fullmatch(r"(?:the )?day after tomorrow", text):
        return today + timedelta(days=2), None
    if text in ("tomorrow", "tmrw", "tmr", "tomorow", "tommorow"):
        return today + timedelta(days=1), None
    if text == "today":
        return today, None
    if text == "tonight":
        return today, PART_OF_DAY["tonight"]
    if re.fullmatch(r"(?:the )?end of (?:the )?(?:day|today)|eod", text):
        return today, None  # today, all day
    if re.fullmatch(r"(?:the )?(?:close|end) of business|cob|eob", text):
        return today, time(17, 0)
    if match := re.fullmatch(r"this (morning|afternoon|evening)", text):
        return today, PART_OF_DAY[match[1]]
    if match := re.fullmatch(r"(this |next |the )?week ?end", text):
        saturday = next_weekday(today, 5, next_week=match[1] == "next ")
        if match[1] != "next " and today.weekday() >= 5:
            saturday = today
        return saturday, None
    if text in ("next week", "early next week"):
        return next_weekday(today, 0, next_week=True), None
    if re.fullmatch(r"(?:the )?end of (?:the |this )?week|this week", text):
        # Its Friday; at the weekend, its Sunday (today or tomorrow).
        return next_weekday(today, 4 if today.weekday() <= 4 else 6), None
    if re.fullmatch(r"(?:the )?end of next week", text):
        return next_weekday(today, 4, next_week=True), None
    if text == "next month":
        return (today.replace(day=1) + relativedelta(months=1)), None
    if re.fullmatch(r"(?:the )?end of (?:the |this )?month", text):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1]), None
    if match := re.fullmatch(rf"(?:(this|next|coming|the coming|on) )?({WD_ANY})", text):
        weekday = WEEKDAY_NAMES[match[2]]
        return next_weekday(today, weekday, next_week=match[1] == "next"), None
    if match := re.fullmatch(rf"in (?:early )?({_MONTH_FULL})(?: (\d{{4}}))?", text):
        month = MONTH_NAMES[match[1].rstrip(".")]
        if month == today.month and match[2] in (None, str(today.year)):
            return today, None
        return _month_day(clock, month, 1, _year(match[2])), None
    if match := re.fullmatch(
        rf"(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({MONTH})(?:,? (\d{{4}}))?", text
    ):
        month = MONTH_NAMES[match[2].rstrip(".")]
        return _month_day(clock, month, int(match[1]), _year(match[3])), None
    if match := re.fullmatch(
        rf"({MONTH}) (?:the )?(\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?", text
    ):
        month = MONTH_NAMES[match[1].rstrip(".")]
        return _month_day(clock, month, int(match[2]), _year(match[3])), None
    if match := re.fullmatch(r"the (\d{1,2})(?:st|nd|rd|th)", text):
        day = int(match[1])
        for months_ahead in range(0, 12):
            first = today.replace(day=1) + relativedelta(months=months_ahead)
            if day <= calendar.monthrange(first.year, first.month)[1]:
                candidate = first.replace(day=day)
                if candidate >= today:
                    return candidate, None
        raise Clarify(f"No month has a day {day}.")
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        try:
            return date(int(match[1]), int(match[2]), int(match[3])), None
        except ValueError:
            raise Clarify(f'"{text}" is not a date.') from None
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", text):
        return _slash_date(clock, text, int(match[1]), int(match[2]), match[3]), None
    raise Clarify(f'"{text}" is not a date I can read.')


def _year(text: str | None) -> int | None:
    return int(text) if text else None


def _slash_date(clock: Clock, text: str, first: int, second: int, year_text: str | None) -> date:
    year = None
    if year_text:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    if first <= 12 and second <= 12:
        a = f"{calendar.month_name[first]} {second}"
        b = f"{first} {calendar.month_name[second]}"
        raise Either(
            f'"{text}" could be {a} or {b}. Which one?',
            text,
            (a, b),
        )
    month, day = (first, second) if second > 12 else (second, first)
    if month > 12:
        raise Clarify(f'"{text}" is not a date.')
    return _month_day(clock, month, day, year)


def parse_duration(text: str) -> relativedelta:
    text = re.sub(r"\s+", " ", text.strip())
    if text == "half an hour":
        return relativedelta(minutes=30)
    if re.fullmatch(r"an? hour and a half", text):
        return relativedelta(minutes=90)
    if match := re.fullmatch(r"(\d+) ?h ?(\d+) ?m(?:in)?", text):
        return relativedelta(hours=int(match[1]), minutes=int(match[2]))
    match = re.fullmatch(rf"({NUM}) ?({UNIT}|{_SHORT_UNIT})", text)
    if not match:
        raise Clarify(f'"{text}" is not a length of time I can read.')
    amount, unit = number(match[1]), match[2]
    if unit.startswith("mi") or unit == "m":
        return relativedelta(minutes=amount)
    if unit.startswith("h"):
        return relativedelta(hours=amount)
    if unit.startswith("d"):
        return relativedelta(days=amount)
    if unit.startswith("w"):
        return relativedelta(weeks=amount)
    if unit.startswith("mo"):
        return relativedelta(months=amount)
    return relativedelta(years=amount)


def duration_minutes(delta: relativedelta) -> int:
    if delta.months or delta.years:
        raise Clarify("Give that in minutes, hours, days or weeks.")
    return delta.weeks * 7 * 1440 + (delta.days % 7) * 1440 + delta.hours * 60 + delta.minutes


@dataclass
class When:
    """What a message says about a due date: a date, times of day, or an exact moment."""

    day: date | None = None
    times: list[time] = field(default_factory=list)
    exact: datetime | None = None  # "in 2 hours"
    said: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.day is None and not self.times and self.exact is None


RELATIVE = (
    rf"(?<![\w])(?:in\s+(?:a\s+few|a\s+couple\s+of|a\s+couple|few)\s+{UNIT}"
    rf"|in\s+{DURATION}|{DURATION}\s+from\s+(?:now|today))"
)


def take_when(phrase: Phrase, clock: Clock) -> When:
    """Consume every due date/time phrase; two different dates are a question, not a guess."""
    when = When()
    for match in phrase.take_all(RELATIVE):
        text = match[0]
        if re.search(r"\bfew\b|couple(?!\s+of)", text):
            raise Clarify(f'How long exactly is "{text.strip()}"? Say e.g. "in 3 days".')
        body = re.sub(r"^in\s+|\s+from\s+(?:now|today)$", "", text.strip())
        delta = parse_duration(body)
        if delta.minutes or delta.hours:
            moment = clock.now + delta
            _set_exact(when, moment, text)
        else:
            _set_day(when, clock.today + delta, text)
    date_phrase = rf"(?<![\w/-]){_DATE_LEAD}({DATE_ATOM})(?:\s+({PART}))?(?![\w/])"
    parts: list[time] = []  # "tonight", "tomorrow evening": a time unless one is given
    for match in phrase.take_all(date_phrase):
        day, at = parse_date(match[1], clock)
        if match[2]:
            at = PART_OF_DAY[match[2]]
        _set_day(when, day, match[0].strip())
        if at is not None:
            parts.append(at)
    ranged = phrase.take(TIME_RANGE)  # "2-5pm": due when it starts
    given = _take_times(phrase)
    if ranged:
        given.append((_range_start(ranged), True))
    if given and len(set(parts)) == 1:
        # "tonight at 7", "tomorrow morning at 5": the hour is read in that part of the day.
        given = [(at if half else _in_part(at, parts[0]), half) for at, half in given]
        parts = []
    when.times = sorted(set(parts) | {at for at, _ in given})
    if when.exact is not None and (when.day is not None or when.times):
        raise Clarify(f"Do you mean {' or '.join(when.said)}? Please give one due time.")
    return when


# "2-5pm", "from 10:30am to 12pm", "11-1pm", "between 9 and 5": a span of time; the task is
# due at its start.
TIME_RANGE = (
    rf"(?<![\w:/.-])(?:(?:at|from|between)\s+)?(?P<a>\d{{1,2}}(?::\d{{2}})?)\s*(?P<ma>{AMPM})?"
    rf"\s*(?:-|to|until|till)\s*(?P<b>\d{{1,2}}(?::\d{{2}})?)\s*(?P<mb>{AMPM})(?![a-z])"
    rf"|(?<![\w:/.-])between\s+(?P<a2>\d{{1,2}}(?::\d{{2}})?)\s*(?P<ma2>{AMPM})?\s+and\s+"
    rf"(?P<b2>\d{{1,2}}(?::\d{{2}})?)\s*(?P<mb2>{AMPM})?(?![\w:])"
)


def _range_start(match: re.Match[str]) -> time:
    if match["a2"] is not None:  # "between 9 and 5": its start, read as a time on its own
        if match["ma2"] or not match["mb2"]:
            return parse_time(f"{match['a2']}{match['ma2'] or ''}", bare_ok=True)
        return _range_start(re.fullmatch(TIME_RANGE, f"{match['a2']}-{match['b2']}{match['mb2']}"))
    end = parse_time(f"{match['b']}{match['mb']}")
    if match["ma"]:
        return parse_time(f"{match['a']}{match['ma']}")
    start = parse_time(f"{match['a']}{match['mb']}")  # the end's half of the day ...
    if start > end:  # ... unless that puts it after the end: "11-1pm" starts at 11am
        start = parse_time(f"{match['a']}{'am' if match['mb'].startswith('p') else 'pm'}")
    return start


def _in_part(at: time, part: time) -> time:
    """A time of day read in a part of it: 7 (07:00) "tonight" is 19:00, 5 (17:00) "in the
    morning" is 05:00. A time already in that half of the day stays."""
    if part.hour >= 12 and at.hour < 12:
        return at.replace(hour=at.hour + 12)
    if part.hour < 12 and at.hour > 12:
        return at.replace(hour=at.hour - 12)
    return at


# "end of day", "COB": today's end, or the end of another day said with it ("eod tomorrow").
_END_OF = re.compile(
    r"(?:^|\s)(?:(?:end|close)\s+of\s+(?:the\s+)?(?:day|today|business)|eod|cob|eob)$"
)


def _set_day(when: When, day: date, said: str) -> None:
    if when.day is not None and when.day != day:
        if _END_OF.search(said):
            return
        if not any(_END_OF.search(earlier) for earlier in when.said):
            raise TwoDates(when.said[-1], said)
    when.day = day
    when.said.append(said)


def _set_exact(when: When, moment: datetime, said: str) -> None:
    if when.exact is not None and when.exact != moment:
        raise Clarify(f'I see two times ("{when.said[-1]}" and "{said}"). Which one?')
    when.exact = moment
    when.said.append(said)


def due_from(when: When, clock: Clock) -> date | datetime | None:
    """The due value of a one-off task: a date (all-day) or a local datetime."""
    if when.exact is not None:
        return when.exact
    if len(when.times) > 1:
        listed = " and ".join(timefmt.clock(t) for t in when.times)
        raise Clarify(
            f"I see several times ({listed}). If it repeats, say how often, "
            f'e.g. "every day at {listed}".'
        )
    at = when.times[0] if when.times else None
    if when.day is None:
        if at is None:
            return None
        candidate = datetime.combine(clock.today, at)
        return candidate if candidate > clock.now else candidate + timedelta(days=1)
    if at is None:
        if when.day < clock.today:
            raise Passed(f"{when.day:%b} {when.day.day} has already passed. When is it due?")
        return when.day
    moment = datetime.combine(when.day, at)
    if moment <= clock.now:
        raise Passed(already_passed(moment))
    return moment


def already_passed(moment: datetime) -> str:
    return f"{_moment_text(moment)} has already passed. When is it due?"


# ---------------------------------------------------------------- reminders


@dataclass(frozen=True)
class ReminderSpec:
    """Relative to the due time (`offset_minutes`), or at a local wall time (`at`)."""

    offset_minutes: int | None = None
    at: datetime | None = None
    # "at 8am" with no date: resolved against the due date once that is known.
    at_time: time | None = None
    day_before: int = 0  # with at_time: that many days before the due date ("the day before")


_BEFORE = r"(?:before(?:hand)?|earlier|ahead|in\s+advance|prior)(?:\s+(?:it'?s\s+due|it|the\s+due\s+time))?"  # noqa: E501
# "a week before at 9am", "2 days before at 18:00": a time of day some days ahead of the due date.
_DAYS_BEFORE_AT = rf"(?:{NUM}|\d+)\s+(?:days?|weeks?)\s+before\s+at\s+(?:{TIME_ATOM}|{_TIME_BARE})"
# "the morning of", "the day of at 8am": on the due date itself.
_DAY_OF = (
    rf"(?:on\s+)?the\s+(?:morning|afternoon|evening|day)\s+of(?:\s+(?:it|the\s+due\s+date))?"
    rf"(?:\s+at\s+(?:{TIME_ATOM}|{_TIME_BARE}))?"
)
# Reminders that only make sense against a due time ("10 minutes before", "the day before"):
# a message of these alone is about a task already being talked about.
_RELATIVE_SPEC = (
    rf"(?:{_DAYS_BEFORE_AT}|{_DAY_OF}|{DURATION}\s+{_BEFORE}"
    rf"|(?:the\s+|a\s+)?(?:day|night|evening|morning)\s+before"
    rf"(?:\s+at\s+(?:{TIME_ATOM}|{_TIME_BARE}))?"
    r"|at\s+the\s+(?:due\s+)?time|when\s+(?:it'?s|it\s+is)\s+due|at\s+due\s+time)"
)
_REMINDER_SPEC = (
    rf"(?:{_RELATIVE_SPEC}|on\s+time"
    rf"|in\s+{DURATION}"
    rf"|(?:(?:on\s+)?{DATE_ATOM}\s+)?(?:at|@)\s+(?:{TIME_ATOM}|{_TIME_BARE})(?:\s+(?:on\s+)?{DATE_ATOM})?"
    rf"|(?:on\s+)?{DATE_ATOM}\s+{TIME_ATOM})"
)


def _spec_list(spec: str) -> str:
    return rf"{spec}(?:\s*(?:,|and|&|plus)\s*(?:again\s+|also\s+)?{spec})*"


REMINDER_LIST = _spec_list(_REMINDER_SPEC)
RELATIVE_REMINDER_LIST = _spec_list(_RELATIVE_SPEC)
_REMINDER_TRIGGER = (
    r"(?:(?:and|,|;|with|plus)\s+)*(?:(?:a|an|another)\s+)?"
    r"(?:remind(?:\s+me)?|reminders?|alert(?:\s+me)?|notify(?:\s+me)?|ping\s+me|nudge\s+me)"
    r"(?:\s+(?:me|of\s+it|about\s+it))?"
)
NO_REMINDER = (
    r"(?:(?:and|,|;)\s+)?(?:with\s+no\s+reminders?|no\s+reminders?|without\s+(?:a\s+|any\s+)?"
    r"reminders?|don'?t\s+remind\s+me)"
)


def take_reminders(
    phrase: Phrase, clock: Clock, *, trigger: bool = True
) -> list[ReminderSpec] | None:
    """Reminder phrases: None when none was mentioned, [] for "no reminder"."""
    if phrase.take(rf"(?<!\w){NO_REMINDER}(?!\w)"):
        return []
    lead = rf"(?<!\w){_REMINDER_TRIGGER}\s+" if trigger else r"(?<!\w)"
    specs: list[ReminderSpec] = []
    while match := phrase.take(rf"{lead}({REMINDER_LIST})(?![\w:])"):
        specs.extend(_reminder_specs(match[1], clock))
    # "remind me" or a reminder that went unread ("…, reminder at dawn"); "send reminder
    # emails", "remind the team about the offsite" are titles
    if trigger and phrase.find(
        r"(?<!\w)(?:remind\s+me(?!\w)|(?:remind|reminders?)"
        r"(?=\s*$|\s*[,.;:!]|\s+(?:at|in|on|before|for|every|when|\d)(?!\w)))"
    ):
        raise Clarify(
            'I couldn\'t read when to remind you. Try "remind me 30 minutes before" or '
            '"remind me at 8am".'
        )
    return specs if specs or not trigger else None


def _reminder_specs(text: str, clock: Clock) -> list[ReminderSpec]:
    parts = re.split(
        rf"\s*(?:,|\band\b|&|\bplus\b)\s*(?:again\s+|also\s+)?(?={_REMINDER_SPEC})", text
    )
    return [_reminder_spec(part.strip(), clock) for part in parts if part.strip()]


def _reminder_spec(text: str, clock: Clock) -> ReminderSpec:
    text = re.sub(r"\s+", " ", text)
    if re.fullmatch(r"at the (?:due )?time|when (?:it'?s|it is) due|on time|at due time", text):
        return ReminderSpec(offset_minutes=0)
    if match := re.fullmatch(
        r"(?:on )?the (morning|afternoon|evening|day) of(?: it| the due date)?(?: at (.+))?", text
    ):
        at = parse_time(match[2], bare_ok=True) if match[2] else PART_OF_DAY.get(match[1], time(9))
        return ReminderSpec(at_time=at, day_before=0)
    if match := re.fullmatch(rf"({NUM}|\d+) (days?|weeks?) before at (.+)", text):
        days = number(match[1]) * (7 if match[2].startswith("w") else 1)
        return ReminderSpec(at_time=parse_time(match[3], bare_ok=True), day_before=days)
    if match := re.fullmatch(rf"({DURATION}) {_BEFORE}", text):
        return ReminderSpec(offset_minutes=duration_minutes(parse_duration(match[1])))
    if match := re.fullmatch(r"(?:the |a )?(day|night|evening|morning) before(?: at (.+))?", text):
        if match[2]:
            return ReminderSpec(at_time=parse_time(match[2], bare_ok=True), day_before=1)
        if match[1] == "day":
            return ReminderSpec(offset_minutes=1440)
        return ReminderSpec(at_time=PART_OF_DAY[match[1]], day_before=1)
    if match := re.fullmatch(rf"in ({DURATION})", text):
        return ReminderSpec(at=clock.now + parse_duration(match[1]))
    phrase = Phrase(text)
    when = take_when(phrase, clock)
    if phrase.rest() or (len(when.times) != 1 and when.exact is None):
        raise Clarify(f'I couldn\'t read the reminder "{text}".')
    if when.day is None:
        return ReminderSpec(at_time=when.times[0])
    return ReminderSpec(at=datetime.combine(when.day, when.times[0]))


def resolve_reminders(
    specs: list[ReminderSpec] | None, due: date | datetime | None, clock: Clock, *, title: str
) -> list[ReminderSpec] | None:
    """Fix "at 8am" and "the day before at 6pm" against the due value; check what needs one."""
    if specs is None:
        return None
    resolved = []
    for spec in specs:
        if spec.offset_minutes is not None:
            if due is None:
                raise Clarify(f'When is "{title}" due? A reminder before it needs a due time.')
            if not isinstance(due, datetime):
                raise Clarify(
                    f'At what time on {_day_text(due)} is "{title}" due? A reminder before it '
                    f'needs a time, or say e.g. "{_at_nine(spec.offset_minutes)}".'
                )
            resolved.append(spec)
        elif spec.at is not None:
            resolved.append(_future(spec.at, clock))
        else:
            assert spec.at_time is not None
            if due is None:
                if spec.day_before:
                    said = "The day before" if spec.day_before == 1 else "A reminder days before it"
                    raise Clarify(f'When is "{title}" due? "{said}" needs a due date.')
                moment = datetime.combine(clock.today, spec.at_time)
                if moment <= clock.now:
                    moment += timedelta(days=1)
                resolved.append(ReminderSpec(at=moment))
                continue
            day = due.date() if isinstance(due, datetime) else due
            moment = datetime.combine(day - timedelta(days=spec.day_before), spec.at_time)
            if isinstance(due, datetime):
                if moment > due:
                    raise Clarify(
                        f"{timefmt.clock(spec.at_time)} is after the due time "
                        f"({timefmt.clock(due)}). Did you mean the day before? Say e.g. "
                        f'"remind me the day before at {timefmt.clock(spec.at_time)}".'
                    )
                # Relative, so it follows a reschedule and every occurrence of a series.
                resolved.append(
                    ReminderSpec(offset_minutes=int((due - moment).total_seconds() // 60))
                )
            else:
                resolved.append(_future(moment, clock))
    return resolved


def _future(moment: datetime, clock: Clock) -> ReminderSpec:
    if moment <= clock.now:
        raise Clarify(f"A reminder at {_moment_text(moment)} would be in the past.")
    return ReminderSpec(at=moment)


def _at_nine(offset_minutes: int) -> str:
    """The reminder said with a time of day, for a task due all day: "1 week before at 9am"."""
    days = round(offset_minutes / 1440)
    if days == 0:
        return "at 9am"
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'s' * (weeks != 1)} before at 9am"
    return "the day before at 9am" if days == 1 else f"{days} days before at 9am"


def _day_text(day: date) -> str:
    return f"{day:%a, %b} {day.day}"


def _moment_text(moment: datetime) -> str:
    return f"{_day_text(moment.date())} at {timefmt.clock(moment)}"
