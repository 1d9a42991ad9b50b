"""Instants from TOML values, ``--as-of`` parsing and formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import instant
from trucetrack.core.dates import LocalTimeError, format_instant, get_zone, parse_as_of, to_instant

NEW_YORK = get_zone("America/New_York")
SHANGHAI = get_zone("Asia/Shanghai")
UTC_ZONE = get_zone("UTC")
BEIJING_OFFSET = timezone(timedelta(hours=8))

# A fixed "now": 2025-06-10 11:30 EDT. Never the clock.
NOW = datetime(2025, 6, 10, 15, 30, tzinfo=UTC)


def is_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


# ---------------------------------------------------------------------------
# to_instant


def test_a_date_is_midnight_in_the_zone() -> None:
    assert to_instant(date(2025, 5, 14), NEW_YORK) == datetime(2025, 5, 14, 4, 0, tzinfo=UTC)
    assert to_instant(date(2025, 1, 14), NEW_YORK) == datetime(2025, 1, 14, 5, 0, tzinfo=UTC)
    assert to_instant(date(2025, 5, 14), SHANGHAI) == datetime(2025, 5, 13, 16, 0, tzinfo=UTC)
    assert to_instant(date(2025, 5, 14), UTC_ZONE) == datetime(2025, 5, 14, tzinfo=UTC)


def test_a_local_datetime_is_read_in_the_zone_with_dst() -> None:
    summer = to_instant(datetime(2025, 5, 14, 0, 1), NEW_YORK)
    winter = to_instant(datetime(2025, 1, 14, 0, 1), NEW_YORK)
    assert summer == datetime(2025, 5, 14, 4, 1, tzinfo=UTC)  # EDT, UTC-4
    assert winter == datetime(2025, 1, 14, 5, 1, tzinfo=UTC)  # EST, UTC-5
    assert is_utc(summer)
    assert is_utc(winter)


@pytest.mark.parametrize("zone", [NEW_YORK, SHANGHAI, UTC_ZONE])
def test_an_offset_datetime_is_absolute_whatever_the_zone(zone: ZoneInfo) -> None:
    value = datetime(2025, 5, 14, 12, 1, tzinfo=BEIJING_OFFSET)
    result = to_instant(value, zone)
    assert result == datetime(2025, 5, 14, 4, 1, tzinfo=UTC)
    assert is_utc(result)


def test_beijing_noon_is_new_york_midnight_in_may() -> None:
    beijing = to_instant(datetime(2025, 5, 14, 12, 1, tzinfo=BEIJING_OFFSET), NEW_YORK)
    new_york = to_instant(datetime(2025, 5, 14, 0, 1), NEW_YORK)
    assert beijing == new_york
    assert to_instant(datetime(2025, 5, 14, 12, 1), SHANGHAI) == new_york


def test_beijing_1201_is_0001_edt_in_august() -> None:
    beijing = to_instant(datetime(2025, 8, 12, 12, 1), SHANGHAI)
    new_york = to_instant(datetime(2025, 8, 12, 0, 1), NEW_YORK)
    assert beijing == new_york
    assert format_instant(beijing, NEW_YORK) == "2025-08-12 00:01 EDT"


def test_beijing_1301_is_0001_est_in_november() -> None:
    beijing = to_instant(datetime(2025, 11, 10, 13, 1), SHANGHAI)
    new_york = to_instant(datetime(2025, 11, 10, 0, 1), NEW_YORK)
    assert beijing == new_york
    assert format_instant(beijing, NEW_YORK) == "2025-11-10 00:01 EST"


def test_a_local_time_in_a_dst_gap_is_an_error() -> None:
    with pytest.raises(LocalTimeError):
        to_instant(datetime(2025, 3, 9, 2, 30), NEW_YORK)


def test_the_edges_of_the_dst_gap_exist() -> None:
    assert to_instant(datetime(2025, 3, 9, 1, 59), NEW_YORK) == datetime(2025, 3, 9, 6, 59, tzinfo=UTC)
    assert to_instant(datetime(2025, 3, 9, 3, 0), NEW_YORK) == datetime(2025, 3, 9, 7, 0, tzinfo=UTC)


def test_a_repeated_hour_is_its_first_occurrence() -> None:
    result = to_instant(datetime(2025, 11, 2, 1, 30), NEW_YORK)
    assert result == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 01:30 EST (06:30Z)
    assert format_instant(result, NEW_YORK) == "2025-11-02 01:30 EDT"


# ---------------------------------------------------------------------------
# parse_as_of


def as_of(text: str, *, now: datetime = NOW, zone: ZoneInfo = NEW_YORK) -> datetime:
    result = parse_as_of(text, now=now, zone=zone)
    assert is_utc(result), f"{text!r} gave {result!r}, not a UTC-aware instant"
    return result


def test_iso_date_is_midnight_in_the_display_zone() -> None:
    assert as_of("2025-06-10") == datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
    assert as_of("2025-06-10", zone=SHANGHAI) == datetime(2025, 6, 9, 16, 0, tzinfo=UTC)
    assert as_of("2025-12-10") == datetime(2025, 12, 10, 5, 0, tzinfo=UTC)


def test_naive_iso_datetime_is_read_in_the_display_zone() -> None:
    assert as_of("2025-06-10T09:00") == datetime(2025, 6, 10, 13, 0, tzinfo=UTC)
    assert as_of("2025-06-10T09:00", zone=SHANGHAI) == datetime(2025, 6, 10, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", [NEW_YORK, SHANGHAI, UTC_ZONE])
def test_iso_datetime_with_offset_is_absolute(zone: ZoneInfo) -> None:
    assert as_of("2025-06-10T09:00-04:00", zone=zone) == datetime(2025, 6, 10, 13, 0, tzinfo=UTC)
    assert as_of("2025-06-10T09:00+08:00", zone=zone) == datetime(2025, 6, 10, 1, 0, tzinfo=UTC)
    assert as_of("2025-06-10T09:00Z", zone=zone) == datetime(2025, 6, 10, 9, 0, tzinfo=UTC)


def test_now_is_now() -> None:
    assert as_of("now") == NOW
    assert as_of("NOW") == NOW


def test_today_is_midnight_of_the_display_zone_date() -> None:
    assert as_of("today") == datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
    # 02:00 UTC on June 11 is still June 10 in New York, but already June 11 in Beijing.
    late = datetime(2025, 6, 11, 2, 0, tzinfo=UTC)
    assert as_of("today", now=late) == datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
    assert as_of("today", now=late, zone=SHANGHAI) == datetime(2025, 6, 10, 16, 0, tzinfo=UTC)


def test_relative_days_forward() -> None:
    assert as_of("+30d") == NOW + timedelta(days=30)


def test_relative_days_move_the_wall_clock_across_dst() -> None:
    now = instant("2025-10-20T00:01")  # EDT
    assert as_of("+30d", now=now) == instant("2025-11-19T00:01")  # 00:01 EST
    assert as_of("+30d", now=now) == datetime(2025, 11, 19, 5, 1, tzinfo=UTC)


def test_relative_week_backward() -> None:
    assert as_of("-1w") == datetime(2025, 6, 3, 15, 30, tzinfo=UTC)


def test_relative_months_forward() -> None:
    # 11:30 EDT on June 10 -> 11:30 EST on December 10.
    assert as_of("+6mo") == datetime(2025, 12, 10, 16, 30, tzinfo=UTC)


def test_plain_english_date() -> None:
    assert as_of("June 10 2025") == datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
    assert as_of("June 10 2025", zone=SHANGHAI) == datetime(2025, 6, 9, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["next blursday", "", "2025-13-45", "+soon", "+5m", "yesterday-ish"])
def test_garbage_as_of_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_as_of(text, now=NOW, zone=NEW_YORK)


def test_as_of_naive_datetime_in_a_dst_gap_raises_value_error() -> None:
    with pytest.raises(ValueError):
        parse_as_of("2025-03-09T02:30", now=NOW, zone=NEW_YORK)


# ---------------------------------------------------------------------------
# format_instant


def test_format_instant_names_the_zone_abbreviation() -> None:
    assert format_instant(datetime(2025, 11, 10, 5, 1, tzinfo=UTC), NEW_YORK) == "2025-11-10 00:01 EST"
    assert format_instant(datetime(2025, 8, 12, 4, 1, tzinfo=UTC), NEW_YORK) == "2025-08-12 00:01 EDT"
    assert format_instant(datetime(2025, 11, 10, 5, 1, tzinfo=UTC), SHANGHAI) == "2025-11-10 13:01 CST"
    assert format_instant(datetime(2025, 11, 10, 5, 1, tzinfo=UTC), UTC_ZONE) == "2025-11-10 05:01 UTC"


def test_format_instant_does_not_depend_on_the_input_tzinfo() -> None:
    value = datetime(2025, 11, 10, 5, 1, tzinfo=UTC)
    assert format_instant(value.astimezone(SHANGHAI), NEW_YORK) == format_instant(value, NEW_YORK)
