"""Renderings of the views: countdown panels, the timeline chart, the weekly
summary, the cron check and the rate ladders, in the documented forms
lists (rich for terminals; markdown, JSON and CSV as plain strings).

Like ``render``, every string from a timeline file goes through ``safe`` and
reaches rich as ``Text``. Nothing here reads the clock: the as-of instant
comes in through ``RunContext`` (the live countdown passes a new one each tick).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from trucetrack.core.context import RunContext
from trucetrack.core.dates import format_day_or_instant, format_instant, get_zone, isoformat
from trucetrack.core.model import Duration, Entry
from trucetrack.core.text import clean, clean_line, csv_value
from trucetrack.engine import digest
from trucetrack.engine.ends import end_written_as_day
from trucetrack.engine.extent import default_range
from trucetrack.engine.rates import AFTER, LAPSED, RateStep
from trucetrack.engine.semdiff import SemanticDiff
from trucetrack.engine.status import EndChange, EntryState, cancels, days_between
from trucetrack.output.diff import days_text, diff_data
from trucetrack.output.layout import Column, Piece, table_lines, wrapped
from trucetrack.output.status import rich_text, status_record, status_table_lines
from trucetrack.output.text import (
    STATUS_STYLES,
    heading,
    left_text,
    md_cell,
    run_notes,
    signed_days,
    status_label,
    when_label,
    when_text,
)

# ---------------------------------------------------------------- shared helpers


def _joined(lines: Iterable[str]) -> str:
    return "\n".join(lines) + "\n"


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _csv(keys: Sequence[str], records: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    for record in records:
        writer.writerow([csv_value(record[key], compact_floats=True) for key in keys])
    return buffer.getvalue()


def _header(view: RunContext) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(heading(view), style="bold")]
    for note in run_notes(view):
        parts.append(Text(note, style="dim"))
    return parts


def _md_header(view: RunContext) -> list[str]:
    lines = [f"## {md_cell(heading(view))}", ""]
    for note in run_notes(view):
        lines += [f"_{md_cell(note)}_", ""]
    return lines


def _status_md_table(view: RunContext, states: Sequence[EntryState], first: str = "When") -> list[str]:
    lines = [f"| {first} | Left | Status | ID | Title |", "|---|---|---|---|---|"]
    for state in states:
        cells = [when_text(state, view.zone), left_text(state), status_label(state), state.id, state.entry.title]
        lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    return lines


def _day(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d")


# ---------------------------------------------------------------- countdown


def countdown_head(state: EntryState) -> str:
    """``91 days left``, ``11h 59m left``, ``now``, ``ended 3 days ago``; what a span with
    nothing to count to has instead."""
    if state.cancelled_by is not None:
        return f"cancelled by {clean_line(state.cancelled_by.id)}: nothing to count down to"
    if state.seconds_left is None:
        return "open-ended: no end to count down to"
    if state.seconds_left == 0:
        return "now"
    left = left_text(state)
    if state.seconds_left > 0:
        return f"{left} left"
    return f"ended {left}" if state.entry.is_span else left


def elapsed_fraction(state: EntryState, as_of: datetime) -> float | None:
    """How much of the span (start → effective end) lies behind ``as_of``, 0..1; None for points and open ends."""
    entry = state.entry
    if not entry.is_span or entry.start is None or state.end is None:
        return None
    total = (state.end - entry.start).total_seconds()
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (as_of.astimezone(UTC) - entry.start).total_seconds() / total))


def fraction_bar(fraction: float, width: int) -> Text:
    """``█████░░░░░ 50% elapsed``: filled cells round down, so 100% only at the end."""
    filled = math.floor(fraction * width)
    percent = math.floor(fraction * 100)
    bar = Text()
    bar.append("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {percent:>3d}% elapsed")
    return bar


def countdown_panel(view: RunContext, state: EntryState, width: int) -> Panel:
    """One deadline: title, time left, the exact instant in the file's zone (and the display zone), a bar."""
    entry = state.entry
    inner = max(20, width - 4)
    lines: list[Text] = [Text(clean_line(entry.title), style="bold")]
    lines.append(Text(countdown_head(state), style=STATUS_STYLES.get(state.status, "")))
    if state.counted_to is not None:
        label = when_label(state)
        file_zone = get_zone(entry.zone)
        zones = [file_zone] if file_zone.key == view.zone.key else [file_zone, view.zone]
        for position, zone in enumerate(zones):
            lead = label if position == 0 else ""
            lines.append(Text(f"{lead:<7}{format_instant(state.counted_to, zone)}  {zone.key}"))
    fraction = elapsed_fraction(state, view.as_of)
    if fraction is not None:
        bar_width = max(10, inner - len(" 100% elapsed"))
        lines.append(fraction_bar(fraction, bar_width))
    title = Text(clean_line(entry.id))
    title.append(f" · {status_label(state)}", style=STATUS_STYLES.get(state.status, ""))
    return Panel(Group(*lines), title=title, title_align="left", width=width, padding=(0, 1))


def countdown_renderable(view: RunContext, states: Sequence[EntryState], width: int) -> RenderableType:
    parts = _header(view)
    if not states:
        parts.append(Text(nothing_to_count(view)))
    parts.extend(countdown_panel(view, state, width) for state in states)
    return Group(*parts)


def countdown_json(view: RunContext, states: Sequence[EntryState]) -> str:
    """``countdown --format json``: the status object of each entry counted down to."""
    return _json(
        {
            "as_of": isoformat(view.as_of, view.zone),
            "tz": view.zone.key,
            "entries": [status_record(view, state) for state in states],
        }
    )


def nothing_to_count(view: RunContext) -> str:
    return (
        f"No active deadline as of {format_instant(view.as_of, view.zone)}: "
        "name entries (trucetrack countdown ID) or try another --as-of."
    )


# ---------------------------------------------------------------- timeline

SPAN_CELL = "█"
EXTENDED_CELL = "▒"
CUT_CELL = "╌"
SUPERSEDED_CELL = "░"
CANCELLED_CELL = "×"
POINT_CELL = "◆"
AS_OF_CELL = "┆"
AS_OF_MARK = "▼"
BEYOND_RIGHT = "→"
BEYOND_LEFT = "←"

LEGEND = (
    (SPAN_CELL, "in force"),
    (EXTENDED_CELL, "added by extension"),
    (CUT_CELL, "cut by termination"),
    (SUPERSEDED_CELL, "superseded"),
    (CANCELLED_CELL, "cancelled (never in force)"),
    (POINT_CELL, "point"),
    (BEYOND_RIGHT, "runs on"),
    (AS_OF_MARK, "as of"),
)


@dataclass(frozen=True)
class Axis:
    """A date axis of ``cells`` columns from ``start`` to ``end`` (UTC instants)."""

    start: datetime
    end: datetime
    cells: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def position(self, instant: datetime) -> float:
        return (instant - self.start).total_seconds() / self.seconds * self.cells

    def column(self, instant: datetime) -> int:
        """The cell holding ``instant`` (clamped to the axis)."""
        return min(self.cells - 1, max(0, math.floor(self.position(instant))))

    def last_column(self, end: datetime) -> int:
        """The last cell a span ending (exclusively) at ``end`` reaches."""
        return min(self.cells - 1, max(0, math.ceil(self.position(end)) - 1))


def _ticks(axis: Axis, zone: ZoneInfo) -> tuple[list[datetime], str]:
    """Tick instants (local midnights) and their label format: the finest unit whose labels fit."""
    first = axis.start.astimezone(zone)
    candidates: list[tuple[str, int, str]] = [
        ("day", 1, "%Y-%m-%d"),
        ("day", 7, "%Y-%m-%d"),
        ("month", 1, "%Y-%m"),
        ("month", 3, "%Y-%m"),
        ("month", 6, "%Y-%m"),
        ("year", 1, "%Y"),
        ("year", 2, "%Y"),
        ("year", 5, "%Y"),
        ("year", 10, "%Y"),
        ("year", 25, "%Y"),
        ("year", 50, "%Y"),
        ("year", 100, "%Y"),
    ]
    approximate_days = {"day": 1, "month": 30.44, "year": 365.25}
    for unit, step, label in candidates:
        label_width = len(first.strftime(label))
        spacing = axis.cells * step * approximate_days[unit] * 86400 / axis.seconds
        if spacing >= label_width + 2:
            return _tick_instants(axis, zone, unit, step), label
    return [], "%Y"


def _tick_instants(axis: Axis, zone: ZoneInfo, unit: str, step: int) -> list[datetime]:
    local = axis.start.astimezone(zone)
    if unit == "day":
        day = local.date() if local.time() == time() else local.date() + timedelta(days=1)
    elif unit == "month":
        month_index = local.year * 12 + local.month - 1
        if local.day != 1 or local.time() != time():
            month_index += 1
        month_index += (-month_index) % step
        day = datetime(month_index // 12, month_index % 12 + 1, 1).date()
    else:
        year = local.year + (0 if (local.month, local.day, local.time()) == (1, 1, time()) else 1)
        year += (-year) % step
        day = datetime(year, 1, 1).date()
    ticks: list[datetime] = []
    while True:
        tick = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
        if tick > axis.end:
            return ticks
        ticks.append(tick)
        if unit == "day":
            day += timedelta(days=step)
        elif unit == "month":
            index = day.year * 12 + day.month - 1 + step
            day = day.replace(year=index // 12, month=index % 12 + 1)
        else:
            day = day.replace(year=day.year + step)


def _axis_lines(axis: Axis, zone: ZoneInfo, as_of: datetime, indent: int) -> tuple[Text, Text]:
    ticks, label_format = _ticks(axis, zone)
    labels = [" "] * axis.cells
    ruler = ["─"] * axis.cells
    free_from = 0
    for tick in ticks:
        column = axis.column(tick)
        text = tick.astimezone(zone).strftime(label_format)
        if column < free_from or column + len(text) > axis.cells:
            continue
        labels[column : column + len(text)] = list(text)
        ruler[column] = "┬"
        free_from = column + len(text) + 1
    if axis.start <= as_of <= axis.end:
        ruler[axis.column(as_of)] = AS_OF_MARK
    label_line = Text(" " * indent + "".join(labels).rstrip())
    ruler_line = Text(" " * indent)
    for char in ruler:
        ruler_line.append(char, style="bold" if char == AS_OF_MARK else "dim")
    return label_line, ruler_line


def _pieces(state: EntryState) -> list[tuple[datetime, datetime | None, str]]:
    """A span's stretches in time order: (from, to or None for open, cell character).

    The span's own stretch, then what an extension added or a termination
    cut; from the start of the entry that superseded it, what is left is
    drawn as superseded (it no longer sets anything).
    """
    entry = state.entry
    assert entry.start is not None
    end, original = state.end, state.original_end
    reached = max((change.end for change in state.history if change.end is not None), default=None)
    own_to = end if original is None else (original if end is None else min(original, end))
    pieces: list[tuple[datetime, datetime | None, str]] = [(entry.start, own_to, SPAN_CELL)]
    if original is not None and (end is None or end > original):
        pieces.append((original, end, EXTENDED_CELL))
    if end is not None and reached is not None and reached > end:
        pieces.append((end, reached, CUT_CELL))
    superseder = state.superseded_by
    if superseder is None or superseder.begins is None:
        return pieces
    cut_at = superseder.begins
    split: list[tuple[datetime, datetime | None, str]] = []
    for begin, finish, char in pieces:
        if char == CUT_CELL or (finish is not None and finish <= cut_at):
            split.append((begin, finish, char))
        elif begin >= cut_at:
            split.append((begin, finish, SUPERSEDED_CELL))
        else:
            split += [(begin, cut_at, char), (cut_at, finish, SUPERSEDED_CELL)]
    return split


def _row_cells(state: EntryState, axis: Axis) -> list[tuple[str, str]]:
    """The cells of one row: (character, style) for each column; blanks are spaces."""
    cells = [(" ", "")] * axis.cells
    entry = state.entry
    style = STATUS_STYLES.get(state.status, "")
    if entry.is_point:
        assert entry.date is not None
        cells[axis.column(entry.date)] = (POINT_CELL, style)
        return cells
    assert entry.start is not None
    if state.cancelled_by is not None:  # it never took effect: no bar, a mark where it was to start
        cells[axis.column(entry.start)] = (CANCELLED_CELL, style)
        return cells
    next_free = 0
    pieces = _pieces(state)
    for position, (begin, finish, char) in enumerate(pieces):
        first = axis.column(begin) if position == 0 else max(axis.column(begin), next_free)
        last = axis.cells - 1 if finish is None or finish > axis.end else axis.last_column(finish)
        if position == 0:
            last = max(last, first)
        piece_style = "dim" if char in (CUT_CELL, SUPERSEDED_CELL) else style
        for column in range(first, last + 1):
            cells[column] = (char, piece_style)
        next_free = max(next_free, last + 1)
    if entry.start < axis.start:
        cells[0] = (BEYOND_LEFT, style)
    in_force = [piece for piece in pieces if piece[2] in (SPAN_CELL, EXTENDED_CELL)]
    if in_force and (in_force[-1][1] is None or in_force[-1][1] > axis.end):
        cells[-1] = (BEYOND_RIGHT, style)
    return cells


# Bars narrower than this say little; below it the ids go above the bars.
MIN_BAR_CELLS = 24


def timeline_renderable(
    view: RunContext, states: Sequence[EntryState], width: int, start: datetime | None, end: datetime | None
) -> RenderableType:
    """Spans as bars and points as markers on one date axis that fits ``width`` columns."""
    parts = _header(view)
    if not states:
        parts.append(Text(nothing_in_timeline(view)))
        return Group(*parts)
    bounds = default_range(states, view.as_of)
    assert bounds is not None
    axis_start = start if start is not None else bounds[0]
    axis_end = end if end is not None else bounds[1]
    if axis_end <= axis_start:
        axis_end = axis_start + timedelta(days=1)
    ids = [clean_line(state.id) for state in states]
    # An id is never cut: when the ids would leave the bars too little room,
    # each id goes on its own line above its bar.
    label_width = max(cell_len(entry_id) for entry_id in ids)
    labels_above = width - label_width - 1 < MIN_BAR_CELLS
    if labels_above:
        label_width = 0
    cells = max(10, width - label_width - 1) if not labels_above else width
    axis = Axis(axis_start.astimezone(UTC), axis_end.astimezone(UTC), cells)
    scale = axis.seconds / cells / 86400
    parts.append(
        Text(
            f"{_day(axis.start, view.zone)} to {_day(axis.end, view.zone)}, one column ≈ {_scale_text(scale)}",
            style="dim",
        )
    )
    parts.extend(_axis_lines(axis, view.zone, view.as_of, 0 if labels_above else label_width + 1))
    as_of_column = axis.column(view.as_of) if axis.start <= view.as_of <= axis.end else None
    used: set[str] = set()
    for state, entry_id in zip(states, ids, strict=True):
        if labels_above:
            parts.append(Text(entry_id))
            row = Text()
        else:
            row = Text(entry_id + " " * (label_width - cell_len(entry_id)) + " ")
        for column, (char, style) in enumerate(_row_cells(state, axis)):
            if char == " " and column == as_of_column:
                row.append(AS_OF_CELL, style="dim")
                used.add(AS_OF_MARK)
                continue
            row.append(char, style=style)
            used.add(char)
        parts.append(row)
    if as_of_column is not None:
        used.add(AS_OF_MARK)
    used.discard(BEYOND_LEFT)
    items = [f"{char} {meaning}" for char, meaning in LEGEND if char in used]
    parts.extend(Text(line, style="dim") for line in _fit(items, width))
    return Group(*parts)


def _fit(items: Sequence[str], width: int, gap: str = "  ") -> list[str]:
    """``items`` joined into lines of at most ``width`` columns, never breaking an item."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(gap) + len(item) <= width:
            lines[-1] += gap + item
        else:
            lines.append(item)
    return lines


def _scale_text(days: float) -> str:
    if days >= 1.5:
        return f"{days:.0f} days"
    if days >= 1:
        return "1 day"
    hours = days * 24
    return f"{hours:.0f} hours" if hours >= 1.5 else "1 hour"


def nothing_in_timeline(view: RunContext) -> str:
    return (
        f"No entries to draw as of {format_instant(view.as_of, view.zone)}: widen --from/--to or drop --kind/--party."
    )


def start_text(entry: Entry, zone: ZoneInfo) -> str:
    if entry.begins is None:
        return ""
    key = "date" if entry.is_point else "start"
    return format_day_or_instant(entry.begins, zone, date_only=key in entry.date_only)


def end_text(entry: Entry, history: Sequence[EndChange], instant: datetime | None, zone: ZoneInfo) -> str:
    if instant is None:
        return "open-ended"
    return format_day_or_instant(instant, zone, date_only=end_written_as_day(entry, history, instant) is not None)


def span_end_text(state: EntryState, zone: ZoneInfo) -> str:
    """A span's effective end, and what it was before modifiers changed it."""
    entry = state.entry
    if not entry.is_span:
        return ""
    if state.cancelled_by is not None:
        return f"cancelled by {state.cancelled_by.id}"
    if state.end is None:
        return "open-ended"
    text = end_text(entry, state.history, state.end, zone)
    changers = [change.modifier.id for change in state.history if change.modifier is not None]
    if changers and state.original_end != state.end:
        text += f" (was {end_text(entry, (), state.original_end, zone)}; {', '.join(changers)})"
    return text


def timeline_markdown(view: RunContext, states: Sequence[EntryState]) -> str:
    lines = _md_header(view)
    if not states:
        lines.append(nothing_in_timeline(view))
        return _joined(lines)
    lines += ["| Start | End | Status | Kind | ID | Title |", "|---|---|---|---|---|---|"]
    for state in states:
        cells = [
            start_text(state.entry, view.zone),
            span_end_text(state, view.zone),
            status_label(state),
            state.entry.kind,
            state.id,
            state.entry.title,
        ]
        lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    return _joined(lines)


TIMELINE_KEYS = (
    "id",
    "kind",
    "shape",
    "title",
    "status",
    "start",
    "end",
    "original_end",
    "modifiers",
    "days_left",
    "seconds_left",
    "working_days_left",
    "parties",
    "file",
    "line",
)


def timeline_record(view: RunContext, state: EntryState) -> dict[str, Any]:
    """A status record plus the entry's shape and the ids of the modifiers that moved its end."""
    record = status_record(view, state)
    record["shape"] = state.entry.shape
    record["modifiers"] = [change.modifier.id for change in state.history if change.modifier is not None]
    return {key: record[key] for key in TIMELINE_KEYS}


def timeline_json(view: RunContext, states: Sequence[EntryState], start: datetime | None, end: datetime | None) -> str:
    return _json(
        {
            "as_of": isoformat(view.as_of, view.zone),
            "tz": view.zone.key,
            "from": isoformat(start, view.zone),
            "to": isoformat(end, view.zone),
            "entries": [timeline_record(view, state) for state in states],
        }
    )


def timeline_csv(view: RunContext, states: Sequence[EntryState]) -> str:
    return _csv(TIMELINE_KEYS, (timeline_record(view, state) for state in states))


# ---------------------------------------------------------------- check


CHECK_COLUMNS = (Column("When"), Column("Left", right=True), Column("What"), Column("ID"), Column("Title", prose=True))


def check_lines(view: RunContext, states: Sequence[EntryState], width: int | None) -> list[list[Piece]]:
    """One row per deadline, no header: instant (display zone), time left, what,
    id, title; laid out like the status table (``layout``), so a cron mail is
    never wider than ``width`` and nothing but the title is ever wrapped."""
    rows = [
        (
            (when_text(state, view.zone), ""),
            (left_text(state), STATUS_STYLES.get(state.status, "")),
            (when_label(state), ""),
            (clean_line(state.id), ""),
            (clean_line(state.entry.title), ""),
        )
        for state in states
    ]
    return table_lines(CHECK_COLUMNS, rows, width, header=False)


def check_markdown(view: RunContext, states: Sequence[EntryState]) -> str:
    return _joined(_md_header(view) + _status_md_table(view, states))


def check_json(view: RunContext, states: Sequence[EntryState], within: Duration | None) -> str:
    return _json(
        {
            "as_of": isoformat(view.as_of, view.zone),
            "tz": view.zone.key,
            "within": within.text if within is not None else None,
            "entries": [status_record(view, state) for state in states],
        }
    )


# ---------------------------------------------------------------- summary


def happening_when(happening: digest.Happening, zone: ZoneInfo) -> str:
    entry = happening.entry
    key = {digest.STARTED: "start", digest.TOOK_PLACE: "date", digest.DECIDED: "date"}.get(happening.what, "end")
    return format_day_or_instant(happening.at, zone, date_only=key in entry.date_only)


def happening_detail(happening: digest.Happening, zone: ZoneInfo) -> str:
    """The title; for a decision, what it did to its target's end."""
    title = clean_line(happening.entry.title)
    change = happening.change
    if happening.what != digest.DECIDED or change is None or happening.target is None:
        return title
    target, history = happening.target, happening.target_history
    if cancels(target, change):
        return f"{title}: {clean_line(target.id)} is cancelled (never in force)"
    text = f"{title}: {clean_line(target.id)} now ends {end_text(target, history, change.end, zone)}"
    if change.previous is not None and change.end is not None:
        moved = signed_days(days_between(change.previous, change.end, zone))
        text += f" (was {end_text(target, history, change.previous, zone)}, {moved})"
    return text


def window_title(summary: digest.Summary) -> str:
    return f"Last {summary.days} days (since {format_instant(summary.window_start, summary.zone)})"


def ahead_title(summary: digest.Summary) -> str:
    return f"Deadlines in the next {summary.ahead.text} (until {format_instant(summary.horizon, summary.zone)})"


IN_FORCE_TITLE = "In force now"


def git_title(git: digest.GitChanges) -> str:
    if git.new_revision is None:
        return "Changes in the files"
    old = git.old_revision[:7] if git.old_revision else "no earlier commit"
    return f"Changes in the files ({old} → {git.new_revision[:7]})"


def diff_lines(diff: SemanticDiff) -> list[str]:
    """One line per difference: added, removed, deadlines moved, fields changed, statuses, file headers."""
    lines = [f"added {note.id} ({note.kind}, {note.when}): {note.title}" for note in diff.added]
    lines += [f"removed {note.id} ({note.kind}, {note.when}): {note.title}" for note in diff.removed]
    lines += [f"moved {m.id}: end {m.old_text} → {m.new_text}{days_text(m.days)}" for m in diff.ends_moved]
    lines += [f"changed {c.subject}: {c.field} {c.old_text} → {c.new_text}" for c in diff.changed]
    lines += [f"status {s.id}: {s.old} → {s.new}" for s in diff.status_changed]
    lines += [f"timeline {c.field}: {c.old_text} → {c.new_text}" for c in diff.timeline]
    return [clean_line(line) for line in lines]


HAPPENED_COLUMNS = (Column("When"), Column("What"), Column("ID"), Column("Detail", prose=True))


def summary_lines(view: RunContext, summary: digest.Summary, width: int | None) -> list[list[Piece]]:
    """The digest as lines within ``width`` (``None``: ``--wide``, one line per row):
    what happened, the deadlines ahead, what is in force, the changes in git."""
    lines: list[list[Piece]] = []

    def section(title: str) -> None:
        lines.append([])
        lines.extend([(text, "bold")] for text in wrapped(title, width))

    def prose(text: str, style: str = "") -> None:
        lines.extend([(part, style)] for part in wrapped(text, width))

    lines.extend([(text, "bold")] for text in wrapped(heading(view), width))
    for note in run_notes(view):
        prose(note, "dim")
    section(window_title(summary))
    if summary.happened:
        rows = [
            (
                (happening_when(happening, view.zone), ""),
                (happening_what(happening), ""),
                (clean_line(happening.entry.id), ""),
                (happening_detail(happening, view.zone), ""),
            )
            for happening in summary.happened
        ]
        lines += table_lines(HAPPENED_COLUMNS, rows, width)
    else:
        prose("Nothing happened.")
    section(ahead_title(summary))
    if summary.deadlines:
        lines += status_table_lines(view, summary.deadlines, width)
    else:
        prose("No deadlines.")
    section(IN_FORCE_TITLE)
    if summary.in_force:
        lines += status_table_lines(view, summary.in_force, width)
    else:
        prose("Nothing in force.")
    if summary.git is not None:
        section(git_title(summary.git))
        for line in git_lines(summary.git):
            prose(line)
    return lines


def summary_renderable(view: RunContext, summary: digest.Summary, width: int | None) -> Text:
    return rich_text(summary_lines(view, summary, width))


def git_lines(git: digest.GitChanges) -> list[str]:
    if git.diff is None:
        return [f"Could not compare: {clean_line(git.problem or 'unknown problem')}"]
    if git.diff.same:
        return ["No changes."]
    return diff_lines(git.diff)


def summary_markdown(view: RunContext, summary: digest.Summary) -> str:
    lines = _md_header(view)
    lines += [f"### {md_cell(window_title(summary))}", ""]
    if summary.happened:
        lines += ["| When | What | ID | Detail |", "|---|---|---|---|"]
        for happening in summary.happened:
            cells = [
                happening_when(happening, view.zone),
                happening_what(happening),
                happening.entry.id,
                happening_detail(happening, view.zone),
            ]
            lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    else:
        lines.append("Nothing happened.")
    lines += ["", f"### {md_cell(ahead_title(summary))}", ""]
    lines += _status_md_table(view, summary.deadlines) if summary.deadlines else ["No deadlines."]
    lines += ["", f"### {IN_FORCE_TITLE}", ""]
    lines += _status_md_table(view, summary.in_force, "Ends") if summary.in_force else ["Nothing in force."]
    if summary.git is not None:
        lines += ["", f"### {md_cell(git_title(summary.git))}", ""]
        found = git_lines(summary.git)
        if summary.git.diff is not None and not summary.git.diff.same:
            lines += [f"- {md_cell(line)}" for line in found]
        else:
            lines += [md_cell(line) for line in found]
    return _joined(lines)


def happening_what(happening: digest.Happening) -> str:
    """What happened, with ``?`` when the data cannot confirm it (``ended?``)."""
    return happening.what if happening.confirmed else happening.what + "?"


def happening_record(happening: digest.Happening, zone: ZoneInfo) -> dict[str, Any]:
    change = happening.change
    moved = None
    cancelling = change is not None and happening.target is not None and cancels(happening.target, change)
    if change is not None and change.previous is not None and change.end is not None and not cancelling:
        moved = days_between(change.previous, change.end, zone)
    return {
        "at": isoformat(happening.at, zone),
        "what": happening.what,
        "confirmed": happening.confirmed,
        "id": happening.entry.id,
        "kind": happening.entry.kind,
        "title": clean(happening.entry.title),
        "target": happening.target.id if happening.target is not None else None,
        "end": isoformat(change.end, zone) if change is not None and not cancelling else None,
        "previous_end": isoformat(change.previous, zone) if change is not None else None,
        "days_moved": moved,
    }


def summary_json(view: RunContext, summary: digest.Summary) -> str:
    git = summary.git
    changes = None
    if git is not None:
        changes = {
            "old_revision": git.old_revision,
            "new_revision": git.new_revision,
            "problem": clean(git.problem) if git.problem is not None else None,
            "diff": (
                diff_data(git.diff, git.old_revision or "(none)", git.new_revision or "(none)")
                if git.diff is not None
                else None
            ),
        }
    return _json(
        {
            "as_of": isoformat(view.as_of, view.zone),
            "tz": view.zone.key,
            "days": summary.days,
            "since": isoformat(summary.window_start, view.zone),
            "ahead": summary.ahead.text,
            "until": isoformat(summary.horizon, view.zone),
            "happened": [happening_record(h, view.zone) for h in summary.happened],
            "deadlines": [status_record(view, state) for state in summary.deadlines],
            "in_force": [status_record(view, state) for state in summary.in_force],
            "changes": changes,
        }
    )


# ---------------------------------------------------------------- rates


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:g}%"


def _since_text(step: RateStep, zone: ZoneInfo) -> str:
    entry = step.entry
    key = "end" if step.phase in (AFTER, LAPSED) else ("date" if entry.is_point else "start")
    return format_day_or_instant(step.since, zone, date_only=key in entry.date_only)


def set_by_text(step: RateStep) -> str:
    entry_id = clean_line(step.entry.id)
    if step.phase == AFTER:
        return f"{entry_id} (rate_after)"
    if step.phase == LAPSED:
        return f"{entry_id} (ended, no rate_after)"
    return entry_id


def step_notes(history: Sequence[RateStep]) -> list[str]:
    """``now`` for each measure's step in force at as-of, ``scheduled`` for later ones."""
    current: dict[str, int] = {}
    for position, step in enumerate(history):
        if not step.scheduled:
            current[step.measure] = position
    now = set(current.values())
    return ["now" if i in now else ("scheduled" if step.scheduled else "") for i, step in enumerate(history)]


def step_rate_text(step: RateStep) -> str:
    """The rate, with ``?`` when it began after its file's data ends (not confirmed)."""
    return rate_text(step.rate) + ("" if step.confirmed else "?")


def nothing_rated(view: RunContext) -> str:
    return f"No measure has a rate as of {format_instant(view.as_of, view.zone)}."


RATE_COLUMNS = (Column("Measure"), Column("Rate", right=True), Column("Since"), Column("Set by"))
LADDER_COLUMNS = (Column("From"), Column("Rate", right=True), Column("Set by"), Column(""))


def rates_lines(
    view: RunContext, current: Sequence[RateStep], history: Sequence[RateStep] | None, width: int | None
) -> list[list[Piece]]:
    """The rate of each measure now; with ``history``, every step of each ladder.
    Laid out like every table (``layout``): rates, instants and ids are never cut."""
    lines: list[list[Piece]] = [[(text, "bold")] for text in wrapped(heading(view), width)]
    for note in run_notes(view):
        lines += [[(text, "dim")] for text in wrapped(note, width)]
    if history is None:
        if not current:
            return lines + [[(text, "")] for text in wrapped(nothing_rated(view), width)]
        rows = [
            (
                (clean_line(step.measure), ""),
                (step_rate_text(step), "bold"),
                (_since_text(step, view.zone), ""),
                (set_by_text(step), ""),
            )
            for step in current
        ]
        return lines + table_lines(RATE_COLUMNS, rows, width)
    if not history:
        return lines + [[(text, "")] for text in wrapped(nothing_rated(view), width)]
    notes = step_notes(history)
    for measure in dict.fromkeys(step.measure for step in history):
        lines.append([(clean_line(measure), "bold")])
        ladder = []
        for step, note in zip(history, notes, strict=True):
            if step.measure != measure:
                continue
            style = "dim" if step.scheduled else ""
            ladder.append(
                (
                    (_since_text(step, view.zone), ""),
                    (step_rate_text(step), "bold" if note == "now" else style),
                    (set_by_text(step), style),
                    (note, "bold" if note == "now" else style),
                )
            )
        lines += table_lines(LADDER_COLUMNS, ladder, width)
    return lines


def rates_markdown(view: RunContext, current: Sequence[RateStep], history: Sequence[RateStep] | None) -> str:
    lines = _md_header(view)
    if history is None:
        if not current:
            return _joined([*lines, nothing_rated(view)])
        lines += ["| Measure | Rate | Since | Set by |", "|---|---|---|---|"]
        for step in current:
            cells = [step.measure, step_rate_text(step), _since_text(step, view.zone), set_by_text(step)]
            lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
        return _joined(lines)
    if not history:
        return _joined([*lines, nothing_rated(view)])
    lines += ["| Measure | From | Rate | Set by | |", "|---|---|---|---|---|"]
    for step, note in zip(history, step_notes(history), strict=True):
        cells = [step.measure, _since_text(step, view.zone), step_rate_text(step), set_by_text(step), note]
        lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    return _joined(lines)


RATE_KEYS = ("measure", "rate", "since", "entry", "confirmed")
HISTORY_KEYS = ("measure", "rate", "since", "entry", "confirmed", "phase", "scheduled")


def rate_record(step: RateStep, zone: ZoneInfo) -> dict[str, Any]:
    """Exactly the documented keys: measure, rate, since, entry, confirmed."""
    return {
        "measure": clean(step.measure),
        "rate": step.rate,
        "since": isoformat(step.since, zone),
        "entry": step.entry.id,
        "confirmed": step.confirmed,
    }


def history_record(step: RateStep, zone: ZoneInfo) -> dict[str, Any]:
    return {**rate_record(step, zone), "phase": step.phase, "scheduled": step.scheduled}


def rates_json(view: RunContext, current: Sequence[RateStep], history: Sequence[RateStep] | None) -> str:
    document: dict[str, Any] = {
        "as_of": isoformat(view.as_of, view.zone),
        "measures": [rate_record(step, view.zone) for step in current],
    }
    if history is not None:
        document["history"] = [history_record(step, view.zone) for step in history]
    return _json(document)


def rates_csv(view: RunContext, current: Sequence[RateStep], history: Sequence[RateStep] | None) -> str:
    if history is None:
        return _csv(RATE_KEYS, (rate_record(step, view.zone) for step in current))
    return _csv(HISTORY_KEYS, (history_record(step, view.zone) for step in history))
