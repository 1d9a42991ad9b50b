"""Exports: the ICS feed read back with icalendar, JSON and CSV, and `-o FILE`."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar, Component
from typer.testing import CliRunner

from tests.conftest import NEW_YORK, instant
from trucetrack.cli import app
from trucetrack.core.context import RunContext as View
from trucetrack.core.dates import get_zone
from trucetrack.core.model import Duration, Entry, SourceFile, Timeline
from trucetrack.core.text import clean
from trucetrack.engine.status import Engine
from trucetrack.output import export

MakeTimeline = Callable[..., Timeline]
WriteTimeline = Callable[..., Path]

# Titles with everything RFC 5545 must escape or fold, and an escape sequence that must not survive.
TRICKY_TITLE = 'Truce, phase 1; "Geneva"\\ back\nslash – Genève ✓ 关税休战 \x1b[31mred\x1b[0m ' + "long " * 12
TRICKY_TOML = (
    '"Truce, phase 1; \\"Geneva\\"\\\\ back\\nslash – Genève ✓ 关税休战 \\u001b[31mred\\u001b[0m ' + "long " * 12 + '"'
)

BODY = f"""\
[[event]]
id = "geneva-truce"
kind = "agreement"
title = {TRICKY_TOML}
start = 2025-05-14T00:01:00
duration = "90d"
warn = "21d"
parties = ["US", "CN"]
sources = ["https://example.org/eo-14298", "Federal Register, vol. 90; p. 1"]
tags = ["tariffs"]

[[event]]
id = "eo-14334"
kind = "extension"
target = "geneva-truce"
date = 2025-08-11
by = "90d"

[[event]]
id = "talks-london"
kind = "talks"
title = "London talks\\nsecond line"
start = 2025-06-09
through = 2025-06-10
place = "London"

[[event]]
id = "talks-dc"
kind = "talks"
title = "Washington talks"
start = 2025-09-15
end = 2025-09-16T18:00:00

[[event]]
id = "ruling"
kind = "ruling"
title = "Court ruling"
date = 2025-08-20

[[event]]
id = "beijing-step"
kind = "tariff"
title = "Beijing step"
start = 2025-03-10T00:00:00+08:00
end = 2025-03-31T12:00:00
warn = "1mo"
measure = "cn-x"
rate = 15.0

[[event]]
id = "hours-warned"
kind = "deadline"
title = "Filing window"
start = 2025-10-01
end = 2025-11-02T12:00:00
warn = "36h"
"""


def view_of(timeline: Timeline, as_of: str, zone: str = "America/New_York") -> View:
    return View(timeline=timeline, as_of=instant(as_of, zone), zone=get_zone(zone))


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events_by_uid(calendar: Calendar) -> dict[str, Component]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def start_of(event: Component) -> date | datetime:
    value = event["DTSTART"].dt
    assert isinstance(value, date)
    return value


@pytest.fixture
def timeline(make_timeline: MakeTimeline) -> Timeline:
    return make_timeline(BODY)


# ---------------------------------------------------------------- ICS


def test_ics_parses_back_to_the_same_instants_titles_alarms_and_uids(timeline: Timeline) -> None:
    calendar = parse(export.export_ics(view_of(timeline, "2025-08-11T00:00")))
    events = events_by_uid(calendar)
    assert set(events) == {
        "geneva-truce.start@trucetrack",
        "geneva-truce.end@trucetrack",
        "talks-london.span@trucetrack",
        "talks-dc.span@trucetrack",
        "ruling.date@trucetrack",
        "beijing-step.start@trucetrack",
        "beijing-step.end@trucetrack",
        "hours-warned.start@trucetrack",
        "hours-warned.end@trucetrack",
    }
    title = clean(TRICKY_TITLE)
    assert "\x1b" not in title and "Genève ✓ 关税休战" in title
    truce_end = events["geneva-truce.end@trucetrack"]
    assert str(truce_end["SUMMARY"]) == f"Ends: {title}"
    # The effective end as of the extension's day: 2025-08-12 00:01 EDT + 90d on the wall clock.
    assert start_of(truce_end) == instant("2025-11-10T00:01")
    assert truce_end["DTSTART"].params["TZID"] == "America/New_York"
    assert int(truce_end["SEQUENCE"]) == 1
    description = str(truce_end["DESCRIPTION"])
    assert description.startswith(title + "\nStatus as of 2025-08-11 00:00 EDT: active\n")
    assert "- https://example.org/eo-14298\n- Federal Register, vol. 90; p. 1" in description
    assert "by eo-14334" in description
    [alarm] = truce_end.walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(days=-21)
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert str(events["geneva-truce.start@trucetrack"]["SUMMARY"]) == f"Starts: {title}"
    assert start_of(events["geneva-truce.start@trucetrack"]) == instant("2025-05-14T00:01")
    assert str(events["talks-london.span@trucetrack"]["SUMMARY"]) == "London talks\nsecond line"
    assert str(events["talks-london.span@trucetrack"]["LOCATION"]) == "London"


def test_ics_is_the_same_bytes_for_the_same_input(timeline: Timeline) -> None:
    view = view_of(timeline, "2025-08-11T00:00")
    first = export.export_ics(view)
    assert first == export.export_ics(view)
    assert b"DTSTAMP:20250811T040000Z\r\n" in first
    assert first.count(b"DTSTAMP:") == first.count(b"BEGIN:VEVENT")
    assert b"PRODID:" + export.PRODID.encode() + b"\r\n" in first


def test_two_exports_on_different_days_keep_the_uids_and_move_the_deadline(timeline: Timeline) -> None:
    before = events_by_uid(parse(export.export_ics(view_of(timeline, "2025-07-01T00:00"))))
    after = events_by_uid(parse(export.export_ics(view_of(timeline, "2025-08-11T00:00"))))
    assert set(before) == set(after)
    uid = "geneva-truce.end@trucetrack"
    assert start_of(before[uid]) == instant("2025-08-12T00:01")
    assert start_of(after[uid]) == instant("2025-11-10T00:01")
    assert int(before[uid]["SEQUENCE"]) == 0 < int(after[uid]["SEQUENCE"])
    assert before[uid]["DTSTAMP"].dt != after[uid]["DTSTAMP"].dt


def test_date_only_entries_are_all_day_events(timeline: Timeline) -> None:
    data = export.export_ics(view_of(timeline, "2025-08-11T00:00"))
    events = events_by_uid(parse(data))
    ruling = events["ruling.date@trucetrack"]
    assert type(start_of(ruling)) is date
    assert start_of(ruling) == date(2025, 8, 20)
    assert ruling["DTEND"].dt == date(2025, 8, 21)
    assert b"DTSTART;VALUE=DATE:20250820\r\n" in data
    # A talk round through 2025-06-10 covers the 9th and the 10th (DTEND is exclusive).
    talks = events["talks-london.span@trucetrack"]
    assert (start_of(talks), talks["DTEND"].dt) == (date(2025, 6, 9), date(2025, 6, 11))
    assert start_of(events["hours-warned.start@trucetrack"]) == date(2025, 10, 1)
    # A talk round from a date to a timed end: both timed, as RFC 5545 wants one value type.
    washington = events["talks-dc.span@trucetrack"]
    assert start_of(washington) == instant("2025-09-15T00:00")
    assert washington["DTEND"].dt == instant("2025-09-16T18:00")


def test_every_line_is_at_most_75_octets_and_ends_with_crlf(timeline: Timeline) -> None:
    data = export.export_ics(view_of(timeline, "2025-08-11T00:00"))
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "long titles must be folded"
    for line in lines:
        line.decode("utf-8")  # folding never splits a UTF-8 character


def test_alarm_triggers_follow_the_warn_window(timeline: Timeline) -> None:
    events = events_by_uid(parse(export.export_ics(view_of(timeline, "2025-08-11T00:00"))))
    data = export.export_ics(view_of(timeline, "2025-08-11T00:00"))
    # 1 month before 2025-03-31 12:00 is 2025-02-28 12:00: 31 nominal days.
    [month] = events["beijing-step.end@trucetrack"].walk("VALARM")
    assert month["TRIGGER"].dt == timedelta(days=-31)
    # 36h is elapsed time, written in hours so that a calendar does not count a nominal day.
    [hours] = events["hours-warned.end@trucetrack"].walk("VALARM")
    assert hours["TRIGGER"].dt == timedelta(hours=-36)
    assert b"TRIGGER:-PT36H\r\n" in data
    # An all-day event's alarm counts days back from its (floating) day.
    [talks] = events["talks-london.span@trucetrack"].walk("VALARM")
    assert talks["TRIGGER"].dt == timedelta(days=-14)


def test_alarm_trigger_is_the_engines_warning_instant_across_dst() -> None:
    end = export.Moment(instant("2025-11-02T12:00"), None)  # EST; a day earlier is EDT
    one_day = Duration(days=1, text="1d")
    assert export.alarm_trigger(end, one_day, NEW_YORK) == timedelta(days=-1)
    elapsed = export.alarm_trigger(end, Duration(seconds=24 * 3600, text="24h"), NEW_YORK)
    assert isinstance(elapsed, export.ElapsedDuration)
    assert elapsed.to_ical() == b"-PT24H"
    mixed = export.alarm_trigger(end, Duration(days=1, seconds=3600 + 61, text="1d1h1m1s"), NEW_YORK)
    assert isinstance(mixed, export.ElapsedDuration)
    # The wall-clock day across the change is 25 hours long, plus the elapsed part.
    assert mixed.to_ical() == b"-PT26H1M1S"
    assert export.ElapsedDuration(timedelta(0)).to_ical() == b"PT0S"


def test_offset_datetimes_are_shown_in_the_file_zone_with_a_vtimezone_per_zone(write_timeline: WriteTimeline) -> None:
    from trucetrack.load.loader import load as load_timeline

    shanghai = write_timeline(
        """\
        schema = 1
        timezone = "Asia/Shanghai"

        [[event]]
        id = "cn-step"
        kind = "tariff"
        title = "China step"
        start = 2025-03-10T00:00:00
        end = 2025-11-10T13:01:00
        measure = "cn-y"
        rate = 10.0
        """,
        header=False,
    )
    utc = write_timeline(
        """\
        schema = 1

        [[event]]
        id = "utc-point"
        kind = "data"
        title = "UTC release"
        date = 2025-09-01T12:30:00
        """,
        header=False,
    )
    new_york = write_timeline(BODY)
    combined = load_timeline([str(new_york), str(shanghai), str(utc)])
    data = export.export_ics(view_of(combined, "2025-08-11T00:00"))
    calendar = parse(data)
    assert sorted(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")) == ["America/New_York", "Asia/Shanghai"]
    events = events_by_uid(calendar)
    # Written with +08:00 in a New York file: the same instant, on New York's clock.
    assert b"DTSTART;TZID=America/New_York:20250309T120000\r\n" in data
    assert start_of(events["beijing-step.start@trucetrack"]) == datetime(2025, 3, 10, tzinfo=get_zone("Asia/Shanghai"))
    assert b"DTSTART;TZID=Asia/Shanghai:20251110T130100\r\n" in data
    assert start_of(events["cn-step.end@trucetrack"]) == instant("2025-11-10T00:01")
    assert b"DTSTART:20250901T123000Z\r\n" in data
    assert start_of(events["utc-point.date@trucetrack"]) == datetime(2025, 9, 1, 12, 30, tzinfo=UTC)


def test_a_by_extension_in_hours_makes_a_date_only_end_timed(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        """\
        [[event]]
        id = "licence"
        kind = "license"
        title = "Licence"
        start = 2025-01-01
        through = 2025-06-30

        [[event]]
        id = "grace"
        kind = "extension"
        target = "licence"
        date = 2025-06-01
        by = "36h"

        [[event]]
        id = "stop"
        kind = "termination"
        target = "licence"
        date = 2025-06-20
        end = 2025-06-25
        """
    )
    before = events_by_uid(parse(export.export_ics(view_of(timeline, "2025-05-01T00:00"))))
    assert start_of(before["licence.end@trucetrack"]) == date(2025, 7, 1)
    extended = events_by_uid(parse(export.export_ics(view_of(timeline, "2025-06-02T00:00"))))
    assert start_of(extended["licence.end@trucetrack"]) == instant("2025-07-02T12:00")
    terminated = events_by_uid(parse(export.export_ics(view_of(timeline, "2025-06-21T00:00"))))
    assert start_of(terminated["licence.end@trucetrack"]) == date(2025, 6, 25)
    assert "Status as of 2025-06-21 00:00 EDT: expiring" in str(terminated["licence.end@trucetrack"]["DESCRIPTION"])


def _one_entry_timeline(title: str) -> Timeline:
    """A timeline built in memory, so that hypothesis can try many titles quickly."""
    entry = Entry(
        id="deal",
        kind="agreement",
        title=title,
        shape="span",
        file="t.toml",
        line=3,
        zone="America/New_York",
        order=0,
        start=instant("2025-05-14T00:01"),
        end=instant("2025-08-12T00:01"),
        warn=Duration(days=14, text="14d"),
        sources=(title,),
    )
    source = SourceFile(path="t.toml", title=title, zone="America/New_York", warn=Duration(days=14), current_to=None)
    return Timeline(files=(source,), parties=(), kinds=(), entries=(entry,))


# ---------------------------------------------------------------- JSON and CSV


def test_json_export_round_trips_ids_and_ends(timeline: Timeline) -> None:
    view = view_of(timeline, "2025-08-11T00:00")
    document = json.loads(export.export_json(view))
    assert document["as_of"] == "2025-08-11T00:00:00-04:00"
    assert document["tz"] == "America/New_York"
    records = document["entries"]
    assert [record["id"] for record in records] == [entry.id for entry in timeline.entries]
    assert all(list(record) == list(export.EXPORT_ENTRY_KEYS) for record in records)
    engine = Engine(timeline)
    for record, entry in zip(records, timeline.entries, strict=True):
        if entry.is_modifier:
            assert record["status"] is None and record["days_left"] is None
            continue
        state = engine.state(entry, view.as_of, view.zone)
        assert record["status"] == state.status
        end = None if record["end"] is None else datetime.fromisoformat(record["end"])
        assert end == state.end
    by_id = {record["id"]: record for record in records}
    truce = by_id["geneva-truce"]
    assert truce["end"] == "2025-11-10T00:01:00-05:00"
    assert truce["original_end"] == "2025-08-12T00:01:00-04:00"
    assert [step["set_by"] for step in truce["history"]] == [None, "eo-14334"]
    assert truce["title"] == clean(TRICKY_TITLE)
    assert truce["parties"] == ["US", "CN"] and truce["warn"] == "21d"
    extension = by_id["eo-14334"]
    assert (extension["shape"], extension["target"], extension["by"]) == ("modifier", "geneva-truce", "90d")
    assert extension["date"] == "2025-08-11T00:00:00-04:00"
    assert by_id["ruling"]["date"] == "2025-08-20T00:00:00-04:00" and by_id["ruling"]["start"] is None
    assert by_id["beijing-step"]["rate"] == 15.0
    assert "\x1b" not in export.export_json(view)
    assert [party["code"] for party in document["parties"]] == ["US", "CN"]


def test_csv_has_a_header_and_one_row_per_entry(make_timeline: MakeTimeline, timeline: Timeline) -> None:
    rows = list(csv.reader(io.StringIO(export.export_csv(view_of(timeline, "2025-08-11T00:00")))))
    assert rows[0] == list(export.CSV_KEYS)
    assert len(rows) == 1 + len(timeline.entries)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [record["id"] for record in records] == [entry.id for entry in timeline.entries]
    truce = records[0]
    assert truce["parties"] == "US;CN"
    assert truce["end"] == "2025-11-10T00:01:00-05:00"
    assert truce["sources"] == "https://example.org/eo-14298;Federal Register, vol. 90; p. 1"
    assert records[1]["status"] == "" and records[1]["target"] == "geneva-truce"
    formula = make_timeline(
        """\
        [[event]]
        id = "f"
        kind = "announcement"
        title = "=HYPERLINK(\\"http://x\\")"
        date = 2025-01-01
        tags = ["-1", "@me"]
        """
    )
    [_, row] = list(csv.reader(io.StringIO(export.export_csv(view_of(formula, "2025-08-11T00:00")))))
    record = dict(zip(export.CSV_KEYS, row, strict=True))
    assert record["title"] == '\'=HYPERLINK("http://x")'
    assert record["tags"] == "'-1;@me"


# ---------------------------------------------------------------- the command


def invoke(args: list[str]) -> Any:
    return CliRunner().invoke(app, args)


def test_export_command_writes_each_format_to_stdout(write_timeline: WriteTimeline, timeline: Timeline) -> None:
    path = write_timeline(BODY)
    view = view_of(timeline, "2025-08-11T00:00")
    ics = invoke(["export", "--format", "ics", "-f", str(path), "--as-of", "2025-08-11"])
    assert ics.exit_code == 0, ics.output
    assert ics.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert events_by_uid(parse(ics.stdout_bytes)).keys() == events_by_uid(parse(export.export_ics(view))).keys()
    as_json = invoke(["--as-of", "2025-08-11", "export", "-f", str(path), "--format", "json"])
    assert json.loads(as_json.stdout)["entries"][0]["end"] == "2025-11-10T00:01:00-05:00"
    as_csv = invoke(["export", "--format", "csv", "-f", str(path), "--as-of", "2025-08-11"])
    assert as_csv.stdout.splitlines()[0] == ",".join(export.CSV_KEYS)


def test_export_of_the_bundled_timeline_notes_it_on_stderr_only() -> None:
    result = invoke(["export", "--format", "ics", "--as-of", "2025-08-11"])
    assert result.exit_code == 0
    assert "bundled US–China timeline" in result.stderr
    assert b"bundled" not in result.stdout_bytes
    assert b"UID:geneva-truce.end@trucetrack\r\n" in result.stdout_bytes


def test_output_file_is_written_atomically(write_timeline: WriteTimeline, tmp_path: Path) -> None:
    path = write_timeline(BODY)
    target = tmp_path / "out" / "feed.ics"
    target.parent.mkdir()
    result = invoke(["export", "-f", str(path), "--as-of", "2025-08-11", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert os.listdir(target.parent) == ["feed.ics"]
    target.chmod(0o640)
    again = invoke(["export", "-f", str(path), "--as-of", "2025-07-01", "-o", str(target)])
    assert again.exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert b"DTSTAMP:20250701T040000Z" in target.read_bytes()


def test_output_through_a_symlink_replaces_the_file_it_points_to(write_timeline: WriteTimeline, tmp_path: Path) -> None:
    path = write_timeline(BODY)
    real = tmp_path / "feeds" / "truce.ics"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.ics"
    link.symlink_to(real)
    result = invoke(["export", "-f", str(path), "--as-of", "2025-08-11", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert os.listdir(real.parent) == ["truce.ics"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    write_timeline: WriteTimeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_timeline(BODY)
    target = tmp_path / "out" / "feed.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")

    def refuse(source: object, destination: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = invoke(["export", "-f", str(path), "--as-of", "2025-08-11", "-o", str(target)])
    assert result.exit_code == 2
    assert "trucetrack: error:" in result.stderr and "Permission denied" in result.stderr
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(target.parent) == ["feed.json"]


def test_output_into_a_missing_folder_is_an_error(write_timeline: WriteTimeline, tmp_path: Path) -> None:
    path = write_timeline(BODY)
    result = invoke(["export", "--format", "csv", "-f", str(path), "-o", str(tmp_path / "nope" / "x.csv")])
    assert result.exit_code == 2
    assert "trucetrack: error:" in result.stderr and "Traceback" not in result.output


def test_the_format_comes_from_the_output_name_or_must_be_given(write_timeline: WriteTimeline, tmp_path: Path) -> None:
    path = write_timeline(BODY)
    target = tmp_path / "entries.CSV"
    assert invoke(["export", "-f", str(path), "--as-of", "2025-08-11", "-o", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("id,kind,shape,")
    missing = invoke(["export", "-f", str(path), "--as-of", "2025-08-11"])
    assert missing.exit_code == 2
    assert "give --format ics, json or csv" in missing.stderr
    dash = invoke(["export", "--format", "json", "-f", str(path), "--as-of", "2025-08-11", "-o", "-"])
    assert json.loads(dash.stdout)["tz"] == "America/New_York"


def test_ics_categories_name_a_tag_equal_to_the_kind_once(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(
        """
        [[event]]
        id = "talks-london"
        kind = "talks"
        title = "London talks"
        date = 2025-06-09
        tags = ["talks", "uk"]
        """
    )
    calendar = parse(export.export_ics(view_of(timeline, "2025-06-01T00:00")))
    (event,) = calendar.walk("VEVENT")
    assert [str(category) for category in event.get("categories").cats] == ["talks", "uk"]
