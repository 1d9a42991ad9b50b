"""The commands that look at a timeline as of an instant: status, show and validate.

Module level stays light (typer and the shared options only): the operations
and renderers load inside the commands that use them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trucetrack.cli.options import GlobalOptions, OutputFormat, TextFormat, WideOption, command, complete_entry_ids


@command()
def status(
    options: GlobalOptions,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include expired, terminated, cancelled, superseded and past entries.")
    ] = False,
    recent: Annotated[
        str,
        typer.Option(
            "--recent",
            metavar="DURATION",
            help="Keep spans that ended this recently, with negative days left (0d: none).",
        ),
    ] = "30d",
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
    wide: WideOption = False,
) -> None:
    """Points and spans with status and countdown, soonest deadline first.

    Example: trucetrack status --as-of 2025-06-10 --within 90d
    """
    from trucetrack.ops import query
    from trucetrack.output import emit

    request = query.StatusRequest(
        show_all=show_all,
        within=within,
        kinds=tuple(kind or ()),
        parties=tuple(party or ()),
        tags=tuple(tag or ()),
        statuses=tuple(status_filter or ()),
        recent=recent,
    )
    emit.status(query.status(options.invocation(), request), output.value, options.color, wide=wide)


@command()
def show(
    options: GlobalOptions,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Entry id.", autocompletion=complete_entry_ids)],
    output: Annotated[TextFormat, typer.Option("--format", help="text or json.")] = TextFormat.text,
) -> None:
    """One entry: every field, its effective end and how it was derived, the history of ends, sources.

    Example: trucetrack show geneva-truce --as-of 2025-08-11
    """
    from trucetrack.ops import query
    from trucetrack.output import emit

    emit.show(query.show(options.invocation(), entry_id), options.color, output.value)


@command()
def validate(
    options: GlobalOptions,
    paths: Annotated[
        list[Path] | None, typer.Argument(metavar="[PATH]...", help="Files or directories; default as -f.")
    ] = None,
) -> None:
    """Check timeline files; print every problem as file:line: id: message (exit 2 if any).

    Example: trucetrack validate timelines/
    """
    from trucetrack.ops import query
    from trucetrack.output import emit

    emit.validated(query.validate(options.with_files(paths).invocation()))
