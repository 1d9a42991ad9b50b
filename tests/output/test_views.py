"""Exact output of the views (countdown, timeline, summary, check, rates) at two widths, their
markdown, JSON and CSV forms, and terminal safety and colour for every view."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import NEW_YORK, SHANGHAI, instant, pinned_console
from trucetrack.cli import app
from trucetrack.core.context import RunContext
from trucetrack.core.model import Timeline
from trucetrack.engine import digest, semdiff
from trucetrack.engine.rates import Rates
from trucetrack.engine.status import Engine, EntryState
from trucetrack.load.loader import load as load_timeline
from trucetrack.output import views

# The title of "licences" carries rich markup (must print literally) and an
# escape sequence (must never reach the output).
BODY = """\
[[event]]
id = "escalation"
kind = "tariff"
title = "Escalation to 125%"
start = 2025-04-10T00:01:00
parties = ["US"]
measure = "reciprocal"
rate = 125.0

[[event]]
id = "truce"
kind = "agreement"
title = "Geneva-like 90-day truce"
start = 2025-05-14T00:01:00
duration = "90d"
warn = "21d"
parties = ["US", "CN"]
measure = "reciprocal"
rate = 10.0
rate_after = 34.0

[[event]]
id = "licences"
kind = "license"
title = "Temporary licences [red]markup[/red] and \\u001b[31mescape"
start = 2025-06-02
duration = "6mo"
parties = ["CN"]

[[event]]
id = "cut"
kind = "termination"
target = "licences"
date = 2025-08-08
end = 2025-10-15

[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"

[[event]]
id = "ruling"
kind = "ruling"
title = "A court ruling"
date = 2025-08-20
parties = ["US"]

[[event]]
id = "talks"
kind = "talks"
title = "London talks"
start = 2025-09-09
through = 2025-09-10
parties = ["US", "CN"]
"""

AS_OF = instant("2025-08-12T00:01")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
ANSI = "\x1b["


@pytest.fixture
def timeline_file(write_timeline: Callable[..., Path]) -> Path:
    return write_timeline(BODY, name="t.toml")


@pytest.fixture
def timeline(timeline_file: Path) -> Timeline:
    # The conftest chdirs to tmp_path: a relative path keeps "file" the same on every machine.
    return load_timeline([timeline_file.name])


@pytest.fixture
def view(timeline: Timeline) -> RunContext:
    return RunContext(timeline=timeline, as_of=AS_OF, zone=NEW_YORK)


@pytest.fixture
def states(view: RunContext) -> list[EntryState]:
    return Engine(view.timeline).states(view.as_of, view.zone)


def captured(renderable: object, width: int) -> str:
    console = pinned_console(width=width)
    console.begin_capture()
    console.print(renderable)
    return console.end_capture()


def joined(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def chronological(states: list[EntryState]) -> list[EntryState]:
    return sorted(states, key=lambda state: (state.entry.begins, state.id))


# ---------------------------------------------------------------- countdown


def countdown_states(states: list[EntryState]) -> list[EntryState]:
    return [state for state in states if state.id in ("ruling", "truce")]


def test_countdown_at_80_columns(view: RunContext, states: list[EntryState]) -> None:
    assert captured(views.countdown_renderable(view, countdown_states(states), 80), 80) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "╭─ ruling · upcoming ──────────────────────────────────────────────────────────╮",
        "│ A court ruling                                                               │",
        "│ 8 days left                                                                  │",
        "│ on     2025-08-20 00:00 EDT  America/New_York                                │",
        "╰──────────────────────────────────────────────────────────────────────────────╯",
        "╭─ truce · active ─────────────────────────────────────────────────────────────╮",
        "│ Geneva-like 90-day truce                                                     │",
        "│ 90 days left                                                                 │",
        "│ ends   2025-11-10 00:01 EST  America/New_York                                │",
        "│ ███████████████████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  49% elapsed │",
        "╰──────────────────────────────────────────────────────────────────────────────╯",
    )


def test_countdown_at_100_columns(view: RunContext, states: list[EntryState]) -> None:
    assert captured(views.countdown_renderable(view, countdown_states(states), 100), 100) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "╭─ ruling · upcoming ──────────────────────────────────────────────────────────────────────────────╮",
        "│ A court ruling                                                                                   │",
        "│ 8 days left                                                                                      │",
        "│ on     2025-08-20 00:00 EDT  America/New_York                                                    │",
        "╰──────────────────────────────────────────────────────────────────────────────────────────────────╯",
        "╭─ truce · active ─────────────────────────────────────────────────────────────────────────────────╮",
        "│ Geneva-like 90-day truce                                                                         │",
        "│ 90 days left                                                                                     │",
        "│ ends   2025-11-10 00:01 EST  America/New_York                                                    │",
        "│ █████████████████████████████████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  49% elapsed │",
        "╰──────────────────────────────────────────────────────────────────────────────────────────────────╯",
    )


def test_countdown_shows_the_file_zone_and_the_display_zone_when_they_differ(timeline: Timeline) -> None:
    shanghai = RunContext(timeline=timeline, as_of=AS_OF, zone=SHANGHAI)
    truce = timeline.entry("truce")
    assert truce is not None
    state = Engine(timeline).state(truce, AS_OF, SHANGHAI)
    out = captured(views.countdown_renderable(shanghai, [state], 80), 80)
    assert "│ ends   2025-11-10 00:01 EST  America/New_York" in out
    assert "│        2025-11-10 13:01 CST  Asia/Shanghai" in out
    assert out.startswith("Test timeline — as of 2025-08-12 12:01 CST (Asia/Shanghai)\n")


def test_countdown_under_a_day_shows_hours_and_minutes(timeline: Timeline) -> None:
    truce = timeline.entry("truce")
    assert truce is not None
    at = instant("2025-11-09T12:30")
    state = Engine(timeline).state(truce, at, NEW_YORK)
    assert views.countdown_head(state) == "11h 31m left"
    later = Engine(timeline).state(truce, instant("2025-11-10T00:01"), NEW_YORK)
    assert views.countdown_head(later) == "now"
    past = Engine(timeline).state(truce, instant("2025-11-13T00:01"), NEW_YORK)
    assert views.countdown_head(past) == "ended 3 days ago"


def test_elapsed_fraction_runs_from_start_to_effective_end(view: RunContext, states: list[EntryState]) -> None:
    by_id = {state.id: state for state in states}
    # 90 days of 180 days and one hour (DST ends in between): just under half.
    fraction = views.elapsed_fraction(by_id["truce"], AS_OF)
    assert fraction is not None and 0.4998 < fraction < 0.5
    assert views.elapsed_fraction(by_id["ruling"], AS_OF) is None
    assert views.elapsed_fraction(by_id["escalation"], AS_OF) is None  # open-ended
    assert views.elapsed_fraction(by_id["talks"], AS_OF) == 0.0
    assert views.fraction_bar(0.5, 10).plain == "█████░░░░░  50% elapsed"
    assert views.fraction_bar(0.999, 10).plain == "█████████░  99% elapsed"
    assert views.fraction_bar(1.0, 10).plain == "██████████ 100% elapsed"


def test_countdown_with_nothing_to_count(view: RunContext) -> None:
    assert captured(views.countdown_renderable(view, [], 120), 120) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "No active deadline as of 2025-08-12 00:01 EDT: name entries (trucetrack countdown ID) or try another --as-of.",
    )


# ---------------------------------------------------------------- timeline


def test_timeline_at_80_columns(view: RunContext, states: list[EntryState]) -> None:
    assert captured(views.timeline_renderable(view, chronological(states), 80, None, None), 80) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "2025-04-10 to 2025-12-02, one column ≈ 3 days",
        "                                  2025-07                    2025-10",
        "           ───────────────────────┬────────────▼─────────────┬──────────────────",
        "escalation ██████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░",
        "truce               ████████████████████████████▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒      ",
        "licences                  ████████████████████████████████████████╌╌╌╌╌╌╌╌╌╌╌╌╌╌",
        "ruling                                         ┆ ◆                              ",
        "talks                                          ┆       ██                       ",
        "█ in force  ▒ added by extension  ╌ cut by termination  ░ superseded  ◆ point",
        "▼ as of",
    )


def test_timeline_at_100_columns(view: RunContext, states: list[EntryState]) -> None:
    assert captured(views.timeline_renderable(view, chronological(states), 100, None, None), 100) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "2025-04-10 to 2025-12-02, one column ≈ 3 days",
        "                  2025-05     2025-06    2025-07     2025-08     2025-09    2025-10     2025-11",
        "           ───────┬───────────┬──────────┬───────────┬───▼───────┬──────────┬───────────┬───────────",
        "escalation █████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░",
        "truce                  ███████████████████████████████████▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒        ",
        "licences                      ████████████████████████████████████████████████████╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌",
        "ruling                                                   ┆  ◆                                       ",
        "talks                                                    ┆          ██                              ",
        "█ in force  ▒ added by extension  ╌ cut by termination  ░ superseded  ◆ point  ▼ as of",
    )


def test_timeline_bounds_clip_bars_with_arrows(view: RunContext, states: list[EntryState]) -> None:
    shown = [state for state in chronological(states) if state.id in ("truce", "licences")]
    out = captured(
        views.timeline_renderable(view, shown, 60, instant("2025-07-01"), instant("2025-09-30")), 60
    ).splitlines()
    assert "2025-07-01 to 2025-09-30, one column ≈ 2 days" in out
    truce = next(line for line in out if line.startswith("truce"))
    licences = next(line for line in out if line.startswith("licences"))
    # Both started before the axis and run past it: arrows at both ends.
    assert truce[9] == "←" and truce[-1] == "→"
    assert "▒" in truce and "█" in truce
    assert licences[9] == "←" and licences[-1] == "→"


def test_timeline_axis_in_days_for_a_short_range(view: RunContext, states: list[EntryState]) -> None:
    shown = [state for state in states if state.id == "talks"]
    out = captured(views.timeline_renderable(view, shown, 80, None, None), 80).splitlines()
    assert out[1] == "2025-09-09 to 2025-09-11, one column ≈ 1 hour"
    # Day ticks; a label that would run past the right edge is left out.
    assert out[2].split() == ["2025-09-09", "2025-09-10"]


def test_timeline_with_nothing_to_draw(view: RunContext) -> None:
    assert captured(views.timeline_renderable(view, [], 100, None, None), 100) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "No entries to draw as of 2025-08-12 00:01 EDT: widen --from/--to or drop --kind/--party.",
    )


def test_timeline_markdown(view: RunContext, states: list[EntryState]) -> None:
    assert views.timeline_markdown(view, chronological(states)) == joined(
        "## Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "| Start | End | Status | Kind | ID | Title |",
        "|---|---|---|---|---|---|",
        "| 2025-04-10 00:01 EDT | open-ended | superseded | tariff | escalation | Escalation to 125% |",
        "| 2025-05-14 00:01 EDT | 2025-11-10 00:01 EST (was 2025-08-12 00:01 EDT; ext) | active | agreement | truce "
        "| Geneva-like 90-day truce |",
        "| 2025-06-02 | 2025-10-15 (was 2025-12-02; cut) | active | license | licences "
        "| Temporary licences [red]markup[/red] and escape |",
        "| 2025-08-20 |  | upcoming | ruling | ruling | A court ruling |",
        "| 2025-09-09 | 2025-09-11 | scheduled | talks | talks | London talks |",
    )


def test_timeline_json_and_csv(view: RunContext, states: list[EntryState]) -> None:
    ordered = chronological(states)
    document = json.loads(views.timeline_json(view, ordered, instant("2025-04-10T00:01"), instant("2025-12-02")))
    assert document["from"] == "2025-04-10T00:01:00-04:00"
    assert document["to"] == "2025-12-02T00:00:00-05:00"
    assert [entry["id"] for entry in document["entries"]] == ["escalation", "truce", "licences", "ruling", "talks"]
    truce = document["entries"][1]
    assert truce == {
        "id": "truce",
        "kind": "agreement",
        "shape": "span",
        "title": "Geneva-like 90-day truce",
        "status": "active",
        "start": "2025-05-14T00:01:00-04:00",
        "end": "2025-11-10T00:01:00-05:00",
        "original_end": "2025-08-12T00:01:00-04:00",
        "modifiers": ["ext"],
        "days_left": 90,
        "seconds_left": 90 * 86400 + 3600,  # DST ends on the way: 90 days and one hour
        "working_days_left": None,
        "parties": ["US", "CN"],
        "file": "t.toml",
        "line": 20,
    }
    assert document["entries"][2]["title"] == "Temporary licences [red]markup[/red] and escape"
    assert views.timeline_csv(view, ordered).splitlines()[:3] == [
        "id,kind,shape,title,status,start,end,original_end,modifiers,days_left,seconds_left,working_days_left,"
        "parties,file,line",
        "escalation,tariff,span,Escalation to 125%,superseded,2025-04-10T00:01:00-04:00,,,,,,,US,t.toml,11",
        "truce,agreement,span,Geneva-like 90-day truce,active,2025-05-14T00:01:00-04:00,2025-11-10T00:01:00-05:00,"
        "2025-08-12T00:01:00-04:00,ext,90,7779600,,US;CN,t.toml,20",
    ]


# ---------------------------------------------------------------- summary


def test_summary_at_80_columns(view: RunContext, timeline: Timeline) -> None:
    summary = digest.summarize(timeline, AS_OF, NEW_YORK)
    assert captured(views.summary_renderable(view, summary, 80), 80) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "Last 7 days (since 2025-08-05 00:01 EDT)",
        "When        What     ID   Detail",
        "2025-08-08  decided  cut  termination of licences: licences now ends 2025-10-15",
        "                          (was 2025-12-02, -48 days)",
        "2025-08-11  decided  ext  extension of truce: truce now ends 2025-11-10 00:01",
        "                          EST (was 2025-08-12 00:01 EDT, +90 days)",
        "",
        "Deadlines in the next 30d (until 2025-09-11 00:01 EDT)",
        "When           Left  Status     ID      Title",
        "2025-08-20   8 days  upcoming   ruling  A court ruling",
        "2025-09-09  28 days  scheduled  talks   London talks",
        "",
        "In force now",
        "When                     Left  Status  ID        Title",
        "2025-10-15            64 days  active  licences  Temporary licences",
        " " * 49 + "[red]markup[/red] and escape",
        "2025-11-10 00:01 EST  90 days  active  truce     Geneva-like 90-day truce",
    )


def test_summary_at_100_columns(view: RunContext, timeline: Timeline) -> None:
    summary = digest.summarize(timeline, AS_OF, NEW_YORK)
    assert captured(views.summary_renderable(view, summary, 100), 100) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "Last 7 days (since 2025-08-05 00:01 EDT)",
        "When        What     ID   Detail",
        "2025-08-08  decided  cut  termination of licences: licences now ends 2025-10-15 (was 2025-12-02, -48",
        "                          days)",
        "2025-08-11  decided  ext  extension of truce: truce now ends 2025-11-10 00:01 EST (was 2025-08-12",
        "                          00:01 EDT, +90 days)",
        "",
        "Deadlines in the next 30d (until 2025-09-11 00:01 EDT)",
        "When           Left  Status     ID      Title",
        "2025-08-20   8 days  upcoming   ruling  A court ruling",
        "2025-09-09  28 days  scheduled  talks   London talks",
        "",
        "In force now",
        "When                     Left  Status  ID        Title",
        "2025-10-15            64 days  active  licences  Temporary licences [red]markup[/red] and escape",
        "2025-11-10 00:01 EST  90 days  active  truce     Geneva-like 90-day truce",
    )


def test_summary_markdown(view: RunContext, timeline: Timeline) -> None:
    summary = digest.summarize(timeline, AS_OF, NEW_YORK)
    assert views.summary_markdown(view, summary) == joined(
        "## Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "### Last 7 days (since 2025-08-05 00:01 EDT)",
        "",
        "| When | What | ID | Detail |",
        "|---|---|---|---|",
        "| 2025-08-08 | decided | cut | termination of licences: licences now ends 2025-10-15 "
        "(was 2025-12-02, -48 days) |",
        "| 2025-08-11 | decided | ext | extension of truce: truce now ends 2025-11-10 00:01 EST "
        "(was 2025-08-12 00:01 EDT, +90 days) |",
        "",
        "### Deadlines in the next 30d (until 2025-09-11 00:01 EDT)",
        "",
        "| When | Left | Status | ID | Title |",
        "|---|---|---|---|---|",
        "| 2025-08-20 | 8 days | upcoming | ruling | A court ruling |",
        "| 2025-09-09 | 28 days | scheduled | talks | London talks |",
        "",
        "### In force now",
        "",
        "| Ends | Left | Status | ID | Title |",
        "|---|---|---|---|---|",
        "| 2025-10-15 | 64 days | active | licences | Temporary licences [red]markup[/red] and escape |",
        "| 2025-11-10 00:01 EST | 90 days | active | truce | Geneva-like 90-day truce |",
    )


def test_summary_markdown_with_git_changes_and_empty_sections(
    timeline: Timeline, make_timeline: Callable[..., Timeline]
) -> None:
    later = instant("2027-01-01")
    edited = make_timeline(
        BODY.replace('title = "A court ruling"', 'title = "A court | ruling"').replace('by = "90d"', 'by = "120d"')
        + '\n[[event]]\nid = "added"\nkind = "deadline"\ntitle = "New deadline"\ndate = 2026-12-01\n'
    )
    changes = digest.GitChanges("a" * 40, "b" * 40, semdiff.compare(timeline, edited, later, NEW_YORK))
    summary = digest.summarize(timeline, later, NEW_YORK, git=changes)
    view = RunContext(timeline=timeline, as_of=later, zone=NEW_YORK)
    assert views.summary_markdown(view, summary) == joined(
        "## Test timeline — as of 2027-01-01 00:00 EST (America/New_York)",
        "",
        "### Last 7 days (since 2026-12-25 00:00 EST)",
        "",
        "Nothing happened.",
        "",
        "### Deadlines in the next 30d (until 2027-01-31 00:00 EST)",
        "",
        "No deadlines.",
        "",
        "### In force now",
        "",
        "Nothing in force.",
        "",
        "### Changes in the files (aaaaaaa → bbbbbbb)",
        "",
        "- added added (deadline, 2026-12-01): New deadline",
        "- moved truce: end 2025-11-10 00:01 EST → 2025-12-10 00:01 EST (+30 days)",
        "- changed ext: by 90d → 120d",
        '- changed ruling: title "A court ruling" → "A court \\| ruling"',
    )
    same = digest.GitChanges("a" * 40, "a" * 40, semdiff.compare(timeline, timeline, later, NEW_YORK))
    text = views.summary_markdown(view, digest.summarize(timeline, later, NEW_YORK, git=same))
    assert text.endswith("### Changes in the files (aaaaaaa → aaaaaaa)\n\nNo changes.\n")
    problem = digest.GitChanges(None, "c" * 40, None, "the files at ccccccc are not a valid timeline: x")
    text = views.summary_markdown(view, digest.summarize(timeline, later, NEW_YORK, git=problem))
    assert text.endswith(
        "### Changes in the files (no earlier commit → ccccccc)\n\n"
        "Could not compare: the files at ccccccc are not a valid timeline: x\n"
    )
    none = views.summary_markdown(view, digest.summarize(timeline, later, NEW_YORK, git=None))
    assert "Changes in the files" not in none


def test_summary_json(view: RunContext, timeline: Timeline) -> None:
    summary = digest.summarize(timeline, AS_OF, NEW_YORK)
    document = json.loads(views.summary_json(view, summary))
    assert list(document) == [
        "as_of",
        "tz",
        "days",
        "since",
        "ahead",
        "until",
        "happened",
        "deadlines",
        "in_force",
        "changes",
    ]
    assert document["since"] == "2025-08-05T00:01:00-04:00"
    assert document["until"] == "2025-09-11T00:01:00-04:00"
    assert document["happened"][1] == {
        "at": "2025-08-11T00:00:00-04:00",
        "what": "decided",
        "confirmed": True,
        "id": "ext",
        "kind": "extension",
        "title": "extension of truce",
        "target": "truce",
        "end": "2025-11-10T00:01:00-05:00",
        "previous_end": "2025-08-12T00:01:00-04:00",
        "days_moved": 90,
    }
    assert [entry["id"] for entry in document["deadlines"]] == ["ruling", "talks"]
    assert [entry["id"] for entry in document["in_force"]] == ["licences", "truce"]
    assert document["changes"] is None


# ---------------------------------------------------------------- check


def check_output(view: RunContext, states: list[EntryState], width: int | None) -> str:
    return "".join("".join(text for text, _ in line) + "\n" for line in views.check_lines(view, states, width))


def test_check_lines_fit_the_width_and_wrap_only_titles(view: RunContext, states: list[EntryState]) -> None:
    found = digest.check_deadlines(states, AS_OF, NEW_YORK, digest.DEFAULT_AHEAD)
    more = [s for s in states if s.id in ("licences", "truce")]
    assert check_output(view, found + more, 70) == joined(
        "2025-08-20             8 days  on      ruling    A court ruling",
        "2025-09-09            28 days  starts  talks     London talks",
        "2025-10-15            64 days  ends    licences  Temporary licences",
        "                                                 [red]markup[/red] and",
        "                                                 escape",
        "2025-11-10 00:01 EST  90 days  ends    truce     Geneva-like 90-day",
        "                                                 truce",
    )


@pytest.mark.parametrize("width", [100, None])
def test_check_lines_are_one_per_deadline_when_they_fit_or_wide(
    view: RunContext, states: list[EntryState], width: int | None
) -> None:
    found = digest.check_deadlines(states, AS_OF, NEW_YORK, digest.DEFAULT_AHEAD)
    more = [s for s in states if s.id in ("licences", "truce")]
    assert check_output(view, found + more, width) == joined(
        "2025-08-20             8 days  on      ruling    A court ruling",
        "2025-09-09            28 days  starts  talks     London talks",
        "2025-10-15            64 days  ends    licences  Temporary licences [red]markup[/red] and escape",
        "2025-11-10 00:01 EST  90 days  ends    truce     Geneva-like 90-day truce",
    )


def test_check_text_markdown_json(view: RunContext, states: list[EntryState]) -> None:
    found = digest.check_deadlines(states, AS_OF, NEW_YORK, None)
    assert [state.id for state in found] == ["ruling"]
    assert check_output(view, found, 80) == joined("2025-08-20  8 days  on  ruling  A court ruling")
    assert views.check_markdown(view, found) == joined(
        "## Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "| When | Left | Status | ID | Title |",
        "|---|---|---|---|---|",
        "| 2025-08-20 | 8 days | upcoming | ruling | A court ruling |",
    )
    document = json.loads(views.check_json(view, found, None))
    assert document["within"] is None
    assert [entry["id"] for entry in document["entries"]] == ["ruling"]


# ---------------------------------------------------------------- rates


def rates_text(view: RunContext, timeline: Timeline, width: int | None, ladder: bool) -> str:
    rates = Rates(timeline, AS_OF)
    history = rates.ladder("reciprocal") if ladder else None
    lines = views.rates_lines(view, rates.current_all(), history, width)
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


@pytest.mark.parametrize("width", [80, 100, None])
def test_rates_when_they_fit(view: RunContext, timeline: Timeline, width: int | None) -> None:
    assert rates_text(view, timeline, width, ladder=False) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "Measure     Rate  Since                 Set by",
        "reciprocal   10%  2025-05-14 00:01 EDT  truce",
    )
    assert rates_text(view, timeline, width, ladder=True) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "reciprocal",
        "From                  Rate  Set by",
        "2025-04-10 00:01 EDT  125%  escalation",
        "2025-05-14 00:01 EDT   10%  truce               now",
        "2025-11-10 00:01 EST   34%  truce (rate_after)  scheduled",
    )


def test_rates_at_40_columns_stack_and_cut_nothing(view: RunContext, timeline: Timeline) -> None:
    assert rates_text(view, timeline, 40, ladder=True) == joined(
        "Test timeline — as of 2025-08-12 00:01",
        "EDT (America/New_York)",
        "reciprocal",
        "2025-04-10 00:01 EDT  125%  escalation",
        "2025-05-14 00:01 EDT  10%  truce  now",
        "2025-11-10 00:01 EST  34%",
        "  truce (rate_after)  scheduled",
    )


def test_rates_markdown(view: RunContext, timeline: Timeline) -> None:
    rates = Rates(timeline, AS_OF)
    assert views.rates_markdown(view, rates.current_all(), None) == joined(
        "## Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "| Measure | Rate | Since | Set by |",
        "|---|---|---|---|",
        "| reciprocal | 10% | 2025-05-14 00:01 EDT | truce |",
    )
    assert views.rates_markdown(view, rates.current_all(), rates.ladder("reciprocal")) == joined(
        "## Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "| Measure | From | Rate | Set by | |",
        "|---|---|---|---|---|",
        "| reciprocal | 2025-04-10 00:01 EDT | 125% | escalation |  |",
        "| reciprocal | 2025-05-14 00:01 EDT | 10% | truce | now |",
        "| reciprocal | 2025-11-10 00:01 EST | 34% | truce (rate_after) | scheduled |",
    )


# ---------------------------------------------------------------- every view from the command line

VIEW_COMMANDS = [
    ["countdown"],
    ["countdown", "truce", "--live"],
    ["timeline"],
    ["timeline", "--format", "markdown"],
    ["timeline", "--format", "json"],
    ["timeline", "--format", "csv"],
    ["summary"],
    ["summary", "--format", "markdown"],
    ["summary", "--format", "json"],
    ["check", "--within", "70d"],
    ["check", "--within", "70d", "--format", "markdown"],
    ["check", "--within", "70d", "--format", "json"],
    ["check", "--within", "70d", "--format", "csv"],
    ["rates"],
    ["rates", "--history"],
    ["rates", "--format", "markdown"],
    ["rates", "--format", "json"],
    ["rates", "--format", "csv", "--history"],
]


def run_view(runner: CliRunner, path: Path, command: list[str], extra: list[str], env: dict[str, str]) -> str:
    result = runner.invoke(app, [*command, "-f", str(path), "--as-of", "2025-08-12T00:01", *extra], env=env)
    assert result.exit_code == (1 if command[0] == "check" else 0), (command, result.stderr)
    assert result.stdout
    return result.stdout


@pytest.mark.parametrize("command", VIEW_COMMANDS, ids=" ".join)
def test_views_print_no_ansi_or_control_characters_when_piped(
    runner: CliRunner, timeline_file: Path, command: list[str]
) -> None:
    out = run_view(runner, timeline_file, command, [], {})
    assert ANSI not in out
    assert not CONTROL.search(out), repr(CONTROL.search(out))
    if command[0] in ("summary", "check") or command == ["timeline", "--format", "markdown"]:
        # Titles are shown, and rich markup in them prints literally.
        assert "[red]markup[/red]" in out


@pytest.mark.parametrize("command", [c for c in VIEW_COMMANDS if "--format" not in c], ids=" ".join)
def test_views_colour_follows_color_no_color_and_term(
    runner: CliRunner, timeline_file: Path, command: list[str]
) -> None:
    assert ANSI in run_view(runner, timeline_file, command, ["--color", "always"], {})
    assert ANSI in run_view(runner, timeline_file, command, ["--color", "always"], {"NO_COLOR": "1"})
    assert ANSI in run_view(runner, timeline_file, command, [], {"FORCE_COLOR": "1"})
    assert ANSI not in run_view(runner, timeline_file, command, [], {"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ANSI not in run_view(runner, timeline_file, command, [], {"FORCE_COLOR": "1", "TERM": "dumb"})
    assert ANSI not in run_view(runner, timeline_file, command, ["--color", "never"], {"FORCE_COLOR": "1"})
    # Escape sequences from the file never get through, even with colour forced.
    coloured = run_view(runner, timeline_file, command, ["--color", "always"], {})
    assert "\x1b[31mescape" not in coloured


@pytest.mark.parametrize("command", [["countdown"], ["timeline"], ["summary"], ["check"], ["rates"]], ids=" ".join)
def test_views_accept_global_options_before_the_command(
    runner: CliRunner, timeline_file: Path, command: list[str]
) -> None:
    before = runner.invoke(app, ["-f", str(timeline_file), "--as-of", "2025-08-12T00:01", "--tz", "UTC", *command])
    after = runner.invoke(app, [*command, "-f", str(timeline_file), "--as-of", "2025-08-12T00:01", "--tz", "UTC"])
    assert before.exit_code == after.exit_code
    assert before.stdout == after.stdout
    assert "UTC" in after.stdout


def test_views_on_the_bundled_timeline_say_so(runner: CliRunner) -> None:
    for command in (["countdown"], ["timeline"], ["summary"], ["rates"]):
        result = runner.invoke(app, [*command, "--as-of", "2025-08-11"])
        assert result.exit_code == 0, (command, result.stderr)
        assert "bundled" in result.stdout and "2026-05-31" in result.stdout
    as_json = runner.invoke(app, ["summary", "--as-of", "2025-08-11", "--format", "json"])
    assert json.loads(as_json.stdout)["changes"] is None
    assert "bundled" in as_json.stderr


def test_countdown_defaults_to_the_next_three_active_deadlines(runner: CliRunner) -> None:
    result = runner.invoke(app, ["countdown", "--as-of", "2025-08-11"])
    assert result.exit_code == 0, result.stderr
    titles = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("╭─ ")]
    # cn-farm-tariffs has no end yet as of 2025-08-11: its end was announced on 2025-11-05
    assert titles == ["cn-truce", "geneva-truce", "cn-rare-earth-licences"]


def test_countdown_ids_and_errors(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(app, ["countdown", "talks", "truce", "-f", str(timeline_file), "--as-of", "2025-08-12"])
    assert result.exit_code == 0, result.stderr
    assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("╭─ ")] == ["talks", "truce"]
    unknown = runner.invoke(app, ["countdown", "truse", "-f", str(timeline_file), "--as-of", "2025-08-12"])
    assert unknown.exit_code == 2
    assert unknown.stdout == ""
    assert "did you mean 'truce'" in unknown.stderr
    modifier = runner.invoke(app, ["countdown", "ext", "-f", str(timeline_file), "--as-of", "2025-08-12"])
    assert modifier.exit_code == 2
    assert "count down to its target, 'truce'" in modifier.stderr


def test_countdown_with_nothing_active(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(app, ["countdown", "-f", str(timeline_file), "--as-of", "2027-01-01"])
    assert result.exit_code == 0
    assert "No active deadline as of 2027-01-01 00:00 EST" in result.stdout


def test_timeline_filters_and_bounds(runner: CliRunner, timeline_file: Path) -> None:
    def ids(*options: str) -> list[str]:
        result = runner.invoke(
            app, ["timeline", "-f", str(timeline_file), "--as-of", "2025-08-12", "--format", "json", *options]
        )
        assert result.exit_code == 0, result.stderr
        return [entry["id"] for entry in json.loads(result.stdout)["entries"]]

    assert ids() == ["escalation", "truce", "licences", "ruling", "talks"]
    assert ids("--kind", "talks", "--kind", "ruling") == ["ruling", "talks"]
    assert ids("--party", "CN") == ["truce", "licences", "talks"]
    assert ids("--party", "CN", "--kind", "talks") == ["talks"]
    assert ids("--from", "2025-08-21") == ["escalation", "truce", "licences", "talks"]
    assert ids("--to", "2025-05-01") == ["escalation"]
    # Relative bounds count from as-of.
    assert ids("--from", "+1w", "--to", "+10d") == ["escalation", "truce", "licences", "ruling"]
    bounds = runner.invoke(
        app, ["timeline", "-f", str(timeline_file), "--as-of", "2025-08-12", "--format", "json", "--to", "+10d"]
    )
    assert json.loads(bounds.stdout)["to"] == "2025-08-22T00:00:00-04:00"
    assert json.loads(bounds.stdout)["from"] == "2025-04-10T00:01:00-04:00"


def test_timeline_refuses_bad_bounds_and_filters(runner: CliRunner, timeline_file: Path) -> None:
    base = ["timeline", "-f", str(timeline_file), "--as-of", "2025-08-12"]
    backwards = runner.invoke(app, [*base, "--from", "2025-09-01", "--to", "2025-08-01"])
    assert backwards.exit_code == 2
    assert "trucetrack: error: --to must be later than --from" in backwards.stderr
    unreadable = runner.invoke(app, [*base, "--from", "someday"])
    assert unreadable.exit_code == 2
    assert "--from" in unreadable.stderr
    kind = runner.invoke(app, [*base, "--kind", "tarif"])
    assert kind.exit_code == 2
    assert "did you mean 'tariff'" in kind.stderr


def test_timeline_table_fits_the_terminal_width(runner: CliRunner, timeline_file: Path) -> None:
    for columns in ("60", "100", "140"):
        result = runner.invoke(
            app, ["timeline", "-f", str(timeline_file), "--as-of", "2025-08-12"], env={"COLUMNS": columns}
        )
        assert result.exit_code == 0
        assert max(len(line) for line in result.stdout.splitlines()) == int(columns)


def test_summary_refuses_csv_and_bad_windows(runner: CliRunner, timeline_file: Path) -> None:
    base = ["summary", "-f", str(timeline_file), "--as-of", "2025-08-12"]
    assert runner.invoke(app, [*base, "--format", "csv"]).exit_code == 2
    ahead = runner.invoke(app, [*base, "--ahead", "30m"])
    assert ahead.exit_code == 2
    assert "--ahead" in ahead.stderr and "ambiguous" in ahead.stderr
    assert runner.invoke(app, [*base, "--days", "-1"]).exit_code == 2
