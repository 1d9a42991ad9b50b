"""Which ends of a span were written in a file as a bare date.

A date in a file means the first instant of that day; output shows such an
end as the date alone (``2025-06-09``) and a calendar feed as an all-day
event, while an end written with a time of day shows that time. Every view
asks this module, so the table, ``show``, the chart, the digest and the feed
always agree about one entry.

The rule follows the history of ends: the span's own ``end`` or ``through``
counts when written as a date; an extension with ``end`` or ``through``
replaces the end with its own; a termination that took effect replaces it
with its ``end`` (or its ``date``); an extension ``by`` a duration keeps the
kind of the end it moved; a change that did not move the end changes nothing.
Whether that instant is still midnight in the display zone is for the
formatting (``core.dates.format_day_or_instant``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from trucetrack.core.model import Entry
from trucetrack.engine.status import EndChange


def date_written_zones(entry: Entry, history: Sequence[EndChange]) -> list[str | None]:
    """For each end in ``history``: the zone of the file that wrote it as a bare date, or None."""
    zone = entry.zone if "end" in entry.date_only else None
    zones = [zone]
    for change in history[1:]:
        modifier = change.modifier
        if modifier is not None and change.by is None and change.end != change.previous:
            if modifier.kind == "extension":
                zone = modifier.zone if "end" in modifier.date_only else None
            elif change.end == (modifier.end or modifier.date):
                key = "end" if modifier.end is not None else "date"
                zone = modifier.zone if key in modifier.date_only else None
        zones.append(zone)
    return zones


def written_as_day(entry: Entry, history: Sequence[EndChange], index: int) -> str | None:
    """The zone of the file that wrote ``history[index].end`` as a bare date, or None."""
    if not history:
        return entry.zone if "end" in entry.date_only else None
    return date_written_zones(entry, history)[index]


def end_written_as_day(entry: Entry, history: Sequence[EndChange], instant: datetime | None) -> str | None:
    """The zone of the file that wrote ``instant``, an end the span has had, as a bare date, or None.

    The last change that set that instant decides; an instant the history
    never held is timed.
    """
    if instant is None:
        return None
    if not history:
        return entry.zone if instant == entry.end and "end" in entry.date_only else None
    zones = date_written_zones(entry, history)
    for index in range(len(history) - 1, -1, -1):
        if history[index].end == instant:
            return zones[index]
    return None
