"""Every CSV output read back with pandas, as an analyst would load it.

Numbers stay numbers (a negative ``days_left`` used to be written ``'-191`` and
pandas read the column as text); text cells that a spreadsheet would run as a
formula keep a leading quote, also when the formula hides behind spaces or
invisible characters.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from trucetrack.core.text import csv_cell, csv_value

pandas = pytest.importorskip("pandas", reason="pandas reads the CSV outputs as analysts do")

TRUCETRACK = shutil.which("trucetrack")
COMMAND = [TRUCETRACK] if TRUCETRACK else [sys.executable, "-m", "trucetrack"]

HOSTILE_TITLES = {
    "plain-formula": "=1+2",
    "spaced-formula": "  =1+2",
    "zero-width": "\u200b=1+2",
    "bom": "\ufeff@SUM(A1)",
    "nbsp-minus": "\u00a0-3+4",
    "plus": "+1",
    "harmless": "Tariff cut -10%",
}


def run(*args: str) -> bytes:
    env = {**os.environ, "TRUCETRACK_CACHE": "off", "TZ": "UTC"}
    result = subprocess.run([*COMMAND, *args], env=env, capture_output=True, timeout=60, check=False)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def frame(data: bytes) -> pandas.DataFrame:
    return pandas.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])


@pytest.fixture
def hostile(write_timeline: Callable[..., Path]) -> Path:
    blocks = []
    for number, (slug, title) in enumerate(HOSTILE_TITLES.items(), start=1):
        blocks.append(
            f'[[event]]\nid = "{slug}"\nkind = "tariff"\ntitle = "{title}"\n'
            f'start = 2025-0{number}-01\nduration = "30d"\nmeasure = "m{number}"\nrate = {number}.5\n'
            f"rate_after = {number}\n"
        )
    return write_timeline("\n".join(blocks))


NUMERIC = ("days_left", "seconds_left", "working_days_left", "rate", "rate_after", "line")


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--all", "--format", "csv"),
        ("check", "--within", "10000d", "--format", "csv"),
        ("timeline", "--format", "csv"),
        ("rates", "--format", "csv"),
        ("rates", "--history", "--format", "csv"),
        ("export", "--format", "csv"),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("source", ["bundled", "hostile"])
def test_numeric_columns_read_as_numbers(args: tuple[str, ...], source: str, hostile: Path) -> None:
    files = [] if source == "bundled" else ["-f", str(hostile)]
    # check lists what is ahead, so it is asked before the deadlines; the others after.
    as_of = "2025-01-15" if args[0] == "check" else "2026-12-01"
    table = frame(run(*args, *files, "--as-of", as_of))
    assert len(table) > 0
    present = [name for name in NUMERIC if name in table.columns and table[name].notna().any()]
    assert present, f"no numeric column in {list(table.columns)}"
    for name in present:
        assert pandas.api.types.is_numeric_dtype(table[name]), (name, table[name].head().tolist())
    if "days_left" in table.columns and args[0] != "check":
        assert (table["days_left"] < 0).any(), "the as-of is chosen so that some countdowns are negative"


def test_formula_titles_keep_their_guard_in_pandas(hostile: Path) -> None:
    table = frame(run("export", "--format", "csv", "-f", str(hostile), "--as-of", "2026-12-01"))
    titles = dict(zip(table["id"], table["title"], strict=True))
    for slug, title in HOSTILE_TITLES.items():
        expected = title if slug == "harmless" else "'" + title
        assert titles[slug] == expected, slug


def test_numbers_are_never_guarded_and_text_always_is() -> None:
    assert csv_value(-191) == "-191"
    assert csv_value(-1.5) == "-1.5"
    assert csv_value(10.0, compact_floats=True) == "10"
    assert csv_value("-191") == "'-191"  # text that looks like a number is still text
    assert csv_cell("\u2060=cmd") == "'\u2060=cmd"
    assert csv_cell("a=b") == "a=b"
    assert csv_cell("\t=1") == "' =1"  # a tab becomes a space, and the formula is still guarded
