"""Commands that hand the timeline to other tools: ``export`` (ICS, JSON, CSV) and ``schema``.

Both write bytes: the calendar must keep its CRLF line ends and every export
is UTF-8 whatever the locale of the cron job that runs it. ``-o FILE``
replaces the file atomically, so a web server or a calendar client that
reads the feed while it is being rewritten sees the old file or the new one,
never half of one.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from trucetrack.cli.app import (
    AsOfOption,
    ColorOption,
    FileOption,
    TzOption,
    VersionOption,
    app,
    build_view,
    global_options,
)
from trucetrack.errors import BadValue, TrucetrackError


class ExportFormat(StrEnum):
    ics = "ics"
    json = "json"
    csv = "csv"


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


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a temporary file in the same folder, fsync, rename.

    A new file gets the usual permissions (0666 less the umask, as ``open``
    would give it); an existing file keeps its mode, and a symlink is written
    through (the file it points to is replaced). On any failure the temporary
    file is removed and ``path`` is left as it was.
    """
    target = Path(os.path.realpath(path))
    import secrets

    temporary = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"

    def failed(exc: OSError) -> TrucetrackError:
        return TrucetrackError(f"{path}: cannot write: {exc.strerror or exc}")

    try:
        mode: int | None = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise failed(exc) from None
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise failed(exc) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise failed(exc) from None
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX; not Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def emit(data: bytes, output: Path | None) -> None:
    """Standard output, or ``output`` replaced atomically."""
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomically(output, data)


def _format_from(output_format: ExportFormat | None, output: Path | None) -> ExportFormat:
    """--format, else the extension of -o FILE (feed.ics, data.json, data.csv)."""
    if output_format is not None:
        return output_format
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if suffix in ExportFormat.__members__:
        return ExportFormat(suffix)
    raise BadValue("export: give --format ics, json or csv (or -o FILE ending in .ics, .json or .csv)")


@app.command()
def export(
    ctx: typer.Context,
    output_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="ics (calendar feed), json or csv. Default: from the -o FILE extension."),
    ] = None,
    output: OutputOption = None,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """The whole timeline for other tools: a calendar feed, or every entry as JSON or CSV.

    ICS: an event for each deadline (the effective end as of --as-of), each
    span's start, each point and each talk round, with an alarm at the entry's
    warn window; UIDs stay the same across exports, so a subscribed calendar
    updates instead of duplicating. JSON and CSV: every entry, modifiers
    included, with effective ends and statuses as of --as-of.

    Example: trucetrack export --format ics --as-of 2025-08-11
    """
    from trucetrack import export as exports
    from trucetrack.render import bundled_note

    options = global_options(ctx, file, as_of, tz, color)
    chosen = _format_from(output_format, output)
    view = build_view(options)
    note = bundled_note(view.timeline)
    if note:
        sys.stderr.write(note + "\n")
    if chosen is ExportFormat.ics:
        data = exports.export_ics(view)
    elif chosen is ExportFormat.json:
        data = exports.export_json(view).encode("utf-8")
    else:
        data = exports.export_csv(view).encode("utf-8")
    emit(data, output)


@app.command()
def schema(
    ctx: typer.Context,
    output: OutputOption = None,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Print the JSON Schema (draft-07) of the timeline format, for taplo and VS Code (Even Better TOML).

    Put '#:schema ./schema/trucetrack.schema.json' (a path relative to the
    TOML file, or a URL) on the first line of a timeline file to get
    completion, hover docs and squiggles in the editor. The schema is the same
    whatever the timeline and the options.

    Example: trucetrack schema --as-of 2025-08-11
    """
    from trucetrack.jsonschema import schema_json

    global_options(ctx, file, as_of, tz, color)
    emit(schema_json().encode("utf-8"), output)
