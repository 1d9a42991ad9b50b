"""Exports of a whole timeline as of an instant: an iCalendar feed, JSON and CSV.

The calendar goes through the ``icalendar`` library, which escapes text
(commas, semicolons, backslashes, newlines), folds lines at 75 octets without
splitting a UTF-8 character; nothing here writes RFC 5545 by hand. The
VTIMEZONE components come from ``vtimezone``, built so that every client
reads them alike. Every export is a pure function of the view (the timeline,
the as-of instant and the display zone): the calendar's DTSTAMP is
the as-of instant, so the same input gives the same bytes, and each event's
UID is made of the entry id and the event's role, so it stays the same across
exports, as-of days and machines and a subscribed calendar updates its events
instead of duplicating them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event
from icalendar.prop import vDuration

from trucetrack.core.context import RunContext
from trucetrack.core.dates import format_day_or_instant, format_instant, get_zone, isoformat
from trucetrack.core.durations import add_duration
from trucetrack.core.model import Duration, Entry
from trucetrack.core.text import clean, clean_line, csv_value
from trucetrack.engine.ends import written_as_day
from trucetrack.engine.status import EndChange, Engine, EntryState, checked_until
from trucetrack.output.show import derivation, history_lines, setter_index
from trucetrack.output.text import status_label
from trucetrack.output.vtimezone import vtimezone

# Fixed, without the version, so that upgrading trucetrack does not change the feed's bytes.
PRODID = "-//trucetrack//trucetrack timeline export//EN"
UID_DOMAIN = "trucetrack"
DEFAULT_CALENDAR_NAME = "trucetrack timeline"

# The keys of each entry in ``export --format json``, in order; CSV has the same
# columns except ``history`` (a list of objects).
EXPORT_ENTRY_KEYS: tuple[str, ...] = (
    "id",
    "kind",
    "shape",
    "title",
    "status",
    "start",
    "date",
    "end",
    "original_end",
    "days_left",
    "seconds_left",
    "working_days_left",
    "announced",
    "confirmed",
    "target",
    "by",
    "superseded_by",
    "calendar",
    "provisional",
    "warn",
    "parties",
    "place",
    "measure",
    "rate",
    "rate_after",
    "instrument",
    "sources",
    "tags",
    "notes",
    "zone",
    "file",
    "line",
    "history",
)
CSV_KEYS: tuple[str, ...] = tuple(key for key in EXPORT_ENTRY_KEYS if key != "history")


# ---------------------------------------------------------------- JSON and CSV


def _states(view: RunContext) -> dict[str, EntryState]:
    engine = Engine(view.timeline)
    return {
        entry.id: engine.state(entry, view.as_of, view.zone) for entry in view.timeline.entries if not entry.is_modifier
    }


def entry_record(view: RunContext, entry: Entry, state: EntryState | None) -> dict[str, Any]:
    """One entry of ``export --format json``: every field, with its computed end and status.

    ``end`` is a span's effective end as of the view's instant (``original_end``
    its own end before any modifier); for a modifier it is the end it sets as
    written (null for ``by``). ``status``, ``days_left`` and ``seconds_left``
    are null for modifiers, which have no status of their own.
    """
    zone = view.zone

    def text(value: str | None) -> str | None:
        return None if value is None else clean(value)

    history = history_records(state, zone) if state is not None and entry.is_span else []
    end = state.end if state is not None and entry.is_span else (entry.end if entry.is_modifier else None)
    record: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind,
        "shape": entry.shape,
        "title": clean(entry.title),
        "status": state.status if state is not None else None,
        "start": isoformat(entry.start, zone),
        "date": isoformat(entry.date, zone),
        "end": isoformat(end, zone),
        "original_end": isoformat(entry.end, zone) if entry.is_span else None,
        "days_left": state.days_left if state is not None else None,
        "seconds_left": state.seconds_left if state is not None else None,
        "working_days_left": state.working_days_left if state is not None else None,
        "announced": isoformat(entry.announced, zone),
        "confirmed": state.confirmed if state is not None else True,
        "target": entry.target,
        "by": text(entry.by.text) if entry.by is not None else None,
        "superseded_by": state.superseded_by.id if state is not None and state.superseded_by is not None else None,
        "calendar": text(entry.calendar),
        "provisional": state.provisional if state is not None else None,
        "warn": text(entry.warn.text) if entry.warn is not None and not entry.is_modifier else None,
        "parties": [clean(code) for code in entry.parties],
        "place": text(entry.place),
        "measure": text(entry.measure),
        "rate": entry.rate,
        "rate_after": entry.rate_after,
        "instrument": text(entry.instrument),
        "sources": [clean(source) for source in entry.sources],
        "tags": [clean(tag) for tag in entry.tags],
        "notes": text(entry.notes),
        "zone": entry.zone,
        "file": clean(entry.file),
        "line": entry.line,
        "history": history,
    }
    return record


def history_records(state: EntryState, zone: ZoneInfo) -> list[dict[str, Any]]:
    """A span's ends as known at the state's instant, the original first: each
    with the end before it, the duration added (``by``), the modifier that set
    it and that modifier's kind (``original`` for the span's own end)."""
    return [
        {
            "end": isoformat(change.end, zone),
            "previous": isoformat(change.previous, zone),
            "by": clean(change.by.text) if change.by is not None else None,
            "set_by": change.modifier.id if change.modifier is not None else None,
            "kind": change.kind,
        }
        for change in state.history
    ]


def export_document(view: RunContext) -> dict[str, Any]:
    """The whole timeline as data: files, parties, kinds and every entry (modifiers included), in file order."""
    timeline = view.timeline
    states = _states(view)
    return {
        "as_of": isoformat(view.as_of, view.zone),
        "tz": view.zone.key,
        "files": [
            {
                "path": clean(source.path),
                "title": clean(source.title) if source.title is not None else None,
                "timezone": source.zone,
                "warn": clean(source.warn.text),
                "current_to": source.current_to,
                "calendar": clean(source.calendar) if source.calendar is not None else None,
            }
            for source in timeline.files
        ],
        "parties": [
            {"code": clean(party.code), "name": clean(party.name), "file": clean(party.file), "line": party.line}
            for party in timeline.parties
        ],
        "kinds": [clean(kind) for kind in timeline.kinds],
        "entries": [entry_record(view, entry, states.get(entry.id)) for entry in timeline.entries],
    }


def export_json(view: RunContext) -> str:
    return json.dumps(export_document(view), ensure_ascii=False, indent=2) + "\n"


def export_csv(view: RunContext) -> str:
    """One row per entry (modifiers included) under a header row; lists joined with ``;``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_KEYS)
    for record in export_document(view)["entries"]:
        writer.writerow([csv_value(record[key]) for key in CSV_KEYS])
    return buffer.getvalue()


# ---------------------------------------------------------------- calendar


@dataclass(frozen=True)
class Moment:
    """One end of a calendar event: an instant, and the local day when it is shown as a whole day.

    ``day`` is set when the file wrote the value as a bare date and the
    instant is still midnight in the zone of that file (a ``by = "36h"``
    extension of a date-only end makes it a timed deadline again).
    """

    instant: datetime
    day: date | None


@dataclass(frozen=True)
class CalendarItem:
    """One VEVENT before it is encoded: what it is about and when."""

    entry: Entry
    role: str  # "date" (a point), "start" or "end" (of a span), "span" (a talk round)
    summary: str
    start: Moment
    end: Moment | None
    sequence: int = 0
    cancelled: bool = False  # its span was cancelled: STATUS:CANCELLED, no alarm

    @property
    def uid(self) -> str:
        return f"{self.entry.id}.{self.role}@{UID_DOMAIN}"

    @property
    def all_day(self) -> bool:
        return self.start.day is not None and (self.end is None or self.end.day is not None)


def _moment(instant: datetime, zone_name: str, written_as_date: bool) -> Moment:
    if not written_as_date:
        return Moment(instant, None)
    local = instant.astimezone(get_zone(zone_name))
    return Moment(instant, local.date() if local.time() == time() else None)


def calendar_items(view: RunContext, states: dict[str, EntryState] | None = None) -> list[CalendarItem]:
    """The events of the feed, in file order.

    A point is one event on its date. A talk round (a ``talks`` span) is one
    event from its start to its effective end. Any other span gives an event
    at its start and, when it has one, a deadline at its effective end as of
    the view's instant. A cancelled span keeps its first event, marked
    cancelled (and no deadline). Modifiers give no event of their own: they
    move the deadline of their target. ``states`` are the entries' states as of the
    view's instant, when the caller has them already.
    """
    if states is None:
        states = _states(view)
    items: list[CalendarItem] = []
    for entry in view.timeline.entries:
        if entry.is_point:
            assert entry.date is not None
            date_moment = _moment(entry.date, entry.zone, "date" in entry.date_only)
            items.append(CalendarItem(entry, "date", clean(entry.title), date_moment, None))
            continue
        if not entry.is_span:
            continue
        assert entry.start is not None
        state = states[entry.id]
        history = state.history
        start = _moment(entry.start, entry.zone, "start" in entry.date_only)
        changes = len(history) - 1
        if state.cancelled_by is not None:
            items.append(_cancelled_item(entry, history, start, changes))
            continue
        end_instant = history[-1].end
        end: Moment | None = None
        if end_instant is not None:
            day_zone = written_as_day(entry, history, len(history) - 1)
            end = _moment(end_instant, day_zone or entry.zone, day_zone is not None)
        if entry.kind == "talks":
            items.append(CalendarItem(entry, "span", clean(entry.title), start, end, changes))
            continue
        items.append(CalendarItem(entry, "start", f"Starts: {clean(entry.title)}", start, None))
        if end is not None:
            items.append(CalendarItem(entry, "end", f"Ends: {clean(entry.title)}", end, None, changes))
    return items


def _cancelled_item(entry: Entry, history: Sequence[EndChange], start: Moment, changes: int) -> CalendarItem:
    """The one event of a cancelled span, marked cancelled, where it was to be: a talk round
    from its start to the end it had before the cancellation, any other span at its start.
    Its SEQUENCE counts the cancellation, so a subscribed calendar updates the event it has."""
    if entry.kind != "talks":
        return CalendarItem(entry, "start", f"Starts: {clean(entry.title)}", start, None, changes, cancelled=True)
    planned, end = history[-1].previous, None
    if planned is not None:
        day_zone = written_as_day(entry, history, len(history) - 2)
        end = _moment(planned, day_zone or entry.zone, day_zone is not None)
    return CalendarItem(entry, "span", clean(entry.title), start, end, changes, cancelled=True)


class ElapsedDuration(vDuration):
    """A TRIGGER in hours, minutes and seconds only (``-PT36H``): exact elapsed time.

    icalendar writes 36 hours as ``-P1DT12H``, whose day is nominal (23 or 25
    hours across a DST change); a warning window given in hours is elapsed time.
    """

    def to_ical(self) -> bytes:
        seconds = int(self.td.total_seconds())
        sign = "-" if seconds < 0 else ""
        hours, rest = divmod(abs(seconds), 3600)
        minutes, seconds = divmod(rest, 60)
        parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{seconds}S" if seconds else "")
        return f"{sign}PT{parts or '0S'}".encode()


def alarm_trigger(
    moment: Moment, warn: Duration, zone: ZoneInfo, calendar: str | None = None
) -> timedelta | ElapsedDuration:
    """The TRIGGER (relative to the event's start) of the warning ``warn`` ahead of ``moment``.

    The warning instant is the one the engine uses for ``expiring``: ``warn``
    taken off on the wall clock of the entry's zone. When that leaves the time
    of day unchanged (days, weeks, months, years) the trigger is that many
    nominal days, ``-P21D``, which a calendar also counts on the wall clock;
    months and years become the exact number of days for this event (1 month
    before 31 March is ``-P31D``). Otherwise (warnings in hours) it is the
    exact elapsed time, ``-PT36H``. All-day events are floating days, so their
    trigger is the calendar difference, with hours added on as they are.
    Working days (``10wd``) are counted back in the entry's ``calendar`` and
    become the calendar days they span for this event.
    """
    if moment.day is not None:
        midnight = datetime.combine(moment.day, time(), tzinfo=UTC)
        calendar_part = Duration(months=warn.months, days=warn.days, workdays=warn.workdays, text=warn.text)
        earlier = add_duration(midnight, calendar_part, get_zone("UTC"), sign=-1, calendar=calendar).date()
        return -timedelta(days=(moment.day - earlier).days, seconds=warn.seconds)
    warning = add_duration(moment.instant, warn, zone, sign=-1, calendar=calendar)
    local_event, local_warning = moment.instant.astimezone(zone), warning.astimezone(zone)
    if local_event.time() == local_warning.time():
        return -timedelta(days=(local_event.date() - local_warning.date()).days)
    return ElapsedDuration(warning - moment.instant)


def _description(view: RunContext, item: CalendarItem, state: EntryState, party_names: dict[str, str]) -> str:
    """Title, status, when, derivation of the end, and every field worth reading in a calendar.

    Each value from the file is cleaned on its own, so that an unterminated
    escape sequence in one field cannot swallow the lines after it.
    """
    entry, zone = item.entry, view.zone
    lines = [clean(entry.title), f"Status as of {format_instant(view.as_of, zone)}: {status_label(state)}"]
    if not state.confirmed:
        lines.append(
            f"Not confirmed: the data of {clean_line(entry.file)} ends before this; it may have changed since."
        )
    if entry.announced is not None:
        lines.append(f"Announced: {_when(entry.announced, zone, 'announced' in entry.date_only)}")
    if state.superseded_by is not None:
        lines.append(f"Superseded by: {state.superseded_by.id}")
    if entry.is_point:
        assert entry.date is not None
        lines.append(f"Date: {_when(entry.date, zone, 'date' in entry.date_only)}")
    else:
        assert entry.start is not None
        lines.append(f"Start: {_when(entry.start, zone, 'start' in entry.date_only)}")
        lines.append(f"End: {derivation(entry, state.history, setter_index(state.history), zone)}")
        if len(state.history) > 1:
            lines.append("History:")
            lines.extend(f"  {line}" for line in history_lines(entry, state.history, zone))
    if entry.warn is not None:
        lines.append(f"Warning: {clean_line(entry.warn.text)} ahead")
    if entry.parties:
        named = (f"{clean_line(code)} ({party_names.get(code, '?')})" for code in entry.parties)
        lines.append("Parties: " + ", ".join(named))
    if entry.place:
        lines.append(f"Place: {clean(entry.place)}")
    if entry.measure is not None and entry.rate is not None:
        rate = f"Rate: {clean_line(entry.measure)} {entry.rate:g}%"
        if entry.rate_after is not None:
            rate += f", then {entry.rate_after:g}% once it ends"
        lines.append(rate)
    if entry.instrument:
        lines.append(f"Instrument: {clean(entry.instrument)}")
    if entry.tags:
        lines.append("Tags: " + ", ".join(clean_line(tag) for tag in entry.tags))
    if entry.notes:
        lines.append(f"Notes: {clean(entry.notes)}")
    if entry.sources:
        lines.append("Sources:")
        lines.extend(f"- {clean(source)}" for source in entry.sources)
    lines.append(f"Entry: {entry.id} ({clean_line(entry.file)}:{entry.line})")
    return "\n".join(lines)


def _when(instant: datetime, zone: ZoneInfo, date_only: bool) -> str:
    return format_day_or_instant(instant, zone, date_only=date_only)


def _calendar_instant(instant: datetime, zone: ZoneInfo) -> datetime:
    """A timed value of the feed: on the wall clock of ``zone``, or in UTC where that clock repeats.

    A local time in the hour that repeats when daylight time ends names two
    instants. RFC 5545 reads it as the first, but ical.js and libical read it
    as the second, and neither can name the second occurrence; in UTC every
    client reads the one instant meant.
    """
    local = instant.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


def _event_time(moment: Moment, zone: ZoneInfo, all_day: bool) -> date | datetime:
    if all_day:
        assert moment.day is not None
        return moment.day
    return _calendar_instant(moment.instant, zone)


def _event_end(item: CalendarItem, zone: ZoneInfo) -> date | datetime | None:
    """DTEND (exclusive): a talk round's end; the next day for a one-day event; none for an instant."""
    if item.all_day:
        assert item.start.day is not None
        next_day = item.start.day + timedelta(days=1)
        if item.end is None or item.end.day is None:
            return next_day
        return max(item.end.day, next_day)
    if item.end is None or item.end.instant <= item.start.instant:
        return None  # an instant, or a round ended (terminated) before it began
    return _calendar_instant(item.end.instant, zone)


def _vevent(view: RunContext, item: CalendarItem, state: EntryState, party_names: dict[str, str]) -> Event:
    entry = item.entry
    zone = get_zone(entry.zone)
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", view.as_of.astimezone(UTC))
    event.add("dtstart", _event_time(item.start, zone, item.all_day))
    end = _event_end(item, zone)
    if end is not None:
        event.add("dtend", end)
    cutoff = checked_until(view.timeline).get(entry.file)
    instants = [item.start.instant] + ([item.end.instant] if item.end is not None else [])
    unconfirmed = cutoff is not None and any(cutoff <= instant <= view.as_of for instant in instants)
    # A calendar shows an event as fact: one the data cannot confirm says so in its title.
    event.add("summary", item.summary + (" (unconfirmed)" if unconfirmed else ""))
    event.add("description", _description(view, item, state, party_names))
    if entry.place:
        event.add("location", clean(entry.place))
    categories = dict.fromkeys([clean_line(entry.kind), *(clean_line(tag) for tag in entry.tags)])
    event.add("categories", list(categories))
    event.add("sequence", item.sequence)
    # Deadlines are not meetings: they must not mark the day busy.
    event.add("transp", "TRANSPARENT")
    if item.cancelled:
        event.add("status", "CANCELLED")
    elif entry.warn is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"In {clean_line(entry.warn.text)}: {item.summary}")
        alarm.add("trigger", alarm_trigger(item.start, entry.warn, zone, entry.calendar))
        event.add_component(alarm)
    return event


def _timezone_range(view: RunContext, items: Sequence[CalendarItem]) -> tuple[date, date]:
    """Whole years around every timed instant of the feed and its alarms, for the VTIMEZONEs.

    The years are those of the local times each event is written in, since a
    VTIMEZONE's range is in its own local time: 2026-01-01 00:30 in Tokyo is
    still 2025 in UTC, and must be covered all the same.
    """
    years: set[int] = set()
    for item in items:
        if item.all_day:
            continue
        zone = get_zone(item.entry.zone)
        instants = [item.start.instant]
        if item.end is not None:
            instants.append(item.end.instant)
        if item.entry.warn is not None:
            instants.append(
                add_duration(item.start.instant, item.entry.warn, zone, sign=-1, calendar=item.entry.calendar)
            )
        years.update(instant.astimezone(zone).year for instant in instants)
    if not years:
        years = {view.as_of.year}
    return date(min(years), 1, 1), date(max(years) + 1, 1, 1)


def export_ics(view: RunContext) -> bytes:
    """The timeline as an RFC 5545 calendar: CRLF line ends, lines folded at 75 octets."""
    timeline = view.timeline
    titles = [source.title for source in timeline.files if source.title]
    name = clean_line(titles[0]) if titles else DEFAULT_CALENDAR_NAME
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    party_names = {party.code: clean_line(party.name) for party in timeline.parties}
    states = _states(view)
    items = calendar_items(view, states)
    for item in items:
        calendar.add_component(_vevent(view, item, states[item.entry.id], party_names))
    # The VTIMEZONEs go first, in TZID order, so a reader meets them before the events.
    first, last = _timezone_range(view, items)
    zones = [vtimezone(tzid, get_zone(tzid), first, last) for tzid in sorted(calendar.get_missing_tzids())]
    calendar.subcomponents[:0] = zones
    return bytes(calendar.to_ical())
