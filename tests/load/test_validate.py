"""Validation: one test per error, each located as ``file:line: id: message``.

Files written with ``header=True`` start with conftest's HEADER (9 lines) and a
blank line, so the first line of a body is line 11 of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trucetrack.core.model import BUILTIN_KINDS, Problem, Timeline
from trucetrack.errors import InvalidTimeline
from trucetrack.load.loader import load as load_timeline

Writer = Callable[..., Path]

# Lines 11-16 of a file written with the HEADER.
SPAN = """\
[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva truce"
start = 2025-05-14T00:01:00
duration = "90d"
"""


def all_problems(paths: list[Path]) -> list[Problem]:
    with pytest.raises(InvalidTimeline) as info:
        load_timeline([str(path) for path in paths])
    error = info.value
    assert error.details == tuple(str(problem) for problem in error.problems)
    return list(error.problems)


def problems_in(write_timeline: Writer, body: str, *, header: bool = True) -> tuple[str, list[Problem]]:
    path = write_timeline(body, header=header)
    return str(path), all_problems([path])


def one_problem(write_timeline: Writer, body: str, *, header: bool = True) -> tuple[str, Problem]:
    path, found = problems_in(write_timeline, body, header=header)
    assert len(found) == 1, "\n".join(str(problem) for problem in found)
    return path, found[0]


def check(problem: Problem, path: str, line: int, subject: str | None, *phrases: str) -> None:
    """The problem is at ``path:line``, about ``subject``, and its message says each phrase."""
    assert problem.file == path
    assert problem.line == line, str(problem)
    if subject is not None:
        assert problem.subject == subject, str(problem)
        assert str(problem).startswith(f"{path}:{line}: {subject}: ")
    else:
        assert str(problem).startswith(f"{path}:{line}")
    for phrase in phrases:
        assert phrase.lower() in problem.message.lower(), f"{phrase!r} not in {problem.message!r}"


# ---------------------------------------------------------------------------
# A valid file, for reference


def test_the_reference_span_is_valid(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(SPAN)
    entry = timeline.entry("geneva-truce")
    assert entry is not None
    assert entry.is_span
    assert entry.line == 11
    assert entry.start == datetime(2025, 5, 14, 4, 1, tzinfo=UTC)
    assert entry.end == datetime(2025, 8, 12, 4, 1, tzinfo=UTC)


# ---------------------------------------------------------------------------
# Unknown keys


def test_unknown_event_key_suggests_the_right_one(write_timeline: Writer) -> None:
    body = SPAN.replace('duration = "90d"', 'duraton = "90d"')
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 16, "geneva-truce", "duraton", "did you mean", "duration")


def test_unknown_top_level_key(write_timeline: Writer) -> None:
    body = """\
    schema = 1
    title = "T"
    timezon = "America/New_York"
    """
    path, problem = one_problem(write_timeline, body, header=False)
    check(problem, path, 3, None, "timezon", "did you mean", "timezone")
    assert "timezon" in str(problem).split(": ", 1)[1]


def test_unknown_party_key(write_timeline: Writer) -> None:
    body = """\
    schema = 1
    timezone = "UTC"

    [parties.US]
    name = "United States"
    nmae = "USA"
    """
    path, problem = one_problem(write_timeline, body, header=False)
    check(problem, path, 6, None, "nmae", "did you mean", "name")


# ---------------------------------------------------------------------------
# Wrong value types


def test_title_as_integer(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace('"Geneva truce"', "42"))
    check(problem, path, 14, "geneva-truce", "title", "string")


def test_rate_as_string(write_timeline: Writer) -> None:
    body = SPAN + 'measure = "us-reciprocal-cn"\nrate = "10"\n'
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 18, "geneva-truce", "rate", "number")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_rate_not_finite(write_timeline: Writer, value: str) -> None:
    body = SPAN + f'measure = "us-reciprocal-cn"\nrate = {value}\n'
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 18, "geneva-truce", "rate", "finite")


def test_parties_not_a_list(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN + 'parties = "US"\n')
    check(problem, path, 17, "geneva-truce", "parties")
    assert "array" in problem.message or "list" in problem.message


def test_start_as_a_string(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace("2025-05-14T00:01:00", '"2025-05-14"'))
    check(problem, path, 15, "geneva-truce", "start", "date", "string")


def test_through_as_datetime(write_timeline: Writer) -> None:
    body = SPAN.replace('duration = "90d"', "through = 2025-08-11T00:00:00")
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 16, "geneva-truce", "through", "date")
    assert "datetime" in problem.message


# ---------------------------------------------------------------------------
# Ids


def test_missing_id(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    kind = "talks"
    title = "Talks"
    date = 2025-05-10
    """
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 11, None, "id")
    assert "missing" in problem.message.lower()


@pytest.mark.parametrize("bad", ["Geneva_Truce", "-leading-dash", "has space", "UPPER"])
def test_bad_id_pattern(write_timeline: Writer, bad: str) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace("geneva-truce", bad))
    check(problem, path, 12, None, "id")
    assert bad in str(problem)


def test_duplicate_ids_across_two_files_name_both_places(write_timeline: Writer) -> None:
    first = write_timeline(SPAN, name="a.toml")
    second = write_timeline(SPAN.replace("Geneva truce", "Again"), name="b.toml")
    found = all_problems([first, second])
    assert len(found) == 1, found
    check(found[0], str(second), 12, "geneva-truce", "duplicate", f"{first}:12")


def test_duplicate_ids_in_one_file(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN + "\n" + SPAN)
    check(problem, path, 19, "geneva-truce", "duplicate", f"{path}:12")


# ---------------------------------------------------------------------------
# Shapes


def test_point_with_end(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    id = "talks-1"
    kind = "talks"
    title = "Talks"
    date = 2025-05-10
    end = 2025-05-12
    """
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 16, "talks-1", "end")


def test_span_with_both_end_and_duration(write_timeline: Writer) -> None:
    body = SPAN.replace('duration = "90d"', 'end = 2025-08-12T00:01:00\nduration = "90d"')
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 17, "geneva-truce", "end", "duration")


def test_date_and_start_together(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    id = "talks-1"
    kind = "talks"
    title = "Talks"
    date = 2025-05-10
    start = 2025-05-10
    """
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 16, "talks-1", "date", "start")


def test_neither_date_nor_start(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    id = "talks-1"
    kind = "talks"
    title = "Talks"
    """
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 11, "talks-1", "date", "start")


@pytest.mark.parametrize(
    "end_line",
    ["end = 2025-05-14T00:01:00", "end = 2025-05-13", "end = 2025-05-14T12:00:00+08:00", 'duration = "0d"'],
)
def test_end_at_or_before_start(write_timeline: Writer, end_line: str) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace('duration = "90d"', end_line))
    check(problem, path, 16, "geneva-truce", "before")


# ---------------------------------------------------------------------------
# Unknown zone, kind, party, target


def test_unknown_zone(write_timeline: Writer) -> None:
    body = """\
    schema = 1
    title = "T"
    timezone = "America/Gotham"
    """
    path, problem = one_problem(write_timeline, body, header=False)
    check(problem, path, 3, None, "America/Gotham")


def test_unknown_kind(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace('"agreement"', '"hearing"'))
    check(problem, path, 13, "geneva-truce", "hearing", "kind")


def test_declared_kind_is_accepted(make_timeline: Callable[..., Timeline]) -> None:
    body = 'schema = 1\nkinds = ["hearing"]\n\n' + SPAN.replace('"agreement"', '"hearing"')
    timeline = make_timeline(body, header=False)
    entry = timeline.entry("geneva-truce")
    assert entry is not None
    assert entry.kind == "hearing"
    assert "hearing" in timeline.kinds


def test_unknown_party(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN + 'parties = ["US", "EU"]\n')
    check(problem, path, 17, "geneva-truce", "EU")


def test_unknown_target(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    id = "ext"
    kind = "extension"
    target = "nope"
    date = 2025-08-11
    by = "90d"
    """
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 14, "ext", "nope")


def test_modifier_aimed_at_a_point(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    id = "talks-1"
    kind = "talks"
    title = "Talks"
    date = 2025-05-10

    [[event]]
    id = "ext"
    kind = "extension"
    target = "talks-1"
    date = 2025-08-11
    by = "90d"
    """
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 20, "ext", "talks-1", "point")


# ---------------------------------------------------------------------------
# Modifiers


def test_extension_with_none_of_by_end_through(write_timeline: Writer) -> None:
    body = SPAN + '\n[[event]]\nid = "ext"\nkind = "extension"\ntarget = "geneva-truce"\ndate = 2025-08-11\n'
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 18, "ext", "by", "end", "through")


def test_extension_with_two_of_by_end_through(write_timeline: Writer) -> None:
    body = SPAN + (
        '\n[[event]]\nid = "ext"\nkind = "extension"\ntarget = "geneva-truce"\ndate = 2025-08-11\n'
        'by = "90d"\nend = 2025-11-10T00:01:00\n'
    )
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 24, "ext", "by", "end")


def test_termination_with_by(write_timeline: Writer) -> None:
    body = SPAN + (
        '\n[[event]]\nid = "stop"\nkind = "termination"\ntarget = "geneva-truce"\ndate = 2025-06-01\nby = "30d"\n'
    )
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 23, "stop", "by")


def test_by_on_an_open_ended_target(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    id = "open"
    kind = "suspension"
    title = "Open-ended"
    start = 2025-05-14

    [[event]]
    id = "ext"
    kind = "extension"
    target = "open"
    date = 2025-08-11
    by = "90d"
    """
    path, problem = one_problem(write_timeline, body)
    check(problem, path, 22, "ext", "open-ended")


# ---------------------------------------------------------------------------
# Durations


def test_bad_duration_lists_accepted_forms(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace('"90d"', '"soon"'))
    check(problem, path, 16, "geneva-truce", "soon", "90d", "2w", "6mo", "1y", "36h", "P90D")


def test_ambiguous_m_duration(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace('"90d"', '"3m"'))
    check(problem, path, 16, "geneva-truce", "ambiguous")


def test_bad_warn_in_an_event(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN + 'warn = "two weeks"\n')
    check(problem, path, 17, "geneva-truce", "warn", "90d")


# ---------------------------------------------------------------------------
# Schema and encoding


def test_unsupported_schema(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, 'title = "T"\nschema = 2\n', header=False)
    check(problem, path, 2, None, "schema", "2")


def test_missing_schema(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, 'title = "T"\ntimezone = "UTC"\n', header=False)
    check(problem, path, 1, None, "schema")


def test_non_utf8_file(write_timeline: Writer) -> None:
    path = write_timeline(SPAN.replace("Geneva truce", "Caf#"))
    path.write_bytes(path.read_bytes().replace(b"Caf#", b"Caf\xe9"))
    found = all_problems([path])
    assert len(found) == 1, found
    check(found[0], str(path), 14, None, "UTF-8")


# ---------------------------------------------------------------------------
# Instants


def test_local_time_in_a_dst_gap(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace("2025-05-14T00:01:00", "2025-03-09T02:30:00"))
    check(problem, path, 15, "geneva-truce", "02:30")


def test_repeated_hour_is_accepted_as_its_first_occurrence(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(SPAN.replace("2025-05-14T00:01:00", "2025-11-02T01:30:00"))
    entry = timeline.entry("geneva-truce")
    assert entry is not None
    assert entry.start == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)


def test_a_time_of_day_is_not_an_instant(write_timeline: Writer) -> None:
    """A TOML local time (no date) is a wrong type, reported at its line."""
    path, problem = one_problem(write_timeline, SPAN.replace("2025-05-14T00:01:00", "00:01:00"))
    check(problem, path, 15, "geneva-truce", "start")


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ('duration = "90d"', 'duration = "P9999Y"', 16),
        ('duration = "90d"', 'duration = "99999999999999999999d"', 16),
        ('duration = "90d"', 'duration = "999999999999h"', 16),
        ('duration = "90d"', "through = 9999-12-31", 16),
        ("2025-05-14T00:01:00", "0001-01-01T00:00:00+08:00", 15),
        ("2025-05-14T00:01:00", "9999-12-31T23:59:00", 15),
    ],
)
def test_out_of_range_instants_are_problems_not_crashes(write_timeline: Writer, old: str, new: str, line: int) -> None:
    path, problem = one_problem(write_timeline, SPAN.replace(old, new))
    check(problem, path, line, "geneva-truce")


def test_a_date_before_the_first_utc_instant_is_a_problem_not_a_crash(write_timeline: Writer) -> None:
    # 0001-01-01 00:00 in Beijing is eight hours before the first instant Python can hold in UTC.
    body = 'schema = 1\ntimezone = "Asia/Shanghai"\n\n' + SPAN.replace("2025-05-14T00:01:00", "0001-01-01")
    path, problem = one_problem(write_timeline, body, header=False)
    check(problem, path, 8, "geneva-truce", "start")


# ---------------------------------------------------------------------------
# Rates


def test_rate_without_measure(write_timeline: Writer) -> None:
    path, problem = one_problem(write_timeline, SPAN + "rate = 10.0\n")
    check(problem, path, 17, "geneva-truce", "measure")


# ---------------------------------------------------------------------------
# Every problem at once


def test_several_errors_in_one_file_are_all_reported(write_timeline: Writer) -> None:
    body = """\
    [[event]]
    id = "Bad_Id"
    kind = "agreement"
    title = "A"
    date = 2025-05-14

    [[event]]
    id = "b"
    kind = "hearing"
    title = "B"
    date = 2025-05-14

    [[event]]
    id = "c"
    kind = "agreement"
    title = 3
    start = 2025-05-14
    duration = "6m"
    """
    path = write_timeline(body)
    with pytest.raises(InvalidTimeline) as info:
        load_timeline([str(path)])
    found = info.value.problems
    assert len(found) == 4, found
    assert "4 problems" in info.value.message
    assert sorted(problem.line for problem in found) == [12, 19, 26, 28]
    assert all(problem.file == str(path) for problem in found)
    by_line = {problem.line: problem for problem in found}
    assert "Bad_Id" in str(by_line[12])
    assert by_line[19].subject == "b"
    assert "hearing" in by_line[19].message
    assert by_line[26].subject == "c"
    assert "title" in by_line[26].message
    assert "ambiguous" in by_line[28].message


def test_errors_in_two_files_are_both_reported(write_timeline: Writer) -> None:
    first = write_timeline(SPAN.replace('"agreement"', '"hearing"'), name="a.toml")
    second = write_timeline(SPAN.replace("geneva-truce", "other").replace('"90d"', '"soon"'), name="b.toml")
    found = all_problems([first, second])
    assert len(found) == 2, found
    located = sorted((problem.file, problem.line, problem.subject) for problem in found)
    assert located == [(str(first), 13, "geneva-truce"), (str(second), 16, "other")]


# ---------------------------------------------------------------------------
# Several files as one timeline

FILE_A = """\
schema = 1
title = "A"
timezone = "America/New_York"
kinds = ["hearing"]

[parties.US]
name = "United States"

[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva truce"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US", "CN"]
"""

FILE_B = """\
schema = 1
title = "B"
timezone = "Asia/Shanghai"
kinds = ["briefing"]

[parties.CN]
name = "China"

[[event]]
id = "geneva-extension"
kind = "extension"
target = "geneva-truce"
date = 2025-08-11
end = 2025-11-10T13:01:00

[[event]]
id = "mofcom-briefing"
kind = "briefing"
title = "MOFCOM briefing"
date = 2025-08-12
parties = ["US"]

[[event]]
id = "hearing-1"
kind = "hearing"
title = "A hearing"
date = 2025-09-01T09:00:00
"""


def test_multi_file_timeline_is_one_timeline(write_timeline: Writer, tmp_path: Path) -> None:
    first = write_timeline(FILE_A, header=False, name="a.toml")
    second = write_timeline(FILE_B, header=False, name="b.toml")
    timeline = load_timeline([str(tmp_path)])
    assert [source.path for source in timeline.files] == [str(first), str(second)]
    assert [entry.id for entry in timeline.entries] == [
        "geneva-truce",
        "geneva-extension",
        "mofcom-briefing",
        "hearing-1",
    ]
    assert {party.code for party in timeline.parties} == {"US", "CN"}
    assert {"hearing", "briefing"} <= set(timeline.kinds)
    assert set(BUILTIN_KINDS) <= set(timeline.kinds)
    assert timeline.zone == "America/New_York"


def test_multi_file_modifier_targets_a_span_in_another_file(write_timeline: Writer, tmp_path: Path) -> None:
    write_timeline(FILE_A, header=False, name="a.toml")
    second = write_timeline(FILE_B, header=False, name="b.toml")
    timeline = load_timeline([str(tmp_path)])
    extension = timeline.entry("geneva-extension")
    assert extension is not None
    assert extension.is_modifier
    assert extension.target == "geneva-truce"
    assert extension.file == str(second)
    assert extension.line == 9


def test_multi_file_each_entry_keeps_its_own_zone(write_timeline: Writer, tmp_path: Path) -> None:
    first = write_timeline(FILE_A, header=False, name="a.toml")
    write_timeline(FILE_B, header=False, name="b.toml")
    timeline = load_timeline([str(tmp_path)])
    truce = timeline.entry("geneva-truce")
    extension = timeline.entry("geneva-extension")
    briefing = timeline.entry("mofcom-briefing")
    hearing = timeline.entry("hearing-1")
    assert truce is not None and extension is not None and briefing is not None and hearing is not None
    assert (truce.zone, truce.file) == ("America/New_York", str(first))
    assert truce.start == datetime(2025, 5, 14, 4, 1, tzinfo=UTC)  # 00:01 EDT
    assert {extension.zone, briefing.zone, hearing.zone} == {"Asia/Shanghai"}
    assert extension.end == datetime(2025, 11, 10, 5, 1, tzinfo=UTC)  # 13:01 Beijing = 00:01 EST
    assert extension.date == datetime(2025, 8, 10, 16, 0, tzinfo=UTC)  # midnight in Beijing
    assert briefing.date == datetime(2025, 8, 11, 16, 0, tzinfo=UTC)
    assert hearing.date == datetime(2025, 9, 1, 1, 0, tzinfo=UTC)


def test_multi_file_order_does_not_matter_for_references(write_timeline: Writer) -> None:
    first = write_timeline(FILE_A, header=False, name="a.toml")
    second = write_timeline(FILE_B, header=False, name="b.toml")
    timeline = load_timeline([str(second), str(first)])
    assert timeline.zone == "Asia/Shanghai"
    assert {party.code for party in timeline.parties} == {"US", "CN"}
    assert timeline.entry("geneva-extension") is not None


def test_a_party_or_kind_from_another_file_is_unknown_alone(write_timeline: Writer) -> None:
    second = write_timeline(FILE_B, header=False, name="b.toml")
    found = all_problems([second])
    located = sorted((problem.line, problem.subject) for problem in found)
    # The target, the party US and the kind hearing live only in a.toml.
    assert located == [(12, "geneva-extension"), (21, "mofcom-briefing"), (25, "hearing-1")]
