"""The terminal: whether output is styled, how wide it is, and rich's console.

These follow rich's own rules (``NO_COLOR``, ``FORCE_COLOR``, ``TTY_COMPATIBLE``,
``COLUMNS``, a dumb terminal), so the plain lines written without rich and the
lines rich draws agree about width and colour. ``--color`` beats ``NO_COLOR``,
which beats terminal detection.
"""

from __future__ import annotations

import os
import re
import sys
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, TextIO

from trucetrack.core.text import clean

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import Console
    from rich.segment import Segment

    from trucetrack.errors import TrucetrackError


_TRAILING_SPACES = re.compile(r"[ \t]+\n")


class ColorMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


@cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class QuietPipeConsole(Console):
        """Hands a closed pipe to TrucetrackGroup (quiet, exit 0) instead of rich's exit 1."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            """Rich pads cells and panels with spaces to the full width; piped or mailed
            output must not end lines in spaces (diffs and mail clients show them). A
            terminal keeps the padding, which a live redraw needs to blank old text."""
            text = super()._render_buffer(buffer)
            if self.is_terminal or " \n" not in text:
                return text
            return _TRAILING_SPACES.sub("\n", text)

    return QuietPipeConsole


# Narrower than this, no table or panel can show an id and a date side by side;
# COLUMNS=0 (or a tiny terminal) gets this width instead of an empty output.
MIN_WIDTH = 40


def make_console(mode: ColorMode | None) -> Console:
    """A console for this run: --color beats NO_COLOR, which beats terminal detection."""
    console = _make_console(mode)
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


def _make_console(mode: ColorMode | None) -> Console:
    console_class = _console_class()

    common: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    if mode is ColorMode.never:
        return console_class(color_system=None, no_color=True, **common)
    if mode is ColorMode.always:
        # no_color=False: rich would otherwise read NO_COLOR itself and drop the colours.
        console = console_class(force_terminal=True, no_color=False, **common)
        if console.color_system is None:
            console = console_class(force_terminal=True, no_color=False, color_system="standard", **common)
        return console
    if os.environ.get("NO_COLOR"):
        return console_class(color_system=None, no_color=True, **common)
    return console_class(**common)


# Variables with which rich decides for itself whether output is a terminal (set
# to anything, depending on rich's version): when present, rich decides.
_TERMINAL_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE")


def plain_output(mode: ColorMode | None) -> bool:
    """Whether output carries no styles at all, so it can be written without
    rich's console (about a fifth of a cold start): --color never, NO_COLOR, or
    a pipe or file in auto mode: the cases where ``make_console`` gives rich no
    colour system either."""
    if mode is ColorMode.never:
        return True
    if mode is ColorMode.always:
        return False
    if os.environ.get("NO_COLOR"):
        return True
    if any(name in os.environ for name in _TERMINAL_OVERRIDES):
        return False
    return not sys.stdout.isatty()


def output_width() -> int:
    """The width rich gives a console, by rich's rule: $COLUMNS (with $LINES, even
    on a dumb terminal), 80 on a dumb terminal, else $COLUMNS, else the size of
    the terminal on stdin, stdout or stderr, else 80 (cron has no terminal);
    never below ``MIN_WIDTH``."""
    return max(MIN_WIDTH, _rich_width())


def _rich_width() -> int:
    columns = _digits("COLUMNS")
    if columns is not None and _digits("LINES") is not None:
        return columns
    if sys.stdout.isatty() and os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return 80
    if columns is not None:
        return columns
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80


def _digits(name: str) -> int | None:
    """A whole number from the environment (0 included, as rich reads it), else None."""
    value = os.environ.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


# What rich reads as a markup tag: ``[`` then a letter, #, / or @, up to ``]``,
# with the backslashes before it (the pattern of rich.markup).
_MARKUP_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape_markup(text: str) -> str:
    """``text`` for a place that reads rich markup (typer's help), shown as written.

    What ``rich.markup.escape`` does, without importing rich.markup (some 30 ms)
    into every run just to register the commands' help texts.
    """
    escaped = _MARKUP_TAG.sub(lambda tag: f"{tag.group(1)}{tag.group(1)}\\{tag.group(2)}", text)
    if escaped.endswith("\\") and not escaped.endswith("\\\\"):
        escaped += "\\"
    return escaped


def tolerate_unencodable_text() -> None:
    """Replace what the output encoding cannot carry instead of failing.

    Under a Latin-1 or ASCII locale (``LC_ALL=C`` on older systems,
    ``PYTHONIOENCODING=ascii``), a title with an en dash would raise
    UnicodeEncodeError halfway through the output, and ``check`` would then
    exit 1 with nothing printed. With ``errors="replace"`` such characters
    print as ``?`` and every command gives the same exit code in every locale.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to protect
                continue


def write(text: str, *, verbatim: bool = False) -> None:
    """Write ``text`` to stdout. ``verbatim``: lines copied from a file (a line
    diff) keep the spaces that end them, which are part of what they show."""
    stream = sys.stdout
    if verbatim and isinstance(stream, _TrimmedLines):
        stream.write_verbatim(text)
    else:
        stream.write(text)
    stream.flush()


def write_data(text: str) -> None:
    """Write a machine format (JSON, CSV, HTML) to stdout as UTF-8, whatever the
    locale: these formats are UTF-8 by definition, and a reader must not get
    ``?`` for a Chinese title because cron ran under ``LC_ALL=C``."""
    stream = sys.stdout
    binary = getattr(stream, "buffer", None)
    if binary is None:  # a text-only stream (a test's StringIO)
        write(text)
        return
    stream.flush()
    binary.write(text.encode("utf-8", "surrogateescape"))
    binary.flush()


# Spaces that end a line, before its newline (and before the colour codes that
# close the line's styles, which rich writes after a padded cell).
_SPACES_AT_LINE_END = re.compile(r" +(?=(?:\x1b\[[0-9;]*m)*\r?\n)")
# Spaces at the end of a write, with any colour codes after them: held back
# until the next write shows whether the line ends there.
_SPACES_AT_WRITE_END = re.compile(r" +(?:\x1b\[[0-9;]*m)*\Z")


class _TrimmedLines:
    """A text stream that passes everything on to ``stream`` except the spaces
    that end a line. Spaces at the end of a write are held back until the next
    write shows whether the line goes on (they are then written) or ends (they
    are dropped, as they are when nothing more is written)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        count = len(text)
        text = self._held + text
        if " " in text:
            text = _SPACES_AT_LINE_END.sub("", text)
        end = _SPACES_AT_WRITE_END.search(text)
        if end is None:
            kept, self._held = text, ""
        else:
            # The colour codes go out now (a style closed after padding stays
            # closed even if nothing follows); the spaces wait for what comes next.
            tail = end.group()
            codes = tail.lstrip(" ")
            kept, self._held = text[: end.start()] + codes, tail[: len(tail) - len(codes)]
        if kept:
            self.stream.write(kept)
        return count

    def write_verbatim(self, text: str) -> None:
        """Pass ``text`` on as it is, spaces at line ends included."""
        self.stream.write(self._held + text)
        self._held = ""

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding, buffer (binary output): those of the stream.
        return getattr(self.stream, name)


def trim_piped_lines() -> None:
    """No line piped or mailed ends in spaces, whoever wrote it.

    Our own tables are rendered without the padding already; this also covers
    what typer and rich print themselves (help panels, usage errors), which pad
    every line to the width. A terminal keeps its stream as it is: a live
    countdown redraws over its padding.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or isinstance(stream, _TrimmedLines):
            continue
        try:
            terminal = stream.isatty()
        except (AttributeError, ValueError, OSError):
            terminal = False
        if not terminal:
            setattr(sys, name, _TrimmedLines(stream))


def report_error(error: TrucetrackError) -> None:
    """The one place errors are printed: details (problem lines) first, then
    ``trucetrack: error: ...``; file text in them never carries control codes."""
    for line in error.details:
        sys.stderr.write(clean(line) + "\n")
    sys.stderr.write(f"trucetrack: error: {clean(error.message)}\n")
    sys.stderr.flush()


def silence_stdout() -> None:
    """Point stdout at the null device, so that nothing more (Python's own flush at
    exit included) fails on a pipe whose reader has gone."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
