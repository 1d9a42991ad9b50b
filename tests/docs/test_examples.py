"""Every example in README.md and docs/*.md runs, and prints what the page says it prints.

In each document, files marked ``<!-- example-file: NAME -->`` are written to a
temporary folder for the examples of that document; each ``$ trucetrack ...``
line of a ``console`` block is run there with the CLI runner at 80 columns, and
its output is compared line by line (trailing spaces aside). ``# exit N`` after
a command gives its expected exit code. The ``Example:`` lines of every
command's help run too.

The documents also link only to files that exist, and cite nothing that users
of the project do not have.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from trucetrack.cli import app

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FILE_BLOCK = re.compile(r"<!-- example-file: (\S+) -->\n```toml\n(.*?)```", re.S)
CONSOLE_BLOCK = re.compile(r"```console\n(.*?)```", re.S)
# Commands whose output does not depend on the instant they run at.
TIMELESS = ("validate", "fmt", "init", "schema")
# Written by another change; a link to it is allowed while the file does not exist.
PENDING = {REPO / "docs" / "architecture.md"}


def _name(document: Path) -> str:
    return document.relative_to(REPO).as_posix()


def _text(document: Path) -> str:
    return document.read_text(encoding="utf-8")


def console_examples(document: Path) -> list[tuple[str, str, int, str]]:
    examples = []
    for block in CONSOLE_BLOCK.findall(_text(document)):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append(_example(document, command, output))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            examples.append(_example(document, command, output))
    return examples


def _example(document: Path, command: str, output: list[str]) -> tuple[str, str, int, str]:
    exit_code = 0
    if "# exit" in command:
        command, _, code = command.partition("# exit")
        exit_code = int(code)
    return _name(document), command.strip(), exit_code, "\n".join(output)


EXAMPLES = [example for document in DOCUMENTS for example in console_examples(document)]
# tests/test_readme.py ran 22 examples from the README before the docs/ split.
EXAMPLES_BEFORE_THE_SPLIT = 22


def test_documents_have_examples() -> None:
    assert len(EXAMPLES) >= EXAMPLES_BEFORE_THE_SPLIT
    documents = {document for document, _, _, _ in EXAMPLES}
    assert {"README.md", "docs/commands.md", "docs/format.md"} <= documents
    for document, command, _, _ in EXAMPLES:
        assert command.startswith("trucetrack "), (document, command)
        if shlex.split(command)[1] not in TIMELESS:
            assert "--as-of" in command, (document, command)


@pytest.mark.parametrize(
    ("document", "command", "exit_code", "expected"),
    EXAMPLES,
    ids=[f"{document}: {command}" for document, command, _, _ in EXAMPLES],
)
def test_example(
    document: str, command: str, exit_code: int, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in FILE_BLOCK.findall(_text(REPO / document)):
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


# Links: [text](target) outside code, where target is neither a URL nor mail.
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def _prose(text: str) -> str:
    return CODE_SPAN.sub("", FENCE.sub("", text))


def anchors(document: Path) -> set[str]:
    """The anchors GitHub makes for the headings of a Markdown file."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", _text(document))):
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def relative_links() -> list[tuple[str, str]]:
    links = []
    for document in DOCUMENTS:
        for target in LINK.findall(_prose(_text(document))):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):
                links.append((_name(document), target))
    return links


def test_documents_link_to_each_other() -> None:
    links = relative_links()
    assert any(target.startswith("docs/") for document, target in links if document == "README.md")
    for document, target in links:
        path, _, anchor = target.partition("#")
        file = (REPO / document).parent / path if path else REPO / document
        file = file.resolve()
        if file in PENDING and not file.exists():
            continue
        assert file.exists(), f"{document}: link to a missing file: {target}"
        if anchor and file.suffix == ".md":
            assert anchor in anchors(file), f"{document}: link to a missing heading: {target}"


# Names of files a user of the project does not have. Written in pieces so that
# this file, which the check below reads too, does not name them itself.
OUTSIDE_THE_PROJECT = ("S" + "PEC", "../" + "shared", "shared/" + "facts", "DEVELOPERS" + ".md")
PROJECT_TEXT = ("*.py", "*.md", "*.toml", "*.yaml", "*.json", "*.mjs")


def _names(text: str, needle: str) -> bool:
    """``needle`` as a name of its own, not inside a longer word (a lexer constant)."""
    return re.search(rf"(?<![A-Za-z]){re.escape(needle)}(?![A-Za-z])", text) is not None


def test_no_project_file_sends_a_reader_outside_the_project() -> None:
    """Code, tests, help texts and docs explain rules in their own words."""
    found = []
    for pattern in PROJECT_TEXT:
        for path in REPO.rglob(pattern):
            parts = path.relative_to(REPO).parts
            if any(part.startswith(".") or part in ("node_modules", "toml-test", "build") for part in parts):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(REPO)}: {needle}" for needle in OUTSIDE_THE_PROJECT if _names(text, needle)]
    assert not found, found


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_document_is_self_contained(document: Path) -> None:
    """Nothing a user of the project cannot read: no spec sections, no sibling folders."""
    text = _text(document)
    for needle in OUTSIDE_THE_PROJECT:
        assert not _names(text, needle), f"{_name(document)} mentions {needle!r}"
    assert not re.search(r"\bthe spec\b", text, re.I), f"{_name(document)} cites the spec"
    trailing = [number for number, line in enumerate(text.splitlines(), 1) if line != line.rstrip()]
    assert not trailing, f"{_name(document)}: trailing spaces on lines {trailing}"
