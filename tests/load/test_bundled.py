"""The bundled US–China timeline reproduces the sourced facts (facts file, sections 1 and 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import BUNDLED, NEW_YORK, SHANGHAI, instant
from trucetrack.core.model import Timeline
from trucetrack.engine.status import Engine, EntryState
from trucetrack.load.loader import load as load_timeline


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return load_timeline([str(BUNDLED)], bundled=True)


@pytest.fixture(scope="module")
def engine(timeline: Timeline) -> Engine:
    return Engine(timeline)


def state(engine: Engine, entry_id: str, as_of: datetime) -> EntryState:
    entry = engine.timeline.entry(entry_id)
    assert entry is not None, entry_id
    return engine.state(entry, as_of, NEW_YORK)


def test_bundled_timeline_validates(timeline: Timeline) -> None:
    assert timeline.zone == "America/New_York"
    assert timeline.files[0].current_to == "2026-05-31"
    assert len(timeline.entries) > 50
    assert {p.code for p in timeline.parties} == {"US", "CN"}


def test_every_entry_has_sources(timeline: Timeline) -> None:
    missing = [entry.id for entry in timeline.entries if not entry.sources or not all(s.strip() for s in entry.sources)]
    assert missing == []


def test_ids_are_unique(timeline: Timeline) -> None:
    ids = [entry.id for entry in timeline.entries]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------- the Geneva truce and its changes


def test_geneva_truce_starts_at_0401z(engine: Engine) -> None:
    entry = engine.timeline.entry("geneva-truce")
    assert entry is not None
    assert entry.start == utc(2025, 5, 14, 4, 1)


def test_geneva_truce_original_end(engine: Engine) -> None:
    before = state(engine, "geneva-truce", instant("2025-07-01T00:00"))
    assert before.end == utc(2025, 8, 12, 4, 1)
    assert before.original_end == utc(2025, 8, 12, 4, 1)
    # Facts 3a: exactly 90 x 24 h of elapsed time.
    entry = engine.timeline.entry("geneva-truce")
    assert entry is not None and entry.start is not None
    assert before.original_end - entry.start == timedelta(days=90)


def test_geneva_truce_as_of_the_first_extension(engine: Engine) -> None:
    s = state(engine, "geneva-truce", instant("2025-08-11T00:00"))
    assert s.end == utc(2025, 11, 10, 5, 1)
    assert s.original_end == utc(2025, 8, 12, 4, 1)
    assert s.status == "active"
    # Facts 3a: 90 days + 1 hour elapsed across the 2025-11-02 DST change.
    assert s.end - s.original_end == timedelta(days=90, hours=1)


def test_geneva_truce_as_of_the_one_year_extension(engine: Engine) -> None:
    s = state(engine, "geneva-truce", instant("2025-11-04T00:00"))
    assert s.end == utc(2026, 11, 10, 5, 1)
    # Facts 3a: both ends 00:01 EST, exactly 365 x 24 h apart.
    assert s.end - utc(2025, 11, 10, 5, 1) == timedelta(days=365)


def test_geneva_truce_terminated_after_the_ieepa_ruling(engine: Engine) -> None:
    decided = state(engine, "geneva-truce", instant("2026-02-20T00:00"))
    assert decided.end == utc(2026, 2, 24, 5, 1)
    assert decided.status == "expiring"  # warn = "21d"
    assert decided.seconds_left == 4 * 86400 + 60
    after = state(engine, "geneva-truce", instant("2026-03-01T00:00"))
    assert after.status == "terminated"
    assert after.end == utc(2026, 2, 24, 5, 1)
    assert after.original_end == utc(2025, 8, 12, 4, 1)


def test_geneva_truce_history_as_of_2026_03_01(engine: Engine) -> None:
    s = state(engine, "geneva-truce", instant("2026-03-01T00:00"))
    assert [c.end for c in s.history] == [
        utc(2025, 8, 12, 4, 1),
        utc(2025, 11, 10, 5, 1),
        utc(2026, 11, 10, 5, 1),
        utc(2026, 2, 24, 5, 1),
    ]
    assert [c.modifier.id for c in s.history if c.modifier is not None] == [
        "eo-14334",
        "eo-14358",
        "ieepa-collection-ends",
    ]


def test_china_truce_starts_at_the_same_instant_as_the_us_one(engine: Engine) -> None:
    us = engine.timeline.entry("geneva-truce")
    cn = engine.timeline.entry("cn-truce")
    assert us is not None and cn is not None
    assert cn.start == us.start
    assert cn.start is not None
    assert cn.start.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == "2025-05-14 12:01"


@pytest.mark.parametrize(
    ("as_of", "end"),
    [
        ("2025-07-01T00:00", utc(2025, 8, 12, 4, 1)),  # 12:01 Beijing = 00:01 EDT
        ("2025-08-12T12:00", utc(2025, 11, 10, 5, 1)),  # 13:01 Beijing = 00:01 EST
        ("2025-11-05T12:00", utc(2026, 11, 10, 5, 1)),
    ],
)
def test_china_truce_ends_with_the_us_one(engine: Engine, as_of: str, end: datetime) -> None:
    assert state(engine, "cn-truce", instant(as_of)).end == end


def test_s122_surcharge_ends_0401z_on_2026_07_24(engine: Engine) -> None:
    s = state(engine, "s122-surcharge", instant("2026-03-01T00:00"))
    assert s.end == utc(2026, 7, 24, 4, 1)
    entry = engine.timeline.entry("s122-surcharge")
    assert entry is not None and entry.start is not None
    assert entry.start == utc(2026, 2, 24, 5, 1)
    # Facts 3a: 149 days 23 h elapsed because DST started 2026-03-08.
    assert s.end - entry.start == timedelta(days=149, hours=23)


# ---------------------------------------------------------------- the rate ladders (facts 3c)


@pytest.mark.parametrize(
    ("entry_id", "start", "rate"),
    [
        ("fentanyl-10", utc(2025, 2, 4, 5, 1), 10.0),  # 00:01 EST
        ("fentanyl-20", utc(2025, 3, 4, 5, 1), 20.0),  # 00:01 EST
        ("reciprocal-baseline-10", utc(2025, 4, 5, 4, 1), 10.0),  # 00:01 EDT
        ("reciprocal-84", utc(2025, 4, 9, 4, 1), 84.0),
        ("reciprocal-125", utc(2025, 4, 10, 4, 1), 125.0),
        ("geneva-truce", utc(2025, 5, 14, 4, 1), 10.0),
        ("fentanyl-10-busan", utc(2025, 11, 10, 5, 1), 10.0),  # 00:01 EST
        ("fentanyl-0", utc(2026, 2, 24, 5, 1), 0.0),
        ("reciprocal-0", utc(2026, 2, 24, 5, 1), 0.0),
        ("cn-retaliatory-84", utc(2025, 4, 10, 4, 1), 84.0),  # 12:01 p.m. Beijing = 00:01 EDT
        ("cn-retaliatory-125", utc(2025, 4, 11, 16, 0), 125.0),  # 2025-04-12 Beijing
        ("cn-truce", utc(2025, 5, 14, 4, 1), 10.0),  # 12:01 Beijing
    ],
)
def test_rate_steps_start_at_the_facts_instants(
    timeline: Timeline, entry_id: str, start: datetime, rate: float
) -> None:
    entry = timeline.entry(entry_id)
    assert entry is not None
    assert entry.begins == start
    assert entry.rate == rate


def test_fentanyl_and_reciprocal_measures_are_declared(timeline: Timeline) -> None:
    fentanyl = {e.id for e in timeline.entries if e.measure == "us-fentanyl-cn"}
    reciprocal = {e.id for e in timeline.entries if e.measure == "us-reciprocal-cn"}
    assert fentanyl == {"fentanyl-10", "fentanyl-20", "fentanyl-10-busan", "fentanyl-0"}
    assert reciprocal == {"reciprocal-baseline-10", "reciprocal-84", "reciprocal-125", "geneva-truce", "reciprocal-0"}


def test_reciprocal_84_is_superseded_by_reciprocal_125(engine: Engine) -> None:
    # The 125% step starts at 00:01 EDT on 2025-04-10: superseded from then on.
    at_start = state(engine, "reciprocal-84", instant("2025-04-10T00:01"))
    assert at_start.status == "superseded"
    assert at_start.superseded_by is not None
    assert at_start.superseded_by.id == "reciprocal-125"
    assert state(engine, "reciprocal-84", instant("2025-04-10T12:00")).status == "superseded"
    assert state(engine, "reciprocal-125", instant("2025-04-10T12:00")).status == "active"
    # One minute earlier, the 84% step is still what applies.
    assert state(engine, "reciprocal-84", instant("2025-04-10T00:00")).status == "active"


def test_earlier_ladder_steps_are_superseded(engine: Engine) -> None:
    as_of = instant("2025-04-10T12:00")
    assert state(engine, "reciprocal-baseline-10", as_of).status == "superseded"
    assert state(engine, "fentanyl-10", as_of).status == "superseded"
    assert state(engine, "fentanyl-20", as_of).status == "active"
    assert state(engine, "reciprocal-125", instant("2025-05-14T00:01")).status == "superseded"


def test_days_left_to_the_geneva_end_in_both_capitals(engine: Engine) -> None:
    entry = engine.timeline.entry("geneva-truce")
    assert entry is not None
    # 2025-08-11 20:00 EDT is already 2025-08-12 08:00 in Beijing.
    as_of = instant("2025-08-11T20:00")
    new_york = engine.state(entry, as_of, NEW_YORK)
    beijing = engine.state(entry, as_of, SHANGHAI)
    assert new_york.end == beijing.end == utc(2025, 11, 10, 5, 1)
    assert new_york.days_left == 91
    assert beijing.days_left == 90
