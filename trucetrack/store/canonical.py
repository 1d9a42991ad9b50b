"""The canonical form of a timeline file, written without losing a comment.

``canonical_text`` reorders a file into: top-level keys (schema, title,
timezone, current_to, calendar, warn, kinds), then ``[parties.CODE]`` tables by code,
then ``[[event]]`` blocks by (date or start, id), keys in the documented order
one blank line between blocks. Values are kept exactly as written
(a string keeps its quotes and escapes, ``10`` stays ``10``, a multi-line
array keeps its layout and the comments inside it), so formatting can only
move text, never rewrite it.

tomli-w cannot write comments and tomllib does not report them, so the file
is split into statements by a small scanner of our own that knows where
strings, brackets and comments are; tomlkit (a style-preserving parser) takes
apart the inline tables that are rewritten as blocks
(``parties = {US = {name = "..."}}``, ``event = [{...}, ...]``) and renders
the values of new blocks, so they look as this module writes them.

Where a comment belongs:

- on the line of a key or header: with that key or header;
- directly above a key, or above a header (with any comment paragraphs
  above that): with that key or block;
- directly below a block's last key and followed by a blank line: at the end
  of that block;
- at the top of the file, followed by a blank line (and ``#:`` directives
  such as ``#:schema``): at the top; after the last block, behind a blank
  line: at the end.

Every comment of the input is checked to be in the output; if one were not,
formatting refuses and names its line. ``store.merge`` reads the three sides
of a merge into the same blocks and writes its result in this layout. Whether the meaning is unchanged is
checked by the caller, which can validate (``same_meaning``).
"""

from __future__ import annotations

import hashlib
import json
import operator
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from itertools import chain
from typing import Any

import tomlkit
from tomlkit import items as tomlkit_items

from trucetrack.core import collector
from trucetrack.core.model import EVENT_KEYS, PARTY_KEYS, Entry, SourceFile, Timeline
from trucetrack.errors import TrucetrackError
from trucetrack.store.lexer import BARE_KEY, TOKEN, Scanner, find_multiline_close

# Top-level keys in canonical order (parties and events are written as tables).
ROOT_KEYS: tuple[str, ...] = ("schema", "title", "timezone", "current_to", "calendar", "warn", "kinds")


class CanonicalError(TrucetrackError):
    """The file has a shape that fmt cannot rewrite (only possible for files that are not valid timelines)."""


class CommentPlacementError(TrucetrackError):
    """A comment would not survive formatting; nothing is written."""


class MeaningChanged(TrucetrackError):
    """Formatting would change what the timeline means; nothing is written."""


# ---------------------------------------------------------------- scanning

_BARE_KEY = re.compile(BARE_KEY)
_BASIC_KEY = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL_KEY = re.compile(r"'[^'\n]*'")
_SIMPLE_STRING = re.compile(r'"([^"\\]*)"')
# Most lines are ``bare_key = value`` with a one-line string, scalar or flat
# array as value: read them with one match instead of the scanner.
_SIMPLE_PAIR = re.compile(
    r"([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    r"(\"(?:[^\"\\\n]|\\.)*\""  # a basic string
    r"|[^\s\"'\[\]{}#][^\"'\[\]{}#]*?"  # a number, date, boolean
    r"|\[(?:[^\[\]{}\"'#]|\"(?:[^\"\\\n]|\\.)*\")*\])"  # a flat array of those
    r"([ \t]*#.*?)?[ \t]*"
)

# The same with the indentation before it: a whole line.
_SIMPLE_LINE = re.compile(r"[ \t]*" + _SIMPLE_PAIR.pattern)
_EVENT_PATH = ("event",)

# Lines that can hold a comment or open or close a multi-line string; no other
# line changes what comment_lines is looking for.
_COMMENT_CANDIDATE = re.compile(r"^.*(?:#|\"\"\"|\'\'\').*$", re.M)


def comment_lines(text: str) -> list[tuple[int, str]]:
    """Every comment in a TOML text (outside strings), with its 1-based line, in order."""
    found: list[tuple[int, str]] = []
    if "#" not in text and '"""' not in text and "'''" not in text:
        return found  # no line is a candidate: not even one pass of the regex over the text
    in_multiline: str | None = None
    number, counted_to = 1, 0
    for candidate in _COMMENT_CANDIDATE.finditer(text):
        line = candidate.group()
        number += text.count("\n", counted_to, candidate.start())
        counted_to = candidate.start()
        position = 0
        while True:
            if in_multiline is not None:
                close = find_multiline_close(line, position, in_multiline)
                if close < 0:
                    break
                in_multiline = None
                position = close + 3
            token = TOKEN.search(line, position)
            if token is None:
                break
            value = token.group()
            position = token.end()
            if value == "#":
                found.append((number, line[token.start() :].rstrip()))
                break
            if value in ('"""', "'''"):
                in_multiline = value
    return found


@dataclass(slots=True)
class _Statement:
    """One line-level piece of a file: a blank line, a comment line, a table header or a key = value."""

    kind: str  # "blank", "comment", "header", "pair"
    line: int
    text: str = ""  # the comment (kind "comment") or the value as written (kind "pair")
    path: tuple[str, ...] = ()  # the header's table or the pair's (dotted) key
    array: bool = False  # [[header]]
    comment: str = ""  # the comment after a header or value, with the spaces before it


def _skip_spaces(line: str, position: int) -> int:
    while position < len(line) and line[position] in " \t":
        position += 1
    return position


def _decode_key(token: str) -> str:
    if token.startswith("'"):
        return token[1:-1]
    if token.startswith('"'):
        if "\\" not in token:
            return token[1:-1]
        return str(next(iter(tomllib.loads(f"k = {token}").values())))
    return token


def _read_key(line: str, position: int, number: int) -> tuple[tuple[str, ...], int]:
    """A dotted key starting at ``position``: its parts and where it ends."""
    parts: list[str] = []
    while True:
        position = _skip_spaces(line, position)
        match = (
            _BARE_KEY.match(line, position) or _BASIC_KEY.match(line, position) or _LITERAL_KEY.match(line, position)
        )
        if match is None:
            raise CanonicalError(f"line {number}: cannot read a key here: {line.strip()!r}")
        parts.append(_decode_key(match.group()))
        position = _skip_spaces(line, match.end())
        if position < len(line) and line[position] == ".":
            position += 1
            continue
        return tuple(parts), position


def _trailing_comment(line: str, position: int, number: int) -> str:
    """The comment after a header or value (with the spaces before it), or ''."""
    rest = line[position:]
    if not rest.strip():
        return ""
    if not rest.lstrip(" \t").startswith("#"):
        raise CanonicalError(f"line {number}: unexpected text after the value: {rest.strip()!r}")
    return rest.rstrip()


def _lines(body: str) -> Iterator[str]:
    """The lines of ``body`` without their line breaks (a file's last line break ends
    its last line; it does not start an empty one): split a piece of about 64 KB at a
    time, so the lines of a large file are never all in memory at once."""
    return chain.from_iterable(_pieces_of_lines(body))


def _pieces_of_lines(body: str) -> Iterator[list[str]]:
    start = 0
    while start < len(body):
        end = body.find("\n", start + _PIECE)
        if end < 0:
            lines = body[start:].split("\n")
            if body.endswith("\n"):
                lines.pop()  # the empty text after the last line break
            yield lines
            return
        yield body[start:end].split("\n")
        start = end + 1


_PIECE = 65536


def _statement(number: int, line: str, numbered: Iterator[tuple[int, str]]) -> _Statement:
    """The statement that starts on line ``number``; a multi-line value takes its
    further lines from ``numbered``. Statements are read one at a time: the builder
    keeps what it needs of each, and a list of every line or statement would be the
    largest thing fmt holds."""
    stripped = line.lstrip(" \t")
    if not stripped.strip():
        return _Statement("blank", number)
    if stripped.startswith("#"):
        return _Statement("comment", number, text=stripped.rstrip())
    if line == "[[event]]":  # most headers: read without the key scanner
        return _Statement("header", number, path=_EVENT_PATH, array=True)
    simple = _SIMPLE_PAIR.fullmatch(stripped)
    if simple is not None:
        key, value, comment = simple.groups()
        # Interned: the same few keys name every block's slots, once each in memory.
        path: tuple[str, ...] = (sys.intern(key),)
        return _Statement("pair", number, text=value, path=path, comment=(comment or "").rstrip())
    start = len(line) - len(stripped)
    if stripped.startswith("["):
        array = stripped.startswith("[[")
        path, position = _read_key(line, start + (2 if array else 1), number)
        closing = "]]" if array else "]"
        if not line.startswith(closing, position):
            raise CanonicalError(f"line {number}: cannot read this table header: {line.strip()!r}")
        comment = _trailing_comment(line, position + len(closing), number)
        return _Statement("header", number, path=path, array=array, comment=comment)
    path, position = _read_key(line, start, number)
    if position >= len(line) or line[position] != "=":
        raise CanonicalError(f"line {number}: expected 'key = value': {line.strip()!r}")
    value_start = _skip_spaces(line, position + 1)
    scanner = Scanner()
    continuation: list[str] = []  # the lines a multi-line value goes on over
    end_line = line
    comment_at = scanner.scan(line, value_start)
    while not scanner.settled and comment_at < 0:
        following = next(numbered, None)
        if following is None:
            raise CanonicalError(f"line {number}: the value never ends")
        end_line = following[1]
        continuation.append(end_line)
        comment_at = scanner.scan(end_line, 0)
    value_end = comment_at if comment_at >= 0 else len(end_line)
    if not continuation:
        value = line[value_start:value_end]
    else:
        value = "\n".join([line[value_start:], *continuation[:-1], end_line[:value_end]])
    value = value.rstrip(" \t")
    comment = ""
    if comment_at >= 0:
        kept = end_line[:value_end].rstrip(" \t")
        comment = end_line[len(kept) :].rstrip()
    return _Statement("pair", number, text=value, path=path, comment=comment)


# ---------------------------------------------------------------- the document as blocks


@dataclass(slots=True)
class _Slot:
    """One key of a block: comment lines above it, its value as written, its same-line comment."""

    value: str
    lead: tuple[str, ...] = ()  # a tuple: most keys have no comment above them, and share ()
    comment: str = ""


@dataclass(slots=True)
class _Block:
    """A table: comment paragraphs above its header, the header's comment, its keys, comments at its end."""

    line: int
    lead: list[list[str]] = field(default_factory=list)
    comment: str = ""
    slots: dict[str, _Slot] = field(default_factory=dict)
    trailing: list[str] = field(default_factory=list)

    def add_comment_line(self, text: str) -> None:
        """A comment that annotates the whole block but has no line of its own yet."""
        text = text.strip()
        if not text:
            return
        if not self.comment:
            self.comment = " " + text
        elif self.lead:
            self.lead[-1].append(text)
        else:
            self.lead.append([text])


@dataclass
class _Document:
    directives: list[str] = field(default_factory=list)
    preamble: list[list[str]] = field(default_factory=list)
    root: _Block = field(default_factory=lambda: _Block(line=1))
    parties_section: _Block = field(default_factory=lambda: _Block(line=0))
    parties: dict[str, _Block] = field(default_factory=dict)
    events_section: _Block = field(default_factory=lambda: _Block(line=0))
    events: list[_Block] = field(default_factory=list)
    footer: list[list[str]] = field(default_factory=list)


@dataclass
class _Gap:
    """Comment paragraphs between two statements, and whether blank lines come before and after each."""

    groups: list[list[str]] = field(default_factory=list)
    blank_before: list[bool] = field(default_factory=list)
    blank_after: list[bool] = field(default_factory=list)
    first_line: list[int] = field(default_factory=list)

    def add(self, statement: _Statement, blank: bool) -> None:
        if blank and self.groups:
            self.blank_after[-1] = True
        if statement.kind != "comment":
            return
        if self.groups and not self.blank_after[-1]:
            self.groups[-1].append(statement.text)
            return
        self.groups.append([statement.text])
        self.blank_before.append(blank)
        self.blank_after.append(False)
        self.first_line.append(statement.line)


class _Builder:
    """Reads the statements of a file into a _Document, deciding where each comment belongs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.document = _Document()
        self.table: tuple[str, ...] = ()
        self.current_event: _Block | None = None
        self.current: _Block = self.document.root  # the block the last statement went into
        self.seen_statement = False

    def error(self, line: int, message: str) -> CanonicalError:
        return CanonicalError(f"{self.path}:{line}: {message}")

    def build(self, lines: Iterable[str]) -> _Document:
        gap: _Gap | None = None  # made at the first comment between two statements
        blank = False
        simple_pair = _SIMPLE_LINE.fullmatch
        intern = sys.intern
        numbered = enumerate(lines, start=1)
        for number, line in numbered:
            # The usual lines, read here without a statement: an empty line, and in an
            # event with no comment waiting to be placed, a simple ``key = value``.
            if not line:
                blank = True
                if gap is not None:
                    gap.add(_Statement("blank", number), True)
                continue
            event = self.current_event
            if gap is None and event is not None:
                simple = simple_pair(line)
                if simple is not None:
                    key, value, comment = simple.groups()
                    key = intern(key)  # the same few keys name every block's slots, once each in memory
                    if key in event.slots:
                        raise self.error(event.line, f"key {key!r} is given twice")
                    event.slots[key] = _Slot(value, (), comment.rstrip() if comment else "")
                    blank = False
                    continue
            statement = _statement(number, line, numbered)
            kind = statement.kind
            if kind == "blank":
                blank = True
                if gap is not None:
                    gap.add(statement, True)
                continue
            if kind == "comment":
                if gap is None:
                    gap = _Gap()
                gap.add(statement, blank)
                blank = False
                continue
            if gap is None:  # no comment to place: the usual case
                self.seen_statement = True
                if kind == "pair":
                    self.pair(statement, [])
                else:
                    self.header(statement, [])
            else:
                gap.add(statement, blank)
                self.place(gap, statement)
            gap, blank = None, False
        gap = gap or _Gap()
        gap.add(_Statement("blank", 0), blank)
        self.place(gap, None)
        return self.document

    # -- comments

    def place(self, gap: _Gap, statement: _Statement | None) -> None:
        """Hand the comments of ``gap`` to the blocks around it, then read ``statement``."""
        groups = gap.groups
        if not self.seen_statement:
            groups = self.place_at_top(gap, statement)
        elif self.ends_block(gap, statement):
            self.current.trailing.extend(groups[0])
            groups = groups[1:]
        if statement is None:
            self.document.footer.extend(groups)
            return
        self.seen_statement = True
        if statement.kind == "pair":
            self.pair(statement, groups)
        else:
            self.header(statement, groups)

    @staticmethod
    def ends_block(gap: _Gap, statement: _Statement | None) -> bool:
        """Whether the first paragraph of ``gap`` closes the block before it: directly below
        the block's last line, followed by a blank line, before a header (or the end of the file)."""
        if not gap.groups or gap.blank_before[0]:
            return False
        if statement is None:
            return True
        return statement.kind == "header" and gap.blank_after[0]

    def place_at_top(self, gap: _Gap, statement: _Statement | None) -> list[list[str]]:
        """Directives (``#:schema``) and paragraphs followed by a blank line stay at the top of the file.

        Returns the paragraph directly above the first statement, which goes with it.
        """
        groups = [list(group) for group in gap.groups]
        blank_after = list(gap.blank_after)
        if groups and gap.first_line[0] == 1:
            first = groups[0]
            while first and first[0].startswith("#:"):
                self.document.directives.append(first.pop(0))
            if not first:
                groups.pop(0)
                blank_after.pop(0)
        lead = [groups.pop()] if statement is not None and groups and not blank_after[-1] else []
        self.document.preamble.extend(groups)
        return lead

    # -- statements

    def header(self, statement: _Statement, lead: list[list[str]]) -> None:
        path = statement.path
        document = self.document
        self.current_event = None
        if statement.array:
            if path != ("event",):
                raise self.error(statement.line, f"[[{'.'.join(path)}]] is not part of a timeline file")
            block = _Block(statement.line, lead=lead, comment=statement.comment)
            document.events.append(block)
            self.current_event = block
            self.current = block
        elif path == ("parties",):
            section = document.parties_section
            section.lead.extend(lead)
            section.add_comment_line(statement.comment)
            self.current = section
        elif len(path) == 2 and path[0] == "parties":
            block = self.party(path[1], statement.line)
            block.lead.extend(lead)
            if block.comment:
                block.add_comment_line(statement.comment)
            else:
                block.comment = statement.comment
            self.current = block
        else:
            raise self.error(statement.line, f"[{'.'.join(path)}] is not part of a timeline file")
        self.table = path

    def party(self, code: str, line: int) -> _Block:
        block = self.document.parties.get(code)
        if block is None:
            block = self.document.parties[code] = _Block(line)
        return block

    def pair(self, statement: _Statement, lead: list[list[str]]) -> None:
        flat_lead = tuple(line for group in lead for line in group)
        if self.current_event is not None:
            if len(statement.path) != 1:
                raise self.error(statement.line, f"event key {'.'.join(statement.path)!r} is not a plain key")
            self.put(self.current_event, statement.path[0], _Slot(statement.text, flat_lead, statement.comment))
            return
        path = self.table + statement.path
        document = self.document
        if len(path) == 1 and path[0] in ROOT_KEYS:
            self.put(document.root, path[0], _Slot(statement.text, flat_lead, statement.comment))
            self.current = document.root
        elif path == ("event",):
            self.inline_events(statement, lead)
        elif path == ("parties",):
            section = document.parties_section
            section.lead.extend(lead)
            section.add_comment_line(statement.comment)
            blocks = self.inline_parties((), statement)
            self.current = blocks[-1] if blocks else document.root
        elif len(path) == 2 and path[0] == "parties":
            block = self.party(path[1], statement.line)
            block.lead.extend(lead)
            block.add_comment_line(statement.comment)
            self.inline_parties((path[1],), statement)
            self.current = block
        elif len(path) == 3 and path[0] == "parties":
            block = self.party(path[1], statement.line)
            self.put(block, path[2], _Slot(statement.text, flat_lead, statement.comment))
            self.current = block
        else:
            raise self.error(statement.line, f"key {'.'.join(path)!r} is not part of a timeline file")

    def put(self, block: _Block, key: str, slot: _Slot) -> None:
        if key in block.slots:
            raise self.error(block.line, f"key {key!r} is given twice")
        block.slots[key] = slot

    def inline_parties(self, prefix: tuple[str, ...], statement: _Statement) -> list[_Block]:
        """``parties = {US = {name = "..."}}`` or ``US = {name = "..."}`` as [parties.CODE] tables."""
        blocks: list[_Block] = []
        for path, value in _inline_pairs(statement.text):
            full = prefix + path
            if len(full) != 2:
                raise self.error(statement.line, f"parties.{'.'.join(full)} is not a party's name")
            block = self.party(full[0], statement.line)
            self.put(block, full[1], _Slot(value))
            if not blocks or blocks[-1] is not block:
                blocks.append(block)
        return blocks

    def inline_events(self, statement: _Statement, lead: list[list[str]]) -> None:
        """``event = [{...}, ...]`` as [[event]] blocks; comments go with the element they precede or follow."""
        section = self.document.events_section
        section.lead.extend(lead)
        array = _parse_value(statement.text)
        if not isinstance(array, tomlkit_items.Array):
            raise self.error(statement.line, "event must be an array of tables")
        pending: list[str] = []
        created: list[_Block] = []
        for group in array._value:  # tomlkit keeps comments only in these groups
            value = group.value
            comment = group.comment.as_string().strip() if group.comment is not None else ""
            if value is None or isinstance(value, tomlkit_items.Null):
                if comment:
                    pending.append(comment)
                continue
            if not isinstance(value, tomlkit_items.InlineTable):
                raise self.error(statement.line, "each event must be a table")
            block = _Block(statement.line, lead=[pending] if pending else [])
            pending = []
            if comment:
                block.comment = " " + comment
            for path, text in _flatten_inline(value, ()):
                if len(path) != 1:
                    raise self.error(statement.line, f"event key {'.'.join(path)!r} is not a plain key")
                self.put(block, path[0], _Slot(text))
            created.append(block)
            self.document.events.append(block)
        if created:
            created[-1].trailing.extend(pending)
            if statement.comment:
                created[-1].trailing.append(statement.comment.strip())
            self.current = created[-1]
        else:
            section.trailing.extend(pending)
            section.add_comment_line(statement.comment)
            self.current = self.document.root


def _parse_value(text: str) -> Any:
    document = tomlkit.parse(f"v = {text}\n")
    return document.item("v")


def _flatten_inline(table: Any, prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """The leaves of an inline table (dotted keys and nested inline tables followed) as (path, text)."""
    pairs: list[tuple[tuple[str, ...], str]] = []
    for key, item in table.value.body:
        if key is None:
            continue
        path = (*prefix, key.key)
        if isinstance(item, tomlkit_items.InlineTable | tomlkit_items.Table):
            pairs.extend(_flatten_inline(item, path))
        else:
            pairs.append((path, item.as_string().strip()))
    return pairs


def _inline_pairs(text: str) -> list[tuple[tuple[str, ...], str]]:
    value = _parse_value(text)
    if not isinstance(value, tomlkit_items.InlineTable):
        raise CanonicalError(f"expected an inline table, got {text!r}")
    return _flatten_inline(value, ())


# ---------------------------------------------------------------- writing


def _key_text(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _value_of(text: str) -> Any:
    simple = _SIMPLE_STRING.fullmatch(text)
    if simple:
        return simple.group(1)
    return tomllib.loads(f"v = {text}\n")["v"]


# Where each event key goes in a block.
_EVENT_RANK = {key: index for index, key in enumerate(EVENT_KEYS)}


class _Writer:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[str] = []

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def paragraphs(self, groups: Iterable[list[str]]) -> None:
        for group in groups:
            if group:
                self.blank()
                self.lines.extend(group)

    def lead(self, groups: list[list[str]]) -> None:
        """Comment paragraphs directly above a header, a blank line between paragraphs."""
        first = True
        for group in groups:
            if not group:
                continue
            if not first:
                self.lines.append("")
            self.lines.extend(group)
            first = False

    def slots(self, block: _Block, order: tuple[str, ...], where: str) -> None:
        slots = block.slots
        rank = _EVENT_RANK if order is EVENT_KEYS else {key: index for index, key in enumerate(order)}
        try:
            keys = sorted(slots, key=rank.__getitem__)  # the block's own keys, not every known one
        except KeyError:
            unknown = next(key for key in slots if key not in rank)
            raise CanonicalError(f"{self.path}:{block.line}: unknown key {unknown!r} in {where}") from None
        lines = self.lines
        for key in keys:
            slot = slots[key]
            if slot.lead:
                lines.extend(slot.lead)
            comment = slot.comment
            lines.append(f"{key} = {slot.value}{_spaced(comment)}" if comment else f"{key} = {slot.value}")
        lines.extend(block.trailing)

    def block(self, header: str, block: _Block, order: tuple[str, ...], extra_lead: list[str]) -> None:
        self.blank()
        if extra_lead or block.lead:
            self.lead(([extra_lead] if extra_lead else []) + block.lead)
        self.lines.append(header + _spaced(block.comment))
        self.slots(block, order, header)


def _spaced(comment: str) -> str:
    """A same-line comment keeps the spaces before it (at least one)."""
    if not comment:
        return ""
    return comment if comment[0] in " \t" else " " + comment


def _section_lines(section: _Block) -> list[str]:
    lines = [line for group in section.lead for line in group]
    if section.comment:
        lines.append(section.comment.strip())
    return lines + section.trailing


def _render(document: _Document, begins: Mapping[str, datetime], path: str) -> str:
    writer = _Writer(path)
    writer.lines.extend(document.directives)
    writer.paragraphs(document.preamble)
    if document.preamble:
        writer.lines.append("")
    writer.slots(document.root, ROOT_KEYS, "the top-level keys")

    parties_lead = _section_lines(document.parties_section)
    for code in sorted(document.parties):
        writer.block(f"[parties.{_key_text(code)}]", document.parties[code], PARTY_KEYS, parties_lead)
        parties_lead = []
    events_lead = _section_lines(document.events_section)
    if parties_lead:  # parties comments with no party left to go with
        events_lead = parties_lead + events_lead

    keyed: list[tuple[datetime, str, _Block]] = []
    for block in document.events:
        slot = block.slots.get("id")
        if slot is None:
            raise CanonicalError(f"{path}:{block.line}: event has no id")
        entry_id = _value_of(slot.value)
        if not isinstance(entry_id, str) or entry_id not in begins:
            raise CanonicalError(f"{path}:{block.line}: event {entry_id!r} is not in the validated timeline")
        keyed.append((begins[entry_id], entry_id, block))
    # Last first, so each block can be let go once written: the output grows as the document shrinks.
    keyed.sort(key=lambda item: (item[0], item[1]), reverse=True)
    document.events.clear()
    while keyed:
        _, _, block = keyed.pop()
        writer.block("[[event]]", block, EVENT_KEYS, events_lead)
        events_lead = []
    if events_lead:  # comments of an empty event array
        writer.paragraphs([events_lead])
    writer.paragraphs(document.footer)
    while writer.lines and writer.lines[-1] == "":
        writer.lines.pop()
    return "\n".join(writer.lines) + "\n"


def canonical_text(text: str, begins: Mapping[str, datetime], *, path: str) -> str:
    """``text`` in canonical form; ``begins`` maps each event id to its date or start (from validation).

    Keeps a leading byte-order mark and the file's line ending: that of its
    first line (CRLF or LF), used for every line, so a file with mixed endings
    comes out with one. Raises CommentPlacementError, naming the line, if a
    comment would be lost or repeated; CanonicalError for a file that is not
    shaped like a timeline.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text.removeprefix("\ufeff")
    first_break = body.find("\n")
    crlf = first_break > 0 and body[first_break - 1] == "\r"
    body = body.replace("\r\n", "\n")
    with collector.paused():
        result = _render(_document(body, path), begins, path)
        _check_comments(body, result, path)
    if crlf:
        result = result.replace("\n", "\r\n")
    return bom + result


def _document(body: str, path: str) -> _Document:
    """The file read into blocks, a line at a time."""
    return _Builder(path).build(_lines(body))


def canonical_bytes(raw: bytes, begins: Mapping[str, datetime], *, path: str) -> bytes:
    return canonical_text(raw.decode("utf-8"), begins, path=path).encode("utf-8")


def _check_comments(before: str, after: str, path: str) -> None:
    """Refuse, naming the line, if any comment of ``before`` is missing from ``after`` (or doubled)."""
    found_before = comment_lines(before)
    wanted = Counter(text for _, text in found_before)
    written = Counter(text for _, text in comment_lines(after))
    if wanted == written:
        return
    for line, text in found_before:
        if written[text] < wanted[text]:
            raise CommentPlacementError(
                f"{path}:{line}: cannot place this comment, so nothing was written: {text}",
            )
    extra = next(text for text in written if written[text] > wanted[text])
    raise CommentPlacementError(f"{path}: formatting would repeat the comment {extra!r}; nothing was written")


# ---------------------------------------------------------------- new blocks and order


def new_timeline_text(
    title: str, zone: str, parties: Mapping[str, str] | None = None, calendar: str | None = None
) -> str:
    """The header of a new, empty timeline (``init``), with its parties by code:
    plain keys and tables, so tomli-w writes it, in canonical form."""
    import tomli_w

    document: dict[str, Any] = {"schema": 1, "title": title, "timezone": zone}
    if calendar is not None:
        document["calendar"] = calendar
    if parties:
        document["parties"] = {code: {"name": parties[code]} for code in sorted(parties)}
    return tomli_w.dumps(document)


# Characters TOML lets a basic string hold raw but a terminal acts on (C1
# controls such as U+009B, a one-byte CSI) or that reorder text on screen.
_RAW_BUT_UNSAFE = re.compile("[\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def value_text(value: Any) -> str:
    """A value as fmt writes it: TOML's own dates, basic strings, inline arrays.

    Strings are basic strings, where tomlkit escapes C0 controls; C1 controls
    and bidirectional overrides are escaped too (``\\u009b``), so the text an
    edit writes or prints cannot drive a terminal that shows the file.
    """
    text = str(tomlkit.item(value).as_string())
    return _RAW_BUT_UNSAFE.sub(lambda raw: f"\\u{ord(raw.group()):04x}", text)


def event_block(fields: Mapping[str, Any]) -> str:
    """An ``[[event]]`` block with its keys in canonical order, ending with a newline."""
    unknown = [key for key in fields if key not in EVENT_KEYS]
    if unknown:
        raise CanonicalError(f"unknown event key {unknown[0]!r}")
    lines = ["[[event]]"]
    for key in EVENT_KEYS:
        if key in fields and fields[key] is not None:
            lines.append(f"{key} = {value_text(fields[key])}")
    return "\n".join(lines) + "\n"


def sort_key(entry: Entry) -> tuple[datetime, str]:
    """Where an event goes in canonical order: by its date or start, then id."""
    begins = entry.begins
    if begins is None:
        raise CanonicalError(f"{entry.id}: has neither date nor start")
    return begins, entry.id


def begins_of(timeline: Timeline) -> dict[str, datetime]:
    """Each entry's date or start, by id: what canonical_text sorts events by."""
    return {entry.id: sort_key(entry)[0] for entry in timeline.entries}


# ---------------------------------------------------------------- meaning


# Everything about an entry except where it was written (line, position in the files).
_MEANING = operator.attrgetter(*(f.name for f in fields(Entry) if f.name not in ("line", "order")))


def _meaning(entry: Entry) -> tuple[Any, ...]:
    value: tuple[Any, ...] = _MEANING(entry)
    return value


@dataclass(frozen=True)
class Meaning:
    """What a timeline means, kept without the timeline: each entry as a hash of
    its meaning. fmt holds this, not the timeline, while it formats the files and
    reads the result back, so two timelines are never in memory at once.

    Equal hashes stand for equal meanings: the check guards against a formatter
    bug, and a 64-bit collision between an entry and its own reformatted self is
    not a risk worth a second timeline in memory."""

    files: tuple[SourceFile, ...]
    kinds: tuple[str, ...]
    parties: dict[str, tuple[str, str]]
    entries: dict[str, int]

    @classmethod
    def of(cls, timeline: Timeline) -> Meaning:
        return cls(
            files=timeline.files,
            kinds=timeline.kinds,
            parties={p.code: (p.name, p.file) for p in timeline.parties},
            entries={e.id: hash(_meaning(e)) for e in timeline.entries},
        )

    def difference(self, new: Meaning) -> str | None:
        """None when ``new`` means the same; otherwise what differs (for an error message)."""
        if self.files != new.files:
            return "the file headers (title, timezone, warn, calendar or current_to) differ"
        if self.kinds != new.kinds:
            return "the declared kinds differ"
        if self.parties != new.parties:
            return "the parties differ"
        if self.entries.keys() != new.entries.keys():
            missing = sorted(self.entries.keys() ^ new.entries.keys())
            return f"the set of entries differs ({', '.join(missing[:3])})"
        for entry_id, meaning in self.entries.items():
            if new.entries[entry_id] != meaning:
                return f"entry {entry_id!r} would change"
        return None


def values_digest(data: dict[str, Any] | None) -> bytes | None:
    """A digest of a parsed file's values that changes with any value or its type
    (``1``, ``1.0`` and ``true``; a date and a datetime; an offset), but not with the
    order of events (taken by id) or of keys. None: not a file of events with ids.

    ``repr`` of the parsed values (strings, numbers, booleans, dates, lists and
    tables) tells every one of those apart, and is computed in C.
    """
    if data is None:
        return None
    events = data.get("event", [])
    if not isinstance(events, list):
        return None
    if not all(isinstance(event, dict) and type(event.get("id")) is str for event in events):
        return None
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(_sorted_keys({key: value for key, value in data.items() if key != "event"})).encode())
    # Events a batch at a time, each as its (key, value) pairs sorted: by key alone, as
    # no two keys of a table are equal.
    ordered = sorted(events, key=operator.itemgetter("id"))
    for start in range(0, len(ordered), _DIGEST_BATCH):
        digest.update(repr([sorted(event.items()) for event in ordered[start : start + _DIGEST_BATCH]]).encode())
    return digest.digest()


_DIGEST_BATCH = 256


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return sorted(((key, _sorted_keys(item)) for key, item in value.items()), key=operator.itemgetter(0))
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def same_meaning(old: Timeline, new: Timeline) -> str | None:
    """None when both timelines mean the same; otherwise what differs (for an error message)."""
    return Meaning.of(old).difference(Meaning.of(new))
