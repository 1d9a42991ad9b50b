"""The operations that look at a timeline as of an instant: status, show and
validate, and the readers of typed values the other views share (``reports``).

Each takes an ``Invocation`` (the options, environment and clock) and the
command's own request, and returns a result object that ``trucetrack.output``
renders. Values a person typed (durations, instants, filter values) are read
and checked here, in the order the commands have always reported them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from trucetrack.errors import BadValue
from trucetrack.ops.context import Invocation, check_choice, known_entry, open_run

if TYPE_CHECKING:
    from trucetrack.core.context import RunContext
    from trucetrack.core.model import Duration, Entry
    from trucetrack.engine.status import EntryState


def read_duration(option: str, text: str, *, working_days: bool = False) -> Duration:
    """A duration a person typed (``30d``, ``2 weeks``, ``P1M``), or an error naming the option.

    Working days (``10wd``) only where each entry's calendar can count them (``working_days``).
    """
    from trucetrack.core.durations import DurationError, parse_duration

    try:
        duration = parse_duration(text)
    except DurationError as exc:
        raise BadValue(f"{option}: {exc}") from None
    if duration.workdays and not working_days:
        raise BadValue(f"{option}: working days ({text!r}) are not counted here; use calendar days such as 30d")
    return duration


def left_out_note(run: RunContext, states: Sequence[EntryState], window: Duration | None, option: str) -> RunContext:
    """``run`` with a note when a working-day window left out entries without a calendar
    (``states``: those the other filters would have kept)."""
    from trucetrack.engine.status import window_needs_calendar

    missing = window_needs_calendar(states, window)
    if not missing or window is None:
        return run
    count = len(missing)
    note = (
        f"{option} {window.text}: {count} {'entry' if count == 1 else 'entries'} without a calendar "
        "left out (working days are counted in each entry's calendar)."
    )
    return replace(run, notes=(*run.notes, note))


def read_instant(option: str, text: str | None, run: RunContext) -> datetime | None:
    """An instant read like --as-of, relative forms counted from the as-of instant."""
    if text is None:
        return None
    from trucetrack.core.dates import parse_as_of

    try:
        return parse_as_of(text, now=run.as_of, zone=run.zone)
    except ValueError as exc:
        raise BadValue(f"{option}: {exc}") from None


# ---------------------------------------------------------------- status


@dataclass(frozen=True)
class StatusRequest:
    show_all: bool = False
    within: str | None = None
    kinds: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    recent: str = "30d"


@dataclass(frozen=True)
class StatusResult:
    run: RunContext
    states: list[EntryState]


def status(invocation: Invocation, request: StatusRequest) -> StatusResult:
    """Points and spans with status and countdown, filtered, soonest deadline first."""
    from trucetrack.engine import status as engine

    run = open_run(invocation)
    window = read_duration("--within", request.within, working_days=True) if request.within is not None else None
    recent = read_duration("--recent", request.recent)
    check_choice("--status", request.statuses, engine.STATUSES)
    check_choice("--kind", request.kinds, run.timeline.kinds)
    check_choice("--party", request.parties, [p.code for p in run.timeline.parties])
    filters = engine.Filters(
        show_all=request.show_all,
        within=window,
        kinds=request.kinds,
        parties=request.parties,
        tags=request.tags,
        statuses=request.statuses,
        recent=recent,
    )
    states = engine.Engine(run.timeline).states(run.as_of, run.zone)
    chosen = engine.select(states, filters, run.as_of, run.zone)
    if window is not None and window.workdays:
        candidates = engine.select(states, replace(filters, within=None), run.as_of, run.zone)
        run = left_out_note(run, [s for s in candidates if s.counted_to is not None], window, "--within")
    return StatusResult(run, chosen)


# ---------------------------------------------------------------- show


@dataclass(frozen=True)
class ShowResult:
    run: RunContext
    entry: Entry
    state: EntryState | None  # None for a modifier, which has no state of its own
    party_names: dict[str, str]


def show(invocation: Invocation, entry_id: str) -> ShowResult:
    """One entry with its state as of the instant."""
    from trucetrack.engine.status import Engine

    run = open_run(invocation)
    entry = known_entry(run, entry_id)
    state = None if entry.is_modifier else Engine(run.timeline).state(entry, run.as_of, run.zone)
    return ShowResult(run, entry, state, {p.code: p.name for p in run.timeline.parties})


# ---------------------------------------------------------------- validate


@dataclass(frozen=True)
class ValidateResult:
    entries: int
    files: int


def validate(invocation: Invocation) -> ValidateResult:
    """Load and validate; an invalid timeline raises with every problem."""
    from trucetrack.ops.context import load_timeline

    timeline = load_timeline(invocation)
    return ValidateResult(entries=len(timeline.entries), files=len(timeline.files))
