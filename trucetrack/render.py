"""Turning engine results into text: rich tables, markdown, JSON and CSV.

Every string that came from a timeline file goes through ``safe`` and, for
rich output, into a ``Text`` object, so markup in a title prints literally
and no escape sequence reaches the terminal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from trucetrack.dates import format_day_or_instant, format_instant, isoformat
from trucetrack.engine import EndChange, EntryState, days_between, end_setter
from trucetrack.model import Entry, Timeline
from trucetrack.safe import clean, clean_line, csv_value

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

# rich is imported inside the functions that draw with it: JSON, CSV and
# markdown output never pay for loading it.

STATUS_STYLES = {
    "upcoming": "cyan",
    "past": "dim",
    "scheduled": "cyan",
    "active": "green",
    "expiring": "bold yellow",
    "expired": "dim",
    "terminated": "red",
    "superseded": "magenta",
}

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
    "parties",
    "file",
    "line",
)


@dataclass(frozen=True)
class View:
    """What every view shares: the timeline, the as-of instant and the display zone."""

    timeline: Timeline
    as_of: datetime
    zone: ZoneInfo


def heading(view: View) -> str:
    """``US–China tariff truce — as of 2025-06-10 00:00 EDT (America/New_York)``."""
    titles = [f.title for f in view.timeline.files if f.title]
    title = clean_line(titles[0]) if titles else "Timeline"
    return f"{title} — as of {format_instant(view.as_of, view.zone)} ({view.zone.key})"


def bundled_note(timeline: Timeline) -> str | None:
    """Said whenever the bundled example timeline is what is shown."""
    if not timeline.bundled:
        return None
    checked = next((f.current_to for f in timeline.files if f.current_to), None)
    when = f"checked against sources up to {checked}" if checked else "not dated"
    return f"Showing the bundled US–China timeline ({when}); use -f FILE or ./timelines/ for your own."


def nothing_to_show(view: View) -> str:
    return (
        f"Nothing to show as of {format_instant(view.as_of, view.zone)}: "
        "try --all to include finished entries, or another --as-of."
    )


def left_text(state: EntryState) -> str:
    """The countdown: days, or hours and minutes when under a day; 'ago' once past."""
    if state.seconds_left is None or state.days_left is None:
        return "—"
    seconds = state.seconds_left
    # Hours and minutes under a day, and also on the 25-hour day when DST
    # ends, where a calendar count would say "0 days" with more than 24 h left.
    if abs(seconds) < 86400 or state.days_left == 0:
        hours, rest = divmod(abs(seconds), 3600)
        text = f"{hours}h {rest // 60:02d}m"
        return text if seconds >= 0 else f"{text} ago"
    days = abs(state.days_left)
    text = f"{days} day" if days == 1 else f"{days} days"
    return text if seconds >= 0 else f"{text} ago"


def _end_is_day(entry: Entry, change: EndChange | None) -> bool:
    if change is None or change.modifier is None:
        return "end" in entry.date_only
    if change.by is not None:
        return "end" in entry.date_only
    modifier = change.modifier
    key = "end" if modifier.end is not None else "date"
    return key in modifier.date_only


def when_text(state: EntryState, zone: ZoneInfo) -> str:
    """The instant counted to, as a date alone when the file gave a bare date."""
    entry = state.entry
    if state.counted_to is None:
        return "open-ended"
    if entry.is_point:
        return format_day_or_instant(state.counted_to, zone, date_only="date" in entry.date_only)
    if state.counted_to == entry.start and state.status == "scheduled":
        return format_day_or_instant(state.counted_to, zone, date_only="start" in entry.date_only)
    last = end_setter(state.history) if state.history else None
    return format_day_or_instant(state.counted_to, zone, date_only=_end_is_day(entry, last))


def when_label(state: EntryState) -> str:
    entry = state.entry
    if entry.is_point:
        return "on"
    if state.status == "scheduled":
        return "starts"
    if state.counted_to is None:
        return "since"
    return "ended" if state.seconds_left is not None and state.seconds_left <= 0 else "ends"


# ---------------------------------------------------------------- status


# A piece of a line of terminal output: its text and its rich style ("" for none).
Piece = tuple[str, str]

STATUS_HEADERS = ("When", "Left", "Status", "ID", "Title")


def status_table_lines(view: View, states: Sequence[EntryState], width: int) -> list[list[Piece]]:
    """The status table: When (the instant counted to: a span's start while
    scheduled, else its end), Left, Status, ID, Title, a header line and one
    line per entry within ``width`` columns.

    Every column but Title keeps its full width (a deadline or an id cut
    short is worse than useless) and Title takes what is left, cut with an
    ellipsis; ``show ID`` prints it whole. The columns are laid out here
    rather than by rich's Table, which measures every cell again and costs a
    cold start several times as much; plain output needs no rich console.
    """
    from rich.cells import cell_len

    rows = [
        (
            when_text(state, view.zone),
            left_text(state),
            state.status,
            clean_line(state.id),
            clean_line(state.entry.title),
        )
        for state in states
    ]
    widths = [max([cell_len(header)] + [cell_len(row[i]) for row in rows]) for i, header in enumerate(STATUS_HEADERS)]
    gaps = 2 * (len(STATUS_HEADERS) - 1)
    widths[-1] = max(min(widths[-1], width - sum(widths[:-1]) - gaps), len("Title"))

    def line(cells: Sequence[str], styles: Sequence[str]) -> list[Piece]:
        pieces: list[Piece] = []
        for index, (cell, style, cell_width) in enumerate(zip(cells, styles, widths, strict=True)):
            if index:
                pieces.append(("  ", ""))
            last = index == len(widths) - 1
            fitted = fit_cells(cell, cell_width, pad=not last, right=STATUS_HEADERS[index] == "Left")
            pieces.append((fitted, style))
        return crop_line(pieces, width)

    lines = [line(STATUS_HEADERS, ["bold"] * len(STATUS_HEADERS))]
    lines += [line(row, ["", "", STATUS_STYLES.get(row[2], ""), "", ""]) for row in rows]
    return lines


def fit_cells(text: str, width: int, *, pad: bool = True, right: bool = False) -> str:
    """``text`` in ``width`` terminal cells: cut with an ellipsis when longer; when
    shorter, padded with spaces on the right if ``pad``, or always on the left if
    ``right`` (right-aligned)."""
    from rich.cells import cell_len, set_cell_size

    length = cell_len(text)
    if length > width:
        return set_cell_size(text, max(width - 1, 0)) + "…" if width else ""
    if not pad and not right:
        return text
    padding = " " * (width - length)
    return padding + text if right else text + padding


def crop_line(pieces: list[Piece], width: int) -> list[Piece]:
    """A line cut to ``width`` cells, ending in an ellipsis where it was cut (and no
    spaces before it, whichever cell they were the padding of)."""
    from rich.cells import cell_len, set_cell_size

    if sum(cell_len(text) for text, _ in pieces) <= width:
        return pieces
    kept: list[Piece] = []
    room = width - 1  # the ellipsis takes the last cell
    cut_style = ""
    for text, style in pieces:
        length = cell_len(text)
        if length > room:
            kept.append((set_cell_size(text, room), style))
            cut_style = style
            break
        kept.append((text, style))
        room -= length
    while kept and not kept[-1][0].strip():
        kept.pop()
    if kept:
        text, style = kept[-1]
        kept[-1] = (text.rstrip(), style)
    return [*kept, ("…", cut_style)]


def wrap_words(text: str, width: int) -> list[str]:
    """Prose in lines of at most ``width`` cells, broken at spaces (which are not
    kept at either end of a line); a word longer than a line is cut across lines."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    current = ""
    for word in filter(None, text.split(" ")):  # a no-break space stays inside its word
        candidate = f"{current} {word}" if current else word
        if cell_len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if cell_len(word) > width:
            # rich gives an empty first chunk when not even one character fits
            *whole, current = [chunk for chunk in chop_cells(word, width) if chunk]
            lines.extend(whole)
        else:
            current = word
    lines.append(current)
    return lines


def status_lines(view: View, states: Sequence[EntryState], width: int) -> list[list[Piece]]:
    """Everything ``status`` prints as a table: heading, the bundled note, then the
    table or what to try when nothing is left to show."""
    lines = [[(text, "bold")] for text in wrap_words(heading(view), width)]
    note = bundled_note(view.timeline)
    if note:
        lines += [[(text, "dim")] for text in wrap_words(note, width)]
    if not states:
        return lines + [[(text, "")] for text in wrap_words(nothing_to_show(view), width)]
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


def status_table(view: View, states: Sequence[EntryState], width: int) -> Text:
    """The status table alone, as rich Text (the summary view shows two)."""
    return rich_text(status_table_lines(view, states, width))


def print_status_table(console: Console, view: View, states: Sequence[EntryState]) -> None:
    # no_wrap passed again: console.print merges Text objects and drops their own.
    console.print(rich_text(status_lines(view, states, console.width)), no_wrap=True, crop=False)


def _markdown_cell(text: str) -> str:
    return clean_line(text).replace("\\", "\\\\").replace("|", "\\|")


def status_markdown(view: View, states: Sequence[EntryState]) -> str:
    lines = [f"## {_markdown_cell(heading(view))}", ""]
    note = bundled_note(view.timeline)
    if note:
        lines += [f"_{note}_", ""]
    if not states:
        lines.append(nothing_to_show(view))
        return "\n".join(lines) + "\n"
    lines += ["| When | Left | Status | ID | Title |", "|---|---|---|---|---|"]
    for state in states:
        cells = [when_text(state, view.zone), left_text(state), state.status, state.id, state.entry.title]
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def status_record(view: View, state: EntryState) -> dict[str, Any]:
    """One entry of ``status --format json``, exactly the keys of SPEC section 4."""
    entry = state.entry
    start = entry.start if entry.is_span else entry.date
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": clean(entry.title),
        "status": state.status,
        "start": isoformat(start, view.zone),
        "end": isoformat(state.end, view.zone),
        "original_end": isoformat(state.original_end, view.zone),
        "days_left": state.days_left,
        "seconds_left": state.seconds_left,
        "parties": [clean(code) for code in entry.parties],
        "file": clean(entry.file),
        "line": entry.line,
    }


def json_lines_document(head: dict[str, Any], key: str, records: Sequence[dict[str, Any]]) -> str:
    """A JSON object whose ``key`` list holds one record per line.

    Readable and diffable, and fast: json's C encoder only runs without
    ``indent``, and it is many times quicker on 10,000 entries.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per record
    opening = encode(head)[:-1]
    separator = ", " if head else ""
    if not records:
        return f'{opening}{separator}"{key}": []}}\n'
    body = ",\n".join("  " + encode(record) for record in records)
    return f'{opening}{separator}"{key}": [\n{body}\n]}}\n'


def status_json(view: View, states: Sequence[EntryState]) -> str:
    head = {"as_of": isoformat(view.as_of, view.zone), "tz": view.zone.key}
    return json_lines_document(head, "entries", [status_record(view, state) for state in states])


def status_csv(view: View, states: Sequence[EntryState]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(JSON_ENTRY_KEYS)
    for state in states:
        record = status_record(view, state)
        writer.writerow([csv_value(record[key]) for key in JSON_ENTRY_KEYS])
    return buffer.getvalue()


# ---------------------------------------------------------------- show


def _signed_days(days: int) -> str:
    return f"{days:+d} day" if abs(days) == 1 else f"{days:+d} days"


def derivation(entry: Entry, change: EndChange, zone: ZoneInfo) -> str:
    """How one end came to be, e.g. ``2025-11-10 00:01 EST = 2025-08-12 00:01 EDT + 90d, by eo-14334``."""
    if change.end is None:
        return "open-ended (no end yet)"
    end = format_day_or_instant(change.end, zone, date_only=_end_is_day(entry, change))
    modifier = change.modifier
    if modifier is None:
        spec = entry.end_spec
        if spec is None:
            return end
        if spec.key == "duration" and entry.start is not None:
            start = format_day_or_instant(entry.start, zone, date_only="start" in entry.date_only)
            return f"{end} = {start} + {clean_line(spec.text)}"
        if spec.key == "through":
            return f"{end} (through {clean_line(spec.text)})"
        return end
    decided = (
        format_day_or_instant(modifier.date, zone, date_only="date" in modifier.date_only) if modifier.date else "?"
    )
    if change.by is not None and change.previous is not None:
        previous = format_day_or_instant(change.previous, zone, date_only=_end_is_day(entry, None))
        return f"{end} = {previous} + {clean_line(change.by.text)}, by {modifier.id} (decided {decided})"
    verb = "terminated by" if modifier.kind == "termination" else "set by"
    return f"{end}, {verb} {modifier.id} (decided {decided})"


def history_lines(entry: Entry, history: Sequence[EndChange], zone: ZoneInfo) -> list[str]:
    """Original end, then each change with the calendar days it moved the end."""
    lines = []
    for change in history:
        text = derivation(entry, change, zone)
        if change.modifier is None:
            lines.append(f"original: {text}")
            continue
        moved = ""
        if change.previous is not None and change.end is not None:
            moved = f" ({_signed_days(days_between(change.previous, change.end, zone))})"
        lines.append(f"→ {text}{moved}")
    return lines


def show_renderable(
    view: View,
    entry: Entry,
    state: EntryState | None,
    party_names: dict[str, str],
) -> RenderableType:
    """Every field of one entry, its effective end with the derivation, and its sources.

    Only what was decided by as-of counts: modifiers decided later are not
    mentioned, as the SPEC's "what was known on that day" asks.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    zone = view.zone
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()

    def row(label: str, value: str | Text | None) -> None:
        if value is None or value == "":
            return
        grid.add_row(Text(label), value if isinstance(value, Text) else Text(clean(value)))

    def instant(key: str, value: datetime | None, owner: Entry = entry) -> str | None:
        if value is None:
            return None
        return format_day_or_instant(value, zone, date_only=key in owner.date_only)

    row("id", entry.id)
    row("kind", entry.kind)
    row("title", entry.title)
    if state is not None:
        row("status", Text(state.status, style=STATUS_STYLES.get(state.status, "")))
        if state.superseded_by is not None:
            row("superseded by", state.superseded_by.id)
    if entry.is_modifier:
        row("target", entry.target)
        row("decided", instant("date", entry.date))
        if entry.by is not None:
            row("by", entry.by.text)
        elif entry.end is not None:
            key = "through" if entry.end_spec and entry.end_spec.key == "through" else "end"
            row(key if key == "end" else "end (through)", instant("end", entry.end))
    elif entry.is_point:
        row("date", instant("date", entry.date))
    else:
        row("start", instant("start", entry.start))
    if state is not None and state.counted_to is not None:
        row("left", f"{left_text(state)} ({when_label(state)} {when_text(state, zone)})")
    if entry.is_span and state is not None:
        effective = derivation(entry, end_setter(state.history), zone) if state.history else "open-ended"
        row("end", effective)
        if len(state.history) > 1:
            row("history", "\n".join(history_lines(entry, state.history, zone)))
    row("warn", entry.warn.text if entry.warn and not entry.is_modifier else None)
    if entry.parties:
        row("parties", ", ".join(f"{code} ({party_names.get(code, '?')})" for code in entry.parties))
    row("place", entry.place)
    if entry.measure is not None:
        rate = f"{entry.measure}: {entry.rate:g}%"
        if entry.rate_after is not None:
            rate += f", then {entry.rate_after:g}% once it ends"
        row("rate", rate)
    row("instrument", entry.instrument)
    row("tags", ", ".join(entry.tags))
    row("notes", entry.notes)
    row("file", f"{entry.file}:{entry.line}")
    row("zone", entry.zone)
    parts: list[RenderableType] = [Text(heading(view), style="bold"), grid]
    if entry.sources:
        parts.append(Text("sources", style="bold"))
        sources = Table.grid(padding=(0, 1))
        sources.add_column(no_wrap=True)
        sources.add_column()
        for source in entry.sources:
            sources.add_row(Text("  -"), Text(clean_line(source)))
        parts.append(sources)
    return Group(*parts)
