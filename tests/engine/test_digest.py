"""The weekly digest (`summary`) and the cron check (`check`): sections, windows, exit codes,
the changes-in-git section, and byte-identical output whatever the machine's zone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import HEADER, NEW_YORK, instant
from trucetrack.cli import app
from trucetrack.core.model import Duration, Timeline
from trucetrack.engine import digest
from trucetrack.engine.status import Engine

MakeTimeline = Callable[..., Timeline]
WriteTimeline = Callable[..., Path]

BODY = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"
warn = "21d"
parties = ["US", "CN"]

[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"

[[event]]
id = "licences"
kind = "license"
title = "Licences"
start = 2025-08-05
through = 2025-08-07

[[event]]
id = "ruling"
kind = "ruling"
title = "A ruling"
date = 2025-08-20

[[event]]
id = "talks"
kind = "talks"
title = "Talks"
start = 2025-09-09
through = 2025-09-10

[[event]]
id = "old-tariff"
kind = "tariff"
title = "Old tariff"
start = 2025-01-01
measure = "duty"
rate = 10.0

[[event]]
id = "new-tariff"
kind = "tariff"
title = "New tariff"
start = 2025-08-06
measure = "duty"
rate = 20.0

[[event]]
id = "stop"
kind = "termination"
target = "licences"
date = 2025-08-06
end = 2025-08-06T12:00:00
"""

AS_OF = instant("2025-08-12")


@pytest.fixture
def timeline(make_timeline: MakeTimeline) -> Timeline:
    return make_timeline(BODY)


# ---------------------------------------------------------------- sections


def test_what_happened_in_the_window(timeline: Timeline) -> None:
    summary = digest.summarize(timeline, AS_OF, NEW_YORK)
    assert summary.window_start == instant("2025-08-05")
    assert [(h.at, h.what, h.entry.id) for h in summary.happened] == [
        # 2025-08-05 00:00 is the window's start: not inside (it belonged to last week's run).
        (instant("2025-08-06"), "started", "new-tariff"),
        (instant("2025-08-06"), "decided", "stop"),
        (instant("2025-08-06T12:00"), "terminated", "licences"),
        (instant("2025-08-11"), "decided", "ext"),
    ]
    decided = summary.happened[-1]
    assert decided.target is not None and decided.target.id == "truce"
    assert decided.change is not None
    assert (decided.change.previous, decided.change.end) == (instant("2025-08-12T00:01"), instant("2025-11-10T00:01"))


def test_the_window_is_half_open_so_weekly_runs_neither_miss_nor_repeat(timeline: Timeline) -> None:
    def happened(as_of: str) -> set[tuple[str, str]]:
        summary = digest.summarize(timeline, instant(as_of), NEW_YORK)
        return {(h.entry.id, h.what) for h in summary.happened}

    this_week, last_week = happened("2025-08-12"), happened("2025-08-05")
    assert ("licences", "started") in last_week  # at 2025-08-05 00:00 exactly: the as-of end is inclusive
    assert ("licences", "started") not in this_week
    assert not this_week & last_week


def test_ends_are_those_known_at_as_of(timeline: Timeline) -> None:
    """As of 2025-08-12 00:01 the extension is known: the truce did not end."""
    summary = digest.summarize(timeline, instant("2025-08-12T00:01"), NEW_YORK)
    assert ("truce", "ended") not in {(h.entry.id, h.what) for h in summary.happened}


def test_a_span_that_ended_in_the_window(make_timeline: MakeTimeline) -> None:
    timeline = make_timeline(BODY)
    summary = digest.summarize(timeline, instant("2025-11-11"), NEW_YORK)
    assert [(h.at, h.what, h.entry.id) for h in summary.happened] == [(instant("2025-11-10T00:01"), "ended", "truce")]


def test_deadlines_ahead_and_what_is_in_force(timeline: Timeline) -> None:
    summary = digest.summarize(timeline, AS_OF, NEW_YORK, ahead=Duration(days=30, text="30d"))
    assert summary.horizon == instant("2025-09-11")
    assert [state.id for state in summary.deadlines] == ["ruling", "talks"]
    # The superseded old tariff no longer governs: not in force.
    assert [(state.id, state.status) for state in summary.in_force] == [
        ("truce", "active"),
        ("new-tariff", "active"),
    ]
    shorter = digest.summarize(timeline, AS_OF, NEW_YORK, ahead=Duration(days=8, text="8d"))
    assert [state.id for state in shorter.deadlines] == ["ruling"]


# ---------------------------------------------------------------- check


CHECK_BODY = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"
warn = "21d"

[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"

[[event]]
id = "ruling"
kind = "ruling"
title = "A ruling"
date = 2025-09-01

[[event]]
id = "talks"
kind = "talks"
title = "Talks"
start = 2025-09-09
through = 2025-09-10
"""


def test_check_uses_each_entrys_warn_by_default(make_timeline: MakeTimeline) -> None:
    engine = Engine(make_timeline(CHECK_BODY))

    def found(at: str) -> list[str]:
        moment = instant(at)
        return [s.id for s in digest.check_deadlines(engine.states(moment, NEW_YORK), moment, NEW_YORK)]

    # Before the extension was decided, the truce was due 2025-08-12 00:01: inside its 21 days.
    assert found("2025-08-10") == ["truce"]
    # The ruling (2025-09-01, the file's warn of 14d) enters its window at 2025-08-18 00:00.
    assert found("2025-08-17T23:59") == []
    assert found("2025-08-18T00:00") == ["ruling"]
    # The talks start 2025-09-09: counted to their start, warned from 2025-08-26.
    assert found("2025-08-26T00:00") == ["ruling", "talks"]
    # The truce now ends 2025-11-10 00:01 EST; 21 days before on the wall clock: 2025-10-20 00:01 EDT.
    assert found("2025-10-20T00:00") == []
    assert found("2025-10-20T00:01") == ["truce"]
    assert found("2025-11-10T00:01") == []  # ended: nothing left to warn about


def test_check_leaves_out_superseded_entries(timeline: Timeline) -> None:
    engine = Engine(timeline)
    moment = instant("2025-08-12")
    states = engine.states(moment, NEW_YORK)
    assert "superseded" in {state.status for state in states}
    within = Duration(months=12, text="1y")
    assert all(state.status != "superseded" for state in digest.check_deadlines(states, moment, NEW_YORK, within))


def test_check_with_an_explicit_window(make_timeline: MakeTimeline) -> None:
    engine = Engine(make_timeline(CHECK_BODY))
    states = engine.states(AS_OF, NEW_YORK)
    within = Duration(days=28, text="28d")
    assert [s.id for s in digest.check_deadlines(states, AS_OF, NEW_YORK, within)] == ["ruling", "talks"]
    assert [s.id for s in digest.check_deadlines(states, AS_OF, NEW_YORK, Duration(days=27))] == ["ruling"]


def test_check_exit_codes_at_both_sides_of_the_warning_boundary(
    runner: CliRunner, write_timeline: WriteTimeline
) -> None:
    path = write_timeline(CHECK_BODY)
    quiet = runner.invoke(app, ["check", "-f", str(path), "--as-of", "2025-08-17T23:59"])
    assert quiet.exit_code == 0
    assert quiet.stdout == ""
    assert quiet.stderr == ""
    loud = runner.invoke(app, ["check", "-f", str(path), "--as-of", "2025-08-18T00:00"])
    assert loud.exit_code == 1
    assert loud.stdout == "2025-09-01  14 days  on  ruling  A ruling\n"
    within = runner.invoke(app, ["check", "-f", str(path), "--as-of", "2025-08-12", "--within", "28d"])
    assert within.exit_code == 1
    assert within.stdout == (
        "2025-09-01  20 days  on      ruling  A ruling\n2025-09-09  28 days  starts  talks   Talks\n"
    )


def test_check_json_and_nothing_printed_when_nothing_found(runner: CliRunner, write_timeline: WriteTimeline) -> None:
    path = write_timeline(BODY)
    found = runner.invoke(
        app, ["check", "-f", str(path), "--as-of", "2025-08-12", "--within", "10d", "--format", "json"]
    )
    assert found.exit_code == 1
    document = json.loads(found.stdout)
    assert document["as_of"] == "2025-08-12T00:00:00-04:00"
    assert document["within"] == "10d"
    assert [entry["id"] for entry in document["entries"]] == ["ruling"]
    assert document["entries"][0]["days_left"] == 8
    for output in ("table", "markdown", "json", "csv"):
        none = runner.invoke(app, ["check", "-f", str(path), "--as-of", "2027-01-01", "--format", output])
        assert none.exit_code == 0
        assert none.stdout == ""


def test_check_errors_exit_2(runner: CliRunner, write_timeline: WriteTimeline) -> None:
    path = write_timeline(BODY)
    bad_window = runner.invoke(app, ["check", "-f", str(path), "--as-of", "2025-08-12", "--within", "soon"])
    assert bad_window.exit_code == 2
    assert bad_window.stderr.startswith("trucetrack: error: --within: bad duration")
    broken = write_timeline('[[event]]\nid = "x"\nkind = "nope"\ntitle = "X"\ndate = 2025-01-01\n')
    invalid = runner.invoke(app, ["check", "-f", str(broken), "--as-of", "2025-08-12"])
    assert invalid.exit_code == 2
    assert "unknown kind 'nope'" in invalid.stderr
    assert invalid.stdout == ""


# ---------------------------------------------------------------- the files in git

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENVIRONMENT = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def git(repository: Path, *arguments: str, when: str | None = None) -> str:
    environment = {**os.environ, **GIT_ENVIRONMENT}
    if when is not None:
        environment["GIT_AUTHOR_DATE"] = environment["GIT_COMMITTER_DATE"] = when
    done = subprocess.run(
        ["git", *arguments], cwd=repository, env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


FIRST = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"

[[event]]
id = "talks"
kind = "talks"
title = "Talks"
date = 2025-09-09
"""

SECOND = (
    FIRST.replace("date = 2025-09-09\n", "date = 2025-09-10\n")
    + """
[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"
"""
)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository with commits on 2025-07-01, 2025-08-04 23:30 EDT and 2025-08-11 09:00 EDT."""
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    path = folder / "truce.toml"
    path.write_text(HEADER + "\n" + FIRST, encoding="utf-8")
    git(folder, "add", "truce.toml")
    git(folder, "commit", "-q", "-m", "first", when="2025-07-01T09:00:00-04:00")
    path.write_text(HEADER + "\n" + FIRST.replace('"Talks"', '"Talks, renamed"'), encoding="utf-8")
    git(folder, "commit", "-q", "-am", "rename", when="2025-08-04T23:30:00-04:00")
    path.write_text(HEADER + "\n" + SECOND, encoding="utf-8")
    git(folder, "commit", "-q", "-am", "extend", when="2025-08-11T09:00:00-04:00")
    # Uncommitted edits are not part of any commit: the section ignores them.
    path.write_text(HEADER + "\n" + SECOND.replace('"Truce"', '"Truce (draft)"'), encoding="utf-8")
    return folder


@needs_git
def test_summary_lists_what_changed_in_git_during_the_window(runner: CliRunner, repository: Path) -> None:
    revisions = git(repository, "log", "--format=%H").split()
    path = str(repository / "truce.toml")
    result = runner.invoke(app, ["summary", "-f", path, "--as-of", "2025-08-12", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    # Window 2025-08-05 00:00 → 2025-08-12 00:00 EDT: from "rename" (the last commit before it) to "extend".
    assert changes["old_revision"] == revisions[1]
    assert changes["new_revision"] == revisions[0]
    assert changes["problem"] is None
    diff = changes["diff"]
    assert [entry["id"] for entry in diff["added"]] == ["ext"]
    assert diff["removed"] == []
    assert [(c["id"], c["field"]) for c in diff["changed"]] == [("talks", "title"), ("talks", "date")]
    assert diff["ends_moved"] == [
        {"id": "truce", "old": "2025-08-12T00:01:00-04:00", "new": "2025-11-10T00:01:00-05:00", "days": 90}
    ]
    markdown = runner.invoke(app, ["summary", "-f", path, "--as-of", "2025-08-12", "--format", "markdown"])
    assert markdown.stdout.endswith(
        f"### Changes in the files ({revisions[1][:7]} → {revisions[0][:7]})\n\n"
        "- added ext (extension, truce +90d, decided 2025-08-11): extension of truce\n"
        "- moved truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)\n"
        '- changed talks: title "Talks, renamed" → "Talks"\n'
        "- changed talks: date 2025-09-09 → 2025-09-10\n"
        "- status truce: expiring → active\n"
    )
    # The working copy's uncommitted "Truce (draft)" is in no commit: not reported.
    assert "draft" not in markdown.stdout.split("### Changes")[1]
    table = runner.invoke(app, ["summary", "-f", path, "--as-of", "2025-08-12"], env={"COLUMNS": "100"})
    assert table.stdout.endswith(
        f"Changes in the files ({revisions[1][:7]} → {revisions[0][:7]})\n"
        "added ext (extension, truce +90d, decided 2025-08-11): extension of truce\n"
        "moved truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)\n"
        'changed talks: title "Talks, renamed" → "Talks"\n'
        "changed talks: date 2025-09-09 → 2025-09-10\n"
        "status truce: expiring → active\n"
    )


@needs_git
def test_a_folder_is_read_as_its_toml_files_at_each_commit(runner: CliRunner, repository: Path) -> None:
    (repository / "more.toml").write_text(
        HEADER.replace('[parties.US]\nname = "United States"\n\n[parties.CN]\nname = "China"\n', "")
        + '\n[[event]]\nid = "later"\nkind = "deadline"\ntitle = "Later"\ndate = 2025-12-01\n',
        encoding="utf-8",
    )
    git(repository, "add", "more.toml")
    git(repository, "commit", "-q", "-m", "more", when="2025-08-13T09:00:00-04:00")
    result = runner.invoke(app, ["summary", "-f", str(repository), "--as-of", "2025-08-14", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    diff = json.loads(result.stdout)["changes"]["diff"]
    assert [(entry["id"], entry["file"]) for entry in diff["added"]] == [
        ("ext", str(repository / "truce.toml")),
        ("later", str(repository / "more.toml")),
    ]


@needs_git
def test_git_window_edges(runner: CliRunner, repository: Path) -> None:
    def changes(as_of: str, days: str = "7") -> object:
        result = runner.invoke(
            app,
            ["summary", "-f", str(repository), "--as-of", as_of, "--days", days, "--format", "json"],
        )
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)["changes"]

    revisions = git(repository, "log", "--format=%H").split()
    # Before the first commit: the files were not in the repository yet, no section.
    assert changes("2025-06-30") is None
    # No commit before the window: everything committed by as-of counts as added.
    early = changes("2025-07-02", days="30")
    assert isinstance(early, dict)
    assert early["old_revision"] is None and early["new_revision"] == revisions[2]
    assert [entry["id"] for entry in early["diff"]["added"]] == ["truce", "talks"]
    # A window with no commit in it: the section says there were no changes.
    quiet = changes("2025-08-04T12:00", days="3")
    assert isinstance(quiet, dict)
    assert quiet["old_revision"] == quiet["new_revision"] == revisions[2]
    assert quiet["diff"]["same"] is True
    # The commit at 23:30 EDT on 2025-08-04 is inside a window ending at 23:30 exactly (at or before as-of).
    edge = changes("2025-08-04T23:30", days="1")
    assert isinstance(edge, dict)
    assert edge["new_revision"] == revisions[1]


@needs_git
def test_git_section_reports_an_invalid_old_version(runner: CliRunner, repository: Path) -> None:
    path = repository / "truce.toml"
    path.write_text("this is not toml = = \n", encoding="utf-8")
    git(repository, "commit", "-q", "-am", "broken", when="2025-08-20T09:00:00-04:00")
    path.write_text(HEADER + "\n" + SECOND, encoding="utf-8")
    git(repository, "commit", "-q", "-am", "fixed", when="2025-08-28T09:00:00-04:00")
    result = runner.invoke(app, ["summary", "-f", str(path), "--as-of", "2025-08-29", "--format", "markdown"])
    assert result.exit_code == 0, result.stderr
    assert "Could not compare: the files at " in result.stdout
    assert "are not a valid timeline" in result.stdout


def test_no_repository_no_section(runner: CliRunner, write_timeline: WriteTimeline) -> None:
    path = write_timeline(BODY)
    result = runner.invoke(app, ["summary", "-f", str(path), "--as-of", "2025-08-12", "--format", "markdown"])
    assert result.exit_code == 0
    assert "Changes in the files" not in result.stdout
    assert json.loads(runner.invoke(app, ["summary", "-f", str(path), "--format", "json"]).stdout)["changes"] is None


# ---------------------------------------------------------------- a cron job's view


def run_cron(arguments: list[str], cwd: Path, zone: str) -> subprocess.CompletedProcess[bytes]:
    """As cron runs it: no terminal (stdout piped), TERM unset, the machine in ``zone``."""
    environment = {key: value for key, value in os.environ.items() if key not in ("TERM", "COLUMNS", "NO_COLOR")}
    environment["TZ"] = zone
    return subprocess.run(
        [sys.executable, "-m", "trucetrack", *arguments], cwd=cwd, env=environment, capture_output=True, timeout=60
    )


@needs_git
def test_summary_markdown_is_byte_identical_under_any_machine_zone(repository: Path, tmp_path: Path) -> None:
    arguments = ["summary", "--format", "markdown", "-f", str(repository / "truce.toml"), "--as-of", "2025-08-12"]
    in_utc = run_cron(arguments, tmp_path, "UTC")
    in_tokyo = run_cron(arguments, tmp_path, "Asia/Tokyo")
    assert in_utc.returncode == in_tokyo.returncode == 0, in_utc.stderr
    assert in_utc.stdout == in_tokyo.stdout
    text = in_utc.stdout.decode("utf-8")
    assert "\x1b" not in text
    assert "## Test timeline — as of 2025-08-12 00:00 EDT (America/New_York)" in text
    assert "- moved truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)" in text
    bundled = ["summary", "--format", "markdown", "--as-of", "2025-08-11"]
    assert run_cron(bundled, tmp_path, "UTC").stdout == run_cron(bundled, tmp_path, "Asia/Tokyo").stdout


def test_check_in_cron_is_plain_and_deterministic(write_timeline: WriteTimeline, tmp_path: Path) -> None:
    path = write_timeline(CHECK_BODY)
    arguments = ["check", "-f", str(path), "--as-of", "2025-08-12", "--within", "28d"]
    in_utc = run_cron(arguments, tmp_path, "UTC")
    in_tokyo = run_cron(arguments, tmp_path, "Asia/Tokyo")
    assert in_utc.returncode == in_tokyo.returncode == 1
    assert (
        in_utc.stdout
        == in_tokyo.stdout
        == (b"2025-09-01  20 days  on      ruling  A ruling\n2025-09-09  28 days  starts  talks   Talks\n")
    )
    assert in_utc.stderr == b""


@needs_git
def test_a_commit_exactly_at_the_window_start_is_reported_in_one_digest_only(runner: CliRunner, tmp_path: Path) -> None:
    """The window is since < t <= as-of: a commit at 2025-08-04 00:00 EDT belongs to the
    digest of 2025-08-04, not also to that of 2025-08-11."""
    folder = tmp_path / "edge"
    folder.mkdir()
    git(folder, "init", "-q")
    path = folder / "truce.toml"
    path.write_text(HEADER + "\n" + FIRST, encoding="utf-8")
    git(folder, "add", "truce.toml")
    git(folder, "commit", "-q", "-m", "first", when="2025-07-01T09:00:00-04:00")
    path.write_text(HEADER + "\n" + FIRST.replace('"Talks"', '"Talks, renamed"'), encoding="utf-8")
    git(folder, "commit", "-q", "-am", "at the edge", when="2025-08-04T00:00:00-04:00")

    def changes(as_of: str) -> object:
        result = runner.invoke(app, ["summary", "-f", str(path), "--as-of", as_of, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["changes"]["diff"]["same"]

    assert changes("2025-08-04") is False
    assert changes("2025-08-11") is True
