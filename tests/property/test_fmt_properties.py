"""Properties of fmt: idempotent, lossless, meaning kept, with hypothesis."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings

from tests.ops.test_fmt import _owner_checks, _states, fmt_text, load_text, timelines_with_comments
from trucetrack.store import canonical


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines_with_comments())
def test_fmt_round_trip_keeps_comments_meaning_and_is_idempotent(case: tuple[str, dict[str, str]]) -> None:
    text, owners = case
    old = load_text(text)
    result = canonical.canonical_text(text, canonical.begins_of(old), path="t.toml")
    comments_before = Counter(t for _, t in canonical.comment_lines(text))
    assert Counter(t for _, t in canonical.comment_lines(result)) == comments_before
    new = load_text(result)
    assert canonical.same_meaning(old, new) is None
    assert _states(old) == _states(new)
    assert fmt_text(result) == result
    _owner_checks(result, owners)
    assert result.startswith("# c0 top\n\nschema = 1\n")
    assert result.endswith("\n\n" + next(t for t, o in owners.items() if o == "bottom") + "\n")
