"""The command line: exit codes, errors, global options, file resolution, colour, show."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import trucetrack
from tests.conftest import HEADER
from trucetrack.cli import app

WriteTimeline = Callable[..., Path]

BODY = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Geneva-like 90-day truce"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US", "CN"]
sources = ["https://example.org/eo"]
tags = ["truce"]

[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"

[[event]]
id = "talks"
kind = "talks"
title = "London talks"
start = 2025-06-09
through = 2025-06-10
parties = ["US", "CN"]
tags = ["talks"]

[[event]]
id = "ruling"
kind = "ruling"
title = "A court ruling"
date = 2025-08-20
parties = ["US"]
"""

OTHER = """\
[[event]]
id = "other-point"
kind = "announcement"
title = "From the other file"
date = 2025-07-01
parties = ["CN"]
"""

JSON_KEYS = [
    "id",
    "kind",
    "title",
    "status",
    "start",
    "end",
    "original_end",
    "days_left",
    "seconds_left",
    "working_days_left",
    "parties",
    "file",
    "line",
    "announced",
    "confirmed",
    "calendar",
    "provisional",
]

ANSI = "\x1b["
PROBLEM_LINE = re.compile(r"^[^\n:]+:\d+(?::\d+)?: [^:\s]+: \S.*$")


def flat(text: str) -> str:
    """Whitespace collapsed, so wrapped terminal lines can be searched."""
    return " ".join(text.split())


def json_of(result: Result) -> dict:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def entry_ids(result: Result) -> list[str]:
    return [entry["id"] for entry in json_of(result)["entries"]]


@pytest.fixture
def timeline_file(write_timeline: WriteTimeline) -> Path:
    return write_timeline(BODY, name="main.toml")


# ---------------------------------------------------------------- exit codes and errors


def test_status_exits_0(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(app, ["status", "-f", str(timeline_file), "--as-of", "2025-06-10"])
    assert result.exit_code == 0
    assert "Geneva-like 90-day truce" in result.stdout
    assert result.stderr == ""


INVALID = """\
schema = 1
title = "Broken"
timezone = "America/New_York"

[[event]]
id = "dup"
kind = "talks"
tittle = "typo"
date = 2025-01-01

[[event]]
id = "dup"
kind = "no-such-kind"
title = "Second"
date = 2025-01-02
"""


@pytest.mark.parametrize("command", [["status", "--as-of", "2025-06-10", "-f"], ["validate"]])
def test_invalid_timeline_exits_2_with_located_problems(
    runner: CliRunner, write_timeline: WriteTimeline, command: list[str]
) -> None:
    path = write_timeline(INVALID, header=False, name="broken.toml")
    result = runner.invoke(app, [*command, str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("trucetrack: error: ")
    problems = lines[:-1]
    assert len(problems) >= 3  # unknown key, unknown kind, duplicate id: all reported at once
    for line in problems:
        assert PROBLEM_LINE.match(line), line
        assert line.startswith(f"{path}:")
    text = result.stderr
    assert f"{path}:8: dup: " in text and "tittle" in text and "did you mean 'title'" in text
    assert f"{path}:13: dup: " in text and "no-such-kind" in text
    assert "duplicate" in text


def test_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "-f", str(tmp_path / "nowhere.toml"), "--as-of", "2025-06-10"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("trucetrack: error: ")
    assert "nowhere.toml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "options",
    [
        ["--as-of", "not a date at all"],
        ["--as-of", "2025-13-45"],
        ["--tz", "Mars/Olympus_Mons", "--as-of", "2025-06-10"],
    ],
)
def test_bad_as_of_or_tz_exits_2(runner: CliRunner, timeline_file: Path, options: list[str]) -> None:
    result = runner.invoke(app, ["status", "-f", str(timeline_file), *options])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("trucetrack: error: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "options"),
    [({"TRUCETRACK_AS_OF": "someday"}, []), ({"TRUCETRACK_TZ": "Nowhere/Zone"}, ["--as-of", "2025-06-10"])],
)
def test_bad_env_values_exit_2(runner: CliRunner, timeline_file: Path, env: dict[str, str], options: list[str]) -> None:
    result = runner.invoke(app, ["status", "-f", str(timeline_file), *options], env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("trucetrack: error:")


def test_validate_ok(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(app, ["validate", str(timeline_file)])
    assert result.exit_code == 0
    assert result.stdout.startswith("ok")
    assert "4 entries" in result.stdout
    assert result.stderr == ""


# ---------------------------------------------------------------- JSON shape


def test_status_json_shape(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(
        app, ["status", "-f", str(timeline_file), "--as-of", "2025-08-11", "--format", "json", "--all"]
    )
    document = json_of(result)
    assert list(document) == ["as_of", "tz", "entries"]
    assert document["as_of"] == "2025-08-11T00:00:00-04:00"
    assert document["tz"] == "America/New_York"
    for entry in document["entries"]:
        assert list(entry) == JSON_KEYS
    truce = next(e for e in document["entries"] if e["id"] == "truce")
    assert truce == {
        "id": "truce",
        "kind": "agreement",
        "title": "Geneva-like 90-day truce",
        "status": "active",
        "start": "2025-05-14T00:01:00-04:00",
        "end": "2025-11-10T00:01:00-05:00",
        "original_end": "2025-08-12T00:01:00-04:00",
        "days_left": 91,
        "seconds_left": 91 * 86400 + 60 * 60 + 60,
        "working_days_left": None,
        "parties": ["US", "CN"],
        "file": truce["file"],
        "line": 11,
        "announced": None,
        "confirmed": True,
        "calendar": None,
        "provisional": None,
    }
    assert Path(truce["file"]).name == "main.toml"
    # Modifiers have no status of their own and are not listed.
    assert "ext" not in [e["id"] for e in document["entries"]]


# ---------------------------------------------------------------- global options


def test_global_options_before_the_command(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(
        app, ["-f", str(timeline_file), "--as-of", "2025-06-10", "--tz", "UTC", "status", "--format", "json"]
    )
    document = json_of(result)
    assert document["as_of"] == "2025-06-10T00:00:00+00:00"
    assert document["tz"] == "UTC"


def test_global_options_after_the_command(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(
        app, ["status", "-f", str(timeline_file), "--as-of", "2025-06-10", "--tz", "UTC", "--format", "json"]
    )
    document = json_of(result)
    assert document["as_of"] == "2025-06-10T00:00:00+00:00"
    assert document["tz"] == "UTC"


def test_option_after_the_command_wins(runner: CliRunner, timeline_file: Path, write_timeline: WriteTimeline) -> None:
    other = write_timeline(OTHER, name="other.toml")
    result = runner.invoke(
        app,
        [
            "-f",
            str(other),
            "--as-of",
            "2024-01-01",
            "--tz",
            "UTC",
            "status",
            "-f",
            str(timeline_file),
            "--as-of",
            "2025-06-10",
            "--tz",
            "Asia/Shanghai",
            "--format",
            "json",
            "--all",
        ],
    )
    document = json_of(result)
    assert document["as_of"] == "2025-06-10T00:00:00+08:00"
    assert document["tz"] == "Asia/Shanghai"
    assert sorted(e["id"] for e in document["entries"]) == ["ruling", "talks", "truce"]


def test_file_option_is_repeatable(runner: CliRunner, timeline_file: Path, write_timeline: WriteTimeline) -> None:
    other = write_timeline(OTHER, name="other.toml")
    result = runner.invoke(
        app,
        ["status", "-f", str(timeline_file), "-f", str(other), "--as-of", "2025-06-10", "--format", "json", "--all"],
    )
    assert sorted(entry_ids(result)) == ["other-point", "ruling", "talks", "truce"]


def test_display_zone_defaults_to_the_first_files_zone(runner: CliRunner, write_timeline: WriteTimeline) -> None:
    beijing = write_timeline(
        HEADER.replace("America/New_York", "Asia/Shanghai") + "\n" + OTHER, header=False, name="beijing.toml"
    )
    new_york = write_timeline(BODY, name="ny.toml")
    first_beijing = runner.invoke(
        app, ["status", "-f", str(beijing), "-f", str(new_york), "--as-of", "2025-06-10", "--format", "json"]
    )
    assert json_of(first_beijing)["tz"] == "Asia/Shanghai"
    first_new_york = runner.invoke(
        app, ["status", "-f", str(new_york), "-f", str(beijing), "--as-of", "2025-06-10", "--format", "json"]
    )
    assert json_of(first_new_york)["tz"] == "America/New_York"


DIR_B = """\
schema = 1
title = "Second file"
timezone = "UTC"

[parties.EU]
name = "European Union"

[[event]]
id = "ext-from-b"
kind = "extension"
target = "truce"
date = 2025-06-01
end = 2025-09-01T00:01:00-04:00

[[event]]
id = "eu-talks"
kind = "talks"
title = "Talks with the EU"
date = 2025-07-15
parties = ["EU", "US"]
"""


def test_directory_loads_every_toml_as_one_timeline(
    runner: CliRunner, tmp_path: Path, write_timeline: WriteTimeline
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    write_timeline(DIR_B, header=False, name="many/b.toml")
    write_timeline(BODY, name="many/a.toml")
    (folder / "notes.txt").write_text("not a timeline", encoding="utf-8")
    result = runner.invoke(app, ["status", "-f", str(folder), "--as-of", "2025-06-10", "--format", "json", "--all"])
    document = json_of(result)
    # a.toml sorts first, so its zone is the display zone.
    assert document["tz"] == "America/New_York"
    entries = {e["id"]: e for e in document["entries"]}
    assert sorted(entries) == ["eu-talks", "ruling", "talks", "truce"]
    # The modifier in b.toml moves the span in a.toml.
    assert entries["truce"]["end"] == "2025-09-01T00:01:00-04:00"
    assert entries["eu-talks"]["parties"] == ["EU", "US"]
    validated = runner.invoke(app, ["validate", str(folder)])
    assert validated.exit_code == 0, validated.stderr
    assert "6 entries" in validated.stdout


# ---------------------------------------------------------------- environment


def test_trucetrack_file_env_is_pathsep_separated(
    runner: CliRunner, timeline_file: Path, write_timeline: WriteTimeline
) -> None:
    other = write_timeline(OTHER, name="other.toml")
    env = {"TRUCETRACK_FILE": os.pathsep.join([str(timeline_file), str(other)])}
    result = runner.invoke(app, ["status", "--as-of", "2025-06-10", "--format", "json", "--all"], env=env)
    assert sorted(entry_ids(result)) == ["other-point", "ruling", "talks", "truce"]
    assert result.stderr == ""  # not the bundled timeline


def test_file_option_beats_trucetrack_file(
    runner: CliRunner, timeline_file: Path, write_timeline: WriteTimeline
) -> None:
    other = write_timeline(OTHER, name="other.toml")
    result = runner.invoke(
        app,
        ["status", "-f", str(other), "--as-of", "2025-06-10", "--format", "json", "--all"],
        env={"TRUCETRACK_FILE": str(timeline_file)},
    )
    assert entry_ids(result) == ["other-point"]


def test_trucetrack_as_of_and_tz_env(runner: CliRunner, timeline_file: Path) -> None:
    env = {"TRUCETRACK_AS_OF": "2025-08-11", "TRUCETRACK_TZ": "Asia/Shanghai"}
    document = json_of(runner.invoke(app, ["status", "-f", str(timeline_file), "--format", "json"], env=env))
    assert document["as_of"] == "2025-08-11T00:00:00+08:00"
    assert document["tz"] == "Asia/Shanghai"


def test_options_beat_env(runner: CliRunner, timeline_file: Path) -> None:
    env = {"TRUCETRACK_AS_OF": "2025-08-11", "TRUCETRACK_TZ": "Asia/Shanghai"}
    result = runner.invoke(
        app,
        ["status", "-f", str(timeline_file), "--as-of", "2025-06-10", "--tz", "UTC", "--format", "json"],
        env=env,
    )
    document = json_of(result)
    assert document["as_of"] == "2025-06-10T00:00:00+00:00"
    assert document["tz"] == "UTC"


def test_english_as_of(runner: CliRunner, timeline_file: Path) -> None:
    document = json_of(
        runner.invoke(app, ["status", "-f", str(timeline_file), "--as-of", "June 10 2025", "--format", "json"])
    )
    assert document["as_of"] == "2025-06-10T00:00:00-04:00"


# ---------------------------------------------------------------- display


def test_tz_changes_the_display(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(app, ["status", "-f", str(timeline_file), "--as-of", "2025-08-12", "--tz", "Asia/Shanghai"])
    assert result.exit_code == 0
    out = result.stdout
    # A date alone is 00:00 in the display zone; the extension (decided 2025-08-11 EDT) applies.
    assert "as of 2025-08-12 00:00 CST (Asia/Shanghai)" in out
    assert "2025-11-10 13:01 CST" in out
    assert "EDT" not in out and "EST" not in out
    ny = runner.invoke(app, ["status", "-f", str(timeline_file), "--as-of", "2025-08-12"])
    assert "as of 2025-08-12 00:00 EDT (America/New_York)" in ny.stdout
    assert "2025-11-10 00:01 EST" in ny.stdout


def test_filters_on_the_command_line(runner: CliRunner, timeline_file: Path) -> None:
    base = ["status", "-f", str(timeline_file), "--as-of", "2025-06-01", "--format", "json"]
    assert entry_ids(runner.invoke(app, base)) == ["talks", "truce", "ruling"]
    assert entry_ids(runner.invoke(app, [*base, "--kind", "talks", "--kind", "ruling"])) == ["talks", "ruling"]
    assert entry_ids(runner.invoke(app, [*base, "--kind", "talks", "--kind", "ruling", "--party", "CN"])) == ["talks"]
    assert entry_ids(runner.invoke(app, [*base, "--tag", "truce", "--tag", "talks"])) == ["talks", "truce"]
    assert entry_ids(runner.invoke(app, [*base, "--within", "30d"])) == ["talks"]
    assert entry_ids(runner.invoke(app, [*base, "--status", "upcoming"])) == ["ruling"]


def test_cwd_timelines_folder_is_used_when_present(
    runner: CliRunner, tmp_path: Path, write_timeline: WriteTimeline
) -> None:
    (tmp_path / "timelines").mkdir()
    write_timeline(BODY, name="timelines/mine.toml")
    result = runner.invoke(app, ["status", "--as-of", "2025-06-10", "--format", "json", "--all"])
    assert sorted(entry_ids(result)) == ["ruling", "talks", "truce"]
    assert result.stderr == ""
    table = runner.invoke(app, ["status", "--as-of", "2025-06-10"])
    assert "Test timeline" in table.stdout
    assert "bundled" not in table.stdout


def test_bundled_timeline_is_the_last_resort_and_says_so(runner: CliRunner, tmp_path: Path) -> None:
    assert not (tmp_path / "timelines").exists()
    result = runner.invoke(app, ["status", "--as-of", "2025-06-10"])
    assert result.exit_code == 0
    out = flat(result.stdout)
    assert "bundled" in out
    assert "2026-05-31" in out
    assert "geneva-truce" in out
    as_json = runner.invoke(app, ["status", "--as-of", "2025-06-10", "--format", "json"])
    assert "geneva-truce" in [e["id"] for e in json_of(as_json)["entries"]]
    assert "bundled" in as_json.stderr and "2026-05-31" in as_json.stderr


def test_nothing_to_show_says_so(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(app, ["status", "-f", str(timeline_file), "--as-of", "2027-01-01"])
    assert result.exit_code == 0
    out = flat(result.stdout)
    assert "Nothing to show" in out
    assert "--all" in out
    assert "--as-of" in out
    markdown = runner.invoke(app, ["status", "-f", str(timeline_file), "--as-of", "2027-01-01", "--format", "markdown"])
    assert markdown.exit_code == 0
    assert "Nothing to show" in markdown.stdout and "--all" in markdown.stdout
    everything = runner.invoke(app, ["status", "-f", str(timeline_file), "--as-of", "2027-01-01", "--all"])
    assert "Nothing to show" not in everything.stdout
    assert "truce" in everything.stdout


# ---------------------------------------------------------------- colour


def colour_run(runner: CliRunner, path: Path, options: list[str], env: dict[str, str]) -> str:
    result = runner.invoke(app, ["status", "-f", str(path), "--as-of", "2025-06-10", *options], env=env)
    assert result.exit_code == 0, result.stderr
    assert "Geneva-like" in result.stdout
    return result.stdout


def test_piped_output_has_no_ansi_by_default(runner: CliRunner, timeline_file: Path) -> None:
    assert ANSI not in colour_run(runner, timeline_file, [], {})


def test_color_always_emits_ansi(runner: CliRunner, timeline_file: Path) -> None:
    assert ANSI in colour_run(runner, timeline_file, ["--color", "always"], {})
    # Before the command name too.
    result = runner.invoke(app, ["--color", "always", "status", "-f", str(timeline_file), "--as-of", "2025-06-10"])
    assert ANSI in result.stdout


def test_color_never_emits_none_even_on_a_terminal(runner: CliRunner, timeline_file: Path) -> None:
    # FORCE_COLOR makes rich treat the output as a colour terminal.
    assert ANSI in colour_run(runner, timeline_file, [], {"FORCE_COLOR": "1"})
    assert ANSI not in colour_run(runner, timeline_file, ["--color", "never"], {"FORCE_COLOR": "1"})


def test_no_color_beats_terminal_detection(runner: CliRunner, timeline_file: Path) -> None:
    assert ANSI not in colour_run(runner, timeline_file, [], {"FORCE_COLOR": "1", "NO_COLOR": "1"})


def test_color_always_beats_no_color(runner: CliRunner, timeline_file: Path) -> None:
    assert ANSI in colour_run(runner, timeline_file, ["--color", "always"], {"NO_COLOR": "1"})


def test_color_after_the_command_wins(runner: CliRunner, timeline_file: Path) -> None:
    after_never = runner.invoke(
        app, ["--color", "always", "status", "-f", str(timeline_file), "--as-of", "2025-06-10", "--color", "never"]
    )
    assert after_never.exit_code == 0
    assert "Geneva-like" in after_never.stdout
    assert ANSI not in after_never.stdout
    after_always = runner.invoke(
        app, ["--color", "never", "status", "-f", str(timeline_file), "--as-of", "2025-06-10", "--color", "always"]
    )
    assert ANSI in after_always.stdout


# ---------------------------------------------------------------- show


def test_show_bundled_geneva_truce_as_of_the_extension(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "geneva-truce", "--as-of", "2025-08-11"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    end_lines = [line for line in out.splitlines() if line.startswith("end ")]
    assert len(end_lines) == 1
    assert "2025-11-10 00:01 EST" in end_lines[0]
    assert "eo-14334" in end_lines[0]
    text = flat(out)
    assert "original: 2025-08-12 00:01 EDT = 2025-05-14 00:01 EDT + 90d" in text
    assert "+90 days" in text
    assert "sources" in text
    assert "bocintl.com/web/blast-524 (EO text)" in text
    assert "bundled" in text and "2026-05-31" in text


def test_show_extension_by_duration_derivation(runner: CliRunner, timeline_file: Path) -> None:
    result = runner.invoke(app, ["show", "truce", "-f", str(timeline_file), "--as-of", "2025-08-11"])
    assert result.exit_code == 0, result.stderr
    assert "2025-11-10 00:01 EST = 2025-08-12 00:01 EDT + 90d, by ext" in flat(result.stdout)
    assert "https://example.org/eo" in result.stdout


def test_show_unknown_id_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "nope", "--as-of", "2025-08-11"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("trucetrack: error: ")
    assert "nope" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_unknown_id_suggests_a_close_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "geneva-truse", "--as-of", "2025-08-11"])
    assert result.exit_code == 2
    assert "did you mean" in result.stderr
    assert "geneva-truce" in result.stderr


# ---------------------------------------------------------------- version and subprocesses


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"trucetrack {trucetrack.__version__}"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trucetrack", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_python_m_version(tmp_path: Path) -> None:
    done = run(["--version"], tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"trucetrack {trucetrack.__version__}"


def test_python_m_status_in_an_empty_folder_uses_the_bundled_timeline(tmp_path: Path) -> None:
    done = run(["status", "--as-of", "2025-06-10"], tmp_path)
    assert done.returncode == 0, done.stderr
    out = flat(done.stdout)
    assert "bundled" in out
    assert "2026-05-31" in out
    assert "geneva-truce" in out
    assert "\x1b" not in done.stdout  # piped: no colour
    assert "Traceback" not in done.stderr


def closed_pipe(command: str, cwd: Path) -> tuple[int, str]:
    """Run ``command | head -1`` in bash; return the exit code of ``command`` and its stderr."""
    script = f"{command} 2>stderr.txt | head -1 >/dev/null; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60)
    return done.returncode, (cwd / "stderr.txt").read_text(encoding="utf-8")


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    python = shlex.quote(sys.executable)
    code, stderr = closed_pipe(f"{python} -m trucetrack status --all --as-of 2025-06-10", tmp_path)
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert "Exception ignored" not in stderr
    assert code == 0


def test_closed_pipe_with_more_output_than_a_pipe_holds(tmp_path: Path, write_timeline: WriteTimeline) -> None:
    events = "".join(
        f'[[event]]\nid = "e-{i:04d}"\nkind = "announcement"\ntitle = "Announcement {i} with a few more words"\n'
        f"date = 2025-{1 + i % 12:02d}-{1 + i % 28:02d}\n\n"
        for i in range(1200)
    )
    big = write_timeline(events, name="big.toml")
    python = shlex.quote(sys.executable)
    code, stderr = closed_pipe(
        f"{python} -m trucetrack status -f {shlex.quote(str(big))} --all --as-of 2025-06-10", tmp_path
    )
    assert stderr == ""
    assert code == 0
