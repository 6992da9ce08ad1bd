"""Tests for tasks_app.recurrence: golden UTC instants, DST policy, rejections, properties.

Pure Python; run with ``pytest -p no:django``. No wall clock: every reference instant is fixed.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks_app.recurrence import (
    Recurrence,
    RecurrenceError,
    build,
    describe,
    first_on_or_after,
    local_to_utc,
    next_after_completion,
    next_occurrence,
    normalize_rule,
    occurrences,
    validate_timezone,
)

NY = "America/New_York"
BERLIN = "Europe/Berlin"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # the fixed "now" of this suite
PROPERTY = settings(max_examples=80, derandomize=True, database=None, deadline=None)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute)


# --- DST policy: local_to_utc ---------------------------------------------------------------


def test_local_time_in_spring_forward_gap_is_shifted_forward_by_the_gap() -> None:
    # 02:30 does not exist on 2026-03-08 in New York; 03:30 EDT is 07:30Z
    assert local_to_utc(local(2026, 3, 8, 2, 30), ZoneInfo(NY)) == utc(2026, 3, 8, 7, 30)


def test_ambiguous_fall_back_time_maps_to_the_first_instant() -> None:
    # 01:30 happens twice on 2026-11-01; the first one is EDT (UTC-4)
    assert local_to_utc(local(2026, 11, 1, 1, 30), ZoneInfo(NY)) == utc(2026, 11, 1, 5, 30)


def test_local_to_utc_rejects_aware_input() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(utc(2026, 3, 8, 2, 30), ZoneInfo(NY))


# --- golden occurrences -----------------------------------------------------------------------


def test_every_weekday_at_9_keeps_9am_across_us_spring_forward_weekend() -> None:
    rec = build("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", dtstart=local(2026, 3, 2, 9), tz=NY)

    result = occurrences(rec, start=utc(2026, 3, 6), count=2)

    assert result == [utc(2026, 3, 6, 14), utc(2026, 3, 9, 13)]  # Fri EST, Mon EDT


def test_daily_at_0230_is_shifted_to_0330_edt_on_spring_forward_day_not_skipped() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 3, 7, 2, 30), tz=NY)

    result = occurrences(rec, count=3)

    assert result == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]


def test_daily_at_0130_fires_once_on_fall_back_day_at_the_first_instant() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 10, 31, 1, 30), tz=NY)

    result = occurrences(rec, count=3)

    assert result == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_hourly_across_spring_gap_emits_the_shifted_and_the_real_0330_once() -> None:
    # local 02:30 (shifted to 03:30 EDT) and local 03:30 EDT are the same instant
    rec = build("FREQ=HOURLY", dtstart=local(2026, 3, 8, 0, 30), tz=NY)

    result = occurrences(rec, count=4)

    assert result == [
        utc(2026, 3, 8, 5, 30),
        utc(2026, 3, 8, 6, 30),
        utc(2026, 3, 8, 7, 30),
        utc(2026, 3, 8, 8, 30),
    ]


def test_hourly_in_wall_time_skips_the_repeated_hour_on_fall_back() -> None:
    rec = build("FREQ=HOURLY", dtstart=local(2026, 11, 1, 0, 30), tz=NY)

    result = occurrences(rec, count=3)

    # 00:30 EDT, 01:30 EDT (first of the two 01:30s), 02:30 EST; 06:30Z (01:30 EST) never fires
    assert result == [utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 7, 30)]


def test_daily_9am_in_berlin_stays_9am_local_across_its_dst_change() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 3, 28, 9), tz=BERLIN)

    result = occurrences(rec, count=3)

    assert result == [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]


def test_a_whole_skipped_day_collapses_onto_the_next_day_instant() -> None:
    # Samoa skipped 2011-12-30; its 09:00 (shifted by 24 h) is the same instant as 12-31 09:00
    rec = build("FREQ=DAILY", dtstart=local(2011, 12, 29, 9), tz="Pacific/Apia")

    result = occurrences(rec, count=3)

    assert result == [utc(2011, 12, 29, 19), utc(2011, 12, 30, 19), utc(2011, 12, 31, 19)]


def test_occurrences_stay_in_utc_order_when_a_skipped_day_reorders_them() -> None:
    # Dec 30 21:00 (skipped day, +24 h) is after Dec 31 09:00 in UTC: emitted sorted, once each
    rec = build("FREQ=DAILY;BYHOUR=9,21", dtstart=local(2011, 12, 29, 9), tz="Pacific/Apia")

    result = occurrences(rec, count=5)

    assert result == [
        utc(2011, 12, 29, 19),
        utc(2011, 12, 30, 7),
        utc(2011, 12, 30, 19),
        utc(2011, 12, 31, 7),
        utc(2011, 12, 31, 19),
    ]


def test_the_31st_of_every_month_skips_months_without_a_31st() -> None:
    rec = build("FREQ=MONTHLY;BYMONTHDAY=31", dtstart=local(2026, 1, 31, 9), tz=NY)

    result = occurrences(rec, count=3)

    assert result == [utc(2026, 1, 31, 14), utc(2026, 3, 31, 13), utc(2026, 5, 31, 13)]


def test_last_friday_of_the_month() -> None:
    rec = build("FREQ=MONTHLY;BYDAY=-1FR", dtstart=local(2026, 1, 1, 17), tz=NY)

    result = occurrences(rec, count=3)

    assert result == [utc(2026, 1, 30, 22), utc(2026, 2, 27, 22), utc(2026, 3, 27, 21)]


def test_third_friday_of_the_month() -> None:
    rec = build("FREQ=MONTHLY;BYDAY=3FR", dtstart=local(2026, 1, 1, 17), tz=NY)

    assert occurrences(rec, count=2) == [utc(2026, 1, 16, 22), utc(2026, 2, 20, 22)]


def test_last_workday_of_the_month() -> None:
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    rec = build(rule, dtstart=local(2026, 1, 1, 9), tz=NY)

    result = occurrences(rec, count=5)

    # Jan 30 Fri, Feb 27 Fri, Mar 31 Tue, Apr 30 Thu, May 29 Fri (May 31 is a Sunday)
    assert result == [
        utc(2026, 1, 30, 14),
        utc(2026, 2, 27, 14),
        utc(2026, 3, 31, 13),
        utc(2026, 4, 30, 13),
        utc(2026, 5, 29, 13),
    ]


def test_every_two_weeks_on_tuesday_and_thursday() -> None:
    rec = build("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", dtstart=local(2026, 3, 3, 18), tz=NY)

    result = occurrences(rec, count=4)

    assert result == [
        utc(2026, 3, 3, 23),
        utc(2026, 3, 5, 23),
        utc(2026, 3, 17, 22),
        utc(2026, 3, 19, 22),
    ]


def test_hourly_with_interval() -> None:
    rec = build("FREQ=HOURLY;INTERVAL=3", dtstart=local(2026, 3, 10, 8), tz=NY)

    assert occurrences(rec, count=3) == [
        utc(2026, 3, 10, 12),
        utc(2026, 3, 10, 15),
        utc(2026, 3, 10, 18),
    ]


def test_daily_at_9_and_21() -> None:
    rec = build("FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0", dtstart=local(2026, 3, 10, 9), tz=NY)

    assert occurrences(rec, count=3) == [
        utc(2026, 3, 10, 13),
        utc(2026, 3, 11, 1),
        utc(2026, 3, 11, 13),
    ]


def test_count_limits_the_series() -> None:
    rec = build("FREQ=DAILY;COUNT=3", dtstart=local(2026, 3, 1, 9), tz=NY)

    result = occurrences(rec, count=10)

    assert result == [utc(2026, 3, 1, 14), utc(2026, 3, 2, 14), utc(2026, 3, 3, 14)]


def test_series_with_count_is_exhausted_after_its_last_occurrence() -> None:
    rec = build("FREQ=DAILY;COUNT=3", dtstart=local(2026, 3, 1, 9), tz=NY)

    assert next_occurrence(rec, after=utc(2026, 3, 3, 14)) is None


def test_until_date_includes_the_whole_local_day() -> None:
    rec = build("FREQ=DAILY;UNTIL=20260310", dtstart=local(2026, 3, 8, 23, 30), tz=NY)

    result = occurrences(rec, count=10)

    # 23:30 EDT on March 10 is already March 11 in UTC, and still included
    assert result[-1] == utc(2026, 3, 11, 3, 30)
    assert len(result) == 3


@pytest.mark.parametrize(
    ("until", "expected_count"),
    [("20260310T100000", 4), ("20260310T095959", 3)],
    ids=["at-the-occurrence", "one-second-before"],
)
def test_until_local_datetime_is_inclusive(until: str, expected_count: int) -> None:
    rec = build(f"FREQ=DAILY;UNTIL={until}", dtstart=local(2026, 3, 7, 10), tz=NY)

    assert len(occurrences(rec, count=10)) == expected_count


@pytest.mark.parametrize(
    ("until", "expected_count"),
    [("20260310T140000Z", 4), ("20260310T135959Z", 3)],
    ids=["at-the-instant", "one-second-before"],
)
def test_until_utc_is_an_inclusive_instant(until: str, expected_count: int) -> None:
    rec = build(f"FREQ=DAILY;UNTIL={until}", dtstart=local(2026, 3, 7, 10), tz=NY)

    assert len(occurrences(rec, count=10)) == expected_count


def test_until_utc_is_compared_as_an_instant_inside_the_repeated_hour() -> None:
    # UNTIL is 01:45 EST (the second 01:45); 01:50 on Nov 1 is 01:50 EDT, which is earlier
    rule = "FREQ=DAILY;UNTIL=20261101T064500Z"
    rec = build(rule, dtstart=local(2026, 10, 31, 1, 50), tz=NY)

    assert occurrences(rec, count=5) == [utc(2026, 10, 31, 5, 50), utc(2026, 11, 1, 5, 50)]


def test_exdate_removes_that_occurrence() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 3, 7, 10), tz=NY, exdates=[local(2026, 3, 8, 10)])

    assert occurrences(rec, count=2) == [utc(2026, 3, 7, 15), utc(2026, 3, 9, 14)]


def test_exdate_given_as_the_shifted_time_removes_a_gap_occurrence() -> None:
    # the user saw "03:30" on the spring-forward day; it is the same instant as the rule's 02:30
    rec = build(
        "FREQ=DAILY", dtstart=local(2026, 3, 7, 2, 30), tz=NY, exdates=[local(2026, 3, 8, 3, 30)]
    )

    assert occurrences(rec, count=2) == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 9, 6, 30)]


def test_exdate_on_a_directly_built_recurrence_may_be_aware() -> None:
    rec = Recurrence(
        "FREQ=DAILY", local(2026, 3, 7, 10), ZoneInfo(NY), exdates=(utc(2026, 3, 8, 14),)
    )

    assert occurrences(rec, count=2) == [utc(2026, 3, 7, 15), utc(2026, 3, 9, 14)]


# --- queries ----------------------------------------------------------------------------------


def test_next_occurrence_is_strictly_after_the_reference() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 3, 1, 9), tz=NY)

    assert next_occurrence(rec, after=utc(2026, 3, 2, 14)) == utc(2026, 3, 3, 14)


def test_first_on_or_after_includes_the_reference_instant() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 3, 1, 9), tz=NY)

    assert first_on_or_after(rec, when=utc(2026, 3, 2, 14)) == utc(2026, 3, 2, 14)


def test_next_occurrence_of_a_decade_old_daily_rule() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2016, 3, 1, 9), tz=NY)

    assert next_occurrence(rec, after=NOW) == utc(2026, 3, 1, 14)


def test_next_occurrence_of_a_decade_old_biweekly_rule_keeps_its_week_parity() -> None:
    rec = build("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", dtstart=local(2016, 3, 1, 9), tz=NY)

    # 2016-03-01 + 261 fortnights = 2026-03-03 (EST); the Tuesday before (02-24) is off-week
    assert next_occurrence(rec, after=NOW) == utc(2026, 3, 3, 14)


def test_next_occurrence_of_a_decade_old_hourly_rule_with_byhour() -> None:
    rec = build("FREQ=HOURLY;INTERVAL=2;BYHOUR=9,11,13", dtstart=local(2016, 3, 1, 9), tz=NY)

    assert next_occurrence(rec, after=NOW) == utc(2026, 3, 1, 14)  # 09:00 EST


def test_occurrences_from_a_start_before_dtstart_begin_at_dtstart() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 3, 1, 9), tz=NY)

    assert occurrences(rec, start=utc(2020, 1, 1), count=1) == [utc(2026, 3, 1, 14)]


def test_expansion_is_capped_instead_of_running_unbounded() -> None:
    rec = build("FREQ=HOURLY", dtstart=local(2026, 3, 1, 9), tz=NY)

    with pytest.raises(RecurrenceError, match="too many steps"):
        occurrences(rec, count=25_000)


def test_queries_reject_naive_references() -> None:
    rec = build("FREQ=DAILY", dtstart=local(2026, 3, 1, 9), tz=NY)

    with pytest.raises(ValueError, match="timezone-aware"):
        next_occurrence(rec, after=local(2026, 3, 1, 9))


# --- completion anchor ("every!") -------------------------------------------------------------


def test_completion_anchor_every_3_days_counts_from_the_local_completion_date() -> None:
    rec = build("FREQ=DAILY;INTERVAL=3", dtstart=local(2026, 3, 1, 9), tz=NY, anchor="completion")
    completed = utc(2026, 3, 6, 4, 30)  # 23:30 on March 5 in New York

    result = next_after_completion(rec, completed_at=completed, occurrences_so_far=1)

    assert result == utc(2026, 3, 8, 13)  # March 8, 09:00 EDT


def test_completion_anchor_monthly_from_jan_31_lands_on_feb_28() -> None:
    rec = build("FREQ=MONTHLY", dtstart=local(2026, 1, 31, 9), tz=NY, anchor="completion")

    result = next_after_completion(rec, completed_at=utc(2026, 1, 31, 15), occurrences_so_far=1)

    assert result == utc(2026, 2, 28, 14)


def test_completion_anchor_with_byday_takes_the_first_match_on_or_after_the_base() -> None:
    rec = build("FREQ=WEEKLY;BYDAY=MO", dtstart=local(2026, 3, 2, 9), tz=NY, anchor="completion")
    completed = utc(2026, 3, 4, 15)  # Wednesday; base is Wednesday March 11, 09:00

    result = next_after_completion(rec, completed_at=completed, occurrences_so_far=1)

    assert result == utc(2026, 3, 16, 13)  # the Monday after the base


def test_completion_anchor_hourly_adds_hours_and_truncates_to_the_minute() -> None:
    rec = build("FREQ=HOURLY;INTERVAL=2", dtstart=local(2026, 3, 2, 9), tz=NY, anchor="completion")
    completed = datetime(2026, 3, 4, 10, 17, 45, 123, tzinfo=UTC)

    result = next_after_completion(rec, completed_at=completed, occurrences_so_far=1)

    assert result == utc(2026, 3, 4, 12, 17)


def test_completion_anchor_stops_when_count_is_reached() -> None:
    rec = build("FREQ=DAILY;COUNT=2", dtstart=local(2026, 3, 1, 9), tz=NY, anchor="completion")

    assert next_after_completion(rec, completed_at=NOW, occurrences_so_far=2) is None


def test_completion_anchor_stops_when_the_result_is_past_until() -> None:
    rule = "FREQ=WEEKLY;UNTIL=20260305"
    rec = build(rule, dtstart=local(2026, 2, 20, 9), tz=NY, anchor="completion")

    assert next_after_completion(rec, completed_at=NOW, occurrences_so_far=1) is None


# --- normalization and rejection --------------------------------------------------------------


def test_normalize_accepts_prefix_any_order_and_case() -> None:
    rule = "rrule:byday=th,tu;Interval=2;FREQ=weekly"

    assert normalize_rule(rule) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"


def test_normalize_uses_a_fixed_key_order_and_omits_interval_1() -> None:
    rule = "COUNT=5;WKST=SU;BYMINUTE=0;BYHOUR=9;BYSETPOS=-1;BYDAY=MO,FR;BYMONTH=3;INTERVAL=1;"
    rule += "FREQ=YEARLY"

    expected = "FREQ=YEARLY;BYMONTH=3;BYDAY=MO,FR;BYSETPOS=-1;BYHOUR=9;BYMINUTE=0;WKST=SU;COUNT=5"
    assert normalize_rule(rule) == expected


def test_normalize_keeps_the_until_form_and_ordinal_byday() -> None:
    assert normalize_rule("FREQ=MONTHLY;BYDAY=+3fr;UNTIL=20260331T170000z") == (
        "FREQ=MONTHLY;BYDAY=3FR;UNTIL=20260331T170000Z"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("garbage", "'garbage' is not KEY=VALUE"),
        ("   ", "the rule is empty"),
        ("INTERVAL=2", "FREQ is required"),
        ("FREQ=MINUTELY", "FREQ=MINUTELY is not supported"),
        ("FREQ=SECONDLY", "FREQ=SECONDLY is not supported"),
        ("FREQ=FORTNIGHTLY", "FREQ value 'FORTNIGHTLY' is not a frequency"),
        ("FREQ=DAILY;BYSECOND=0", "BYSECOND is not supported"),
        ("FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO is not supported"),
        ("FREQ=YEARLY;BYYEARDAY=100", "BYYEARDAY is not supported"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20260401", "COUNT and UNTIL cannot be used together"),
        ("FREQ=DAILY;COLOR=RED", "unknown rule part 'COLOR'"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ appears more than once"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY value 'XX' is not a weekday"),
        ("FREQ=WEEKLY;BYDAY=1MO", "needs FREQ=MONTHLY or YEARLY"),
        ("FREQ=MONTHLY;BYDAY=6FR", "BYDAY value '6FR' is out of range"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL value '0'"),
        ("FREQ=DAILY;INTERVAL=1,2", "INTERVAL takes a single number"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR value '24' is not an hour"),
        ("FREQ=DAILY;UNTIL=2026-04-01", "UNTIL value '2026-04-01' is not YYYYMMDD"),
        ("FREQ=DAILY;UNTIL=20260230", "UNTIL value '20260230'"),
        ("DTSTART:20260301T090000\nRRULE:FREQ=DAILY", "DTSTART is not allowed"),
        ("FREQ=DAILY;DTSTART=20260301T090000", "DTSTART is not allowed"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs another BY"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "BYMONTHDAY never falls in the months"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used with FREQ=WEEKLY"),
        ("FREQ=DAILY;BYDAY=" + "MO," * 200 + "TU", "the rule is too long"),
    ],
)
def test_normalize_rejects_with_a_specific_message(rule: str, message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        normalize_rule(rule)


def test_recurrence_error_is_a_value_error() -> None:
    assert issubclass(RecurrenceError, ValueError)


@pytest.mark.parametrize(
    "rule",
    ["FREQ=HOURLY;BYMINUTE=0,30", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0,30"],
)
def test_build_rejects_rules_firing_more_often_than_hourly(rule: str) -> None:
    with pytest.raises(RecurrenceError, match="more often than once an hour"):
        build(rule, dtstart=local(2026, 3, 1, 9), tz=NY)


@pytest.mark.parametrize(
    "rule", ["FREQ=HOURLY", "FREQ=HOURLY;BYMINUTE=15", "FREQ=DAILY;BYHOUR=9,21"]
)
def test_build_accepts_rules_firing_at_most_hourly(rule: str) -> None:
    assert build(rule, dtstart=local(2026, 3, 1, 9), tz=NY).rule == rule


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;UNTIL=20260201",  # UNTIL before DTSTART
        "FREQ=DAILY;INTERVAL=7;BYDAY=MO",  # DTSTART is a Sunday: every 7th day is never Monday
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",  # no month has six Mondays
        "FREQ=HOURLY;INTERVAL=24;BYHOUR=3",  # always 09:00, never 03:00
        "FREQ=MONTHLY;INTERVAL=2;BYMONTH=4",  # March, May, July...: never April
    ],
)
def test_build_rejects_rules_without_an_occurrence(rule: str) -> None:
    with pytest.raises(RecurrenceError, match="this rule has no occurrence after its start"):
        build(rule, dtstart=local(2026, 3, 1, 9), tz=NY)


def test_build_rejects_an_impossible_rule() -> None:
    # dateutil alone would search day by day until 9999 for this rule (about 16 s of CPU);
    # build() probes near 9999 instead. Timing is not asserted here: tests run on noisy machines.
    with pytest.raises(RecurrenceError, match="no occurrence"):
        build("FREQ=DAILY;BYHOUR=9;BYSETPOS=2", dtstart=local(2026, 3, 1, 9), tz=NY)


def test_build_rejects_a_series_whose_only_occurrence_is_excluded() -> None:
    with pytest.raises(RecurrenceError, match="no occurrence"):
        build(
            "FREQ=DAILY;COUNT=1",
            dtstart=local(2026, 3, 1, 9),
            tz=NY,
            exdates=[local(2026, 3, 1, 9)],
        )


def test_build_normalizes_the_rule_and_converts_an_aware_start_to_local_wall_time() -> None:
    rec = build("rrule:freq=daily", dtstart=utc(2026, 3, 1, 14), tz=NY)

    assert rec == Recurrence("FREQ=DAILY", local(2026, 3, 1, 9), ZoneInfo(NY), "due", ())


def test_build_rejects_an_unknown_anchor() -> None:
    with pytest.raises(RecurrenceError, match="anchor"):
        build("FREQ=DAILY", dtstart=local(2026, 3, 1, 9), tz=NY, anchor="whenever")


@pytest.mark.parametrize("name", ["America/New_York", "Europe/Berlin", "UTC"])
def test_validate_timezone_accepts_iana_names(name: str) -> None:
    assert validate_timezone(name) == ZoneInfo(name)


@pytest.mark.parametrize("name", ["Europe/Nowhere", "../etc/passwd", "", "localtime", "EST+5"])
def test_validate_timezone_rejects_unknown_names(name: str) -> None:
    with pytest.raises(RecurrenceError, match=re.escape(f"unknown time zone '{name}'")):
        validate_timezone(name)


def test_build_rejects_an_unknown_time_zone() -> None:
    with pytest.raises(RecurrenceError, match="unknown time zone 'Europe/Nowhere'"):
        build("FREQ=DAILY", dtstart=local(2026, 3, 1, 9), tz="Europe/Nowhere")


# --- describe ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        ("FREQ=DAILY", local(2026, 3, 1, 9), "every day at 09:00"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", local(2026, 3, 2, 9), "every weekday at 09:00"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
            local(2026, 3, 3, 18),
            "every 2 weeks on Tuesday and Thursday at 18:00",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=31",
            local(2026, 1, 31, 9),
            "on the 31st of every month at 09:00",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            local(2026, 1, 1, 17),
            "on the last Friday of every month at 17:00",
        ),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            local(2026, 1, 1, 9),
            "on the last workday of every month at 09:00",
        ),
        ("FREQ=YEARLY", local(2026, 3, 6, 9), "every year on March 6 at 09:00"),
        ("FREQ=HOURLY", local(2026, 3, 1, 9), "every hour"),
        ("FREQ=HOURLY;INTERVAL=3", local(2026, 3, 1, 9), "every 3 hours"),
        ("FREQ=DAILY;BYHOUR=9,21;BYMINUTE=0", local(2026, 3, 1, 9), "every day at 09:00 and 21:00"),
        (
            "FREQ=DAILY;BYHOUR=9,11,13,15,17;BYMINUTE=30",
            local(2026, 3, 1, 9, 30),
            "every day, every 2 hours from 09:30 to 17:30",
        ),
        (
            "FREQ=DAILY;BYHOUR=8,12,16;BYMINUTE=0",  # three times are listed
            local(2026, 3, 1, 8),
            "every day at 08:00, 12:00 and 16:00",
        ),
        (
            "FREQ=DAILY;BYHOUR=8,9,12,16;BYMINUTE=0",  # uneven steps are listed
            local(2026, 3, 1, 8),
            "every day at 08:00, 09:00, 12:00 and 16:00",
        ),
        ("FREQ=WEEKLY;BYDAY=SA,SU", local(2026, 3, 7, 10), "every weekend at 10:00"),
        ("FREQ=DAILY;COUNT=5", local(2026, 3, 1, 9), "every day at 09:00, 5 times"),
        (
            "FREQ=DAILY;UNTIL=20260331",
            local(2026, 3, 1, 9),
            "every day at 09:00, until March 31, 2026",
        ),
        (
            "FREQ=DAILY;UNTIL=20260331T170000Z",
            local(2026, 3, 1, 9),
            "every day at 09:00, until March 31, 2026 at 17:00 UTC",
        ),
    ],
)
def test_describe_golden_rules(rule: str, start: datetime, expected: str) -> None:
    rec = build(rule, dtstart=start, tz=NY)

    assert describe(rec) == expected


def test_describe_completion_anchor() -> None:
    rec = build("FREQ=DAILY;INTERVAL=3", dtstart=local(2026, 3, 1, 9), tz=NY, anchor="completion")

    assert describe(rec) == "3 days after completion at 09:00"


def test_describe_completion_anchor_with_byday() -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO"
    rec = build(rule, dtstart=local(2026, 3, 2, 9), tz=NY, anchor="completion")

    assert describe(rec) == "1 week after completion, on the next Monday at 09:00"


def test_describe_a_bare_rule_omits_the_time_without_dtstart() -> None:
    assert describe("FREQ=DAILY") == "every day"


def test_describe_a_bare_rule_uses_the_given_dtstart() -> None:
    assert describe("FREQ=WEEKLY", dtstart=local(2026, 3, 3, 7, 45)) == "every Tuesday at 07:45"


# --- properties -------------------------------------------------------------------------------

DST_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago"]
DST_ZONES += ["Europe/London"]
ODD_ZONES = [*DST_ZONES, "Australia/Lord_Howe", "Pacific/Apia", "UTC"]


@lru_cache
def dst_change_days(zone: str) -> list[date]:
    """Days in 2026 whose noon UTC offset differs from the previous day's."""
    tz, day, days = ZoneInfo(zone), date(2026, 1, 1), []
    while day.year == 2026:
        before = datetime.combine(day, time(12), tz).utcoffset()
        day += timedelta(days=1)
        if datetime.combine(day, time(12), tz).utcoffset() != before:
            days.append(day)
    return days


@st.composite
def starts_near_dst(draw: st.DrawFn, zones: list[str]) -> tuple[str, datetime]:
    zone = draw(st.sampled_from(zones))
    days = dst_change_days(zone) or [date(2026, 3, 29)]
    day = draw(st.sampled_from(days)) - timedelta(days=draw(st.integers(0, 3)))
    clock = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    return zone, datetime.combine(day, clock)


RULES = st.one_of(
    st.builds("FREQ=HOURLY;INTERVAL={}".format, st.integers(1, 5)),
    st.builds("FREQ=HOURLY;BYMINUTE={}".format, st.sampled_from([0, 15, 30, 45])),
    st.builds("FREQ=DAILY;INTERVAL={}".format, st.integers(1, 3)),
    st.just("FREQ=DAILY;BYHOUR=1,2,3;BYMINUTE=30"),
    st.just("FREQ=DAILY;BYHOUR=0,12"),
    st.builds("FREQ=WEEKLY;INTERVAL={};BYDAY=MO,WE,SA".format, st.integers(1, 3)),
    st.builds("FREQ=MONTHLY;BYMONTHDAY={}".format, st.sampled_from([1, 15, 29, 31, -1])),
    st.just("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
    st.builds("FREQ=MONTHLY;INTERVAL={};BYDAY=2TU,-1FR".format, st.integers(1, 3)),
    st.builds("FREQ=WEEKLY;INTERVAL={};WKST=SU;BYDAY=SU,MO".format, st.integers(2, 3)),
    st.just("FREQ=MONTHLY"),  # day of month taken from DTSTART
    st.just("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU"),
    st.just("FREQ=YEARLY"),
)


@PROPERTY
@given(starts_near_dst(ODD_ZONES), RULES, st.integers(0, 72 * 60))
def test_property_next_occurrence_is_strictly_after_its_reference(
    zone_start: tuple[str, datetime], rule: str, minutes_later: int
) -> None:
    zone, start = zone_start
    rec = build(rule, dtstart=start, tz=zone)
    reference = local_to_utc(start, ZoneInfo(zone)) + timedelta(minutes=minutes_later)

    following = next_occurrence(rec, after=reference)

    assert following is not None
    assert following > reference


@PROPERTY
@given(starts_near_dst(DST_ZONES), st.integers(1, 3))
def test_property_daily_rules_keep_the_wall_clock_time_whenever_it_exists(
    zone_start: tuple[str, datetime], interval: int
) -> None:
    zone, start = zone_start
    tz = ZoneInfo(zone)
    rec = build(f"FREQ=DAILY;INTERVAL={interval}", dtstart=start, tz=tz)

    result = occurrences(rec, count=30)

    for i, instant in enumerate(result):
        wall = instant.astimezone(tz)
        wanted = datetime.combine(start.date() + timedelta(days=i * interval), start.time())
        exists = local_to_utc(wanted, tz).astimezone(tz).replace(tzinfo=None) == wanted
        assert wall.date() == wanted.date()
        assert wall.time() == wanted.time() or not exists


@PROPERTY
@given(starts_near_dst(ODD_ZONES), RULES, st.integers(1, 40))
def test_property_count_is_never_exceeded(
    zone_start: tuple[str, datetime], rule: str, count: int
) -> None:
    zone, start = zone_start
    rec = build(f"{rule};COUNT={count}", dtstart=start, tz=zone)

    result = occurrences(rec, count=count + 10)

    assert 1 <= len(result) <= count
    assert next_occurrence(rec, after=result[-1]) is None


@PROPERTY
@given(starts_near_dst(ODD_ZONES), RULES)
def test_property_occurrences_are_strictly_increasing_and_unique(
    zone_start: tuple[str, datetime], rule: str
) -> None:
    zone, start = zone_start
    rec = build(rule, dtstart=start, tz=zone)

    result = occurrences(rec, count=200)

    assert all(a < b for a, b in pairwise(result))


@PROPERTY
@given(starts_near_dst(ODD_ZONES), RULES, st.integers(0, 200), st.integers(0, 59))
def test_property_querying_from_a_later_start_matches_expanding_from_dtstart(
    zone_start: tuple[str, datetime], rule: str, skip: int, minute: int
) -> None:
    zone, start = zone_start
    rec = build(rule, dtstart=start, tz=zone)
    everything = occurrences(rec, count=skip + 5)
    reference = everything[skip] - timedelta(minutes=minute)

    from_reference = occurrences(rec, start=reference, count=3)

    assert from_reference == [u for u in everything if u >= reference][:3]


@PROPERTY
@given(starts_near_dst(ODD_ZONES), RULES, st.integers(0, 10 * 24 * 60))
def test_property_completion_result_is_strictly_after_the_completion(
    zone_start: tuple[str, datetime], rule: str, minutes_later: int
) -> None:
    zone, start = zone_start
    rec = build(rule, dtstart=start, tz=zone, anchor="completion")
    completed = local_to_utc(start, ZoneInfo(zone)) + timedelta(minutes=minutes_later)

    result = next_after_completion(rec, completed_at=completed, occurrences_so_far=1)

    assert result is not None
    assert result > completed
