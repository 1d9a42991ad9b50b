"""Working days in national holiday calendars, behind one small interface.

A calendar is named by a country code of the ``holidays`` library (``CN``,
``US``, ``DE``, ...): its public holidays, its weekend (Friday and Saturday in
some countries) and the weekend days some countries make working days to
bridge a long holiday (China's 调休: in 2025, Sunday 28 September and
Saturday 11 October were working days, 1-8 October were not).

Everything here is a pure function of dates and the installed library's
data. ``holidays`` is imported on first use only, so a timeline without a
calendar never loads it (it costs more than the rest of a cold start).

A year is *provisional* in a calendar when the library does not have that
year's official schedule: countries that move working days publish them year
by year (China's State Council each autumn), and the library records each
published year. Outside the years it records, its answer is a guess from the
fixed holidays alone. Countries whose holidays follow fixed rules (the United
States) are never provisional. This is decided from the library's data,
never from today's date.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence


class CalendarError(ValueError):
    """A calendar name the holidays library does not know."""


@cache
def known_codes() -> frozenset[str]:
    """Every country code the installed library knows (ISO alpha-2 and alpha-3)."""
    import holidays

    return frozenset(holidays.list_supported_countries())


def library_version() -> str:
    """The installed holidays library's version: its data decides every working day."""
    import holidays

    return str(getattr(holidays, "__version__", ""))


def check_code(code: str) -> None:
    """Raise CalendarError, with a suggestion, unless ``code`` names a calendar."""
    if code in known_codes():
        return
    raise CalendarError(f"unknown calendar {code!r}{_suggestion(code)}: use a country code such as CN, US or DE")


def _suggestion(code: str) -> str:
    """ " (did you mean 'CN'?)" from a code in the wrong case, a country's name or a near spelling."""
    import difflib

    from holidays import registry

    codes = known_codes()
    upper = code.strip().upper()
    if upper in codes:
        return f" (did you mean {upper!r}?)"
    names: dict[str, str] = {}
    for module, (class_name, alpha2, *_rest) in registry.COUNTRIES.items():
        names[module.replace("_", " ")] = alpha2
        names[class_name.lower()] = alpha2
    lowered = code.strip().lower()
    if lowered in names:
        return f" (did you mean {names[lowered]!r}?)"
    close = difflib.get_close_matches(lowered, list(names), n=1, cutoff=0.75)
    if close:
        return f" (did you mean {names[close[0]]!r}?)"
    near = difflib.get_close_matches(upper, sorted(codes), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


class WorkCalendar:
    """One country's working days."""

    __slots__ = ("_days", "_published", "_years", "code")

    def __init__(self, code: str) -> None:
        import holidays

        check_code(code)
        self.code = code
        self._days: Any = holidays.country_holidays(code)
        self._published = _published_years(self._days)
        self._years: dict[int, tuple[int, ...]] = {}

    def is_working_day(self, day: date) -> bool:
        return bool(self._days.is_working_day(day))

    def shift(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (before it when negative).

        ``day`` itself never counts, so from a working day ``shift(day, n)``
        is the day on which n working days, ``day`` the first, have passed.
        """
        if count == 0:
            return day
        result: date = self._days.get_nth_working_day(day, count)
        return result

    def count(self, first: date, stop: date) -> int:
        """Working days from ``first`` (inclusive) to ``stop`` (exclusive); negative,
        counted from ``stop`` to ``first``, when ``stop`` comes first."""
        if stop < first:
            return -self.count(stop, first)
        if first.year == stop.year:
            running = self._running(first.year)
            return running[stop.timetuple().tm_yday - 1] - running[first.timetuple().tm_yday - 1]
        total = self._running(first.year)[-1] - self._running(first.year)[first.timetuple().tm_yday - 1]
        for year in range(first.year + 1, stop.year):
            total += self._running(year)[-1]
        return total + self._running(stop.year)[stop.timetuple().tm_yday - 1]

    def _running(self, year: int) -> tuple[int, ...]:
        """For each day of ``year`` (and one past its end): the working days of the year before it.
        Worked out once per year, so a countdown across years costs a few lookups."""
        found = self._years.get(year)
        if found is None:
            day, counts, total = date(year, 1, 1), [0], 0
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += timedelta(days=1)
            found = self._years[year] = tuple(counts)
        return found

    def provisional_years(self, first: date, last: date) -> list[int]:
        """The years from ``first``'s to ``last``'s whose official schedule the library lacks."""
        if self._published is None:
            return []
        low, high = sorted((first.year, last.year))
        return [year for year in range(low, high + 1) if year not in self._published]


def _published_years(days: Any) -> range | None:
    """The years whose official schedule the library holds, for a country that moves
    working days each year; None for a country whose holidays follow fixed rules."""
    if not getattr(days, "has_substituted_holidays", False):
        return None
    years = list(getattr(days, "special_public_holidays", {}) or ())
    if not years:
        return range(0)
    return range(min(years), max(years) + 1)


@cache
def calendar(code: str) -> WorkCalendar:
    """The calendar ``code`` names (CalendarError when unknown), built once per run."""
    return WorkCalendar(code)


def provisional_note(code: str, years: Sequence[int]) -> str:
    """``provisional: the holidays library has no official CN schedule for 2027``."""
    listed = ", ".join(str(year) for year in years)
    return f"provisional: the holidays library has no official {code} schedule for {listed}"
