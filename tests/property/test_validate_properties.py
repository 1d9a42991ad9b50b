"""Properties of validation, with hypothesis."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.load.test_validate import FILE_A
from trucetrack.core.model import BUILTIN_KINDS, EVENT_KEYS, PARTY_KEYS, TOP_LEVEL_KEYS, Problem, Timeline
from trucetrack.errors import InvalidTimeline
from trucetrack.load.loader import load as load_timeline
from trucetrack.load.validate import build_timeline
from trucetrack.store import reader as store

# ---------------------------------------------------------------------------
# parse -> model is total: a Timeline or InvalidTimeline, never another exception

JUNK_KEYS = ("titel", "Title", "start_date", "x", "", "event.id", "a b")
ALL_KEYS = EVENT_KEYS + TOP_LEVEL_KEYS + PARTY_KEYS + JUNK_KEYS
IDS = ("geneva-truce", "ext", "a", "b")
CODES = ("US", "CN", "EU")
ZONES = ("America/New_York", "Asia/Shanghai", "Australia/Lord_Howe", "UTC", "Pacific/Kiritimati", "Etc/GMT+12")
BAD_ZONES = ("Nowhere/City", "", "../etc", "america/new_york")
DURATIONS = ("90d", "90 days", "2w", "6mo", "1y", "36h", "P1Y2M", "PT36H", "0d", "P1M")
BAD_DURATIONS = ("6m", "soon", "", "P", "-5d", "P9999Y", "99999999999d", "99999999999999999999d", "999999999999h")
SPAN_KINDS = tuple(kind for kind in BUILTIN_KINDS if kind not in ("extension", "termination"))

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)
offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda minutes: timezone(timedelta(minutes=minutes)))
near_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
near_datetimes = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31))
extremes = st.sampled_from(
    [
        date(1, 1, 1),
        date(9999, 12, 31),
        datetime(1, 1, 1),
        datetime(9999, 12, 31, 23, 59),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-8))),
        datetime(2025, 3, 9, 2, 30),  # a DST gap in New York
    ]
)
instants = st.one_of(
    near_dates,
    near_datetimes,
    near_datetimes.map(lambda moment: moment.replace(tzinfo=timezone(timedelta(hours=8)))),
    extremes,
    st.dates(),
    st.datetimes(timezones=offsets),
)
durations = st.sampled_from(DURATIONS) | st.sampled_from(BAD_DURATIONS)
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    text,
    st.sampled_from(IDS + CODES + ZONES + BAD_ZONES + DURATIONS + BAD_DURATIONS + BUILTIN_KINDS),
    instants,
    st.times(),
)
keys = st.one_of(st.sampled_from(ALL_KEYS), text)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=6,
)
optional_event_keys = {
    "warn": durations,
    "parties": st.lists(st.sampled_from(CODES), max_size=2),
    "place": text,
    "measure": st.sampled_from(("m1", "m2")),
    "rate": st.one_of(st.floats(), st.integers(-10, 200)),
    "rate_after": st.one_of(st.floats(), st.integers(-10, 200)),
    "sources": st.lists(text, max_size=2),
    "tags": st.lists(text, max_size=2),
    "notes": text,
}
points = st.fixed_dictionaries(
    {"id": st.sampled_from(IDS), "kind": st.sampled_from(SPAN_KINDS), "title": text, "date": instants},
    optional=optional_event_keys,
)
spans = st.fixed_dictionaries(
    {"id": st.sampled_from(IDS), "kind": st.sampled_from(SPAN_KINDS), "title": text, "start": instants},
    optional={"end": instants, "through": instants, "duration": durations, **optional_event_keys},
)
modifiers = st.fixed_dictionaries(
    {
        "id": st.sampled_from(IDS),
        "kind": st.sampled_from(("extension", "termination")),
        "target": st.sampled_from(IDS),
        "date": instants,
    },
    optional={"by": durations, "end": instants, "through": instants},
)
# Well-formed-looking events, sometimes with a key or two overwritten or added by anything at all.
events = st.builds(
    lambda event, noise: {**event, **noise},
    st.one_of(points, spans, modifiers),
    st.just({}) | st.dictionaries(st.sampled_from(EVENT_KEYS + JUNK_KEYS) | text, values, max_size=2),
)
parties = st.dictionaries(
    st.sampled_from(CODES) | text,
    st.fixed_dictionaries({"name": text}) | values,
    max_size=3,
)
structured_documents = st.builds(
    lambda document, noise: {**document, **noise},
    st.fixed_dictionaries(
        {"schema": st.just(1), "event": st.lists(events, max_size=5)},
        optional={
            "title": text,
            "timezone": st.sampled_from(ZONES),
            "warn": durations,
            "kinds": st.lists(st.sampled_from(("hearing", "agreement")), max_size=2),
            "current_to": instants,
            "parties": parties,
        },
    ),
    st.just({}) | st.dictionaries(st.sampled_from(TOP_LEVEL_KEYS + JUNK_KEYS) | text, values, max_size=2),
)
wild_documents = st.dictionaries(keys, values, max_size=6)
documents = st.one_of(structured_documents, structured_documents, wild_documents)


def assert_total(raws: list[bytes], folder: Path) -> None:
    """The documents validate to a Timeline or to problems; nothing else escapes."""
    parsed = [store.parse_document(raw, f"doc-{index}.toml") for index, raw in enumerate(raws)]
    timeline, problems = build_timeline(parsed)
    assert isinstance(timeline, Timeline)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.line, int) and problem.line >= 1
        assert str(problem).startswith(f"{problem.file}:{problem.line}")
    paths = []
    for index, raw in enumerate(raws):
        path = folder / f"doc-{index}.toml"
        path.write_bytes(raw)
        paths.append(str(path))
    try:
        loaded = load_timeline(paths)
    except InvalidTimeline as error:
        assert error.problems
        assert problems, "load_timeline found problems that build_timeline did not"
    else:
        assert isinstance(loaded, Timeline)
        assert not problems


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


VALID_TEXT = (
    FILE_A
    + """
[[event]]
id = "ext"
kind = "extension"
target = "geneva-truce"
date = 2025-08-11
by = "90d"
"""
)
FUZZ_ALPHABET = string.ascii_letters + string.digits + "[]{}\"'#=.,:-+_ \n\t\\TZé\x00\x7f"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(documents, min_size=1, max_size=3))
def test_any_toml_documents_validate_to_a_timeline_or_problems(docs: list[dict[str, Any]], fuzz_folder: Path) -> None:
    raws = [tomli_w.dumps(doc).encode("utf-8") for doc in docs]
    assert_total(raws, fuzz_folder)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_raw_text_validates_to_a_timeline_or_problems(data: st.DataObject, fuzz_folder: Path) -> None:
    document = VALID_TEXT
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        position = data.draw(st.integers(0, len(document)), label="position")
        cut = data.draw(st.integers(0, 8), label="cut")
        insert = data.draw(st.text(FUZZ_ALPHABET, max_size=8), label="insert")
        document = document[:position] + insert + document[position + cut :]
    raw = document.encode("utf-8")
    if data.draw(st.booleans(), label="corrupt"):
        raw += data.draw(st.binary(max_size=4), label="bytes")
    assert_total([raw], fuzz_folder)
