"""Reading timeline files from disk: the only module that parses TOML.

tomllib gives no positions for parsed values, so ``scan_lines`` maps each
table header and key back to its line with a small scanner that knows just
enough TOML (strings, multi-line strings, comments, nested brackets) not to
be fooled by a ``[`` inside a value.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any

from trucetrack.core.model import Problem
from trucetrack.store.files import display_name, expand_paths, read_bytes
from trucetrack.store.lexer import BARE_KEY, QUOTED_KEY, Scanner


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
        self._event_lines: list[int] | None = None  # known from parsing, when it split the file
        self._parties_before = len(text)  # party headers can only be in text[:_parties_before]

    @property
    def lines(self) -> LineMap:
        if self._lines is None:
            self._lines = scan_lines(self.text)
        return self._lines

    def event_lines(self, count: int) -> list[int]:
        """The header line of each of the ``count`` events, in order."""
        if self._event_lines is not None and len(self._event_lines) == count:
            return self._event_lines
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
        for line, line_start in _header_lines(self.text[: self._parties_before], _PARTY_MARK):
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


_EVENT_BLOCK_HEADER = re.compile(rb"^[ \t]*\[\[[ \t]*event[ \t]*\]\]", re.M)
# A "schema = ..." line tells a timeline file from other TOML files (pyproject.toml) in a folder.
# A top-level ``schema`` key, also behind a byte-order mark or quoted ("schema", 'schema').
_SCHEMA_LINE = re.compile(rb"^(?:\xef\xbb\xbf)?[ \t]*(?:schema|\"schema\"|'schema')[ \t]*=", re.M)


def has_event_blocks(raw: bytes) -> bool:
    """Whether the file's bytes hold an ``[[event]]`` header line (a value that
    merely contains the text, such as ``title = "[[event]]"``, is not one)."""
    return _EVENT_BLOCK_HEADER.search(raw) is not None


def looks_like_timeline(raw: bytes) -> bool:
    """Whether a TOML file's bytes hold a ``schema = ...`` line, as every timeline file does."""
    return _SCHEMA_LINE.search(raw) is not None


def read_documents(paths: list[str], *, bundled: bool = False) -> list[RawDocument]:
    """Read and parse each path (directories expanded); problems are collected, not raised."""
    return [read_document(path, bundled=bundled) for path in expand_paths(paths)]


def read_document(path: str, *, bundled: bool = False, display: str | None = None) -> RawDocument:
    return parse_document(read_bytes(path), display or display_name(path, bundled), bundled=bundled)


_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_SYNTAX_AT_END = re.compile(r"\s*\(at end of document\)$")
# Python refuses to turn more digits than this into an int (quadratic time).
_LONG_NUMBER = re.compile(r"[0-9][0-9_]{4299,}")


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
    # Checked before any parser runs: the standard parser recurses once per level of
    # arrays and takes memory by the square of a dotted key's length; the compiled one
    # can exhaust the C stack.
    if nesting_depth(raw) > NESTING_LIMIT:
        message = (
            f"arrays or inline tables nested too deeply to read (more than {NESTING_LIMIT} levels;"
            " a timeline needs no more than a list of strings)"
        )
        return RawDocument(path, None, "", [Problem(path, _deepest_line(text), "-", message)], bundled)
    long_key = _long_key_line(raw)
    if long_key:
        message = f"a key of more than {KEY_PARTS_LIMIT} dotted parts, nested too deeply to read"
        return RawDocument(path, None, "", [Problem(path, long_key, "-", message)], bundled)
    parsed = _compiled_loads(text)
    if parsed is not None:
        document = RawDocument(path, parsed.data, text, [], bundled)
        if parsed.event_lines is not None:
            document._event_lines = parsed.event_lines
            document._parties_before = parsed.head_end
        return document
    import tomllib  # the fallback, and the reference for what a syntax error says and where

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column, message = _syntax_position(str(exc), text)
        problem = Problem(path, line, "-", f"TOML syntax error: {message}", column=column)
        return RawDocument(path, None, "", [problem], bundled)
    except ValueError:
        # Not a TOMLDecodeError: an integer too long for Python to convert.
        long_number = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else 1
        message = "a number with thousands of digits; a timeline's integers fit in 64 bits"
        return RawDocument(path, None, "", [Problem(path, line, "-", message)], bundled)
    except RecursionError:
        # Within the nesting limit this does not happen; kept so that no document can crash a run.
        message = "arrays or inline tables nested too deeply to read (a timeline needs no more than a list of strings)"
        return RawDocument(path, None, "", [Problem(path, _deepest_line(text), "-", message)], bundled)
    return RawDocument(path, data, text, [], bundled)


# ---------------------------------------------------------------- the compiled parser

# Deeper nesting is refused before parsing. A timeline's values nest two deep at most;
# the standard parser gives up near 500 levels and the compiled one crashes near 5,000.
NESTING_LIMIT = 100
# Dotted keys (a.b.c = 1, [a.b.c]) nest tables too, without brackets.
KEY_PARTS_LIMIT = 1000
_NOT_DOTS = bytes(range(256)).translate(None, b".\n")


def _load_compiled() -> Callable[[str], dict[str, Any]] | None:
    """toml-rs's reader held to TOML 1.0 (None when it is not installed)."""
    try:
        from toml_rs import _toml_rs
    except ImportError:
        return None
    loads = _toml_rs._loads

    def compiled(text: str) -> dict[str, Any]:
        return loads(text, parse_float=float, toml_version="1.0.0")

    return compiled


_UNSET: Any = object()
_compiled: Callable[[str], dict[str, Any]] | None = _UNSET


def parser_name() -> str:
    """Which reader parses timeline files here: "toml-rs" or "tomllib"."""
    return "tomllib" if _compiled_parser() is None else "toml-rs"


def _compiled_parser() -> Callable[[str], dict[str, Any]] | None:
    global _compiled
    if _compiled is _UNSET:
        _compiled = _load_compiled()
    return _compiled


@dataclass(frozen=True)
class _Parsed:
    data: dict[str, Any]
    event_lines: list[int] | None = None  # the [[event]] header lines, when the file was read in parts
    head_end: int = 0  # where the text before the first [[event]] ends


def _compiled_loads(text: str) -> _Parsed | None:
    """The document as the compiled parser reads it; None when it is not installed, when
    it refuses the text (the standard parser then says why and where), or for the one
    kind of text where it is known to read more than TOML 1.0 allows (a byte-order mark
    past the start)."""
    loads = _compiled_parser()
    if loads is None or "\ufeff" in text:
        return None
    try:
        if len(text) >= _PARTS_FROM:
            parsed = _in_parts(loads, text)
            if parsed is not None:
                return parsed
        return _Parsed(loads(text))
    except Exception:  # refused, or a value Python cannot hold: tomllib gives the message
        return None


# A large file is read in parts of this many events: parsing it whole, the compiled
# parser's own tree of the document and Python's coexist (twice tomllib's peak memory).
_PARTS_FROM = 64 * 1024
_EVENTS_PER_PART = 256
# Lines that begin with a bracket: the first line, then every other one found from the
# line break before it (a literal the regex engine scans for, where ``^`` with re.M would
# try every position of the text).
_FIRST_LINE_BRACKET = re.compile(r"[ \t]*\[")
_LINE_WITH_BRACKET = re.compile(r"\n[ \t]*\[")
_EVENT_HEADER = re.compile(r"[ \t]*\[\[[ \t]*event[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.M)


def _in_parts(loads: Callable[[str], dict[str, Any]], text: str) -> _Parsed | None:
    """The document read as its head and runs of ``[[event]]`` blocks, each parsed alone.

    Only for a file whose every header line after the first ``[[event]]`` is another
    ``[[event]]`` (and no multi-line string, which could hold a line that looks like
    one): then each block's keys belong to its own new table, nothing in one part can
    clash with another, and the parts make exactly the document that parsing it whole
    would. The head must not define ``event`` itself. None: read it whole instead.
    """
    if '"""' in text or "'''" in text:
        return None
    starts: list[int] = []
    for start in _bracket_lines(text):
        if _EVENT_HEADER.match(text, start):
            starts.append(start)
        elif starts:
            return None  # another table after the events: read it whole
    if not starts:
        return None
    data = loads(text[: starts[0]])
    if "event" in data:
        return None
    events: list[Any] = []
    bounds = [*starts[::_EVENTS_PER_PART], len(text)]
    for begin, end in pairwise(bounds):
        part = loads(text[begin:end])
        if len(part) != 1 or not isinstance(part.get("event"), list):
            return None
        events.extend(part["event"])
    if len(events) != len(starts):
        return None
    data["event"] = events
    lines: list[int] = []
    line, counted_to = 1, 0
    for start in starts:
        line += text.count("\n", counted_to, start)
        counted_to = start
        lines.append(line)
    return _Parsed(data, lines, starts[0])


def _bracket_lines(text: str) -> Iterator[int]:
    """Where each line that begins with ``[`` (after spaces or tabs) starts."""
    if _FIRST_LINE_BRACKET.match(text):
        yield 0
    for bracket in _LINE_WITH_BRACKET.finditer(text):
        yield bracket.start() + 1


# Strings and comments, whose brackets do not nest: the ends of multi-line strings
# take up to two more quotes (they belong to the string), as TOML reads them.
_NOT_NESTING = re.compile(
    rb'"""[^\\"]*(?:(?:\\.|"(?!""))[^\\"]*)*""""?"?|\'\'\'.*?\'\'\'\'?\'?|"[^"\\\n]*(?:\\[^\n][^"\\\n]*)*"|\'[^\'\n]*\'|#[^\n]*',
    re.S,
)
_BRACKETS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_NOT_QUOTES_OR_BRACKETS = bytes(range(256)).translate(None, b'"[]{}\n')


def nesting_depth(raw: bytes) -> int:
    """How deep arrays and inline tables nest in a TOML document, from its bytes.

    Exact for a valid document: brackets in strings and comments do not count
    (a table header counts as one or two levels, which no limit comes near).
    Most files hold only plain one-line double-quoted strings; there, once every
    byte but quotes, brackets and line ends is dropped, each string without a
    bracket inside is an adjacent pair of quotes, and when removing those pairs
    leaves no quote, no string held a bracket, and every bracket left counts.
    Other files have their strings and comments removed by a regex (slower).
    """
    if raw.count(b"[") + raw.count(b"{") <= NESTING_LIMIT:
        return 0
    bare = None
    if b"\\" not in raw and b"'" not in raw and b"#" not in raw and b'"""' not in raw:
        bare = raw.translate(None, _NOT_QUOTES_OR_BRACKETS).replace(b'""', b"")
        if b'"' in bare:
            bare = None
    if bare is None:
        bare = _NOT_NESTING.sub(b"", raw)
    return max(accumulate(array("b", bare.translate(_BRACKETS, _NOT_BRACKETS))), default=0)


def _syntax_position(message: str, text: str) -> tuple[int, int | None, str]:
    """The line, column and bare message of a TOML syntax error.

    An error found at the end of the document (a string, array or header left
    open) is placed after the last character of the last line that holds
    text, where the reader gave up, rather than on a line past the end.
    """
    position = _SYNTAX_POSITION.search(message)
    if position:
        return int(position.group(1)), int(position.group(2)), _SYNTAX_POSITION.sub("", message)
    if _SYNTAX_AT_END.search(message):
        content = text.rstrip("\r\n")
        last_line_start = content.rfind("\n") + 1
        return content.count("\n") + 1, len(content) - last_line_start + 1, _SYNTAX_AT_END.sub("", message)
    return 1, None, message


def _deepest_line(text: str) -> int:
    """The line where ``[``/``{`` nesting (roughly: strings are not skipped) is deepest."""
    depth = deepest = 0
    where = 1
    for number, line in enumerate(text.split("\n"), start=1):
        for character in line:
            if character in "[{":
                depth += 1
                if depth > deepest:
                    deepest, where = depth, number
            elif character in "]}":
                depth = max(depth - 1, 0)
    return where


def _long_key_line(raw: bytes) -> int:
    """The line of a key with more than KEY_PARTS_LIMIT dotted parts (0: none).

    Such a line holds that many dots; with every byte but dots and line ends
    dropped, they are a run of dots, which one substring search finds. A value
    may hold many dots too, so then the line is looked at without its strings.
    """
    if b"." * KEY_PARTS_LIMIT not in raw.translate(None, _NOT_DOTS):
        return 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.count(b".") >= KEY_PARTS_LIMIT and _NOT_NESTING.sub(b"", line).count(b".") >= KEY_PARTS_LIMIT:
            return number
    return 0


_KEY = re.compile(rf"\s*({BARE_KEY}|{QUOTED_KEY})\s*(?:=|\.)")
_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]*?)\s*\]\]?")


def _unquote(key: str) -> str:
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
        if key[0] == '"' and "\\" in key:
            return _basic_string(key)
        return key[1:-1]
    return key


def _basic_string(quoted: str) -> str:
    """A quoted key with escapes (``"\\u001b[2J"``) as the TOML reader reads it."""
    import tomllib

    try:
        value = tomllib.loads(f"k = {quoted}")["k"]
    except tomllib.TOMLDecodeError:
        return quoted[1:-1]
    return value if isinstance(value, str) else quoted[1:-1]


def _split_dotted(name: str) -> list[str]:
    return [_unquote(part) for part in re.findall(rf"{BARE_KEY}|{QUOTED_KEY}", name)]


def scan_lines(text: str) -> LineMap:
    """Map table headers and keys of a TOML document to their line numbers."""
    lines = LineMap()
    scanner = Scanner()
    current: dict[str, int] = lines.top
    # Only "\n" ends a line in TOML (str.splitlines would also split at U+2028 and
    # other breaks a string may hold, and shift every line number after them).
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not scanner.settled:
            scanner.scan(line)
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
            scanner.scan(line, header.end())
            continue
        key = _KEY.match(line)
        if key:
            name = _unquote(key.group(1))
            current.setdefault(name, number)
            if current is lines.top and name == "parties":
                dotted = _split_dotted(line.split("=", 1)[0])
                if len(dotted) >= 2:
                    lines.parties.setdefault(dotted[1], number)
            scanner.scan(line, key.end())
            continue
        scanner.scan(line)
    return lines
