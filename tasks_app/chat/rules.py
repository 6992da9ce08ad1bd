"""A recurrence rule as structured fields, turned into the RFC 5545 RRULE the foundation stores.

The chat parser, the tool functions (and so the LLM backend and the MCP server) all describe
recurrence with `RecurrenceRule`; `to_rrule()` writes the parts in the foundation's canonical
order, so the text equals `recurrence.normalize_rule()` of itself. Pure: no Django.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY = re.compile(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")

Frequency = Literal["hourly", "daily", "weekly", "monthly", "yearly"]


class RecurrenceRule(BaseModel):
    """How a task repeats. The first occurrence is the task's due date and time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    frequency: Frequency = Field(description="The unit the rule repeats in.")
    interval: int = Field(1, ge=1, le=1000, description="Every N units (2 = every other).")
    weekdays: list[str] = Field(
        default_factory=list,
        description="Days as MO..SU. With monthly/yearly an ordinal may lead: 1MO = first "
        "Monday, -1FR = last Friday.",
    )
    month_days: list[int] = Field(
        default_factory=list, description="Days of the month, 1..31; -1 is the last day."
    )
    months: list[int] = Field(default_factory=list, description="Months 1..12 (yearly rules).")
    set_positions: list[int] = Field(
        default_factory=list,
        description="Pick the Nth of the matching days in each period; -1 = last. With "
        "weekdays MO..FR and monthly, -1 is the last workday of the month.",
    )
    times: list[str] = Field(
        default_factory=list,
        description='Several times a day as "HH:MM" (24 h). Leave empty to use the due time.',
    )
    count: int | None = Field(None, ge=1, le=10000, description="Stop after this many.")
    until: date | None = Field(None, description="Last day on which it may occur.")
    after_completion: bool = Field(
        False,
        description="Count the interval from when each occurrence is completed "
        '("3 days after I finish") instead of from its due date.',
    )

    @field_validator("weekdays")
    @classmethod
    def _check_weekdays(cls, value: list[str]) -> list[str]:
        cleaned = []
        for item in value:
            code = item.strip().upper()
            if not _WEEKDAY.fullmatch(code):
                raise ValueError(f"{item!r} is not a weekday such as MO, 1MO or -1FR")
            cleaned.append(code)
        return cleaned

    @field_validator("month_days")
    @classmethod
    def _check_month_days(cls, value: list[int]) -> list[int]:
        if any(day == 0 or not -31 <= day <= 31 for day in value):
            raise ValueError("month days are 1..31 or -31..-1")
        return value

    @field_validator("months")
    @classmethod
    def _check_months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= month <= 12 for month in value):
            raise ValueError("months are 1..12")
        return value

    @field_validator("times")
    @classmethod
    def _check_times(cls, value: list[str]) -> list[str]:
        for item in value:
            if not _TIME.fullmatch(item):
                raise ValueError(f"{item!r} is not a time as HH:MM")
        return value

    @model_validator(mode="after")
    def _check_combination(self) -> RecurrenceRule:
        if self.count is not None and self.until is not None:
            raise ValueError("give either count or until, not both")
        if self.times:
            minutes = {_TIME.fullmatch(t)[2] for t in self.times}  # type: ignore[index]
            if len(minutes) > 1:
                # BYHOUR x BYMINUTE is a cross product: 09:00 and 21:30 would also give 09:30.
                raise ValueError("several times a day must share their minutes (09:00, 21:00)")
        return self

    @property
    def anchor(self) -> str:
        return "completion" if self.after_completion else "due"

    def to_rrule(self) -> str:
        hours = sorted({int(t.split(":")[0]) for t in self.times})
        minutes = sorted({int(t.split(":")[1]) for t in self.times})

        def signed_sort(values: list[int]) -> list[int]:
            return sorted(set(values), key=lambda v: (v < 0, abs(v)))

        def weekday_key(code: str) -> tuple[int, int]:
            match = _WEEKDAY.fullmatch(code)
            assert match is not None
            return WEEKDAY_CODES.index(match[2]), int(match[1] or 0)

        parts = [
            ("FREQ", self.frequency.upper()),
            ("INTERVAL", str(self.interval) if self.interval != 1 else ""),
            ("BYMONTH", ",".join(map(str, sorted(set(self.months))))),
            ("BYMONTHDAY", ",".join(map(str, signed_sort(self.month_days)))),
            ("BYDAY", ",".join(sorted(set(self.weekdays), key=weekday_key))),
            ("BYSETPOS", ",".join(map(str, signed_sort(self.set_positions)))),
            ("BYHOUR", ",".join(map(str, hours))),
            ("BYMINUTE", ",".join(map(str, minutes))),
            ("COUNT", str(self.count) if self.count is not None else ""),
            ("UNTIL", self.until.strftime("%Y%m%d") if self.until else ""),
        ]
        return ";".join(f"{key}={value}" for key, value in parts if value)
