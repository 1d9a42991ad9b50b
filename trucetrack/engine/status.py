"""What is in force as of an instant: effective ends, statuses, countdowns.

Pure functions of (timeline, as-of instant, display zone). Nothing here reads
the clock or the environment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from trucetrack.core.dates import get_zone
from trucetrack.core.durations import add_duration
from trucetrack.core.model import Duration, Entry, Timeline

POINT_STATUSES = ("upcoming", "past")
SPAN_STATUSES = ("scheduled", "active", "expiring", "expired", "terminated", "cancelled", "superseded")
STATUSES = POINT_STATUSES + SPAN_STATUSES
# Left out of `status` unless --all or an explicit --status asks for them.
FINISHED_STATUSES = frozenset({"expired", "terminated", "cancelled", "past", "superseded"})
# Finished statuses of a span that did end, which --recent keeps on the default screen.
ENDED_STATUSES = frozenset({"expired", "terminated"})


@dataclass(frozen=True, slots=True)
class EndChange:
    """One step in the history of a span's end.

    ``modifier`` is None for the span's own end. ``by`` is set when an
    extension added a duration to the end current at that point.
    """

    end: datetime | None
    previous: datetime | None
    modifier: Entry | None = None
    by: Duration | None = None

    @property
    def kind(self) -> str:
        return "original" if self.modifier is None else self.modifier.kind


@dataclass(frozen=True, slots=True)
class EntryState:
    """An entry (point or span) as of an instant.

    A cancelled span (a termination decided by the instant takes effect at or
    before its start) never takes effect: it has no ``end`` and counts to
    nothing; ``cancelled_by`` is that termination, the last of its ``history``.
    """

    entry: Entry
    status: str
    end: datetime | None
    original_end: datetime | None
    history: tuple[EndChange, ...]
    counted_to: datetime | None
    days_left: int | None
    seconds_left: int | None
    superseded_by: Entry | None = None
    cancelled_by: Entry | None = None
    # False when something the state rests on happened after the file's
    # current_to and by the instant: the file cannot confirm it.
    confirmed: bool = True
    # For an entry with a holiday calendar: its working days from the as-of day
    # (inclusive) to its end's day (a point's date; exclusive), both in the entry's
    # zone, also while a span is scheduled; negative once that day has passed.
    # None without a calendar or without an end.
    working_days_left: int | None = None
    # For an entry with a calendar: whether a working-day count behind its end or its
    # working_days_left crosses a year whose official schedule the holidays library
    # lacks (a guess until the schedule is published). None without a calendar.
    provisional: bool | None = None

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass(frozen=True)
class Filters:
    """The status filters: repeats of one filter OR together, different ones AND."""

    show_all: bool = False
    within: Duration | None = None
    kinds: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    # Spans that ended (expired or terminated) this recently stay on the default screen.
    recent: Duration | None = None


class Engine:
    """Evaluates one timeline; builds its indexes once, then answers per instant."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        modifiers: dict[str, list[Entry]] = defaultdict(list)
        measures: dict[str, list[Entry]] = defaultdict(list)
        terminated: set[str] = set()
        for entry in timeline.entries:
            if entry.is_modifier and entry.target is not None:
                modifiers[entry.target].append(entry)
                if entry.kind == "termination":
                    terminated.add(entry.target)
            elif entry.measure is not None and entry.begins is not None:
                measures[entry.measure].append(entry)
        for targeted in modifiers.values():
            # Modifiers decided at the same instant apply in id order, never file
            # order, so reordering a file (fmt) cannot change what it means.
            targeted.sort(key=lambda m: (_utc(m.date), m.id))
        self._modifiers = dict(modifiers)
        self._terminated = frozenset(terminated)  # the spans some termination targets
        self._by_id: dict[str, Entry] | None = None
        self._next_in_measure: dict[str, Entry] = {}
        self._checked_until = checked_until(timeline)
        for entries in measures.values():
            entries.sort(key=lambda e: (_utc(e.begins), e.id))  # ties: by id, as for modifiers
            for earlier, later in pairwise(entries):
                self._next_in_measure[earlier.id] = later

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with id ``entry_id`` (an index built on first use)."""
        if self._by_id is None:
            self._by_id = {entry.id: entry for entry in self.timeline.entries}
        return self._by_id.get(entry_id)

    def end_history(self, entry: Entry, as_of: datetime) -> tuple[EndChange, ...]:
        """The span's own end, then each modifier decided by ``as_of``, in date order.

        A termination that cancels the span is its last change: nothing decided
        after it applies to a span that never takes effect.
        """
        return self._history(entry, as_of.astimezone(UTC))

    def cancelled_by(self, entry: Entry, as_of: datetime) -> Entry | None:
        """The termination decided by ``as_of`` that cancels span ``entry``, if any."""
        if not entry.is_span or entry.id not in self._terminated:
            return None
        return cancelled_by(entry, self._history(entry, as_of.astimezone(UTC)))

    def _history(self, entry: Entry, as_of: datetime) -> tuple[EndChange, ...]:
        history = [EndChange(entry.end, None)]
        current = entry.end
        for modifier in self._modifiers.get(entry.id, ()):
            if modifier.date is None or modifier.date > as_of:
                continue
            previous = current
            if modifier.kind == "extension":
                if modifier.by is not None:
                    if current is None:
                        continue
                    current = add_duration(current, modifier.by, get_zone(entry.zone), calendar=modifier.calendar)
                else:
                    current = modifier.end
            else:
                takes_effect = modifier.end or modifier.date
                current = takes_effect if current is None else min(current, takes_effect)
            change = EndChange(end=current, previous=previous, modifier=modifier, by=modifier.by)
            history.append(change)
            if cancels(entry, change):
                break
        return tuple(history)

    def state(self, entry: Entry, as_of: datetime, zone: ZoneInfo) -> EntryState:
        """The state of one point or span as of ``as_of``, counted in ``zone``."""
        return self._state(entry, _Clock(as_of, zone))

    def _state(self, entry: Entry, clock: _Clock) -> EntryState:
        state = self._bare_state(entry, clock)
        cutoff = self._checked_until.get(entry.file)
        if cutoff is None or clock.as_of < cutoff:
            return state
        if self._unconfirmed(state, cutoff, clock.as_of):
            return replace(state, confirmed=False)
        return state

    def _bare_state(self, entry: Entry, clock: _Clock) -> EntryState:
        as_of = clock.as_of
        if entry.is_point:
            assert entry.date is not None
            status = "upcoming" if as_of < entry.date else "past"
            return _with_countdown(entry, status, None, None, (), entry.date, clock)
        history = self._history(entry, as_of)
        canceller = cancelled_by(entry, history)
        if canceller is not None:
            return _with_countdown(entry, "cancelled", None, entry.end, history, None, clock, cancelled_by=canceller)
        end = history[-1].end
        status = self._span_status(entry, history, as_of)
        superseder = self._superseder(entry, end, as_of)
        if superseder is not None:
            status = "superseded"
        counted_to = entry.start if status == "scheduled" else end
        return _with_countdown(entry, status, end, entry.end, history, counted_to, clock, superseder)

    @staticmethod
    def _unconfirmed(state: EntryState, cutoff: datetime, as_of: datetime) -> bool:
        """Whether the state rests on a change after ``cutoff`` (the file's data ends
        there) and at or before ``as_of``: a point's date, a start, the effective
        end, or the start of what superseded it."""
        entry = state.entry
        changes = [entry.date, entry.start, state.end]
        if state.superseded_by is not None:
            changes.append(state.superseded_by.begins)
        return any(change is not None and cutoff <= change <= as_of for change in changes)

    @staticmethod
    def _span_status(entry: Entry, history: tuple[EndChange, ...], as_of: datetime) -> str:
        assert entry.start is not None
        if as_of < entry.start:
            return "scheduled"
        end = history[-1].end
        if end is None:
            return "active"
        if as_of >= end:
            return "terminated" if end_setter(history).kind == "termination" else "expired"
        warn = entry.warn or Duration()
        if end - as_of > _longest(warn):
            return "active"  # far from the end: no need for wall-clock arithmetic
        if add_duration(end, warn, get_zone(entry.zone), sign=-1, calendar=entry.calendar) <= as_of:
            return "expiring"
        return "active"

    def _superseder(self, entry: Entry, end: datetime | None, as_of: datetime) -> Entry | None:
        """The later entry of the same measure that started while this one (ending at ``end``) ran.

        A cancelled entry never starts, so it supersedes nothing: the next one after it may.
        """
        later = self._next_in_measure.get(entry.id)
        while later is not None and self.cancelled_by(later, as_of) is not None:
            later = self._next_in_measure.get(later.id)
        if later is None or later.begins is None or later.begins > as_of:
            return None
        if end is not None and end <= later.begins:
            return None
        return later

    def states(self, as_of: datetime, zone: ZoneInfo) -> list[EntryState]:
        """Every point and span, sorted: by the instant counted to, then id; open-ended last."""
        clock = _Clock(as_of, zone)
        states = [self._state(entry, clock) for entry in self.timeline.entries if not entry.is_modifier]
        return sort_states(states)


def checked_until(timeline: Timeline) -> dict[str, datetime]:
    """For each file with ``current_to = D``: 00:00 of the day after D in its zone,
    from when on its data confirms nothing (it was checked through the whole of D)."""
    from datetime import date as Date

    from trucetrack.core.dates import day_after

    return {
        source.path: day_after(Date.fromisoformat(source.current_to), get_zone(source.zone))
        for source in timeline.files
        if source.current_to is not None
    }


def unconfirmed_files(timeline: Timeline, as_of: datetime) -> list[tuple[str, str]]:
    """The files (path, current_to) whose data ends before ``as_of``."""
    cutoffs = checked_until(timeline)
    return [
        (source.path, source.current_to)
        for source in timeline.files
        if source.current_to is not None and cutoffs[source.path] <= as_of
    ]


def cancels(target: Entry, change: EndChange) -> bool:
    """Whether ``change`` is a termination that takes effect at or before ``target`` starts:
    it cancels the span, which then never takes effect."""
    modifier = change.modifier
    return (
        modifier is not None
        and modifier.kind == "termination"
        and target.start is not None
        and change.end is not None
        and change.end <= target.start
    )


def cancelled_by(target: Entry, history: Sequence[EndChange]) -> Entry | None:
    """The termination that cancelled span ``target``, when its ``history`` ends with one."""
    last = history[-1]
    return last.modifier if len(history) > 1 and cancels(target, last) else None


def end_setter(history: Sequence[EndChange]) -> EndChange:
    """The change that set the end now in force: the last that moved it.

    A termination that takes effect after the end already in force changes
    nothing, so it does not make an expired span 'terminated', nor a span that
    another termination ended anything else.
    """
    for change in reversed(history[1:]):
        if change.end != change.previous:
            return change
    return history[0]


def sort_states(states: Iterable[EntryState]) -> list[EntryState]:
    return sorted(
        states,
        key=lambda s: (s.counted_to is None, _utc(s.counted_to) if s.counted_to else _EPOCH, s.id),
    )


def select(states: Sequence[EntryState], filters: Filters, as_of: datetime, zone: ZoneInfo) -> list[EntryState]:
    """Apply the status filters; without --all or --status, finished entries are left out."""
    within = filters.within
    horizon = add_duration(as_of, within, zone) if within is not None and not within.workdays else None
    chosen = []
    for state in states:
        entry = state.entry
        if filters.statuses:
            if state.status not in filters.statuses:
                continue
        elif (
            not filters.show_all
            and state.status in FINISHED_STATUSES
            and not _ended_recently(state, filters, as_of, zone)
        ):
            continue
        if filters.kinds and entry.kind not in filters.kinds:
            continue
        if filters.parties and not set(filters.parties) & set(entry.parties):
            continue
        if filters.tags and not set(filters.tags) & set(entry.tags):
            continue
        if within is not None and not inside_window(state, as_of, within, horizon):
            continue
        chosen.append(state)
    return chosen


def inside_window(state: EntryState, as_of: datetime, within: Duration, horizon: datetime | None) -> bool:
    """Whether the instant ``state`` counts to lies from ``as_of`` to ``horizon`` (as-of plus
    ``within``); working days are counted in each entry's calendar, on its zone's wall clock
    (an entry without a calendar has no working days: it is never inside)."""
    if state.counted_to is None or state.counted_to < as_of:
        return False
    if within.workdays:
        if state.entry.calendar is None:
            return False
        horizon = add_duration(as_of, within, get_zone(state.entry.zone), calendar=state.entry.calendar)
    assert horizon is not None
    return state.counted_to <= horizon


def window_needs_calendar(states: Iterable[EntryState], within: Duration | None) -> list[EntryState]:
    """The entries a working-day window leaves out because they have no calendar."""
    if within is None or not within.workdays:
        return []
    return [state for state in states if state.entry.calendar is None]


def _ended_recently(state: EntryState, filters: Filters, as_of: datetime, zone: ZoneInfo) -> bool:
    """A span that expired or was terminated within ``filters.recent`` of ``as_of``:
    "the truce lapsed 22 days ago" belongs on the first screen."""
    recent = filters.recent
    if recent is None or state.status not in ENDED_STATUSES or state.end is None:
        return False
    if not (recent.months or recent.days or recent.seconds):
        return False
    return add_duration(as_of, recent, zone, sign=-1) <= state.end <= as_of


def days_between(start: datetime, end: datetime, zone: ZoneInfo) -> int:
    """Calendar days from start's date to end's date, both in ``zone``."""
    return (end.astimezone(zone).date() - start.astimezone(zone).date()).days


def working_days_between(start: datetime, end: datetime, zone: ZoneInfo, calendar: str) -> int:
    """Working days in ``calendar`` from start's day (inclusive) to end's day (exclusive),
    both days in ``zone``; negative when end's day comes first."""
    from trucetrack.core.workdays import calendar as work_calendar  # only timelines with a calendar

    return work_calendar(calendar).count(start.astimezone(zone).date(), end.astimezone(zone).date())


def seconds_between(start: datetime, end: datetime) -> int:
    """Exact elapsed seconds, computed on UTC instants (never on the wall clock)."""
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def _longest(duration: Duration) -> timedelta:
    """An upper bound of ``duration`` in elapsed time: 31-day months, an hour for DST;
    a working day is at most two calendar days on average, plus a long holiday's worth."""
    days = duration.months * 31 + duration.days + (2 * duration.workdays + 21 if duration.workdays else 0)
    return timedelta(days=days, seconds=duration.seconds, hours=1)


def _utc(instant: datetime | None) -> datetime:
    return instant.astimezone(UTC) if instant is not None else _EPOCH


class _Clock:
    """The as-of instant in UTC and its calendar day in the display zone,
    worked out once for all the entries counted against them."""

    __slots__ = ("as_of", "today", "zone")

    def __init__(self, as_of: datetime, zone: ZoneInfo) -> None:
        self.as_of = as_of.astimezone(UTC)
        self.zone = zone
        self.today = self.as_of.astimezone(zone).date()

    def days_to(self, instant: datetime) -> int:
        """As ``days_between(as_of, instant, zone)``."""
        return (instant.astimezone(self.zone).date() - self.today).days

    def seconds_to(self, instant: datetime) -> int:
        """As ``seconds_between(as_of, instant)``."""
        return int((instant.astimezone(UTC) - self.as_of).total_seconds())


def _with_countdown(
    entry: Entry,
    status: str,
    end: datetime | None,
    original_end: datetime | None,
    history: tuple[EndChange, ...],
    counted_to: datetime | None,
    clock: _Clock,
    superseded_by: Entry | None = None,
    cancelled_by: Entry | None = None,
) -> EntryState:
    days_left = seconds_left = working_days_left = None
    if counted_to is not None:
        days_left = clock.days_to(counted_to)
        seconds_left = clock.seconds_to(counted_to)
    # Working days are counted to the end's day, also while a span is scheduled (when
    # days_left counts to its start): "how many working days until the deadline".
    worked_to = end if entry.is_span and status == "scheduled" else counted_to
    if entry.calendar is not None and worked_to is not None:
        working_days_left = working_days_between(clock.as_of, worked_to, get_zone(entry.zone), entry.calendar)
    provisional = None if entry.calendar is None else _provisional(entry, history, clock.as_of, worked_to)
    # Positionally, in the order of EntryState's fields (confirmed: True, the default):
    # binding a dozen keyword arguments by name costs more, once per entry.
    return EntryState(
        entry,
        status,
        end,
        original_end,
        history,
        counted_to,
        days_left,
        seconds_left,
        superseded_by,
        cancelled_by,
        True,
        working_days_left,
        provisional,
    )


def _provisional(entry: Entry, history: Sequence[EndChange], as_of: datetime, counted_to: datetime | None) -> bool:
    """Whether a working-day count behind the entry's end (its duration, an extension's
    ``by``) or its countdown crosses a year its calendar has no official schedule for."""
    from trucetrack.core.workdays import calendar as work_calendar

    zone = get_zone(entry.zone)
    spans: list[tuple[str, datetime, datetime]] = []
    if counted_to is not None:
        spans.append((entry.calendar or "", as_of, counted_to))
    if entry.end_spec is not None and entry.end_spec.key == "duration" and entry.start and entry.end:
        from trucetrack.core.durations import DurationError, parse_duration

        try:
            if parse_duration(entry.end_spec.text).workdays:
                spans.append((entry.calendar or "", entry.start, entry.end))
        except DurationError:
            pass
    for change in history[1:]:
        modifier = change.modifier
        if change.by is not None and change.by.workdays and modifier and change.previous and change.end:
            spans.append((modifier.calendar or "", change.previous, change.end))
    return any(
        work_calendar(code).provisional_years(first.astimezone(zone).date(), last.astimezone(zone).date())
        for code, first, last in spans
        if code
    )
