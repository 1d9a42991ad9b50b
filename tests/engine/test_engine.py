"""The engine: effective ends, statuses, countdowns, sorting and filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.conftest import HEADER, NEW_YORK, SHANGHAI, instant
from trucetrack.core.durations import parse_duration
from trucetrack.core.model import Timeline
from trucetrack.engine.status import Engine, EntryState, Filters, select

MakeTimeline = Callable[..., Timeline]

GENEVA = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Geneva-like truce"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US", "CN"]
"""

EXTENSION_BY = """\
[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"
"""

EXTENSION_END = """\
[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
end = 2025-11-10T00:01:00
"""

DAY = 86400


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def state_of(timeline: Timeline, entry_id: str, as_of: datetime, zone=NEW_YORK) -> EntryState:
    entry = timeline.entry(entry_id)
    assert entry is not None, entry_id
    return Engine(timeline).state(entry, as_of, zone)


def ids(states: list[EntryState]) -> list[str]:
    return [s.id for s in states]


# ---------------------------------------------------------------- effective end


@pytest.fixture(params=["by", "end"])
def geneva(request: pytest.FixtureRequest, make_timeline: MakeTimeline) -> Timeline:
    """The Geneva-like truce with its extension written as ``by = "90d"`` and as ``end = ...``."""
    return make_timeline(GENEVA + "\n" + (EXTENSION_BY if request.param == "by" else EXTENSION_END))


def test_before_the_extension_is_decided_the_truce_ends_at_its_own_end(geneva: Timeline) -> None:
    state = state_of(geneva, "truce", instant("2025-07-01T00:00"))
    assert state.end == instant("2025-08-12T00:01")
    assert state.end == utc(2025, 8, 12, 4, 1)
    assert state.original_end == utc(2025, 8, 12, 4, 1)
    assert state.status == "active"
    assert state.days_left == 42


def test_once_the_extension_is_decided_the_end_moves_on_the_wall_clock(geneva: Timeline) -> None:
    state = state_of(geneva, "truce", instant("2025-08-11T00:00"))
    # 2025-11-10 00:01 EST, not 90 x 24 h (which would be 2025-11-09 23:01 EST).
    assert state.end == utc(2025, 11, 10, 5, 1)
    assert state.end.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M %Z") == "2025-11-10 00:01 EST"
    assert state.original_end == utc(2025, 8, 12, 4, 1)
    assert state.status == "active"


def test_extension_is_ignored_until_its_date(geneva: Timeline) -> None:
    state = state_of(geneva, "truce", instant("2025-08-10T23:59"))
    assert state.end == utc(2025, 8, 12, 4, 1)
    # The default warn is 14 days: 2025-08-10 is inside the window.
    assert state.status == "expiring"


def test_history_lists_original_end_then_the_extension(geneva: Timeline) -> None:
    state = state_of(geneva, "truce", instant("2025-08-11T00:00"))
    assert [change.end for change in state.history] == [utc(2025, 8, 12, 4, 1), utc(2025, 11, 10, 5, 1)]
    assert state.history[-1].modifier is not None
    assert state.history[-1].modifier.id == "ext"


def test_seconds_left_are_exact_across_the_dst_change(geneva: Timeline) -> None:
    state = state_of(geneva, "truce", instant("2025-08-12T00:01"))
    assert state.seconds_left == 90 * DAY + 3600
    assert state.days_left == 90


def test_days_left_counts_calendar_days_not_elapsed_days(geneva: Timeline) -> None:
    # 2025-08-11 23:59 EDT -> 2025-11-10 00:01 EST: 91 calendar days, about 90 days elapsed.
    state = state_of(geneva, "truce", instant("2025-08-11T23:59"))
    assert state.days_left == 91
    assert state.seconds_left == 90 * DAY + 3600 + 120


def test_days_left_depends_on_the_display_zone(geneva: Timeline) -> None:
    as_of = instant("2025-07-01T20:00")  # 2025-07-02 08:00 in Beijing
    new_york = state_of(geneva, "truce", as_of, NEW_YORK)
    beijing = state_of(geneva, "truce", as_of, SHANGHAI)
    assert new_york.days_left == 42
    assert beijing.days_left == 41
    assert new_york.seconds_left == beijing.seconds_left == 41 * DAY + 4 * 3600 + 60


def test_days_left_is_negative_once_past(geneva: Timeline) -> None:
    state = state_of(geneva, "truce", instant("2025-11-13T09:00"))
    assert state.status == "expired"
    assert state.days_left == -3
    assert state.seconds_left == -(3 * DAY + 8 * 3600 + 59 * 60)


def test_extensions_apply_in_date_order_not_file_order(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        GENEVA
        + """
[[event]]
id = "ext-later"
kind = "extension"
target = "truce"
date = 2025-07-01
by = "30d"

[[event]]
id = "ext-earlier"
kind = "extension"
target = "truce"
date = 2025-06-01
end = 2025-09-01T00:01:00
"""
    )
    # Date order: 2025-09-01 00:01, then + 30d = 2025-10-01 00:01.
    assert state_of(timeline, "truce", instant("2025-07-02T00:00")).end == instant("2025-10-01T00:01")
    # Only the earlier one is decided by 2025-06-15.
    assert state_of(timeline, "truce", instant("2025-06-15T00:00")).end == instant("2025-09-01T00:01")


SAME_DAY_EXTENSIONS = {
    "ext-b": """
[[event]]
id = "ext-b"
kind = "extension"
target = "truce"
date = 2025-07-01
end = 2025-10-01T00:01:00
""",
    "ext-a": """
[[event]]
id = "ext-a"
kind = "extension"
target = "truce"
date = 2025-07-01
by = "10d"
""",
}


@pytest.mark.parametrize("order", [("ext-b", "ext-a"), ("ext-a", "ext-b")])
def test_extensions_decided_at_one_instant_apply_in_id_order(
    make_timeline: MakeTimeline, order: tuple[str, str]
) -> None:
    """Whatever the file order: ext-a (+10d) first, then ext-b sets the end to Oct 1,
    so fmt may reorder them without changing what the file means."""
    timeline = make_timeline(GENEVA + "".join(SAME_DAY_EXTENSIONS[name] for name in order))
    state = state_of(timeline, "truce", instant("2025-07-01T00:00"))
    assert state.end == instant("2025-10-01T00:01")
    assert [change.modifier.id for change in state.history[1:] if change.modifier] == ["ext-a", "ext-b"]


# ---------------------------------------------------------------- terminations

TERMINATION = """\
[[event]]
id = "stop"
kind = "termination"
target = "truce"
date = 2025-06-01
end = 2025-06-20T00:01:00
"""


def test_termination_before_its_date_changes_nothing(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(GENEVA + "\n" + TERMINATION)
    state = state_of(timeline, "truce", instant("2025-05-31T23:59"))
    assert state.end == instant("2025-08-12T00:01")
    assert state.status == "active"


def test_termination_sets_an_earlier_end_and_the_span_runs_toward_it(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(GENEVA + "\n" + TERMINATION)
    decided = state_of(timeline, "truce", instant("2025-06-01T00:00"))
    assert decided.end == instant("2025-06-20T00:01")
    assert decided.original_end == instant("2025-08-12T00:01")
    assert decided.status == "active"
    assert decided.days_left == 19
    near = state_of(timeline, "truce", instant("2025-06-10T00:00"))
    assert near.status == "expiring"
    assert near.end == instant("2025-06-20T00:01")


@pytest.mark.parametrize("as_of", ["2025-06-20T00:01", "2025-07-01T00:00", "2025-09-01T00:00"])
def test_terminated_once_the_termination_end_is_reached(make_timeline: MakeTimeline, as_of: str) -> None:
    timeline = make_timeline(GENEVA + "\n" + TERMINATION)
    state = state_of(timeline, "truce", instant(as_of))
    assert state.status == "terminated"
    assert state.end == instant("2025-06-20T00:01")


def test_termination_without_end_takes_effect_on_its_date(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        GENEVA
        + """
[[event]]
id = "stop"
kind = "termination"
target = "truce"
date = 2025-06-01
"""
    )
    state = state_of(timeline, "truce", instant("2025-06-01T00:00"))
    assert state.status == "terminated"
    assert state.end == instant("2025-06-01T00:00")
    assert state_of(timeline, "truce", instant("2025-05-31T12:00")).status == "active"


def test_termination_keeps_the_earlier_of_its_end_and_the_current_end(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        GENEVA
        + """
[[event]]
id = "stop"
kind = "termination"
target = "truce"
date = 2025-06-01
end = 2025-12-01T00:00:00
"""
    )
    state = state_of(timeline, "truce", instant("2025-07-01T00:00"))
    assert state.end == instant("2025-08-12T00:01")


# ---------------------------------------------------------------- statuses

STATUS_BODY = """\
[[event]]
id = "span"
kind = "agreement"
title = "A span"
start = 2025-03-01
end = 2025-04-01
parties = ["US"]

[[event]]
id = "long-warn"
kind = "agreement"
title = "A span with its own warning window"
start = 2025-03-01
end = 2025-04-01
warn = "30d"
parties = ["US"]

[[event]]
id = "point"
kind = "announcement"
title = "A point"
date = 2025-06-10
parties = ["CN"]

[[event]]
id = "open"
kind = "export-control"
title = "An open-ended span"
start = 2025-01-01
parties = ["CN"]
"""


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2025-02-28T23:59", "scheduled"),
        ("2025-03-01T00:00", "active"),
        ("2025-03-17T23:59", "active"),
        ("2025-03-18T00:00", "expiring"),  # end - 14d (the file default)
        ("2025-03-31T23:59", "expiring"),
        ("2025-04-01T00:00", "expired"),
        ("2025-12-01T00:00", "expired"),
    ],
)
def test_span_status(make_timeline: MakeTimeline, as_of: str, expected: str) -> None:
    timeline = make_timeline(STATUS_BODY)
    assert state_of(timeline, "span", instant(as_of)).status == expected


def test_entry_warn_overrides_the_default(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(STATUS_BODY)
    assert state_of(timeline, "long-warn", instant("2025-03-01T23:59")).status == "active"
    assert state_of(timeline, "long-warn", instant("2025-03-02T00:00")).status == "expiring"


def test_file_warn_is_the_default_window(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        HEADER.replace('timezone = "America/New_York"\n', 'timezone = "America/New_York"\nwarn = "3d"\n')
        + "\n"
        + STATUS_BODY,
        header=False,
    )
    assert state_of(timeline, "span", instant("2025-03-28T23:59")).status == "active"
    assert state_of(timeline, "span", instant("2025-03-29T00:00")).status == "expiring"
    # An entry's own warn still wins over the file's.
    assert state_of(timeline, "long-warn", instant("2025-03-02T00:00")).status == "expiring"


def test_scheduled_span_counts_to_its_start(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(STATUS_BODY)
    state = state_of(timeline, "span", instant("2025-02-27T12:00"))
    assert state.status == "scheduled"
    assert state.counted_to == instant("2025-03-01T00:00")
    assert state.days_left == 2
    assert state.seconds_left == DAY + 12 * 3600
    assert state.end == instant("2025-04-01T00:00")


def test_active_span_counts_to_its_end(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(STATUS_BODY)
    state = state_of(timeline, "span", instant("2025-03-20T00:00"))
    assert state.counted_to == instant("2025-04-01T00:00")
    assert state.days_left == 12
    # DST began 2025-03-09, so no hour is lost between these two dates.
    assert state.seconds_left == 12 * DAY


@pytest.mark.parametrize(
    ("as_of", "status", "days", "seconds"),
    [
        ("2025-06-09T00:00", "upcoming", 1, DAY),
        ("2025-06-09T23:00", "upcoming", 1, 3600),
        ("2025-06-10T00:00", "past", 0, 0),
        ("2025-06-12T06:00", "past", -2, -(2 * DAY + 6 * 3600)),
    ],
)
def test_point_status_and_countdown(
    make_timeline: MakeTimeline, as_of: str, status: str, days: int, seconds: int
) -> None:
    timeline = make_timeline(STATUS_BODY)
    state = state_of(timeline, "point", instant(as_of))
    assert (state.status, state.days_left, state.seconds_left) == (status, days, seconds)
    assert state.counted_to == instant("2025-06-10T00:00")


def test_open_ended_span_is_scheduled_then_active_forever(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(STATUS_BODY)
    before = state_of(timeline, "open", instant("2024-12-30T00:00"))
    assert before.status == "scheduled"
    assert before.days_left == 2
    later = state_of(timeline, "open", instant("2030-01-01T00:00"))
    assert later.status == "active"
    assert later.end is None
    assert later.days_left is None
    assert later.seconds_left is None


# ---------------------------------------------------------------- superseded

LADDER = """\
[[event]]
id = "step-84"
kind = "tariff"
title = "84% step"
start = 2025-04-09T00:01:00
parties = ["US"]
measure = "reciprocal"
rate = 84.0

[[event]]
id = "step-125"
kind = "tariff"
title = "125% step"
start = 2025-04-10T00:01:00
parties = ["US"]
measure = "reciprocal"
rate = 125.0

[[event]]
id = "other-measure"
kind = "tariff"
title = "Another measure"
start = 2025-04-01T00:01:00
parties = ["US"]
measure = "fentanyl"
rate = 20.0
"""


def test_step_is_active_until_the_next_step_starts(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(LADDER)
    as_of = instant("2025-04-10T00:00")
    assert state_of(timeline, "step-84", as_of).status == "active"
    assert state_of(timeline, "step-125", as_of).status == "scheduled"


@pytest.mark.parametrize("as_of", ["2025-04-10T00:01", "2025-05-01T00:00", "2027-01-01T00:00"])
def test_step_is_superseded_once_the_next_step_starts(make_timeline: MakeTimeline, as_of: str) -> None:
    timeline = make_timeline(LADDER)
    older = state_of(timeline, "step-84", instant(as_of))
    assert older.status == "superseded"
    assert older.superseded_by is not None
    assert older.superseded_by.id == "step-125"
    assert state_of(timeline, "step-125", instant(as_of)).status == "active"
    # A different measure is never superseded by these.
    assert state_of(timeline, "other-measure", instant(as_of)).status == "active"


def test_same_instant_start_the_later_id_supersedes(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        """\
[[event]]
id = "zeta"
kind = "tariff"
title = "First in the file"
start = 2025-04-10T00:01:00
measure = "m"
rate = 34.0

[[event]]
id = "alpha"
kind = "tariff"
title = "Second in the file"
start = 2025-04-10T00:01:00
measure = "m"
rate = 84.0
"""
    )
    as_of = instant("2025-04-10T00:01")
    # In id order, whatever the file order: alpha starts first and zeta supersedes it.
    assert state_of(timeline, "alpha", as_of).status == "superseded"
    assert state_of(timeline, "zeta", as_of).status == "active"


def test_span_that_ended_before_the_next_step_is_expired_not_superseded(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        """\
[[event]]
id = "first"
kind = "tariff"
title = "First"
start = 2025-01-01
end = 2025-02-01
measure = "m"
rate = 10.0

[[event]]
id = "second"
kind = "tariff"
title = "Second"
start = 2025-03-01
measure = "m"
rate = 20.0
"""
    )
    assert state_of(timeline, "first", instant("2025-03-15T00:00")).status == "expired"


def test_superseded_span_stays_superseded_after_its_own_end(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        """\
[[event]]
id = "first"
kind = "tariff"
title = "First"
start = 2025-01-01
end = 2025-06-01
measure = "m"
rate = 10.0

[[event]]
id = "second"
kind = "tariff"
title = "Second"
start = 2025-03-01
measure = "m"
rate = 20.0
"""
    )
    assert state_of(timeline, "first", instant("2025-02-28T00:00")).status == "active"
    assert state_of(timeline, "first", instant("2025-03-01T00:00")).status == "superseded"
    assert state_of(timeline, "first", instant("2025-07-01T00:00")).status == "superseded"


# ---------------------------------------------------------------- sorting

SORT_BODY = """\
[[event]]
id = "zz-open"
kind = "export-control"
title = "Open-ended, sorts last"
start = 2025-01-01
parties = ["CN"]

[[event]]
id = "aa-open"
kind = "export-control"
title = "Open-ended too"
start = 2025-02-01
parties = ["US"]

[[event]]
id = "b-span"
kind = "agreement"
title = "Ends 2025-07-01 00:00 EDT"
start = 2025-01-01
end = 2025-07-01
parties = ["US"]

[[event]]
id = "a-beijing"
kind = "agreement"
title = "Ends at the same instant, written in Beijing time"
start = 2025-01-01
end = 2025-07-01T12:00:00+08:00
parties = ["CN"]

[[event]]
id = "c-point"
kind = "announcement"
title = "A point before both"
date = 2025-06-20
parties = ["US"]

[[event]]
id = "d-scheduled"
kind = "talks"
title = "Starts 2025-06-15, ends much later"
start = 2025-06-15
end = 2026-01-01
parties = ["US", "CN"]

[[event]]
id = "e-ext"
kind = "extension"
target = "b-span"
date = 2025-01-05
end = 2025-07-01
"""


def test_states_sort_by_counted_instant_then_id_open_ended_last(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(SORT_BODY)
    states = Engine(timeline).states(instant("2025-06-01T00:00"), NEW_YORK)
    assert ids(states) == ["d-scheduled", "c-point", "a-beijing", "b-span", "aa-open", "zz-open"]


def test_states_leave_out_modifiers(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(SORT_BODY)
    states = Engine(timeline).states(instant("2025-06-01T00:00"), NEW_YORK)
    assert "e-ext" not in ids(states)
    assert len(states) == 6


# ---------------------------------------------------------------- filters

FILTER_BODY = """\
[[event]]
id = "us-tariff"
kind = "tariff"
title = "US tariff, ends in 10 days"
start = 2025-01-01
end = 2025-06-11
parties = ["US"]
tags = ["tariffs"]

[[event]]
id = "cn-tariff"
kind = "tariff"
title = "CN tariff, ends in 40 days"
start = 2025-01-01
end = 2025-07-11
parties = ["CN"]
tags = ["retaliation"]

[[event]]
id = "talks"
kind = "talks"
title = "Talks starting in 5 days"
start = 2025-06-06
end = 2025-06-08
parties = ["US", "CN"]
tags = ["talks", "tariffs"]

[[event]]
id = "old-ruling"
kind = "ruling"
title = "A past ruling"
date = 2025-05-01
parties = ["US"]
tags = ["courts"]

[[event]]
id = "old-span"
kind = "agreement"
title = "An expired agreement"
start = 2025-01-01
end = 2025-03-01
parties = ["CN"]

[[event]]
id = "cut"
kind = "agreement"
title = "A terminated agreement"
start = 2025-01-01
end = 2025-12-01
parties = ["US"]

[[event]]
id = "cut-short"
kind = "termination"
target = "cut"
date = 2025-04-01

[[event]]
id = "controls"
kind = "export-control"
title = "Open-ended controls"
start = 2025-01-01
parties = ["CN"]
tags = ["export-controls"]
"""

FILTER_AS_OF = instant("2025-06-01T00:00")


@pytest.fixture
def filter_states(make_timeline: MakeTimeline) -> list[EntryState]:
    timeline = make_timeline(FILTER_BODY)
    return Engine(timeline).states(FILTER_AS_OF, NEW_YORK)


def pick(states: list[EntryState], **filters: object) -> list[str]:
    return ids(select(states, Filters(**filters), FILTER_AS_OF, NEW_YORK))  # type: ignore[arg-type]


def test_filter_statuses_of_the_fixture(filter_states: list[EntryState]) -> None:
    assert {s.id: s.status for s in filter_states} == {
        "us-tariff": "expiring",
        "cn-tariff": "active",
        "talks": "scheduled",
        "old-ruling": "past",
        "old-span": "expired",
        "cut": "terminated",
        "controls": "active",
    }


def test_default_leaves_out_expired_terminated_and_past(filter_states: list[EntryState]) -> None:
    assert pick(filter_states) == ["talks", "us-tariff", "cn-tariff", "controls"]


def test_show_all_keeps_everything(filter_states: list[EntryState]) -> None:
    assert sorted(pick(filter_states, show_all=True)) == sorted(s.id for s in filter_states)


def test_explicit_status_overrides_the_default(filter_states: list[EntryState]) -> None:
    assert pick(filter_states, statuses=("expired",)) == ["old-span"]
    # cut counts to its termination (2025-04-01), old-ruling to 2025-05-01.
    assert pick(filter_states, statuses=("past", "terminated")) == ["cut", "old-ruling"]
    assert pick(filter_states, statuses=("active",)) == ["cn-tariff", "controls"]


def test_kinds_or_together(filter_states: list[EntryState]) -> None:
    assert pick(filter_states, kinds=("tariff",)) == ["us-tariff", "cn-tariff"]
    assert pick(filter_states, kinds=("tariff", "talks")) == ["talks", "us-tariff", "cn-tariff"]


def test_parties_or_together(filter_states: list[EntryState]) -> None:
    assert pick(filter_states, parties=("US",)) == ["talks", "us-tariff"]
    assert pick(filter_states, parties=("US", "CN")) == ["talks", "us-tariff", "cn-tariff", "controls"]


def test_tags_or_together(filter_states: list[EntryState]) -> None:
    assert pick(filter_states, tags=("tariffs",)) == ["talks", "us-tariff"]
    assert pick(filter_states, tags=("retaliation", "export-controls")) == ["cn-tariff", "controls"]


def test_different_filters_and_together(filter_states: list[EntryState]) -> None:
    assert pick(filter_states, kinds=("tariff",), parties=("CN",)) == ["cn-tariff"]
    assert pick(filter_states, kinds=("tariff", "talks"), tags=("tariffs",), parties=("CN",)) == ["talks"]
    assert pick(filter_states, kinds=("ruling",)) == []
    assert pick(filter_states, kinds=("ruling",), show_all=True) == ["old-ruling"]


def test_within_keeps_deadlines_inside_the_window(filter_states: list[EntryState]) -> None:
    # talks start in 5 days, us-tariff ends in 10; cn-tariff (40 days) and open-ended controls are out.
    assert pick(filter_states, within=parse_duration("30d")) == ["talks", "us-tariff"]
    assert pick(filter_states, within=parse_duration("7d")) == ["talks"]
    assert pick(filter_states, within=parse_duration("60d")) == ["talks", "us-tariff", "cn-tariff"]


def test_states_are_built_in_the_order_of_their_fields() -> None:
    # The engine builds EntryState and EndChange positionally (once per entry, keyword
    # arguments cost more): a change to their fields must change those calls too.
    from dataclasses import fields

    from trucetrack.engine.status import EndChange, EntryState

    assert [f.name for f in fields(EntryState)] == [
        "entry",
        "status",
        "end",
        "original_end",
        "history",
        "counted_to",
        "days_left",
        "seconds_left",
        "superseded_by",
        "cancelled_by",
        "confirmed",
        "working_days_left",
        "provisional",
    ]
    assert [f.name for f in fields(EndChange)][:2] == ["end", "previous"]
