"""Reading timeline files from disk: the only module that parses TOML.

tomllib gives no positions for parsed values, so ``scan_lines`` maps each
table header and key back to its line with a small scanner that knows just
enough TOML (strings, multi-line strings, comments, nested brackets) not to
be fooled by a ``[`` inside a value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trucetrack.errors import TrucetrackError
from trucetrack.model import Problem

BUNDLED_NAME = "us-china-2025.toml"


@dataclass
class LineMap:
    """Where things are in one file: 1-based line numbers."""

    top: dict[str, int] = field(default_factory=dict)
    parties: dict[str, int] = field(default_factory=dict)
    party_keys: dict[str, dict[str, int]] = field(default_factory=dict)
    events: list[tuple[int, dict[str, int]]] = field(default_factory=list)

    def event(self, index: int) -> tuple[int, dict[str, int]]:
        """The header line and key lines of the index-th event.

        When events were not written as ``[[event]]`` blocks (an inline array),
        every event points at the ``event`` key's line.
        """
        if 0 <= index < len(self.events):
            return self.events[index]
        return self.top.get("event", 1), {}


class RawDocument:
    """One file as read: its parsed data (None when unreadable) and where things are.

    Finding the line of every key costs a pass over the text in Python, and
    it is only needed to report a problem, so ``lines`` is computed on first
    use; ``event_lines`` (the ``[[event]]`` header lines, shown in JSON and
    ``show``) comes from one regex search when the text allows it.
    """

    def __init__(
        self,
        path: str,
        data: dict[str, Any] | None,
        text: str,
        problems: list[Problem],
        bundled: bool = False,
    ) -> None:
        self.path = path
        self.data = data
        self.text = text
        self.problems = problems
        self.bundled = bundled
        self._lines: LineMap | None = None

    @property
    def lines(self) -> LineMap:
        if self._lines is None:
            self._lines = scan_lines(self.text)
        return self._lines

    def event_lines(self, count: int) -> list[int]:
        """The header line of each of the ``count`` events, in order."""
        if self._lines is None and '"""' not in self.text and "'''" not in self.text:
            found = _event_header_lines(self.text)
            if len(found) == count:
                return found
        lines = self.lines
        return [lines.event(index)[0] for index in range(count)]

    def party_lines(self) -> dict[str, int]:
        """Header lines of ``[parties.CODE]`` tables (bare codes), from one regex search."""
        if self._lines is not None:
            return self._lines.parties
        found: dict[str, int] = {}
        for line, line_start in _header_lines(self.text, _PARTY_MARK):
            header = _PARTY_HEADER.match(self.text, line_start)
            if header is not None:
                found.setdefault(header.group(1), line)
        return found


_PARTY_MARK = re.compile(r"\[[ \t]*parties[ \t]*\.")
_PARTY_HEADER = re.compile(r"[ \t]*\[[ \t]*parties[ \t]*\.[ \t]*([A-Za-z0-9_-]+)[ \t]*\]")
_EVENT_MARK = re.compile(r"\[\[[ \t]*event[ \t]*\]\]")


def _header_lines(text: str, mark: re.Pattern[str]) -> list[tuple[int, int]]:
    """Line numbers and line starts of the lines that begin (after blanks) with ``mark``.

    The pattern starts with a literal, so the regex engine skips ahead to
    candidates instead of trying every line start; one in a value such as
    ``title = "[[event]]"`` has more than blanks before it and is passed over.
    """
    found: list[tuple[int, int]] = []
    line, counted_to = 1, 0
    for match in mark.finditer(text):
        start = match.start()
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip(" \t"):
            continue
        line += text.count("\n", counted_to, start)
        counted_to = start
        found.append((line, line_start))
    return found


def _event_header_lines(text: str) -> list[int]:
    """Lines of ``[[event]]`` headers, exact when no multi-line string can hide one."""
    return [line for line, _ in _header_lines(text, _EVENT_MARK)]


def bundled_timeline_path() -> Path:
    """The US–China timeline shipped with the package.

    An installed wheel carries it as package data; a source checkout (or an
    editable install) reads it from the repository's ``timelines/`` folder.
    """
    packaged = Path(__file__).resolve().parent / "data" / BUNDLED_NAME
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "timelines" / BUNDLED_NAME


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, directories as their ``*.toml`` in sorted name order;
    a file named twice (``-f a.toml -f .``) is read once."""
    expanded: list[str] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        try:
            path.stat()
        except FileNotFoundError:
            raise TrucetrackError(f"{raw}: no such file or directory") from None
        except OSError as exc:
            raise TrucetrackError(f"{raw}: cannot read: {exc.strerror or exc}") from None
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file())
            if not found:
                raise TrucetrackError(f"{raw}: directory holds no *.toml timeline files")
            files = [(str(p), p) for p in found]
        else:
            files = [(raw, path)]
        for shown, file in files:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                expanded.append(shown)
    return expanded


def read_documents(paths: list[str], *, bundled: bool = False) -> list[RawDocument]:
    """Read and parse each path (directories expanded); problems are collected, not raised."""
    return [read_document(path, bundled=bundled) for path in expand_paths(paths)]


def read_document(path: str, *, bundled: bool = False, display: str | None = None) -> RawDocument:
    return parse_document(read_bytes(path), display or display_name(path, bundled), bundled=bundled)


def read_files(paths: Sequence[str]) -> tuple[list[str], list[bytes]]:
    """The files the paths name (directories expanded) and the bytes of each."""
    files = expand_paths(list(paths))
    return files, [read_bytes(path) for path in files]


def read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TrucetrackError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def display_name(path: str, bundled: bool) -> str:
    """How a file is named in output: as given, or by name alone for the bundled one
    (so output is the same on every machine)."""
    return Path(path).name if bundled else path


_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def parse_document(raw: bytes, path: str, *, bundled: bool = False) -> RawDocument:
    """Parse the bytes of one timeline file."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = Problem(
            path, line, "-", f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        )
        return RawDocument(path, None, "", [problem], bundled)
    text = text.removeprefix("\ufeff")
    import tomllib  # not needed at all when the timeline comes from the cache

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _SYNTAX_POSITION.search(message)
        line, column = (int(position.group(1)), int(position.group(2))) if position else (1, None)
        message = _SYNTAX_POSITION.sub("", message)
        problem = Problem(path, line, "-", f"TOML syntax error: {message}", column=column)
        return RawDocument(path, None, "", [problem], bundled)
    return RawDocument(path, data, text, [], bundled)


_BARE_KEY = r"[A-Za-z0-9_-]+"
_QUOTED_KEY = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEY = re.compile(rf"\s*({_BARE_KEY}|{_QUOTED_KEY})\s*(?:=|\.)")
_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]*?)\s*\]\]?")
# Lines with none of these characters cannot open or close a string or a bracket.
_SPECIAL = re.compile(r"[\"'\[\]{}#]")
# What can change the scanner's state: a multi-line string opening, a one-line
# string (skipped whole, escapes included; an unterminated one runs to the end
# of the line), a bracket, or a comment.
_TOKEN = re.compile(r"""\"\"\"|'''|"(?:[^"\\]|\\.)*(?:"|$)|'[^']*(?:'|$)|[\[\]{}#]""")


def _unquote(key: str) -> str:
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
        return key[1:-1]
    return key


def _split_dotted(name: str) -> list[str]:
    return [_unquote(part) for part in re.findall(rf"{_BARE_KEY}|{_QUOTED_KEY}", name)]


def find_multiline_close(line: str, start: int, quote: str) -> int:
    """Where the multi-line string ``quote`` closes on ``line`` (the first of its last three quotes), or -1."""
    position = start
    while True:
        found = line.find(quote, position)
        if found < 0:
            return -1
        if quote == '"""':
            backslashes = 0
            before = found - 1
            while before >= position and line[before] == "\\":
                backslashes += 1
                before -= 1
            if backslashes % 2:
                position = found + 1
                continue
        # A run of up to five quotes closes with its last three.
        while line.startswith(quote[0], found + 3):
            found += 1
        return found


class _Scanner:
    """Tracks multi-line strings and open brackets across lines."""

    def __init__(self) -> None:
        self.in_multiline: str | None = None  # '"""' or "'''" while inside one
        self.depth = 0

    @property
    def at_statement_start(self) -> bool:
        return self.in_multiline is None and self.depth == 0

    def consume(self, line: str, start: int = 0) -> None:
        """Advance the state over the rest of ``line`` from ``start``."""
        if self.in_multiline is None and not _SPECIAL.search(line, start):
            return
        i = start
        while True:
            if self.in_multiline is not None:
                close = find_multiline_close(line, i, self.in_multiline)
                if close < 0:
                    return
                self.in_multiline = None
                i = close + 3
            token = _TOKEN.search(line, i)
            if token is None:
                return
            text = token.group()
            i = token.end()
            if text == "#":
                return
            if text in ('"""', "'''"):
                self.in_multiline = text
            elif text in "[{":
                self.depth += 1
            elif text in "]}":
                self.depth = max(0, self.depth - 1)
            # anything else is a complete one-line string: skipped whole


def scan_lines(text: str) -> LineMap:
    """Map table headers and keys of a TOML document to their line numbers."""
    lines = LineMap()
    scanner = _Scanner()
    current: dict[str, int] = lines.top
    for number, line in enumerate(text.splitlines(), start=1):
        if not scanner.at_statement_start:
            scanner.consume(line)
            continue
        header = _HEADER.match(line)
        if header and line.lstrip().startswith("["):
            brackets, name = header.groups()
            path = _split_dotted(name)
            if brackets == "[[" and path == ["event"]:
                keys: dict[str, int] = {}
                lines.events.append((number, keys))
                current = keys
            elif brackets == "[" and len(path) == 2 and path[0] == "parties":
                lines.parties.setdefault(path[1], number)
                current = lines.party_keys.setdefault(path[1], {})
            elif path == ["parties"]:
                lines.top.setdefault("parties", number)
                current = {}
            else:
                current = {}
            scanner.consume(line, header.end())
            continue
        key = _KEY.match(line)
        if key:
            name = _unquote(key.group(1))
            current.setdefault(name, number)
            if current is lines.top and name == "parties":
                dotted = _split_dotted(line.split("=", 1)[0])
                if len(dotted) >= 2:
                    lines.parties.setdefault(dotted[1], number)
            scanner.consume(line, key.end())
            continue
        scanner.consume(line)
    return lines
