"""The VTIMEZONEs of the ICS feed: every onset as an RDATE, at the local time before the change.

Clients read an observance two ways: from DTSTART and its RDATEs (RFC 5545),
or from its RDATEs alone once it has any (ical.js in Thunderbird, libical), one
value per RDATE line. The feed once gave the first daylight-time onset only in
DTSTART, so the second reading lost the summer of 2025. These tests read the
feed with icalendar and check that both readings give the same onsets, each at
the wall-clock time of the offset in force before the change.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar, Component
from typer.testing import CliRunner

from trucetrack.cli import app
from trucetrack.core.dates import get_zone
from trucetrack.output.vtimezone import vtimezone

REPO = Path(__file__).resolve().parent.parent.parent
CLOCK_CHANGES = [REPO / "tests" / "clients" / "timelines" / name for name in ("new-york.toml", "berlin.toml")]
BUNDLED = REPO / "timelines" / "us-china-2025.toml"

# The clock changes of 2025-2027 (the local time before each change), from the zones' rules.
NEW_YORK_ONSETS = {
    ("DAYLIGHT", "EDT"): ["2025-03-09T02:00", "2026-03-08T02:00", "2027-03-14T02:00"],
    ("STANDARD", "EST"): ["2025-11-02T02:00", "2026-11-01T02:00", "2027-11-07T02:00"],
}
BERLIN_ONSETS = {
    ("DAYLIGHT", "CEST"): ["2025-03-30T02:00", "2026-03-29T02:00", "2027-03-28T02:00"],
    ("STANDARD", "CET"): ["2025-10-26T03:00", "2026-10-25T03:00", "2027-10-31T03:00"],
}


def export_ics(*args: str) -> bytes:
    result = CliRunner().invoke(app, ["export", "--format", "ics", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def clock_changes_feed() -> Calendar:
    files = [option for path in CLOCK_CHANGES for option in ("-f", str(path))]
    return Calendar.from_ical(export_ics(*files, "--as-of", "2025-09-01"))


def rdates(observance: Component) -> list[datetime]:
    """Every RDATE of an observance, checking that each line carries one value (ical.js reads one)."""
    prop = observance.get("RDATE", [])
    lines = prop if isinstance(prop, list) else [prop]
    values: list[datetime] = []
    for line in lines:
        assert len(line.dts) == 1, f"one onset per RDATE line, got {line.to_ical()!r}"
        values.append(line.dts[0].dt)
    return values


def check_observances(timezone: Component) -> dict[tuple[str, str], list[str]]:
    """Check every observance of a VTIMEZONE against the zone; its onsets after the first, by kind and name."""
    zone = get_zone(str(timezone["TZID"]))
    observances = [part for part in timezone.subcomponents if part.name in ("STANDARD", "DAYLIGHT")]
    assert observances
    onsets: dict[tuple[str, str], list[str]] = {}
    for observance in observances:
        start = observance["DTSTART"].dt
        offset_from = observance["TZOFFSETFROM"].td
        offset_to = observance["TZOFFSETTO"].td
        values = rdates(observance)
        # Read either way, the observance begins at the same instants.
        assert start in values, f"{observance.name} DTSTART {start} is not among its RDATEs {values}"
        assert start == min(values)
        assert start.tzinfo is None and all(value.tzinfo is None for value in values)  # local times
        for value in values:
            # The local time before the change: on the clock of TZOFFSETFROM.
            change = (value - offset_from).replace(tzinfo=UTC)
            after = change.astimezone(zone)
            assert after.utcoffset() == offset_to
            assert bool(after.dst()) == (observance.name == "DAYLIGHT")
            assert after.tzname() == str(observance["TZNAME"])
            if offset_from != offset_to:
                assert (change - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset_from
                key = (observance.name, str(observance["TZNAME"]))
                onsets.setdefault(key, []).append(value.strftime("%Y-%m-%dT%H:%M"))
    return onsets


def test_each_onset_is_an_rdate_at_the_local_time_before_the_change() -> None:
    timezones = {str(timezone["TZID"]): timezone for timezone in clock_changes_feed().walk("VTIMEZONE")}
    assert list(timezones) == ["America/New_York", "Europe/Berlin"]  # in TZID order, before the events
    assert check_observances(timezones["America/New_York"]) == NEW_YORK_ONSETS
    assert check_observances(timezones["Europe/Berlin"]) == BERLIN_ONSETS


def test_the_first_observance_starts_the_range_and_is_listed_as_an_rdate_too() -> None:
    timezone = next(iter(clock_changes_feed().walk("VTIMEZONE")))
    first = timezone.subcomponents[0]
    assert first.name == "STANDARD"
    assert first["DTSTART"].dt == datetime(2025, 1, 1)
    assert rdates(first) == [datetime(2025, 1, 1)]
    assert first["TZOFFSETFROM"].td == first["TZOFFSETTO"].td == timedelta(hours=-5)


def test_the_bundled_feed_lists_the_2025_daylight_onset_as_an_rdate() -> None:
    # As of late 2025 the one-year items running to 2026-11-10 are known, so the feed spans 2026 too.
    data = export_ics("-f", str(BUNDLED), "--as-of", "2025-11-20")
    assert b"BEGIN:DAYLIGHT\r\nDTSTART:20250309T020000\r\nRDATE:20250309T020000\r\nRDATE:20260308T020000\r\n" in data
    for timezone in Calendar.from_ical(data).walk("VTIMEZONE"):
        check_observances(timezone)


@pytest.mark.parametrize(
    ("tzid", "first", "last"),
    [
        ("Australia/Lord_Howe", date(2025, 1, 1), date(2028, 1, 1)),  # half-hour daylight time
        ("America/Sao_Paulo", date(2017, 1, 1), date(2021, 1, 1)),  # daylight time abolished in 2019
        ("Africa/Casablanca", date(2025, 1, 1), date(2027, 1, 1)),  # moves for Ramadan, not by a rule
        ("Europe/Dublin", date(2025, 1, 1), date(2027, 1, 1)),
        ("Asia/Tokyo", date(2025, 1, 1), date(2027, 1, 1)),  # no change at all
    ],
)
def test_irregular_and_fixed_zones_read_the_same_both_ways(tzid: str, first: date, last: date) -> None:
    component = Calendar.from_ical(vtimezone(tzid, get_zone(tzid), first, last).to_ical())
    onsets = check_observances(component)
    # Every change the zone makes in the range is there.
    zone = get_zone(tzid)
    instant = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    changes = 0
    while instant < end:
        later = instant + timedelta(minutes=30)
        changes += instant.astimezone(zone).utcoffset() != later.astimezone(zone).utcoffset()
        instant = later
    assert sum(len(values) for values in onsets.values()) == changes


def test_an_instant_in_the_repeated_hour_is_written_in_utc() -> None:
    """01:30 on 2 November 2025 happens twice in New York. The file means the first (EDT);
    RFC 5545 would read the local time so, ical.js and libical read the second: UTC is the
    one way every client reads the same instant."""
    data = export_ics("-f", str(CLOCK_CHANGES[0]), "--as-of", "2025-09-01")
    assert b"DTSTART:20251102T053000Z\r\n" in data
    assert b"DTSTART;TZID=America/New_York:20250309T033000\r\n" in data  # just after the gap: local time


def test_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Two zones: their VTIMEZONEs come in TZID order, not in the order of a set."""
    files = [option for path in reversed(CLOCK_CHANGES) for option in ("-f", str(path))]
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TRUCETRACK_CACHE": "off"}
        command = [sys.executable, "-m", "trucetrack", "export", "--format", "ics", *files, "--as-of", "2025-09-01"]
        result = subprocess.run(command, env=env, capture_output=True, timeout=120, check=True, cwd=tmp_path)
        outputs.add(result.stdout)
    assert len(outputs) == 1
