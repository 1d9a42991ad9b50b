"""The run context: what every view and operation is computed for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from trucetrack.core.model import Entry, Timeline


@dataclass(frozen=True)
class RunContext:
    """The timeline, the as-of instant and the display zone of one run.

    ``timeline`` is what was known at ``as_of``; ``unknown`` holds the entries
    announced after it, which no view shows (``show`` says when they were).
    """

    timeline: Timeline
    as_of: datetime
    zone: ZoneInfo
    unknown: tuple[Entry, ...] = ()
    # Said once above what the run shows (e.g. entries a working-day --within left out).
    notes: tuple[str, ...] = ()
