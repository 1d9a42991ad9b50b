"""Tables that fit: through the installed command, at the widths people and cron use.

Ids, instants and statuses are never cut or broken, no line is wider than the
terminal or ends in spaces, and ``--wide`` gives one line per row.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

AS_OF = "2026-12-02"  # after the bundled file's current_to: lapses shown as expired?

pytestmark = pytest.mark.skipif(shutil.which("trucetrack") is None, reason="trucetrack is not installed")


def run(*arguments: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", "TZ": "UTC"}
    environment.pop("TRUCETRACK_FILE", None)
    return subprocess.run(
        ["trucetrack", *arguments], capture_output=True, text=True, env=environment, check=False, timeout=60
    )


def listed_ids(*arguments: str) -> list[str]:
    result = run(*arguments, "--format", "json")
    return [entry["id"] for entry in json.loads(result.stdout)["entries"]]


@pytest.mark.parametrize("columns", [40, 57, 80, 120])
@pytest.mark.parametrize(
    "arguments",
    [
        ("status", "--as-of", AS_OF),
        ("status", "--as-of", "2025-08-11", "--all"),
        ("check", "--as-of", "2025-11-01", "--within", "30d"),
    ],
)
def test_every_line_fits_and_no_id_is_cut(arguments: tuple[str, ...], columns: int) -> None:
    result = run(*arguments, columns=columns)
    assert result.returncode in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    assert lines
    for line in lines:
        assert len(line) <= columns, line
        assert line == line.rstrip()
    assert "…" not in result.stdout
    words = result.stdout.split()
    for entry_id in listed_ids(*arguments):
        assert entry_id in words


@pytest.mark.parametrize("columns", [40, 80])
def test_summary_fits_and_cuts_no_id(columns: int) -> None:
    result = run("summary", "--as-of", "2025-11-12", columns=columns)
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        assert len(line) <= columns and line == line.rstrip(), line
    document = json.loads(run("summary", "--as-of", "2025-11-12", "--format", "json").stdout)
    ids = {happening["id"] for happening in document["happened"]}
    assert ids
    assert ids <= set(result.stdout.split())


@pytest.mark.parametrize(
    "arguments",
    [("status", "--as-of", AS_OF), ("check", "--as-of", "2025-11-01", "--within", "30d")],
)
def test_wide_is_one_line_per_row_whatever_the_width(arguments: tuple[str, ...]) -> None:
    ids = listed_ids(*arguments)
    lines = run(*arguments, "--wide", columns=40).stdout.splitlines()
    rows = [line for line in lines if any(word in ids for word in line.split())]
    assert [next(word for word in row.split() if word in ids) for row in rows] == ids
    assert all(line == line.rstrip() for line in lines)


def test_the_first_screen_at_80_columns_keeps_ids_whole() -> None:
    lines = run("status", "--as-of", AS_OF).stdout.splitlines()
    header = next(line for line in lines if line.startswith("When"))
    assert header.split() == ["When", "Left", "Status", "ID"]  # titles below their rows
    row = next(line for line in lines if "cn-truce" in line.split())
    assert row.split()[:4] == ["2026-11-10", "00:01", "EST", "22"]
    following = lines[lines.index(row) + 1]
    assert following.startswith("    China 90-day suspension")
