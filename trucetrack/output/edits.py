"""What add, extend, end and init print.

An edit says what it added (or, with --dry-run, prints the block it would
append); a note on stderr says when the block landed out of canonical order;
then the deadlines moved and statuses changed as of --as-of, on stdout after a
write and on stderr after a dry run (whose stdout is the block alone). File
names never carry control codes to the terminal.
"""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

from trucetrack.core.dates import format_instant
from trucetrack.core.text import clean_line
from trucetrack.output.console import write
from trucetrack.output.diff import end_move_line

if TYPE_CHECKING:
    from trucetrack.ops.edit import EditResult, Effects, InitResult, OutOfOrder


def _to_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def edited(result: EditResult) -> None:
    if result.written:
        write(f"added {result.entry_id} to {clean_line(result.display)}\n")
    else:
        write(result.block)
    if result.out_of_order is not None:
        _to_stderr(out_of_order_note(result.out_of_order) + "\n")
    if result.effects is not None:
        text = effects_text(result.effects)
        if result.written:
            write(text)
        else:
            _to_stderr(text)


def out_of_order_note(note: OutOfOrder) -> str:
    """What to do about a block that landed out of canonical order: the fmt command that
    would put it in place, or why fmt cannot."""
    where = f"note: {note.entry_id} is out of canonical order at the end of {clean_line(note.display)}"
    if note.fmt_arguments is not None:
        command = " ".join(shlex.quote(clean_line(argument)) for argument in note.fmt_arguments)
        return f"{where}; run trucetrack fmt {command}"
    return f"{where}; trucetrack fmt cannot reorder it yet: {clean_line(note.refusal or '')}"


def effects_text(effects: Effects) -> str:
    """Deadlines moved and statuses changed, as of the instant they were computed for."""
    lines = [f"  {end_move_line(move)}" for move in effects.moves]
    lines += [f"  {change.id}: {change.old} → {change.new}" for change in effects.statuses]
    return f"as of {format_instant(effects.as_of, effects.zone)}:\n" + "\n".join(lines) + "\n"


def created(result: InitResult) -> None:
    write(f"created {clean_line(result.path)}\n")
