"""Calendars in timeline files: which one applies, the ends they give, and every error with its line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.load.test_validate import check, one_problem, problems_in
from trucetrack.core.dates import get_zone
from trucetrack.core.model import Timeline
from trucetrack.engine.status import Engine

Writer = Callable[..., Path]
SHANGHAI = get_zone("Asia/Shanghai")

CHINA = """\
schema = 1
title = "Licences"
timezone = "Asia/Shanghai"
calendar = "CN"

"""

REVIEW = """\
[[event]]
id = "review"
kind = "license"
title = "Licence review"
start = 2025-06-02
duration = "45 working days"
"""


def local_day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def end_as_of(timeline: Timeline, entry_id: str, as_of: str) -> datetime | None:
    entry = timeline.entry(entry_id)
    assert entry is not None
    state = Engine(timeline).state(entry, local_day(as_of).astimezone(UTC), SHANGHAI)
    return state.end


def test_the_files_calendar_counts_the_entrys_working_days(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(CHINA + REVIEW, header=False)
    review = timeline.entry("review")
    assert review is not None and review.calendar == "CN"
    assert review.end == local_day("2025-08-04")
    assert timeline.files[0].calendar == "CN"


def test_an_entrys_calendar_overrides_the_files(make_timeline: Callable[..., Timeline]) -> None:
    """The same 10 working days from Thursday 20 November 2025: in the US calendar
    Thanksgiving is skipped (ends 5 December); in China's, 4 December."""
    body = """\
    [[event]]
    id = "in-china"
    kind = "deadline"
    title = "CN"
    start = 2025-11-20
    duration = "10wd"

    [[event]]
    id = "in-us"
    kind = "deadline"
    title = "US"
    calendar = "US"
    start = 2025-11-20
    duration = "10wd"
    """
    timeline = make_timeline(CHINA + body, header=False)
    in_china, in_us = timeline.entry("in-china"), timeline.entry("in-us")
    assert in_china is not None and in_us is not None
    assert (in_china.calendar, in_us.calendar) == ("CN", "US")
    assert in_china.end == local_day("2025-12-04")
    assert in_us.end == local_day("2025-12-05")


def test_an_extension_by_working_days_counts_from_the_current_end(make_timeline: Callable[..., Timeline]) -> None:
    """Ten working days from Friday 26 September 2025 end on 16 October; five more on 23 October."""
    body = """\
    [[event]]
    id = "golden"
    kind = "deadline"
    title = "Over golden week"
    start = 2025-09-26T09:30:00
    duration = "10wd"

    [[event]]
    id = "more"
    kind = "extension"
    target = "golden"
    date = 2025-10-01
    by = "5 working days"
    """
    timeline = make_timeline(CHINA + body, header=False)
    assert end_as_of(timeline, "golden", "2025-09-30") == local_day("2025-10-16T09:30")
    assert end_as_of(timeline, "golden", "2025-10-02") == local_day("2025-10-23T09:30")


def test_an_extensions_own_calendar_comes_first(make_timeline: Callable[..., Timeline]) -> None:
    """Thursday 20 November 2025 + 5 working days: in the extension's US calendar
    Thanksgiving (27 November) is skipped, so the end moves to 28 November, where the
    file's Chinese calendar would have given 27 November."""
    body = """\
    [[event]]
    id = "span"
    kind = "deadline"
    title = "Ends on a Thursday"
    start = 2025-11-01
    end = 2025-11-20

    [[event]]
    id = "us-ext"
    kind = "extension"
    target = "span"
    date = 2025-11-10
    by = "5wd"
    calendar = "US"
    """
    timeline = make_timeline(CHINA + body, header=False)
    assert end_as_of(timeline, "span", "2025-11-11") == local_day("2025-11-28")
    without = make_timeline(CHINA + body.replace('calendar = "US"\n', ""), header=False)
    assert end_as_of(without, "span", "2025-11-11") == local_day("2025-11-27")
    extension = timeline.entry("us-ext")
    assert extension is not None and extension.calendar == "US"


def test_an_extension_in_another_file_uses_its_targets_calendar(write_timeline: Writer) -> None:
    """The extension's file has no calendar (and another zone): the target's file's counts."""
    from trucetrack.load.loader import load

    china = write_timeline(CHINA + REVIEW, header=False, name="a.toml")
    other = write_timeline(
        """\
        schema = 1
        timezone = "America/New_York"

        [[event]]
        id = "review-more"
        kind = "extension"
        target = "review"
        date = 2025-07-01
        by = "3wd"
        """,
        header=False,
        name="b.toml",
    )
    timeline = load([str(china), str(other)])
    extension = timeline.entry("review-more")
    assert extension is not None and extension.calendar == "CN"
    assert end_as_of(timeline, "review", "2025-07-02") == local_day("2025-08-07")


def test_working_days_left_and_their_absence(make_timeline: Callable[..., Timeline]) -> None:
    body = """\
    [[event]]
    id = "plain"
    kind = "deadline"
    title = "No calendar here"
    start = 2025-06-02
    duration = "30d"
    """
    no_calendar = CHINA.replace('calendar = "CN"\n', "")
    timeline = make_timeline(CHINA + REVIEW, header=False)
    review = timeline.entry("review")
    assert review is not None
    as_of = local_day("2025-07-28").astimezone(UTC)
    state = Engine(timeline).state(review, as_of, SHANGHAI)
    # Monday 28 July to Monday 4 August (exclusive): five working days.
    assert state.working_days_left == 5
    assert state.provisional is False
    plain_timeline = make_timeline(no_calendar + body, header=False)
    plain = plain_timeline.entry("plain")
    assert plain is not None
    assert Engine(plain_timeline).state(plain, as_of, SHANGHAI).working_days_left is None


def test_a_year_without_an_official_schedule_is_provisional(make_timeline: Callable[..., Timeline]) -> None:
    import holidays

    beyond = max(holidays.country_holidays("CN").special_public_holidays) + 1
    body = f"""\
    [[event]]
    id = "late"
    kind = "license"
    title = "Across the new year"
    start = {beyond - 1}-12-01
    duration = "45wd"
    """
    timeline = make_timeline(CHINA + body, header=False)
    late = timeline.entry("late")
    assert late is not None
    state = Engine(timeline).state(late, local_day(f"{beyond - 1}-12-02").astimezone(UTC), SHANGHAI)
    assert state.provisional is True


# ---------------------------------------------------------------- errors, each with its line


def test_working_days_without_a_calendar(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, REVIEW)
    check(problem, path, 16, "review", "duration = '45 working days' counts working days", 'calendar = "CN"')


def test_a_working_day_warn_without_a_calendar(write_timeline: Writer) -> None:
    path, problem = one_problem(
        write_timeline, REVIEW.replace('duration = "45 working days"', 'end = 2025-07-01\nwarn = "5wd"')
    )
    check(problem, path, 17, "review", "warn = '5wd' counts working days")


def test_a_top_level_working_day_warn_without_a_calendar(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, 'schema = 1\nwarn = "3 business days"\n', header=False)
    check(problem, path, 2, "warn", "counts working days", "at the top of the file")


def test_an_extension_by_working_days_without_any_calendar(write_timeline: Writer) -> None:
    body = (
        REVIEW.replace('duration = "45 working days"', "end = 2025-07-01")
        + """
[[event]]
id = "more"
kind = "extension"
target = "review"
date = 2025-06-10
by = "10wd"
"""
    )
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 23, "more", "by = '10wd' counts working days", "to its target 'review'")


def test_an_unknown_calendar_on_an_entry(write_timeline: Writer) -> None:
    body = REVIEW.replace('title = "Licence review"', 'title = "Licence review"\ncalendar = "China"')
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 15, "review", "unknown calendar 'China'", "did you mean 'CN'?")


def test_an_unknown_calendar_at_the_top(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, 'schema = 1\ntitle = "t"\ncalendar = "us"\n', header=False)
    check(problem, path, 3, "calendar", "unknown calendar 'us'", "did you mean 'US'?")


def test_a_calendar_that_is_not_a_string(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, "schema = 1\ncalendar = 86\n", header=False)
    check(problem, path, 2, "calendar", "must be a country code string")


def test_every_calendar_error_at_once(write_timeline: Writer) -> None:
    body = (
        'schema = 1\nwarn = "2wd"\n\n'
        + REVIEW
        + "\n"
        + REVIEW.replace('"review"', '"other"').replace(
            'title = "Licence review"', 'title = "x"\ncalendar = "Atlantis"'
        )
    )
    _, found = problems_in(write_timeline, body, header=False)
    assert [(problem.line, problem.subject) for problem in found] == [(2, "warn"), (9, "review"), (15, "other")]


@pytest.mark.parametrize(
    "event",
    [
        REVIEW.replace('duration = "45 working days"', 'duration = "45wd"\nwarn = "5wd"'),
        REVIEW.replace('duration = "45 working days"', "end = 2025-07-01")
        + '\n[[event]]\nid = "more"\nkind = "extension"\ntarget = "review"\ndate = 2025-06-10\nby = "10wd"\n',
    ],
    ids=["duration-and-warn", "extension-by"],
)
def test_an_unknown_calendar_at_the_top_is_the_one_problem_of_its_working_days(
    write_timeline: Writer, event: str
) -> None:
    # Working days under it are not reported again as having no calendar: the fix
    # is the one line that names it.
    body = 'schema = 1\ntitle = "t"\ncalendar = "EU"\n\n' + event
    path, problem = one_problem(write_timeline, body, header=False)
    check(problem, path, 3, "calendar", "unknown calendar 'EU'")
