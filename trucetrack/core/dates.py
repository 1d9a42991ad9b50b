"""Zones, instants from TOML values, ``--as-of`` parsing and instant formatting.

Nothing here reads the clock: callers pass ``now`` in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trucetrack.core.durations import DurationError, add_duration, parse_duration

AS_OF_FORMS = (
    "an ISO date or datetime (2025-06-10, 2025-06-10T09:00, 2025-06-10T09:00-04:00), "
    "'today', 'now', a relative offset (+30d, -1w, +6mo, -36h) or an English date ('June 10 2025')"
)


# Instants outside these years are refused on input, so that adding a duration
# (at most durations.MAX_YEARS) or subtracting a warning window stays in range.
FIRST_YEAR = 1800
LAST_YEAR = 2999


class DateRangeError(ValueError):
    """A date outside FIRST_YEAR..LAST_YEAR."""


def check_year(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DateRangeError(f"year {value.year} is out of range: use a year from {FIRST_YEAR} to {LAST_YEAR}")


class ZoneError(ValueError):
    """An unknown IANA zone name."""


class LocalTimeError(ValueError):
    """A local wall time that does not exist in its zone (a DST gap)."""


# Files in the tz database folder that are not zones of a place: "localtime"
# is whatever the machine is set to, which the display-zone rule rules out.
_NOT_PLACE_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=256)
def get_zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, cached so entries share one object."""
    if name in _NOT_PLACE_ZONES or name.startswith(("posix/", "right/")):
        raise ZoneError(f"{name!r} is not a place's time zone: use an IANA name such as 'America/New_York' or 'UTC'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ZoneError(f"unknown time zone {name!r}: use an IANA name such as 'America/New_York' or 'UTC'") from exc


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Read a naive wall time in ``zone``; a repeated hour is its first occurrence.

    Raises LocalTimeError when the wall time falls in a DST gap.
    """
    aware = naive.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive.replace(fold=0):
        raise LocalTimeError(f"{naive.isoformat()} does not exist in {zone.key} (the clocks skip that hour)")
    return aware


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``: 00:00, or, where the clocks
    skip midnight (America/Santiago in September), the end of that gap."""
    return _midnight(day, zone).astimezone(UTC).astimezone(zone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """00:00 of ``day`` on ``zone``'s wall clock. Where that wall time falls in a
    gap, converting it to UTC already lands on the end of the gap (fold=0 reads
    it with the offset from before the change)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def to_instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A TOML date or datetime as an aware UTC instant.

    A date is the start of that day in ``zone``; a local datetime is read in
    ``zone``; an offset datetime is absolute. Instants are kept in UTC so that
    comparisons and subtraction never happen on a wall clock.
    """
    check_year(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return localize(value, zone).astimezone(UTC)
        return value.astimezone(UTC)
    return _midnight(value, zone).astimezone(UTC)


def day_after(value: date, zone: ZoneInfo) -> datetime:
    """The start of the day after ``value``: the exclusive end of ``through = value``."""
    check_year(value)
    return to_instant(value + timedelta(days=1), zone)


_RELATIVE = re.compile(r"([+-])\s*(.+)")


def parse_as_of(text: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    """Parse an ``--as-of`` value into an aware UTC instant.

    Dates alone mean 00:00 in ``zone`` (the display zone); naive datetimes
    are read in ``zone``; ``+30d`` style offsets move ``now`` on the wall
    clock of ``zone``.
    """
    try:
        instant = _parse_as_of(text, now=now, zone=zone)
    except OverflowError as exc:
        raise DateRangeError(f"{text!r} is out of range: use a year from {FIRST_YEAR} to {LAST_YEAR}") from exc
    check_year(instant)
    return instant.astimezone(UTC)


# A time of day written in an English date ("June 10 2025 14:00", "2pm").
_TIME_OF_DAY = re.compile(r"\d:\d|\b\d{1,2}\s*[ap]\.?m\b|\bnoon\b|\bmidnight\b", re.IGNORECASE)


def parse_edit_date(text: str, *, now: datetime, zone: ZoneInfo) -> date | datetime:
    """A date typed into an edit (``--date``, ``--start``, ...), as the TOML value to write.

    The forms are those of ``--as-of``, read by the same parser. A date stays a
    date and a datetime as written (an offset kept). ``today`` and offsets in
    days, weeks, months or years are the day they land on in ``zone`` (the
    file's), written as a date; ``now`` and offsets in hours are the local time
    in ``zone`` to the minute. ``now`` is the as-of instant.
    """
    stripped = text.strip()
    parsed = _parse_iso(stripped)
    if parsed is not None:
        check_year(parsed)
        return parsed
    lowered = stripped.lower()
    instant = parse_as_of(stripped, now=now, zone=zone).astimezone(zone)
    relative = _RELATIVE.fullmatch(stripped)
    if lowered == "now" or (relative is not None and parse_duration(relative.group(2)).seconds):
        return instant.replace(second=0, microsecond=0, tzinfo=None)
    if lowered == "today" or relative is not None or not _TIME_OF_DAY.search(stripped):
        return instant.date()
    return instant.replace(second=0, microsecond=0, tzinfo=None)


def _parse_as_of(text: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered == "now":
        return now.astimezone(zone)
    if lowered == "today":
        return start_of_day(now.astimezone(zone).date(), zone)
    relative = _RELATIVE.fullmatch(stripped)
    if relative:
        sign, amount = relative.groups()
        try:
            duration = parse_duration(amount)
        except DurationError as exc:
            raise ValueError(f"bad --as-of {text!r}: {exc}") from exc
        if duration.workdays:
            raise ValueError(f"bad --as-of {text!r}: working days belong to an entry's calendar; use days such as +7d")
        return add_duration(now, duration, zone, sign=-1 if sign == "-" else 1)
    parsed = _parse_iso(stripped) or _parse_english(stripped, now=now, zone=zone)
    if parsed is None:
        raise ValueError(f"cannot read {text!r} as a date: use {AS_OF_FORMS}")
    if isinstance(parsed, datetime):
        if parsed.tzinfo is None:
            try:
                return localize(parsed, zone)
            except LocalTimeError as exc:
                raise ValueError(str(exc)) from exc
        return parsed.astimezone(zone)
    return start_of_day(parsed, zone)


def _parse_iso(text: str) -> date | datetime | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    if re.match(r"\d{4}-\d{2}-\d{2}[T ]", text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def _parse_english(text: str, *, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Plain English dates through dateutil's parser (imported only when needed).

    Zone abbreviations are refused rather than guessed: dateutil would drop
    an unknown one silently, and "CST" is both China and US Central time.
    """
    import warnings

    from dateutil import parser

    if _NUMERIC_DATE.search(text):
        raise ValueError(
            f"{text!r} is ambiguous (month or day first?): write the date as YYYY-MM-DD, such as 2025-06-10, "
            "or with the month's name (10 June 2025)"
        )
    # Parsed twice with defaults that differ in every part of the date: a part
    # the text does not give would come out different, and is never filled in
    # from today's date.
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", parser.UnknownTimezoneWarning)
        for default in _DEFAULTS:
            try:
                results.append(parser.parse(text, default=default))
            except parser.UnknownTimezoneWarning:
                raise ValueError(
                    f"cannot tell which zone {text!r} means: give an offset (2025-08-11T23:00-04:00) or use --tz"
                ) from None
            except (ValueError, OverflowError):
                return None
    first, second = results
    if first.date() != second.date():
        missing = [name for name, a, b in (("year", first.year, second.year), ("day", first.day, second.day),
                                           ("month", first.month, second.month)) if a != b]  # fmt: skip
        raise ValueError(
            f"{text!r} gives no {' and no '.join(missing)}: write a whole day, such as 2025-06-10 or "
            "'10 June 2025' (nothing is filled in from today's date)"
        )
    # A part of the time of day the text does not give (both defaults differ) is 0.
    return first.replace(
        hour=first.hour if first.hour == second.hour else 0,
        minute=first.minute if first.minute == second.minute else 0,
        second=first.second if first.second == second.second else 0,
        microsecond=first.microsecond if first.microsecond == second.microsecond else 0,
    )


# Two defaults that differ in year, month, day and time of day.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2, 2, 2, 2))
# All-numeric dates with slashes or dots (10/06/2025, 10.06.2025): month or day first?
_NUMERIC_DATE = re.compile(r"\b\d{1,4}\s*[/.]\s*\d{1,2}(\s*[/.]\s*\d{1,4})?\b")


def zone_label(instant: datetime) -> str:
    """The zone abbreviation in force at ``instant`` (EDT, EST, CST, UTC...)."""
    label = instant.strftime("%Z")
    return label or instant.strftime("%z")


def format_instant(instant: datetime, zone: tzinfo) -> str:
    """``2025-11-10 00:01 EST``: the instant on the wall clock of ``zone``."""
    local = instant.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M")
    if local.second:
        text += local.strftime(":%S")
    return f"{text} {zone_label(local)}"


def format_day_or_instant(instant: datetime, zone: tzinfo, *, date_only: bool) -> str:
    """A date alone when the file wrote a bare date and it is midnight in ``zone``."""
    local = instant.astimezone(zone)
    if date_only and local.time() == time():
        return local.strftime("%Y-%m-%d")
    return format_instant(instant, zone)


def isoformat(instant: datetime | None, zone: tzinfo) -> str | None:
    """ISO 8601 with offset in ``zone``, for JSON and CSV; None stays None."""
    if instant is None:
        return None
    return instant.astimezone(zone).isoformat()
