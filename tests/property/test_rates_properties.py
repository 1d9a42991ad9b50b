"""Properties of rates as of an instant, with hypothesis."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import instant
from trucetrack.core.model import Timeline
from trucetrack.engine.rates import Rates


@settings(max_examples=30, deadline=None)
@given(offset=st.integers(min_value=0, max_value=600 * 86400))
def test_current_rate_is_the_last_step_of_the_ladder_at_or_before_as_of(bundled: Timeline, offset: int) -> None:
    at = instant("2025-01-01") + timedelta(seconds=offset)
    rates = Rates(bundled, at)
    for measure in rates.measures:
        ladder = rates.ladder(measure)
        past = [step for step in ladder if step.since <= at]
        assert [step for step in ladder if not step.scheduled] == past
        current = rates.current(measure)
        assert current == (past[-1] if past else None)
