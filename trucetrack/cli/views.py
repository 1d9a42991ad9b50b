"""The views: countdown (with --live), timeline, summary, check and rates.

Module level stays light (typer and the shared options only): this module is
imported for every command, so the engine, rich and git are loaded inside the
commands that use them.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trucetrack.cli.app import (
    AsOfOption,
    ColorOption,
    FileOption,
    OutputFormat,
    TzOption,
    VersionOption,
    app,
    build_view,
    check_choice,
    complete_entry_ids,
    global_options,
    make_console,
    no_such_entry,
    resolve_paths,
    write,
)
from trucetrack.errors import BadValue, TrucetrackError
from trucetrack.safe import article

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rich.console import Console, RenderableType

    from trucetrack.digest import GitChanges
    from trucetrack.engine import EntryState
    from trucetrack.model import Duration, Entry, Timeline
    from trucetrack.render import View

# How many deadlines `countdown` shows when no id is given.
DEFAULT_COUNTDOWNS = 3


class SummaryFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


def _duration(option: str, text: str) -> Duration:
    from trucetrack.durations import DurationError, parse_duration

    try:
        return parse_duration(text)
    except DurationError as exc:
        raise BadValue(f"{option}: {exc}") from None


def _entry(timeline: Timeline, entry_id: str) -> Entry:
    """The point or span ``entry_id``; an unknown id or a modifier is an error with a hint."""
    entry = timeline.entry(entry_id)
    if entry is None:
        raise no_such_entry(entry_id, [e.id for e in timeline.entries if not e.is_modifier])
    if entry.is_modifier:
        raise TrucetrackError(
            f"{entry_id!r} is {article(entry.kind)} {entry.kind} (a modifier, with no deadline of its own): "
            f"count down to its target, {entry.target!r}"
        )
    return entry


def _bundled_note_to_stderr(view: View) -> None:
    """JSON and CSV stay machine-readable: the bundled-timeline note goes to stderr."""
    from trucetrack.render import bundled_note

    note = bundled_note(view.timeline)
    if note:
        sys.stderr.write(note + "\n")


# ---------------------------------------------------------------- countdown


@app.command()
def countdown(
    ctx: typer.Context,
    entry_ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...",
            help=f"Entries to count down to. Default: the next {DEFAULT_COUNTDOWNS} active deadlines.",
            autocompletion=complete_entry_ids,
            show_default=False,
        ),
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live", help="Redraw every second until Ctrl-C or the deadline; prints once when not a terminal."
        ),
    ] = False,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Countdown panels: time left, the exact instant and its zone, and how much of the span has elapsed.

    Example: trucetrack countdown geneva-truce --as-of 2025-08-11
    """
    from trucetrack.engine import Engine

    options = global_options(ctx, file, as_of, tz, color)
    view = build_view(options)
    engine = Engine(view.timeline)
    if entry_ids:
        entries = [_entry(view.timeline, entry_id) for entry_id in entry_ids]
    else:
        entries = [state.entry for state in _next_deadlines(engine.states(view.as_of, view.zone), view.as_of)]
    console = make_console(options.color)

    def frame(instant: datetime) -> tuple[RenderableType, bool]:
        from trucetrack import views
        from trucetrack.render import View

        shown = View(timeline=view.timeline, as_of=instant, zone=view.zone)
        states = [engine.state(entry, instant, view.zone) for entry in entries]
        finished = all(state.counted_to is None or state.counted_to <= instant for state in states)
        return views.countdown_renderable(shown, states, console.width), finished

    if live and sys.stdout.isatty() and not console.is_dumb_terminal:
        run_live(console, frame, view.as_of)
        return
    console.print(frame(view.as_of)[0])


def _next_deadlines(states: list[EntryState], as_of: datetime) -> list[EntryState]:
    """The soonest active or expiring deadlines from as-of on."""
    upcoming = [
        state
        for state in states
        if state.status in ("active", "expiring") and state.counted_to is not None and state.counted_to >= as_of
    ]
    return upcoming[:DEFAULT_COUNTDOWNS]


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


# ---------------------------------------------------------------- timeline


@app.command()
def timeline(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="WHEN",
            help="Left end of the axis (as --as-of; +30d counts from as-of). Default: the first entry shown.",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="WHEN", help="Right end of the axis. Default: the last end or date shown."),
    ] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only this kind (repeatable).")] = None,
    party: Annotated[
        list[str] | None, typer.Option("--party", help="Only entries with this party code (repeatable).")
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table (a chart), markdown, json or csv.")
    ] = OutputFormat.table,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Spans as bars and points as markers on one date axis; extensions show as the part they added.

    Example: trucetrack timeline --as-of 2025-08-11 --from 2025-04-01 --to 2025-12-31
    """
    from trucetrack import views
    from trucetrack.engine import Engine

    options = global_options(ctx, file, as_of, tz, color)
    view = build_view(options)
    check_choice("--kind", kind or [], list(view.timeline.kinds))
    check_choice("--party", party or [], [p.code for p in view.timeline.parties])
    axis_start = _instant_option("--from", start, view)
    axis_end = _instant_option("--to", end, view)
    if axis_start is not None and axis_end is not None and axis_end <= axis_start:
        raise BadValue("--to must be later than --from")
    states = [
        state
        for state in Engine(view.timeline).states(view.as_of, view.zone)
        if (not kind or state.entry.kind in kind)
        and (not party or set(party) & set(state.entry.parties))
        and views.overlaps(
            state,
            axis_start if axis_start is not None else datetime.min.replace(tzinfo=view.as_of.tzinfo),
            axis_end if axis_end is not None else datetime.max.replace(tzinfo=view.as_of.tzinfo),
        )
    ]
    states.sort(key=lambda state: (state.entry.begins, state.id))
    if output is OutputFormat.table:
        console = make_console(options.color)
        console.print(views.timeline_renderable(view, states, console.width, axis_start, axis_end))
        return
    if output is OutputFormat.markdown:
        write(views.timeline_markdown(view, states))
        return
    _bundled_note_to_stderr(view)
    bounds = views.default_range(view, states)
    first = axis_start if axis_start is not None else (bounds[0] if bounds else None)
    last = axis_end if axis_end is not None else (bounds[1] if bounds else None)
    if output is OutputFormat.json:
        write(views.timeline_json(view, states, first, last))
    else:
        write(views.timeline_csv(view, states))


def _instant_option(option: str, text: str | None, view: View) -> datetime | None:
    """--from/--to read like --as-of, with relative forms counted from the as-of instant."""
    if text is None:
        return None
    from trucetrack.dates import parse_as_of

    try:
        return parse_as_of(text, now=view.as_of, zone=view.zone)
    except ValueError as exc:
        raise BadValue(f"{option}: {exc}") from None


# ---------------------------------------------------------------- summary


@app.command()
def summary(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", min=0, max=3660, help="What happened in this many days up to as-of.")
    ] = 7,
    ahead: Annotated[
        str, typer.Option("--ahead", metavar="DURATION", help="Deadlines within this window after as-of.")
    ] = "30d",
    output: Annotated[
        SummaryFormat, typer.Option("--format", help="table, markdown (for mail) or json.")
    ] = SummaryFormat.table,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Weekly digest: what happened, deadlines ahead, what is in force, and (under git) what changed in the files.

    Example: trucetrack summary --as-of 2025-08-11 --format markdown
    """
    from trucetrack import digest, views

    options = global_options(ctx, file, as_of, tz, color)
    view = build_view(options)
    window = _duration("--ahead", ahead)
    since = digest.window_start(view.as_of, days, view.zone)
    inputs, bundled = resolve_paths(options)
    # The bundled example is not the user's files: its history is not reported.
    changes = None if bundled else git_changes(inputs, since, view.as_of, view.zone)
    result = digest.summarize(view.timeline, view.as_of, view.zone, days=days, ahead=window, git=changes)
    if output is SummaryFormat.table:
        console = make_console(options.color)
        console.print(views.summary_renderable(view, result, console.width))
    elif output is SummaryFormat.markdown:
        write(views.summary_markdown(view, result))
    else:
        _bundled_note_to_stderr(view)
        write(views.summary_json(view, result))


# ---------------------------------------------------------------- summary: the files in git


def git_changes(inputs: list[str], since: datetime, as_of: datetime, zone: ZoneInfo) -> GitChanges | None:
    """What changed in the timeline files from the last commit before ``since`` to the last at or before as-of.

    ``inputs`` are the files and folders given (-f, $TRUCETRACK_FILE or
    ./timelines/); a folder is read as its ``*.toml`` at each commit, so
    files added or deleted in the window count. Both versions are loaded as
    one timeline each and compared by ``semdiff``. Revisions are those of the
    repository holding the first input that is in one, limited to the folder
    of the inputs; inputs outside it count as unchanged. None (no section)
    when no input is in a git repository or it had no commit by as-of.
    """
    from trucetrack import digest, gitfiles, semdiff, store
    from trucetrack.validate import build_timeline

    absolute = [os.path.abspath(path) for path in inputs]
    root = None
    for path in absolute:
        try:
            root = gitfiles.repository_root(path).resolve()
            break
        except TrucetrackError:
            continue
    if root is None:
        return None
    tracked = [path for path in absolute if Path(path).resolve().is_relative_to(root)]
    folder = os.path.commonpath([path if os.path.isdir(path) else os.path.dirname(path) for path in tracked])
    try:
        new_revision = gitfiles.last_commit(folder, as_of)
        if new_revision is None:
            return None
        # The window is since < t <= as-of: a commit made exactly at `since` belongs
        # to the week before, so it is the old side here (git's --before includes it).
        old_revision = gitfiles.last_commit(folder, since)
    except TrucetrackError as error:
        return digest.GitChanges(None, None, None, error.message)

    def version(revision: str | None) -> Timeline:
        documents = []
        for path, given in zip(absolute, inputs, strict=True):
            if path not in tracked:
                files = store.expand_paths([given])
                documents += [store.parse_document(store.read_bytes(name), name) for name in files]
                continue
            if revision is None:
                continue
            names = gitfiles.toml_files_at(revision, given) if os.path.isdir(path) else [given]
            for name in names:
                raw = gitfiles.read_at(revision, name)
                if raw is not None:
                    documents.append(store.parse_document(raw, name))
        built, problems = build_timeline(documents)
        if problems:
            label = revision[:7] if revision else "the working copy"
            raise TrucetrackError(f"the files at {label} are not a valid timeline: {problems[0]}")
        return built

    try:
        old, new = version(old_revision), version(new_revision)
    except TrucetrackError as error:
        return digest.GitChanges(old_revision, new_revision, None, error.message)
    return digest.GitChanges(old_revision, new_revision, semdiff.compare(old, new, as_of, zone))


# ---------------------------------------------------------------- check


@app.command()
def check(
    ctx: typer.Context,
    within: Annotated[
        str | None,
        typer.Option("--within", metavar="DURATION", help="Deadlines within this window. Default: each entry's warn."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table (plain lines), markdown, json or csv.")
    ] = OutputFormat.table,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """For cron: list deadlines inside their warning window; exit 1 if any, 0 (printing nothing) if none.

    Example: trucetrack check --as-of 2025-08-01
    """
    from trucetrack import digest, views
    from trucetrack.engine import Engine

    options = global_options(ctx, file, as_of, tz, color)
    view = build_view(options)
    window = _duration("--within", within) if within is not None else None
    states = Engine(view.timeline).states(view.as_of, view.zone)
    found = digest.check_deadlines(states, view.as_of, view.zone, window)
    if not found:
        return  # nothing at all, on stdout or stderr: cron mails any output
    _bundled_note_to_stderr(view)
    if output is OutputFormat.table:
        console = make_console(options.color)
        for line in views.check_lines(view, found):
            console.print(line, soft_wrap=True)
    elif output is OutputFormat.markdown:
        write(views.check_markdown(view, found))
    elif output is OutputFormat.json:
        write(views.check_json(view, found, window))
    else:
        from trucetrack.render import status_csv

        write(status_csv(view, found))
    raise typer.Exit(1)


# ---------------------------------------------------------------- rates


@app.command()
def rates(
    ctx: typer.Context,
    measure: Annotated[
        str | None, typer.Argument(metavar="[MEASURE]", help="Only this measure.", show_default=False)
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every change of each rate with its date (the ladder).")
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, markdown, json or csv.")
    ] = OutputFormat.table,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """The rate of each measure as of the instant (rate while in force, rate_after once ended).

    Example: trucetrack rates --as-of 2025-04-10 --history
    """
    from trucetrack import views
    from trucetrack.rates import Rates

    options = global_options(ctx, file, as_of, tz, color)
    view = build_view(options)
    ladders = Rates(view.timeline, view.as_of)
    if measure is not None:
        check_choice("measure", [measure], ladders.measures)
    chosen = [measure] if measure is not None else ladders.measures
    current = ladders.current_all(chosen)
    steps = [step for name in chosen for step in ladders.ladder(name)] if history else None
    if output is OutputFormat.table:
        make_console(options.color).print(views.rates_renderable(view, current, steps))
        return
    if output is OutputFormat.markdown:
        write(views.rates_markdown(view, current, steps))
        return
    _bundled_note_to_stderr(view)
    writer = views.rates_json if output is OutputFormat.json else views.rates_csv
    write(writer(view, current, steps))
