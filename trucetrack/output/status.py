"""The status view: the table (as plain lines or drawn by rich), markdown, JSON and CSV.

Every string that came from a timeline file goes through ``core.text`` and, for
rich output, into a ``Text`` object, so markup in a title prints literally
and no escape sequence reaches the terminal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from itertools import islice
from typing import TYPE_CHECKING, Any

from trucetrack.core.context import RunContext
from trucetrack.core.dates import isoformat
from trucetrack.core.text import clean, clean_line, csv_value
from trucetrack.engine.status import EntryState
from trucetrack.output.layout import Column, Piece, table_lines, wrapped
from trucetrack.output.text import (
    STATUS_STYLES,
    heading,
    left_text,
    md_cell,
    nothing_to_show,
    run_notes,
    status_label,
    when_text,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# rich is imported inside the functions that draw with it: JSON, CSV and
# markdown output never pay for loading it.


JSON_ENTRY_KEYS = (
    "id",
    "kind",
    "title",
    "status",
    "start",
    "end",
    "original_end",
    "days_left",
    "seconds_left",
    "working_days_left",
    "parties",
    "file",
    "line",
    "announced",
    "confirmed",
    "calendar",
    "provisional",
)


# ---------------------------------------------------------------- status


STATUS_COLUMNS = (
    Column("When"),
    Column("Left", right=True),
    Column("Status"),
    Column("ID"),
    Column("Title", prose=True),
)


def status_table_lines(view: RunContext, states: Sequence[EntryState], width: int | None) -> list[list[Piece]]:
    """The status table: When (the instant counted to: a span's start while
    scheduled, else its end), Left, Status, ID, Title; a header line and each
    entry within ``width`` columns (``None``: one line per entry, ``--wide``).

    Instants, ids and statuses are never cut (see ``layout``); the title wraps.
    The columns are laid out here rather than by rich's Table, which measures
    every cell again and costs a cold start several times as much; plain output
    needs no rich console.
    """
    rows = [
        (
            (when_text(state, view.zone), ""),
            (left_text(state), ""),
            (status_label(state), STATUS_STYLES.get(state.status, "")),
            (clean_line(state.id), ""),
            (clean_line(state.entry.title), ""),
        )
        for state in states
    ]
    return table_lines(STATUS_COLUMNS, rows, width)


def status_lines(view: RunContext, states: Sequence[EntryState], width: int | None) -> list[list[Piece]]:
    """Everything ``status`` prints as a table: heading, the bundled note, then the
    table or what to try when nothing is left to show."""
    lines = [[(text, "bold")] for text in wrapped(heading(view), width)]
    for note in run_notes(view):
        lines += [[(text, "dim")] for text in wrapped(note, width)]
    if not states:
        return lines + [[(text, "")] for text in wrapped(nothing_to_show(view), width)]
    return lines + status_table_lines(view, states, width)


def plain_text(lines: Sequence[Sequence[Piece]]) -> str:
    """Lines without their styles: what a pipe, a file or cron receives."""
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


def rich_text(lines: Sequence[Sequence[Piece]]) -> Text:
    """Lines as one styled rich Text, to print without wrapping (they already fit)."""
    from rich.text import Text

    text = Text("\n").join(Text.assemble(*line) for line in lines)
    text.no_wrap = True
    return text


def status_table(view: RunContext, states: Sequence[EntryState], width: int | None) -> Text:
    """The status table alone, as rich Text (the summary view shows two)."""
    return rich_text(status_table_lines(view, states, width))


def print_status_table(console: Console, view: RunContext, states: Sequence[EntryState], *, wide: bool = False) -> None:
    # no_wrap passed again: console.print merges Text objects and drops their own.
    width = None if wide else console.width
    console.print(rich_text(status_lines(view, states, width)), no_wrap=True, crop=False, overflow="ignore")


def status_markdown(view: RunContext, states: Sequence[EntryState]) -> str:
    lines = [f"## {md_cell(heading(view))}", ""]
    for note in run_notes(view):
        lines += [f"_{md_cell(note)}_", ""]
    if not states:
        lines.append(nothing_to_show(view))
        return "\n".join(lines) + "\n"
    lines += ["| When | Left | Status | ID | Title |", "|---|---|---|---|---|"]
    for state in states:
        cells = [when_text(state, view.zone), left_text(state), status_label(state), state.id, state.entry.title]
        lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def status_record(view: RunContext, state: EntryState, texts: RecordTexts | None = None) -> dict[str, Any]:
    """One entry of ``status --format json``, exactly the keys of the documented JSON interface.

    ``texts`` (one for many records) writes each instant, file and list of parties once.
    """
    entry = state.entry
    start = entry.start if entry.is_span else entry.date
    if texts is None:
        texts = RecordTexts(view.zone)
    instant_text = texts.instant
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": clean(entry.title),
        "status": state.status,
        "start": instant_text(start),
        "end": instant_text(state.end),
        "original_end": instant_text(state.original_end),
        "days_left": state.days_left,
        "seconds_left": state.seconds_left,
        "working_days_left": state.working_days_left,
        "parties": texts.parties(entry.parties),
        "file": texts.file(entry.file),
        "line": entry.line,
        "announced": instant_text(entry.announced),
        "confirmed": state.confirmed,
        "calendar": clean(entry.calendar) if entry.calendar is not None else None,
        "provisional": state.provisional,
    }


class RecordTexts:
    """Texts that many records share, each made once: ISO 8601 instants in the display
    zone (a span's end is often its original end, and entries share days), file names
    and lists of parties, cleaned. The records only read the lists they are given."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._instants: dict[datetime | None, str | None] = {None: None}
        self._files: dict[str, str] = {}
        self._parties: dict[tuple[str, ...], list[str]] = {}

    def instant(self, instant: datetime | None) -> str | None:
        text = self._instants.get(instant, _UNWRITTEN)
        if text is _UNWRITTEN:
            text = self._instants[instant] = isoformat(instant, self.zone)
        return text

    def file(self, name: str) -> str:
        text = self._files.get(name)
        if text is None:
            text = self._files[name] = clean(name)
        return text

    def parties(self, codes: tuple[str, ...]) -> list[str]:
        listed = self._parties.get(codes)
        if listed is None:
            listed = self._parties[codes] = [clean(code) for code in codes]
        return listed


_UNWRITTEN = "\x00unwritten"


def json_lines_document(head: dict[str, Any], key: str, records: Iterable[dict[str, Any]]) -> str:
    """A JSON object whose ``key`` list holds one record per line.

    Readable and diffable, and fast: json's C encoder only runs without
    ``indent``, and it is many times quicker on 10,000 entries. Records may
    come from an iterator: they are encoded a batch at a time, so that the
    dicts of 100,000 records are never all in memory at once.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per record
    opening = encode(head)[:-1]
    separator = ", " if head else ""
    iterator = iter(records)
    pieces = [f'{opening}{separator}"{key}": [\n  ']
    while batch := list(islice(iterator, _BATCH)):
        if len(pieces) > 1:
            pieces.append(",\n  ")
        pieces.append(_records_body(encode, batch))
    if len(pieces) == 1:
        return f'{opening}{separator}"{key}": []}}\n'
    pieces.append("\n]}\n")
    return "".join(pieces)  # one copy of the text, not one per step of putting it together


_BATCH = 1024


def _records_body(encode: Callable[[Any], str], records: Sequence[dict[str, Any]]) -> str:
    """The records, one a line: encoded as one list in one call of json's C encoder,
    then broken into lines where one record ends and the next begins. That place,
    ``}, {"id": ``, cannot occur inside an encoded string, where every quote is
    escaped, so it is found exactly when every record begins with the same key."""
    first = next(iter(records[0]), None)
    if first is None or any(next(iter(record), None) != first for record in records):
        return ",\n  ".join(encode(record) for record in records)
    boundary = "}, {" + encode(first) + ": "
    return encode(list(records))[1:-1].replace(boundary, "},\n  {" + encode(first) + ": ")


def status_json(view: RunContext, states: Sequence[EntryState]) -> str:
    head = {"as_of": isoformat(view.as_of, view.zone), "tz": view.zone.key}
    texts = RecordTexts(view.zone)
    return json_lines_document(head, "entries", (status_record(view, state, texts) for state in states))


def status_csv(view: RunContext, states: Sequence[EntryState]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(JSON_ENTRY_KEYS)
    texts = RecordTexts(view.zone)
    for state in states:
        record = status_record(view, state, texts)
        writer.writerow([csv_value(record[key]) for key in JSON_ENTRY_KEYS])
    return buffer.getvalue()


# ---------------------------------------------------------------- show
