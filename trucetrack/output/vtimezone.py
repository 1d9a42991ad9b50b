"""VTIMEZONE components that every calendar client reads the same way.

A VTIMEZONE lists observances (STANDARD and DAYLIGHT), each with the offset it
changes from and to and the local times at which it begins. Clients disagree on
how an observance gives those times: RFC 5545 counts DTSTART as the first
onset and each RDATE as another one, but Mozilla's ical.js (Thunderbird) and
libical read only the RDATEs once an observance has any, and take only the
first value of each RDATE line. So every onset here, the first one included,
is an RDATE line of its own, and DTSTART is the first of them: read either way,
the observance begins at the same instants.

Each onset is written at the wall-clock time of the offset in force before the
change (TZOFFSETFROM), as RFC 5545 asks: New York's daylight time begins at
02:00 local standard time (07:00 UTC), not at the 03:00 that the clock shows
right after it. The onsets are found on UTC instants from ``zoneinfo``, so they
hold for any zone, regular or not, across the years the feed needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# How far apart the zone is sampled before a change is narrowed to the second.
# Zones change their clocks at most a few times a year and never change back
# within a day, so a step of a day cannot jump over a change and its return.
_STEP = timedelta(days=1)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class _State:
    """What a zone's clock says at an instant: its offset, whether it is daylight time, its name."""

    offset: timedelta
    daylight: bool
    name: str


@dataclass(frozen=True)
class _Observance:
    """One STANDARD or DAYLIGHT component: the change it is and the local times it begins."""

    offset_from: timedelta
    state: _State


def _state(zone: ZoneInfo, instant: datetime) -> _State:
    local = instant.astimezone(zone)
    offset = local.utcoffset()
    assert offset is not None
    dst = local.dst()
    return _State(offset, bool(dst), local.tzname() or _offset_name(offset))


def _offset_name(offset: timedelta) -> str:
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _changes(zone: ZoneInfo, first: datetime, last: datetime) -> Iterator[tuple[datetime, _State, _State]]:
    """Each change of the zone's clock in [first, last): its UTC instant, the state before and after."""
    instant, state = first, _state(zone, first)
    while instant < last:
        following = min(instant + _STEP, last)
        after = _state(zone, following)
        if after != state:
            low, high = instant, following  # state at low, a different one at high
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            yield high, state, _state(zone, high)
            state = _state(zone, high)
            instant = high
            continue
        instant = following


def vtimezone(tzid: str, zone: ZoneInfo, first_day: date, last_day: date) -> Timezone:
    """The VTIMEZONE of ``zone`` for instants from local midnight of ``first_day`` to that of ``last_day``.

    The first observance is the one in force at the start, from the start (its
    offset changes from itself); then one observance per kind of change, with
    every onset of that change as an RDATE. Same input, same bytes.
    """
    first = datetime.combine(first_day, time(), tzinfo=zone).astimezone(UTC)
    last = datetime.combine(last_day, time(), tzinfo=zone).astimezone(UTC)
    initial = _state(zone, first)
    onsets: dict[_Observance, list[datetime]] = {
        _Observance(initial.offset, initial): [(first + initial.offset).replace(tzinfo=None)]
    }
    for instant, before, after in _changes(zone, first, last):
        local_before = (instant + before.offset).replace(tzinfo=None)
        onsets.setdefault(_Observance(before.offset, after), []).append(local_before)
    component = Timezone()
    component.add("tzid", tzid)
    component.add("comment", f"This timezone only works from {first_day} to {last_day}.")
    for observance, starts in onsets.items():
        part = TimezoneDaylight() if observance.state.daylight else TimezoneStandard()
        part.add("dtstart", starts[0])
        for start in starts:
            part.add("rdate", start)
        part.add("tzname", observance.state.name)
        part.add("tzoffsetfrom", observance.offset_from)
        part.add("tzoffsetto", observance.state.offset)
        component.add_component(part)
    return component
