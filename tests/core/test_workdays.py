"""Working days: parsing, and arithmetic checked against the holidays library itself.

The expected ends come from the library's own ``get_nth_working_day`` (and
its working-day test), never from a table of our own, so the tests keep
passing when the library learns a newly published year.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import holidays
import pytest

from trucetrack.core.dates import get_zone
from trucetrack.core.durations import DurationError, NoCalendarError, add_duration, parse_duration
from trucetrack.core.workdays import CalendarError, calendar, check_code

SHANGHAI = get_zone("Asia/Shanghai")
NEW_YORK = get_zone("America/New_York")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("45wd", 45),
        ("45 wd", 45),
        ("45 working days", 45),
        ("45 business days", 45),
        ("1 working day", 1),
        ("1 business day", 1),
        (" 10wd ", 10),
    ],
)
def test_working_day_forms(text: str, count: int) -> None:
    duration = parse_duration(text)
    assert (duration.workdays, duration.months, duration.days, duration.seconds) == (count, 0, 0, 0)


@pytest.mark.parametrize("text", ["45 working", "1w 3wd", "wd", "45 workdays", "P45WD"])
def test_malformed_working_days_are_refused(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


def test_far_too_many_working_days_are_refused() -> None:
    with pytest.raises(DurationError, match="at most 10000 working days"):
        parse_duration("10001wd")


def local(day: date, zone: object = SHANGHAI, at: time = time()) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)  # type: ignore[arg-type]


def test_china_licence_review_of_45_working_days() -> None:
    """An application received on 2 June 2025 is due by 4 August."""
    end = add_duration(local(date(2025, 6, 2)), parse_duration("45 working days"), SHANGHAI, calendar="CN")
    assert end.astimezone(SHANGHAI) == local(date(2025, 8, 4))


def test_china_ten_working_days_over_golden_week() -> None:
    """From Friday 26 September 2025: Sunday 28 September and Saturday 11 October are
    working days, 1-8 October are not, so ten working days end on 16 October (not 10 October)."""
    start = local(date(2025, 9, 26), at=time(9, 30))
    end = add_duration(start, parse_duration("10wd"), SHANGHAI, calendar="CN")
    assert end.astimezone(SHANGHAI) == local(date(2025, 10, 16), at=time(9, 30))
    cn = calendar("CN")
    assert cn.is_working_day(date(2025, 9, 28)) and cn.is_working_day(date(2025, 10, 11))
    assert not any(cn.is_working_day(date(2025, 10, day)) for day in range(1, 9))


def test_us_business_days_across_thanksgiving() -> None:
    """Thursday 20 November 2025 + 10 business days: Thanksgiving (27 November) is skipped."""
    start = local(date(2025, 11, 20), NEW_YORK, time(17))
    end = add_duration(start, parse_duration("10 business days"), NEW_YORK, calendar="US")
    assert end.astimezone(NEW_YORK) == local(date(2025, 12, 5), NEW_YORK, time(17))
    without_holiday = add_duration(start, parse_duration("10 business days"), NEW_YORK, calendar="GB")
    assert without_holiday.astimezone(NEW_YORK).date() == date(2025, 12, 4)


@pytest.mark.parametrize("code", ["CN", "US"])
def test_ends_equal_the_librarys_nth_working_day_on_random_spans(code: str) -> None:
    """Many random spans across 2025-2027: the end's day is get_nth_working_day, at the
    start's wall-clock time; counting back gives the library's answer too."""
    library = holidays.country_holidays(code)
    zone = SHANGHAI if code == "CN" else NEW_YORK
    rng = random.Random(f"workdays-{code}")
    first, last = date(2025, 1, 1), date(2027, 12, 31)
    for _ in range(400):
        day = first + timedelta(days=rng.randrange((last - first).days))
        at = time(rng.randrange(24), rng.choice((0, 1, 30, 59)))
        count = rng.randrange(1, 130)
        start = datetime.combine(day, at, tzinfo=zone).astimezone(zone)
        if start.replace(tzinfo=None) != datetime.combine(day, at):
            continue  # a wall time in a DST gap: not a start anyone can write
        end = add_duration(start, parse_duration(f"{count}wd"), zone, calendar=code).astimezone(zone)
        assert end.date() == library.get_nth_working_day(day, count), (code, day, count)
        assert end.time() == at
        back = add_duration(start, parse_duration(f"{count}wd"), zone, sign=-1, calendar=code).astimezone(zone)
        assert back.date() == library.get_nth_working_day(day, -count), (code, day, count)


@pytest.mark.parametrize("code", ["CN", "US"])
def test_a_span_from_a_working_day_covers_exactly_n_working_days(code: str) -> None:
    cal = calendar(code)
    rng = random.Random(f"cover-{code}")
    for _ in range(100):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        if not cal.is_working_day(day):
            continue
        count = rng.randrange(1, 80)
        assert cal.count(day, cal.shift(day, count)) == count


def test_counting_matches_the_library() -> None:
    library = holidays.country_holidays("CN")
    cal = calendar("CN")
    rng = random.Random("count")
    for _ in range(100):
        first = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        stop = first + timedelta(days=rng.randrange(1, 900))  # across one, two or three new years
        expected = library.get_working_days_count(first, stop - timedelta(days=1))
        assert cal.count(first, stop) == expected
        assert cal.count(stop, first) == -expected
    assert cal.count(first, first) == 0


def test_working_days_without_a_calendar_are_an_error() -> None:
    with pytest.raises(NoCalendarError):
        add_duration(local(date(2025, 6, 2)), parse_duration("5wd"), SHANGHAI)


def test_provisional_years_come_from_the_librarys_data() -> None:
    """China publishes each year's schedule; the library records the years it has.
    The United States' holidays follow fixed rules: never provisional."""
    cn = holidays.country_holidays("CN")
    published = set(cn.special_public_holidays)
    beyond = max(published) + 1
    assert calendar("CN").provisional_years(date(beyond - 1, 12, 1), date(beyond, 2, 1)) == [beyond]
    assert calendar("CN").provisional_years(date(2025, 1, 1), date(2025, 12, 31)) == []
    assert calendar("US").provisional_years(date(2025, 1, 1), date(2040, 1, 1)) == []


@pytest.mark.parametrize(
    ("code", "suggestion"),
    [("cn", "CN"), ("China", "CN"), ("united states", "US"), ("Germany", "DE")],
)
def test_unknown_calendars_suggest_a_code(code: str, suggestion: str) -> None:
    with pytest.raises(CalendarError, match=f"did you mean '{suggestion}'"):
        check_code(code)


def test_known_codes() -> None:
    for code in ("CN", "US", "DE", "JP", "SA"):
        check_code(code)
    with pytest.raises(CalendarError, match="unknown calendar 'XX'"):
        check_code("XX")


def test_weekends_per_country() -> None:
    """Saudi Arabia's weekend is Friday and Saturday: Sunday is a working day there."""
    sunday = date(2025, 6, 15)
    assert calendar("SA").is_working_day(sunday)
    assert not calendar("US").is_working_day(sunday)
