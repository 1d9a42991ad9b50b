"""Properties of the plain status lines, with hypothesis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trucetrack.output import status as render


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(["a", "bb", " ", "  ", "中", "…", "-", "x" * 12]), max_size=20).map("".join),
    width=st.integers(min_value=2, max_value=30),  # a wide character needs two cells
)
def test_wrap_words_keeps_every_word_within_the_width(text: str, width: int) -> None:
    from rich.cells import cell_len

    lines = render.wrap_words(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert all(line == line.strip() for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    if text.strip():
        assert all(lines)
    words = [word for word in text.split(" ") if word]
    if all(cell_len(word) <= width for word in words):
        assert " ".join(lines) == " ".join(words)  # only broken at spaces
