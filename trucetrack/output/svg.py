"""The timeline as a picture: one SVG document, for slides and briefings.

The same rows as the terminal chart (``views.timeline_renderable``): one row
per span or point, in order of beginning, on one date axis with month ticks.
A span's own stretch, the part each extension added, the part a termination
cut off and the rest of a superseded span are drawn in different fills; a
cancelled span is a dashed outline with a cross where it was to start; points
are diamonds. A red line marks the as-of instant; a dotted one the day a
file's data was last checked (``current_to``), and what lies after it is
hatched when the as-of instant is past it: nothing confirms it.

The document is written element by element: nothing here needs more than the
standard library's XML escaping. Every text from a file goes through
``core.text.clean_line`` and is escaped; nothing is ever read as markup or run
(no script, no external reference, no font or image to fetch). Nothing depends
on the clock, the locale or the machine: the same timeline and as-of instant
give the same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from trucetrack.core.context import RunContext
from trucetrack.core.dates import format_day_or_instant, format_instant
from trucetrack.core.text import clean_line
from trucetrack.engine.extent import default_range, furthest_end
from trucetrack.engine.status import EntryState, checked_until, end_setter, unconfirmed_files
from trucetrack.output.text import heading, run_notes, status_label
from trucetrack.output.views import nothing_in_timeline, span_end_text, start_text

WIDTH = 1000
MARGIN = 16
LABEL_WIDTH = 330  # the id, status and title of each row
PLOT_LEFT = MARGIN + LABEL_WIDTH + 12
PLOT_RIGHT = WIDTH - MARGIN - 12
PAD = 8  # inside the plot, so that a marker at either end is not cut in half
ROW_HEIGHT = 46
BAR_TOP = 10  # within a row
BAR_HEIGHT = 18
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

# Characters per line that fit the label column at the sizes used (DejaVu Sans
# is among the widest common fonts, so other fonts fit too).
ID_CHARS = 40
TITLE_CHARS = 50
TITLE_LINES = 2

ORIGINAL = "#1f5fa8"
EXTENSIONS = ("#2e9d5b", "#7cc89b")  # alternating, so each extension's part stands out
CUT_FILL = "#f6d5d5"
CUT_STROKE = "#b42318"
SUPERSEDED = "#b9b9b9"
CANCELLED = "#777777"
POINT = "#7a3fb0"
AS_OF = "#d62728"
CHECKED = "#444444"
TEXT = "#1a1a1a"
MUTED = "#555555"
GRID = "#e3e3e3"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Characters XML 1.0 cannot carry at all (clean_line has removed the controls already).
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    """File text as XML character data: one line, no control codes, escaped."""
    return escape(_NOT_XML.sub("", clean_line(value)))


def _attr(value: str) -> str:
    """File text as a quoted XML attribute value."""
    return quoteattr(_NOT_XML.sub("", clean_line(value)))


def _n(value: float) -> str:
    """A coordinate: one decimal, no trailing ``.0`` (the same bytes on every machine)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# ---------------------------------------------------------------- the stretches of a row


@dataclass(frozen=True)
class Stretch:
    """A piece of a span's bar: ``kind`` is original, extension, cut or superseded;
    ``end`` None runs on past the axis (open-ended); ``by`` the modifier that made it."""

    begin: datetime
    end: datetime | None
    kind: str
    by: str | None = None
    shade: int = 0


def stretches(state: EntryState) -> list[Stretch]:
    """A span's bar in time order: its own stretch, the part each extension added (what
    a later termination left of it), the part a termination cut off; from the start of
    the entry that superseded it, the rest is superseded."""
    entry = state.entry
    assert entry.start is not None
    final, original = state.end, state.original_end
    own_to = final if original is None else (original if final is None else min(original, final))
    pieces = [Stretch(entry.start, own_to, "original")]
    covered = own_to
    shade = 0
    for change in state.history[1:]:
        modifier = change.modifier
        if modifier is None or modifier.kind != "extension" or covered is None:
            continue
        added_to = change.end if final is None or change.end is None else min(change.end, final)
        if added_to is not None and added_to <= covered:
            continue
        pieces.append(Stretch(covered, added_to, "extension", modifier.id, shade % 2))
        shade += 1
        covered = added_to
    if final is not None and state.end is not None:
        reached = furthest_end(state)
        if reached > final:
            setter = end_setter(state.history).modifier
            pieces.append(Stretch(final, reached, "cut", setter.id if setter is not None else None))
    superseder = state.superseded_by
    if superseder is None or superseder.begins is None:
        return pieces
    cut_at = superseder.begins
    split: list[Stretch] = []
    for piece in pieces:
        if piece.kind == "cut" or (piece.end is not None and piece.end <= cut_at):
            split.append(piece)
        elif piece.begin >= cut_at:
            split.append(Stretch(piece.begin, piece.end, "superseded", superseder.id))
        else:
            split.append(Stretch(piece.begin, cut_at, piece.kind, piece.by, piece.shade))
            split.append(Stretch(cut_at, piece.end, "superseded", superseder.id))
    return split


# ---------------------------------------------------------------- the axis


@dataclass(frozen=True)
class Scale:
    start: datetime
    end: datetime

    def x(self, instant: datetime) -> float:
        """The x of ``instant``, clamped to the plot."""
        span = (self.end - self.start).total_seconds()
        fraction = (instant - self.start).total_seconds() / span
        return PLOT_LEFT + PAD + min(1.0, max(0.0, fraction)) * (PLOT_RIGHT - PLOT_LEFT - 2 * PAD)

    def inside(self, instant: datetime) -> bool:
        return self.start <= instant <= self.end


def month_ticks(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, date]]:
    """The first instant of each month (in ``zone``) from ``start`` to ``end``."""
    local = start.astimezone(zone)
    index = local.year * 12 + local.month - 1
    if (local.day, local.time()) != (1, time()):
        index += 1
    ticks: list[tuple[datetime, date]] = []
    while True:
        day = date(index // 12, index % 12 + 1, 1)
        instant = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
        if instant > end:
            return ticks
        ticks.append((instant, day))
        index += 1


def _label_every(months: int) -> int:
    """Label every n-th month so that labels are at least 48 px apart."""
    width = PLOT_RIGHT - PLOT_LEFT
    for step in (1, 2, 3, 6, 12, 24, 60, 120):
        if months <= 1 or width * step / months >= 48:
            return step
    return 240


# ---------------------------------------------------------------- wrapping


def wrap(text: str, width: int, lines: int) -> tuple[list[str], bool]:
    """``text`` in at most ``lines`` lines of about ``width`` characters, broken at
    spaces; shortened with ``…`` when it does not fit (and then True)."""
    words = text.split()
    result: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:  # a word longer than a line is broken
            if current:
                result.append(current)
                current = ""
            result.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            result.append(current)
            current = word
    if current:
        result.append(current)
    if len(result) <= lines:
        return result, False
    kept = result[:lines]
    last = kept[-1]
    kept[-1] = (last[: width - 1].rstrip() if len(last) >= width else last) + "…"
    return kept, True


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------- the document


def _row_summary(view: RunContext, state: EntryState) -> str:
    """One entry in words, for the tooltip and the description: id, kind, status, when, title."""
    entry = state.entry
    when = start_text(entry, view.zone)
    if entry.is_span:
        end = span_end_text(state, view.zone)
        when = f"{when} to {end}" if state.cancelled_by is None else f"{when}, {end}"
    title = clean_line(entry.title).strip()
    if title and title[-1] not in ".!?":
        title += "."
    return f"{entry.id} ({entry.kind}, {status_label(state)}): {when}. {title}"


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)

    def text(self, x: float, y: float, content: str, size: float, **attributes: str) -> None:
        extra = "".join(f" {key.replace('_', '-')}={quoteattr(value)}" for key, value in attributes.items())
        self.add(f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{extra}>{content}</text>')


def _defs(w: _Writer) -> None:
    w.add("<defs>")
    w.add(
        '<pattern id="tt-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff" fill-opacity="0.45"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#222222" stroke-width="1.6"/></pattern>'
    )
    w.add("</defs>")


def _fill_of(stretch: Stretch) -> str:
    if stretch.kind == "original":
        return ORIGINAL
    if stretch.kind == "extension":
        return EXTENSIONS[stretch.shade]
    if stretch.kind == "superseded":
        return SUPERSEDED
    return CUT_FILL


def _stretch_words(stretch: Stretch, view: RunContext) -> str:
    def day(instant: datetime | None) -> str:
        return "open-ended" if instant is None else format_instant(instant, view.zone)

    span = f"{day(stretch.begin)} to {day(stretch.end)}"
    if stretch.kind == "original":
        return f"in force as first set: {span}"
    if stretch.kind == "extension":
        return f"added by {stretch.by}: {span}"
    if stretch.kind == "cut":
        return f"cut off by {stretch.by}: {span}" if stretch.by else f"cut off: {span}"
    return f"superseded by {stretch.by}: {span}"


def _diamond(w: _Writer, x: float, y: float, size: float, fill: str, opacity: str = "1") -> None:
    points = f"{_n(x)},{_n(y - size)} {_n(x + size)},{_n(y)} {_n(x)},{_n(y + size)} {_n(x - size)},{_n(y)}"
    w.add(f'<polygon points="{points}" fill="{fill}" fill-opacity="{opacity}" stroke="#ffffff" stroke-width="1"/>')


def _row(
    w: _Writer, view: RunContext, state: EntryState, top: float, scale: Scale, cutoff: datetime | None
) -> set[str]:
    """One row: the label on the left, the bar or marker on the axis; what it used, for the legend."""
    entry = state.entry
    right = scale.x(scale.end)
    used: set[str] = set()
    w.add(f"<g aria-label={_attr(entry.id)}><title>{_text(_row_summary(view, state))}</title>")
    label = shorten(clean_line(entry.id), ID_CHARS)
    w.add(
        f'<text x="{MARGIN}" y="{_n(top + 15)}" font-size="12.5" font-weight="bold" fill="{TEXT}">{_text(label)}'
        f'<tspan font-weight="normal" fill="{MUTED}" font-size="11"> · {escape(status_label(state))}</tspan></text>'
    )
    title_lines, _ = wrap(clean_line(entry.title), TITLE_CHARS, TITLE_LINES)
    for number, line in enumerate(title_lines):
        w.text(MARGIN, top + 28 + number * 12, _text(line), 10.5, fill=MUTED)
    y = top + BAR_TOP
    middle = y + BAR_HEIGHT / 2
    if entry.is_point:
        assert entry.date is not None
        x = scale.x(entry.date)
        unconfirmed = cutoff is not None and entry.date >= cutoff
        _diamond(w, x, middle, 8, POINT, "0.45" if unconfirmed else "1")
        used.add("point")
        if unconfirmed:
            w.add(
                f'<circle cx="{_n(x)}" cy="{_n(middle)}" r="10" fill="none" stroke="{CHECKED}" stroke-dasharray="2 2"/>'
            )
            used.add("unconfirmed")
        w.add("</g>")
        return used
    assert entry.start is not None
    if state.cancelled_by is not None:
        x0 = scale.x(entry.start)
        x1 = scale.x(state.original_end) if state.original_end is not None else right
        w.add(
            f'<rect x="{_n(x0)}" y="{_n(y)}" width="{_n(max(2.0, x1 - x0))}" height="{BAR_HEIGHT}" fill="none" '
            f'stroke="{CANCELLED}" stroke-width="1.2" stroke-dasharray="4 3">'
            f"<title>{_text(f'cancelled by {state.cancelled_by.id}: never in force')}</title></rect>"
        )
        w.add(
            f'<path d="M{_n(x0 - 6)},{_n(middle - 6)} L{_n(x0 + 6)},{_n(middle + 6)} M{_n(x0 - 6)},{_n(middle + 6)} '
            f'L{_n(x0 + 6)},{_n(middle - 6)}" stroke="{CUT_STROKE}" stroke-width="2.4"/>'
        )
        used.add("cancelled")
        w.add("</g>")
        return used
    if entry.start < scale.start:  # it began before the axis: a triangle at the left edge says so
        left = scale.x(scale.start)
        w.add(
            f'<polygon points="{_n(left)},{_n(y - 2)} {_n(left - 9)},{_n(middle)} {_n(left)},{_n(y + BAR_HEIGHT + 2)}" '
            f'fill="{MUTED}"/>'
        )
    for stretch in stretches(state):
        if (stretch.end is not None and stretch.end < scale.start) or stretch.begin > scale.end:
            continue  # outside the axis (--from, --to)
        x0 = scale.x(stretch.begin)
        x1 = right if stretch.end is None or stretch.end > scale.end else scale.x(stretch.end)
        width = max(3.0, x1 - x0)
        fill = _fill_of(stretch)
        stroke = (
            f' stroke="{CUT_STROKE}" stroke-width="1.2" stroke-dasharray="4 3"'
            if stretch.kind == "cut"
            else ' stroke="#ffffff" stroke-width="1"'
        )
        w.add(
            f'<rect x="{_n(x0)}" y="{_n(y)}" width="{_n(width)}" height="{BAR_HEIGHT}" fill="{fill}"{stroke}>'
            f"<title>{_text(_stretch_words(stretch, view))}</title></rect>"
        )
        used.add(stretch.kind if stretch.kind != "extension" else f"extension{stretch.shade}")
        if stretch.kind == "cut":
            w.add(
                f'<line x1="{_n(x0)}" y1="{_n(y - 3)}" x2="{_n(x0)}" y2="{_n(y + BAR_HEIGHT + 3)}" '
                f'stroke="{CUT_STROKE}" stroke-width="2.5"/>'
            )
        if cutoff is not None and stretch.kind != "cut":
            ends = stretch.end if stretch.end is not None else scale.end
            if ends > cutoff and scale.start < ends:
                hatch_from = scale.x(max(cutoff, stretch.begin))
                hatch_to = x1
                if hatch_to - hatch_from >= 0.5:
                    w.add(
                        f'<rect x="{_n(hatch_from)}" y="{_n(y)}" width="{_n(hatch_to - hatch_from)}" '
                        f'height="{BAR_HEIGHT}" fill="url(#tt-hatch)"/>'
                    )
                    used.add("unconfirmed")
    in_force = [s for s in stretches(state) if s.kind in ("original", "extension")]
    if in_force and (in_force[-1].end is None or in_force[-1].end > scale.end):
        w.add(
            f'<polygon points="{_n(right)},{_n(y - 2)} {_n(right + 9)},{_n(middle)} '
            f'{_n(right)},{_n(y + BAR_HEIGHT + 2)}" fill="{MUTED}"/>'
        )
        used.add("runs-on")
    w.add("</g>")
    return used


LEGEND = (
    ("original", "in force as first set"),
    ("extension0", "added by an extension"),
    ("cut", "cut off by a termination"),
    ("superseded", "superseded by a newer step"),
    ("cancelled", "cancelled (never in force)"),
    ("point", "event on one day"),
    ("unconfirmed", "after the data was checked: not confirmed"),
    ("runs-on", "runs on past the axis"),
    ("as-of", "as of"),
)


def _legend_swatch(w: _Writer, key: str, x: float, y: float) -> None:
    if key == "original":
        w.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="12" fill="{ORIGINAL}"/>')
    elif key == "extension0":
        w.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="11" height="12" fill="{EXTENSIONS[0]}"/>')
        w.add(f'<rect x="{_n(x + 11)}" y="{_n(y)}" width="11" height="12" fill="{EXTENSIONS[1]}"/>')
    elif key == "cut":
        w.add(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="12" fill="{CUT_FILL}" stroke="{CUT_STROKE}" '
            'stroke-dasharray="4 3"/>'
        )
    elif key == "superseded":
        w.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="12" fill="{SUPERSEDED}"/>')
    elif key == "cancelled":
        w.add(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="12" fill="none" stroke="{CANCELLED}" '
            'stroke-dasharray="4 3"/>'
        )
    elif key == "point":
        _diamond(w, x + 11, y + 6, 7, POINT)
    elif key == "unconfirmed":
        w.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="12" fill="{ORIGINAL}"/>')
        w.add(f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="12" fill="url(#tt-hatch)"/>')
    elif key == "runs-on":
        points = f"{_n(x + 6)},{_n(y)} {_n(x + 16)},{_n(y + 6)} {_n(x + 6)},{_n(y + 12)}"
        w.add(f'<polygon points="{points}" fill="{MUTED}"/>')
    else:
        w.add(
            f'<line x1="{_n(x + 11)}" y1="{_n(y - 2)}" x2="{_n(x + 11)}" y2="{_n(y + 14)}" stroke="{AS_OF}" '
            'stroke-width="2"/>'
        )


def timeline_svg(
    view: RunContext,
    states: Sequence[EntryState],
    start: datetime | None,
    end: datetime | None,
    *,
    standalone: bool = True,
) -> str:
    """The timeline picture as an SVG document (``standalone``: with the XML declaration,
    for a file; without, to put inside an HTML page)."""
    zone = view.zone
    title = heading(view)
    notes = run_notes(view)
    w = _Writer()
    header_height = 30 + 15 * len(notes)
    axis_top = header_height + 50  # the as-of and checked labels, the month labels, then the rows
    rows_top = axis_top + 8
    rows_height = ROW_HEIGHT * len(states)
    legend_top = rows_top + rows_height + 18
    legend_rows = math.ceil(len(LEGEND) / 3)
    height = legend_top + 22 * legend_rows + MARGIN if states else header_height + 40
    description = _description(view, states, start, end)
    if standalone:
        w.add('<?xml version="1.0" encoding="UTF-8"?>')
    w.add(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{_n(height)}" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" role="img" aria-labelledby="tt-title tt-desc" '
        f"font-family={quoteattr(FONT)}>"
    )
    w.add(f'<title id="tt-title">{_text(title)}</title>')
    w.add(f'<desc id="tt-desc">{_text(description)}</desc>')
    _defs(w)
    w.add(f'<rect width="{WIDTH}" height="{_n(height)}" fill="#ffffff"/>')
    w.text(MARGIN, 22, _text(title), 16, font_weight="bold", fill=TEXT)
    for number, note in enumerate(notes):
        w.text(MARGIN, 40 + 15 * number, _text(note), 11, fill=MUTED)
    if not states:
        w.text(MARGIN, header_height + 20, _text(nothing_in_timeline(view)), 12, fill=TEXT)
        w.add("</svg>")
        return "\n".join(w.lines) + "\n"
    bounds = default_range(states, view.as_of)
    assert bounds is not None
    axis_start = (start if start is not None else bounds[0]).astimezone(UTC)
    axis_end = (end if end is not None else bounds[1]).astimezone(UTC)
    if axis_end <= axis_start:
        axis_end = axis_start + timedelta(days=1)
    scale = Scale(axis_start, axis_end)
    rows_bottom = rows_top + rows_height
    _axis(w, scale, zone, axis_top, rows_bottom)
    cutoffs = checked_until(view.timeline)
    stale = {path for path, _ in unconfirmed_files(view.timeline, view.as_of)}
    used: set[str] = set()
    for number, state in enumerate(states):
        top = rows_top + number * ROW_HEIGHT
        if number % 2:
            w.add(
                f'<rect x="{MARGIN - 6}" y="{_n(top)}" width="{WIDTH - 2 * MARGIN + 12}" height="{ROW_HEIGHT}" '
                'fill="#f6f7f9"/>'
            )
        cutoff = cutoffs.get(state.entry.file) if state.entry.file in stale else None
        used |= _row(w, view, state, top, scale, cutoff)
    _checked_lines(w, view, scale, axis_top, rows_bottom)
    if scale.inside(view.as_of):
        x = scale.x(view.as_of)
        w.add(
            f'<line x1="{_n(x)}" y1="{_n(axis_top - 4)}" x2="{_n(x)}" y2="{_n(rows_bottom)}" stroke="{AS_OF}" '
            'stroke-width="2"/>'
        )
        label = f"as of {format_day_or_instant(view.as_of, zone, date_only=True)}"
        anchor = "end" if x > (PLOT_LEFT + PLOT_RIGHT) / 2 else "start"
        w.text(
            x + (-4 if anchor == "end" else 4),
            axis_top - 36,
            escape(label),
            11,
            fill=AS_OF,
            text_anchor=anchor,
            font_weight="bold",
        )
        used.add("as-of")
    column_width = (WIDTH - 2 * MARGIN) / 3
    shown = [(key, words) for key, words in LEGEND if key in used]
    for number, (key, words) in enumerate(shown):
        x = MARGIN + (number % 3) * column_width
        y = legend_top + (number // 3) * 22
        _legend_swatch(w, key, x, y)
        w.text(x + 30, y + 10, escape(words), 11, fill=TEXT)
    w.add("</svg>")
    return "\n".join(w.lines) + "\n"


def _axis(w: _Writer, scale: Scale, zone: ZoneInfo, axis_top: float, rows_bottom: float) -> None:
    """Month ticks across the rows, labelled as often as fits; the axis ends as dates."""
    ticks = month_ticks(scale.start, scale.end, zone)
    every = _label_every(len(ticks))
    w.add(
        f'<line x1="{PLOT_LEFT}" y1="{_n(axis_top)}" x2="{PLOT_RIGHT}" y2="{_n(axis_top)}" stroke="{MUTED}" '
        'stroke-width="1"/>'
    )
    for number, (instant, day) in enumerate(ticks):
        x = scale.x(instant)
        w.add(f'<line x1="{_n(x)}" y1="{_n(axis_top)}" x2="{_n(x)}" y2="{_n(rows_bottom)}" stroke="{GRID}"/>')
        w.add(f'<line x1="{_n(x)}" y1="{_n(axis_top - 5)}" x2="{_n(x)}" y2="{_n(axis_top)}" stroke="{MUTED}"/>')
        if len(ticks) >= 2 and ((day.year * 12 + day.month - 1) % every == 0 or every == 1):
            label = MONTHS[day.month - 1]
            if day.month == 1 or number < every:
                label += f" {day.year}"
            if x + 2 + 6.5 * len(label) <= WIDTH - 4:  # a label that would run off the picture is left out
                w.text(x + 2, axis_top - 8, escape(label), 10.5, fill=MUTED)
    if len(ticks) < 2:  # a short axis: its two ends as dates
        for instant, anchor in ((scale.start, "start"), (scale.end, "end")):
            day_text = instant.astimezone(zone).strftime("%Y-%m-%d")
            w.text(scale.x(instant), axis_top - 8, day_text, 10.5, fill=MUTED, text_anchor=anchor)


def _checked_lines(w: _Writer, view: RunContext, scale: Scale, axis_top: float, rows_bottom: float) -> None:
    """A dotted line at the end of each file's checked data, once the as-of instant is past it."""
    cutoffs = checked_until(view.timeline)
    seen: set[datetime] = set()
    for path, checked in unconfirmed_files(view.timeline, view.as_of):
        cutoff = cutoffs[path]
        if cutoff in seen or not scale.inside(cutoff):
            continue
        seen.add(cutoff)
        x = scale.x(cutoff)
        w.add(
            f'<line x1="{_n(x)}" y1="{_n(axis_top)}" x2="{_n(x)}" y2="{_n(rows_bottom)}" stroke="{CHECKED}" '
            'stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
        w.text(x - 4, axis_top - 22, _text(f"data checked to {checked}"), 10.5, fill=CHECKED, text_anchor="end")


def _description(view: RunContext, states: Sequence[EntryState], start: datetime | None, end: datetime | None) -> str:
    """The picture in words, for screen readers: what is drawn and every row."""
    if not states:
        return nothing_in_timeline(view)
    bounds = default_range(states, view.as_of)
    assert bounds is not None
    first = start if start is not None else bounds[0]
    last = end if end is not None else bounds[1]
    parts = [
        f"{len(states)} entries on a date axis from {format_instant(first, view.zone)} "
        f"to {format_instant(last, view.zone)}, as of {format_instant(view.as_of, view.zone)}."
    ]
    parts += run_notes(view)
    parts += [_row_summary(view, state) for state in states]
    return " ".join(parts)
