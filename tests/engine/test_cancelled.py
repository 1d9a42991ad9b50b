"""Cancelled spans: a termination that takes effect at or before a span's start cancels it.

From the termination's decision on, the span is `cancelled`: it never takes
effect, so it has no end, counts to nothing, sets no rate, supersedes nothing
and is left out of the default status view. Before the decision, as-of views
show what was known then.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import NEW_YORK, instant
from trucetrack.core.model import Timeline
from trucetrack.engine import digest, semdiff
from trucetrack.engine.rates import AFTER, IN_FORCE, Rates
from trucetrack.engine.status import FINISHED_STATUSES, STATUSES, Engine, EntryState, Filters, cancels, select

MakeTimeline = Callable[..., Timeline]

BASE = """\
[[event]]
id = "base"
kind = "tariff"
title = "Base rate"
start = 2025-01-01
measure = "steel"
rate = 5.0
"""

PLAN = """\
[[event]]
id = "plan"
kind = "tariff"
title = "Planned rate"
start = 2025-09-01
duration = "90d"
measure = "steel"
rate = 25.0
rate_after = 10.0
"""

CALL_OFF = """\
[[event]]
id = "call-off"
kind = "termination"
target = "plan"
date = 2025-08-01
"""


def state(timeline: Timeline, entry_id: str, at: str) -> EntryState:
    entry = timeline.entry(entry_id)
    assert entry is not None
    return Engine(timeline).state(entry, instant(at), NEW_YORK)


@pytest.fixture
def called_off(make_timeline: MakeTimeline) -> Timeline:
    return make_timeline(BASE + "\n" + PLAN + "\n" + CALL_OFF)


def test_cancelled_is_a_finished_span_status() -> None:
    assert "cancelled" in STATUSES
    assert "cancelled" in FINISHED_STATUSES


@pytest.mark.parametrize("at", ["2025-07-31T23:59", "2025-06-01T00:00"])
def test_before_the_decision_the_span_has_its_normal_status(called_off: Timeline, at: str) -> None:
    before = state(called_off, "plan", at)
    assert before.status == "scheduled"
    assert before.cancelled_by is None
    assert before.counted_to == instant("2025-09-01T00:00")


@pytest.mark.parametrize("at", ["2025-08-01T00:00", "2025-09-15T00:00", "2026-06-01T00:00"])
def test_from_the_decision_on_the_span_is_cancelled(called_off: Timeline, at: str) -> None:
    cancelled = state(called_off, "plan", at)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_by is not None and cancelled.cancelled_by.id == "call-off"
    # It never takes effect: no end, nothing to count to.
    assert (cancelled.end, cancelled.counted_to, cancelled.days_left, cancelled.seconds_left) == (None,) * 4
    assert cancelled.original_end == instant("2025-11-30T00:00")
    assert [change.kind for change in cancelled.history] == ["original", "termination"]
    assert cancels(called_off.entry("plan"), cancelled.history[-1])  # type: ignore[arg-type]


def test_a_termination_with_an_end_at_the_start_cancels_it_too(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(PLAN + "\n" + CALL_OFF + "end = 2025-09-01\n")
    assert state(timeline, "plan", "2025-08-02T00:00").status == "cancelled"


def test_a_termination_after_the_start_ends_the_span_but_does_not_cancel_it(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(PLAN + "\n" + CALL_OFF + "end = 2025-09-01T00:01:00\n")
    assert state(timeline, "plan", "2025-08-02T00:00").status == "scheduled"
    assert state(timeline, "plan", "2025-09-01T00:01").status == "terminated"


def test_a_retroactive_cancellation_of_a_running_span(make_timeline: MakeTimeline) -> None:
    """Decided after the start, taking effect at the start: in force (as known) until it is decided."""
    timeline = make_timeline(PLAN + "\n" + CALL_OFF.replace("2025-08-01", "2025-10-01") + "end = 2025-09-01\n")
    assert state(timeline, "plan", "2025-09-30T00:00").status == "active"
    assert state(timeline, "plan", "2025-10-01T00:00").status == "cancelled"


def test_nothing_decided_after_the_cancellation_revives_the_span(make_timeline: MakeTimeline) -> None:
    extension = '[[event]]\nid = "more"\nkind = "extension"\ntarget = "plan"\ndate = 2025-08-15\nby = "30d"\n'
    timeline = make_timeline(PLAN + "\n" + CALL_OFF + "\n" + extension)
    later = state(timeline, "plan", "2025-10-01T00:00")
    assert later.status == "cancelled"
    assert [change.kind for change in later.history] == ["original", "termination"]


def test_an_open_ended_span_can_be_cancelled(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(PLAN.replace('duration = "90d"\n', "") + "\n" + CALL_OFF)
    assert state(timeline, "plan", "2025-08-02T00:00").status == "cancelled"


def test_the_default_view_leaves_cancelled_spans_out(called_off: Timeline) -> None:
    at = instant("2025-08-02T00:00")
    states = Engine(called_off).states(at, NEW_YORK)
    assert [s.id for s in select(states, Filters(), at, NEW_YORK)] == ["base"]
    assert [s.id for s in select(states, Filters(show_all=True), at, NEW_YORK)] == ["base", "plan"]
    assert [s.id for s in select(states, Filters(statuses=("cancelled",)), at, NEW_YORK)] == ["plan"]


# ---------------------------------------------------------------- superseding and rates


def test_a_cancelled_entry_supersedes_nothing(called_off: Timeline, make_timeline: MakeTimeline) -> None:
    assert state(called_off, "base", "2025-10-01T00:00").status == "active"
    # Without the cancellation, the planned step would have superseded the base rate.
    planned = make_timeline(BASE + "\n" + PLAN)
    assert state(planned, "base", "2025-10-01T00:00").status == "superseded"


def test_the_entry_after_a_cancelled_one_still_supersedes(make_timeline: MakeTimeline) -> None:
    final = PLAN.replace('id = "plan"', 'id = "final"').replace("2025-09-01", "2025-10-01")
    timeline = make_timeline(BASE + "\n" + PLAN + "\n" + CALL_OFF + "\n" + final)
    base = state(timeline, "base", "2025-10-01T00:00")
    assert base.status == "superseded"
    assert base.superseded_by is not None and base.superseded_by.id == "final"


def test_a_cancelled_span_sets_neither_its_rate_nor_its_rate_after(called_off: Timeline) -> None:
    rates = Rates(called_off, instant("2025-08-02T00:00"))
    assert [(step.entry.id, step.rate) for step in rates.ladder("steel")] == [("base", 5.0)]
    for at in ("2025-09-15T00:00", "2025-12-15T00:00"):
        step = Rates(called_off, instant(at)).current("steel")
        assert step is not None and (step.entry.id, step.rate, step.phase) == ("base", 5.0, IN_FORCE)


def test_before_the_cancellation_the_ladder_shows_what_was_scheduled(called_off: Timeline) -> None:
    ladder = Rates(called_off, instant("2025-07-01T00:00")).ladder("steel")
    assert [(step.entry.id, step.rate, step.phase) for step in ladder] == [
        ("base", 5.0, IN_FORCE),
        ("plan", 25.0, IN_FORCE),
        ("plan", 10.0, AFTER),
    ]


# ---------------------------------------------------------------- digest, check and semantic diff


def test_summary_tells_the_decision_and_neither_start_nor_end(called_off: Timeline) -> None:
    result = digest.summarize(called_off, instant("2025-12-31T00:00"), NEW_YORK, days=200)
    assert [(h.what, h.entry.id) for h in result.happened] == [("decided", "call-off")]
    assert [s.id for s in result.in_force] == ["base"]
    assert all(s.id != "plan" for s in result.deadlines)


def test_check_finds_no_deadline_in_a_cancelled_span(called_off: Timeline, make_timeline: MakeTimeline) -> None:
    at = instant("2025-08-25T00:00")
    assert digest.check_deadlines(Engine(called_off).states(at, NEW_YORK), at, NEW_YORK) == []
    planned = make_timeline(BASE + "\n" + PLAN)
    assert [s.id for s in digest.check_deadlines(Engine(planned).states(at, NEW_YORK), at, NEW_YORK)] == ["plan"]


def test_semantic_diff_says_the_status_changed_not_that_an_end_moved(
    called_off: Timeline, make_timeline: MakeTimeline
) -> None:
    planned = make_timeline(BASE + "\n" + PLAN)
    diff = semdiff.compare(planned, called_off, instant("2025-08-02T00:00"), NEW_YORK)
    assert [(s.id, s.old, s.new) for s in diff.status_changed] == [("plan", "scheduled", "cancelled")]
    assert diff.ends_moved == ()
    (added,) = diff.added
    assert added.when == "plan cancelled (never in force), decided 2025-08-01"
