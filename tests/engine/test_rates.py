"""Rates of measures as of an instant, on the real 2025 ladder and on hand-made files."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import instant
from trucetrack.cli import app
from trucetrack.core.model import Timeline
from trucetrack.engine.rates import AFTER, IN_FORCE, LAPSED, Rates

MakeTimeline = Callable[..., Timeline]

SHANGHAI_ZONE = "Asia/Shanghai"


def rate(timeline: Timeline, measure: str, at: datetime) -> tuple[float | None, str, str] | None:
    step = Rates(timeline, at).current(measure)
    return None if step is None else (step.rate, step.entry.id, step.phase)


# ---------------------------------------------------------------- the real 2025 escalation ladder


@pytest.mark.parametrize(
    ("at", "expected", "entry_id"),
    [
        ("2025-04-05T00:00", None, None),  # a minute before the baseline: no entry started yet
        ("2025-04-05T00:01", 10.0, "reciprocal-baseline-10"),
        ("2025-04-09T00:00", 10.0, "reciprocal-baseline-10"),
        ("2025-04-09T00:01", 84.0, "reciprocal-84"),  # 12:01 a.m. EDT Apr 9 (the 34% never applied)
        ("2025-04-10T00:00", 84.0, "reciprocal-84"),
        ("2025-04-10T00:01", 125.0, "reciprocal-125"),
        ("2025-05-14T00:00", 125.0, "reciprocal-125"),
        ("2025-05-14T00:01", 10.0, "geneva-truce"),  # Geneva: 10% from 12:01 a.m. EDT May 14
        ("2025-08-12T00:01", 10.0, "geneva-truce"),  # extended by EO 14334 (decided Aug 11)
        ("2026-02-24T00:00", 10.0, "geneva-truce"),
        ("2026-02-24T00:01", 0.0, "reciprocal-0"),  # IEEPA collection stops
    ],
)
def test_us_reciprocal_ladder(bundled: Timeline, at: str, expected: float | None, entry_id: str | None) -> None:
    found = rate(bundled, "us-reciprocal-cn", instant(at))
    if expected is None:
        assert found is None
    else:
        assert found == (expected, entry_id, IN_FORCE)


def test_ieepa_totals_from_the_facts(bundled: Timeline) -> None:
    """The bundled facts: reciprocal + fentanyl = 30, 104, 145, 30, 20, 0."""
    cases = {
        "2025-04-05T00:01": 30,
        "2025-04-09T00:01": 104,
        "2025-04-10T00:01": 145,
        "2025-05-14T00:01": 30,
        "2025-11-10T00:01": 20,
        "2026-02-24T00:01": 0,
    }
    for at, total in cases.items():
        rates = Rates(bundled, instant(at))
        steps = {step.measure: step.rate for step in rates.current_all(["us-reciprocal-cn", "us-fentanyl-cn"])}
        assert sum(value or 0 for value in steps.values()) == total, at


def test_china_retaliatory_ladder_in_beijing_time(bundled: Timeline) -> None:
    # Announcement No. 5: 84% from 12:01 p.m. Beijing on 2025-04-10 (00:01 EDT, with the US 125%).
    assert rate(bundled, "cn-retaliatory-us", instant("2025-04-10T12:00", SHANGHAI_ZONE)) is None
    assert rate(bundled, "cn-retaliatory-us", instant("2025-04-10T12:01", SHANGHAI_ZONE)) == (
        84.0,
        "cn-retaliatory-84",
        IN_FORCE,
    )
    assert rate(bundled, "cn-retaliatory-us", instant("2025-04-12T00:00", SHANGHAI_ZONE)) == (
        125.0,
        "cn-retaliatory-125",
        IN_FORCE,
    )
    assert rate(bundled, "cn-retaliatory-us", instant("2025-05-14T12:00", SHANGHAI_ZONE)) == (
        125.0,
        "cn-retaliatory-125",
        IN_FORCE,
    )
    assert rate(bundled, "cn-retaliatory-us", instant("2025-05-14T12:01", SHANGHAI_ZONE)) == (
        10.0,
        "cn-truce",
        IN_FORCE,
    )


def test_ladder_as_known_before_the_first_extension_schedules_the_lapse(bundled: Timeline) -> None:
    """As of 2025-08-10 EO 14334 was not decided: the 10% was set to revert to 34% at the original end."""
    ladder = Rates(bundled, instant("2025-08-10T00:00")).ladder("us-reciprocal-cn")
    shown = [(step.since, step.rate, step.entry.id, step.phase, step.scheduled) for step in ladder]
    assert shown[:5] == [
        (instant("2025-04-05T00:01"), 10.0, "reciprocal-baseline-10", IN_FORCE, False),
        (instant("2025-04-09T00:01"), 84.0, "reciprocal-84", IN_FORCE, False),
        (instant("2025-04-10T00:01"), 125.0, "reciprocal-125", IN_FORCE, False),
        (instant("2025-05-14T00:01"), 10.0, "geneva-truce", IN_FORCE, False),
        (instant("2025-08-12T00:01"), 34.0, "geneva-truce", AFTER, True),
    ]


def test_section_122_lapses_to_its_rate_after(bundled: Timeline) -> None:
    """A real lapse in the bundled data: the 150-day surcharge ends 12:01 a.m. EDT 2026-07-24, rate_after 0."""
    assert rate(bundled, "us-s122", instant("2026-07-24T00:00")) == (10.0, "s122-surcharge", IN_FORCE)
    step = Rates(bundled, instant("2026-08-01")).current("us-s122")
    assert step is not None
    lapse = instant("2026-07-24T00:01")
    assert (step.rate, step.entry.id, step.phase, step.since) == (0.0, "s122-surcharge", AFTER, lapse)


# ---------------------------------------------------------------- hand-made files

LAPSE = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"
measure = "reciprocal"
rate = 10.0
rate_after = 34.0

[[event]]
id = "escalation"
kind = "tariff"
title = "Escalation"
start = 2025-04-10T00:01:00
measure = "reciprocal"
rate = 125.0
"""


def test_rate_after_applies_after_a_lapse(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(LAPSE)
    assert rate(timeline, "reciprocal", instant("2025-08-12T00:00")) == (10.0, "truce", IN_FORCE)
    assert rate(timeline, "reciprocal", instant("2025-08-12T00:01")) == (34.0, "truce", AFTER)
    assert rate(timeline, "reciprocal", instant("2026-01-01")) == (34.0, "truce", AFTER)


def test_an_extension_moves_the_rate_end_only_once_decided(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        LAPSE
        + """
[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"
"""
    )
    # Known on 2025-08-10: the lapse on 2025-08-12 is still what is scheduled.
    before = Rates(timeline, instant("2025-08-10")).ladder("reciprocal")
    assert [(s.since, s.rate, s.scheduled) for s in before][-1] == (instant("2025-08-12T00:01"), 34.0, True)
    # Once decided, 10% runs to 2025-11-10 00:01 EST (wall clock + 90 days) and then lapses.
    assert rate(timeline, "reciprocal", instant("2025-08-12T00:01")) == (10.0, "truce", IN_FORCE)
    assert rate(timeline, "reciprocal", instant("2025-11-10T00:00")) == (10.0, "truce", IN_FORCE)
    assert rate(timeline, "reciprocal", instant("2025-11-10T00:01")) == (34.0, "truce", AFTER)


def test_a_termination_ends_the_rate_early(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        LAPSE
        + """
[[event]]
id = "stop"
kind = "termination"
target = "truce"
date = 2025-06-01
end = 2025-06-15
"""
    )
    assert rate(timeline, "reciprocal", instant("2025-06-14T23:59")) == (10.0, "truce", IN_FORCE)
    step = Rates(timeline, instant("2025-06-15")).current("reciprocal")
    assert step is not None
    assert (step.rate, step.phase, step.since) == (34.0, AFTER, instant("2025-06-15T00:00"))


def test_rate_after_stops_when_a_newer_entry_starts(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        LAPSE
        + """
[[event]]
id = "deal"
kind = "tariff"
title = "Deal"
start = 2025-09-01
measure = "reciprocal"
rate = 15.0
"""
    )
    assert rate(timeline, "reciprocal", instant("2025-08-31")) == (34.0, "truce", AFTER)
    assert rate(timeline, "reciprocal", instant("2025-09-01")) == (15.0, "deal", IN_FORCE)


def test_an_ended_entry_without_rate_after_leaves_the_rate_unknown(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        """\
[[event]]
id = "temporary"
kind = "tariff"
title = "Temporary"
start = 2025-01-01
through = 2025-01-31
measure = "duty"
rate = 5.0
"""
    )
    step = Rates(timeline, instant("2025-02-15")).current("duty")
    assert step is not None
    assert (step.rate, step.entry.id, step.phase, step.since) == (None, "temporary", LAPSED, instant("2025-02-01"))


def test_a_lapsed_rate_is_shown_as_unknown(runner: CliRunner, write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(
        """\
[[event]]
id = "temporary"
kind = "tariff"
title = "Temporary"
start = 2025-01-01
through = 2025-01-31
measure = "duty"
rate = 5.0
"""
    )
    table = runner.invoke(app, ["rates", "-f", str(path), "--as-of", "2025-02-15"])
    assert table.exit_code == 0
    assert table.stdout.splitlines()[1:] == [
        "Measure  Rate  Since       Set by",
        "duty        —  2025-02-01  temporary (ended, no rate_after)",
    ]
    as_json = runner.invoke(app, ["rates", "-f", str(path), "--as-of", "2025-02-15", "--format", "json"])
    assert json.loads(as_json.stdout)["measures"] == [
        {"measure": "duty", "rate": None, "since": "2025-02-01T00:00:00-05:00", "entry": "temporary", "confirmed": True}
    ]


def test_an_older_entry_still_in_force_applies_again_after_a_temporary_one(make_timeline: MakeTimeline) -> None:
    """The latest-starting entry that applies: once the hike ends (no rate_after), the open-ended base applies."""
    timeline = make_timeline(
        """\
[[event]]
id = "base"
kind = "tariff"
title = "Base"
start = 2025-01-01
measure = "duty"
rate = 10.0

[[event]]
id = "hike"
kind = "tariff"
title = "Hike"
start = 2025-03-01
end = 2025-04-01
measure = "duty"
rate = 20.0
"""
    )
    ladder = Rates(timeline, instant("2025-06-01")).ladder("duty")
    assert [(s.since, s.rate, s.entry.id) for s in ladder] == [
        (instant("2025-01-01"), 10.0, "base"),
        (instant("2025-03-01"), 20.0, "hike"),
        (instant("2025-04-01"), 10.0, "base"),
    ]
    current = Rates(timeline, instant("2025-06-01")).current("duty")
    assert current is not None and current.since == instant("2025-04-01")


def test_a_point_sets_a_rate_from_its_date_and_ties_go_to_the_later_entry(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        """\
[[event]]
id = "first"
kind = "tariff"
title = "First"
start = 2025-03-01
measure = "duty"
rate = 10.0

[[event]]
id = "second"
kind = "announcement"
title = "Second, same instant, later in the file"
date = 2025-03-01
measure = "duty"
rate = 12.5
"""
    )
    assert rate(timeline, "duty", instant("2025-02-28")) is None
    assert rate(timeline, "duty", instant("2025-03-01")) == (12.5, "second", IN_FORCE)


def test_a_measure_not_started_by_as_of_is_left_out(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(LAPSE)
    rates = Rates(timeline, instant("2025-01-01"))
    assert rates.measures == ["reciprocal"]
    assert rates.current_all() == []


# ---------------------------------------------------------------- the command


def test_rates_json_is_exactly_the_spec_shape(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rates", "--as-of", "2025-04-10T12:00", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "as_of": "2025-04-10T12:00:00-04:00",
        "measures": [
            {
                "measure": "cn-farm-us",
                "rate": 15.0,
                "since": "2025-03-09T12:00:00-04:00",
                "entry": "cn-farm-tariffs",
                "confirmed": True,
            },
            {
                "measure": "cn-retaliatory-us",
                "rate": 84.0,
                "since": "2025-04-10T00:01:00-04:00",
                "entry": "cn-retaliatory-84",
                "confirmed": True,
            },
            {
                "measure": "us-fentanyl-cn",
                "rate": 20.0,
                "since": "2025-03-04T00:01:00-05:00",
                "entry": "fentanyl-20",
                "confirmed": True,
            },
            {
                "measure": "us-reciprocal-cn",
                "rate": 125.0,
                "since": "2025-04-10T00:01:00-04:00",
                "entry": "reciprocal-125",
                "confirmed": True,
            },
        ],
    }
    assert "bundled" in result.stderr


def test_rates_for_one_measure_with_history_json(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["rates", "us-reciprocal-cn", "--history", "--as-of", "2025-05-14T00:01", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["measures"] == [
        {
            "measure": "us-reciprocal-cn",
            "rate": 10.0,
            "since": "2025-05-14T00:01:00-04:00",
            "entry": "geneva-truce",
            "confirmed": True,
        }
    ]
    assert [(h["since"], h["rate"], h["phase"], h["scheduled"]) for h in document["history"]] == [
        ("2025-04-05T00:01:00-04:00", 10.0, "in force", False),
        ("2025-04-09T00:01:00-04:00", 84.0, "in force", False),
        ("2025-04-10T00:01:00-04:00", 125.0, "in force", False),
        ("2025-05-14T00:01:00-04:00", 10.0, "in force", False),
        ("2025-08-12T00:01:00-04:00", 34.0, "after", True),
    ]  # the 0% of 2026-02-24 was announced on 2026-02-20: not yet known


def test_rates_in_another_display_zone(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["rates", "cn-retaliatory-us", "--as-of", "2025-05-14T12:01", "--tz", "Asia/Shanghai", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["measures"][0]["since"] == "2025-05-14T12:01:00+08:00"


def test_rates_csv(runner: CliRunner, write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(LAPSE)
    result = runner.invoke(app, ["rates", "-f", str(path), "--as-of", "2025-09-01", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "measure,rate,since,entry,confirmed\nreciprocal,34,2025-08-12T00:01:00-04:00,truce,true\n"
    history = runner.invoke(app, ["rates", "-f", str(path), "--as-of", "2025-09-01", "--format", "csv", "--history"])
    assert history.stdout.splitlines() == [
        "measure,rate,since,entry,confirmed,phase,scheduled",
        "reciprocal,125,2025-04-10T00:01:00-04:00,escalation,true,in force,false",
        "reciprocal,10,2025-05-14T00:01:00-04:00,truce,true,in force,false",
        "reciprocal,34,2025-08-12T00:01:00-04:00,truce,true,after,false",
    ]


def test_rates_unknown_measure_exits_2_with_a_hint(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rates", "us-reciprocal", "--as-of", "2025-06-01"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "did you mean 'us-reciprocal-cn'" in result.stderr


def test_rates_before_any_measure_started(runner: CliRunner, write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(LAPSE)
    table = runner.invoke(app, ["rates", "-f", str(path), "--as-of", "2025-01-01"])
    assert table.exit_code == 0
    assert "No measure has a rate as of 2025-01-01 00:00 EST." in table.stdout
    as_json = runner.invoke(app, ["rates", "-f", str(path), "--as-of", "2025-01-01", "--format", "json"])
    assert json.loads(as_json.stdout) == {"as_of": "2025-01-01T00:00:00-05:00", "measures": []}


def test_rates_global_options_after_the_command(runner: CliRunner) -> None:
    before = runner.invoke(app, ["--as-of", "2025-04-09T00:01", "rates", "--format", "json"])
    after = runner.invoke(app, ["rates", "--format", "json", "--as-of", "2025-04-09T00:01"])
    assert before.exit_code == after.exit_code == 0
    assert before.stdout == after.stdout
