"""Durations: parsing every accepted form, and wall-clock arithmetic.

Calendar units (years, months, weeks, days) are added on the wall clock of a
zone, so 2025-08-12 00:01 EDT + 90d is 2025-11-10 00:01 EST rather than
90 x 24 h (one hour early): months with dateutil's relativedelta (which
clamps to the month's last day), whole days alone as a timedelta on the wall
clock, which is what relativedelta does for them. Hours are elapsed time and
are added on the UTC timeline.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from trucetrack.core.model import Duration

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

ACCEPTED_FORMS = (
    "90d, 90 days, 2w, 2 weeks, 6mo, 6 months, 1y, 1 year, 36h, 36 hours, ISO 8601 such as P90D, P6M, P1Y2M, PT36H, "
    "or working days in a calendar: 45wd, 45 working days, 45 business days"
)

# unit word -> (months, days, seconds) per unit
_UNITS: dict[str, tuple[int, int, int]] = {
    "y": (12, 0, 0),
    "year": (12, 0, 0),
    "years": (12, 0, 0),
    "mo": (1, 0, 0),
    "month": (1, 0, 0),
    "months": (1, 0, 0),
    "w": (0, 7, 0),
    "week": (0, 7, 0),
    "weeks": (0, 7, 0),
    "d": (0, 1, 0),
    "day": (0, 1, 0),
    "days": (0, 1, 0),
    "h": (0, 0, 3600),
    "hour": (0, 0, 3600),
    "hours": (0, 0, 3600),
}

# Working days stand alone: "45wd", "45 working days", "1 business day".
_WORKDAYS = re.compile(r"(\d+)\s*(?:wd|(?:working|business)\s+days?)")
_TERM = re.compile(r"\s*(\d+)\s*([a-z]+)\s*")
_WORDS = re.compile(r"(?:\s*\d+\s*[a-z]+)+\s*")
_ISO = re.compile(
    r"P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?"
)


# Longer durations are refused: they could only be typos, and they would carry
# date arithmetic past datetime's year 9999.
MAX_YEARS = 500
# Working days are counted one day at a time; no deadline runs to forty years of them.
MAX_WORKDAYS = 10_000


class DurationError(ValueError):
    """A duration string that is not one of the accepted forms."""


@lru_cache(maxsize=1024)
def parse_duration(text: str) -> Duration:
    """Parse ``text`` into a Duration, or raise DurationError saying why.

    Cached: a large timeline repeats the same few durations many times.
    """
    if _HUGE_COUNT.search(text):
        # Also keeps int() away from thousands of digits, which Python refuses.
        raise DurationError(f"duration {_shown(text)} is too long: at most {MAX_YEARS} years")
    duration = _parse(text)
    if (
        duration.months > MAX_YEARS * 12
        or duration.days > MAX_YEARS * 366
        or duration.seconds > MAX_YEARS * 366 * 86400
    ):
        raise DurationError(f"duration {_shown(text)} is too long: at most {MAX_YEARS} years")
    return duration


# No count in a duration of at most MAX_YEARS needs more digits than this.
_HUGE_COUNT = re.compile(r"[0-9]{13}")


def _shown(text: str) -> str:
    """``text`` quoted for a message, shortened when it is long."""
    return repr(text) if len(text) <= 40 else repr(text[:30]) + f"… ({len(text)} characters)"


def _parse(text: str) -> Duration:
    stripped = text.strip()
    workdays = _WORKDAYS.fullmatch(stripped)
    if workdays:
        count = int(workdays.group(1))
        if count > MAX_WORKDAYS:
            raise DurationError(f"duration {_shown(text)} is too long: at most {MAX_WORKDAYS} working days")
        return Duration(workdays=count, text=stripped)
    iso = _ISO.fullmatch(stripped)
    if iso:
        years, months, weeks, days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        return Duration(
            months=years * 12 + months,
            days=weeks * 7 + days,
            seconds=hours * 3600 + minutes * 60 + seconds,
            text=stripped,
        )
    if not stripped or not _WORDS.fullmatch(stripped):
        raise DurationError(f"bad duration {text!r}: use {ACCEPTED_FORMS}")
    months = days = seconds = 0
    for number, unit in _TERM.findall(stripped):
        if unit == "m":
            raise DurationError(
                f"ambiguous duration {text!r}: 'm' could mean months or minutes; "
                "write 'mo' or 'months' for months, or use hours"
            )
        if unit not in _UNITS:
            raise DurationError(f"bad duration {text!r}: unknown unit {unit!r}; use {ACCEPTED_FORMS}")
        per_months, per_days, per_seconds = _UNITS[unit]
        count = int(number)
        months += count * per_months
        days += count * per_days
        seconds += count * per_seconds
    return Duration(months=months, days=days, seconds=seconds, text=stripped)


@lru_cache(maxsize=1024)
def _calendar_step(months: int, days: int) -> relativedelta:
    """One relativedelta per distinct step: building one costs more than applying it.
    (dateutil is imported on first use: many runs never need calendar arithmetic.)"""
    from dateutil.relativedelta import relativedelta

    return relativedelta(months=months, days=days)


class NoCalendarError(DurationError):
    """Working days to count with no holiday calendar to count them in."""


def add_duration(
    instant: datetime, duration: Duration, zone: ZoneInfo, *, sign: int = 1, calendar: str | None = None
) -> datetime:
    """``instant`` plus (or, with sign=-1, minus) ``duration``, in ``zone``, as a UTC instant.

    Working days (``45wd``) are counted in ``calendar`` (a country code; without
    one they raise NoCalendarError): the result is at ``instant``'s wall-clock
    time in ``zone`` on the N-th working day after (or before) its day.

    The calendar part moves the wall clock in ``zone`` (months clamp to the
    month's last day); the result is normalised through UTC so a wall time
    that lands in a DST gap moves forward, and a repeated hour takes its
    first occurrence. The elapsed part is then added on the UTC timeline.
    """
    result = instant.astimezone(zone)
    if duration.workdays:
        if calendar is None:
            raise NoCalendarError(f"{duration.text!r} counts working days: it needs a calendar")
        from trucetrack.core.workdays import calendar as work_calendar  # only timelines with a calendar

        day = result.date()
        target = work_calendar(calendar).shift(day, sign * duration.workdays)
        moved = result.replace(fold=0) + timedelta(days=(target - day).days)
        return moved.astimezone(UTC)
    if duration.months:
        moved = result.replace(fold=0) + _calendar_step(sign * duration.months, sign * duration.days)
        result = moved.astimezone(UTC).astimezone(zone)
    elif duration.days:
        # Whole days alone move the wall clock just as relativedelta(days=n) does:
        # aware + timedelta keeps the wall time and the zone. No month rules needed.
        moved = result.replace(fold=0) + timedelta(days=sign * duration.days)
        result = moved.astimezone(UTC).astimezone(zone)
    if duration.seconds:
        result = result.astimezone(UTC) + timedelta(seconds=sign * duration.seconds)
    return result.astimezone(UTC)
