"""Every row of docs/hostile-inputs.md, run through the installed command.

Each row's case id names a setup in ``cases.py`` that builds its input in a
folder of its own; the command runs there in a pinned environment (see
``runner.py``). Every row asserts its exit code and its stderr and stdout
fragments, that no output holds a traceback or a control character, that an
error is reported as problem lines and one ``trucetrack: error: ...`` line,
and that every file in the folder, and the bundled timeline, is byte for byte
what it was. Rows with their own runner (concurrent and killed writers) also
check what their runner found.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from trucetrack.store.files import bundled_timeline_path

from .cases import CASES, Prepared
from .runner import (
    ERROR_LINE,
    PROBLEM_LINE,
    Outcome,
    changes,
    controls,
    describe,
    environment,
    installed_command,
    run,
    snapshot,
)
from .table import Expected, Row, read_rows

ROWS = read_rows()
GROUPS = (
    "Broken TOML",
    "Wrong types",
    "Extreme values",
    "Odd files",
    "Escape sequences",
    "Locales",
    "Environment and terminal",
    "Concurrent and killed writers",
    "Edit refusals",
)


@dataclass(frozen=True)
class Ran:
    """One row, run: what the command did, and what changed on disk."""

    outcome: Outcome | None  # None: skipped
    skip: str | None
    changed: list[str]
    writes: bool
    extra: list[str]


def _argv(row: Row, prepared: Prepared) -> list[str]:
    argv = list(row.argv)
    for name, value in prepared.values.items():
        argv = [word.replace("{" + name + "}", value) for word in argv]
    return [*installed_command(), *argv]


def _one_command(folder: Path, argv: list[str], env: dict[str, str]) -> Outcome:
    return run(argv, folder, env)


def run_row(row: Row) -> Ran:
    with tempfile.TemporaryDirectory(prefix="trucetrack-hostile-") as name:
        root = Path(name)
        folder, home = root / row.case, root / "home"
        folder.mkdir()
        home.mkdir()
        try:
            prepared = CASES[row.case](folder)
            if prepared.skip:
                return Ran(None, prepared.skip, [], False, [])
            bundled = describe(bundled_timeline_path())
            before = snapshot(folder)
            argv, env = _argv(row, prepared), environment(home, row.env)
            outcome = (prepared.runner or _one_command)(folder, argv, env)
            changed = [] if prepared.writes else changes(before, snapshot(folder))
            if describe(bundled_timeline_path()) != bundled:
                changed.append(f"the bundled timeline {bundled_timeline_path()} changed")
            extra = prepared.check(outcome, folder) if prepared.check else []
            return Ran(outcome, None, changed, prepared.writes, extra)
        finally:
            # A case may leave files of mode 000 or FIFOs: make the folder removable.
            for path in folder.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    path.chmod(0o644)
            shutil.rmtree(root, ignore_errors=True)


def _pooled(row: Row) -> bool:
    """Rows with a runner of their own start many processes: they run on their own."""
    return not row.group.startswith("Concurrent")


@pytest.fixture(scope="session")
def pooled_results(request: pytest.FixtureRequest) -> dict[str, Ran]:
    """Every selected row that runs one command, four at a time."""
    selected = {item.callspec.id for item in request.session.items if hasattr(item, "callspec")}
    todo = [row for row in ROWS if row.case in selected and _pooled(row)]
    with ThreadPoolExecutor(4) as pool:
        return dict(zip((row.case for row in todo), pool.map(run_row, todo), strict=True))


def _encoding(row: Row) -> str:
    """The encoding the command writes in: PYTHONIOENCODING's, a Latin-1 locale's, else UTF-8."""
    if "PYTHONIOENCODING" in row.env:
        return row.env["PYTHONIOENCODING"].split(":")[0]
    if "8859" in row.env.get("LC_ALL", ""):
        return "latin-1"
    if row.env.get("PYTHONUTF8") == "0" and row.env.get("LC_ALL") in ("C", "POSIX"):
        return "ascii"
    return "utf-8"


def _decode(data: bytes, row: Row) -> str:
    """Output as text: UTF-8 when it is (exports write UTF-8 whatever the locale), else
    in the encoding of the row's locale."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(_encoding(row), "replace")


def _expected(label: str, text: str, expected: Expected) -> list[str]:
    if expected.empty and text:
        return [f"{label} should be empty, got {text[:300]!r}"]
    return [f"{label} lacks {fragment!r}" for fragment in expected.fragments if fragment not in text]


def problems_of(row: Row, ran: Ran) -> list[str]:
    outcome = ran.outcome
    assert outcome is not None
    stdout, stderr = _decode(outcome.stdout, row), _decode(outcome.stderr, row)
    problems = [outcome.note] if outcome.note else []
    if outcome.exit_code != row.exit_code:
        problems.append(f"exit code {outcome.exit_code}, the table says {row.exit_code}")
    problems += _expected("stderr", stderr, row.stderr)
    problems += _expected("stdout", stdout, row.stdout)
    for label, text in (("stdout", stdout), ("stderr", stderr)):
        if "Traceback" in text:
            problems.append(f"{label} holds a traceback")
        crlf = label == "stdout" and any(word in row.argv for word in ("ics", "email"))
        found = controls(text, crlf=crlf, json="json" in row.argv)
        if found:
            problems.append(f"{label} holds control characters: {', '.join(sorted(set(found))[:10])}")
    lines = [line for line in stderr.splitlines() if line]
    errors = [line for line in lines if line.startswith("trucetrack: error:")]
    if row.exit_code == 2:
        if len(errors) != 1 or not lines or lines[-1] != errors[0] or not ERROR_LINE.fullmatch(errors[0]):
            problems.append("an error ends in exactly one line 'trucetrack: error: ...'")
        others = [line for line in lines[:-1] if not PROBLEM_LINE.fullmatch(line)]
        if others:
            problems.append(f"stderr lines that are not 'file:line: id: message': {others[:3]!r}")
    elif errors:
        problems.append(f"stderr reports an error although the table says exit {row.exit_code}: {errors[0]!r}")
    problems += [f"changed on disk: {line}" for line in ran.changed]
    problems += ran.extra
    return problems


def _report(row: Row, ran: Ran, problems: list[str]) -> str:
    assert ran.outcome is not None
    out = ran.outcome.stdout.decode("utf-8", "replace")
    err = ran.outcome.stderr.decode("utf-8", "replace")
    lines = [f"{row.case} ({row.group}): {row.command}", *[f"  - {p}" for p in problems]]
    lines.append("  stdout: " + ascii(out[:600]))
    lines.append("  stderr: " + ascii(err[-1200:]))
    return "\n".join(lines)


@pytest.mark.parametrize("row", ROWS, ids=[row.case for row in ROWS])
def test_row(row: Row, pooled_results: dict[str, Ran]) -> None:
    ran = pooled_results[row.case] if _pooled(row) else run_row(row)
    if ran.skip:
        pytest.skip(ran.skip)
    problems = problems_of(row, ran)
    if problems:
        pytest.fail(_report(row, ran, problems), pytrace=False)


def test_every_row_has_a_setup_and_every_setup_a_row() -> None:
    ids = [row.case for row in ROWS]
    assert len(ids) == len(set(ids)), "a case id is in the table twice"
    assert not set(ids) - CASES.keys(), f"rows without a setup: {sorted(set(ids) - CASES.keys())}"
    assert not CASES.keys() - set(ids), f"setups without a row: {sorted(CASES.keys() - set(ids))}"


def test_the_table_covers_every_group() -> None:
    assert {row.group for row in ROWS} == set(GROUPS)
    assert len(ROWS) >= 100
