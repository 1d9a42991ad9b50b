"""The rows of docs/hostile-inputs.md, read from the document itself so that the
document and the campaign cannot drift apart.

A row is a line of a table whose header is ``| case | input | command | exit |
stderr says | stdout says |``. Its command is one code span, run with shell
words (``NAME=value`` words first set variables; ``{NAME}`` is a value the
case's setup gives, for text no shell word can carry); each code span of the
stderr and stdout cells must appear in that output; "nothing" means the output
is empty; "—" means no fragment is asserted.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "hostile-inputs.md"
HEADER = ("case", "input", "command", "exit", "stderr says", "stdout says")
CODE_SPAN = re.compile(r"`([^`]+)`")
CELL_SPLIT = re.compile(r"(?<!\\)\|")
VARIABLE = re.compile(r"[A-Z_][A-Z0-9_]*=")


@dataclass(frozen=True)
class Expected:
    """What one output must show: fragments that appear in it, or nothing at all."""

    fragments: tuple[str, ...]
    empty: bool


@dataclass(frozen=True)
class Row:
    case: str
    group: str
    input: str
    env: dict[str, str]
    argv: tuple[str, ...]  # after the word ``trucetrack``
    exit_code: int
    stderr: Expected
    stdout: Expected

    @property
    def command(self) -> str:
        settings = [f"{name}={value}" for name, value in self.env.items()]
        return " ".join([*settings, "trucetrack", *self.argv])


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:-1] if inner.startswith("|") and inner.endswith("|") else inner
    return [cell.strip().replace("\\|", "|") for cell in CELL_SPLIT.split(inner)]


def _expected(cell: str, where: str) -> Expected:
    fragments = tuple(CODE_SPAN.findall(cell))
    if fragments:
        return Expected(fragments, empty=False)
    if cell == "nothing":
        return Expected((), empty=True)
    if cell in ("—", "-", ""):
        return Expected((), empty=False)
    raise ValueError(f"{where}: give fragments as code spans, 'nothing' or '—', not {cell!r}")


def _command(cell: str, where: str) -> tuple[dict[str, str], tuple[str, ...]]:
    spans = CODE_SPAN.findall(cell)
    if len(spans) != 1:
        raise ValueError(f"{where}: the command must be one code span, got {cell!r}")
    words = shlex.split(spans[0])
    env: dict[str, str] = {}
    while words and VARIABLE.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if not words or words[0] != "trucetrack":
        raise ValueError(f"{where}: the command must run trucetrack, got {spans[0]!r}")
    return env, tuple(words[1:])


def read_rows(document: Path = DOCUMENT) -> list[Row]:
    rows: list[Row] = []
    group = ""
    in_table = False
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{document.name}:{number}"
        if line.startswith("## ") or line.startswith("### "):
            group = line.lstrip("#").strip()
            in_table = False
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if tuple(cell.lower() for cell in cells) == HEADER:
            in_table = True
            continue
        if not in_table or set(line) <= set("|-: "):
            continue
        if len(cells) != len(HEADER):
            raise ValueError(f"{where}: a row has {len(HEADER)} cells, this one {len(cells)}")
        case, given, command, exit_code, stderr, stdout = cells
        names = CODE_SPAN.findall(case)
        if len(names) != 1:
            raise ValueError(f"{where}: the case id must be one code span, got {case!r}")
        env, argv = _command(command, where)
        rows.append(
            Row(
                case=names[0],
                group=group,
                input=given,
                env=env,
                argv=argv,
                exit_code=int(exit_code),
                stderr=_expected(stderr, where),
                stdout=_expected(stdout, where),
            )
        )
    return rows
