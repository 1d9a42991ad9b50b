"""Help texts are escaped for rich without importing rich.markup: the copy of its
pattern must escape exactly as rich does."""

from __future__ import annotations

import pytest
from rich.markup import escape

from trucetrack.output.console import escape_markup

SAMPLES = [
    "Print the [[event]] block that would be appended",
    "a [red]x[/red] and \\[b]",
    "ends in a backslash \\",
    "ends in two \\\\",
    "[link=https://example.org]y[/link]",
    "x[1] and [2025-05-14]",
    "[#ffffff]white[/] [@click]",
    "a\\\\[bold]b",
    "no brackets at all",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_escapes_as_rich_does(text: str) -> None:
    assert escape_markup(text) == escape(text)


# rich doubles a backslash at the very end (its own escape does the same), so
# that one sample is left out of the round trip.
@pytest.mark.parametrize("text", [text for text in SAMPLES if not text.endswith(" \\")])
def test_rich_prints_it_as_written(text: str) -> None:
    from rich.text import Text

    assert Text.from_markup(escape_markup(text)).plain == text
