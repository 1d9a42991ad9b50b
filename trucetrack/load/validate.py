"""From parsed TOML to a validated Timeline, reporting every problem at once.

Each problem names the file and the line of the key it concerns (or the
``[[event]]`` header when no key can be blamed), like a compiler, so an
editor can jump there. Any TOML document yields either a Timeline or a list
of problems; never an exception.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from trucetrack.core.dates import LAST_YEAR, DateRangeError, LocalTimeError, ZoneError, day_after, get_zone, to_instant
from trucetrack.core.durations import MAX_YEARS, DurationError, add_duration, parse_duration
from trucetrack.core.model import (
    BUILTIN_KINDS,
    EVENT_KEYS,
    MODIFIER_KINDS,
    PARTY_KEYS,
    TOP_LEVEL_KEYS,
    Duration,
    EndSpec,
    Entry,
    Party,
    Problem,
    SourceFile,
    Timeline,
)
from trucetrack.core.text import article
from trucetrack.store import reader as store

if TYPE_CHECKING:
    pass

SUPPORTED_SCHEMA = 1
DEFAULT_WARN = "14d"
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
# Keys that make an entry a span, a point or a modifier; used in shape messages.
_SPAN_END_KEYS = ("end", "through", "duration")
_KNOWN_EVENT_KEYS = frozenset(EVENT_KEYS)
# Optional keys any entry may carry, by how each is checked; absent ones keep Entry's defaults.
_TEXT_FIELDS = ("place", "measure", "instrument", "notes")
_LIST_FIELDS = ("parties", "sources", "tags")
_NUMBER_FIELDS = ("rate", "rate_after")

# TOML 1.0 integers are 64-bit; the standard parser accepts larger ones, which
# other tools reading the same file would refuse (and floats cannot hold).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def value_out_of_range() -> str:
    return "integer out of TOML's 64-bit range (-9223372036854775808 to 9223372036854775807)"


_INSTANT_KEYS = ("date", "start", "end", "announced")


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, datetime):
        return "a datetime"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time of day"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _did_you_mean(key: str, known: Sequence[str]) -> str:
    import difflib  # only when something is misspelt

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class _FileContext:
    document: store.RawDocument
    zone: ZoneInfo
    zone_name: str
    warn: Duration
    events: list[Any]
    source: SourceFile
    calendar: str | None = None
    # The instant of each date or datetime read so far in this file's zone: the same
    # few thousand days recur across a large timeline, and localizing costs.
    instants: dict[date, datetime] = field(default_factory=dict)

    @property
    def calendar_refused(self) -> bool:
        """The file names a calendar that was refused (and reported): its working-day
        durations are not reported again as having no calendar."""
        data = self.document.data
        return self.calendar is None and isinstance(data, dict) and "calendar" in data

    @property
    def path(self) -> str:
        return self.document.path

    def key_lines(self, index: int) -> dict[str, int]:
        """Lines of the index-th event's keys (scans the file on first use)."""
        return self.document.lines.event(index)[1]


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int, subject: str, message: str) -> None:
        self.problems.append(Problem(file, line, subject, message))


def build_timeline(documents: Sequence[store.RawDocument]) -> tuple[Timeline, list[Problem]]:
    """Validate parsed documents as one timeline. Returns the timeline and its problems."""
    report = _Collector()
    contexts: list[_FileContext] = []
    kinds: list[str] = list(BUILTIN_KINDS)
    parties: dict[str, Party] = {}
    for document in documents:
        report.problems.extend(document.problems)
        if document.data is None:
            continue
        context = _read_header(document, report, kinds, parties)
        contexts.append(context)

    entries: list[Entry] = []
    origins: dict[str, tuple[_FileContext, int]] = {}
    dangling: list[_EventBuilder] = []  # invalid modifiers: their target is still checked
    known_kinds = frozenset(kinds)
    for context in contexts:
        header_lines = context.document.event_lines(len(context.events))
        for index, raw in enumerate(context.events):
            builder = _EventBuilder(
                context, index, raw, header_lines[index], report, known_kinds, parties, len(entries)
            )
            entry = builder.build()
            context.events[index] = None  # the raw table is no longer needed: keep peak memory down
            entry_id = builder.entry_id
            if entry_id is not None:
                if entry_id in origins:
                    first, first_index = origins[entry_id]
                    first_line = first.key_lines(first_index).get(
                        "id", first.document.event_lines(len(first.events))[first_index]
                    )
                    builder.fail("id", f"duplicate id: already defined at {first.path}:{first_line}")
                    continue
                origins[entry_id] = (context, index)
            if entry is not None:
                entries.append(entry)
            elif builder.target is not None:
                dangling.append(builder)

    for builder in dangling:
        target = builder.target or ""
        if target not in origins:
            builder.fail("target", f"unknown target {target!r}{_did_you_mean(target, sorted(origins))}")
    _check_references(entries, origins, report)
    timeline = Timeline(
        files=tuple(context.source for context in contexts),
        parties=tuple(parties.values()),
        kinds=tuple(kinds),
        entries=tuple(entries),
    )
    file_order = {document.path: index for index, document in enumerate(documents)}
    problems = sorted(report.problems, key=lambda p: (file_order.get(p.file, len(file_order)), p.line))
    return timeline, problems


def _read_header(
    document: store.RawDocument,
    report: _Collector,
    kinds: list[str],
    parties: dict[str, Party],
) -> _FileContext:
    data = document.data or {}
    path = document.path

    def line_of(key: str) -> int:
        return document.lines.top.get(key, 1)

    for key in data:
        if key not in TOP_LEVEL_KEYS:
            report.add(path, line_of(key), key, f"unknown top-level key{_did_you_mean(key, TOP_LEVEL_KEYS)}")

    schema = data.get("schema")
    if schema is None:
        report.add(path, 1, "schema", f"missing 'schema = {SUPPORTED_SCHEMA}' at the top of the file")
    elif isinstance(schema, bool) or not isinstance(schema, int):
        report.add(path, line_of("schema"), "schema", f"expected an integer, got {_type_name(schema)}")
    elif not INT64_MIN <= schema <= INT64_MAX:
        report.add(path, line_of("schema"), "schema", value_out_of_range())
    elif schema != SUPPORTED_SCHEMA:
        report.add(
            path,
            line_of("schema"),
            "schema",
            f"unsupported schema {schema}: this trucetrack reads schema {SUPPORTED_SCHEMA}",
        )

    title = data.get("title")
    if title is not None and not isinstance(title, str):
        report.add(path, line_of("title"), "title", f"expected a string, got {_type_name(title)}")
        title = None

    zone_name = data.get("timezone", "UTC")
    zone = get_zone("UTC")
    if not isinstance(zone_name, str):
        report.add(path, line_of("timezone"), "timezone", f"expected a string, got {_type_name(zone_name)}")
        zone_name = "UTC"
    else:
        try:
            zone = get_zone(zone_name)
        except ZoneError as exc:
            report.add(path, line_of("timezone"), "timezone", str(exc))
            zone_name = "UTC"

    calendar = _calendar_value(
        data.get("calendar"), lambda message: report.add(path, line_of("calendar"), "calendar", message)
    )
    warn = parse_duration(DEFAULT_WARN)
    raw_warn = data.get("warn")
    if raw_warn is not None:
        parsed_warn = _duration_value(raw_warn, lambda message: report.add(path, line_of("warn"), "warn", message))
        if parsed_warn is not None and parsed_warn.workdays and calendar is None and "calendar" not in data:
            report.add(path, line_of("warn"), "warn", _needs_calendar("warn", parsed_warn, "at the top of the file"))
        elif parsed_warn is not None:
            warn = parsed_warn

    current_to = data.get("current_to")
    if current_to is not None and (isinstance(current_to, datetime) or not isinstance(current_to, date)):
        report.add(path, line_of("current_to"), "current_to", f"expected a date, got {_type_name(current_to)}")
        current_to = None

    declared = data.get("kinds", [])
    if not isinstance(declared, list):
        report.add(path, line_of("kinds"), "kinds", f"expected an array of strings, got {_type_name(declared)}")
        declared = []
    for kind in declared:
        if not isinstance(kind, str) or not ID_PATTERN.fullmatch(kind):
            report.add(path, line_of("kinds"), "kinds", f"kind {kind!r} must be a string matching [a-z0-9][a-z0-9-]*")
        elif kind not in kinds:
            kinds.append(kind)

    raw_parties = data.get("parties", {})
    if not isinstance(raw_parties, dict):
        report.add(path, line_of("parties"), "parties", f"expected a table of parties, got {_type_name(raw_parties)}")
        raw_parties = {}
    party_lines = document.party_lines()
    for code, body in raw_parties.items():
        party_line = party_lines[code] if code in party_lines else document.lines.parties.get(code, line_of("parties"))
        if not isinstance(body, dict):
            report.add(path, party_line, code, f"expected a table with a name, got {_type_name(body)}")
            continue
        for key in body:
            if key not in PARTY_KEYS:
                report.add(
                    path,
                    document.lines.party_keys.get(code, {}).get(key, party_line),
                    code,
                    f"unknown party key {key!r}{_did_you_mean(key, PARTY_KEYS)}",
                )
        name = body.get("name")
        if not isinstance(name, str):
            got = "nothing" if name is None else _type_name(name)
            name_line = document.lines.party_keys.get(code, {}).get("name", party_line)
            report.add(path, name_line, code, f'party needs name = "..." (a string), got {got}')
            continue
        parties.setdefault(code, Party(code, name, path, party_line))

    events = data.get("event", [])
    if not isinstance(events, list):
        report.add(path, line_of("event"), "event", f"expected [[event]] blocks, got {_type_name(events)}")
        events = []

    source = SourceFile(
        path=path,
        title=title,
        zone=zone_name,
        warn=warn,
        current_to=current_to.isoformat() if isinstance(current_to, date) else None,
        bundled=document.bundled,
        calendar=calendar,
    )
    return _FileContext(document, zone, zone_name, warn, events, source, calendar)


def _calendar_value(value: Any, fail: Callable[[str], None]) -> str | None:
    """A holiday calendar's country code, checked against the holidays library (imported only here)."""
    if value is None:
        return None
    if not isinstance(value, str):
        fail(f'calendar must be a country code string such as "CN", got {_type_name(value)}')
        return None
    from trucetrack.core.workdays import CalendarError, check_code

    try:
        check_code(value)
    except CalendarError as exc:
        fail(str(exc))
        return None
    return value


def _needs_calendar(key: str, duration: Duration, where: str) -> str:
    return (
        f"{key} = {duration.text!r} counts working days, but no calendar says which: "
        f'add calendar = "CN" (a country code) {where}'
    )


def _duration_value(value: Any, fail: Callable[[str], None]) -> Duration | None:
    if not isinstance(value, str):
        fail(f'expected a duration string such as "90d", got {_type_name(value)}')
        return None
    try:
        return parse_duration(value)
    except DurationError as exc:
        fail(str(exc))
        return None


class _EventBuilder:
    """Validates one raw event table and builds its Entry (None when invalid)."""

    __slots__ = (
        "context",
        "entry_id",
        "header_line",
        "index",
        "is_table",
        "kinds",
        "order",
        "parties",
        "raw",
        "report",
        "subject",
        "target",
        "valid",
    )

    def __init__(
        self,
        context: _FileContext,
        index: int,
        raw: Any,
        header_line: int,
        report: _Collector,
        kinds: frozenset[str],
        parties: dict[str, Party],
        order: int,
    ) -> None:
        self.context = context
        self.parties = parties
        self.target: str | None = None
        self.index = index
        self.raw = raw if isinstance(raw, dict) else {}
        self.is_table = isinstance(raw, dict)
        self.header_line = header_line
        self.report = report
        self.kinds = kinds
        self.order = order
        self.valid = True
        self.entry_id: str | None = None
        self.subject = "-"

    def line(self, key: str | None = None) -> int:
        if key is None:
            return self.header_line
        return self.context.key_lines(self.index).get(key, self.header_line)

    def fail(self, key: str | None, message: str) -> None:
        self.valid = False
        self.report.add(self.context.path, self.line(key), self.subject, message)

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.fail(None, f"missing {key!r}")
            return None
        if not isinstance(value, str):
            self.fail(key, f"{key} must be a string, got {_type_name(value)}")
            return None
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key)
        if value is None:
            return ()
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, str):
                    break
            else:
                strings = tuple(value)
                return _shared_tuple(strings) if key in _SHARED_LISTS else strings
        self.fail(key, f"{key} must be an array of strings")
        return ()

    def number(self, key: str) -> float | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"{key} must be a number (percent), got {_type_name(value)}")
            return None
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            self.fail(key, f"{key}: {value_out_of_range()}")
            return None
        if not math.isfinite(value):
            self.fail(key, f"{key} must be a finite number (percent), got {value}")
            return None
        if value < 0:
            self.fail(key, f"{key} must not be negative")
            return None
        return float(value)

    def duration(self, key: str) -> Duration | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except DurationError as exc:
                self.fail(key, f"{key}: {exc}")
                return None
        return _duration_value(value, lambda message: self.fail(key, f"{key}: {message}"))

    def instant(self, key: str) -> datetime | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, time) or not isinstance(value, date):
            self.fail(key, f"{key} must be a TOML date or datetime (not a string), got {_type_name(value)}")
            return None
        known = self.context.instants.get(value)
        if known is not None:
            return known
        try:
            instant = to_instant(value, self.context.zone)
        except (LocalTimeError, DateRangeError) as exc:
            self.fail(key, f"{key}: {exc}")
            return None
        self.context.instants[value] = instant
        return instant

    def through(self) -> datetime | None:
        value = self.raw.get("through")
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.fail(
                "through",
                f"through must be a date (the last day covered), got {_type_name(value)}; use end for an exact instant",
            )
            return None
        try:
            return day_after(value, self.context.zone)
        except (LocalTimeError, DateRangeError) as exc:
            self.fail("through", f"through: {exc}")
            return None

    def forbid(self, keys: Sequence[str], why: str) -> None:
        for key in keys:
            if key in self.raw:
                self.fail(key, f"{key} is not allowed {why}")

    def build(self) -> Entry | None:
        if not self.is_table:
            self.fail(None, "each event must be a table ([[event]])")
            return None
        raw = self.raw
        entry_id = raw.get("id")
        if entry_id is None:
            self.fail(None, "missing 'id'")
        elif not isinstance(entry_id, str):
            self.fail("id", f"id must be a string, got {_type_name(entry_id)}")
        elif not ID_PATTERN.fullmatch(entry_id):
            self.subject = entry_id
            self.fail(
                "id", f"bad id {entry_id!r}: use lower-case letters, digits and '-', starting with a letter or digit"
            )
        else:
            self.entry_id = entry_id
            self.subject = entry_id
        if not raw.keys() <= _KNOWN_EVENT_KEYS:
            for key in raw:
                if key not in _KNOWN_EVENT_KEYS:
                    self.fail(key, f"unknown key {key!r}{_did_you_mean(key, EVENT_KEYS)}")

        kind = self.text("kind", required=True)
        if kind is not None and kind not in self.kinds:
            self.fail(
                "kind",
                f"unknown kind {kind!r}{_did_you_mean(kind, sorted(self.kinds))}; "
                "declare it in the file's kinds = [...] to use it",
            )
        is_modifier = kind in MODIFIER_KINDS
        title = self.text("title", required=not is_modifier)
        own_calendar = self.calendar()
        # A modifier's calendar falls back to its target's, which is known only once all are read.
        calendar = own_calendar if is_modifier else own_calendar or self.context.calendar
        warn = self.duration("warn")
        if warn is not None and warn.workdays and calendar is None and not is_modifier and not self.calendar_refused:
            self.fail("warn", _needs_calendar("warn", warn, "to the entry or at the top of the file"))
        fields: dict[str, Any] = {}
        for key in _LIST_FIELDS:
            if key in raw:
                fields[key] = self.strings(key)
        for key in _TEXT_FIELDS:
            if key in raw:
                fields[key] = self.text(key)
        for key in _NUMBER_FIELDS:
            if key in raw:
                fields[key] = self.number(key)
        for code in fields.get("parties", ()):
            if code not in self.parties:
                known = sorted(self.parties)
                hint = _did_you_mean(code, known) or (f" (declared: {', '.join(known)})" if known else "")
                self.fail("parties", f"unknown party {code!r}{hint}; declare it as [parties.{code}]")
        if "rate" in raw and "measure" not in raw:
            self.fail("rate", 'rate needs a measure = "..." naming what it is the rate of')
        if "measure" in raw and "rate" not in raw:
            self.fail("measure", "measure needs a rate = <percent>")
        if "rate_after" in raw and "rate" not in raw:
            self.fail("rate_after", "rate_after needs a rate")

        if kind is None:
            return None
        shape_fields = self.modifier(kind) if is_modifier else self.point_or_span(calendar)
        if shape_fields is None or not self.valid or self.entry_id is None:
            return None
        bare_dates = [key for key in _INSTANT_KEYS if type(raw.get(key)) is date]  # a datetime is a date too
        if self._end_is_a_day(raw) and "end" not in bare_dates:
            bare_dates.append("end")
        return Entry(
            id=self.entry_id,
            kind=kind,
            title=title if title is not None else f"{kind} of {raw.get('target')}",
            file=self.context.path,
            line=self.header_line,
            zone=self.context.zone_name,
            order=self.order,
            warn=warn if warn is not None else self.context.warn,
            date_only=_shared_set(tuple(bare_dates)),
            calendar=calendar,
            **shape_fields,
            **fields,
        )

    @property
    def calendar_refused(self) -> bool:
        """The entry's own calendar, or its file's, was refused (and reported)."""
        return "calendar" in self.raw or self.context.calendar_refused

    def calendar(self) -> str | None:
        """The entry's own ``calendar``, checked (None when absent or invalid)."""
        if "calendar" not in self.raw:
            return None
        return _calendar_value(self.raw["calendar"], lambda message: self.fail("calendar", message))

    @staticmethod
    def _end_is_a_day(raw: dict[str, Any]) -> bool:
        """``through``, or a whole number of days from a bare-date start, ends at a midnight."""
        if "through" in raw:
            return True
        start, length = raw.get("start"), raw.get("duration")
        if isinstance(start, datetime) or not isinstance(start, date) or not isinstance(length, str):
            return False
        try:
            return parse_duration(length).seconds == 0
        except DurationError:
            return False

    def point_or_span(self, calendar: str | None = None) -> dict[str, Any] | None:
        raw = self.raw
        self.forbid(("target", "by"), "here: only extension and termination entries take it")
        has_date, has_start = "date" in raw, "start" in raw
        if has_date and has_start:
            self.fail("start", "give date (a point) or start (a span), not both")
            return None
        if has_date:
            self.forbid(_SPAN_END_KEYS, "on a point (an entry with date); use start for a span")
            return {"shape": "point", "date": self.instant("date"), "announced": self.instant("announced")}
        if not has_start:
            self.fail(None, "needs date = ... (a point) or start = ... (a span)")
            return None
        start = self.instant("start")
        given = [key for key in _SPAN_END_KEYS if key in raw]
        if len(given) > 1:
            self.fail(given[1], f"give only one of end, through and duration (found {', '.join(given)})")
            return None
        end: datetime | None = None
        spec: EndSpec | None = None
        if given:
            key = given[0]
            if key == "end":
                end = self.instant("end")
            elif key == "through":
                end = self.through()
            else:
                length = self.duration("duration")
                if length is not None and length.workdays and calendar is None:
                    if not self.calendar_refused:
                        self.fail(
                            "duration",
                            _needs_calendar("duration", length, "to the entry or at the top of the file"),
                        )
                elif length is not None and start is not None:
                    end = add_duration(start, length, self.context.zone, calendar=calendar)
            raw_value = raw[key]
            spec = EndSpec(key, raw_value if isinstance(raw_value, str) else str(raw_value))
            if end is not None and start is not None and end <= start:
                self.fail(key, f"the span ends ({key}) at or before it starts")
        announced = self.instant("announced")
        return {"shape": "span", "start": start, "end": end, "end_spec": spec, "announced": announced}

    def modifier(self, kind: str) -> dict[str, Any] | None:
        raw = self.raw
        self.forbid(("start", "duration"), f"on an {kind}: it changes its target's end")
        self.forbid(("announced",), f"on an {kind}: its date is when it was decided, and so known")
        target = self.target = self.text("target", required=True)
        if "date" not in raw:
            self.fail(None, f"an {kind} needs date = ... (when it was decided)")
        decided = self.instant("date")
        by: Duration | None = None
        end: datetime | None = None
        spec: EndSpec | None = None
        if kind == "extension":
            given = [key for key in ("by", "end", "through") if key in raw]
            if len(given) != 1:
                self.fail(
                    given[1] if len(given) > 1 else None,
                    "an extension needs exactly one of by, end and through"
                    + (f" (found {', '.join(given)})" if given else ""),
                )
                return None
            key = given[0]
            if key == "by":
                by = self.duration("by")
            elif key == "end":
                end = self.instant("end")
            else:
                end = self.through()
            raw_value = raw[key]
            spec = EndSpec(key, raw_value if isinstance(raw_value, str) else str(raw_value))
        else:
            self.forbid(("by", "through"), "on a termination: give end (when it takes effect) or nothing")
            end = self.instant("end")
            if "end" in raw:
                spec = EndSpec("end", str(raw["end"]))
        return {"shape": "modifier", "target": target, "date": decided, "end": end, "by": by, "end_spec": spec}


# Lists that few distinct values fill (parties, tags): one tuple per value, shared.
_SHARED_LISTS = frozenset({"parties", "tags"})


@cache
def _shared_tuple(strings: tuple[str, ...]) -> tuple[str, ...]:
    return strings


@cache
def _shared_set(keys: tuple[str, ...]) -> frozenset[str]:
    """One frozenset per combination of keys, shared by every entry that has it."""
    return frozenset(keys)


_LineOf = Callable[[Entry, str], int]


def _check_references(
    entries: list[Entry],
    origins: dict[str, tuple[_FileContext, int]],
    report: _Collector,
) -> None:
    """Problems that need the whole timeline: targets and the ends modifiers set.

    ``origins`` holds every id that was read, valid or not, with where it was.
    """
    by_id = {entry.id: entry for entry in entries}
    known_ids = origins.keys()

    def line_of(entry: Entry, key: str) -> int:
        context, index = origins[entry.id]
        return context.key_lines(index).get(key, entry.line)

    def calendar_refused(entry: Entry) -> bool:
        return origins[entry.id][0].calendar_refused

    _resolve_modifier_calendars(entries, by_id, line_of, report, calendar_refused)
    _check_extension_chains(entries, by_id, line_of, report)
    for entry in entries:
        if not entry.is_modifier or entry.target is None:
            continue
        target = by_id.get(entry.target)
        if target is None and entry.target in known_ids:
            continue  # the target itself is invalid and already reported
        if target is None:
            report.add(
                entry.file,
                line_of(entry, "target"),
                entry.id,
                f"unknown target {entry.target!r}{_did_you_mean(entry.target, sorted(by_id))}",
            )
        elif target.is_point:
            report.add(
                entry.file,
                line_of(entry, "target"),
                entry.id,
                f"target {target.id!r} is a point (it has date); {entry.kind}s apply to spans only",
            )
        elif target.is_modifier:
            report.add(
                entry.file,
                line_of(entry, "target"),
                entry.id,
                f"target {target.id!r} is {article(target.kind)} {target.kind}; {entry.kind}s apply to spans only",
            )
        elif entry.by is not None and target.end is None:
            report.add(
                entry.file,
                line_of(entry, "by"),
                entry.id,
                f"target {target.id!r} is open-ended: extend it with end or through, not by",
            )
        elif (
            # A termination may take effect at or before the start: it cancels the span.
            entry.kind == "extension"
            and target.start is not None
            and entry.end is not None
            and entry.end <= target.start
        ):
            key = entry.end_spec.key if entry.end_spec else "end"
            report.add(entry.file, line_of(entry, key), entry.id, f"new end is at or before {target.id!r} starts")


def _resolve_modifier_calendars(
    entries: list[Entry],
    by_id: dict[str, Entry],
    line_of: _LineOf,
    report: _Collector,
    calendar_refused: Callable[[Entry], bool],
) -> None:
    """A modifier counts working days in its own calendar, else its target's (which is
    the target's own, else the target file's); ``by = "10wd"`` with neither is an error."""
    for index, entry in enumerate(entries):
        if not entry.is_modifier or entry.calendar is not None:
            continue
        target = by_id.get(entry.target or "")
        calendar = target.calendar if target is not None and not target.is_modifier else None
        if calendar is not None:
            entries[index] = by_id[entry.id] = replace(entry, calendar=calendar)
        elif target is not None and entry.by is not None and entry.by.workdays and not calendar_refused(target):
            report.add(
                entry.file,
                line_of(entry, "by"),
                entry.id,
                _needs_calendar("by", entry.by, f"to the extension or to its target {target.id!r}"),
            )


def _check_extension_chains(
    entries: list[Entry], by_id: dict[str, Entry], line_of: _LineOf, report: _Collector
) -> None:
    """Every ``by`` of a target applied in turn must keep its end within the supported years."""
    chains: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.kind == "extension" and entry.by is not None and entry.target in by_id:
            chains.setdefault(entry.target, []).append(entry)
    for target_id, extensions in chains.items():
        current = by_id[target_id].end
        if current is None:
            continue
        zone = get_zone(by_id[target_id].zone)
        for extension in sorted(extensions, key=lambda e: (e.date, e.order)):
            assert extension.by is not None
            if extension.by.workdays and extension.calendar is None:
                break  # reported: no calendar to count its working days in
            try:
                current = add_duration(current, extension.by, zone, calendar=extension.calendar)
            except OverflowError:
                current = None
            if current is None or current.year > LAST_YEAR + MAX_YEARS:
                line = line_of(extension, "by")
                report.add(
                    extension.file,
                    line,
                    extension.id,
                    f"extensions of {target_id!r} push its end past the year {LAST_YEAR + MAX_YEARS}",
                )
                break
