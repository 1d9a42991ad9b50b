"""The rules an edit follows, through the installed command the way a person types it.

- An edit is checked with every other ``*.toml`` of its file's folder, which load
  with it as one timeline: it never writes an id one of them holds, and never
  adds a problem to the folder. ``extend`` and ``end`` write into the file that
  holds their target, a file of that folder too.
- A termination that takes effect at or before a span's start cancels it.
- An extension of a terminated or cancelled span, an extension that does not move
  the end (or moves it earlier), and a termination that would not end the span
  earlier are refused, saying why and what to run instead.

Every refusal exits 2 with one line on stderr and leaves every file byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path(sys.executable).with_name("trucetrack")
ADD_TALKS = ("add", "-f", "timelines/a.toml", "--kind", "talks")  # into a.toml, of which b.toml is a sibling

HEAD = 'schema = 1\ntitle = "{title}"\ntimezone = "America/New_York"\n'

A = HEAD.format(title="A") + textwrap.dedent(
    """
    [[event]]
    id = "truce"
    kind = "agreement"
    title = "Truce"
    start = 2025-05-14T00:01:00
    duration = "90d"
    """
)

B = HEAD.format(title="B") + textwrap.dedent(
    """
    [[event]]
    id = "stockholm-talks"
    kind = "talks"
    title = "Stockholm talks"
    start = 2025-07-28
    through = 2025-07-29

    [[event]]
    id = "plan"
    kind = "tariff"
    title = "Planned rate"
    start = 2025-09-01
    duration = "90d"
    """
)


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def trucetrack(cwd: Path, *args: str) -> Ran:
    """The installed console script, as a shell runs it (no cache, no terminal)."""
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "trucetrack"]
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "COLUMNS": "100",
        "TRUCETRACK_CACHE": "off",
    }
    done = subprocess.run(
        [*command, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def refused(cwd: Path, *args: str) -> str:
    """Run an edit that must be refused: exit 2, one line on stderr, no file changed. Its message."""
    before = snapshot(cwd / "timelines")
    ran = trucetrack(cwd, *args)
    assert ran.code == 2, ran
    assert ran.out == ""
    lines = ran.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("trucetrack: error: "), ran.err
    assert "Traceback" not in ran.err
    assert snapshot(cwd / "timelines") == before
    return lines[0].removeprefix("trucetrack: error: ")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder timeline of two files that load together: ./timelines/a.toml and b.toml."""
    (tmp_path / "timelines").mkdir()
    (tmp_path / "timelines" / "a.toml").write_text(A, encoding="utf-8")
    (tmp_path / "timelines" / "b.toml").write_text(B, encoding="utf-8")
    assert trucetrack(tmp_path, "validate").code == 0
    return tmp_path


# ---------------------------------------------------------------- the folder of the file written


def test_add_does_not_write_an_id_that_a_sibling_file_holds(folder: Path) -> None:
    """The original failure: this add wrote stockholm-talks into a.toml, and the folder stopped loading."""
    message = refused(folder, *ADD_TALKS, "--title", "Stockholm talks", "--date", "2025-07-28")
    assert message == (
        "id 'stockholm-talks' is already in use in timelines/b.toml (the *.toml files of a folder load as one "
        "timeline): give another with --id"
    )
    assert trucetrack(folder, "status", "--as-of", "2025-07-01").code == 0
    assert trucetrack(folder, "check", "--as-of", "2025-07-01").code in (0, 1)


@pytest.mark.parametrize(
    "args",
    [
        (*ADD_TALKS, "--title", "Talks", "--date", "2025-07-28", "--id", "plan"),
        ("extend", "truce", "-f", "timelines/a.toml", "--date", "2025-08-01", "--by", "30d", "--id", "plan"),
        ("end", "truce", "-f", "timelines/a.toml", "--date", "2025-08-01", "--id", "plan"),
        (*ADD_TALKS, "--title", "Plan", "--date", "2025-07-28", "--dry-run"),
    ],
)
def test_no_edit_takes_an_id_a_sibling_holds(folder: Path, args: tuple[str, ...]) -> None:
    assert "id 'plan' is already in use in timelines/b.toml" in refused(folder, *args)


def test_made_ids_skip_those_a_sibling_holds(folder: Path) -> None:
    b = folder / "timelines" / "b.toml"
    b.write_text(B + '\n[[event]]\nid = "truce-ext-2025-08-01"\nkind = "talks"\ntitle = "X"\ndate = 2025-01-01\n')
    ran = trucetrack(folder, "extend", "truce", "-f", "timelines/a.toml", "--date", "2025-08-01", "--by", "30d")
    assert ran.code == 0, ran
    assert ran.out.startswith("added truce-ext-2025-08-01-02 to timelines/a.toml")
    assert trucetrack(folder, "validate").code == 0


def test_extend_and_end_write_into_the_sibling_that_holds_their_target(folder: Path) -> None:
    a = (folder / "timelines" / "a.toml").read_bytes()
    ran = trucetrack(folder, "end", "plan", "-f", "timelines/a.toml", "--date", "2025-08-01", "--as-of", "2025-08-02")
    assert ran.code == 0, ran
    assert ran.out.splitlines()[0] == "added plan-end-2025-08-01 to timelines/b.toml"
    assert (folder / "timelines" / "a.toml").read_bytes() == a
    assert trucetrack(folder, "validate").code == 0


def test_a_sibling_that_is_already_invalid_does_not_stop_an_edit_of_another_file(folder: Path) -> None:
    """Its problems are not the edit's doing: a.toml still loads and is written; the folder stays as it was."""
    broken = folder / "timelines" / "c.toml"
    broken.write_text('schema = 1\n[[event]]\nid = "x"\nkind = "talk"\n', encoding="utf-8")
    ran = trucetrack(folder, *ADD_TALKS, "--title", "Geneva", "--date", "2025-09-01")
    assert ran.code == 0, ran
    assert trucetrack(folder, "validate", "timelines/a.toml").code == 0
    assert trucetrack(folder, "validate", "timelines").code == 2  # c.toml's own problems, as before


def test_an_edit_that_adds_a_problem_to_the_folder_is_refused_naming_it(folder: Path) -> None:
    """c.toml extends 'talks', which no file defines yet; a point 'talks' in a.toml would be a bad target."""
    extension = '[[event]]\nid = "more-talks"\nkind = "extension"\ntarget = "talks"\ndate = 2025-01-01\nby = "1d"\n'
    (folder / "timelines" / "c.toml").write_text(HEAD.format(title="C") + "\n" + extension, encoding="utf-8")
    before = snapshot(folder / "timelines")
    ran = trucetrack(folder, *ADD_TALKS, "--title", "Talks", "--date", "2025-09-01")
    assert ran.code == 2, ran
    assert ran.err.splitlines() == [
        "timelines/c.toml:8: more-talks: target 'talks' is a point (it has date); extensions apply to spans only",
        "trucetrack: error: not written: the *.toml files in timelines/ load as one timeline, which this entry "
        "would make invalid (1 problem)",
    ]
    assert snapshot(folder / "timelines") == before


# ---------------------------------------------------------------- cancelling a scheduled span


def test_a_termination_before_the_start_cancels_a_scheduled_span(folder: Path) -> None:
    """The original failure: this end was refused ('new end is at or before 'plan' starts'), with no hint."""
    ran = trucetrack(folder, "end", "plan", "--date", "2025-08-01", "--as-of", "2025-08-02")
    assert ran.code == 0, ran
    assert ran.out == (
        "added plan-end-2025-08-01 to timelines/b.toml\nas of 2025-08-02 00:00 EDT:\n  plan: scheduled → cancelled\n"
    )
    assert "plan" not in trucetrack(folder, "status", "--as-of", "2025-08-02").out
    entries = json.loads(trucetrack(folder, "status", "--all", "--as-of", "2025-08-02", "--format", "json").out)
    assert {e["id"]: e["status"] for e in entries["entries"]}["plan"] == "cancelled"
    before = json.loads(trucetrack(folder, "status", "--all", "--as-of", "2025-07-31", "--format", "json").out)
    assert {e["id"]: e["status"] for e in before["entries"]}["plan"] == "scheduled"


# ---------------------------------------------------------------- modifiers that would change nothing


def test_an_extension_does_not_revive_a_terminated_span(folder: Path) -> None:
    assert trucetrack(folder, "end", "truce", "--date", "2025-07-01").code == 0
    message = refused(folder, "extend", "truce", "--date", "2025-07-15", "--by", "90d")
    assert message == (
        "not written: truce was terminated by truce-end-2025-07-01 (2025-07-01), before this extension is "
        "decided (2025-07-15), which would revive it; record what follows as a new span with trucetrack add"
    )


def test_a_termination_decided_but_not_yet_in_effect_can_still_be_postponed(folder: Path) -> None:
    assert trucetrack(folder, "end", "truce", "--date", "2025-07-01", "--end", "2025-07-20").code == 0
    ran = trucetrack(folder, "extend", "truce", "--date", "2025-07-15", "--by", "10d", "--as-of", "2025-07-16")
    assert ran.code == 0, ran
    assert "truce: end 2025-07-20 00:00 EDT → 2025-07-30 00:00 EDT (+10 days)" in ran.out


def test_nothing_extends_or_ends_a_cancelled_span(folder: Path) -> None:
    assert trucetrack(folder, "end", "plan", "--date", "2025-08-01").code == 0
    cancelled = "not written: plan was cancelled by plan-end-2025-08-01 (decided 2025-08-01) and never takes effect"
    assert refused(folder, "extend", "plan", "--date", "2025-08-15", "--by", "30d").startswith(cancelled)
    message = refused(folder, "end", "plan", "--date", "2025-08-15")
    assert message == cancelled + ", so there is nothing to end; record a new span with trucetrack add instead"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            ("--by", "0d"),
            "not written: --by 0d does not move the end of truce (2025-08-12 00:01 EDT as of 2025-08-01): "
            "give a duration that moves it later",
        ),
        (
            ("--end", "2025-08-12T00:01"),
            "not written: truce already ends 2025-08-12 00:01 EDT (as of 2025-08-01), so --end 2025-08-12 00:01 EDT "
            "does not move its end",
        ),
        (
            ("--end", "2025-08-10"),
            "not written: --end 2025-08-10 is before the end of truce (2025-08-12 00:01 EDT as of 2025-08-01); an "
            "extension moves the end later: to end it earlier, run trucetrack end truce --date 2025-08-01 "
            "--end 2025-08-10",
        ),
        (
            ("--through", "2025-08-09"),
            "not written: --through 2025-08-09 is before the end of truce (2025-08-12 00:01 EDT as of 2025-08-01); "
            "an extension moves the end later: to end it earlier, run trucetrack end truce --date 2025-08-01 "
            "--end 2025-08-10",
        ),
    ],
)
def test_an_extension_must_move_the_end_later(folder: Path, option: tuple[str, str], message: str) -> None:
    assert refused(folder, "extend", "truce", "--date", "2025-08-01", *option) == message


def test_what_an_earlier_extension_is_told_to_run_instead_works(folder: Path) -> None:
    refused(folder, "extend", "truce", "--date", "2025-08-01", "--end", "2025-08-10")
    ran = trucetrack(folder, "end", "truce", "--date", "2025-08-01", "--end", "2025-08-10", "--as-of", "2025-08-01")
    assert ran.code == 0, ran
    assert "truce: end 2025-08-12 00:01 EDT → 2025-08-10 00:00 EDT (-2 days)" in ran.out


def test_a_termination_must_end_the_span_earlier(folder: Path) -> None:
    later = refused(folder, "end", "truce", "--date", "2025-08-01", "--end", "2025-09-01")
    assert later == (
        "not written: truce ends 2025-08-12 00:01 EDT (as of 2025-08-01), no later than --end 2025-09-01: a "
        "termination taking effect then would not end it earlier; to move its end later, run trucetrack extend "
        "truce --date 2025-08-01 --end 2025-09-01"
    )
    same = refused(folder, "end", "truce", "--date", "2025-08-01", "--end", "2025-08-12T00:01")
    assert same.endswith(
        "no later than --end 2025-08-12 00:01 EDT: a termination taking effect then would not end it earlier"
    )
    expired = refused(folder, "end", "truce", "--date", "2025-09-01")
    assert expired == (
        "not written: truce has already ended (expired, 2025-08-12 00:01 EDT), before this termination is "
        "decided (2025-09-01): it would not end it earlier"
    )
    # What the first refusal says to run instead works.
    ran = trucetrack(folder, "extend", "truce", "--date", "2025-08-01", "--end", "2025-09-01", "--as-of", "2025-08-01")
    assert ran.code == 0, ran
    assert "truce: end 2025-08-12 00:01 EDT → 2025-09-01 00:00 EDT (+20 days)" in ran.out


def test_a_late_renewal_of_an_expired_span_is_an_extension(folder: Path) -> None:
    """Expired is not terminated: an extension decided after the end still moves it."""
    ran = trucetrack(folder, "extend", "truce", "--date", "2025-08-20", "--by", "90d", "--as-of", "2025-08-20")
    assert ran.code == 0, ran
    assert "truce: expired → active" in ran.out


def test_the_refusals_hold_for_a_dry_run(folder: Path) -> None:
    message = refused(folder, "extend", "truce", "--date", "2025-08-01", "--by", "0d", "--dry-run")
    assert message.startswith("not written: --by 0d does not move the end of truce")
