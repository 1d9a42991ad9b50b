"""How far entries reach in time: what a date axis must span, and which entries
lie on a stretch of it (the timeline view and its exports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from trucetrack.engine.status import EntryState


def furthest_end(state: EntryState) -> datetime:
    """The latest end a span has had (its own, or one an extension set before a termination cut it)."""
    ends = [e for e in (state.end, state.original_end) if e is not None]
    ends += [change.end for change in state.history if change.end is not None]
    return max(ends)


def default_range(states: Sequence[EntryState], as_of: datetime) -> tuple[datetime, datetime] | None:
    """From the first begin to the last end or date among ``states`` (as-of too, when a span is
    open-ended; a cancelled span, which has no end, counts by its start)."""
    begins = [s.entry.begins for s in states if s.entry.begins is not None]
    if not begins:
        return None
    instants = list(begins)
    instants += [furthest_end(state) for state in states if state.end is not None]
    if any(s.entry.is_span and s.end is None and s.cancelled_by is None for s in states):
        instants.append(as_of)
    return min(instants), max(instants)


def overlaps(state: EntryState, start: datetime, end: datetime) -> bool:
    """Whether the entry lies at least partly within ``start``..``end``."""
    entry = state.entry
    begins = entry.begins
    if begins is None:
        return False
    if entry.is_point or state.cancelled_by is not None:
        return start <= begins <= end  # a cancelled span is drawn at its start only
    if state.end is None:
        return begins <= end
    return begins <= end and furthest_end(state) > start
