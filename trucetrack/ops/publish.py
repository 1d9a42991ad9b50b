"""export and schema: the timeline, or its JSON Schema, for other tools.

Both produce bytes: the calendar must keep its CRLF line ends and every export
is UTF-8 whatever the locale of the cron job that runs it. ``-o FILE``
replaces the file atomically (``store.fsio``), so a web server or a calendar
client that reads the feed while it is being rewritten sees the old file or
the new one, never half of one.

The renderers of the formats live in ``trucetrack.output``, above this layer:
the command line hands them in (``render``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from trucetrack.errors import BadValue, TrucetrackError
from trucetrack.ops.context import Invocation, open_run

if TYPE_CHECKING:
    from trucetrack.core.context import RunContext
    from trucetrack.ops.reports import TimelineRequest, TimelineResult


class ExportFormat(StrEnum):
    ics = "ics"
    json = "json"
    csv = "csv"


@dataclass(frozen=True)
class Published:
    """Bytes produced, and where they went: ``written_to`` the file (None: they are
    for standard output). ``run`` is what an export was made of. ``failure`` is why
    the file could not be written (it is as it was); it is raised once the rest is shown."""

    data: bytes
    written_to: str | None
    run: RunContext | None = None
    failure: TrucetrackError | None = None


def export_format(chosen: ExportFormat | None, output: Path | None) -> ExportFormat:
    """--format, else the extension of -o FILE (feed.ics, data.json, data.csv)."""
    if chosen is not None:
        return chosen
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if suffix in ExportFormat.__members__:
        return ExportFormat(suffix)
    raise BadValue("export: give --format ics, json or csv (or -o FILE ending in .ics, .json or .csv)")


def export(
    invocation: Invocation,
    chosen: ExportFormat | None,
    output: Path | None,
    render: Callable[[RunContext, ExportFormat], bytes],
) -> Published:
    """The whole timeline as of --as-of in one format, for standard output or written to ``output``."""
    export_as = export_format(chosen, output)
    run = open_run(invocation)
    return _deliver(render(run, export_as), output, run)


class PictureFormat(StrEnum):
    svg = "svg"
    html = "html"


def picture(
    invocation: Invocation,
    request: TimelineRequest,
    chosen: PictureFormat,
    output: Path | None,
    render: Callable[[TimelineResult, PictureFormat], bytes],
) -> Published:
    """The timeline drawn as a picture (an SVG document, or an HTML page holding it), for
    standard output or written to ``output``; the rows are those of ``timeline``."""
    from trucetrack.ops.reports import timeline

    result = timeline(invocation, request)
    return _deliver(render(result, chosen), output, result.run)


def schema(output: Path | None, render: Callable[[], str]) -> Published:
    """The JSON Schema of the timeline format (the same whatever the options)."""
    return _deliver(render().encode("utf-8"), output, None)


def _deliver(data: bytes, output: Path | None, run: RunContext | None) -> Published:
    """``data`` for standard output (no -o, or '-o -'), or written to ``output`` (replaced atomically)."""
    if output is None or str(output) == "-":
        return Published(data, None, run)
    from trucetrack.store import fsio

    try:
        fsio.write_file(output, data)
    except TrucetrackError as failure:
        return Published(data, str(output), run, failure)
    return Published(data, str(output), run)
