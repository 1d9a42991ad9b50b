"""What several views share: the heading, the notes, countdown and "when" texts,
status styles, markdown cells and headers, signed day counts, and the JSON and
CSV documents.

Every string that came from a timeline file goes through ``core.text`` before
it is shown, so no control code or escape sequence reaches a terminal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from trucetrack.core.context import RunContext
from trucetrack.core.dates import format_day_or_instant, format_instant
from trucetrack.core.model import Timeline
from trucetrack.core.text import clean_line, csv_value
from trucetrack.engine.ends import end_written_as_day
from trucetrack.engine.status import EntryState

STATUS_STYLES = {
    "upcoming": "cyan",
    "past": "dim",
    "scheduled": "cyan",
    "active": "green",
    "expiring": "bold yellow",
    "expired": "dim",
    "terminated": "red",
    "cancelled": "dim strike",
    "superseded": "magenta",
}


def heading(view: RunContext) -> str:
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


def run_notes(view: RunContext, *, marked: str | None = "marked ?") -> list[str]:
    """What every view says once, above what it shows: that the bundled timeline
    is in use, and for each file whose data ends before the as-of instant, that
    later changes are not confirmed (entries resting on them are ``marked``: a
    ``?`` in tables, ``"confirmed": false`` in data)."""
    from trucetrack.engine.status import unconfirmed_files

    notes = []
    note = bundled_note(view.timeline)
    if note:
        notes.append(note)
    for path, checked in unconfirmed_files(view.timeline, view.as_of):
        how = f" ({marked})" if marked else ""
        notes.append(f"{clean_line(path)}: data checked to {checked}; later changes are not confirmed{how}.")
    notes.extend(clean_line(note) for note in view.notes)
    return notes


def status_label(state: EntryState) -> str:
    """The status as tables print it: ``expired?`` when the data cannot confirm it."""
    return state.status if state.confirmed else state.status + "?"


def nothing_to_show(view: RunContext) -> str:
    return (
        f"Nothing to show as of {format_instant(view.as_of, view.zone)}: "
        "try --all to include finished entries, or another --as-of."
    )


def left_text(state: EntryState) -> str:
    """The countdown: days, or hours and minutes when under a day; 'ago' once past;
    for an entry with a calendar, its working days too: ``16 days (10wd)``."""
    text = _left(state)
    # A scheduled span counts its days to its start but its working days to its
    # end: shown side by side they would read as one count, so the table keeps
    # the working days for the JSON and for show.
    if state.working_days_left is not None and text != "—" and state.status != "scheduled":
        text += f" ({abs(state.working_days_left)}wd)"
    return text


def _left(state: EntryState) -> str:
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


def when_text(state: EntryState, zone: ZoneInfo) -> str:
    """The instant counted to, as a date alone when the file gave a bare date; for a
    cancelled span, which counts to nothing, the start it would have had."""
    entry = state.entry
    if state.cancelled_by is not None and entry.start is not None:
        return format_day_or_instant(entry.start, zone, date_only="start" in entry.date_only)
    if state.counted_to is None:
        return "open-ended"
    if entry.is_point:
        return format_day_or_instant(state.counted_to, zone, date_only="date" in entry.date_only)
    if state.counted_to == entry.start and state.status == "scheduled":
        return format_day_or_instant(state.counted_to, zone, date_only="start" in entry.date_only)
    written = end_written_as_day(entry, state.history, state.counted_to)
    return format_day_or_instant(state.counted_to, zone, date_only=written is not None)


def when_label(state: EntryState) -> str:
    entry = state.entry
    if entry.is_point:
        return "on"
    if state.status == "scheduled":
        return "starts"
    if state.cancelled_by is not None:
        return "was to start"
    if state.counted_to is None:
        return "since"
    return "ended" if state.seconds_left is not None and state.seconds_left <= 0 else "ends"


def md_cell(text: str) -> str:
    """A markdown table cell or list text: one line, ``|`` and ``\\`` escaped."""
    return clean_line(text).replace("\\", "\\\\").replace("|", "\\|")


def signed_days(days: int) -> str:
    return f"{days:+d} day" if abs(days) == 1 else f"{days:+d} days"


def markdown_header(view: RunContext) -> list[str]:
    """The heading as a markdown title, then the bundled note in italics, each with a blank line after."""
    lines = [f"## {md_cell(heading(view))}", ""]
    for note in run_notes(view):
        lines += [f"_{md_cell(note)}_", ""]
    return lines


def lines_text(lines: Iterable[str]) -> str:
    """Lines joined into a text, each ended by a newline."""
    return "\n".join(lines) + "\n"


def json_text(document: dict[str, Any]) -> str:
    """A JSON document, indented by two spaces, non-ASCII kept as is, newline at the end."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def csv_text(keys: Sequence[str], records: Iterable[dict[str, Any]], *, compact_floats: bool = False) -> str:
    """A header row of ``keys``, then one row per record (its values under those keys)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    for record in records:
        writer.writerow([csv_value(record[key], compact_floats=compact_floats) for key in keys])
    return buffer.getvalue()
