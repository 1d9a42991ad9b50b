"""How every view shows a cancelled span: a status of its own, no end, nothing to count,
no bar on the chart, no rate, and a calendar event marked cancelled."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from trucetrack.cli import app
from trucetrack.output.text import STATUS_STYLES

PLAN = textwrap.dedent(
    """\
    schema = 1
    title = "Plans"
    timezone = "America/New_York"

    [[event]]
    id = "base"
    kind = "tariff"
    title = "Base rate"
    start = 2025-01-01
    measure = "steel"
    rate = 5.0

    [[event]]
    id = "plan"
    kind = "tariff"
    title = "Planned rate"
    start = 2025-09-01
    duration = "90d"
    warn = "21d"
    measure = "steel"
    rate = 25.0
    rate_after = 10.0

    [[event]]
    id = "round"
    kind = "talks"
    title = "Second round"
    start = 2025-09-10
    through = 2025-09-11

    [[event]]
    id = "call-off"
    kind = "termination"
    target = "plan"
    date = 2025-08-01

    [[event]]
    id = "no-round"
    kind = "termination"
    target = "round"
    date = 2025-08-01
    """
)

AFTER = "2025-08-02"


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_status_leaves_it_out_unless_asked_and_shows_the_start_it_would_have_had(plan: Path, runner: CliRunner) -> None:
    assert "plan" not in run(runner, "status", "-f", str(plan), "--as-of", AFTER)
    table = run(runner, "status", "-f", str(plan), "--as-of", AFTER, "--all").splitlines()
    row = next(line for line in table if " plan " in line)
    assert row.split() == ["2025-09-01", "—", "cancelled", "plan", "Planned", "rate"]
    only = run(runner, "status", "-f", str(plan), "--as-of", AFTER, "--status", "cancelled", "--format", "json")
    entries = json.loads(only)["entries"]
    assert [(e["id"], e["status"], e["end"], e["days_left"], e["seconds_left"]) for e in entries] == [
        ("plan", "cancelled", None, None, None),
        ("round", "cancelled", None, None, None),
    ]
    assert entries[0]["original_end"] == "2025-11-30T00:00:00-05:00"


def test_before_the_decision_it_is_scheduled(plan: Path, runner: CliRunner) -> None:
    table = run(runner, "status", "-f", str(plan), "--as-of", "2025-07-01")
    assert "scheduled  plan" in table


def test_cancelled_has_a_style() -> None:
    assert STATUS_STYLES["cancelled"]


def test_show_says_who_cancelled_it_and_when(plan: Path, runner: CliRunner) -> None:
    shown = " ".join(run(runner, "show", "plan", "-f", str(plan), "--as-of", AFTER).split())
    assert "status cancelled" in shown
    assert "end never in force: cancelled by call-off (decided 2025-08-01)" in shown
    assert "→ never in force: cancelled by call-off (decided 2025-08-01) warn" in shown  # no "(-N days)"
    assert "left" not in shown.split()


def test_countdown_has_nothing_to_count(plan: Path, runner: CliRunner) -> None:
    text = run(runner, "countdown", "plan", "-f", str(plan), "--as-of", AFTER)
    assert "cancelled by call-off: nothing to count down to" in text
    assert "elapsed" not in text
    assert "plan" not in run(runner, "countdown", "-f", str(plan), "--as-of", AFTER)


def test_timeline_draws_a_mark_at_the_start_and_no_bar(plan: Path, runner: CliRunner) -> None:
    chart = run(runner, "timeline", "-f", str(plan), "--as-of", AFTER).splitlines()
    row = next(line for line in chart if line.startswith("plan "))
    assert [cell for cell in row.split()[1:] if cell != "┆"] == ["×"]  # one mark (and the as-of line)
    assert any("× cancelled (never in force)" in line for line in chart)  # the legend
    markdown = run(runner, "timeline", "-f", str(plan), "--as-of", AFTER, "--format", "markdown")
    assert "| 2025-09-01 | cancelled by call-off | cancelled | tariff | plan | Planned rate |" in markdown


def test_rates_ignore_it(plan: Path, runner: CliRunner) -> None:
    for at in (AFTER, "2025-10-01", "2026-01-01"):
        measures = json.loads(run(runner, "rates", "-f", str(plan), "--as-of", at, "--format", "json"))["measures"]
        assert [(m["entry"], m["rate"]) for m in measures] == [("base", 5.0)]


def test_summary_check_and_in_force_leave_it_out(plan: Path, runner: CliRunner) -> None:
    digest = json.loads(run(runner, "summary", "-f", str(plan), "--as-of", AFTER, "--format", "json"))
    assert [h["id"] for h in digest["happened"]] == ["call-off", "no-round"]
    assert digest["happened"][0]["end"] is None and digest["happened"][0]["days_moved"] is None
    assert [e["id"] for e in digest["in_force"]] == ["base"]
    assert digest["deadlines"] == []
    text = run(runner, "summary", "-f", str(plan), "--as-of", AFTER)
    assert "plan is cancelled (never in force)" in " ".join(text.split())
    result = runner.invoke(app, ["check", "-f", str(plan), "--as-of", "2025-08-25"])
    assert (result.exit_code, result.output) == (0, "")


def test_calendar_marks_its_events_cancelled_with_no_alarm_and_no_deadline(plan: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["export", "-f", str(plan), "--as-of", AFTER, "--format", "ics"])
    assert result.exit_code == 0, result.output
    events = {str(e["UID"]): e for e in Calendar.from_ical(result.stdout_bytes).walk("VEVENT")}
    assert "plan.end@trucetrack" not in events  # no deadline: it never ends, having never begun
    start = events["plan.start@trucetrack"]
    assert str(start["STATUS"]) == "CANCELLED"
    assert int(start["SEQUENCE"]) == 1  # a subscribed calendar updates the event it has
    assert start.walk("VALARM") == []
    assert "Status as of 2025-08-02 00:00 EDT: cancelled" in str(start["DESCRIPTION"])
    talks = events["round.span@trucetrack"]  # a talk round keeps its days, marked cancelled
    assert str(talks["STATUS"]) == "CANCELLED"
    assert (talks.decoded("DTSTART").isoformat(), talks.decoded("DTEND").isoformat()) == ("2025-09-10", "2025-09-12")
    assert "STATUS" not in events["base.start@trucetrack"]


def test_export_json_has_its_status_no_end_and_the_termination_in_its_history(plan: Path, runner: CliRunner) -> None:
    document = json.loads(run(runner, "export", "-f", str(plan), "--as-of", AFTER, "--format", "json"))
    record = next(e for e in document["entries"] if e["id"] == "plan")
    assert (record["status"], record["end"], record["days_left"]) == ("cancelled", None, None)
    assert [(h["kind"], h["set_by"]) for h in record["history"]] == [("original", None), ("termination", "call-off")]
