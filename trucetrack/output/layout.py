"""Tables that fit the width without cutting what matters.

A table has short columns that must be read whole — an instant, time left, a
status, an id — and at most one column of prose (a title, a detail) that may
wrap. Cutting a deadline or an id to fit is worse than useless, so the short
columns are never cut; the prose gives way instead. By how much room is left,
a table takes one of three forms:

- **columns**: every cell on the row's line, the prose wrapped inside its own
  column (continuation lines indented to it) when it is longer than the room;
- **prose below**: when the prose column would be narrower than
  ``MIN_PROSE`` cells and wrapping it there takes more lines, the short columns
  stay aligned on the row's line and the prose is wrapped on the lines below
  it, indented;
- **stacked**: when not even the short columns fit, each row becomes a block:
  its short cells packed into lines (a cell is never broken), then the prose,
  every line after the first indented.

``width=None`` is ``--wide``: one line per row at the cells' natural widths,
whatever the terminal, for ``grep``. No line ends in spaces in any form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A piece of a line of terminal output: its text and its rich style ("" for none).
Piece = tuple[str, str]
# A table cell: its text and style.
Cell = tuple[str, str]

GAP = "  "
# Below this many cells, a prose column reads as a ribbon of word fragments.
MIN_PROSE = 32
# A prose column narrower than this is never used, whatever it saves.
MIN_COLUMN = 16
# How far the prose (and, stacked, the rest of a row's block) is indented.
INDENT = "    "
STACK_INDENT = "  "


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False  # right-aligned (counts of time left)
    prose: bool = False  # the one column that may wrap; it is the last


def table_lines(
    columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int | None, *, header: bool = True
) -> list[list[Piece]]:
    """The lines of a table of ``rows`` (one cell per column) within ``width``
    terminal cells, or at natural width when ``width`` is None."""
    from rich.cells import cell_len

    has_prose = bool(columns) and columns[-1].prose
    short = columns[:-1] if has_prose else columns
    widths = [
        max([cell_len(column.header) if header else 0] + [cell_len(row[index][0]) for row in rows])
        for index, column in enumerate(short)
    ]
    short_width = sum(widths) + len(GAP) * max(len(widths) - 1, 0)
    prose_natural = max([cell_len(row[-1][0]) for row in rows] + [0]) if has_prose else 0
    if has_prose and header:
        prose_natural = max(prose_natural, cell_len(columns[-1].header))

    def short_pieces(cells: Sequence[Cell], styles: bool = True) -> list[Piece]:
        pieces: list[Piece] = []
        for index, ((text, style), cell_width, column) in enumerate(zip(cells, widths, short, strict=True)):
            if index:
                pieces.append((GAP, ""))
            padding = " " * (cell_width - cell_len(text))
            if column.right:
                pieces += [(padding, ""), (text, style if styles else "")]
            else:
                pieces += [(text, style if styles else ""), (padding, "")]
        return pieces

    header_cells = [(column.header, "bold") for column in columns]
    lines: list[list[Piece]] = []
    if not has_prose:
        if width is not None and short_width > width:
            return _stacked([(row, ("", "")) for row in rows], width)
        if header:
            lines.append(short_pieces(header_cells))
        lines += [short_pieces(row) for row in rows]
        return [_trimmed(line) for line in lines]

    lead = short_width + len(GAP) if short else 0
    room = None if width is None else width - lead
    if room is None or width is None or room >= prose_natural or _columns_read_better(rows, room, width - len(INDENT)):
        # columns: the prose inside its own column
        prose_width = prose_natural if room is None else min(room, prose_natural)
        if header:
            lines.append([*short_pieces(header_cells[:-1]), *([(GAP, "")] if short else []), header_cells[-1]])
        for row in rows:
            text, style = row[-1]
            wrapped = [text] if room is None else wrap_words(text, prose_width)
            first = short_pieces(row[:-1])
            lines.append([*first, *([(GAP, "")] if short else []), (wrapped[0], style)])
            lines += [[(" " * lead + more, style)] for more in wrapped[1:]]
        return [_trimmed(line) for line in lines]

    assert width is not None
    if short_width <= width:
        # prose below: the short columns aligned, the prose under each row
        if header:
            lines.append(short_pieces(header_cells[:-1]))
        for row in rows:
            lines.append(short_pieces(row[:-1]))
            text, style = row[-1]
            if text:
                lines += [[(INDENT + part, style)] for part in wrap_words(text, max(width - len(INDENT), 1))]
        return [_trimmed(line) for line in lines]

    return _stacked([(row[:-1], row[-1]) for row in rows], width)


def _stacked(rows: Sequence[tuple[Sequence[Cell], Cell]], width: int) -> list[list[Piece]]:
    """Each row a block: its short cells packed on as few lines as they fit (a
    cell is never broken), then its prose wrapped; every line after the first
    indented. Nothing is cut."""
    from rich.cells import cell_len

    lines: list[list[Piece]] = []
    for short_cells, (text, style) in rows:
        packed: list[list[Cell]] = [[]]
        used = 0
        for cell in short_cells:
            if not cell[0]:
                continue
            length = cell_len(cell[0])
            if packed[-1]:
                indent = len(STACK_INDENT) if len(packed) > 1 else 0
                if indent + used + len(GAP) + length > width:
                    packed.append([])
                    used = 0
            used += (len(GAP) if packed[-1] else 0) + length
            packed[-1].append(cell)
        for number, cells in enumerate(packed):
            pieces: list[Piece] = [(STACK_INDENT, "")] if number else []
            for index, cell in enumerate(cells):
                if index:
                    pieces.append((GAP, ""))
                pieces.append(cell)
            lines.append(pieces)
        if text:
            room_left = max(width - len(STACK_INDENT), 1)
            lines += [[(STACK_INDENT + part, style)] for part in wrap_words(text, room_left)]
    return [_trimmed(line) for line in lines]


def _columns_read_better(rows: Sequence[Sequence[Cell]], room: int, below: int) -> bool:
    """Whether the prose reads better in its own column of ``room`` cells than
    on lines of ``below`` cells under each row: the column is at least
    ``MIN_PROSE`` wide, or it takes no more lines than the prose-below form."""
    if room >= MIN_PROSE:
        return True
    if room < MIN_COLUMN:
        return False
    in_column = sum(len(wrap_words(row[-1][0], room)) for row in rows)
    under = sum(1 + (len(wrap_words(row[-1][0], max(below, 1))) if row[-1][0] else 0) for row in rows)
    return in_column <= under


def _trimmed(line: list[Piece]) -> list[Piece]:
    """The line without trailing spaces, whichever cell they were the padding of."""
    pieces = list(line)
    while pieces and not pieces[-1][0].strip():
        pieces.pop()
    if pieces:
        text, style = pieces[-1]
        pieces[-1] = (text.rstrip(), style)
    return pieces


def wrap_words(text: str, width: int) -> list[str]:
    """Prose in lines of at most ``width`` cells, broken at spaces (which are not
    kept at either end of a line); a word longer than a line is broken across
    lines, never cut."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    current = ""
    for word in filter(None, text.split(" ")):  # a no-break space stays inside its word
        candidate = f"{current} {word}" if current else word
        if cell_len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if cell_len(word) > width:
            # rich gives an empty first chunk when not even one character fits
            *whole, current = [chunk for chunk in chop_cells(word, max(width, 1)) if chunk]
            lines.extend(whole)
        else:
            current = word
    lines.append(current)
    return lines


def wrapped(text: str, width: int | None) -> list[str]:
    """A heading or note in lines of ``width``, or whole when ``width`` is None (``--wide``)."""
    return [text] if width is None else wrap_words(text, width)
