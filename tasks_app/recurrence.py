"""Recurrence engine for recurring tasks (pure Python, no Django).

Rules are a subset of RFC 5545 RRULE, expanded by ``dateutil.rrule`` in the user's LOCAL WALL
TIME from a naive local DTSTART, then converted to aware UTC datetimes. "Every day at 09:00"
therefore stays 09:00 local across daylight-saving changes.

Supported: FREQ=HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY, INTERVAL (1-1000), BYMONTH, BYMONTHDAY (±),
BYDAY (ordinals such as ``3FR``/``-1FR`` only with MONTHLY/YEARLY), BYSETPOS (needs another BY
part), BYHOUR, BYMINUTE, WKST, COUNT (1-10000) or UNTIL. UNTIL may be ``YYYYMMDD`` (through the
end of that local day), ``YYYYMMDDTHHMMSS`` (local wall time) or ``YYYYMMDDTHHMMSSZ`` (an instant).
EXDATEs are naive local datetimes and are matched by the UTC instant they map to, so excluding
either the rule's wall time or the shifted time of a spring-forward occurrence both work.

DST policy (RFC 5545 §3.3.5, which is also what zoneinfo does with ``fold=0``):

* A local time that does not exist (spring-forward gap, e.g. 02:30 on 2026-03-08 in New York)
  is shifted forward by the length of the gap: 02:30 -> 03:30 EDT. It is not skipped.
* A local time that occurs twice (fall-back, e.g. 01:30 on 2026-11-01 in New York) maps to the
  first, earlier instant (EDT). It fires once. HOURLY rules therefore skip the repeated hour.
* Two local occurrences that land on the same UTC instant (HOURLY across a gap) fire once.

Other behaviour callers should know:

* ``BYMONTHDAY=31`` (or a DTSTART on the 31st with FREQ=MONTHLY) skips months without a 31st,
  as RFC 5545 and dateutil do. Use ``BYMONTHDAY=-1`` for "last day of the month".
* A rule may not fire more often than once an hour (checked over its first 100 occurrences) and
  must have at least one occurrence; ``build`` enforces both. A Recurrence created directly
  (e.g. from stored fields) skips those checks, so store only what ``build`` returned.
* DTSTART, EXDATE and UNTIL must lie in the years 1900-2999.
* Expansion is bounded: one query examines at most 20,000 candidates, then raises
  RecurrenceError. Queries far from DTSTART restart the series at a period boundary, so they
  cost the same as queries near it (except with COUNT, which needs the whole history).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice, pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, HOURLY, MONTHLY, WEEKLY, YEARLY, rrule, weekday

from tasks_app import timefmt


class RecurrenceError(ValueError):
    """An invalid or unsupported recurrence. The message is short and safe to show users."""


Anchor = Literal["due", "completion"]


@dataclass(frozen=True)
class Recurrence:
    rule: str  # normalized, see normalize_rule()
    dtstart: datetime  # naive local wall time of the first occurrence
    tz: ZoneInfo
    anchor: Anchor = "due"
    exdates: tuple[datetime, ...] = ()  # naive local wall times


_FREQS = {"HOURLY": HOURLY, "DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
_UNITS = {"HOURLY": "hour", "DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_KEYS = (
    *("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "BYHOUR", "BYMINUTE"),
    *("WKST", "COUNT", "UNTIL"),
)
_UNSUPPORTED = {"BYSECOND", "BYWEEKNO", "BYYEARDAY", "BYEASTER", "TZID", "RDATE", "EXDATE"}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MAX_INTERVAL = 1000
_MAX_COUNT = 10_000
_MAX_CANDIDATES = 20_000
_FREQUENCY_SAMPLE = 100
_YEARS = range(1900, 3000)
# Largest possible jump of a UTC offset (-12:00 -> +14:00). A later local time can map to an
# earlier instant only within this distance, which bounds re-sorting and re-anchoring.
_SLACK = timedelta(hours=26)
_NO_OCCURRENCE = "this rule has no occurrence after its start"
_INT = re.compile(r"[+-]?[0-9]{1,6}")
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"[0-9]{8}(T[0-9]{6}Z?)?")


@dataclass(frozen=True)
class _Rule:
    freq: str
    interval: int = 1
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int], ...] = ()  # (ordinal or 0 for "every", weekday 0=Monday)
    bysetpos: tuple[int, ...] = ()
    byhour: tuple[int, ...] = ()
    byminute: tuple[int, ...] = ()
    wkst: int | None = None
    count: int | None = None
    until: str | None = None  # canonical UNTIL text

    def __str__(self) -> str:
        def nums(values: Sequence[int]) -> str:
            return ",".join(map(str, values))

        parts = {
            "FREQ": self.freq,
            "INTERVAL": str(self.interval) if self.interval != 1 else "",
            "BYMONTH": nums(self.bymonth),
            "BYMONTHDAY": nums(self.bymonthday),
            "BYDAY": ",".join(f"{n or ''}{_WEEKDAYS[d]}" for n, d in self.byday),
            "BYSETPOS": nums(self.bysetpos),
            "BYHOUR": nums(self.byhour),
            "BYMINUTE": nums(self.byminute),
            "WKST": _WEEKDAYS[self.wkst] if self.wkst is not None else "",
            "COUNT": str(self.count) if self.count is not None else "",
            "UNTIL": self.until or "",
        }
        return ";".join(f"{key}={value}" for key, value in parts.items() if value)


# --- parsing -------------------------------------------------------------------------------


def _ints(key: str, value: str, low: int, high: int, what: str, signed: bool = False) -> list[int]:
    found = []
    for item in value.split(","):
        number = int(item) if _INT.fullmatch(item) else None
        if number is None or not low <= abs(number) <= high or (number < 0 and not signed):
            raise RecurrenceError(f"{key} value {item!r} is not {what}")
        found.append(number)
    return found


def _one_int(key: str, value: str, high: int) -> int:
    numbers = _ints(key, value, 1, high, f"a whole number from 1 to {high}")
    if len(numbers) > 1:
        raise RecurrenceError(f"{key} takes a single number")
    return numbers[0]


def _byday(value: str, freq: str, has_bymonth: bool) -> tuple[tuple[int, int], ...]:
    found = set()
    for item in value.split(","):
        match = _BYDAY.fullmatch(item)
        if not match:
            raise RecurrenceError(f"BYDAY value {item!r} is not a weekday")
        ordinal = int(match[1] or 0)
        if ordinal and freq not in ("MONTHLY", "YEARLY"):
            raise RecurrenceError("BYDAY with a number (like 3FR) needs FREQ=MONTHLY or YEARLY")
        limit = 53 if freq == "YEARLY" and not has_bymonth else 5
        if (match[1] and ordinal == 0) or abs(ordinal) > limit:
            raise RecurrenceError(f"BYDAY value {item!r} is out of range")
        found.add((ordinal, _WEEKDAYS.index(match[2])))
    return tuple(sorted(found, key=lambda pair: (pair[1], pair[0])))


def _until_time(until: str) -> datetime:
    """The wall-clock value written in UNTIL (a date means 00:00 of that day)."""
    return datetime.strptime(until[:15], "%Y%m%dT%H%M%S" if "T" in until else "%Y%m%d")


def _until(value: str) -> str:
    try:
        if not _UNTIL.fullmatch(value):
            raise ValueError
        parsed = _until_time(value)
    except ValueError:
        msg = f"UNTIL value {value!r} is not YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ"
        raise RecurrenceError(msg) from None
    if parsed.year not in _YEARS:
        raise RecurrenceError("UNTIL must be between the years 1900 and 2999")
    return value


@lru_cache(maxsize=1024)
def _parse(text: str) -> _Rule:
    if "DTSTART" in text.upper():
        raise RecurrenceError("DTSTART is not allowed inside the rule; pass it separately")
    if "\n" in text or "\r" in text:
        raise RecurrenceError("the rule must be a single line")
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    raw: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in body.split(";"))):
        key, sep, value = (s.strip().upper() for s in part.partition("="))
        if not sep:
            raise RecurrenceError(f"{part!r} is not KEY=VALUE")
        if key in _UNSUPPORTED:
            raise RecurrenceError(f"{key} is not supported")
        if key not in _KEYS:
            raise RecurrenceError(f"unknown rule part {key!r}")
        if key in raw:
            raise RecurrenceError(f"{key} appears more than once")
        if not value:
            raise RecurrenceError(f"{key} needs a value")
        raw[key] = value
    if "FREQ" not in raw:
        raise RecurrenceError("FREQ is required")
    freq = raw["FREQ"]
    if freq in ("SECONDLY", "MINUTELY"):
        raise RecurrenceError(f"FREQ={freq} is not supported; the most frequent is HOURLY")
    if freq not in _FREQS:
        raise RecurrenceError(f"FREQ value {freq!r} is not a frequency")
    if "COUNT" in raw and "UNTIL" in raw:
        raise RecurrenceError("COUNT and UNTIL cannot be used together")

    def numbers(key: str, low: int, high: int, what: str, signed: bool = False) -> tuple[int, ...]:
        values = _ints(key, raw[key], low, high, what, signed) if key in raw else []
        return tuple(sorted(set(values), key=lambda v: (v < 0, abs(v))))  # 1,15,-1

    rule = _Rule(
        freq=freq,
        interval=_one_int("INTERVAL", raw["INTERVAL"], _MAX_INTERVAL) if "INTERVAL" in raw else 1,
        bymonth=numbers("BYMONTH", 1, 12, "a month (1 to 12)"),
        bymonthday=numbers("BYMONTHDAY", 1, 31, "a day of the month (1 to 31, -31 to -1)", True),
        byday=_byday(raw["BYDAY"], freq, "BYMONTH" in raw) if "BYDAY" in raw else (),
        bysetpos=numbers("BYSETPOS", 1, 366, "a position (1 to 366, -366 to -1)", True),
        byhour=numbers("BYHOUR", 0, 23, "an hour (0 to 23)"),
        byminute=numbers("BYMINUTE", 0, 59, "a minute (0 to 59)"),
        count=_one_int("COUNT", raw["COUNT"], _MAX_COUNT) if "COUNT" in raw else None,
        until=_until(raw["UNTIL"]) if "UNTIL" in raw else None,
    )
    if "WKST" in raw:
        if raw["WKST"] not in _WEEKDAYS:
            raise RecurrenceError(f"WKST value {raw['WKST']!r} is not a weekday")
        rule = replace(rule, wkst=_WEEKDAYS.index(raw["WKST"]))
    if rule.bymonthday and freq == "WEEKLY":
        raise RecurrenceError("BYMONTHDAY cannot be used with FREQ=WEEKLY")
    if rule.bysetpos and not (rule.bymonthday or rule.byday or rule.byhour or rule.byminute):
        raise RecurrenceError("BYSETPOS needs another BY... part, such as BYDAY")
    months = rule.bymonth or range(1, 13)
    lengths = [_DAYS_IN_MONTH[m - 1] for m in months]
    if rule.bymonthday and not any(abs(d) <= n for d in rule.bymonthday for n in lengths):
        raise RecurrenceError("BYMONTHDAY never falls in the months of BYMONTH")
    return rule


def _parse_rule(rule: object) -> _Rule:
    if not isinstance(rule, str) or not rule.strip():
        raise RecurrenceError("the rule is empty")
    if len(rule) > 500:
        raise RecurrenceError("the rule is too long")
    return _parse(rule)


def normalize_rule(rule: str) -> str:
    """Validate syntax and subset; return the canonical form (no ``RRULE:`` prefix)."""
    return str(_parse_rule(rule))


# --- time zones ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    # "localtime" depends on the host's configuration, so it is not a real user choice.
    return frozenset(available_timezones() - {"localtime", "posixrules"}) | {"UTC"}


def validate_timezone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or name not in _zone_names():
        raise RecurrenceError(f"unknown time zone {name!r}")
    return ZoneInfo(name)


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """Naive local wall time -> aware UTC, per the module's DST policy (``fold=0``)."""
    if local.tzinfo is not None:
        raise ValueError("local_to_utc() expects a naive local datetime")
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _naive(value: object, tz: ZoneInfo, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise RecurrenceError(f"{what} must be a date and time")
    local = _to_local(value, tz) if value.tzinfo is not None else value
    if local.year not in _YEARS:
        raise RecurrenceError(f"{what} must be between the years 1900 and 2999")
    return local.replace(microsecond=0, fold=0)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


# --- expansion -------------------------------------------------------------------------------


def _implicit_parts(rule: _Rule, dtstart: datetime) -> dict[str, Any]:
    """The BY parts dateutil derives from DTSTART, made explicit (mirrors rrule.__init__)."""
    parts: dict[str, Any] = {"bysecond": dtstart.second}
    if not rule.bymonthday and not rule.byday:
        if rule.freq == "YEARLY":
            parts["bymonth"] = rule.bymonth or dtstart.month
            parts["bymonthday"] = dtstart.day
        elif rule.freq == "MONTHLY":
            parts["bymonthday"] = dtstart.day
        elif rule.freq == "WEEKLY":
            parts["byweekday"] = dtstart.weekday()
    if not rule.byhour and rule.freq != "HOURLY":
        parts["byhour"] = dtstart.hour
    if not rule.byminute:
        parts["byminute"] = dtstart.minute
    return parts


def _period_start(rule: _Rule, dtstart: datetime, target: datetime) -> datetime:
    """Start of the last period of the series that begins at or before `target`."""
    n = rule.interval
    if rule.freq == "YEARLY":
        k = (target.year - dtstart.year) // n
        return datetime(dtstart.year + k * n, 1, 1)
    if rule.freq == "MONTHLY":
        k = ((target.year - dtstart.year) * 12 + target.month - dtstart.month) // n
        year, month = divmod(dtstart.year * 12 + dtstart.month - 1 + k * n, 12)
        return datetime(year, month + 1, 1)
    if rule.freq == "WEEKLY":
        week = dtstart.date() - timedelta(days=(dtstart.weekday() - (rule.wkst or 0)) % 7)
        k = (target.date() - week).days // 7 // n
        return datetime.combine(week + timedelta(weeks=k * n), datetime.min.time())
    if rule.freq == "DAILY":
        k = (target.date() - dtstart.date()).days // n
        return datetime.combine(dtstart.date() + timedelta(days=k * n), datetime.min.time())
    hour = dtstart.replace(minute=0, second=0)
    k = int((target - hour).total_seconds() // 3600) // n
    return hour + timedelta(hours=k * n)


def _rrule(
    rule: _Rule, dtstart: datetime, until: datetime | None = None, near: datetime | None = None
) -> rrule:
    kwargs: dict[str, Any] = {
        "freq": _FREQS[rule.freq],
        "interval": rule.interval,
        "wkst": rule.wkst or 0,  # dateutil's default is calendar.firstweekday(), a global
        "bymonth": rule.bymonth or None,
        "bymonthday": rule.bymonthday or None,
        "byweekday": [weekday(day, n or None) for n, day in rule.byday] or None,
        "bysetpos": rule.bysetpos or None,
        "byhour": rule.byhour or None,
        "byminute": rule.byminute or None,
        "count": rule.count,
        "until": until,
    }
    # Restarting the series at a later period boundary gives the same occurrences from there on,
    # so queries far from DTSTART cost the same as near it. COUNT needs the full history.
    if near is not None and rule.count is None:
        start = _period_start(rule, dtstart, near)
        if start > dtstart:
            kwargs.update(_implicit_parts(rule, dtstart))
            dtstart = start
    try:
        return rrule(dtstart=dtstart, cache=False, **kwargs)
    except ValueError:  # dateutil: "byxxx generates an empty set" (HOURLY interval vs BYHOUR)
        raise RecurrenceError(_NO_OCCURRENCE) from None


def _sorted_utc(candidates: Iterable[datetime], tz: ZoneInfo) -> Iterator[datetime]:
    """Local candidates (ascending) -> unique ascending UTC instants.

    Shifting gap times forward can put a local time after a later one in UTC, so candidates
    are held until no later local time can still sort before them.
    """
    pending: list[tuple[datetime, datetime]] = []
    last: datetime | None = None
    for seen, local in enumerate(candidates, 1):
        if seen > _MAX_CANDIDATES:
            raise RecurrenceError("this rule needs too many steps to expand")
        heapq.heappush(pending, (local_to_utc(local, tz), local))
        while pending and pending[0][1] <= local - _SLACK:
            utc = heapq.heappop(pending)[0]
            if utc != last:
                yield utc
                last = utc
    for utc, _ in sorted(pending):
        if utc != last:
            yield utc
            last = utc


def _until_bounds(until: str | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """(naive local bound for dateutil, exact UTC bound or None)."""
    if until is None:
        return None, None
    local = _until_time(until)
    if "T" not in until:
        return local.replace(hour=23, minute=59, second=59), None
    if not until.endswith("Z"):
        return local, None
    instant = local.replace(tzinfo=UTC)
    return _to_local(instant, tz) + _SLACK, instant  # loose local bound, exact filter below


def _iter_utc(
    rec: Recurrence,
    rule: _Rule,
    *,
    since: datetime | None = None,
    dtstart: datetime | None = None,
) -> Iterator[datetime]:
    """Occurrences (aware UTC, ascending, unique) at or after `since`."""
    until_local, until_utc = _until_bounds(rule.until, rec.tz)
    near = None if since is None else _to_local(since, rec.tz) - _SLACK
    candidates = _rrule(rule, dtstart or rec.dtstart, until_local, near)
    excluded = {x.astimezone(UTC) if x.tzinfo else local_to_utc(x, rec.tz) for x in rec.exdates}
    for utc in _sorted_utc(candidates, rec.tz):
        if until_utc is not None and utc > until_utc:
            return
        if (since is None or utc >= since) and utc not in excluded:
            yield utc


def _check_has_pattern(rule: _Rule, dtstart: datetime) -> None:
    # dateutil only stops looking for a match at year 9999, which takes ~15 s for an impossible
    # DAILY rule. The Gregorian calendar repeats every 400 years, so probe the same rule moved
    # close to 9999: same pattern, short search (at least 50 years).
    shift = max(0, (9999 - 50 - dtstart.year) // 400) * 400
    probe = _rrule(
        replace(rule, count=None, until=None), dtstart.replace(year=dtstart.year + shift)
    )
    if next(iter(probe), None) is None:
        raise RecurrenceError(_NO_OCCURRENCE)


def build(
    rule: str,
    *,
    dtstart: datetime,
    tz: ZoneInfo | str,
    anchor: str = "due",
    exdates: Iterable[datetime] = (),
) -> Recurrence:
    """Fully validate a rule and return a Recurrence. Aware datetimes are converted to `tz`."""
    zone = validate_timezone(tz if isinstance(tz, str) else str(tz.key))
    if anchor not in ("due", "completion"):
        raise RecurrenceError("anchor must be 'due' or 'completion'")
    kind: Anchor = "completion" if anchor == "completion" else "due"
    parsed = _parse_rule(rule)
    start = _naive(dtstart, zone, "the start")
    skipped = tuple(sorted({_naive(x, zone, "an excluded date") for x in exdates}))
    rec = Recurrence(str(parsed), start, zone, kind, skipped)
    _check_has_pattern(parsed, start)
    if next(_iter_utc(rec, parsed), None) is None:
        raise RecurrenceError(_NO_OCCURRENCE)
    sample = list(islice(_iter_utc(replace(rec, exdates=()), parsed), _FREQUENCY_SAMPLE))
    if any(b - a < timedelta(hours=1) for a, b in pairwise(sample)):
        raise RecurrenceError("this rule fires more often than once an hour")
    return rec


def occurrences(
    rec: Recurrence, *, start: datetime | None = None, count: int = 10
) -> list[datetime]:
    """The first `count` occurrences (aware UTC) at or after `start` (default: DTSTART)."""
    if count < 0:
        raise ValueError("count must not be negative")
    if start is not None:
        _require_aware(start, "start")
    return list(islice(_iter_utc(rec, _parse_rule(rec.rule), since=start), count))


def first_on_or_after(rec: Recurrence, *, when: datetime) -> datetime | None:
    _require_aware(when, "when")
    return next(_iter_utc(rec, _parse_rule(rec.rule), since=when), None)


def next_occurrence(rec: Recurrence, *, after: datetime) -> datetime | None:
    """First occurrence strictly after `after`; None when the series is exhausted."""
    _require_aware(after, "after")
    return next((u for u in _iter_utc(rec, _parse_rule(rec.rule), since=after) if u > after), None)


def next_after_completion(
    rec: Recurrence, *, completed_at: datetime, occurrences_so_far: int
) -> datetime | None:
    """Todoist-style "every!": the next due time counted from when the task was completed.

    The base is the completion's local date plus INTERVAL x FREQ at DTSTART's wall time (HOURLY:
    completion + INTERVAL hours, truncated to the minute). The result is the first occurrence of
    the rule restarted at the base, so without BY parts it is the base itself. COUNT is checked
    against `occurrences_so_far`, UNTIL and EXDATE against the result. Ignores ``rec.anchor``.
    """
    _require_aware(completed_at, "completed_at")
    rule = _parse_rule(rec.rule)
    if rule.count is not None and occurrences_so_far >= rule.count:
        return None
    if rule.freq == "HOURLY":
        base_utc = completed_at.astimezone(UTC) + timedelta(hours=rule.interval)
        base = _to_local(base_utc.replace(second=0, microsecond=0), rec.tz)
    else:
        n = rule.interval
        steps = {"DAILY": relativedelta(days=n), "WEEKLY": relativedelta(weeks=n)}
        steps |= {"MONTHLY": relativedelta(months=n), "YEARLY": relativedelta(years=n)}
        step = steps[rule.freq]
        day: date = _to_local(completed_at, rec.tz).date() + step
        base = datetime.combine(day, rec.dtstart.time())
    restarted = _iter_utc(rec, replace(rule, count=None), dtstart=base)
    return next((u for u in restarted if u > completed_at), None)


# --- describe --------------------------------------------------------------------------------

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    *("January", "February", "March", "April", "May", "June", "July", "August"),
    *("September", "October", "November", "December"),
)


def _ordinal(n: int) -> str:
    if n < 0:
        return "last" if n == -1 else f"{_ordinal(-n)}-to-last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: Sequence[str], word: str = "and") -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _group(days: Sequence[int]) -> str | None:
    groups = {frozenset(range(5)): "weekday", frozenset({5, 6}): "weekend"}
    return groups.get(frozenset(days), "day" if len(days) == 7 else None)


def _names(days: Sequence[int], word: str = "and") -> str:
    return _join([_DAY_NAMES[d] for d in days], word)


def _one_of(days: Sequence[int]) -> str:
    """A single day out of the set: "workday", "Tuesday or Thursday"."""
    group = _group(days)
    return {"weekday": "workday", "weekend": "weekend day"}.get(group or "", group or "") or (
        _names(days, "or")
    )


def _on_days(days: Sequence[int]) -> str:
    group = _group(days)
    return f"on {group}s" if group else f"on {_names(days)}"


def _which_day(rule: _Rule, start: datetime | None) -> str | None:
    """The day inside a month or year, e.g. "the last Friday"; None when unspecified."""
    plain = [d for n, d in rule.byday if n == 0]
    if rule.bysetpos and plain and not rule.bymonthday:
        return f"the {_join([_ordinal(p) for p in rule.bysetpos])} {_one_of(plain)}"
    if any(n for n, _ in rule.byday):
        return "the " + _join([f"{_ordinal(n)} {_DAY_NAMES[d]}" for n, d in rule.byday if n])
    days = rule.bymonthday or ((start.day,) if start and not plain else ())
    named = _join([_ordinal(d) if d > 0 else f"{_ordinal(d)} day" for d in days]) if days else ""
    if days and plain:
        return f"{_names(plain, 'or')} the {named}"  # "Friday the 13th"
    if plain:
        return f"every {_group(plain) or _names(plain)}"
    return f"the {named}" if days else None


def _pattern(rule: _Rule, start: datetime | None) -> str:
    n, unit = rule.interval, _UNITS[rule.freq]
    every = f"every {unit}" if n == 1 else f"every {n} {unit}s"
    plain = [d for k, d in rule.byday if k == 0]
    months = [_MONTH_NAMES[m - 1] for m in rule.bymonth]
    if rule.freq == "YEARLY":
        if not rule.bymonth and start and not rule.byday and not rule.bymonthday:
            months = [_MONTH_NAMES[start.month - 1]]
        days = rule.bymonthday or ((start.day,) if start and not rule.byday else ())
        if months and days and not rule.byday and min(days) > 0:
            return f"{every} on {_join([f'{m} {d}' for m in months for d in days])}"
        which = _which_day(rule, start)
        text = f"{every} on {which}" if which else every
        return f"{text} of {_join(months)}" if months and which else text
    if rule.freq == "MONTHLY":
        which = _which_day(rule, start)
        text = f"on {which} of {every}" if which else every
    elif rule.freq == "WEEKLY" or (rule.freq == "DAILY" and n == 1 and plain):
        weekdays = plain or ([start.weekday()] if start else [])
        if not weekdays:
            text = every
        elif n == 1 or rule.freq == "DAILY":
            text = f"every {_group(weekdays) or _names(weekdays)}"
        else:
            text = f"{every} {_on_days(weekdays)}"
    else:
        text = f"{every} {_on_days(plain)}" if plain else every
        if rule.bymonthday:
            text += f" on the {_join([_ordinal(d) for d in rule.bymonthday])} of the month"
    return f"{text} in {_join(months)}" if months else text


def _time_of_day(rule: _Rule, start: datetime | None) -> str:
    minutes = rule.byminute or ((start.minute,) if start else (0,))
    if rule.freq == "HOURLY" and not rule.byhour:
        return f" at :{minutes[0]:02d}" if minutes[0] else ""
    hours = rule.byhour or ((start.hour,) if start else ())
    steps = {b - a for a, b in pairwise(sorted(hours))}
    if len(hours) >= 4 and len(minutes) == 1 and len(steps) == 1:
        # "every 2 hours from 09:00 to 17:00", not five times listed
        step = steps.pop()
        first, last = time(min(hours), minutes[0]), time(max(hours), minutes[0])
        every = "every hour" if step == 1 else f"every {step} hours"
        return f", {every} from {timefmt.clock(first)} to {timefmt.clock(last)}"
    times = [timefmt.clock(time(h, m)) for h in hours for m in minutes]
    return f" at {_join(times)}" if times else ""


def describe(rec_or_rule: Recurrence | str, *, dtstart: datetime | None = None) -> str:
    """Plain English, e.g. "every 2 weeks on Tuesday and Thursday at 18:00" (times in the
    active `timefmt`: "at 6:00 PM" in 12-hour).

    The time of day comes from BYHOUR/BYMINUTE, else from the start; without either it is left
    out. For a Recurrence, `dtstart` defaults to its own.
    """
    start: datetime | None
    if isinstance(rec_or_rule, Recurrence):
        rule, anchor = _parse_rule(rec_or_rule.rule), rec_or_rule.anchor
        start = dtstart or rec_or_rule.dtstart
    else:
        rule, anchor, start = _parse_rule(rec_or_rule), "due", dtstart
    plain = [d for n, d in rule.byday if n == 0]
    if anchor != "completion":
        text = _pattern(rule, start)
    else:
        unit = _UNITS[rule.freq]
        text = f"{rule.interval} {unit}{'s' if rule.interval > 1 else ''} after completion"
        which = _which_day(rule, None) if rule.freq in ("MONTHLY", "YEARLY") else None
        if which:
            scope = _join([_MONTH_NAMES[m - 1] for m in rule.bymonth]) or f"the {unit}"
            text += f", then on {which} of {scope}"
        elif plain:
            text += f", on the next {_one_of(plain)}"
    if rule.bysetpos and not (rule.freq in ("MONTHLY", "YEARLY") and plain and not rule.bymonthday):
        positions = _join([_ordinal(p) for p in rule.bysetpos])
        text += f", only the {positions} of each {_UNITS[rule.freq]}"
    text += _time_of_day(rule, start)
    if rule.count is not None:
        text += ", once" if rule.count == 1 else f", {rule.count} times"
    if rule.until:
        end = _until_time(rule.until)
        text += f", until {_MONTH_NAMES[end.month - 1]} {end.day}, {end.year}"
        if "T" in rule.until:
            text += f" at {timefmt.clock(end)}" + (" UTC" if rule.until.endswith("Z") else "")
    return text
