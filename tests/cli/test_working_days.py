"""Working days through the installed command: the views, the edits, fmt, the cache,
and that a timeline without a calendar never imports the holidays library."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.hostile.runner import run_installed_text

LICENCES = """\
schema = 1
title = "Licences"
timezone = "Asia/Shanghai"
calendar = "CN"

[[event]]
id = "review"
kind = "license"
title = "Licence review"
start = 2025-06-02
duration = "45 working days"

[[event]]
id = "golden"
kind = "deadline"
title = "Ten working days over golden week"
start = 2025-09-26T09:30:00
duration = "10wd"

[[event]]
id = "golden-more"
kind = "extension"
target = "golden"
date = 2025-10-01
by = "5wd"
"""

PLAIN = """\
schema = 1
title = "Plain"
timezone = "Asia/Shanghai"

[[event]]
id = "plain"
kind = "deadline"
title = "Thirty calendar days"
start = 2025-09-20
duration = "30d"
"""


def run(folder: Path, *args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    settings = {} if cache is None else {"TRUCETRACK_CACHE": "on", "TRUCETRACK_CACHE_DIR": str(cache)}
    return run_installed_text(folder, *args, columns=100, env=settings)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "licences.toml").write_text(LICENCES, encoding="utf-8")
    (tmp_path / "plain.toml").write_text(PLAIN, encoding="utf-8")
    return tmp_path


def json_entries(folder: Path, *args: str) -> dict[str, dict[str, object]]:
    result = run(folder, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return {entry["id"]: entry for entry in json.loads(result.stdout)["entries"]}


def test_status_json_has_working_days_left_on_every_row(folder: Path) -> None:
    found = json_entries(folder, "status", "-f", "licences.toml", "-f", "plain.toml", "--all", "--as-of", "2025-10-02")
    golden, plain, review = found["golden"], found["plain"], found["review"]
    assert golden["end"] == "2025-10-23T09:30:00+08:00"
    assert golden["original_end"] == "2025-10-16T09:30:00+08:00"
    # 2 October (a holiday) to 23 October: 9, 10, 11 (a Saturday worked), 13-17, 20-22.
    assert golden["working_days_left"] == 11
    assert (golden["calendar"], golden["provisional"]) == ("CN", False)
    assert review["end"] == "2025-08-04T00:00:00+08:00"
    assert isinstance(review["working_days_left"], int) and review["working_days_left"] < 0
    assert plain["working_days_left"] is None
    assert (plain["calendar"], plain["provisional"]) == (None, None)


def test_every_machine_format_carries_the_key(folder: Path) -> None:
    common = ("-f", "licences.toml", "-f", "plain.toml", "--as-of", "2025-10-02")
    for command in (("status", "--all"), ("timeline",), ("check", "--within", "60d")):
        result = run(folder, *command, *common, "--format", "csv")
        assert result.returncode in (0, 1), result.stderr
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows, command
        assert all("working_days_left" in row for row in rows), command
    exported = json.loads(run(folder, "export", *common, "--format", "json").stdout)
    assert all("working_days_left" in entry for entry in exported["entries"])
    assert {source["calendar"] for source in exported["files"]} == {"CN", None}
    summary = json.loads(run(folder, "summary", *common, "--format", "json").stdout)
    in_force = {entry["id"]: entry for entry in summary["in_force"]}
    assert in_force["golden"]["working_days_left"] == 11


def test_bundled_timeline_rows_carry_null(tmp_path: Path) -> None:
    result = run(tmp_path, "status", "--all", "--as-of", "2025-10-02", "--format", "json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    assert entries and all(entry["working_days_left"] is None for entry in entries)


def test_show_writes_the_derivation(folder: Path) -> None:
    result = run(folder, "show", "review", "-f", "licences.toml", "--as-of", "2025-07-28")
    assert result.returncode == 0, result.stderr
    assert "2025-08-04 = 2025-06-02 + 45 working days (CN)" in result.stdout
    assert "(5wd)" in result.stdout  # working days left beside the days
    shown = run(folder, "show", "golden", "-f", "licences.toml", "--as-of", "2025-10-02").stdout
    assert "2025-10-23 09:30 CST = 2025-10-16 09:30 CST + 5 working days (CN), by golden-more" in " ".join(
        shown.split()
    )


def test_show_says_provisional_for_a_year_without_a_schedule(tmp_path: Path) -> None:
    import holidays

    beyond = max(holidays.country_holidays("CN").special_public_holidays) + 1
    (tmp_path / "late.toml").write_text(
        LICENCES.replace("start = 2025-06-02", f"start = {beyond - 1}-12-01"), encoding="utf-8"
    )
    as_of = f"{beyond - 1}-12-02"
    shown = " ".join(run(tmp_path, "show", "review", "-f", "late.toml", "--as-of", as_of).stdout.split())
    assert f"provisional: the holidays library has no official CN schedule for {beyond}" in shown
    found = json_entries(tmp_path, "status", "-f", "late.toml", "--as-of", as_of)
    assert found["review"]["provisional"] is True


def test_countdown_shows_working_days(folder: Path) -> None:
    result = run(folder, "countdown", "golden", "-f", "licences.toml", "--as-of", "2025-10-02")
    assert result.returncode == 0, result.stderr
    assert "21 days (11wd) left" in result.stdout


def test_within_working_days_uses_each_entrys_calendar(folder: Path) -> None:
    """12 working days from 2 October end on 23 October at 00:00, before golden's 09:30 end;
    13 reach it. The entry without a calendar is left out, with a note."""
    files = ("-f", "licences.toml", "-f", "plain.toml", "--as-of", "2025-10-02")
    assert "golden" not in json_entries(folder, "status", *files, "--within", "12wd")
    within = run(folder, "status", *files, "--within", "13wd", "--format", "json")
    assert within.returncode == 0, within.stderr
    assert [entry["id"] for entry in json.loads(within.stdout)["entries"]] == ["golden"]
    assert "--within 13wd: 1 entry without a calendar left out" in within.stderr
    checked = run(folder, "check", *files, "--within", "13 working days")
    assert checked.returncode == 1
    assert "golden" in checked.stdout
    assert "1 entry without a calendar left out" in checked.stdout + checked.stderr


@pytest.mark.parametrize("option", [("--recent", "3wd"), ("--as-of", "+3wd")])
def test_working_days_are_refused_where_no_calendar_applies(folder: Path, option: tuple[str, str]) -> None:
    args = ["status", "-f", "licences.toml", *option]
    if option[0] != "--as-of":
        args += ["--as-of", "2025-10-02"]
    result = run(folder, *args)
    assert result.returncode == 2
    assert "working days" in result.stderr and "Traceback" not in result.stderr


def test_edits_take_a_calendar(tmp_path: Path) -> None:
    created = run(tmp_path, "init", "new.toml", "--timezone", "Asia/Shanghai", "--calendar", "CN")
    assert created.returncode == 0, created.stderr
    text = (tmp_path / "new.toml").read_text(encoding="utf-8")
    assert 'timezone = "Asia/Shanghai"\ncalendar = "CN"\n' in text
    added = run(
        tmp_path,
        "add",
        "-f",
        "new.toml",
        "--kind",
        "license",
        "--title",
        "Licence review",
        "--start",
        "2025-06-02",
        "--duration",
        "45wd",
        "--as-of",
        "2025-06-02",
    )
    assert added.returncode == 0, added.stderr
    extended = run(
        tmp_path,
        "extend",
        "licence-review",
        "-f",
        "new.toml",
        "--date",
        "2025-07-01",
        "--by",
        "3 business days",
        "--calendar",
        "US",
        "--as-of",
        "2025-07-01",
    )
    assert extended.returncode == 0, extended.stderr
    assert "2025-08-04 00:00 CST → 2025-08-07 00:00 CST" in extended.stdout
    assert 'by = "3 business days"\ncalendar = "US"\n' in (tmp_path / "new.toml").read_text(encoding="utf-8")
    assert run(tmp_path, "fmt", "--check", "new.toml").returncode == 0


def test_edits_refuse_an_unknown_calendar(tmp_path: Path) -> None:
    result = run(tmp_path, "init", "new.toml", "--calendar", "china")
    assert result.returncode == 2
    assert "unknown calendar 'china' (did you mean 'CN'?)" in result.stderr
    assert not (tmp_path / "new.toml").exists()


def test_add_with_working_days_and_no_calendar_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain.toml").write_text(PLAIN, encoding="utf-8")
    before = (tmp_path / "plain.toml").read_bytes()
    args = ["add", "-f", "plain.toml", "--kind", "deadline", "--title", "X", "--start", "2025-06-02"]
    result = run(tmp_path, *args, "--duration", "5wd", "--as-of", "2025-06-02")
    assert result.returncode == 2
    assert "counts working days" in result.stderr
    assert (tmp_path / "plain.toml").read_bytes() == before


def test_fmt_puts_calendar_in_its_place(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(
        'schema = 1\nwarn = "3wd"\ncalendar = "CN"\ntitle = "t"\n\n'
        '[[event]]\nwarn = "2wd"\ncalendar = "US"\nduration = "10wd"\nstart = 2025-11-20\n'
        'title = "T"\nkind = "deadline"\nid = "t"\n',
        encoding="utf-8",
    )
    assert run(tmp_path, "fmt", "t.toml").returncode == 0
    assert (tmp_path / "t.toml").read_text(encoding="utf-8") == (
        'schema = 1\ntitle = "t"\ncalendar = "CN"\nwarn = "3wd"\n\n'
        '[[event]]\nid = "t"\nkind = "deadline"\ntitle = "T"\nstart = 2025-11-20\nduration = "10wd"\n'
        'calendar = "US"\nwarn = "2wd"\n'
    )


def test_diff_knows_the_calendar(tmp_path: Path) -> None:
    (tmp_path / "old.toml").write_text(LICENCES, encoding="utf-8")
    (tmp_path / "new.toml").write_text(
        LICENCES.replace('title = "Licence review"\n', 'title = "Licence review"\ncalendar = "US"\n'),
        encoding="utf-8",
    )
    result = run(tmp_path, "diff", "old.toml", "new.toml", "--as-of", "2025-07-01", "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["changed"] == [{"id": "review", "field": "calendar", "old": "CN", "new": "US"}]
    # 45 working days in the US calendar: 4 July and the Chinese weekends' differences move it.
    assert [move["id"] for move in document["ends_moved"]] == ["review"]
    # The file's calendar: said once for the timeline, not again for each entry that inherits it.
    (tmp_path / "hk.toml").write_text(LICENCES.replace('calendar = "CN"', 'calendar = "HK"'), encoding="utf-8")
    result = run(tmp_path, "diff", "old.toml", "hk.toml", "--as-of", "2025-07-01", "--format", "json")
    document = json.loads(result.stdout)
    assert [(change["field"], change["old"], change["new"]) for change in document["timeline"]] == [
        ("calendar", "CN", "HK")
    ]
    assert document["changed"] == []
    assert {move["id"] for move in document["ends_moved"]} == {"review", "golden"}


def test_the_cache_keeps_computed_ends(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    args = ("status", "-f", "licences.toml", "--all", "--as-of", "2025-10-02", "--format", "json")
    first = run(folder, *args, cache=cache)
    second = run(folder, *args, cache=cache)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    stored = list(cache.glob("*.json"))
    assert len(stored) == 1
    document = json.loads(stored[0].read_text(encoding="utf-8"))
    import holidays

    assert document[1][2] == holidays.__version__  # the data the ends were counted with


def imports_holidays(folder: Path, *args: str) -> bool:
    """Whether running the command imports the holidays library (python -X importtime)."""
    env = {**os.environ, "TRUCETRACK_CACHE": "off", "LANG": "C.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "trucetrack", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return any(line.rstrip().endswith("| holidays") for line in result.stderr.splitlines())


def test_holidays_is_imported_only_for_a_timeline_with_a_calendar(folder: Path) -> None:
    assert not imports_holidays(folder, "status", "--as-of", "2025-10-02")
    assert not imports_holidays(folder, "status", "-f", "plain.toml", "--as-of", "2025-10-02")
    assert imports_holidays(folder, "status", "-f", "licences.toml", "--as-of", "2025-10-02")


def test_a_scheduled_span_counts_its_working_days_to_its_end(folder: Path) -> None:
    # As of 2025-09-01 the golden-week span has not started: days_left counts to its
    # start (25 days), working_days_left to its end (2025-10-16 09:30, CN).
    result = run(folder, "status", "-f", "licences.toml", "--as-of", "2025-09-01", "--format", "json")
    golden = next(entry for entry in json.loads(result.stdout)["entries"] if entry["id"] == "golden")
    assert (golden["status"], golden["days_left"]) == ("scheduled", 25)
    import holidays

    china = holidays.country_holidays("CN")
    day, expected = date(2025, 9, 1), 0
    while day < date(2025, 10, 16):
        expected += china.is_working_day(day)
        day += timedelta(days=1)
    assert golden["working_days_left"] == expected
    table = run(folder, "status", "-f", "licences.toml", "--as-of", "2025-09-01").stdout
    row = next(line for line in table.splitlines() if "golden" in line.split())
    assert "wd)" not in row  # the table's Left counts to the start: no working days beside it
    shown = run(folder, "show", "golden", "-f", "licences.toml", "--as-of", "2025-09-01").stdout
    assert f"working days  {expected} to the end (CN)" in shown
