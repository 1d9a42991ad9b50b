"""Which ends of a span were written as a bare date: one rule for every view."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import instant
from trucetrack.core.model import Timeline
from trucetrack.engine.ends import date_written_zones, end_written_as_day, written_as_day
from trucetrack.engine.status import EndChange, Engine

MakeTimeline = Callable[..., Timeline]
ZONE = "America/New_York"
LATE = instant("2027-01-01T00:00")

DATED = """\
[[event]]
id = "plan"
kind = "agreement"
title = "Plan"
start = 2025-05-14
end = 2025-08-12
"""

TIMED = """\
[[event]]
id = "plan"
kind = "agreement"
title = "Plan"
start = 2025-05-14T00:01:00
duration = "90d"
"""


def modifier(entry_id: str, kind: str, date: str, rest: str) -> str:
    return f'\n[[event]]\nid = "{entry_id}"\nkind = "{kind}"\ntarget = "plan"\ndate = {date}\n{rest}\n'


def history(timeline: Timeline) -> tuple[EndChange, ...]:
    entry = timeline.entry("plan")
    assert entry is not None
    return Engine(timeline).end_history(entry, LATE)


def zones(make_timeline: MakeTimeline, body: str) -> list[str | None]:
    timeline = make_timeline(body)
    entry = timeline.entry("plan")
    assert entry is not None
    return date_written_zones(entry, history(timeline))


def test_the_spans_own_end_written_as_a_date(make_timeline: MakeTimeline) -> None:
    assert zones(make_timeline, DATED) == [ZONE]


def test_a_through_counts_as_a_date(make_timeline: MakeTimeline) -> None:
    assert zones(make_timeline, DATED.replace("end = 2025-08-12", "through = 2025-08-11")) == [ZONE]


def test_a_timed_or_computed_end_is_timed(make_timeline: MakeTimeline) -> None:
    assert zones(make_timeline, TIMED) == [None]


def test_a_by_extension_keeps_the_kind_of_the_end_it_moved(make_timeline: MakeTimeline) -> None:
    by = modifier("ext", "extension", "2025-08-01", 'by = "30d"')
    assert zones(make_timeline, DATED + by) == [ZONE, ZONE]
    assert zones(make_timeline, TIMED + by) == [None, None]


def test_an_end_or_through_extension_replaces_the_kind(make_timeline: MakeTimeline) -> None:
    timed_end = modifier("ext", "extension", "2025-08-01", "end = 2025-09-01T12:00:00")
    dated_end = modifier("ext", "extension", "2025-08-01", "end = 2025-09-01")
    through = modifier("ext", "extension", "2025-08-01", "through = 2025-09-01")
    assert zones(make_timeline, DATED + timed_end) == [ZONE, None]
    assert zones(make_timeline, TIMED + dated_end) == [None, ZONE]
    assert zones(make_timeline, TIMED + through) == [None, ZONE]


def test_a_termination_that_took_effect_sets_the_kind_of_its_end_or_date(make_timeline: MakeTimeline) -> None:
    on_its_date = modifier("cut", "termination", "2025-07-01", "")
    with_timed_end = modifier("cut", "termination", "2025-07-01", "end = 2025-07-02T12:00:00")
    timed_date = modifier("cut", "termination", "2025-07-01T09:30:00", "")
    assert zones(make_timeline, TIMED + on_its_date) == [None, ZONE]
    assert zones(make_timeline, DATED + with_timed_end) == [ZONE, None]
    assert zones(make_timeline, DATED + timed_date) == [ZONE, None]


def test_a_termination_that_did_not_move_the_end_changes_nothing(make_timeline: MakeTimeline) -> None:
    too_late = modifier("cut", "termination", "2025-07-01", "end = 2025-12-01T12:00:00")
    assert zones(make_timeline, DATED + too_late) == [ZONE, ZONE]


def test_several_changes_in_a_row(make_timeline: MakeTimeline) -> None:
    body = (
        TIMED
        + modifier("ext-1", "extension", "2025-08-01", "end = 2025-09-01")
        + modifier("ext-2", "extension", "2025-08-20", 'by = "10d"')
        + modifier("ext-3", "extension", "2025-09-05", "end = 2025-10-01T08:00:00")
    )
    assert zones(make_timeline, body) == [None, ZONE, ZONE, None]


def test_an_instant_is_judged_by_the_last_change_that_set_it(make_timeline: MakeTimeline) -> None:
    body = DATED + modifier("ext", "extension", "2025-08-01", "end = 2025-09-01T12:00:00")
    timeline = make_timeline(body)
    entry = timeline.entry("plan")
    assert entry is not None
    ends = history(timeline)
    assert end_written_as_day(entry, ends, ends[0].end) == ZONE
    assert end_written_as_day(entry, ends, ends[1].end) is None
    assert end_written_as_day(entry, ends, instant("2030-01-01")) is None
    assert end_written_as_day(entry, ends, None) is None
    assert written_as_day(entry, ends, 0) == ZONE


@pytest.mark.parametrize("body", [DATED, TIMED])
def test_without_a_history_the_own_end_decides(make_timeline: MakeTimeline, body: str) -> None:
    timeline = make_timeline(body)
    entry = timeline.entry("plan")
    assert entry is not None
    expected = ZONE if body is DATED else None
    assert written_as_day(entry, (), 0) == expected
    assert end_written_as_day(entry, (), entry.end) == expected
