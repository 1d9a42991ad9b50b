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
from trucetrack.output.layout import wrap_words

AS_OF = instant("2025-08-11T00:00")


@pytest.fixture(scope="module")
def bundled_view() -> RunContext:
    return RunContext(timeline=load_timeline([str(BUNDLED)], bundled=True), as_of=AS_OF, zone=NEW_YORK)


def plain(view: RunContext, width: int | None) -> str:
    states = Engine(view.timeline).states(view.as_of, view.zone)
    return render.plain_text(render.status_lines(view, states, width))


@pytest.mark.parametrize("width", [40, 60, 80, 100, 160, None])
def test_plain_text_is_what_rich_prints_without_colour(bundled_view: RunContext, width: int | None) -> None:
    # None is --wide: rich must print lines longer than its console untouched.
    states = Engine(bundled_view.timeline).states(bundled_view.as_of, bundled_view.zone)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 80, color_system=None, highlight=False)
    render.print_status_table(console, bundled_view, states, wide=width is None)
    assert plain(bundled_view, width) == buffer.getvalue()


def test_no_line_is_wider_than_the_terminal_or_ends_in_a_space(bundled_view: RunContext) -> None:
    for width in (40, 57, 80, 100):
        for line in plain(bundled_view, width).splitlines():
            assert len(line) <= width
            assert line == line.rstrip()


def test_ids_and_instants_are_never_cut(bundled_view: RunContext) -> None:
    states = Engine(bundled_view.timeline).states(bundled_view.as_of, bundled_view.zone)
    for width in (40, 57, 80, 100, None):
        words = set(plain(bundled_view, width).split())
        for state in states:
            assert state.id in words, (width, state.id)
        assert "…" not in plain(bundled_view, width)


def test_wide_prints_one_line_per_entry(bundled_view: RunContext) -> None:
    states = Engine(bundled_view.timeline).states(bundled_view.as_of, bundled_view.zone)
    lines = plain(bundled_view, None).splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("When"))) + 1 :]
    assert len(table) == len(states)
    for state, line in zip(states, table, strict=True):
        assert line.split()[-1] == state.entry.title.split()[-1]


def test_wrap_words_keeps_no_break_spaces() -> None:
    assert wrap_words("Section\u00a0301 tariffs", 11) == ["Section\u00a0301", "tariffs"]


def test_wrap_words_with_a_width_narrower_than_a_wide_character() -> None:
    assert wrap_words("中国", 1) == ["中", "国"]


def test_wrap_words_breaks_at_spaces() -> None:
    assert wrap_words("one two three four", 9) == ["one two", "three", "four"]
    assert wrap_words("abcdefghij xy", 4) == ["abcd", "efgh", "ij", "xy"]


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
