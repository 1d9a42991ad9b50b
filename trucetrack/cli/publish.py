"""The commands that hand the timeline to other tools: ``export`` (ICS, JSON, CSV) and ``schema``.

Both produce bytes (``trucetrack.ops.publish``, with the renderers of
``trucetrack.output.publish``) for standard output, or ``-o FILE``, replaced
atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trucetrack.cli.options import GlobalOptions, command
from trucetrack.ops.publish import ExportFormat

if TYPE_CHECKING:
    from trucetrack.ops.publish import Published

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (replaced atomically) instead of standard output; '-' is standard output.",
        show_default=False,
    ),
]


def _show(result: Published) -> None:
    """The bytes (or the note that goes with them); then why the file could not be written, if so."""
    from trucetrack.output import publish

    publish.published(result)
    if result.failure is not None:
        raise result.failure


@command()
def export(
    options: GlobalOptions,
    output_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="ics (calendar feed), json or csv. Default: from the -o FILE extension."),
    ] = None,
    output: OutputOption = None,
) -> None:
    """The whole timeline for other tools: a calendar feed, or every entry as JSON or CSV.

    ICS: an event for each deadline (the effective end as of --as-of), each
    span's start, each point and each talk round, with an alarm at the entry's
    warn window; UIDs stay the same across exports, so a subscribed calendar
    updates instead of duplicating. JSON and CSV: every entry, modifiers
    included, with effective ends and statuses as of --as-of.

    Example: trucetrack export --format ics --as-of 2025-08-11
    """
    from trucetrack.ops import publish
    from trucetrack.output.publish import export_bytes

    _show(publish.export(options.invocation(), output_format, output, export_bytes))


@command(no_effect=True)
def schema(
    options: GlobalOptions,
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema (draft-07) of the timeline format, for taplo and VS Code (Even Better TOML).

    Put '#:schema ./schema/trucetrack.schema.json' (a path relative to the
    TOML file, or a URL) on the first line of a timeline file to get
    completion, hover docs and squiggles in the editor. The schema is the same
    whatever the timeline and the options.

    Example: trucetrack schema --as-of 2025-08-11
    """
    from trucetrack.ops import publish
    from trucetrack.output.publish import schema_text

    _show(publish.schema(output, schema_text))
