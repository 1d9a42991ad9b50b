"""HTML documents: the timeline picture with its rows in words, and the weekly
digest for mail.

Mail clients drop ``<style>`` blocks, never load external CSS and never run
scripts, so every style here is inline, nothing is fetched and nothing runs.
The layout is one column at most 680 px wide that shrinks to a phone's width;
each item is a small block (when, id, status, title) rather than a wide table.
Every text from a file goes through ``core.text.clean_line`` and is escaped.
The same input and as-of instant give the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime

from trucetrack.core.context import RunContext
from trucetrack.core.dates import format_instant
from trucetrack.core.text import clean_line
from trucetrack.engine import digest
from trucetrack.engine.status import EntryState
from trucetrack.output import views
from trucetrack.output.svg import timeline_svg
from trucetrack.output.text import heading, left_text, run_notes, status_label, when_label, when_text

FONT = "-apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#555555"

# Deadlines by how soon they fall: (at most this many days left, text colour, background, words).
URGENCY = (
    (7, "#9f1c13", "#fde8e6", "within 7 days"),
    (14, "#8a4b00", "#fff1d6", "within 14 days"),
    (None, "#1d4f91", "#e8f0fb", "later"),
)
FINISHED = ("#555555", "#f0f0f0", "ended")
OPEN = ("#444444", "#f4f4f4", "")

_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")


def _e(text: str) -> str:
    """File text as HTML: one line, no control codes, escaped (quotes too)."""
    return html.escape(_NOT_XML.sub("", clean_line(text)), quote=True)


def _document(title: str, body: list[str]) -> str:
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{_e(title)}</title>",
                "</head>",
                f'<body style="margin:0;padding:0;background:#ffffff;color:{TEXT};font-family:{html.escape(FONT)};">',
                '<div style="max-width:680px;margin:0 auto;padding:12px 14px;">',
                *body,
                "</div>",
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


def _header(view: RunContext) -> list[str]:
    lines = [f'<h1 style="font-size:20px;line-height:1.3;margin:8px 0 6px 0;">{_e(heading(view))}</h1>']
    for note in run_notes(view):
        lines.append(
            f'<p style="font-size:13px;color:{MUTED};margin:4px 0;padding:6px 8px;background:#fff8db;'
            f'border-left:3px solid #c9a400;">{_e(note)}</p>'
        )
    return lines


def _section(title: str) -> str:
    return (
        f'<h2 style="font-size:16px;margin:20px 0 6px 0;padding-bottom:3px;border-bottom:1px solid #dddddd;">'
        f"{_e(title)}</h2>"
    )


def _plain(text: str) -> str:
    return f'<p style="margin:4px 0;font-size:14px;">{_e(text)}</p>'


def urgency(state: EntryState) -> tuple[str, str, str]:
    """Text colour, background and words for how soon a deadline falls (an open-ended
    span has none: nothing to count to)."""
    if state.seconds_left is None or state.days_left is None:
        return OPEN
    if state.seconds_left < 0:
        return FINISHED
    for limit, colour, background, words in URGENCY:
        if limit is None or state.days_left <= limit:
            return colour, background, words
    return URGENCY[-1][1:]  # pragma: no cover - the last band has no limit


def _muted(text: str) -> str:
    return f'<span style="font-weight:normal;color:{MUTED};">{_e(text)}</span>'


def _unconfirmed_badge() -> str:
    return (
        '<span style="display:inline-block;font-size:11px;padding:0 5px;margin-left:4px;border-radius:3px;'
        'background:#fff1d6;color:#7a4b00;border:1px solid #d9a640;">not confirmed</span>'
    )


def _state_item(view: RunContext, state: EntryState, *, coloured: bool) -> str:
    """One deadline or span in force: when and how long is left, then id, status and title."""
    colour, background, words = urgency(state) if coloured else (TEXT, "#f7f7f7", "")
    left = left_text(state) if state.counted_to is not None else "open-ended"
    when = f"{when_label(state)} {when_text(state, view.zone)}" if state.counted_to is not None else ""
    badge = "" if state.confirmed else _unconfirmed_badge()
    urgency_words = f" · {words}" if coloured and words else ""
    return (
        f'<div style="margin:6px 0;padding:6px 8px;border-left:4px solid {colour};background:{background};">'
        f'<div style="font-size:13px;color:{colour};font-weight:bold;">{_e(left)}{_e(urgency_words)}'
        f"{_muted(' · ' + when) if when else ''}</div>"
        f'<div style="font-size:14px;margin-top:2px;"><b>{_e(state.id)}</b> '
        f'<span style="color:{MUTED};">({_e(status_label(state))})</span>{badge}</div>'
        f'<div style="font-size:14px;">{_e(state.entry.title)}</div>'
        "</div>"
    )


def _happening_item(view: RunContext, happening: digest.Happening) -> str:
    badge = "" if happening.confirmed else _unconfirmed_badge()
    when = views.happening_when(happening, view.zone)
    return (
        '<div style="margin:6px 0;padding:6px 8px;border-left:4px solid #888888;background:#f7f7f7;">'
        f'<div style="font-size:13px;color:{MUTED};">{_e(when)} · <b>{_e(views.happening_what(happening))}</b>'
        f"{badge}</div>"
        f'<div style="font-size:14px;margin-top:2px;"><b>{_e(happening.entry.id)}</b></div>'
        f'<div style="font-size:14px;">{_e(views.happening_detail(happening, view.zone))}</div>'
        "</div>"
    )


def summary_html(view: RunContext, summary: digest.Summary) -> str:
    """The digest as one HTML document for mail: the sections of the text digest, deadlines
    coloured by how soon they fall (and said in words), unconfirmed items marked."""
    body = _header(view)
    body.append(_section(views.window_title(summary)))
    if summary.happened:
        body += [_happening_item(view, happening) for happening in summary.happened]
    else:
        body.append(_plain("Nothing happened."))
    body.append(_section(views.ahead_title(summary)))
    if summary.deadlines:
        body += [_state_item(view, state, coloured=True) for state in summary.deadlines]
    else:
        body.append(_plain("No deadlines."))
    body.append(_section(views.IN_FORCE_TITLE))
    if summary.in_force:
        body += [_state_item(view, state, coloured=True) for state in summary.in_force]
    else:
        body.append(_plain("Nothing in force."))
    if summary.git is not None:
        body.append(_section(views.git_title(summary.git)))
        lines = views.git_lines(summary.git)
        if summary.git.diff is not None and not summary.git.diff.same:
            body.append('<ul style="margin:4px 0;padding-left:20px;font-size:14px;">')
            body += [f'<li style="margin:2px 0;">{_e(line)}</li>' for line in lines]
            body.append("</ul>")
        else:
            body += [_plain(line) for line in lines]
    body.append(
        f'<p style="font-size:12px;color:{MUTED};margin-top:20px;">Made by trucetrack as of '
        f"{_e(format_instant(view.as_of, view.zone))}.</p>"
    )
    return _document(heading(view), body)


def timeline_html(view: RunContext, states: Sequence[EntryState], start: datetime | None, end: datetime | None) -> str:
    """The timeline picture in a page, with every row in words below it (the text equivalent)."""
    body = _header(view)
    picture = timeline_svg(view, states, start, end, standalone=False)
    body.append('<div style="overflow-x:auto;max-width:100%;">')
    body.append(picture.rstrip("\n").replace("<svg ", '<svg style="max-width:100%;height:auto;" ', 1))
    body.append("</div>")
    if states:
        body.append(_section("The entries in words"))
        body.append('<table style="border-collapse:collapse;width:100%;font-size:13px;">')
        head = ("Start", "End", "Status", "Kind", "ID", "Title")
        cells = "".join(
            f'<th scope="col" style="text-align:left;padding:4px;border-bottom:1px solid #cccccc;">{name}</th>'
            for name in head
        )
        body.append(f"<thead><tr>{cells}</tr></thead><tbody>")
        for state in states:
            row = (
                views.start_text(state.entry, view.zone),
                views.span_end_text(state, view.zone),
                status_label(state),
                state.entry.kind,
                state.id,
                state.entry.title,
            )
            cells = "".join(
                f'<td style="padding:4px;border-bottom:1px solid #eeeeee;vertical-align:top;">{_e(cell)}</td>'
                for cell in row
            )
            body.append(f"<tr>{cells}</tr>")
        body.append("</tbody></table>")
    return _document(heading(view), body)
