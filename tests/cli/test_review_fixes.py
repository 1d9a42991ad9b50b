"""Regressions from the review of the core and the views: each test names the defect it pins."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import NEW_YORK, instant
from trucetrack.cli import app
from trucetrack.core.dates import ZoneError, get_zone, parse_as_of, to_instant
from trucetrack.core.text import csv_cell
from trucetrack.engine.status import Engine
from trucetrack.errors import InvalidTimeline
from trucetrack.load.loader import load as load_timeline
from trucetrack.output.text import left_text

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/Europe/Paris", "right/UTC"])
def test_the_machine_zone_and_other_non_place_zones_are_refused(name: str) -> None:
    with pytest.raises(ZoneError):
        get_zone(name)


def test_a_file_in_localtime_is_invalid(write_timeline: Callable[..., Path]) -> None:
    path = write_timeline('schema = 1\ntimezone = "localtime"\n', header=False)
    with pytest.raises(InvalidTimeline) as raised:
        load_timeline([str(path)])
    assert "timezone" in str(raised.value.problems[0])


def test_a_date_where_midnight_is_skipped_is_the_first_instant_of_the_day() -> None:
    santiago = get_zone("America/Santiago")
    day = datetime(2025, 9, 7).date()
    assert to_instant(day, santiago) == datetime(2025, 9, 7, 4, 0, tzinfo=UTC)  # 01:00 -03, the day's first instant
    assert parse_as_of("2025-09-07", now=NOW, zone=santiago) == datetime(2025, 9, 7, 4, 0, tzinfo=UTC)


def test_the_25_hour_day_shows_hours_not_zero_days(make_timeline: Callable[..., object]) -> None:
    timeline = make_timeline(
        """
        [[event]]
        id = "p"
        kind = "deadline"
        title = "Ends on the day DST ends"
        start = 2025-10-01
        end = 2025-11-02T23:30:00
        """
    )
    zone = get_zone("America/New_York")
    as_of = to_instant(datetime(2025, 11, 2).date(), zone)
    engine = Engine(timeline)  # type: ignore[arg-type]
    (state,) = engine.states(as_of, zone)
    assert state.days_left == 0 and state.seconds_left == 24 * 3600 + 30 * 60
    assert left_text(state) == "24h 30m"


@pytest.mark.parametrize("text", ["2025-08-11 23:00 EDT", "Aug 11 2025 9pm CST"])
def test_zone_abbreviations_in_as_of_are_refused_not_guessed(text: str) -> None:
    with pytest.raises(ValueError, match="offset"):
        parse_as_of(text, now=NOW, zone=get_zone("UTC"))


def test_utc_in_an_english_as_of_is_understood() -> None:
    assert parse_as_of("Aug 11 2025 23:00 UTC", now=NOW, zone=get_zone("Asia/Shanghai")) == datetime(
        2025, 8, 11, 23, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("cell", [" =1+2", "\t@SUM(A1)", "  -2"])
def test_csv_formula_guard_sees_through_leading_blanks(cell: str) -> None:
    assert csv_cell(cell).startswith("'")


def test_a_path_too_long_is_an_error_not_a_traceback(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "a" * 300 + ".toml"])
    assert result.exit_code == 2
    assert "trucetrack: error:" in result.output and "Traceback" not in result.output


def test_a_file_given_twice_is_read_once(write_timeline: Callable[..., Path], runner: CliRunner) -> None:
    path = str(write_timeline('[[event]]\nid = "a"\nkind = "data"\ntitle = "A"\ndate = 2025-01-01\n'))
    result = runner.invoke(app, ["validate", path, path])
    assert result.exit_code == 0, result.output
    assert result.output == "ok: 1 entry in 1 file\n"


def test_every_problem_is_reported_even_in_entries_with_other_problems(write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(
        """
        [[event]]
        id = "a"
        kind = "talk"
        title = "x"
        date = 2025-01-01
        parties = ["XX"]

        [[event]]
        id = "b"
        kind = "extension"
        target = "zz"
        date = 2025-01-01
        by = "9m"
        """
    )
    with pytest.raises(InvalidTimeline) as raised:
        load_timeline([str(path)])
    messages = [f"{p.line}: {p.subject}: {p.message}" for p in raised.value.problems]
    assert [m.split(":")[0] for m in messages] == sorted((m.split(":")[0] for m in messages), key=int)
    assert any("unknown kind 'talk'" in m for m in messages)
    assert any("unknown party 'XX'" in m for m in messages)
    assert any("unknown target 'zz'" in m for m in messages)
    assert any("ambiguous duration" in m for m in messages)


def test_a_termination_that_takes_effect_before_its_target_starts_cancels_it(
    write_timeline: Callable[..., Path],
) -> None:
    path = write_timeline(
        """
        [[event]]
        id = "s"
        kind = "agreement"
        title = "S"
        start = 2025-05-01

        [[event]]
        id = "t"
        kind = "termination"
        target = "s"
        date = 2025-04-01
        """
    )
    timeline = load_timeline([str(path)])  # valid: it cancels the span, which never takes effect
    span = timeline.entry("s")
    assert span is not None
    engine = Engine(timeline)
    assert engine.state(span, instant("2025-03-31T23:59"), NEW_YORK).status == "scheduled"
    assert engine.state(span, instant("2025-04-01T00:00"), NEW_YORK).status == "cancelled"


def test_check_prints_nothing_at_all_when_it_finds_nothing(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "--as-of", "2027-01-01"])
    assert result.exit_code == 0
    assert result.output == ""


@pytest.mark.parametrize("command", ["status", "show", "rates", "export", "check"])
def test_version_is_accepted_after_the_command_name(command: str, runner: CliRunner) -> None:
    result = runner.invoke(app, [command, "--version"])
    assert result.exit_code == 0
    assert result.output.startswith("trucetrack ")


def test_an_empty_as_of_is_an_error_and_an_empty_variable_is_unset(runner: CliRunner) -> None:
    assert runner.invoke(app, ["status", "--as-of", ""]).exit_code == 2
    result = runner.invoke(app, ["status", "--as-of", "2025-08-11"], env={"TRUCETRACK_TZ": ""})
    assert result.exit_code == 0


def test_errors_from_the_environment_name_the_variable(runner: CliRunner) -> None:
    result = runner.invoke(app, ["status"], env={"TRUCETRACK_AS_OF": "garbage"})
    assert result.exit_code == 2
    assert "trucetrack: error: TRUCETRACK_AS_OF:" in result.output


def test_a_narrow_table_fits_and_cuts_no_id(runner: CliRunner) -> None:
    arguments = ["status", "--all", "--as-of", "2026-06-01"]
    listed = runner.invoke(app, [*arguments, "--format", "json"])
    ids = [entry["id"] for entry in json.loads(listed.stdout[listed.stdout.index("{") :])["entries"]]
    assert len(ids) > 20
    result = runner.invoke(app, arguments, env={"COLUMNS": "60"})
    assert result.exit_code == 0
    assert all(len(line) <= 60 and line == line.rstrip() for line in result.output.splitlines())
    assert "…" not in result.output
    words = result.output.split()
    assert all(entry_id in words for entry_id in ids)
    wide = runner.invoke(app, [*arguments, "--wide"], env={"COLUMNS": "60"}).output.splitlines()
    rows = wide[next(i for i, line in enumerate(wide) if line.startswith("When")) + 1 :]
    assert [next(word for word in row.split() if word in ids) for row in rows] == ids


def test_suspended_measures_in_the_bundled_timeline_are_not_in_force(runner: CliRunner) -> None:
    result = runner.invoke(app, ["status", "--as-of", "2026-06-01", "--format", "json", "--all"])
    document = result.stdout[result.stdout.index("{") :]
    rows = {entry["id"]: entry["status"] for entry in json.loads(document)["entries"]}
    # Each measure is ended by its suspension; the suspension's own end is a deadline
    # ("... ends unless extended"), never a forecast that the measure came back.
    for measure, suspension, deadline in (
        ("bis-affiliates-rule", "bis-affiliates-suspension", "affiliates-suspension-ends"),
        ("cn-oct9-controls", "cn-no70-suspension", "cn-no70-suspension-ends"),
        ("port-fees", "port-fee-suspension", "port-fee-suspension-ends"),
    ):
        assert rows[measure] == "terminated"
        assert rows[suspension] == "active"
        assert rows[deadline] == "upcoming"


def test_a_later_termination_that_changes_nothing_leaves_the_span_terminated(
    make_timeline: Callable[..., object],
) -> None:
    timeline = make_timeline(
        """
        [[event]]
        id = "s"
        kind = "agreement"
        title = "S"
        start = 2025-01-01
        end = 2025-12-31

        [[event]]
        id = "t1"
        kind = "termination"
        target = "s"
        date = 2025-03-01

        [[event]]
        id = "t2"
        kind = "termination"
        target = "s"
        date = 2025-04-01
        end = 2025-06-01
        """
    )
    zone = get_zone("America/New_York")
    engine = Engine(timeline)  # type: ignore[arg-type]
    (state,) = engine.states(to_instant(datetime(2025, 5, 1).date(), zone), zone)
    assert state.status == "terminated"
    from trucetrack.engine.status import end_setter

    setter = end_setter(state.history)
    assert setter.modifier is not None and setter.modifier.id == "t1"


def test_the_bundled_timeline_is_never_written_even_from_a_source_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    from trucetrack.store import files as store

    copy = tmp_path / "us-china-2025.toml"
    copy.write_bytes(store.bundled_timeline_path().read_bytes())
    monkeypatch.setattr(store, "bundled_timeline_path", lambda: copy)
    before = copy.read_bytes()
    result = runner.invoke(app, ["add", "-f", str(copy), "--kind", "talks", "--title", "Zed", "--date", "2025-01-01"])
    assert result.exit_code == 2
    assert "never written" in result.output
    assert copy.read_bytes() == before


def test_messages_use_the_right_article(write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(
        """
        [[event]]
        id = "s"
        kind = "agreement"
        title = "S"
        start = 2025-01-01

        [[event]]
        id = "t"
        kind = "termination"
        target = "s"
        date = 2025-03-01

        [[event]]
        id = "x"
        kind = "extension"
        target = "t"
        date = 2025-03-02
        by = "1d"
        """
    )
    with pytest.raises(InvalidTimeline) as raised:
        load_timeline([str(path)])
    assert "is a termination" in raised.value.problems[0].message
