"""The compiled TOML parser against the standard one: the same files accepted and
refused, the same values, and the nesting limits checked before either runs.

timeline files are read by toml-rs (held to TOML 1.0) where it is installed and
by ``tomllib`` otherwise; tomllib is the reference. Every TOML file of the test
suite (the toml-test corpus included) and documents made up by hypothesis, valid
and broken, must read alike. Without toml-rs the comparisons skip and the rest
runs on the fallback (CI runs these tests once with toml-rs uninstalled).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from trucetrack.store import reader

TESTS = Path(__file__).resolve().parent.parent
TOML_FILES = [*sorted(TESTS.rglob("*.toml")), TESTS.parent / "timelines" / "us-china-2025.toml"]

compiled = reader._compiled_parser()
needs_compiled = pytest.mark.skipif(compiled is None, reason="toml-rs is not installed: tomllib reads every file")


def exact(value: Any) -> Any:
    """A value with everything equality would blur made explicit: types (1 == 1.0 ==
    True), the sign of zero, NaN, and each datetime's offset and tzinfo type."""
    if isinstance(value, dict):
        return {key: exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [exact(item) for item in value]
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value, math.copysign(1.0, value))
    if isinstance(value, datetime | time):
        return (type(value).__name__, value.isoformat(), type(value.tzinfo).__name__, value.utcoffset())
    return (type(value).__name__, value)


def outcome(loads: Callable[[str], dict[str, Any]], text: str) -> tuple[str, Any]:
    """Accepted with these values, or refused. Any refusal will do: when toml-rs refuses
    (a syntax error, or a value Python cannot hold such as a leap second), the reader
    asks tomllib, which then says why; tomllib refuses an integer of thousands of digits
    with a ValueError of its own."""
    try:
        return "accepted", exact(loads(text))
    except ValueError:  # tomllib's and toml-rs's TOMLDecodeError are ValueErrors too
        return "refused", None


def standard(text: str) -> tuple[str, Any]:
    return outcome(tomllib.loads, text)


def assert_same(text: str) -> None:
    assert compiled is not None
    raw = text.encode("utf-8", "surrogatepass")
    if reader.nesting_depth(raw) > reader.NESTING_LIMIT or reader._long_key_line(raw):
        return  # refused before any parser runs
    expected = standard(text)
    if "\ufeff" in text:  # toml-rs accepts a byte-order mark past the start: the reader asks tomllib
        assert reader._compiled_loads(text) is None
        return
    assert outcome(compiled, text) == expected, text


def assert_parts_agree(text: str) -> None:
    """A document read in parts (as large files are, one part per event here) is
    exactly the document read whole, or is read whole instead (None)."""
    assert compiled is not None
    raw = text.encode("utf-8", "surrogatepass")
    if reader.nesting_depth(raw) > reader.NESTING_LIMIT or reader._long_key_line(raw) or "\ufeff" in text:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_EVENTS_PER_PART", 1)
        try:
            parts = reader._in_parts(compiled, text)
        except ValueError:  # a part refused: the whole is then parsed (and refused, or read) as usual
            return
    if parts is not None:
        assert standard(text) == ("accepted", exact(parts.data)), text
        assert parts.event_lines == [line for line, _ in reader._header_lines(text, reader._EVENT_MARK)]


def readable_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def test_the_suite_has_the_corpus() -> None:
    assert len(TOML_FILES) > 700


@needs_compiled
@pytest.mark.parametrize("path", TOML_FILES, ids=lambda path: str(path.relative_to(TESTS.parent)))
def test_every_toml_file_of_the_suite_reads_as_the_standard_parser_reads_it(path: Path) -> None:
    text = readable_text(path)
    if text is not None:
        assert_same(text)
        assert_parts_agree(text)


@pytest.mark.parametrize("path", TOML_FILES[::7], ids=lambda path: str(path.relative_to(TESTS.parent)))
def test_a_document_reads_the_same_with_either_parser(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the reader makes of a file (data, or the problem and its position) does not
    depend on which parser is installed."""
    raw = path.read_bytes()
    first = reader.parse_document(raw, "t.toml")
    monkeypatch.setattr(reader, "_compiled", None)
    second = reader.parse_document(raw, "t.toml")
    assert first.problems == second.problems
    assert (first.data is None) == (second.data is None)
    if first.data is not None:
        assert exact(first.data) == exact(second.data)


# ---------------------------------------------------------------- hypothesis

keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6) | st.sampled_from(
    ["a", "b-c", "1", "true", "inf", "a.b", ""]
)
scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=10)
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=st.timezones())
    | st.times()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, max_size=6)


def written(document: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # a datetime tomli-w cannot write
        return None


EVENTS = """\
schema = 1
[parties.US]
name = "United States"

[[event]]
id = "a"
parties = ["US"] # a comment [[event]]
date = 2025-05-14

  [[ event ]]
id = "b"
x = [1,
  2]
t = { a = "[[event]]" }
[[event]]\r
id = 'c'
"""

# Pieces TOML gives meaning to, so that a broken document breaks in interesting places.
PIECES = [
    *"[]{}=.,\"'#\\\n\r\t -+_:0123456789eExob",
    '"""',
    "'''",
    "\x7f",
    "\x00",
    "\ufeff",
    "T",
    "Z",
    "inf",
    "nan",
    "\n[[event]]\n",
    "event = 1\n",
    "\n[event]\n",
    "\n[x]\n",
    "\n[event.s]\n",
    "[[event.s]]",
]
SAMPLES = [
    'a = 1\nb = "x"\n[t]\nc = [1, 2]\n',
    "[[event]]\nid = 'x'\ndate = 2025-05-14T00:01:00-04:00\n",
    "x = { a = 1, b = { c = 1979-05-27 } }\n",
    "s = \"\"\"\nline\\\n  more\"\"\"\nt = '''raw'''\n",
    "n = [0x1F, 0o17, 0b1, 1e3, -0.0, +inf, 1_000]\n",
    "d = 07:32:00.999999\ne = 1979-05-27 07:32:00Z\n",
    EVENTS,
]


@st.composite
def broken(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SAMPLES) | documents.map(written).filter(lambda text: text is not None))
    assert text is not None
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(PIECES))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 3)) :]
        else:
            text = text[:at] + piece + text[at + 1 :]
    return text


@needs_compiled
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(documents)
def test_generated_valid_documents_read_the_same(document: dict[str, Any]) -> None:
    text = written(document)
    assume(text is not None and standard(text)[0] == "accepted")  # not: an offset with seconds (old zones)
    assert text is not None
    assert_same(text)
    assert_parts_agree(text)


@needs_compiled
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(broken())
def test_generated_broken_documents_are_refused_or_read_the_same(text: str) -> None:
    assert_same(text)
    assert_parts_agree(text)


# ---------------------------------------------------------------- nesting limits

PAD = "\nz = [" + "[]," * (reader.NESTING_LIMIT + 1) + "]\n"  # enough brackets to be counted


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('a = "[[[[" \nb = [[[[[]]]]]', 5),
        ('a = "]]]]" \nb = [[[[[]]]]]', 5),  # brackets in a string neither open nor close
        ('a = ["]]]]", [[[[[]]]]]]', 6),
        ("# ]]]]\nb = [[[[[]]]]]", 5),
        ("a = ''']]]]'''\nb = [[[[[]]]]]", 5),
        ('a = "\\"]]]"\nb = [[[[[]]]]]', 5),
        ('a = """x"""""\nb = [[[[[]]]]]', 5),  # a multi-line string's end takes two more quotes
        ('a = """ ]]] \n ]]] """\nb = [[[[[]]]]]', 5),
        ("b = [{a = [{}]}]", 4),
    ],
)
def test_nesting_depth_counts_brackets_outside_strings_and_comments(text: str, depth: int) -> None:
    assert reader.nesting_depth((text + PAD).encode()) == depth


def test_nesting_deeper_than_the_limit_is_refused_before_any_parser_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser(text: str) -> dict[str, Any]:
        raise AssertionError("a parser ran")

    monkeypatch.setattr(reader, "_compiled", no_parser)
    limit = reader.NESTING_LIMIT
    for text in [
        "x = 1\ny = " + "[" * (limit + 1) + "]" * (limit + 1),
        "x = 1\ny = " + "{a = " * (limit + 1) + "1" + "}" * (limit + 1),
    ]:
        document = reader.parse_document(text.encode(), "t.toml")
        assert document.data is None
        assert [(p.line, "nested too deeply" in p.message) for p in document.problems] == [(2, True)]
    dotted = "x = 1\n" + ".".join(["a"] * (reader.KEY_PARTS_LIMIT + 1)) + " = 1\n"
    document = reader.parse_document(dotted.encode(), "t.toml")
    assert [(p.line, "nested too deeply" in p.message) for p in document.problems] == [(2, True)]


def test_nesting_at_the_limit_and_dots_in_values_are_read() -> None:
    limit = reader.NESTING_LIMIT
    deep = "y = " + "[" * limit + "]" * limit + "\n"
    dots = 'u = "' + "." * 5000 + '"\n'
    long_key = ".".join(["a"] * reader.KEY_PARTS_LIMIT) + " = 1\n"
    for text in (deep, dots, long_key):
        document = reader.parse_document(text.encode(), "t.toml")
        assert document.problems == []
        assert document.data is not None and document.data.keys() == tomllib.loads(text).keys()
    assert reader.parse_document(deep.encode(), "t.toml").data == tomllib.loads(deep)


def test_a_large_timeline_takes_the_quick_path_and_the_exact_one_alike() -> None:
    """The quick count (plain strings only) and the regex agree on a file that both can read."""
    text = "".join(f'[[event]]\nid = "e{n}"\nparties = ["US", "CN"]\ntitle = "a [b] {{c}}"\n' for n in range(200))
    raw = text.encode()
    assert reader.nesting_depth(raw) == 2
    assert reader.nesting_depth(raw + b"# a comment\n") == 2


def test_values_come_back_as_the_standard_parser_gives_them() -> None:
    text = "a = 1979-05-27T07:32:00Z\nb = 1979-05-27\nc = 07:32:00\nd = 1e400\ne = -0.0\nf = 99999999999999999999\n"
    document = reader.parse_document(text.encode(), "t.toml")
    assert document.data is not None
    assert exact(document.data) == exact(tomllib.loads(text))
    assert isinstance(document.data["b"], date) and not isinstance(document.data["b"], datetime)


def test_parser_name() -> None:
    assert reader.parser_name() == ("tomllib" if compiled is None else "toml-rs")


@needs_compiled
def test_a_large_file_is_read_in_parts_exactly() -> None:
    body = "".join(f'[[event]]\nid = "e{n}"\nparties = ["US"]\nrate = {n}.5\n' for n in range(3000))
    text = 'schema = 1\n[parties.US]\nname = "United States"\n' + body
    assert len(text) > reader._PARTS_FROM
    parsed = reader._compiled_loads(text)
    assert parsed is not None and parsed.event_lines is not None
    assert exact(parsed.data) == exact(tomllib.loads(text))
    document = reader.parse_document(text.encode(), "t.toml")
    assert document.event_lines(3000) == [line for line, _ in reader._header_lines(text, reader._EVENT_MARK)]
    assert document.party_lines() == {"US": 2}
    for clash in ("event = 1\n", "[event]\n", "[[event]]\nid = 1\nid = 2\n"):
        broken = clash + text if clash.startswith("event") else text + clash
        assert reader.parse_document(broken.encode(), "t.toml").problems, clash
    later_party = text + '[parties.CN]\nname = "China"\n'  # a table after the events: read whole
    assert reader.parse_document(later_party.encode(), "t.toml").party_lines() == {"US": 2, "CN": 4 + 4 * 3000}


def test_a_value_python_cannot_hold_is_refused_by_the_standard_parser_s_rules() -> None:
    """toml-rs reads a leap second as TOML and then fails to make the datetime; the
    reader falls back to tomllib, which refuses it with its line and column."""
    document = reader.parse_document(b"d = 1\ne = 1979-05-27 07:32:60Z\n", "t.toml")
    assert document.data is None
    assert [(p.line, p.column, p.message.startswith("TOML syntax error")) for p in document.problems] == [(2, 16, True)]
