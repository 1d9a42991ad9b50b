"""export and schema: the bytes of each export format, and where they are printed.

Bytes go to standard output as they are (CRLF and UTF-8 kept, whatever the
locale); the note that the bundled timeline is in use goes to stderr, so the
feed or the data stays machine-readable.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from trucetrack.ops.publish import ExportFormat, PictureFormat

if TYPE_CHECKING:
    from trucetrack.core.context import RunContext
    from trucetrack.ops.publish import Published
    from trucetrack.ops.reports import TimelineResult


def export_bytes(run: RunContext, export_as: ExportFormat) -> bytes:
    """The timeline in one export format: an ICS calendar feed, JSON or CSV."""
    from trucetrack.output import export

    if export_as is ExportFormat.ics:
        return export.export_ics(run)
    if export_as is ExportFormat.json:
        return export.export_json(run).encode("utf-8")
    return export.export_csv(run).encode("utf-8")


def picture_bytes(result: TimelineResult, picture_as: PictureFormat) -> bytes:
    """The timeline as an SVG document or an HTML page (UTF-8)."""
    if picture_as is PictureFormat.svg:
        from trucetrack.output.svg import timeline_svg

        text = timeline_svg(result.run, result.states, result.axis_start, result.axis_end)
    else:
        from trucetrack.output.html import timeline_html

        text = timeline_html(result.run, result.states, result.axis_start, result.axis_end)
    return text.encode("utf-8")


def schema_text() -> str:
    from trucetrack.output.schema import schema_json

    return schema_json()


def published(result: Published) -> None:
    if result.run is not None:
        from trucetrack.output.emit import bundled_note_to_stderr

        bundled_note_to_stderr(result.run)
    if result.written_to is None:
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
