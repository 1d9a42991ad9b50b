"""Properties of the JSON Schema against validate, with hypothesis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.output.test_schema import _schema_accepts_duration, _trucetrack_accepts_duration


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 dhmowyaeksrPTDHMSWY", max_size=12))
def test_duration_pattern_agrees_with_the_parser(text: str) -> None:
    assert _schema_accepts_duration(text) == _trucetrack_accepts_duration(text)
