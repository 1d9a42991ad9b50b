"""Properties of the plain status lines, with hypothesis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trucetrack.output.layout import Column, table_lines, wrap_words


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(["a", "bb", " ", "  ", "中", "…", "-", "x" * 12]), max_size=20).map("".join),
    width=st.integers(min_value=2, max_value=30),  # a wide character needs two cells
)
def test_wrap_words_keeps_every_word_within_the_width(text: str, width: int) -> None:
    from rich.cells import cell_len

    lines = wrap_words(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert all(line == line.strip() for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    if text.strip():
        assert all(lines)
    words = [word for word in text.split(" ") if word]
    if all(cell_len(word) <= width for word in words):
        assert " ".join(lines) == " ".join(words)  # only broken at spaces


CELL = st.lists(st.sampled_from(["a", "bb", "中", "-", "2025-11-10", "x" * 30]), min_size=1, max_size=3).map("".join)
PROSE = st.lists(st.sampled_from(["a", "bb", " ", "中", "word", "y" * 50]), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL, CELL, PROSE), min_size=1, max_size=5),
    width=st.one_of(st.integers(min_value=40, max_value=200), st.none()),
    header=st.booleans(),
)
def test_tables_never_cut_a_short_cell_and_fit_unless_a_cell_cannot(
    rows: list[tuple[str, str, str, str]], width: int | None, header: bool
) -> None:
    from rich.cells import cell_len

    columns = (Column("When"), Column("Left", right=True), Column("ID"), Column("Title", prose=True))
    cells = [[(text, "") for text in row] for row in rows]
    lines = ["".join(text for text, _ in line) for line in table_lines(columns, cells, width, header=header)]
    words = " ".join(lines).split()
    for row in rows:
        for short in row[:3]:
            assert short in words  # never cut, never broken
    prose = "".join("".join(line.split()) for line in lines)
    for row in rows:
        assert row[3].replace(" ", "") in prose  # the prose is all there, in order
    for line in lines:
        assert line == line.rstrip()
        if width is not None and cell_len(line) > width:
            # only a short cell longer than the width itself may overflow
            assert any(cell_len(short) > width - 2 for row in rows for short in row[:3])
    if width is None:
        assert len(lines) == len(rows) + header
