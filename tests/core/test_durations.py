"""Durations: every accepted form, refusals, and wall-clock arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import instant
from trucetrack.core.dates import get_zone
from trucetrack.core.durations import DurationError, add_duration, parse_duration

NEW_YORK = get_zone("America/New_York")
HOUR = 3600
DAY = 24 * HOUR

# ---------------------------------------------------------------------------
# Parsing


@pytest.mark.parametrize(
    ("text", "months", "days", "seconds"),
    [
        ("90d", 0, 90, 0),
        ("90 days", 0, 90, 0),
        ("2w", 0, 14, 0),
        ("2 weeks", 0, 14, 0),
        ("6mo", 6, 0, 0),
        ("6 months", 6, 0, 0),
        ("1y", 12, 0, 0),
        ("1 year", 12, 0, 0),
        ("36h", 0, 0, 36 * HOUR),
        ("36 hours", 0, 0, 36 * HOUR),
        ("P90D", 0, 90, 0),
        ("P6M", 6, 0, 0),
        ("P1Y2M", 14, 0, 0),
        ("PT36H", 0, 0, 36 * HOUR),
    ],
)
def test_every_spec_form_parses(text: str, months: int, days: int, seconds: int) -> None:
    duration = parse_duration(text)
    assert (duration.months, duration.days, duration.seconds) == (months, days, seconds)
    assert str(duration) == text


def test_word_and_letter_forms_agree() -> None:
    pairs = [("90d", "90 days"), ("2w", "2 weeks"), ("6mo", "6 months"), ("1y", "1 year"), ("36h", "36 hours")]
    for short, long in pairs:
        a, b = parse_duration(short), parse_duration(long)
        assert (a.months, a.days, a.seconds) == (b.months, b.days, b.seconds)


def test_iso_and_short_forms_agree() -> None:
    for iso, short in [("P90D", "90d"), ("P6M", "6mo"), ("PT36H", "36h")]:
        a, b = parse_duration(iso), parse_duration(short)
        assert (a.months, a.days, a.seconds) == (b.months, b.days, b.seconds)


@pytest.mark.parametrize("text", ["6m", "1m", "6 m"])
def test_bare_m_is_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert "ambiguous" in str(info.value).lower()


@pytest.mark.parametrize("text", ["soon", "", "90", "d90", "90x", "ninety days", "P", "PT", "3 fortnights", "1.5d"])
def test_garbage_is_refused_listing_accepted_forms(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    message = str(info.value)
    for form in ("90d", "2w", "6mo", "1y", "36h", "P90D"):
        assert form in message, f"{form!r} missing from {message!r}"


def test_duration_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_duration("garbage")


# ---------------------------------------------------------------------------
# Arithmetic on the wall clock of the zone


def is_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


def test_90_days_across_dst_end_keeps_the_wall_time() -> None:
    start = instant("2025-08-12T00:01")  # EDT
    end = add_duration(start, parse_duration("90d"), NEW_YORK)
    assert is_utc(end)
    assert end == datetime(2025, 11, 10, 5, 1, tzinfo=UTC)  # 00:01 EST
    assert end.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M %Z") == "2025-11-10 00:01 EST"
    assert end != start + timedelta(days=90)  # 90 x 24 h would be one hour early
    assert start + timedelta(days=90) == end - timedelta(hours=1)


def test_90_days_within_summer_time() -> None:
    start = instant("2025-05-14T00:01")
    end = add_duration(start, parse_duration("90d"), NEW_YORK)
    assert end == instant("2025-08-12T00:01")
    assert end == datetime(2025, 8, 12, 4, 1, tzinfo=UTC)
    assert end.astimezone(NEW_YORK).strftime("%Z") == "EDT"


def test_one_year() -> None:
    start = instant("2025-11-10T00:01")
    end = add_duration(start, parse_duration("1y"), NEW_YORK)
    assert end == datetime(2026, 11, 10, 5, 1, tzinfo=UTC)
    assert end.astimezone(NEW_YORK).date().isoformat() == "2026-11-10"
    assert add_duration(start, parse_duration("1 year"), NEW_YORK) == end
    assert add_duration(start, parse_duration("P1Y"), NEW_YORK) == end


def test_150_days_across_dst_start_is_one_hour_short_of_150_elapsed_days() -> None:
    start = instant("2026-02-24T00:01")  # EST
    end = add_duration(start, parse_duration("150d"), NEW_YORK)
    local = end.astimezone(NEW_YORK)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 7, 24, 0, 1)
    assert local.strftime("%Z") == "EDT"
    assert end - start == timedelta(days=149, hours=23)


@pytest.mark.parametrize("text", ["36h", "36 hours", "PT36H"])
def test_hours_are_elapsed_time_across_dst(text: str) -> None:
    start = instant("2025-03-08T12:00")  # EST; clocks spring forward the next night
    end = add_duration(start, parse_duration(text), NEW_YORK)
    assert end - start == timedelta(hours=36)
    local = end.astimezone(NEW_YORK)
    assert (local.day, local.hour, local.strftime("%Z")) == (10, 1, "EDT")


def test_hours_across_dst_end_are_elapsed_too() -> None:
    start = instant("2025-11-01T12:00")  # EDT; clocks fall back the next night
    end = add_duration(start, parse_duration("36h"), NEW_YORK)
    assert end - start == timedelta(hours=36)
    assert end.astimezone(NEW_YORK).hour == 23


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-01-31T00:01", "2025-02-28T00:01"),
        ("2024-01-31T00:01", "2024-02-29T00:01"),
        ("2025-03-31T09:00", "2025-04-30T09:00"),
    ],
)
@pytest.mark.parametrize("text", ["1mo", "1 month", "P1M"])
def test_months_clamp_to_the_last_day(start: str, expected: str, text: str) -> None:
    assert add_duration(instant(start), parse_duration(text), NEW_YORK) == instant(expected)


def test_zero_days_is_identity() -> None:
    start = instant("2025-08-12T00:01")
    assert add_duration(start, parse_duration("0d"), NEW_YORK) == start


def test_result_is_utc_even_for_a_non_utc_input() -> None:
    start = instant("2025-08-12T00:01").astimezone(NEW_YORK)
    end = add_duration(start, parse_duration("2w"), NEW_YORK)
    assert is_utc(end)
    assert end == instant("2025-08-26T00:01")


# ---------------------------------------------------------------------------
# Properties
