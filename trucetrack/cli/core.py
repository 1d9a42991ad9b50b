"""The core commands: status, show and validate."""

from __future__ import annotations

import sys
from collections.abc import Callable
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
    load,
    make_console,
    no_such_entry,
    output_width,
    plain_output,
    write,
)
from trucetrack.errors import BadValue

if TYPE_CHECKING:
    from trucetrack.render import View


@app.command()
def status(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include expired, terminated and past entries.")] = False,
    within: Annotated[
        str | None, typer.Option("--within", metavar="DURATION", help="Only deadlines within this window, e.g. 30d.")
    ] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only this kind (repeatable).")] = None,
    party: Annotated[
        list[str] | None, typer.Option("--party", help="Only entries with this party code (repeatable).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only entries with this tag (repeatable).")] = None,
    status_filter: Annotated[
        list[str] | None,
        typer.Option("--status", help="Only this status (repeatable); overrides what is left out by default."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, markdown, json or csv.")
    ] = OutputFormat.table,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Points and spans with status and countdown, soonest deadline first.

    Example: trucetrack status --as-of 2025-06-10 --within 90d
    """
    from trucetrack import engine, render
    from trucetrack.durations import DurationError, parse_duration

    options = global_options(ctx, file, as_of, tz, color)
    view = build_view(options)
    window = None
    if within is not None:
        try:
            window = parse_duration(within)
        except DurationError as exc:
            raise BadValue(f"--within: {exc}") from None
    check_choice("--status", status_filter or [], list(engine.STATUSES))
    check_choice("--kind", kind or [], list(view.timeline.kinds))
    check_choice("--party", party or [], [p.code for p in view.timeline.parties])
    filters = engine.Filters(
        show_all=show_all,
        within=window,
        kinds=tuple(kind or ()),
        parties=tuple(party or ()),
        tags=tuple(tag or ()),
        statuses=tuple(status_filter or ()),
    )
    states = engine.select(engine.Engine(view.timeline).states(view.as_of, view.zone), filters, view.as_of, view.zone)
    if output is OutputFormat.table:
        if plain_output(options.color):
            write(render.plain_text(render.status_lines(view, states, output_width())))
        else:
            render.print_status_table(make_console(options.color), view, states)
        return
    if output in (OutputFormat.json, OutputFormat.csv):
        note = render.bundled_note(view.timeline)
        if note:
            sys.stderr.write(note + "\n")
    writers: dict[OutputFormat, Callable[[View, list[engine.EntryState]], str]] = {
        OutputFormat.markdown: render.status_markdown,
        OutputFormat.json: render.status_json,
        OutputFormat.csv: render.status_csv,
    }
    write(writers[output](view, states))


@app.command()
def show(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Entry id.", autocompletion=complete_entry_ids)],
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """One entry: every field, its effective end and how it was derived, the history of ends, sources.

    Example: trucetrack show geneva-truce --as-of 2025-08-11
    """
    from trucetrack import engine, render

    options = global_options(ctx, file, as_of, tz, color)
    view = build_view(options)
    entry = view.timeline.entry(entry_id)
    if entry is None:
        raise no_such_entry(entry_id, [e.id for e in view.timeline.entries])
    evaluator = engine.Engine(view.timeline)
    state = None if entry.is_modifier else evaluator.state(entry, view.as_of, view.zone)
    party_names = {p.code: p.name for p in view.timeline.parties}
    console = make_console(options.color)
    note = render.bundled_note(view.timeline)
    console.print(render.show_renderable(view, entry, state, party_names))
    if note:
        console.print(note, style="dim")


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(metavar="[PATH]...", help="Files or directories; default as -f.")
    ] = None,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Check timeline files; print every problem as file:line: id: message (exit 2 if any).

    Example: trucetrack validate timelines/
    """
    options = global_options(ctx, paths or file, as_of, tz, color)
    timeline = load(options)
    count = sum(1 for _ in timeline.entries)
    files = len(timeline.files)
    write(f"ok: {count} entries in {files} file{'s' if files != 1 else ''}\n")
