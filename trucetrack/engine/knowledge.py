"""What was known as of an instant.

A point or span with ``announced`` after the instant does not exist yet: every
as-of view works on the timeline this module leaves, so such an entry shows
nowhere, supersedes nothing and sets no rate, and the modifiers aimed at it
wait (they find no target) until it is announced.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from trucetrack.core.model import Entry, Timeline


def known_at(timeline: Timeline, as_of: datetime) -> tuple[Timeline, tuple[Entry, ...]]:
    """The timeline as known at ``as_of``, and the entries not yet announced then."""
    unknown = tuple(entry for entry in timeline.entries if entry.announced is not None and entry.announced > as_of)
    if not unknown:
        return timeline, ()  # the common case: the same object, so nothing is rebuilt
    hidden = {entry.id for entry in unknown}
    known = tuple(entry for entry in timeline.entries if entry.id not in hidden)
    return replace(timeline, entries=known), unknown
