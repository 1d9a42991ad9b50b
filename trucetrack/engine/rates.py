"""Rates of measures as of an instant.

An entry with ``measure`` and ``rate`` sets that measure's rate from its start
(a point: from its date) while it is in force; extensions and terminations move
its end as the engine computes it. Once it has ended, its ``rate_after`` applies
until a newer entry for the measure starts. The rate at an instant is that of
the latest-starting entry that applies then.

Everything is computed with what was known as of ``as_of``: the ends come from
``Engine.end_history(entry, as_of)``, so a ladder seen "as of" a day shows the
lapses that were scheduled then, before any later extension was decided. A
span cancelled by then (a termination taking effect at or before its start)
sets no rate at all; before the cancellation was decided, it counts as known.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from trucetrack.core.model import Entry, Timeline
from trucetrack.engine.status import Engine, cancelled_by, checked_until

IN_FORCE = "in force"
AFTER = "after"
LAPSED = "lapsed"


@dataclass(frozen=True)
class RateStep:
    """One step of a measure's ladder: from ``since`` the rate is ``rate``, set by ``entry``.

    ``phase`` says how ``entry`` sets it: ``in force`` (its ``rate``), ``after``
    (its ``rate_after``, once it has ended) or ``lapsed`` (it ended without a
    ``rate_after`` and no other entry applies: the rate is unknown, ``None``).
    ``scheduled`` is True for a step that begins after the as-of instant: what
    was set to happen, as known then. ``confirmed`` is False for a step that
    began after the data of its entry's file ends (``current_to``) and by the
    as-of instant: the file cannot confirm that it happened.
    """

    measure: str
    since: datetime
    rate: float | None
    entry: Entry
    phase: str
    scheduled: bool = False
    confirmed: bool = True


@dataclass(frozen=True)
class _Applicable:
    entry: Entry
    begins: datetime
    end: datetime | None


class Rates:
    """The rate ladders of every measure in a timeline, as known at one instant."""

    def __init__(self, timeline: Timeline, as_of: datetime, engine: Engine | None = None) -> None:
        self.as_of = as_of.astimezone(UTC)
        evaluator = engine or Engine(timeline)
        self._checked_until = checked_until(timeline)
        grouped: dict[str, list[_Applicable]] = defaultdict(list)
        for entry in timeline.entries:
            if entry.is_modifier or entry.measure is None or entry.rate is None or entry.begins is None:
                continue
            end = None
            if entry.is_span:
                history = evaluator.end_history(entry, self.as_of)
                if cancelled_by(entry, history) is not None:
                    continue  # it never takes effect: neither its rate nor its rate_after applies
                end = history[-1].end
            grouped[entry.measure].append(_Applicable(entry, entry.begins.astimezone(UTC), end))
        self._measures: dict[str, list[_Applicable]] = {}
        for measure, entries in grouped.items():
            entries.sort(key=lambda item: (item.begins, item.entry.id))  # ties: by id, never file order
            self._measures[measure] = entries

    @property
    def measures(self) -> list[str]:
        """Every measure named in the timeline, sorted."""
        return sorted(self._measures)

    def ladder(self, measure: str) -> list[RateStep]:
        """Every change of ``measure``'s rate, in order, including those scheduled after as-of."""
        entries = self._measures.get(measure, [])
        starts = [item.begins for item in entries]
        moments = sorted({item.begins for item in entries} | {item.end for item in entries if item.end is not None})
        steps: list[RateStep] = []
        for moment in moments:
            step = _rate_at(measure, entries[: bisect_right(starts, moment)], moment)
            if step is None:
                continue
            if steps and _same_step(steps[-1], step):
                continue
            cutoff = self._checked_until.get(step.entry.file)
            confirmed = cutoff is None or not cutoff <= moment <= self.as_of
            scheduled = moment > self.as_of
            steps.append(RateStep(measure, moment, step.rate, step.entry, step.phase, scheduled, confirmed))
        return steps

    def current(self, measure: str) -> RateStep | None:
        """The step in force at as-of; None when no entry for ``measure`` has started by then."""
        now = [step for step in self.ladder(measure) if not step.scheduled]
        return now[-1] if now else None

    def current_all(self, measures: Sequence[str] | None = None) -> list[RateStep]:
        """The current step of each measure (sorted by name) that has one."""
        chosen = self.measures if measures is None else measures
        return [step for step in (self.current(measure) for measure in chosen) if step is not None]


def _same_step(before: RateStep, after: RateStep) -> bool:
    return (before.entry.id, before.phase, before.rate) == (after.entry.id, after.phase, after.rate)


def _rate_at(measure: str, started: Sequence[_Applicable], moment: datetime) -> RateStep | None:
    """The latest-starting entry that applies at ``moment``; ``started``: those begun by then, by start.

    An entry applies while it is in force (started, not yet at its end), and
    after its end through ``rate_after`` as long as no newer entry has started.
    When entries have started but none applies, the rate has lapsed: the
    latest-starting entry is named, with no rate.
    """
    if not started:
        return None
    latest = started[-1]
    for position in range(len(started) - 1, -1, -1):
        item = started[position]
        if item.end is None or moment < item.end:
            return RateStep(measure, moment, item.entry.rate, item.entry, IN_FORCE)
        is_latest = position == len(started) - 1
        if is_latest and item.entry.rate_after is not None:
            return RateStep(measure, moment, item.entry.rate_after, item.entry, AFTER)
    return RateStep(measure, moment, None, latest.entry, LAPSED)
