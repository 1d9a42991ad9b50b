"""Plain status output: written without rich, byte for byte what rich prints without colour."""

from __future__ import annotations

import io
import os
import sys

import pytest
from rich.console import Console

from tests.conftest import BUNDLED, NEW_YORK, instant
from trucetrack.core.context import RunContext
from trucetrack.engine.status import Engine
from trucetrack.load.loader import load as load_timeline
from trucetrack.output import status as render
from trucetrack.output.console import ColorMode, output_width, plain_output

AS_OF = instant("2025-08-11T00:00")


@pytest.fixture(scope="module")
def bundled_view() -> RunContext:
    return RunContext(timeline=load_timeline([str(BUNDLED)], bundled=True), as_of=AS_OF, zone=NEW_YORK)


def through_rich(view: RunContext, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False)
    render.print_status_table(console, view, Engine(view.timeline).states(view.as_of, view.zone))
    return buffer.getvalue()


def plain(view: RunContext, width: int) -> str:
    states = Engine(view.timeline).states(view.as_of, view.zone)
    return render.plain_text(render.status_lines(view, states, width))


@pytest.mark.parametrize("width", [20, 40, 60, 80, 100, 160])
def test_plain_text_is_what_rich_prints_without_colour(bundled_view: RunContext, width: int) -> None:
    assert plain(bundled_view, width) == through_rich(bundled_view, width)


def test_no_line_is_wider_than_the_terminal_or_ends_in_a_space(bundled_view: RunContext) -> None:
    for width in (20, 33, 80):
        for line in plain(bundled_view, width).splitlines():
            assert len(line) <= width
            assert line == line.rstrip()
    assert "When…" in plain(bundled_view, 20).splitlines()


def test_wrap_words_keeps_no_break_spaces() -> None:
    assert render.wrap_words("Section\u00a0301 tariffs", 11) == ["Section\u00a0301", "tariffs"]


def test_wrap_words_with_a_width_narrower_than_a_wide_character() -> None:
    assert render.wrap_words("中国", 1) == ["中", "国"]


def test_a_cut_in_the_gap_between_columns_leaves_no_spaces_before_the_ellipsis() -> None:
    pieces = [("ruling    ", ""), ("  ", ""), ("A court ruling", "")]
    for width in range(7, 14):
        cropped = "".join(text for text, _ in render.crop_line(pieces, width))
        assert cropped.endswith("…")
        assert not cropped[:-1].endswith(" ")
        assert len(cropped) <= width


def test_wrap_words_breaks_at_spaces() -> None:
    assert render.wrap_words("one two three four", 9) == ["one two", "three", "four"]
    assert render.wrap_words("abcdefghij xy", 4) == ["abcd", "efgh", "ij", "xy"]


def test_fit_cells_counts_wide_characters_as_two() -> None:
    assert render.fit_cells("中国关税", 5) == "中国…"
    assert render.fit_cells("中国", 5) == "中国 "
    assert render.fit_cells("7 days", 8, right=True) == "  7 days"


@pytest.mark.parametrize(
    ("mode", "environment", "expected"),
    [
        (ColorMode.never, {}, True),
        (ColorMode.always, {}, False),
        (None, {"NO_COLOR": "1"}, True),
        (None, {"FORCE_COLOR": "1"}, False),
        (None, {"TTY_COMPATIBLE": "1"}, False),
        (None, {}, True),  # pytest's stdout is not a terminal
    ],
)
def test_when_output_is_plain(
    monkeypatch: pytest.MonkeyPatch, mode: ColorMode | None, environment: dict[str, str], expected: bool
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert plain_output(mode) is expected


def test_an_empty_force_color_leaves_the_decision_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "")
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert plain_output(None) is False


@pytest.mark.parametrize(
    "environment",
    [{"COLUMNS": "57"}, {"COLUMNS": "57", "LINES": "20"}, {"COLUMNS": "abc"}, {}, {"TERM": "dumb", "COLUMNS": "70"}],
)
def test_output_width_is_the_width_rich_would_use(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> None:
    for name in ("COLUMNS", "LINES", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert output_width() == Console(file=io.StringIO()).width


def test_output_width_follows_columns_then_80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "57")
    assert output_width() == 57
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(os, "get_terminal_size", lambda descriptor: (_ for _ in ()).throw(OSError()))
    assert output_width() == 80
