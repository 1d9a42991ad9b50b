"""Properties of the exports, with hypothesis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.output.test_export import _one_entry_timeline, events_by_uid, parse, view_of
from trucetrack.core.text import clean
from trucetrack.output import export


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_title_survives_escaping_and_folding(title: str) -> None:
    data = export.export_ics(view_of(_one_entry_timeline(title), "2025-06-01T00:00"))
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    event = events_by_uid(parse(data))["deal.end@trucetrack"]
    assert str(event["SUMMARY"]) == f"Ends: {clean(title)}"
    assert f"\n- {clean(title)}\nEntry: deal (t.toml:3)" in str(event["DESCRIPTION"])
