"""The merge driver: three-way merges of timeline files by entry id, in real git repositories
and called directly with the three versions, through the installed command."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import HEADER
from tests.hostile.runner import installed_command

TRUCE = """\
# The Geneva truce: ninety days from May 14.
[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva 90-day reciprocal tariff reduction"
start = 2025-05-14T00:01:00
duration = "90d" # as announced on May 12
parties = ["US", "CN"]
"""

TALKS = """
[[event]]
id = "talks-london"
kind = "talks"
title = "London talks"
date = 2025-06-09
"""

COMMAND = shlex.join(installed_command())


def git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=check)


def trucetrack(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*installed_command(), *args], cwd=folder, capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the merge driver set up as the docs say, and one timeline committed."""
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "test@example.org")
    git(folder, "config", "commit.gpgsign", "false")
    git(folder, "config", "merge.trucetrack.driver", f"{COMMAND} merge-driver %O %A %B %P")
    (folder / ".gitattributes").write_text("*.toml merge=trucetrack\n", encoding="utf-8")
    (folder / "truce.toml").write_text(
        "# Kept by the trade desk.\n\n" + HEADER + "\n" + TRUCE + TALKS, encoding="utf-8"
    )
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "base")
    return folder


def on_branch(repo: Path, branch: str, message: str, *edits: list[str]) -> None:
    """Make ``branch`` from main and commit the ``trucetrack`` edits on it."""
    git(repo, "checkout", "-q", "-b", branch, "main")
    for edit in edits:
        result = trucetrack(repo, *edit)
        assert result.returncode == 0, result.stderr
    git(repo, "commit", "-q", "-am", message)
    git(repo, "checkout", "-q", "main")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_two_branches_that_each_add_an_entry_merge_cleanly(repo: Path) -> None:
    add = ["add", "-f", "truce.toml", "--kind", "talks"]
    on_branch(repo, "ana", "Stockholm", [*add, "--title", "Stockholm talks", "--date", "2025-07-28"])
    on_branch(repo, "ben", "Madrid", [*add, "--title", "Madrid talks", "--date", "2025-09-14"])
    assert git(repo, "merge", "-q", "ana", "-m", "ana").returncode == 0
    merged = git(repo, "merge", "ben", "-m", "ben", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    text = (repo / "truce.toml").read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    assert text.count("[[event]]") == 4
    for kept in ('id = "stockholm-talks"', 'id = "madrid-talks"', "# Kept by the trade desk.",
                 "# The Geneva truce: ninety days from May 14.\n[[event]]\nid = \"geneva-truce\"",
                 'duration = "90d" # as announced on May 12'):  # fmt: skip
        assert kept in text
    assert trucetrack(repo, "fmt", "--check", "truce.toml").returncode == 0
    assert trucetrack(repo, "validate", "truce.toml").returncode == 0
    assert text.index("london") < text.index("stockholm") < text.index("madrid")  # by date


def test_the_same_entry_retitled_differently_is_a_conflict_around_that_entry_only(repo: Path) -> None:
    path = repo / "truce.toml"
    git(repo, "checkout", "-q", "-b", "ben")
    replace_in(path, 'title = "London talks"', 'title = "London trade talks"')
    assert trucetrack(repo, "add", "-f", "truce.toml", "--kind", "talks", "--title", "Madrid talks",
                      "--date", "2025-09-14").returncode == 0  # fmt: skip
    git(repo, "commit", "-q", "-am", "ben")
    git(repo, "checkout", "-q", "main")
    replace_in(path, 'title = "London talks"', 'title = "London talks, first round"')
    git(repo, "commit", "-q", "-am", "ana")
    merged = git(repo, "merge", "ben", "-m", "ben", check=False)
    assert merged.returncode == 1
    assert "conflict: event 'talks-london': changed differently on both sides" in merged.stderr + merged.stdout
    text = path.read_text(encoding="utf-8")
    start, middle, end = text.index("<<<<<<< ours\n"), text.index("=======\n"), text.index(">>>>>>> theirs\n")
    assert text.count("<<<<<<<") == 1
    ours, theirs = text[start:middle], text[middle:end]
    assert 'title = "London talks, first round"' in ours and 'id = "talks-london"' in ours
    assert 'title = "London trade talks"' in theirs and 'id = "talks-london"' in theirs
    outside = text[:start] + text[end:]
    assert 'id = "madrid-talks"' in outside and 'id = "geneva-truce"' in outside
    assert "talks-london" not in outside
    assert git(repo, "status", "--porcelain").stdout.startswith("UU truce.toml")


def test_a_modifier_on_one_side_and_an_edit_of_its_target_on_the_other_are_both_kept(repo: Path) -> None:
    path = repo / "truce.toml"
    on_branch(repo, "ana", "extend",
              ["extend", "geneva-truce", "-f", "truce.toml", "--date", "2025-08-11", "--by", "90d",
               "--id", "eo-14334"])  # fmt: skip
    replace_in(path, 'title = "Geneva 90-day reciprocal tariff reduction"', 'title = "Geneva truce"')
    git(repo, "commit", "-q", "-am", "retitle")
    merged = git(repo, "merge", "ana", "-m", "ana", check=False)
    assert merged.returncode == 0, merged.stderr
    text = path.read_text(encoding="utf-8")
    assert 'title = "Geneva truce"' in text and 'id = "eo-14334"' in text
    shown = trucetrack(repo, "show", "geneva-truce", "-f", "truce.toml", "--as-of", "2025-09-01")
    assert "2025-11-10 00:01 EST" in shown.stdout


def test_a_side_that_is_not_a_timeline_is_merged_line_by_line(repo: Path) -> None:
    path = repo / "truce.toml"
    git(repo, "checkout", "-q", "-b", "broken")
    with path.open("a", encoding="utf-8") as out:
        out.write('\n[[event]]\nid = "half-written"\ntitle = \n')
    git(repo, "commit", "-q", "-am", "broken")
    git(repo, "checkout", "-q", "main")
    replace_in(path, "# Kept by the trade desk.", "# Kept by the trade desk (Geneva team).")
    git(repo, "commit", "-q", "-am", "comment")
    merged = git(repo, "merge", "broken", "-m", "broken", check=False)
    assert "theirs is not a valid timeline" in merged.stderr + merged.stdout
    assert "merged line by line (git merge-file)" in merged.stderr + merged.stdout
    text = path.read_text(encoding="utf-8")
    assert merged.returncode == 0  # the lines do not overlap: git's merge is clean
    assert "# Kept by the trade desk (Geneva team)." in text and 'id = "half-written"' in text


# ---------------------------------------------------------------- the driver called directly


def drive(tmp_path: Path, base: str, ours: str, theirs: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run the driver on three versions; returns the run and what it left in OURS."""
    names = []
    for label, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp_path / f"{label}.toml"
        path.write_text(text, encoding="utf-8")
        names.append(str(path))
    os.makedirs(tmp_path / "work", exist_ok=True)
    result = trucetrack(tmp_path / "work", "merge-driver", *names, "truce.toml")
    return result, (tmp_path / "ours.toml").read_text(encoding="utf-8")


BASE = HEADER + "\n" + TRUCE + TALKS


def test_one_sided_changes_removals_and_the_same_change_twice(tmp_path: Path) -> None:
    retitled = BASE.replace('title = "London talks"', 'title = "London round"')
    removed = BASE.replace(TALKS, "")
    result, text = drive(tmp_path, BASE, retitled, retitled.replace("# as announced on May 12", "# per the EO"))
    assert result.returncode == 0, result.stderr
    assert 'title = "London round"' in text and "# per the EO" in text
    result, text = drive(tmp_path, BASE, BASE, removed)
    assert (result.returncode, "talks-london" in text) == (0, False)
    result, text = drive(tmp_path, BASE, removed, retitled)  # removed here, changed there
    assert result.returncode == 1
    assert "event 'talks-london': removed on our side, changed on theirs" in result.stderr
    assert text.count('<<<<<<< ours\n=======\n[[event]]\nid = "talks-london"') == 1


def test_top_level_keys_parties_and_current_to(tmp_path: Path) -> None:
    base = BASE.replace('timezone = "America/New_York"\n', 'timezone = "America/New_York"\ncurrent_to = 2025-06-01\n')
    ours = base.replace("current_to = 2025-06-01", "current_to = 2025-07-01").replace(
        'title = "Test timeline"', 'title = "Ours"'
    )
    theirs = base.replace("current_to = 2025-06-01", "current_to = 2025-06-20").replace(
        'name = "China"', 'name = "People\'s Republic of China"'
    )
    result, text = drive(tmp_path, base, ours, theirs)
    assert result.returncode == 0, result.stderr
    assert "current_to = 2025-06-20" in text and 'title = "Ours"' in text
    assert 'name = "People\'s Republic of China"' in text
    assert "kept the earlier, 2025-06-20" in result.stderr
    result, text = drive(tmp_path, base, ours, base.replace('title = "Test timeline"', 'title = "Theirs"'))
    assert result.returncode == 1
    assert '<<<<<<< ours\ntitle = "Ours"\n=======\ntitle = "Theirs"\n>>>>>>> theirs\n' in text
    assert "top-level key 'title': changed differently on both sides" in result.stderr


def test_the_same_id_added_twice_differently_is_a_conflict(tmp_path: Path) -> None:
    madrid = '\n[[event]]\nid = "next-round"\nkind = "talks"\ntitle = "Madrid"\ndate = 2025-09-14\n'
    result, text = drive(tmp_path, BASE, BASE + madrid, BASE + madrid.replace("Madrid", "Stockholm"))
    assert result.returncode == 1
    assert "event 'next-round': added on both sides with different contents" in result.stderr
    result, text = drive(tmp_path, BASE, BASE + madrid, BASE + madrid)
    assert (result.returncode, text.count('id = "next-round"')) == (0, 1)


def test_a_valid_merge_of_valid_sides_can_be_invalid(tmp_path: Path) -> None:
    extension = (
        '\n[[event]]\nid = "london-later"\nkind = "extension"\ntarget = "talks-london"\n'
        "date = 2025-06-01\nend = 2025-06-20\n"
    )
    london_span = BASE.replace("date = 2025-06-09", "start = 2025-06-09\nthrough = 2025-06-10")
    result, text = drive(tmp_path, london_span, london_span + extension, london_span.replace(TALKS.replace(
        "date = 2025-06-09", "start = 2025-06-09\nthrough = 2025-06-10"), ""))  # fmt: skip
    assert result.returncode == 1
    assert 'id = "london-later"' in text and 'id = "talks-london"' not in text
    assert "london-later" in result.stderr and "not a valid timeline" in result.stderr


def test_driver_arguments(tmp_path: Path) -> None:
    result = trucetrack(tmp_path, "merge-driver", "only-one")
    assert result.returncode == 2
    assert "merge-driver takes the arguments git passes" in result.stderr


def test_comments_that_end_the_file_stay_there_once_when_both_sides_append(tmp_path: Path) -> None:
    base = BASE + "\n# Sources: the White House fact sheets.\n"
    sides = []
    for label, title, day in (("ours", "Stockholm talks", "2025-07-28"), ("theirs", "Madrid talks", "2025-09-14")):
        path = tmp_path / f"{label}-edit.toml"
        path.write_text(base, encoding="utf-8")
        added = trucetrack(tmp_path, "add", "-f", str(path), "--kind", "talks", "--title", title, "--date", day)
        assert added.returncode == 0, added.stderr
        sides.append(path.read_text(encoding="utf-8"))
    result, text = drive(tmp_path, base, *sides)
    assert result.returncode == 0, result.stderr
    assert text.count("# Sources: the White House fact sheets.") == 1
    assert text.endswith("date = 2025-09-14\n\n# Sources: the White House fact sheets.\n")
    assert trucetrack(tmp_path, "fmt", "--check", str(tmp_path / "ours.toml")).returncode == 0


def test_git_setup_writes_the_attributes_and_the_config_once(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    (folder / "timelines").mkdir(parents=True)
    git(folder, "init", "-q")
    (folder / ".gitattributes").write_text("*.png binary", encoding="utf-8")  # no final newline
    result = trucetrack(folder / "timelines", "git-setup")
    assert result.returncode == 0, result.stderr
    assert (folder / ".gitattributes").read_text(encoding="utf-8") == (
        "*.png binary\n*.toml diff=trucetrack\n*.toml merge=trucetrack\n"
    )
    assert git(folder, "config", "merge.trucetrack.driver").stdout == "trucetrack merge-driver %O %A %B %P\n"
    assert git(folder, "config", "diff.trucetrack.command").stdout == "trucetrack git-diff\n"
    again = trucetrack(folder, "git-setup")
    assert again.stdout == "ok: trucetrack is already git's diff and merge driver here\n"
    outside = tmp_path / "outside"
    outside.mkdir()
    assert trucetrack(outside, "git-setup").returncode == 2


def test_a_file_new_on_both_sides_merges_with_nothing_in_common(tmp_path: Path) -> None:
    base = BASE + "\n# Sources: the White House fact sheets.\n"
    path = tmp_path / "theirs-edit.toml"
    path.write_text(base, encoding="utf-8")
    added = trucetrack(tmp_path, "add", "-f", str(path), "--kind", "talks", "--title", "Madrid", "--date", "2025-03-01")
    assert added.returncode == 0, added.stderr
    result, text = drive(tmp_path, "", base, path.read_text(encoding="utf-8"))  # git passes an empty ancestor
    assert result.returncode == 0, result.stderr
    assert text.count("# Sources: the White House fact sheets.") == 1 and 'id = "madrid"' in text


GOLDEN_FILES = Path(__file__).resolve().parents[1] / "golden" / "files"


@pytest.mark.parametrize("name", ["unsorted.toml", "inline.toml", "crlf-bom.toml", "rich.toml", "hostile.toml"])
def test_a_merge_with_no_change_on_either_side_is_fmt_s_form(tmp_path: Path, name: str) -> None:
    raw = (GOLDEN_FILES / name).read_bytes()
    for label in ("base", "ours", "theirs"):
        (tmp_path / f"{label}.toml").write_bytes(raw)
    # fmt's form, made in a folder of its own: a sibling with the same ids would be a duplicate
    expected = tmp_path / "expected"
    expected.mkdir()
    (expected / "formatted.toml").write_bytes(raw)
    assert trucetrack(expected, "fmt", "formatted.toml").returncode == 0
    merged = trucetrack(tmp_path, "merge-driver", "base.toml", "ours.toml", "theirs.toml", name)
    assert merged.returncode == 0, merged.stderr
    assert (tmp_path / "ours.toml").read_bytes() == (expected / "formatted.toml").read_bytes()


def test_a_toml_file_that_is_no_timeline_is_merged_line_by_line(tmp_path: Path) -> None:
    base = '[project]\nname = "x"\na = 1\nb = 2\nc = 3\nversion = "1"\n'
    result, text = drive(tmp_path, base, base.replace('"x"', '"y"'), base.replace('"1"', '"2"'))
    assert result.returncode == 0, result.stderr
    assert "base is not a timeline file (it has no schema key)" in result.stderr
    assert text == '[project]\nname = "y"\na = 1\nb = 2\nc = 3\nversion = "2"\n'
