"""The weekly digest (``summary``) and the cron check (``check``), as data.

Pure functions of a timeline, an as-of instant and a display zone, like the
engine. What changed in the files under git is gathered by the command line
(which runs git through ``trucetrack.store.git``) and handed in as
``GitChanges``, holding ``trucetrack.engine.semdiff``'s comparison of the two versions.

Windows are half-open the way the engine's statuses are: something at instant
``t`` has happened by ``as_of`` when ``t <= as_of``, so the last ``--days`` are
``window_start < t <= as_of`` and two runs a week apart neither miss nor repeat
anything; deadlines ahead are ``as_of <= t <= as_of + ahead``, as for
``status --within``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from trucetrack.core.dates import get_zone
from trucetrack.core.durations import add_duration
from trucetrack.core.model import Duration, Entry, Timeline
from trucetrack.engine.status import (
    FINISHED_STATUSES,
    EndChange,
    Engine,
    EntryState,
    Filters,
    cancelled_by,
    checked_until,
    end_setter,
    inside_window,
    select,
)

if TYPE_CHECKING:
    from trucetrack.engine.semdiff import SemanticDiff

DEFAULT_DAYS = 7
DEFAULT_AHEAD = Duration(days=30, text="30d")

# Statuses of the "in force" section: running spans (a superseded one no longer governs).
IN_FORCE_STATUSES = frozenset({"active", "expiring"})

STARTED = "started"
ENDED = "ended"
TERMINATED = "terminated"
TOOK_PLACE = "took place"
DECIDED = "decided"


@dataclass(frozen=True)
class Happening:
    """Something that happened in the window: a span started or ended, a point took place,
    a modifier was decided. For a modifier, ``target`` and ``change`` say what it did to
    the target's end (``change`` is None when the target is unknown)."""

    at: datetime
    what: str
    entry: Entry
    target: Entry | None = None
    change: EndChange | None = None
    target_history: tuple[EndChange, ...] = ()
    # False for a start, end or date after the entry's file's current_to: the
    # data cannot confirm it happened (a modifier's decision is in the file).
    confirmed: bool = True


@dataclass(frozen=True)
class GitChanges:
    """What changed in the timeline files between two commits.

    ``old_revision`` is the last commit before the window (None when there is
    none: everything then counts as added); ``new_revision`` the last commit
    at or before as-of. ``diff`` is the semantic comparison of the files at
    the two commits; when a version could not be read or validated (or git
    failed), ``diff`` is None and ``problem`` says why.
    """

    old_revision: str | None
    new_revision: str | None
    diff: SemanticDiff | None
    problem: str | None = None


@dataclass(frozen=True)
class Summary:
    as_of: datetime
    zone: ZoneInfo
    days: int
    window_start: datetime
    ahead: Duration
    horizon: datetime
    happened: tuple[Happening, ...]
    deadlines: tuple[EntryState, ...]
    in_force: tuple[EntryState, ...]
    git: GitChanges | None


def window_start(as_of: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``days`` calendar days before ``as_of`` on the wall clock of the display zone."""
    return add_duration(as_of, Duration(days=days), zone, sign=-1)


def summarize(
    timeline: Timeline,
    as_of: datetime,
    zone: ZoneInfo,
    *,
    days: int = DEFAULT_DAYS,
    ahead: Duration = DEFAULT_AHEAD,
    git: GitChanges | None = None,
    engine: Engine | None = None,
) -> Summary:
    """Every section of the digest as of ``as_of``."""
    evaluator = engine or Engine(timeline)
    as_of = as_of.astimezone(UTC)
    start = window_start(as_of, days, zone)
    states = evaluator.states(as_of, zone)
    deadlines = select(states, Filters(within=ahead), as_of, zone)
    in_force = [state for state in states if state.entry.is_span and state.status in IN_FORCE_STATUSES]
    return Summary(
        as_of=as_of,
        zone=zone,
        days=days,
        window_start=start,
        ahead=ahead,
        horizon=add_duration(as_of, ahead, zone),
        happened=tuple(happenings(timeline, evaluator, start, as_of)),
        deadlines=tuple(deadlines),
        in_force=tuple(in_force),
        git=git,
    )


def happenings(timeline: Timeline, engine: Engine, start: datetime, as_of: datetime) -> list[Happening]:
    """What happened in ``start < t <= as_of``, by instant, then id, then what.

    Ends are the effective ends known at ``as_of``; a modifier counts when it
    was decided (its ``date``), with the end it set on its target.
    """

    def inside(instant: datetime | None) -> bool:
        return instant is not None and start < instant <= as_of

    found: list[Happening] = []
    for entry in timeline.entries:
        if entry.is_point:
            if inside(entry.date):
                assert entry.date is not None
                found.append(Happening(entry.date, TOOK_PLACE, entry))
        elif entry.is_span:
            history = engine.end_history(entry, as_of)
            if cancelled_by(entry, history) is not None:
                continue  # it never started nor ended: the termination's decision says so
            if inside(entry.start):
                assert entry.start is not None
                found.append(Happening(entry.start, STARTED, entry))
            last = end_setter(history)
            if inside(last.end):
                assert last.end is not None
                what = TERMINATED if last.kind == "termination" else ENDED
                found.append(Happening(last.end, what, entry))
        elif inside(entry.date):
            assert entry.date is not None
            found.append(_decision(timeline, engine, entry, as_of))
    order = {STARTED: 0, TOOK_PLACE: 1, DECIDED: 2, ENDED: 3, TERMINATED: 3}
    found.sort(key=lambda h: (h.at, order[h.what], h.entry.id))
    cutoffs = checked_until(timeline)

    def confirmed(happening: Happening) -> bool:
        cutoff = cutoffs.get(happening.entry.file)
        return happening.what == DECIDED or cutoff is None or happening.at < cutoff

    return [happening if confirmed(happening) else replace(happening, confirmed=False) for happening in found]


def _decision(timeline: Timeline, engine: Engine, modifier: Entry, as_of: datetime) -> Happening:
    assert modifier.date is not None
    target = timeline.entry(modifier.target) if modifier.target else None
    if target is None:
        return Happening(modifier.date, DECIDED, modifier)
    history = engine.end_history(target, as_of)
    change = next((c for c in history if c.modifier is not None and c.modifier.id == modifier.id), None)
    return Happening(modifier.date, DECIDED, modifier, target, change, history)


# ---------------------------------------------------------------- check


def check_deadlines(
    states: Sequence[EntryState],
    as_of: datetime,
    zone: ZoneInfo,
    within: Duration | None = None,
    *,
    everything: bool = False,
) -> list[EntryState]:
    """Deadlines for ``check``: counted-to instants from as-of up to as-of + ``within``.

    Without ``within``, each entry's own ``warn`` is its window (on the wall
    clock of the entry's zone, as the engine computes ``expiring``). Finished
    and superseded entries are left out: their dates no longer govern
    anything, and a cron mail about them would be noise. With ``everything``,
    every deadline still ahead counts (whatever its window).
    """
    as_of = as_of.astimezone(UTC)
    horizon = add_duration(as_of, within, zone) if within is not None and not within.workdays else None
    found = []
    for state in states:
        if state.counted_to is None or state.status in FINISHED_STATUSES or state.status == "superseded":
            continue
        if state.counted_to < as_of:
            continue
        if everything:
            pass
        elif within is not None:
            if not inside_window(state, as_of, within, horizon):
                continue
        else:
            warn = state.entry.warn or Duration()
            zone_of_entry = get_zone(state.entry.zone)
            if add_duration(state.counted_to, warn, zone_of_entry, sign=-1, calendar=state.entry.calendar) > as_of:
                continue
        found.append(state)
    return found
