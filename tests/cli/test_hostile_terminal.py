"""Inputs and environments that used to end in a traceback or in misleading output.

Each case runs the installed command in a subprocess, as cron or a shell would:
a Latin-1 or ASCII locale, integers beyond TOML's range, arrays nested hundreds
deep, a zero terminal width, and a TRUCETRACK_FILE that names nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

TRUCETRACK = shutil.which("trucetrack")
COMMAND = [TRUCETRACK] if TRUCETRACK else [sys.executable, "-m", "trucetrack"]
AS_OF = "2025-08-11"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = {**os.environ, "TRUCETRACK_CACHE": "off", "TZ": "UTC", "COLUMNS": "80", **env}
    for name in [name for name, value in env.items() if value == "<unset>"]:
        environ.pop(name)
    return subprocess.run([*COMMAND, *args], env=environ, capture_output=True, timeout=60, check=False)


# Every command that prints text about the bundled timeline (whose titles hold en dashes).
COMMANDS = [
    ("status",),
    ("status", "--all"),
    ("show", "cn-truce"),
    ("countdown",),
    ("timeline",),
    ("summary",),
    ("check", "--within", "90d"),
    ("rates",),
    ("rates", "--history"),
    ("export", "--format", "csv"),
    ("status", "--format", "markdown"),
    ("--help",),
]
LOCALES = [
    {"PYTHONIOENCODING": "ascii"},
    {"PYTHONIOENCODING": "latin-1"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "<unset>", "PYTHONUTF8": "0"},
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_the_exit_code_never_depends_on_the_output_encoding(args: tuple[str, ...]) -> None:
    utf8 = run(*args, "--as-of", AS_OF, PYTHONIOENCODING="utf-8")
    assert b"Traceback" not in utf8.stderr
    for locale in LOCALES:
        other = run(*args, "--as-of", AS_OF, **locale)
        assert b"Traceback" not in other.stderr, (locale, other.stderr.decode(errors="replace"))
        assert other.returncode == utf8.returncode, locale
        assert len(other.stdout.splitlines()) == len(utf8.stdout.splitlines()), locale
    if args[0] != "export":  # an export is a UTF-8 file whatever the locale
        ascii_run = run(*args, "--as-of", AS_OF, PYTHONIOENCODING="ascii")
        ascii_run.stdout.decode("ascii")  # replaced, not raised


def test_check_under_an_ascii_locale_prints_what_it_found() -> None:
    """It used to exit 1 with no output: cron read that as 'deadlines found' with nothing to say."""
    result = run("check", "--within", "90d", "--as-of", AS_OF, PYTHONIOENCODING="ascii")
    assert result.returncode == 1 and b"cn-truce" in result.stdout


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "t.toml"
    path.write_text('schema = 1\ntimezone = "America/New_York"\n' + body, encoding="utf-8")
    return path


def assert_invalid(result: subprocess.CompletedProcess[bytes], where: str, fragment: str) -> None:
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in stderr, stderr
    assert re.search(rf"^{re.escape(where)}: .*{re.escape(fragment)}", stderr, re.M), stderr
    assert stderr.rstrip("\n").splitlines()[-1].startswith("trucetrack: error: ")


@pytest.mark.parametrize("value", ["1" + "0" * 400, str(2**63), "-" + str(2**63 + 1)])
def test_an_integer_beyond_64_bits_is_a_validation_error(tmp_path: Path, value: str) -> None:
    body = (
        f'[[event]]\nid = "step"\nkind = "tariff"\ntitle = "Step"\nstart = 2025-04-09\nmeasure = "m"\nrate = {value}\n'
    )
    path = write(tmp_path, body)
    for command in (("validate", str(path)), ("status", "-f", str(path)), ("rates", "-f", str(path))):
        assert_invalid(run(*command, "--as-of", AS_OF), f"{path}:9", "64-bit range")


def test_a_huge_schema_number_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("schema = " + "9" * 30 + "\n", encoding="utf-8")
    assert_invalid(run("validate", str(path)), f"{path}:1", "64-bit range")


@pytest.mark.parametrize("depth", [600, 100_000])
def test_arrays_nested_hundreds_deep_are_a_validation_error(tmp_path: Path, depth: int) -> None:
    path = write(tmp_path, "tags = " + "[" * depth + "]" * depth + "\n")
    for command in (("validate", str(path)), ("status", "-f", str(path)), ("fmt", "--check", str(path))):
        assert_invalid(run(*command), f"{path}:3", "nested too deeply")


@pytest.mark.parametrize("columns", ["0", "-5", "abc", "1", "40"])
@pytest.mark.parametrize("args", [("countdown",), ("timeline",)], ids=" ".join)
def test_a_tiny_or_broken_width_still_prints(columns: str, args: tuple[str, ...]) -> None:
    """COLUMNS=0 made countdown and timeline print nothing; the width never goes below 40."""
    result = run(*args, "--as-of", AS_OF, COLUMNS=columns)
    assert result.returncode == 0, result.stderr
    assert b"cn-truce" in result.stdout
    widest = max(len(line) for line in result.stdout.decode().splitlines())
    assert widest <= (80 if columns in ("abc", "-5") else 40)


PIPED = [
    ("status",),
    ("status", "--all"),
    ("show", "cn-truce"),
    ("show", "reciprocal-84"),
    ("countdown",),
    ("timeline",),
    ("summary",),
    ("check", "--within", "90d"),
    ("rates",),
    ("rates", "--history"),
    ("summary", "--format", "markdown"),
    ("timeline", "--format", "markdown"),
    ("status", "--format", "markdown"),
]


@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_no_piped_line_ends_in_spaces(columns: str) -> None:
    for args in PIPED:
        result = run(*args, "--as-of", AS_OF, COLUMNS=columns)
        assert result.returncode in (0, 1), (args, result.stderr)
        trailing = [line for line in result.stdout.decode().splitlines() if line != line.rstrip()]
        assert not trailing, (args, columns, trailing[:3])


@pytest.mark.parametrize("args", [("--help",), ("status", "--help"), ("add", "--help"), ("status", "--format", "xyz")])
def test_help_and_usage_errors_piped_end_no_line_in_spaces(args: tuple[str, ...]) -> None:
    """typer pads its help panels and usage errors to the width."""
    result = run(*args, COLUMNS="100")
    for stream in (result.stdout, result.stderr):
        trailing = [line for line in stream.decode().splitlines() if line != line.rstrip()]
        assert not trailing, (args, trailing[:3])
    assert result.stdout or result.stderr


def test_a_line_diff_keeps_the_spaces_of_the_lines_it_shows(tmp_path: Path) -> None:
    broken = write(tmp_path, 'x = "a"   \n')
    result = run("git-diff", "x", "/dev/null", "0", "0", str(broken), "0", "0")
    assert result.returncode == 0, result.stderr
    assert b'+x = "a"   \n' in result.stdout


def test_help_texts_keep_their_square_brackets() -> None:
    """Rich markup ate ``[[event]]``: add --help said "Print the [] block"."""
    result = run("add", "--help", COLUMNS="200")
    assert b"Print the [[event]] block" in result.stdout
    assert b"[]" not in result.stdout


@pytest.mark.parametrize("value", [":", "::", os.pathsep])
def test_a_trucetrack_file_that_names_nothing_is_an_error(value: str, tmp_path: Path) -> None:
    """It fell back to the bundled timeline without a word."""
    result = run("status", "--as-of", AS_OF, TRUCETRACK_FILE=value)
    stderr = result.stderr.decode()
    assert result.returncode == 2 and stderr.startswith("trucetrack: error: TRUCETRACK_FILE="), stderr
    assert result.stdout == b""


def test_an_empty_trucetrack_file_means_unset(write_timeline: Callable[..., Path]) -> None:
    result = run("status", "--as-of", AS_OF, TRUCETRACK_FILE="")
    assert result.returncode == 0 and b"bundled" in (result.stdout + result.stderr).lower()
