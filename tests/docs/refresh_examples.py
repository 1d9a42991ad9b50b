"""Rewrite the output under each ``$ trucetrack ...`` line of README.md and docs/*.md
with what the command prints now: ``python -m tests.docs.refresh_examples``.

Run it after a change that is meant to change an example's output, then read
the diff: commit only what the change explains.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from tests.docs.test_examples import CONSOLE_BLOCK, DOCUMENTS, FILE_BLOCK
from trucetrack.cli import app


def _run(files: list[tuple[str, str]], command: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files:
            (Path(folder) / name).write_text(text, encoding="utf-8")
        here = os.getcwd()
        os.chdir(folder)
        try:
            args = shlex.split(command.partition("# exit")[0])[1:]
            result = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
        finally:
            os.chdir(here)
    return "\n".join(line.rstrip() for line in result.output.rstrip("\n").splitlines())


def refresh(document: Path) -> bool:
    text = document.read_text(encoding="utf-8")
    files = FILE_BLOCK.findall(text)

    def block(match: re.Match[str]) -> str:
        lines: list[str] = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                lines.append(line)
                output = _run(files, line[2:])
                if output:
                    lines.append(output)
        return "```console\n" + "\n".join(lines) + "\n```"

    new = CONSOLE_BLOCK.sub(block, text)
    if new != text:
        document.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    for document in DOCUMENTS:
        if refresh(document):
            print(f"refreshed {document}")
