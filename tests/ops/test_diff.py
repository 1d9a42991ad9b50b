"""Semantic diff: diff OLD NEW, diff --rev, the git diff driver, and gitfiles."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BUNDLED, HEADER, NEW_YORK, instant
from trucetrack.cli import app
from trucetrack.engine import semdiff
from trucetrack.errors import TrucetrackError
from trucetrack.load.loader import load as load_timeline
from trucetrack.output.diff import days_text
from trucetrack.store import git as gitfiles

TRUCE = """\
[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva 90-day reciprocal tariff reduction"
start = 2025-05-14T00:01:00
duration = "90d"
warn = "21d"
parties = ["US", "CN"]

[[event]]
id = "talks-london"
kind = "talks"
title = "London talks"
start = 2025-06-09
through = 2025-06-10
parties = ["US", "CN"]
"""

EXTENSION = """
[[event]]
id = "eo-14334"
kind = "extension"
title = "EO 14334 extends the truce by 90 days"
target = "geneva-truce"
date = 2025-08-11
by = "90d"
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _without_block(text: str, entry_id: str) -> str:
    """``text`` with the [[event]] block of ``entry_id`` cut out."""
    blocks = text.split("\n[[event]]\n")
    kept = [block for block in blocks if not block.startswith(f'id = "{entry_id}"\n')]
    assert len(kept) == len(blocks) - 1
    return "\n[[event]]\n".join(kept)


def test_the_real_extension_eo_14334_moves_the_geneva_deadline_by_90_days(tmp_path: Path, runner: CliRunner) -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    old = write(tmp_path / "before.toml", _without_block(text, "eo-14334"))
    new = write(tmp_path / "after.toml", text)
    result = runner.invoke(app, ["diff", str(old), str(new), "--as-of", "2025-08-11"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [f"--- {old}", f"+++ {new}", "as of 2025-08-11 00:00 EDT (America/New_York)"]
    assert "  geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)" in lines
    assert "  geneva-truce: expiring → active" in lines
    added = next(line for line in lines if line.startswith("  + eo-14334"))
    assert added == (
        "  + eo-14334 (extension, geneva-truce → 2025-11-10 00:01 EST, decided 2025-08-11): "
        "EO 14334 extends the Geneva truce to Nov 10, 2025"
    )
    # Before the order was signed nothing had moved yet: only the new entry shows.
    result = runner.invoke(app, ["diff", str(old), str(new), "--as-of", "2025-08-01", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [entry["id"] for entry in data["added"]] == ["eo-14334"]
    assert data["ends_moved"] == [] and data["status_changed"] == []


def test_json_names_every_section(tmp_path: Path, runner: CliRunner) -> None:
    old = write(tmp_path / "old.toml", HEADER + "\n" + TRUCE)
    new = write(tmp_path / "new.toml", HEADER + "\n" + TRUCE + EXTENSION)
    result = runner.invoke(app, ["diff", str(old), str(new), "--as-of", "2025-08-11", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data == {
        "old": str(old),
        "new": str(new),
        "as_of": "2025-08-11T00:00:00-04:00",
        "tz": "America/New_York",
        "same": False,
        "timeline": [],
        "added": [
            {
                "id": "eo-14334",
                "kind": "extension",
                "title": "EO 14334 extends the truce by 90 days",
                "when": "2025-08-11T00:00:00-04:00",
                "end": None,
                "target": "geneva-truce",
                "text": "geneva-truce +90d, decided 2025-08-11",
                "file": str(new),
            }
        ],
        "removed": [],
        "changed": [],
        "ends_moved": [
            {"id": "geneva-truce", "old": "2025-08-12T00:01:00-04:00", "new": "2025-11-10T00:01:00-05:00", "days": 90}
        ],
        "status_changed": [{"id": "geneva-truce", "old": "expiring", "new": "active"}],
    }


def test_pure_reformatting_is_no_difference(tmp_path: Path, runner: CliRunner) -> None:
    old = write(tmp_path / "old.toml", HEADER + "\n" + TRUCE + EXTENSION)
    extension = (
        '{by = "P90D", date = 2025-08-11, target = "geneva-truce", kind = "extension", id = "eo-14334", '
        'title = "EO 14334 extends the truce by 90 days"}'
    )
    talks = (  # through the 10th is the same end as the 11th at midnight
        '{id = "talks-london", kind = "talks", title = "London talks", start = 2025-06-09, end = 2025-06-11, '
        'parties = ["US", "CN"]}'
    )
    truce = (  # the same instants written otherwise, and 21 days as 3 weeks
        '{id = "geneva-truce", kind = "agreement", title = "Geneva 90-day reciprocal tariff reduction", '
        'start = 2025-05-14T04:01:00Z, end = 2025-08-12T00:01:00-04:00, warn = "3 weeks", parties = ["US", "CN"]}'
    )
    reordered = (
        "# Same timeline, other layout.\n"
        'timezone = "America/New_York"\ntitle = "Test timeline"\nschema = 1\n'
        'parties = {CN = {name = "China"}, US = {name = "United States"}}\n'
        f"event = [\n  {extension},\n  {talks},\n  {truce},\n]\n"
    )
    new = write(tmp_path / "new.toml", reordered)
    result = runner.invoke(app, ["diff", str(old), str(new), "--as-of", "2025-08-11"])
    assert (result.exit_code, result.output) == (0, "")
    result = runner.invoke(app, ["diff", str(old), str(new), "--as-of", "2025-08-11", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["same"] is True


def test_fields_added_removed_and_timeline_changes(tmp_path: Path, runner: CliRunner) -> None:
    old = write(tmp_path / "old.toml", HEADER + "\n" + TRUCE)
    changed = (
        HEADER.replace('title = "Test timeline"', 'title = "Renamed"').replace('"China"', '"PRC"')
        + "\n"
        + TRUCE.replace('title = "London talks"', 'title = "London talks \\u001b[31m(red)"')
        .replace('parties = ["US", "CN"]\n', 'parties = ["US"]\nrate = 10.0\nmeasure = "m"\n', 1)
        .replace("through = 2025-06-10", "through = 2025-06-12")
        .replace('id = "talks-london"', 'id = "talks-london-2"')
    )
    new = write(tmp_path / "new.toml", changed)
    result = runner.invoke(app, ["diff", str(old), str(new), "--as-of", "2025-06-01"])
    assert result.exit_code == 1
    assert result.output.splitlines()[3:] == [
        "timeline:",
        '  title: "Test timeline" → "Renamed"',
        '  party CN: "China" → "PRC"',
        "added:",
        "  + talks-london-2 (talks, 2025-06-09 → 2025-06-13): London talks (red)",
        "removed:",
        "  - talks-london (talks, 2025-06-09 → 2025-06-11): London talks",
        "changed:",
        "  geneva-truce: parties [US, CN] → [US]",
        '  geneva-truce: measure (none) → "m"',
        "  geneva-truce: rate (none) → 10",
    ]
    assert "\x1b" not in result.output


def test_exit_2_on_errors(tmp_path: Path, runner: CliRunner) -> None:
    good = write(tmp_path / "good.toml", HEADER + "\n" + TRUCE)
    bad = write(tmp_path / "bad.toml", HEADER + "\n" + TRUCE.replace('"talks"', '"talk"'))
    result = runner.invoke(app, ["diff", str(good), str(bad)])
    assert result.exit_code == 2
    assert "unknown kind 'talk'" in result.output
    result = runner.invoke(app, ["diff", str(good)])
    assert result.exit_code == 2
    assert "diff needs OLD and NEW" in result.output
    result = runner.invoke(app, ["diff", str(good), str(tmp_path / "missing.toml")])
    assert result.exit_code == 2


def test_folders_are_compared_as_whole_timelines(tmp_path: Path, runner: CliRunner) -> None:
    for name, extra in (("old", ""), ("new", EXTENSION)):
        folder = tmp_path / name
        folder.mkdir()
        write(folder / "a.toml", HEADER + "\n" + TRUCE)
        write(folder / "b.toml", 'schema = 1\ntimezone = "America/New_York"\n' + extra)
    result = runner.invoke(app, ["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--as-of", "2025-09-01"])
    assert result.exit_code == 1
    assert "  geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)" in result.output


def test_days_text_and_moves(make_timeline: Callable[..., object]) -> None:
    assert days_text(90) == " (+90 days)"
    assert days_text(-1) == " (-1 day)"
    assert days_text(0) == " (same day)"
    assert days_text(None) == ""
    old = load_timeline([str(_write_tmp(HEADER + "\n" + TRUCE.replace('duration = "90d"\n', "")))])
    new = load_timeline([str(_write_tmp(HEADER + "\n" + TRUCE))])
    moved = semdiff.compare(old, new, instant("2025-06-01T00:00"), NEW_YORK).ends_moved
    assert [(m.id, m.old_text, m.new_text, m.days) for m in moved] == [
        ("geneva-truce", "open-ended", "2025-08-12 00:01 EDT", None)
    ]


def _write_tmp(text: str) -> Path:
    path = Path(f"t{abs(hash(text))}.toml")
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- git


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    (folder / "timelines").mkdir(parents=True)
    git(folder, "init", "-q")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.org")
    git(folder, "config", "commit.gpgsign", "false")
    write(folder / "timelines" / "truce.toml", HEADER + "\n" + TRUCE)
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "truce")
    return folder


def test_diff_rev_against_the_working_copy(repo: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    path = repo / "timelines" / "truce.toml"
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "timelines/truce.toml", "--as-of", "2025-08-11"])
    assert (result.exit_code, result.output) == (0, "")
    with path.open("a", encoding="utf-8") as out:
        out.write(EXTENSION)
    for args in (["timelines/truce.toml"], ["timelines"], []):  # a file, a folder, the default ./timelines/
        result = runner.invoke(app, ["diff", "--rev", "HEAD", *args, "--as-of", "2025-08-11"])
        assert result.exit_code == 1, result.output
        assert "  geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)" in result.output
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "--as-of", "2025-08-11"])
    assert result.output.startswith("--- HEAD:timelines\n+++ timelines\n")
    # A file added since the revision: every entry is new.
    write(repo / "timelines" / "more.toml", HEADER.replace("[parties.US]", "[parties.UK]") + "\n")
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "timelines/more.toml", "--as-of", "2025-08-11"])
    assert result.exit_code == 1
    assert "  file: (none) → timelines/more.toml" in result.output
    # A file deleted since: every entry is gone.
    path.unlink()
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "timelines/truce.toml", "--as-of", "2025-08-11"])
    assert result.exit_code == 1
    assert "removed:\n  - geneva-truce (agreement," in result.output


def test_diff_rev_errors(repo: Path, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["diff", "--rev", "no-such-rev", "timelines/truce.toml"])
    assert result.exit_code == 2
    assert "trucetrack: error: unknown revision 'no-such-rev'" in result.output
    outside = write(tmp_path / "outside.toml", HEADER)
    result = runner.invoke(app, ["diff", "--rev", "HEAD", str(outside)])
    assert result.exit_code == 2
    assert "not in a git repository" in result.output
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "a.toml", "b.toml"])
    assert result.exit_code == 2


def test_gitfiles_reads_history(repo: Path) -> None:
    path = str(repo / "timelines" / "truce.toml")
    first = git(repo, "rev-parse", "HEAD").strip()
    assert gitfiles.resolve_revision("HEAD", path) == first
    assert gitfiles.read_at("HEAD", path) == (HEADER + "\n" + TRUCE).encode("utf-8")
    assert gitfiles.read_at("HEAD", str(repo / "timelines" / "absent.toml")) is None
    assert gitfiles.toml_files_at("HEAD", str(repo / "timelines")) == [path]
    assert gitfiles.last_commit(path, instant("2090-01-01T00:00")) == first
    assert gitfiles.last_commit(path, instant("1990-01-01T00:00")) is None
    with pytest.raises(TrucetrackError, match="unknown revision"):
        gitfiles.read_at("HEAD~5", path)


def _configure_driver(repo: Path) -> None:
    write(repo / ".gitattributes", "*.toml diff=trucetrack\n")
    command = f"{sys.executable} -m trucetrack git-diff --as-of 2025-08-11"
    git(repo, "config", "diff.trucetrack.command", command)


def _git_env() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    environment["GIT_PAGER"] = "cat"
    return environment


def test_git_diff_and_log_show_the_semantic_diff(repo: Path) -> None:
    _configure_driver(repo)
    path = repo / "timelines" / "truce.toml"
    with path.open("a", encoding="utf-8") as out:
        out.write(EXTENSION)
    shown = subprocess.run(["git", "diff"], cwd=repo, capture_output=True, text=True, env=_git_env(), check=False)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "--- a/timelines/truce.toml",
        "+++ b/timelines/truce.toml",
        "as of 2025-08-11 00:00 EDT (America/New_York)",
        "added:",
        "  + eo-14334 (extension, geneva-truce +90d, decided 2025-08-11): EO 14334 extends the truce by 90 days",
        "deadlines moved:",
        "  geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)",
        "status changed:",
        "  geneva-truce: expiring → active",
    ]
    git(repo, "commit", "-q", "-am", "extend")
    log = subprocess.run(
        ["git", "log", "-p", "--ext-diff", "-1"], cwd=repo, capture_output=True, text=True, env=_git_env(), check=False
    )
    assert log.returncode == 0
    assert "  geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)" in log.stdout


def test_git_driver_new_deleted_reformatted_and_invalid_files(repo: Path) -> None:
    _configure_driver(repo)
    environment = _git_env()

    def git_diff(*args: str) -> str:
        result = subprocess.run(
            ["git", "diff", *args], cwd=repo, capture_output=True, text=True, env=environment, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    extra = write(repo / "timelines" / "extra.toml", HEADER + "\n" + TRUCE.replace("geneva-truce", "other-truce"))
    git(repo, "add", "-N", str(extra))
    shown = git_diff()
    assert shown.startswith("--- /dev/null\n+++ b/timelines/extra.toml\n")
    assert "  + other-truce (agreement, 2025-05-14 00:01 EDT → 2025-08-12 00:01 EDT)" in shown
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "extra")

    extra.unlink()
    shown = git_diff()
    assert shown.startswith("--- a/timelines/extra.toml\n+++ /dev/null\n")
    assert "removed:" in shown
    git(repo, "checkout", "-q", "--", str(extra))

    truce = repo / "timelines" / "truce.toml"
    subprocess.run(
        [sys.executable, "-m", "trucetrack", "fmt", str(truce)], env=environment, check=True, capture_output=True
    )
    assert git_diff() == (
        "--- a/timelines/truce.toml\n+++ b/timelines/truce.toml\nno semantic change (layout, order or comments only)\n"
    )

    truce.write_text("schema = 1\nbroken =\n", encoding="utf-8")
    shown = git_diff()
    assert shown.startswith("(not a valid timeline, so a line diff follows: b/timelines/truce.toml:2:9:")
    assert "+broken =" in shown


def test_git_diff_command_arguments(tmp_path: Path, runner: CliRunner) -> None:
    old = write(tmp_path / "old.toml", HEADER + "\n" + TRUCE)
    new = write(tmp_path / "new.toml", HEADER + "\n" + TRUCE + EXTENSION)
    args = ["git-diff", "t.toml", str(old), "a" * 40, "100644", str(new), "b" * 40, "100644", "--as-of", "2025-08-11"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "(+90 days)" in result.output
    result = runner.invoke(app, ["git-diff", "t.toml", str(old)])
    assert result.exit_code == 2
    assert "git-diff takes the arguments git passes" in result.output
    result = runner.invoke(app, ["git-diff", "t.toml"])
    assert (result.exit_code, result.output) == (0, "* Unmerged path t.toml\n")
    renamed = [*args[:8], "renamed.toml", "similarity index 90%", "--as-of", "2025-08-11"]
    result = runner.invoke(app, renamed)
    assert result.exit_code == 0
    assert result.output.startswith("--- a/t.toml\n+++ b/renamed.toml\n")
    assert re.search(r"^as of 2025-08-11", result.output, re.M)


# ---------------------------------------------------------------- review fixes


def test_the_driver_keeps_escape_sequences_off_the_terminal(tmp_path: Path, runner: CliRunner) -> None:
    hostile = write(tmp_path / "esc.toml", 'schema = 1\n"\\u001b]0;PWNED\\u0007\\u001b[31mred" = 1\n')
    result = runner.invoke(app, ["git-diff", "x", "/dev/null", "0", "0", str(hostile), "0", "0"])
    assert result.exit_code == 0
    assert result.output.startswith("(not a valid timeline, so a line diff follows: b/x:2: ")
    assert "unknown top-level key" in result.output
    assert not any(char in result.output for char in "\x1b\x07\x9b")
    result = runner.invoke(app, ["git-diff", "a\x1b[31m.toml"])
    assert (result.exit_code, result.output) == (0, "* Unmerged path a.toml\n")


def test_diff_rev_of_a_folder_gone_from_the_working_copy(
    repo: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    (repo / "timelines" / "truce.toml").unlink()
    (repo / "timelines").rmdir()
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "timelines", "--as-of", "2025-08-11"])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[3:] == [
        "timeline:",
        "  file: HEAD:timelines/truce.toml → (none)",
        '  party CN: "China" → (none)',
        '  party US: "United States" → (none)',
        "removed:",
        "  - geneva-truce (agreement, 2025-05-14 00:01 EDT → 2025-08-12 00:01 EDT): "
        "Geneva 90-day reciprocal tariff reduction",
        "  - talks-london (talks, 2025-06-09 → 2025-06-11): London talks",
    ]
    result = runner.invoke(app, ["diff", "--rev", "HEAD", "timelines", "--as-of", "2025-08-11", "--format", "json"])
    removed = json.loads(result.output)["removed"]
    assert [(r["id"], r["when"], r["end"]) for r in removed] == [
        ("geneva-truce", "2025-05-14T00:01:00-04:00", "2025-08-12T00:01:00-04:00"),
        ("talks-london", "2025-06-09T00:00:00-04:00", "2025-06-11T00:00:00-04:00"),
    ]
    assert removed[1]["text"] == "2025-06-09 → 2025-06-11"


CROSS_FILE = 'schema = 1\ntimezone = "America/New_York"\n'


def test_a_modifier_aimed_at_another_file_gets_a_semantic_diff(repo: Path) -> None:
    _configure_driver(repo)
    extensions = write(repo / "timelines" / "extensions.toml", CROSS_FILE)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "extensions file")
    with extensions.open("a", encoding="utf-8") as out:
        out.write(EXTENSION)
    shown = subprocess.run(["git", "diff"], cwd=repo, capture_output=True, text=True, env=_git_env(), check=False)
    assert shown.returncode == 0, shown.stderr
    # Only what differs: the context file (truce.toml) is the same on both sides, so says nothing itself.
    assert shown.stdout.splitlines() == [
        "--- a/timelines/extensions.toml",
        "+++ b/timelines/extensions.toml",
        "as of 2025-08-11 00:00 EDT (America/New_York)",
        "added:",
        "  + eo-14334 (extension, geneva-truce +90d, decided 2025-08-11): EO 14334 extends the truce by 90 days",
        "deadlines moved:",
        "  geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)",
        "status changed:",
        "  geneva-truce: expiring → active",
    ]
    # diff --rev REV FILE: the file's folder at REV on the old side, the working copy on the new.
    result = subprocess.run(
        [sys.executable, "-m", "trucetrack", "diff", "--rev", "HEAD", "timelines/extensions.toml", "--as-of",
         "2025-08-11"],
        cwd=repo, capture_output=True, text=True, env=_git_env(), check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[3:] == shown.stdout.splitlines()[3:]


def test_the_driver_without_usable_context_still_diffs_the_file_alone(
    repo: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A context file that clashes (the same ids) or is not a timeline is left out.
    timelines = repo / "timelines"
    write(timelines / "copy.toml", HEADER + "\n" + TRUCE)
    write(timelines / "other.toml", "[tool.x]\nname = 1\n")
    old = write(repo / "old.toml", HEADER + "\n" + TRUCE)
    new = write(repo / "new.toml", HEADER + "\n" + TRUCE + EXTENSION)
    args = ["git-diff", "timelines/truce.toml", str(old), "0", "0", str(new), "0", "0", "--as-of", "2025-08-11"]
    monkeypatch.chdir(repo)
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "  geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)" in result.output
