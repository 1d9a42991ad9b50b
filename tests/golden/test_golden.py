"""Every golden case gives byte for byte the stored exit code, stdout and stderr.

When a change of output is intended, re-capture with ``python -m tests.golden.capture``
and commit only the outputs that the change explains (review ``git diff tests/golden``);
list a case in KNOWN_CHANGES (with the reason) to skip it meanwhile.
"""

from __future__ import annotations

import difflib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from .capture import decode
from .cases import CASES, Case
from .runner import OUTPUTS, Result, run_case

KNOWN_CHANGES: dict[str, str] = {}


@pytest.fixture(scope="session")
def results(request: pytest.FixtureRequest) -> dict[str, Result]:
    """Every selected case, run once, four at a time."""
    selected = {item.callspec.id for item in request.session.items if hasattr(item, "callspec")}
    todo = [case for case in CASES if case.name in selected and case.name not in KNOWN_CHANGES]
    with ThreadPoolExecutor(4) as pool:
        return dict(zip((case.name for case in todo), pool.map(run_case, todo), strict=True))


def visible(line: str) -> str:
    """A diff line with its control characters escaped (ESC as \\x1b, CR as \\r), newline kept."""
    body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "  (no newline at end)\n")
    escaped = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in body)
    return escaped + newline


def lines_of(data: bytes) -> list[str]:
    """The lines of an output, split at newlines only (a CR or form feed stays visible)."""
    parts = data.decode("utf-8", "backslashreplace").split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def show_difference(label: str, expected: bytes, actual: bytes) -> str:
    old, new = lines_of(expected), lines_of(actual)
    lines = difflib.unified_diff(old, new, f"{label} (golden)", f"{label} (now)")
    return "".join(line if line.startswith(("---", "+++", "@@")) else visible(line) for line in lines)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden(case: Case, results: dict[str, Result]) -> None:
    if case.name in KNOWN_CHANGES:
        pytest.skip(KNOWN_CHANGES[case.name])
    stored = json.loads((OUTPUTS / f"{case.name}.json").read_text(encoding="utf-8"))
    assert stored["argv"] == list(case.argv), "case changed since capture: re-capture it"
    assert stored["env"] == case.env, "case changed since capture: re-capture it"
    actual = results[case.name]
    problems = []
    if actual.exit_code != stored["exit_code"]:
        problems.append(f"exit code {actual.exit_code}, golden {stored['exit_code']}\n")
    for label, now in (("stdout", actual.stdout), ("stderr", actual.stderr)):
        golden = decode(stored[label])
        if now != golden:
            problems.append(show_difference(label, golden, now) or f"{label}: differs (line endings?)\n")
    if problems:
        pytest.fail(f"{case.name}: trucetrack {' '.join(map(repr, case.argv))}\n" + "".join(problems), pytrace=False)
