"""Properties of the engine's shortcuts, with hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trucetrack.core.dates import get_zone
from trucetrack.engine.status import Engine


@settings(max_examples=300, deadline=None)
@given(
    end_offset_hours=st.integers(min_value=-24 * 800, max_value=24 * 800),
    months=st.integers(min_value=0, max_value=14),
    days=st.integers(min_value=0, max_value=60),
    hours=st.integers(min_value=0, max_value=72),
    zone_name=st.sampled_from(["America/New_York", "Asia/Shanghai", "Australia/Lord_Howe", "UTC"]),
)
def test_the_far_from_the_end_shortcut_never_changes_the_status(
    end_offset_hours: int, months: int, days: int, hours: int, zone_name: str
) -> None:
    """_span_status skips the wall-clock subtraction when the end is further away than
    any warn of that size could reach; it must agree with doing the arithmetic."""
    from trucetrack.core.durations import add_duration
    from trucetrack.core.model import Duration, Entry
    from trucetrack.engine.status import EndChange

    zone = get_zone(zone_name)
    as_of = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    end = as_of + timedelta(hours=end_offset_hours)
    warn = Duration(months=months, days=days, seconds=hours * 3600, text="generated")
    entry = Entry(
        id="s",
        kind="agreement",
        title="S",
        shape="span",
        file="f",
        line=1,
        zone=zone_name,
        order=0,
        start=datetime(2000, 1, 1, tzinfo=UTC),
        end=end,
        warn=warn,
    )
    status = Engine._span_status(entry, (EndChange(end=end, previous=None),), as_of)
    if as_of >= end:
        assert status == "expired"
    else:
        expected = "expiring" if add_duration(end, warn, zone, sign=-1) <= as_of else "active"
        assert status == expected, (zone_name, end, warn)
