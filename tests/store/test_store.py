"""Reading files: line mapping, undecodable and malformed files, path expansion."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trucetrack.errors import TrucetrackError
from trucetrack.store.files import expand_paths
from trucetrack.store.reader import LineMap, parse_document, read_document, read_documents, scan_lines


def lines_of(text: str) -> LineMap:
    return scan_lines(textwrap.dedent(text))


# ---------------------------------------------------------------------------
# scan_lines


def test_scan_lines_maps_top_level_keys_parties_and_events() -> None:
    lines = lines_of(
        """\
        schema = 1
        title = "T"
        timezone = "America/New_York"

        [parties.US]
        name = "United States"

        [parties.CN]
        name = "China"

        [[event]]
        id = "a"
        kind = "agreement"

        [[event]]
        id = "b"
        date = 2025-05-14
        """
    )
    assert lines.top == {"schema": 1, "title": 2, "timezone": 3}
    assert lines.parties == {"US": 5, "CN": 8}
    assert lines.party_keys == {"US": {"name": 6}, "CN": {"name": 9}}
    assert lines.events == [(11, {"id": 12, "kind": 13}), (15, {"id": 16, "date": 17})]
    assert lines.event(1) == (15, {"id": 16, "date": 17})


def test_scan_lines_is_not_fooled_by_event_header_in_multiline_string() -> None:
    lines = lines_of(
        '''\
        schema = 1

        [[event]]
        id = "a"
        notes = """
        [[event]]
        id = "fake"
        """
        title = "after the string"

        [[event]]
        id = "b"
        notes = \'\'\'
        [[event]]
        \'\'\'
        kind = "talks"
        '''
    )
    assert [header for header, _ in lines.events] == [3, 11]
    assert lines.events[0][1] == {"id": 4, "notes": 5, "title": 9}
    assert lines.events[1][1] == {"id": 12, "notes": 13, "kind": 16}


def test_scan_lines_is_not_fooled_by_brackets_in_arrays_spanning_lines() -> None:
    lines = lines_of(
        """\
        [[event]]
        id = "a"
        sources = [
          "https://example.com/[1]",
          "x",
        ]
        tags = [
        ["nested"],
        [[1], [2]],
        ]
        title = "T"

        [[event]]
        id = "b"
        """
    )
    assert [header for header, _ in lines.events] == [1, 13]
    assert lines.events[0][1] == {"id": 2, "sources": 3, "tags": 7, "title": 11}
    assert lines.events[1][1] == {"id": 14}


def test_scan_lines_ignores_comments() -> None:
    lines = lines_of(
        """\
        # [[event]]
        schema = 1 # [
        # id = "commented"

        [[event]]  # the first real event
        # kind = "nope"
        id = "a" # ]]
        title = "T"
        """
    )
    assert lines.top == {"schema": 2}
    assert lines.events == [(5, {"id": 7, "title": 8})]


def test_scan_lines_unquotes_quoted_keys() -> None:
    lines = lines_of(
        """\
        [[event]]
        "id" = "a"
        'kind' = "talks"
        "odd key" = 1
        "with = sign" = 2
        title = "T"
        """
    )
    assert lines.events == [(1, {"id": 2, "kind": 3, "odd key": 4, "with = sign": 5, "title": 6})]


def test_scan_lines_does_not_count_subtables_keys_as_event_keys() -> None:
    lines = lines_of(
        """\
        [[event]]
        id = "a"

        [event.extra]
        title = "inner"

        [[event]]
        id = "b"
        """
    )
    assert lines.events[0] == (1, {"id": 2})
    assert lines.events[1] == (7, {"id": 8})


# ---------------------------------------------------------------------------
# parse_document / read_document


def test_non_utf8_bytes_give_a_problem_naming_the_line() -> None:
    raw = b'schema = 1\ntitle = "ok"\n\n[[event]]\nid = "a"\ntitle = "caf\xe9"\n'
    document = parse_document(raw, "bad.toml")
    assert document.data is None
    assert len(document.problems) == 1
    problem = document.problems[0]
    assert problem.file == "bad.toml"
    assert problem.line == 6
    assert "UTF-8" in problem.message
    assert str(problem).startswith("bad.toml:6: ")


def test_non_utf8_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('schema = 1\ntitle = "Zürich"\n'.encode("latin-1"))
    document = read_document(str(path))
    assert [problem.line for problem in document.problems] == [2]
    assert "UTF-8" in document.problems[0].message


def test_toml_syntax_error_gives_line_and_column() -> None:
    document = parse_document(b'schema = 1\ntitle = "a" b\n', "broken.toml")
    assert document.data is None
    assert len(document.problems) == 1
    problem = document.problems[0]
    assert (problem.file, problem.line, problem.column) == ("broken.toml", 2, 13)
    assert str(problem).startswith("broken.toml:2:13: ")
    assert "(at line" not in problem.message  # the position is not repeated in the text


def test_toml_syntax_error_later_in_file() -> None:
    text = 'schema = 1\n\n[[event]]\nid = "a"\nstart = 2025-13-01\n'
    problem = parse_document(text.encode(), "f.toml").problems[0]
    assert problem.line == 5
    assert problem.column is not None


def test_a_utf8_bom_is_accepted() -> None:
    document = parse_document("\ufeffschema = 1\n".encode(), "bom.toml")
    assert document.problems == []
    assert document.data == {"schema": 1}
    assert document.lines.top == {"schema": 1}


def test_a_good_document_has_data_lines_and_no_problems() -> None:
    document = parse_document(b'schema = 1\n\n[[event]]\nid = "a"\n', "good.toml")
    assert document.problems == []
    assert document.data == {"schema": 1, "event": [{"id": "a"}]}
    assert document.lines.events == [(3, {"id": 4})]


# ---------------------------------------------------------------------------
# expand_paths


def test_expand_paths_lists_toml_files_of_a_directory_sorted(tmp_path: Path) -> None:
    folder = tmp_path / "timelines"
    folder.mkdir()
    for name in ("b.toml", "a.toml", "c.txt", "10-late.toml", "README.md"):
        (folder / name).write_text("schema = 1\n", encoding="utf-8")
    assert expand_paths([str(folder)]) == [str(folder / name) for name in ("10-late.toml", "a.toml", "b.toml")]


def test_expand_paths_keeps_files_as_given_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "z.toml", tmp_path / "a.toml"
    first.write_text("schema = 1\n", encoding="utf-8")
    second.write_text("schema = 1\n", encoding="utf-8")
    assert expand_paths([str(first), str(second)]) == [str(first), str(second)]


def test_expand_paths_on_a_directory_without_toml_raises(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("nothing", encoding="utf-8")
    with pytest.raises(TrucetrackError) as info:
        expand_paths([str(folder)])
    assert str(folder) in info.value.message


def test_expand_paths_on_a_missing_path_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(TrucetrackError) as info:
        expand_paths([str(missing)])
    assert str(missing) in info.value.message
    assert info.value.exit_code == 2


def test_read_documents_reads_a_directory_in_sorted_order(tmp_path: Path) -> None:
    folder = tmp_path / "tl"
    folder.mkdir()
    (folder / "b.toml").write_text('schema = 1\ntitle = "B"\n', encoding="utf-8")
    (folder / "a.toml").write_text('schema = 1\ntitle = "A"\n', encoding="utf-8")
    documents = read_documents([str(folder)])
    assert [document.data["title"] for document in documents if document.data] == ["A", "B"]
