"""Printing an operation's result in the format asked for: the last step of every
read-only command.

Tables go to a terminal drawn by rich (or, when nothing will be styled, as
plain lines without loading rich's console); markdown, JSON and CSV are
written as text. Notes meant for a person (the bundled timeline is in use) go
to stderr whenever stdout carries a machine format, so JSON and CSV stay
machine-readable.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from trucetrack.output.console import ColorMode, make_console, output_width, plain_output, write, write_data

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from trucetrack.core.context import RunContext
    from trucetrack.ops.query import ShowResult, StatusResult, ValidateResult
    from trucetrack.ops.reports import (
        CheckResult,
        CountdownResult,
        MailResult,
        RatesResult,
        SummaryResult,
        TimelineResult,
    )


def bundled_note_to_stderr(run: RunContext, *, marked: str | None = "confirmed: false") -> None:
    """JSON and CSV stay machine-readable: the notes for a person go to stderr."""
    from trucetrack.output.text import run_notes

    for note in run_notes(run, marked=marked):
        sys.stderr.write(note + "\n")


def status(result: StatusResult, output: str, color: ColorMode | None, *, wide: bool = False) -> None:
    from trucetrack.output import status as render

    run, states = result.run, result.states
    if output == "table":
        if plain_output(color):
            write(render.plain_text(render.status_lines(run, states, None if wide else output_width())))
        else:
            render.print_status_table(make_console(color), run, states, wide=wide)
        return
    if output in ("json", "csv"):
        bundled_note_to_stderr(run)
    if output == "markdown":
        write(render.status_markdown(run, states))
        return
    write_data(render.status_json(run, states) if output == "json" else render.status_csv(run, states))


def show(result: ShowResult, color: ColorMode | None, output: str = "text") -> None:
    from trucetrack.output.show import show_json, show_renderable, source_lines
    from trucetrack.output.text import run_notes

    if output == "json":
        bundled_note_to_stderr(result.run)
        write_data(show_json(result.run, result.entry, result.state))
        return
    console = make_console(color)
    console.print(show_renderable(result.run, result.entry, result.state, result.party_names))
    for line in source_lines(result.entry):
        console.print(line, soft_wrap=True)
    for note in run_notes(result.run):
        console.print(note, style="dim")


def validated(result: ValidateResult) -> None:
    entries = f"{result.entries} {'entry' if result.entries == 1 else 'entries'}"
    write(f"ok: {entries} in {result.files} file{'s' if result.files != 1 else ''}\n")


def countdown(result: CountdownResult, color: ColorMode | None, *, live: bool, output: str = "table") -> None:
    """The countdown panels once, or with ``live`` redrawn each second in a terminal;
    or, as JSON, the status object of each entry counted down to."""
    if output == "json":
        from trucetrack.output import views

        run, states, _ = result.at(result.run.as_of)
        bundled_note_to_stderr(run)
        write_data(views.countdown_json(run, states))
        return
    console = make_console(color)

    def frame(instant: datetime) -> tuple[RenderableType, bool]:
        from trucetrack.output import views

        run, states, finished = result.at(instant)
        return views.countdown_renderable(run, states, console.width), finished

    if live and sys.stdout.isatty() and not console.is_dumb_terminal:
        run_live(console, frame, result.run.as_of)
        return
    console.print(frame(result.run.as_of)[0])


def run_live(
    console: Console,
    frame: Callable[[datetime], tuple[RenderableType, bool]],
    start: datetime,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Redraw ``frame`` each second until Ctrl-C or until it says it is finished.

    The instant shown is ``start`` plus the whole seconds elapsed on the
    monotonic clock, so the countdown keeps pace with real time from a
    pinned --as-of too, and a change of the wall clock cannot make it jump.
    Rich's Live restores the cursor on the way out, Ctrl-C included.
    """
    from rich.live import Live

    began = clock()
    with Live(console=console, auto_refresh=False, redirect_stdout=False, redirect_stderr=False) as screen:
        try:
            while True:
                elapsed = clock() - began
                renderable, finished = frame(start + timedelta(seconds=math.floor(elapsed)))
                screen.update(renderable, refresh=True)
                if finished:
                    return
                sleep(1 - (clock() - began) % 1)  # until the next whole second
        except KeyboardInterrupt:
            return


def timeline(result: TimelineResult, output: str, color: ColorMode | None) -> None:
    from trucetrack.output import views

    run, states = result.run, result.states
    if output == "table":
        console = make_console(color)
        console.print(views.timeline_renderable(run, states, console.width, result.axis_start, result.axis_end))
        return
    if output == "markdown":
        write(views.timeline_markdown(run, states))
        return
    bundled_note_to_stderr(run)
    if output == "json":
        write_data(views.timeline_json(run, states, result.first, result.last))
    else:
        write_data(views.timeline_csv(run, states))


def summary(result: SummaryResult, output: str, color: ColorMode | None, *, wide: bool = False) -> None:
    from trucetrack.output import views

    run = result.run
    if output == "table":
        console = make_console(color)
        rendered = views.summary_renderable(run, result.summary, None if wide else console.width)
        console.print(rendered, no_wrap=True, crop=False, overflow="ignore")
    elif output == "markdown":
        write(views.summary_markdown(run, result.summary))
    elif output == "html":
        from trucetrack.output.html import summary_html

        bundled_note_to_stderr(run)
        write_data(summary_html(run, result.summary))
    else:
        bundled_note_to_stderr(run)
        write_data(views.summary_json(run, result.summary))


def summary_email(result: MailResult) -> None:
    """The digest as a mail message, as bytes (UTF-8 whatever the locale), for ``sendmail -t``."""
    from trucetrack.output.mail import summary_email as message

    run = result.digest.run
    bundled_note_to_stderr(run)
    data = message(run, result.digest.summary, result.recipients, result.sender, result.subject)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def check(result: CheckResult, output: str, color: ColorMode | None, *, wide: bool = False) -> None:
    """The deadlines found; nothing at all when there are none (cron mails any output)."""
    from trucetrack.output import views

    run, found = result.run, result.found
    if not found:
        return
    bundled_note_to_stderr(run, marked=None if output in ("table", "markdown") else "confirmed: false")
    if output == "table":
        from trucetrack.output.status import rich_text

        console = make_console(color)
        lines = views.check_lines(run, found, None if wide else console.width)
        console.print(rich_text(lines), no_wrap=True, crop=False, overflow="ignore")
    elif output == "markdown":
        write(views.check_markdown(run, found))
    elif output == "json":
        write_data(views.check_json(run, found, result.window))
    else:
        from trucetrack.output.status import status_csv

        write_data(status_csv(run, found))


def rates(result: RatesResult, output: str, color: ColorMode | None, *, wide: bool = False) -> None:
    from trucetrack.output import views

    run = result.run
    if output == "table":
        from trucetrack.output.status import rich_text

        console = make_console(color)
        lines = views.rates_lines(run, result.current, result.steps, None if wide else console.width)
        console.print(rich_text(lines), no_wrap=True, crop=False, overflow="ignore")
        return
    if output == "markdown":
        write(views.rates_markdown(run, result.current, result.steps))
        return
    bundled_note_to_stderr(run)
    writer = views.rates_json if output == "json" else views.rates_csv
    write_data(writer(run, result.current, result.steps))
