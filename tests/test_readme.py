"""Every example in the README runs, and prints what the README says it prints.

Files marked ``<!-- example-file: NAME -->`` are written to a temporary folder;
each ``$ trucetrack ...`` line of a ``console`` block is run there with the
CLI runner at 80 columns, and its output is compared line by line (trailing
spaces aside). ``# exit N`` after a command gives its expected exit code.
The ``Example:`` lines of every command's help run too.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucetrack.cli import app

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
FILE_BLOCK = re.compile(r"<!-- example-file: (\S+) -->\n```toml\n(.*?)```", re.S)
CONSOLE_BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def console_examples() -> list[tuple[str, int, str]]:
    examples = []
    for block in CONSOLE_BLOCK.findall(README):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append(_example(command, output))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            examples.append(_example(command, output))
    return examples


def _example(command: str, output: list[str]) -> tuple[str, int, str]:
    exit_code = 0
    if "# exit" in command:
        command, _, code = command.partition("# exit")
        exit_code = int(code)
    return command.strip(), exit_code, "\n".join(output)


EXAMPLES = console_examples()


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 5
    assert all(command.startswith("trucetrack ") for command, _, _ in EXAMPLES)
    assert all("--as-of" in command for command, _, _ in EXAMPLES if " status" in command or " show" in command)


@pytest.mark.parametrize(("command", "exit_code", "expected"), EXAMPLES, ids=[c for c, _, _ in EXAMPLES])
def test_readme_example(
    command: str, exit_code: int, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in FILE_BLOCK.findall(README):
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == exit_code, result.output
    actual = [line.rstrip() for line in result.output.rstrip("\n").splitlines()]
    assert actual == [line.rstrip() for line in expected.splitlines()]


def help_examples() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    context = group.make_context("trucetrack", [], resilient_parsing=True)
    examples = []
    for name in group.list_commands(context):  # type: ignore[attr-defined]
        command = group.get_command(context, name)  # type: ignore[attr-defined]
        for line in (command.help or "").splitlines():
            if line.strip().startswith("Example: trucetrack "):
                examples.append(line.strip().removeprefix("Example: "))
    for line in (group.help or "").splitlines():
        if line.strip().startswith("Example: trucetrack "):
            examples.append(line.strip().removeprefix("Example: "))
    return examples


def test_help_examples_pin_as_of_and_run() -> None:
    examples = help_examples()
    assert len(examples) >= 3
    for example in examples:
        if " validate" not in example:
            assert "--as-of" in example, example
        args = shlex.split(example)[1:]
        if args[0] == "validate":
            args = ["validate", str(REPO / "timelines")]
        result = CliRunner().invoke(app, args)
        # check exits 1 when it finds deadlines, which is what its example shows
        assert result.exit_code == (1 if args[0] == "check" else 0), (example, result.output)
        assert result.output.strip()
