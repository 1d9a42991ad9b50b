"""What a change to a timeline means: entries added and removed, fields changed, deadlines moved.

``compare`` is a pure function of two timelines, an as-of instant and a
display zone. It compares meanings, not text: two files that differ only in
layout, key order, comments or the way a value is written (``90d`` or
``90 days``, a duration or the end it gives) are the same. Effective ends and
statuses are computed as of the instant, so a change shows what was known
then: ``geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)``.

The result is data; ``trucetrack.output.diff`` renders it as text and JSON.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from zoneinfo import ZoneInfo

from trucetrack.core.dates import format_day_or_instant, format_instant, isoformat
from trucetrack.core.model import BUILTIN_KINDS, Duration, Entry, SourceFile, Timeline
from trucetrack.core.text import clean_line
from trucetrack.engine.ends import end_written_as_day
from trucetrack.engine.status import EndChange, Engine, EntryState, cancelled_by, days_between

# Fields compared between two versions of an entry, in the order keys are written in a file.
_INSTANT_FIELDS = ("date", "start", "end", "announced")
_TEXT_FIELDS = ("kind", "title", "target", "calendar", "place", "measure", "instrument", "notes")
_LIST_FIELDS = ("parties", "sources", "tags")
_FIELD_ORDER = (
    "kind",
    "title",
    "target",
    "date",
    "start",
    "end",
    "by",
    "calendar",
    "warn",
    "parties",
    "place",
    "measure",
    "rate",
    "rate_after",
    "instrument",
    "announced",
    "sources",
    "tags",
    "notes",
)

JsonValue = str | float | int | list[str] | None


@dataclass(frozen=True)
class Change:
    """One field that differs: for an entry (``subject`` is its id) or for the timeline's header."""

    subject: str
    field: str
    old_text: str
    new_text: str
    old_value: JsonValue
    new_value: JsonValue


@dataclass(frozen=True)
class EntryNote:
    """An entry that was added or removed.

    ``when`` is the text shown (``2025-05-14 00:01 EDT → 2025-08-12 00:01 EDT``);
    ``begins`` (date or start; a modifier's decision date) and ``end`` (a span's
    effective end as of the instant, the end a modifier sets when it gives one)
    are the instants behind it, for JSON.
    """

    id: str
    kind: str
    title: str
    when: str
    file: str
    begins: datetime | None = None
    end: datetime | None = None
    target: str | None = None


@dataclass(frozen=True)
class EndMove:
    """A span whose effective end (as of the instant) moved."""

    id: str
    old: datetime | None
    new: datetime | None
    old_text: str
    new_text: str
    days: int | None


@dataclass(frozen=True)
class StatusChange:
    id: str
    old: str
    new: str


@dataclass(frozen=True)
class SemanticDiff:
    as_of: datetime
    zone: ZoneInfo
    timeline: tuple[Change, ...] = ()
    added: tuple[EntryNote, ...] = ()
    removed: tuple[EntryNote, ...] = ()
    changed: tuple[Change, ...] = ()
    ends_moved: tuple[EndMove, ...] = ()
    status_changed: tuple[StatusChange, ...] = ()

    @property
    def same(self) -> bool:
        return not (
            self.timeline or self.added or self.removed or self.changed or self.ends_moved or self.status_changed
        )


# ---------------------------------------------------------------- comparing


def _duration_key(duration: Duration | None) -> tuple[int, int, int, int] | None:
    return None if duration is None else (duration.months, duration.days, duration.seconds, duration.workdays)


def _quoted(text: str | None) -> str:
    return "(none)" if text is None else json.dumps(clean_line(text), ensure_ascii=False)


def _number(value: float | None) -> str:
    return "(none)" if value is None else f"{value:g}"


def _listed(values: Sequence[str]) -> str:
    return "[" + ", ".join(clean_line(v) for v in values) + "]" if values else "(none)"


class _Comparer:
    def __init__(
        self, old: Timeline, new: Timeline, as_of: datetime, zone: ZoneInfo, renamed: Mapping[str, str]
    ) -> None:
        self.renamed = renamed
        self.old = old
        self.new = new
        self.as_of = as_of
        self.zone = zone
        self.old_engine = Engine(old)
        self.new_engine = Engine(new)
        self.old_files = {f.path: f for f in old.files}
        self.new_files = {f.path: f for f in new.files}

    def instant_text(self, entry: Entry, key: str, value: datetime | None) -> str:
        if value is None:
            return "(none)"
        return format_day_or_instant(value, self.zone, date_only=key in entry.date_only)

    def end_text(self, entry: Entry, history: Sequence[EndChange], value: datetime | None) -> str:
        """An end the span has had: a date alone when a file wrote it as a bare date."""
        if value is None:
            return "open-ended"
        written = end_written_as_day(entry, history, value)
        return format_day_or_instant(value, self.zone, date_only=written is not None)

    def when(self, entry: Entry, engine: Engine) -> str:
        """When an added or removed entry happens, as of the instant (``engine``: its side's)."""
        if entry.is_modifier:
            decided = self.instant_text(entry, "date", entry.date)
            if entry.by is not None:
                effect = f"+{clean_line(entry.by.text)}"
            elif entry.kind == "extension":
                effect = f"→ {self.instant_text(entry, 'end', entry.end)}"
            elif _cancels_its_target(entry, engine):
                effect = "cancelled (never in force)"
            else:
                key = "end" if entry.end is not None else "date"
                effect = f"ends {self.instant_text(entry, key, entry.end or entry.date)}"
            return f"{entry.target} {effect}, decided {decided}"
        if entry.is_point:
            return self.instant_text(entry, "date", entry.date)
        history = engine.end_history(entry, self.as_of)
        canceller = cancelled_by(entry, history)
        if canceller is not None:
            shown = f"cancelled by {canceller.id}"
        else:
            shown = self.end_text(entry, history, history[-1].end)
        return f"{self.instant_text(entry, 'start', entry.start)} → {shown}"

    def note(self, entry: Entry, engine: Engine) -> EntryNote:
        end: datetime | None
        if entry.is_modifier:
            end = entry.end if entry.end is not None or entry.kind == "extension" else entry.date
        elif entry.is_span:
            history = engine.end_history(entry, self.as_of)
            end = None if cancelled_by(entry, history) is not None else history[-1].end
        else:
            end = None
        return EntryNote(
            entry.id,
            entry.kind,
            clean_line(entry.title),
            self.when(entry, engine),
            clean_line(entry.file),
            begins=entry.begins,
            end=end,
            target=entry.target,
        )

    def field_changes(self, old: Entry, new: Entry) -> list[Change]:
        changes: list[Change] = []
        for key in _FIELD_ORDER:
            change = self.field_change(old, new, key)
            if change is not None:
                changes.append(change)
        return changes

    def field_change(self, old: Entry, new: Entry, key: str) -> Change | None:
        subject = old.id
        if key in _TEXT_FIELDS:
            before, after = getattr(old, key), getattr(new, key)
            if before == after or (key == "calendar" and self.inherited_calendar(old, new)):
                return None
            return Change(subject, key, _quoted(before), _quoted(after), _clean(before), _clean(after))
        if key in _LIST_FIELDS:
            before_list, after_list = getattr(old, key), getattr(new, key)
            if before_list == after_list:
                return None
            return Change(
                subject,
                key,
                _listed(before_list),
                _listed(after_list),
                [clean_line(v) for v in before_list],
                [clean_line(v) for v in after_list],
            )
        if key in _INSTANT_FIELDS:
            before_at, after_at = getattr(old, key), getattr(new, key)
            if before_at == after_at:
                return None
            return Change(
                subject,
                key,
                self.instant_text(old, key, before_at),
                self.instant_text(new, key, after_at),
                isoformat(before_at, self.zone),
                isoformat(after_at, self.zone),
            )
        if key in ("by", "warn"):
            before_duration, after_duration = getattr(old, key), getattr(new, key)
            if _duration_key(before_duration) == _duration_key(after_duration):
                return None
            if key == "warn" and self.inherited_warn(old, new):
                return None
            before_text = clean_line(before_duration.text) if before_duration else None
            after_text = clean_line(after_duration.text) if after_duration else None
            return Change(subject, key, before_text or "(none)", after_text or "(none)", before_text, after_text)
        before_number, after_number = getattr(old, key), getattr(new, key)
        if before_number == after_number:
            return None
        return Change(subject, key, _number(before_number), _number(after_number), before_number, after_number)

    def inherited_calendar(self, old: Entry, new: Entry) -> bool:
        """Both calendars are inherited: their files' (the timeline section tells that
        change once) or, for modifiers, their targets' (the target's change tells it)."""
        if old.is_modifier and new.is_modifier:
            old_target = self.old.entry(old.target or "")
            new_target = self.new.entry(new.target or "")
            return (
                old_target is not None
                and new_target is not None
                and old.calendar == old_target.calendar
                and new.calendar == new_target.calendar
            )
        old_file, new_file = self.old_files.get(old.file), self.new_files.get(new.file)
        if old_file is None or new_file is None:
            return False
        return old.calendar == old_file.calendar and new.calendar == new_file.calendar

    def inherited_warn(self, old: Entry, new: Entry) -> bool:
        """Both warns are their files' defaults, so the timeline section already tells the change."""
        old_file, new_file = self.old_files.get(old.file), self.new_files.get(new.file)
        if old_file is None or new_file is None:
            return False
        return _duration_key(old.warn) == _duration_key(old_file.warn) and _duration_key(new.warn) == _duration_key(
            new_file.warn
        )

    def compare(self) -> SemanticDiff:
        old_by_id = {e.id: e for e in self.old.entries}
        new_by_id = {e.id: e for e in self.new.entries}
        added = [self.note(e, self.new_engine) for e in self.new.entries if e.id not in old_by_id]
        removed = [self.note(e, self.old_engine) for e in self.old.entries if e.id not in new_by_id]
        changed: list[Change] = []
        moves: list[EndMove] = []
        statuses: list[StatusChange] = []
        for entry_id in sorted(old_by_id.keys() & new_by_id.keys()):
            old, new = old_by_id[entry_id], new_by_id[entry_id]
            move = None
            if not old.is_modifier and not new.is_modifier:
                old_state = self.old_engine.state(old, self.as_of, self.zone)
                new_state = self.new_engine.state(new, self.as_of, self.zone)
                if _end_moved(old_state, new_state):
                    move = self.end_move(old_state, new_state)
                    moves.append(move)
                if old_state.status != new_state.status:
                    statuses.append(StatusChange(entry_id, old_state.status, new_state.status))
            for change in self.field_changes(old, new):
                if change.field == "end" and move is not None and old.end == move.old and new.end == move.new:
                    continue  # the move says it, with the days
                changed.append(change)
        return SemanticDiff(
            as_of=self.as_of,
            zone=self.zone,
            timeline=tuple(self.timeline_changes()),
            added=tuple(added),
            removed=tuple(removed),
            changed=tuple(changed),
            ends_moved=tuple(moves),
            status_changed=tuple(statuses),
        )

    def end_move(self, old_state: EntryState, new_state: EntryState) -> EndMove:
        """How one span's effective end moved from the old side to the new."""
        old, new = old_state.end, new_state.end
        days = days_between(old, new, self.zone) if old is not None and new is not None else None
        return EndMove(new_state.id, old, new, _instant_text(old, self.zone), _instant_text(new, self.zone), days)

    def timeline_changes(self) -> list[Change]:
        changes: list[Change] = []
        for label, old_file, new_file in _paired_files(self.old.files, self.new.files, self.renamed):
            if old_file is None or new_file is None:
                change_text = "(none)"
                present = old_file or new_file
                assert present is not None
                name = clean_line(present.path)
                before, after = (name, change_text) if new_file is None else (change_text, name)
                changes.append(Change("timeline", "file", before, after, _clean(before), _clean(after)))
                continue
            prefix = f"{label}: " if label else ""
            for key in ("title", "zone", "current_to", "calendar"):
                before_text, after_text = getattr(old_file, key), getattr(new_file, key)
                if before_text != after_text:
                    name = "timezone" if key == "zone" else key
                    changes.append(
                        Change(
                            "timeline",
                            prefix + name,
                            _quoted(before_text),
                            _quoted(after_text),
                            _clean(before_text),
                            _clean(after_text),
                        )
                    )
            if _duration_key(old_file.warn) != _duration_key(new_file.warn):
                changes.append(
                    Change(
                        "timeline",
                        prefix + "warn",
                        clean_line(old_file.warn.text),
                        clean_line(new_file.warn.text),
                        clean_line(old_file.warn.text),
                        clean_line(new_file.warn.text),
                    )
                )
        old_parties = {p.code: p.name for p in self.old.parties}
        new_parties = {p.code: p.name for p in self.new.parties}
        for code in sorted(old_parties.keys() | new_parties.keys()):
            before_name, after_name = old_parties.get(code), new_parties.get(code)
            if before_name != after_name:
                changes.append(
                    Change(
                        "timeline",
                        f"party {clean_line(code)}",
                        _quoted(before_name),
                        _quoted(after_name),
                        _clean(before_name),
                        _clean(after_name),
                    )
                )
        old_kinds = [k for k in self.old.kinds if k not in BUILTIN_KINDS]
        new_kinds = [k for k in self.new.kinds if k not in BUILTIN_KINDS]
        if set(old_kinds) != set(new_kinds):
            changes.append(
                Change(
                    "timeline",
                    "kinds",
                    _listed(sorted(old_kinds)),
                    _listed(sorted(new_kinds)),
                    sorted(old_kinds),
                    sorted(new_kinds),
                )
            )
        return changes


def _instant_text(value: datetime | None, zone: ZoneInfo) -> str:
    """A moved end, always with its time of day: ``2025-10-01 00:00 EDT``."""
    return "open-ended" if value is None else format_instant(value, zone)


def _clean(text: str | None) -> str | None:
    return None if text is None else clean_line(text)


def _paired_files(
    old: Sequence[SourceFile], new: Sequence[SourceFile], renamed: Mapping[str, str]
) -> list[tuple[str, SourceFile | None, SourceFile | None]]:
    """Files of the two sides matched up: one file each is a pair; otherwise the ``renamed``
    pairs (old path → new path), then the rest by file name."""
    if len(old) == 1 and len(new) == 1:
        return [("", old[0], new[0])]
    new_by_path = {f.path: f for f in new}
    pairs: list[tuple[str, SourceFile | None, SourceFile | None]] = []
    paired_old: set[str] = set()
    paired_new: set[str] = set()
    for old_file in old:
        new_file = new_by_path.get(renamed.get(old_file.path, ""))
        if new_file is not None:
            pairs.append((PurePath(new_file.path).name, old_file, new_file))
            paired_old.add(old_file.path)
            paired_new.add(new_file.path)
    old_by_name = {PurePath(f.path).name: f for f in old if f.path not in paired_old}
    new_by_name = {PurePath(f.path).name: f for f in new if f.path not in paired_new}
    pairs.extend(
        (name, old_by_name.get(name), new_by_name.get(name)) for name in old_by_name.keys() | new_by_name.keys()
    )
    return sorted(pairs, key=lambda pair: pair[0])


def compare(
    old: Timeline, new: Timeline, as_of: datetime, zone: ZoneInfo, *, renamed: Mapping[str, str] | None = None
) -> SemanticDiff:
    """The semantic difference from ``old`` to ``new`` as of ``as_of``, with instants shown in ``zone``.

    ``renamed`` maps the path of an old file to that of a new one that is the
    same file under another name (a rename, as git reports it).
    """
    diff = _Comparer(old, new, as_of, zone, renamed or {}).compare()
    old_index = {e.id: e for e in old.entries}
    new_index = {e.id: e for e in new.entries}

    def chronological(notes: tuple[EntryNote, ...], index: dict[str, Entry]) -> tuple[EntryNote, ...]:
        def key(note: EntryNote) -> tuple[bool, datetime, str]:
            begins = index[note.id].begins
            return (begins is None, begins or as_of, note.id)

        return tuple(sorted(notes, key=key))

    return SemanticDiff(
        as_of=diff.as_of,
        zone=diff.zone,
        timeline=diff.timeline,
        added=chronological(diff.added, new_index),
        removed=chronological(diff.removed, old_index),
        changed=diff.changed,
        ends_moved=diff.ends_moved,
        status_changed=diff.status_changed,
    )


def _cancels_its_target(termination: Entry, engine: Engine) -> bool:
    """Whether a termination takes effect at or before its target starts (it cancels it)."""
    target = engine.entry(termination.target) if termination.target is not None else None
    takes_effect = termination.end or termination.date
    return target is not None and target.start is not None and takes_effect is not None and takes_effect <= target.start


def _end_moved(old: EntryState, new: EntryState) -> bool:
    """Whether a span's effective end moved. A span cancelled on either side has no end:
    its change of status (``scheduled → cancelled``) says what happened."""
    if not (old.entry.is_span and new.entry.is_span) or old.cancelled_by or new.cancelled_by:
        return False
    return old.end != new.end


def effects(
    old: Timeline, new: Timeline, ids: Collection[str], as_of: datetime, zone: ZoneInfo
) -> tuple[list[EndMove], list[StatusChange]]:
    """Deadlines moved and statuses changed for just the entries ``ids`` (what one edit can touch)."""
    comparer = _Comparer(old, new, as_of, zone, {})
    old_by_id = {e.id: e for e in old.entries if e.id in ids}
    new_by_id = {e.id: e for e in new.entries if e.id in ids}
    moves: list[EndMove] = []
    statuses: list[StatusChange] = []
    for entry_id in sorted(old_by_id.keys() & new_by_id.keys()):
        before, after = old_by_id[entry_id], new_by_id[entry_id]
        if before.is_modifier or after.is_modifier:
            continue
        old_state = comparer.old_engine.state(before, as_of, zone)
        new_state = comparer.new_engine.state(after, as_of, zone)
        if _end_moved(old_state, new_state):
            moves.append(comparer.end_move(old_state, new_state))
        if old_state.status != new_state.status:
            statuses.append(StatusChange(entry_id, old_state.status, new_state.status))
    return moves, statuses
