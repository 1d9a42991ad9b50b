"""The toml-test corpus (``toml-test/``, see its ORIGIN.md) as hostile input.

``validate`` of each of its 709 TOML 1.0 documents exits 0 or 2 and never
ends in a traceback. A document the standard TOML 1.0 reader refuses is
reported as a TOML syntax error with its line and column (or as a file that is
not UTF-8); a document it accepts is not, and is reported as the timeline it
fails to be. The reader the test compares with is ``tomllib`` on the file's
bytes decoded as UTF-8, with a leading byte-order mark dropped, which is how
trucetrack reads a file; a faster parser must keep this test green.

Each document runs in-process through the CLI runner (the same command code
as the installed script, 709 processes would take minutes); one run of the
installed command on all of them at once checks the same from outside.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucetrack.cli import app

from .runner import environment, installed_command, limited

CORPUS = Path(__file__).resolve().parent / "toml-test"
DOCUMENTS = [CORPUS / line for line in (CORPUS / "files-toml-1.0.0").read_text(encoding="utf-8").split()]
SYNTAX = ": -: TOML syntax error: "
NOT_UTF8 = ": -: file is not UTF-8"


def standard_reader_refuses(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    try:
        tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError:
        return True
    return False


@dataclass(frozen=True)
class Validated:
    name: str  # relative to the corpus
    path: str  # as given to validate, and so as problems name it
    exit_code: int
    stdout: str
    stderr: str
    crashed: str | None  # the exception that escaped the command, if any
    refused: bool  # by the standard reader

    def syntax_lines(self) -> list[str]:
        prefix = self.path + ":"
        return [
            line
            for line in self.stderr.splitlines()
            if line.startswith(prefix) and (SYNTAX in line or NOT_UTF8 in line)
        ]


@pytest.fixture(scope="module")
def validated() -> list[Validated]:
    runner = CliRunner()
    results = []
    for document in DOCUMENTS:
        path = str(document)
        result = runner.invoke(app, ["validate", path], env={"TRUCETRACK_CACHE": "off", "COLUMNS": "80"})
        exception = result.exception
        crashed = None if exception is None or isinstance(exception, SystemExit) else repr(exception)
        results.append(
            Validated(
                name=str(document.relative_to(CORPUS)),
                path=path,
                exit_code=result.exit_code,
                stdout=result.stdout,
                stderr=result.stderr,
                crashed=crashed,
                refused=standard_reader_refuses(document.read_bytes()),
            )
        )
    return results


def test_the_corpus_is_complete() -> None:
    names = [document.relative_to(CORPUS).as_posix() for document in DOCUMENTS]
    assert sum(name.startswith("valid/") for name in names) == 210
    assert sum(name.startswith("invalid/") for name in names) == 499
    assert all(document.is_file() for document in DOCUMENTS)


def test_validate_exits_0_or_2_and_never_crashes(validated: list[Validated]) -> None:
    bad = [
        f"{v.name}: exit {v.exit_code}" + (f", {v.crashed}" if v.crashed else "")
        for v in validated
        if v.exit_code not in (0, 2) or v.crashed or "Traceback" in v.stdout + v.stderr
    ]
    assert not bad, f"{len(bad)} documents:\n" + "\n".join(bad)


def test_a_syntax_error_exactly_when_the_standard_reader_refuses(validated: list[Validated]) -> None:
    bad = []
    for v in validated:
        reported = bool(v.syntax_lines())
        if reported != v.refused:
            said = v.syntax_lines()[0] if reported else (v.stderr.splitlines() or ["(nothing)"])[0]
            said = said.replace(str(CORPUS) + "/", "")
            bad.append(f"{v.name}: {'refused' if v.refused else 'accepted'} by tomllib; trucetrack says {said!r}")
    assert not bad, f"{len(bad)} documents:\n" + "\n".join(bad)


def test_refused_documents_exit_2_naming_line_and_column(validated: list[Validated]) -> None:
    bad = []
    for v in validated:
        if not v.refused:
            continue
        lines = v.syntax_lines()
        located = [
            line
            for line in lines
            if re.match(re.escape(v.path) + r":\d+:\d+" + re.escape(SYNTAX), line)
            or re.match(re.escape(v.path) + r":\d+" + re.escape(NOT_UTF8), line)
        ]
        if v.exit_code != 2 or len(lines) != 1 or not located:
            shown = (lines or v.stderr.splitlines() or ["(nothing)"])[0].replace(str(CORPUS) + "/", "")
            bad.append(f"{v.name}: exit {v.exit_code}, {shown!r}")
    assert not bad, f"{len(bad)} documents:\n" + "\n".join(bad)


def test_accepted_documents_are_reported_as_timelines(validated: list[Validated]) -> None:
    """Valid TOML that is not a timeline: exit 2 with problems of the timeline, each
    ``file:line: id: message``; or exit 0 if one ever is a timeline."""
    bad = []
    problem = re.compile(r"[^\s:][^:]*:\d+: \S.*")
    for v in validated:
        if v.refused:
            continue
        lines = [line for line in v.stderr.splitlines() if line]
        if v.exit_code == 0:
            continue
        if not lines or not lines[-1].startswith("trucetrack: error: invalid timeline: "):
            bad.append(f"{v.name}: exit {v.exit_code}, ends in {lines[-1:]!r}")
        elif not all(problem.fullmatch(line) for line in lines[:-1]):
            bad.append(f"{v.name}: a problem line that is not file:line: {lines[:-1]!r}")
    assert not bad, f"{len(bad)} documents:\n" + "\n".join(bad)


def test_the_installed_command_on_the_whole_corpus(tmp_path: Path) -> None:
    """All 709 documents given to one run of the installed command: exit 2, no
    traceback, and every document named in a problem."""
    names = [str(document.relative_to(CORPUS)) for document in DOCUMENTS]
    done = subprocess.run(
        limited([*installed_command(), "validate", *names]),
        cwd=CORPUS,
        env=environment(tmp_path),
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, stderr[-2000:]
    assert "Traceback" not in stderr + done.stdout.decode("utf-8", "replace")
    named = {line.split(":", 1)[0] for line in stderr.splitlines()}
    unnamed = [name for name in names if name not in named]
    assert not unnamed, f"documents no problem names: {unnamed[:20]}"
