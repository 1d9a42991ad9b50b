"""Edits people reach for, through the installed command: modifiers with a title,
notes and instrument; today, now and +7d in every edit's dates; parties added
with init --party and the party command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.hostile.runner import run_installed_text

# In the file's zone (New York) this instant is still 11 August, 22:00.
AS_OF = "2025-08-12T02:00Z"
TIMELINE = """\
schema = 1
title = "Edits"
timezone = "America/New_York"

[parties.US]
name = "United States"

[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US"]
"""


def run(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_installed_text(folder, *args, columns=100, env={"TRUCETRACK_AS_OF": AS_OF, **env})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "t.toml").write_text(TIMELINE, encoding="utf-8")
    return tmp_path


def block_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_extend_and_end_take_a_title_notes_and_instrument(folder: Path) -> None:
    extended = run(
        folder,
        "extend", "truce", "-f", "t.toml", "--date", "2025-08-11", "--by", "90d",
        "--title", "EO 14334 extends the truce", "--notes", "Signed Monday", "--instrument", "EO 14334",
        "--as-of", AS_OF,
    )  # fmt: skip
    assert extended.returncode == 0, extended.stderr
    text = (folder / "t.toml").read_text(encoding="utf-8")
    assert 'title = "EO 14334 extends the truce"' in text
    assert 'instrument = "EO 14334"' in text and 'notes = "Signed Monday"' in text
    ended = run(
        folder,
        "end", "truce", "-f", "t.toml", "--date", "2025-09-01", "--title", "Truce called off",
        "--notes", "By decree", "--instrument", "EO 14999", "--dry-run", "--as-of", AS_OF,
    )  # fmt: skip
    lines = block_lines(ended)
    assert 'title = "Truce called off"' in lines and 'instrument = "EO 14999"' in lines
    assert 'notes = "By decree"' in lines
    assert run(folder, "validate", "t.toml").returncode == 0
    assert run(folder, "fmt", "--check", "t.toml").returncode == 0


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("today", "date = 2025-08-11"),  # the day in the file's zone, not UTC's 12 August
        ("now", "date = 2025-08-11T22:00:00"),  # local time to the minute
        ("+7d", "date = 2025-08-18"),
        ("-1w", "date = 2025-08-04"),
        ("+36h", "date = 2025-08-13T10:00:00"),
        ("June 10 2025", "date = 2025-06-10"),
        ("2025-06-10T09:30", "date = 2025-06-10T09:30:00"),
        ("2025-06-10", "date = 2025-06-10"),
    ],
)
def test_add_dates_read_like_as_of_in_the_files_zone(folder: Path, typed: str, written: str) -> None:
    result = run(folder, "add", "-f", "t.toml", "--kind", "talks", "--title", "Talks", "--date", typed, "--dry-run")
    assert written in block_lines(result), result.stdout
    # --as-of sets the instant as TRUCETRACK_AS_OF does (and wins over it)
    with_option = run(folder, "add", "-f", "t.toml", "--kind", "talks", "--title", "T", "--date", typed, "--dry-run",
                      "--as-of", AS_OF, TRUCETRACK_AS_OF="2030-01-01")  # fmt: skip
    assert written in block_lines(with_option)


def test_every_edit_date_takes_the_same_forms(folder: Path) -> None:
    env = {"TRUCETRACK_AS_OF": AS_OF}
    extended = run(
        folder, "extend", "truce", "-f", "t.toml", "--date", "today", "--through", "+30d", "--dry-run", **env
    )
    lines = block_lines(extended)
    assert 'id = "truce-ext-2025-08-11"' in lines  # the id takes the day the date was read as
    assert "date = 2025-08-11" in lines and "through = 2025-09-10" in lines
    ended = run(folder, "end", "truce", "-f", "t.toml", "--date", "now", "--end", "+1h", "--dry-run", **env)
    assert "date = 2025-08-11T22:00:00" in block_lines(ended) and "end = 2025-08-11T23:00:00" in block_lines(ended)
    span = run(folder, "add", "-f", "t.toml", "--kind", "talks", "--title", "Round", "--start", "+1w",
               "--through", "+9d", "--dry-run", **env)  # fmt: skip
    assert "start = 2025-08-18" in block_lines(span) and "through = 2025-08-20" in block_lines(span)
    refused = run(folder, "add", "-f", "t.toml", "--kind", "talks", "--title", "R", "--start", "today",
                  "--through", "now", "--dry-run", **env)  # fmt: skip
    assert refused.returncode == 2 and "--through: give a day" in refused.stderr
    unknown = run(folder, "add", "-f", "t.toml", "--kind", "talks", "--title", "R", "--date", "someday", **env)
    assert unknown.returncode == 2 and "--date: cannot read 'someday'" in unknown.stderr
    assert (folder / "t.toml").read_text(encoding="utf-8") == TIMELINE


def test_a_party_added_with_the_party_command_can_be_named_by_add(folder: Path) -> None:
    refused = run(folder, "add", "-f", "t.toml", "--kind", "talks", "--title", "EU talks", "--date", "2025-09-01",
                  "--party", "EU")  # fmt: skip
    assert refused.returncode == 2 and "unknown party 'EU'" in refused.stderr
    added = run(folder, "party", "-f", "t.toml", "EU", "European Union")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "added party EU to t.toml\n"
    assert "run trucetrack fmt t.toml" in added.stderr  # appended after the events
    assert '[parties.EU]\nname = "European Union"\n' in (folder / "t.toml").read_text(encoding="utf-8")
    now_works = run(folder, "add", "-f", "t.toml", "--kind", "talks", "--title", "EU talks", "--date", "2025-09-01",
                    "--party", "EU")  # fmt: skip
    assert now_works.returncode == 0, now_works.stderr
    assert run(folder, "fmt", "t.toml").returncode == 0
    assert run(folder, "validate", "t.toml").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("US", "Again"), "party US is already defined"),
        (("E U", "Spaced"), "CODE: bad party code 'E U'"),
        (("EU", "  "), "NAME: party EU needs a name"),
    ],
)
def test_the_party_command_refuses(folder: Path, args: tuple[str, str], message: str) -> None:
    result = run(folder, "party", "-f", "t.toml", *args)
    assert result.returncode == 2 and message in result.stderr
    assert (folder / "t.toml").read_text(encoding="utf-8") == TIMELINE


def test_party_dry_run_writes_nothing_and_a_folder_is_checked(folder: Path) -> None:
    shown = run(folder, "party", "-f", "t.toml", "EU", "European Union", "--dry-run")
    assert shown.stdout == '[parties.EU]\nname = "European Union"\n'
    assert (folder / "t.toml").read_text(encoding="utf-8") == TIMELINE
    bundled = run(folder, "party", "EU", "European Union")
    assert bundled.returncode == 2 and "bundled" in bundled.stderr


def test_init_with_parties_writes_a_canonical_file_add_can_use(folder: Path) -> None:
    created = run(folder, "init", "eu.toml", "--timezone", "Europe/Brussels", "--party", "EU=European Union",
                  "--party", "CN=China")  # fmt: skip
    assert created.returncode == 0, created.stderr
    text = (folder / "eu.toml").read_text(encoding="utf-8")
    assert text.index("[parties.CN]") < text.index("[parties.EU]")
    assert run(folder, "fmt", "--check", "eu.toml").returncode == 0
    used = run(folder, "add", "-f", "eu.toml", "--kind", "talks", "--title", "Summit", "--date", "2025-07-24",
               "--party", "EU", "--party", "CN")  # fmt: skip
    assert used.returncode == 0, used.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("EU", "--party: write CODE=NAME"),
        ("=Nobody", "--party: bad party code ''"),
        ("EU=", "--party: party EU needs a name"),
    ],
)
def test_init_refuses_a_bad_party(folder: Path, value: str, message: str) -> None:
    result = run(folder, "init", "new.toml", "--party", value)
    assert result.returncode == 2 and message in result.stderr
    assert not (folder / "new.toml").exists()
    twice = run(folder, "init", "new.toml", "--party", "EU=A", "--party", "EU=B")
    assert twice.returncode == 2 and "EU is given twice" in twice.stderr


def test_add_announced_writes_when_the_entry_became_known(folder: Path) -> None:
    added = run(
        folder,
        "add",
        "-f",
        "t.toml",
        "--kind",
        "talks",
        "--title",
        "Summit",
        "--date",
        "2025-12-20",
        "--announced",
        "2025-12-05T14:00",
    )
    assert added.returncode == 0, added.stderr
    assert "announced = 2025-12-05T14:00:00" in (folder / "t.toml").read_text(encoding="utf-8")
    assert run(folder, "fmt", "--check", "t.toml").returncode == 0
    before = run(folder, "show", "summit", "-f", "t.toml", "--as-of", "2025-12-05T13:59")
    assert before.returncode == 2 and "not yet known" in before.stderr
    assert run(folder, "show", "summit", "-f", "t.toml", "--as-of", "2025-12-05T14:00").returncode == 0
    refused = run(
        folder,
        "add",
        "-f",
        "t.toml",
        "--kind",
        "talks",
        "--title",
        "Other",
        "--date",
        "2025-12-21",
        "--announced",
        "2025-12",
    )
    assert refused.returncode == 2 and "--announced" in refused.stderr
