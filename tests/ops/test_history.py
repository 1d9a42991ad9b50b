"""history ID: the life of one entry across the commits of a real repository, through the installed command."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import HEADER
from tests.hostile.runner import installed_command

TRUCE = """
[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva 90-day reciprocal tariff reduction"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US", "CN"]
"""

TALKS = """
[[event]]
id = "talks-london"
kind = "talks"
title = "London talks"
date = 2025-06-09
"""

EXTENSION = """
[[event]]
id = "eo-14334"
kind = "extension"
target = "geneva-truce"
date = 2025-08-11
by = "90d"
"""


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True).stdout


def trucetrack(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*installed_command(), *args], cwd=folder, capture_output=True, text=True, check=False)


def commit(repo: Path, message: str, author: str = "Ana Lima") -> str:
    git(repo, "add", "-A")
    git(repo, "-c", f"user.name={author}", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(text)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose timelines/truce.toml has lived a little:
    the truce added, an unrelated entry, an extension in another file, a retitle."""
    folder = tmp_path / "repo"
    (folder / "timelines").mkdir(parents=True)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "test@example.org")
    git(folder, "config", "commit.gpgsign", "false")
    path = folder / "timelines" / "truce.toml"
    path.write_text(HEADER, encoding="utf-8")
    commit(folder, "Start the timeline")
    append(path, TRUCE)
    commit(folder, "Record the Geneva truce")
    append(path, TALKS)
    commit(folder, "London talks", author="Ben Okafor")
    (folder / "timelines" / "orders.toml").write_text(
        'schema = 1\ntitle = "Orders"\ntimezone = "America/New_York"\n' + EXTENSION, encoding="utf-8"
    )
    commit(folder, "EO 14334 extends the truce by 90 days")
    replace_in(path, 'title = "Geneva 90-day reciprocal tariff reduction"', 'title = "Geneva truce"')
    commit(folder, "Shorter title")
    return folder


def history(repo: Path, *args: str, cwd: Path | None = None) -> dict[str, object]:
    result = trucetrack(cwd or repo, "history", *args, "--as-of", "2025-12-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_history_of_an_entry_added_extended_by_a_modifier_and_retitled(repo: Path) -> None:
    data = history(repo, "geneva-truce")  # the default: ./timelines/, every file of it
    steps = data["changes"]
    assert isinstance(steps, list)
    assert [step["subject"] for step in steps] == [
        "Record the Geneva truce",
        "EO 14334 extends the truce by 90 days",
        "Shorter title",
    ]  # the London talks commit does not change the truce, and is left out
    assert [step["changes"] for step in steps] == [
        ["added: agreement, 2025-05-14 00:01 EDT → 2025-08-12 00:01 EDT: Geneva 90-day reciprocal tariff reduction"],
        ["end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days), by eo-14334"],
        ['title "Geneva 90-day reciprocal tariff reduction" → "Geneva truce"'],
    ]
    first = steps[0]
    assert first["commit"] == git(repo, "rev-parse", "HEAD~3").strip()  # the full hash
    assert first["author"] == "Ana Lima" and first["date"][:4].isdigit()
    text = trucetrack(repo, "history", "geneva-truce", "--as-of", "2025-12-01")
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert any(line.endswith("Ana Lima: EO 14334 extends the truce by 90 days") for line in lines)
    assert "  end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days), by eo-14334" in lines
    assert "London talks" not in text.stdout


def test_a_file_that_needs_its_folder_is_read_with_it(repo: Path) -> None:
    # orders.toml holds only a modifier of an entry in truce.toml: alone it is not a valid timeline.
    steps = history(repo, "eo-14334", "-f", "timelines/orders.toml")["changes"]
    assert isinstance(steps, list)
    assert [step["subject"] for step in steps] == ["EO 14334 extends the truce by 90 days"]
    assert steps[0]["changes"][0].startswith("added: extension, geneva-truce +90d, decided 2025-08-11")


def test_as_of_only_sets_when_ends_are_worked_out(repo: Path) -> None:
    steps = history(repo, "geneva-truce")["changes"]
    assert isinstance(steps, list)
    early = trucetrack(repo, "history", "geneva-truce", "--as-of", "2025-07-01", "--format", "json")
    subjects = [step["subject"] for step in json.loads(early.stdout)["changes"]]
    # Before the extension was decided it moves no end; the commits still count.
    assert subjects == ["Record the Geneva truce", "Shorter title"]


def test_history_follows_a_renamed_file_from_any_folder(repo: Path) -> None:
    git(repo, "mv", "timelines/truce.toml", "timelines/us-china.toml")
    commit(repo, "Rename the file")
    replace_in(repo / "timelines" / "us-china.toml", 'title = "London talks"', 'title = "London, round one"')
    commit(repo, "Name the round")
    (repo / "notes").mkdir()
    for where, path in ((repo / "timelines", "us-china.toml"), (repo / "notes", "../timelines/us-china.toml")):
        data = history(repo, "talks-london", "-f", path, cwd=where)
        steps = data["changes"]
        assert isinstance(steps, list)
        assert [step["subject"] for step in steps] == ["London talks", "Name the round"]
        assert steps[1]["changes"] == ['title "London talks" → "London, round one"']
    # Without -f, from a folder below the top: the repository's timelines/.
    assert [step["subject"] for step in history(repo, "talks-london", cwd=repo / "notes")["changes"]] == [
        "London talks",
        "Name the round",
    ]


def test_a_merge_is_listed_only_when_it_differs_from_both_parents(repo: Path) -> None:
    path = repo / "timelines" / "truce.toml"
    driver = shlex.join(installed_command()) + " merge-driver %O %A %B %P"
    git(repo, "config", "merge.trucetrack.driver", driver)
    (repo / ".gitattributes").write_text("*.toml merge=trucetrack\n", encoding="utf-8")
    commit(repo, "Merge timelines by entry")
    git(repo, "checkout", "-q", "-b", "side")
    replace_in(path, "date = 2025-06-09", "date = 2025-06-10")
    commit(repo, "London moved a day")
    git(repo, "checkout", "-q", "main")
    append(path, '\n[[event]]\nid = "talks-madrid"\nkind = "talks"\ntitle = "Madrid talks"\ndate = 2025-09-14\n')
    commit(repo, "Madrid")
    git(repo, "-c", "user.name=Merger", "merge", "-q", "--no-edit", "side")
    steps = history(repo, "talks-london")["changes"]
    assert isinstance(steps, list)
    assert [step["subject"] for step in steps] == ["London talks", "London moved a day"]
    # A merge resolved to what neither parent had is listed, with the change from the first parent.
    git(repo, "checkout", "-q", "-b", "other")
    replace_in(path, 'title = "London talks"', 'title = "London talks (UK)"')
    commit(repo, "UK")
    git(repo, "checkout", "-q", "main")
    replace_in(path, 'title = "London talks"', 'title = "London talks (US)"')
    commit(repo, "US")
    merged = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True, text=True, check=False)
    assert merged.returncode == 1
    text = path.read_text(encoding="utf-8")
    start, end = text.index("<<<<<<< ours\n"), text.index(">>>>>>> theirs\n") + len(">>>>>>> theirs\n")
    resolved = text[text.index("[[event]]", start) : text.index("=======\n")].replace("(US)", "(resolved)")
    path.write_text(text[:start] + resolved + text[end:], encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Merger", "commit", "-q", "--no-edit")
    steps = history(repo, "talks-london")["changes"]
    assert isinstance(steps, list)
    subjects = [step["subject"] for step in steps]
    assert sorted(subjects[-3:-1]) == ["UK", "US"] and subjects[-1] == "Merge branch 'other'"  # either branch first
    assert steps[-1]["author"] == "Merger"
    assert steps[-1]["changes"] == ['title "London talks (US)" → "London talks (resolved)"']


def test_history_errors(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.toml").write_text(HEADER, encoding="utf-8")
    result = trucetrack(outside, "history", "geneva-truce", "-f", "t.toml")
    assert result.returncode == 2
    assert "not in a git repository" in result.stderr
    (repo / "timelines" / "new.toml").write_text(HEADER, encoding="utf-8")
    result = trucetrack(repo, "history", "geneva-truce", "-f", "timelines/new.toml")
    assert result.returncode == 2
    assert "not under git" in result.stderr
    result = trucetrack(repo, "history", "genva-truce")
    assert result.returncode == 2
    assert "did you mean 'geneva-truce'?" in result.stderr
    result = trucetrack(outside, "history", "geneva-truce")  # the bundled timeline
    assert result.returncode == 2
    assert "bundled timeline is not" in result.stderr
