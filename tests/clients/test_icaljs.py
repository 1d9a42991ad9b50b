"""The ICS feed read by Mozilla's ical.js, the parser inside Thunderbird.

ical.js (like libical) reads an observance of a VTIMEZONE from its RDATEs alone
once it has any, ignoring DTSTART, and takes one value per RDATE line. A feed
that gave the first daylight-time onset only in DTSTART was read one hour late
for every instant of that first summer. Here the installed command exports the
same timeline as ICS and as JSON, and every timed event's instant as ical.js
reads it must be the instant of the JSON export.

The client is installed by ``npm ci`` in this folder (``.ci/run`` does it);
without Node or ical.js the tests skip and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
READER = HERE / "read_ics.mjs"
TIMELINES = HERE / "timelines"
BUNDLED = HERE.parent.parent / "timelines" / "us-china-2025.toml"
NODE = shutil.which("node")
TRUCETRACK = Path(sys.executable).with_name("trucetrack")
COMMAND = [str(TRUCETRACK)] if TRUCETRACK.exists() else [sys.executable, "-m", "trucetrack"]

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: the ical.js client test needs Node.js"),
    pytest.mark.skipif(
        not (HERE / "node_modules" / "ical.js").is_dir(),
        reason="ical.js is not installed: run `npm ci` in tests/clients (.ci/run does)",
    ),
]


def run(*args: str) -> bytes:
    env = {**os.environ, "TRUCETRACK_CACHE": "off", "TZ": "UTC"}
    result = subprocess.run([*COMMAND, *args], env=env, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def read_with_icaljs(path: Path) -> list[dict[str, Any]]:
    assert NODE is not None
    result = subprocess.run([NODE, str(READER), str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    events: list[dict[str, Any]] = json.loads(result.stdout)
    return events


def utc(text: str) -> str:
    """An ISO instant with its offset, as the UTC instant ical.js prints."""
    return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_instants(document: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    """Each event's UID with the instants the JSON export gives for its DTSTART and DTEND."""
    expected: dict[str, dict[str, str | None]] = {}
    for record in document["entries"]:
        uid = record["id"] + ".{}@trucetrack"
        if record["shape"] == "point":
            expected[uid.format("date")] = {"dtstart": record["date"], "dtend": None}
        elif record["shape"] == "span":
            expected[uid.format("start")] = {"dtstart": record["start"], "dtend": None}
            expected[uid.format("end")] = {"dtstart": record["end"], "dtend": None}
            expected[uid.format("span")] = {"dtstart": record["start"], "dtend": record["end"]}
    return expected


def compare(options: list[str], tmp_path: Path) -> int:
    """Export as ICS and JSON with ``options`` and compare every timed instant; the number compared."""
    feed = tmp_path / "feed.ics"
    feed.write_bytes(run("export", "--format", "ics", *options))
    document = json.loads(run("export", "--format", "json", *options))
    expected = expected_instants(document)
    compared = 0
    for event in read_with_icaljs(feed):
        for key in ("dtstart", "dtend"):
            value = event[key]
            if value is None or "date" in value:
                continue  # all-day: a date in every client, no zone to read
            assert "floating" not in value, f"{event['uid']} {key} has no zone: {value}"
            wanted = expected[event["uid"]][key]
            if wanted is None:
                continue  # a cancelled talk round keeps its planned end, which JSON does not report
            assert value["utc"] == utc(wanted), f"{event['uid']} {key}: ical.js reads {value}, JSON says {wanted}"
            compared += 1
        assert event["due"] is None
    return compared


@pytest.mark.parametrize("as_of", ["2025-05-20", "2025-08-11", "2026-02-01"])
def test_icaljs_reads_the_bundled_feed_at_the_instants_of_the_json_export(as_of: str, tmp_path: Path) -> None:
    assert compare(["-f", str(BUNDLED), "--as-of", as_of], tmp_path) >= 10


@pytest.mark.parametrize("display_zone", ["America/New_York", "Europe/Berlin", "UTC"])
def test_icaljs_reads_summer_and_winter_in_new_york_and_berlin_2025_to_2027(display_zone: str, tmp_path: Path) -> None:
    """Events on both sides of each clock change, in two zones and three years, and in the
    repeated hour; the display zone changes the JSON's offsets, never an instant."""
    files = ["-f", str(TIMELINES / "new-york.toml"), "-f", str(TIMELINES / "berlin.toml")]
    assert compare([*files, "--tz", display_zone, "--as-of", "2025-09-01"], tmp_path) >= 20


def test_icaljs_agrees_with_the_old_feed_only_outside_the_first_summer(tmp_path: Path) -> None:
    """The reader itself tells the two readings apart: a VTIMEZONE that gives the 2025 onset
    only in DTSTART is read one hour late in the summer of 2025, and right otherwise."""
    old_style = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
        "BEGIN:STANDARD\r\nDTSTART:20250101T000000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:20250309T030000\r\nRDATE:20260308T030000\r\n"
        "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nRDATE:20261101T020000\r\n"
        "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:summer-2025\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART;TZID=America/New_York:20250514T000100\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:summer-2026\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART;TZID=America/New_York:20260514T000100\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    feed = tmp_path / "old.ics"
    feed.write_text(old_style, encoding="utf-8", newline="")
    read = {event["uid"]: event["dtstart"]["utc"] for event in read_with_icaljs(feed)}
    assert read == {"summer-2025": "2025-05-14T05:01:00Z", "summer-2026": "2026-05-14T04:01:00Z"}
