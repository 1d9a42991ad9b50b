"""The read-only operations, called directly with a fixed instant: no CliRunner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import BUNDLED, instant
from trucetrack.errors import BadValue, InvalidTimeline, TrucetrackError
from trucetrack.ops import query, reports
from trucetrack.ops.context import Invocation, as_of_instant, display_zone, load_timeline, resolve_paths

NOW = datetime(2025, 8, 1, 12, 0, tzinfo=UTC)
Writer = Callable[..., Path]

TRUCE = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US", "CN"]
measure = "duty"
rate = 10.0
rate_after = 34.0

[[event]]
id = "talks"
kind = "talks"
title = "Talks"
start = 2025-07-28
through = 2025-07-29
parties = ["US"]

[[event]]
id = "truce-ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"
"""


def invocation(path: Path, as_of: str | None = "2025-08-01", **more: object) -> Invocation:
    return Invocation(files=(str(path),), as_of=as_of, environ={"TRUCETRACK_CACHE": "off"}, now=NOW, **more)  # type: ignore[arg-type]


def test_files_come_from_the_options_then_the_environment_then_the_bundled_timeline(tmp_path: Path) -> None:
    assert resolve_paths(Invocation(files=("a.toml",))) == (["a.toml"], False)
    assert resolve_paths(Invocation(environ={"TRUCETRACK_FILE": "x.toml:y.toml"})) == (["x.toml", "y.toml"], False)
    paths, bundled = resolve_paths(Invocation(environ={}))
    assert bundled and Path(paths[0]).name == BUNDLED.name


def test_as_of_and_zone_come_from_the_invocation_never_the_machine(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    timeline = load_timeline(invocation(path))
    zone = display_zone(invocation(path), timeline)
    assert zone.key == "America/New_York"
    assert display_zone(Invocation(tz="Asia/Shanghai"), timeline).key == "Asia/Shanghai"
    assert as_of_instant(Invocation(now=NOW), zone) == NOW
    assert as_of_instant(Invocation(now=NOW, environ={"TRUCETRACK_AS_OF": "2025-06-10"}), zone) == instant("2025-06-10")
    with pytest.raises(BadValue, match="--as-of"):
        as_of_instant(Invocation(as_of="soon", now=NOW), zone)
    with pytest.raises(BadValue, match="--tz"):
        display_zone(Invocation(tz="Mars/Olympus"), timeline)


def test_status_returns_the_states_as_of_the_instant(write_timeline: Writer) -> None:
    result = query.status(invocation(write_timeline(TRUCE)), query.StatusRequest())
    assert result.run.as_of == instant("2025-08-01")
    # The talks ended two days before: within the default --recent of 30 days.
    assert [(state.id, state.status, state.days_left) for state in result.states] == [
        ("talks", "expired", -2),
        ("truce", "expiring", 11),
    ]
    without_recent = query.status(invocation(write_timeline(TRUCE)), query.StatusRequest(recent="0d"))
    assert [state.id for state in without_recent.states] == ["truce"]
    everything = query.status(invocation(write_timeline(TRUCE)), query.StatusRequest(show_all=True))
    assert [state.id for state in everything.states] == ["talks", "truce"]


def test_status_checks_its_filters(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    with pytest.raises(BadValue, match="did you mean 'active'"):
        query.status(invocation(path), query.StatusRequest(statuses=("activ",)))
    with pytest.raises(BadValue, match="--within"):
        query.status(invocation(path), query.StatusRequest(within="soon"))
    only_us = query.status(invocation(path), query.StatusRequest(show_all=True, parties=("US",), kinds=("talks",)))
    assert [state.id for state in only_us.states] == ["talks"]


def test_show_knows_only_what_was_decided_by_as_of(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    before = query.show(invocation(path), "truce")
    after = query.show(invocation(path, "2025-08-12"), "truce")
    assert before.state is not None and after.state is not None
    assert before.state.end == instant("2025-08-12T00:01")
    assert after.state.end == instant("2025-11-10T00:01")
    assert before.party_names == {"US": "United States", "CN": "China"}
    assert query.show(invocation(path), "truce-ext").state is None
    with pytest.raises(TrucetrackError, match="did you mean 'truce'"):
        query.show(invocation(path), "truse")


def test_validate_counts_entries_and_files(write_timeline: Writer) -> None:
    assert query.validate(invocation(write_timeline(TRUCE))) == query.ValidateResult(entries=3, files=1)
    with pytest.raises(InvalidTimeline):
        query.validate(invocation(write_timeline('[[event]]\nid = "x"\n')))


def test_countdown_picks_the_next_deadlines_and_refuses_modifiers(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    result = reports.countdown(invocation(path), [])
    assert [entry.id for entry in result.entries] == ["truce"]
    run, states, finished = result.at(instant("2025-08-12T00:01"))  # extended on 2025-08-11
    assert run.as_of == instant("2025-08-12T00:01") and states[0].status == "active" and not finished
    _, states, finished = result.at(instant("2025-11-10T00:01"))
    assert states[0].status == "expired" and finished
    with pytest.raises(TrucetrackError, match="count down to its target, 'truce'"):
        reports.countdown(invocation(path), ["truce-ext"])


def test_timeline_reads_its_axis_like_as_of(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    result = reports.timeline(invocation(path), reports.TimelineRequest(start="2025-07-01", end="+30d"))
    assert result.axis_start == instant("2025-07-01") and result.axis_end == instant("2025-08-31")
    assert [state.id for state in result.states] == ["truce", "talks"]
    whole = reports.timeline(invocation(path), reports.TimelineRequest())
    assert (whole.first, whole.last) == (instant("2025-05-14T00:01"), instant("2025-08-12T00:01"))
    with pytest.raises(BadValue, match="later than --from"):
        reports.timeline(invocation(path), reports.TimelineRequest(start="2025-08-01", end="2025-07-01"))


def test_check_finds_deadlines_in_their_warning_window(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    found = reports.check(invocation(path), None)
    assert found.findings and [state.id for state in found.found] == ["truce"]
    assert not reports.check(invocation(path, "2025-06-01"), None).findings
    assert reports.check(invocation(path, "2025-06-01"), "90d").findings


def test_rates_as_of_and_their_ladder(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    now = reports.rates(invocation(path), None, history=False)
    assert [(step.measure, step.rate, step.entry.id) for step in now.current] == [("duty", 10.0, "truce")]
    assert now.steps is None
    later = reports.rates(invocation(path, "2025-08-20"), "duty", history=True)
    assert later.current[0].rate == 10.0  # extended by then
    assert later.steps is not None and [step.rate for step in later.steps] == [10.0, 34.0]
    with pytest.raises(BadValue, match="unknown value 'dutty'"):
        reports.rates(invocation(path), "dutty", history=False)


def test_summary_of_a_file_outside_git_has_no_changes_section(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    result = reports.summary(invocation(path, "2025-08-11"), 7, "30d")
    assert result.summary.git is None
    assert not result.summary.deadlines  # extended that day to 2025-11-10
    further = reports.summary(invocation(path, "2025-08-11"), 7, "120d")
    assert [state.id for state in further.summary.deadlines] == ["truce"]
    with pytest.raises(BadValue, match="--ahead"):
        reports.summary(invocation(path), 7, "soon")
