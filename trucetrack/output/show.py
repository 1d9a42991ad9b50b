"""``show``: one entry, every field, its effective end with the derivation, the
history of ends and the sources, as of the instant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from trucetrack.core.context import RunContext
from trucetrack.core.dates import format_day_or_instant
from trucetrack.core.model import Entry
from trucetrack.core.text import clean, clean_line
from trucetrack.engine.ends import written_as_day
from trucetrack.engine.status import EndChange, EntryState, cancels, days_between, end_setter
from trucetrack.output.text import STATUS_STYLES, heading, left_text, signed_days, status_label, when_label, when_text

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text


def derivation(entry: Entry, history: Sequence[EndChange], index: int, zone: ZoneInfo) -> str:
    """How ``history[index]`` came to be, e.g.
    ``2025-11-10 00:01 EST = 2025-08-12 00:01 EDT + 90d, by eo-14334``, or
    ``never in force: cancelled by t (decided 2025-08-01)``."""
    change = history[index]
    if change.end is None:
        return "open-ended (no end yet)"
    end = format_day_or_instant(change.end, zone, date_only=written_as_day(entry, history, index) is not None)
    modifier = change.modifier
    if modifier is None:
        spec = entry.end_spec
        if spec is None:
            return end
        if spec.key == "duration" and entry.start is not None:
            start = format_day_or_instant(entry.start, zone, date_only="start" in entry.date_only)
            return f"{end} = {start} + {counted(spec.text, entry.calendar, entry.start, change.end)}"
        if spec.key == "through":
            return f"{end} (through {clean_line(spec.text)})"
        return end
    decided = (
        format_day_or_instant(modifier.date, zone, date_only="date" in modifier.date_only) if modifier.date else "?"
    )
    if cancels(entry, change):
        return f"never in force: cancelled by {modifier.id} (decided {decided})"
    if change.by is not None and change.previous is not None:
        previous = format_day_or_instant(
            change.previous, zone, date_only=written_as_day(entry, history, index - 1) is not None
        )
        added = counted(change.by.text, modifier.calendar, change.previous, change.end)
        return f"{end} = {previous} + {added}, by {modifier.id} (decided {decided})"
    verb = "terminated by" if modifier.kind == "termination" else "set by"
    return f"{end}, {verb} {modifier.id} (decided {decided})"


def counted(text: str, calendar: str | None, first: datetime, last: datetime) -> str:
    """A duration as a derivation writes it: working days as ``45 working days (CN)``, with
    ``provisional: ...`` when a year they cross has no official schedule in the library."""
    from trucetrack.core.durations import DurationError, parse_duration

    try:
        workdays = parse_duration(text).workdays
    except DurationError:
        workdays = 0
    if not workdays or calendar is None:
        return clean_line(text)
    written = f"{workdays} working day{'s' if workdays != 1 else ''} ({clean_line(calendar)})"
    note = provisional(calendar, first, last)
    return f"{written}, {note}" if note else written


def provisional(calendar: str, first: datetime, last: datetime) -> str | None:
    """The provisional note when working days from ``first`` to ``last`` cross a year whose
    official schedule the installed holidays library does not have, else None."""
    from trucetrack.core.workdays import calendar as work_calendar
    from trucetrack.core.workdays import provisional_note

    years = work_calendar(calendar).provisional_years(first.date(), last.date())
    return provisional_note(calendar, years) if years else None


def history_lines(entry: Entry, history: Sequence[EndChange], zone: ZoneInfo) -> list[str]:
    """Original end, then each change with the calendar days it moved the end."""
    lines = []
    for index, change in enumerate(history):
        text = derivation(entry, history, index, zone)
        if change.modifier is None:
            lines.append(f"original: {text}")
            continue
        moved = ""
        if change.previous is not None and change.end is not None and not cancels(entry, change):
            moved = f" ({signed_days(days_between(change.previous, change.end, zone))})"
        lines.append(f"→ {text}{moved}")
    return lines


def show_renderable(
    view: RunContext,
    entry: Entry,
    state: EntryState | None,
    party_names: dict[str, str],
) -> RenderableType:
    """Every field of one entry, its effective end with the derivation, and its sources.

    Only what was decided by as-of counts: modifiers decided later are not
    mentioned: it shows what was known on that day.
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
        row("status", Text(status_label(state), style=STATUS_STYLES.get(state.status, "")))
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
        if state.status == "scheduled" and state.working_days_left is not None:
            # the table's Left counts to the start; the working days count to the end
            row("working days", f"{state.working_days_left} to the end ({clean_line(entry.calendar or '')})")
    if entry.is_span and state is not None:
        effective = (
            derivation(entry, state.history, setter_index(state.history), zone) if state.history else "open-ended"
        )
        row("end", effective)
        if state.provisional and "provisional" not in effective:
            row("provisional", "working days counted into a year whose official schedule the holidays library lacks")
        if len(state.history) > 1:
            row("history", "\n".join(history_lines(entry, state.history, zone)))
    row("warn", entry.warn.text if entry.warn and not entry.is_modifier else None)
    row("calendar", entry.calendar)
    if entry.parties:
        row("parties", ", ".join(f"{code} ({party_names.get(code, '?')})" for code in entry.parties))
    row("place", entry.place)
    if entry.measure is not None:
        rate = f"{entry.measure}: {entry.rate:g}%"
        if entry.rate_after is not None:
            rate += f", then {entry.rate_after:g}% once it ends"
        row("rate", rate)
    row("instrument", entry.instrument)
    row("announced", instant("announced", entry.announced))
    row("tags", ", ".join(entry.tags))
    row("notes", entry.notes)
    row("file", f"{entry.file}:{entry.line}")
    row("zone", entry.zone)
    parts: list[RenderableType] = [Text(heading(view), style="bold"), grid]
    if entry.sources:
        parts.append(Text("sources", style="bold"))
    return Group(*parts)


def source_lines(entry: Entry) -> list[Text]:
    """One line per source, to be printed without cutting or folding: a link stays whole
    (and clickable) however narrow the terminal; the terminal wraps it if it must."""
    from rich.text import Text

    return [Text(f"  - {clean_line(source)}") for source in entry.sources]


def setter_index(history: Sequence[EndChange]) -> int:
    """The position in ``history`` of the change that set the end now in force."""
    setter = end_setter(history)
    return next(index for index, change in enumerate(history) if change is setter)


def show_record(view: RunContext, entry: Entry, state: EntryState | None) -> dict[str, Any]:
    """``show --format json``: the entry's ``status`` object (null status and
    countdown for a modifier), then every field of the file as ``export`` gives
    it, the history of its end as known at as-of, and how the end in force was
    derived, in words."""
    from trucetrack.output.export import entry_record
    from trucetrack.output.status import JSON_ENTRY_KEYS, status_record

    full = entry_record(view, entry, state)
    head = status_record(view, state) if state is not None else {key: full.get(key) for key in JSON_ENTRY_KEYS}
    record = {**head, **{key: value for key, value in full.items() if key not in head}}
    # How the file wrote the end, when not as an instant (export gives the end computed).
    spec = entry.end_spec
    record["duration"] = clean(spec.text) if spec is not None and spec.key == "duration" else None
    record["through"] = clean(spec.text) if spec is not None and spec.key == "through" else None
    record["derivation"] = (
        derivation(entry, state.history, setter_index(state.history), view.zone)
        if state is not None and entry.is_span and state.history
        else None
    )
    return record


def show_json(view: RunContext, entry: Entry, state: EntryState | None) -> str:
    import json

    return json.dumps(show_record(view, entry, state), ensure_ascii=False, indent=2) + "\n"
