"""Properties of durations and wall-clock arithmetic, with hypothesis."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.core.test_durations import is_utc
from trucetrack.core.dates import get_zone
from trucetrack.core.durations import add_duration, parse_duration

ZONES = ["America/New_York", "Europe/London", "Asia/Shanghai", "Australia/Lord_Howe", "UTC"]


LOCAL_TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31, 23, 59))


def exists(naive: datetime, zone_name: str) -> bool:
    """Whether the wall time ``naive`` occurs in the zone (it is not in a DST gap)."""
    zone = get_zone(zone_name)
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def utc_of(naive: datetime, zone_name: str) -> datetime:
    """The first occurrence of the wall time ``naive`` in the zone, as UTC."""
    return naive.replace(tzinfo=get_zone(zone_name), fold=0).astimezone(UTC)


@settings(max_examples=200, deadline=None)
@given(start=LOCAL_TIMES, days=st.integers(0, 2000), zone_name=st.sampled_from(ZONES))
def test_adding_days_lands_n_calendar_days_later_at_the_same_wall_time(
    start: datetime, days: int, zone_name: str
) -> None:
    assume(exists(start, zone_name))
    target = start + timedelta(days=days)  # naive: calendar days on the wall clock
    assume(exists(target, zone_name))
    result = add_duration(utc_of(start, zone_name), parse_duration(f"{days}d"), get_zone(zone_name))
    assert is_utc(result)
    assert result.astimezone(get_zone(zone_name)).replace(tzinfo=None) == target
    assert result == utc_of(target, zone_name)


@settings(max_examples=200, deadline=None)
@given(start=LOCAL_TIMES, months=st.integers(0, 240), zone_name=st.sampled_from(ZONES))
def test_adding_months_clamps_the_day(start: datetime, months: int, zone_name: str) -> None:
    assume(exists(start, zone_name))
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    target = start.replace(year=year, month=month, day=day)
    assume(exists(target, zone_name))
    result = add_duration(utc_of(start, zone_name), parse_duration(f"{months}mo"), get_zone(zone_name))
    local = result.astimezone(get_zone(zone_name))
    assert (local.year, local.month, local.day) == (year, month, day)
    assert local.time() == start.time()
    assert result == utc_of(target, zone_name)
