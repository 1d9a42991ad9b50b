"""history as text and JSON: each commit that changed the entry, oldest first, and what it changed
(``end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days), by eo-14334``).

Authors and subjects come from git and titles from the files: they are cleaned
of control codes like every other text from outside."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from trucetrack.core.dates import format_instant
from trucetrack.core.text import clean_line
from trucetrack.output.diff import days_text

if TYPE_CHECKING:
    from trucetrack.ops.history import EntryChange, HistoryResult


def change_text(change: EntryChange) -> str:
    """One change in words."""
    if change.kind in ("added", "removed") and change.note is not None:
        note = change.note
        if change.kind == "added":
            return f"added: {note.kind}, {note.when}: {note.title}"
        return f"removed (it was {note.kind}, {note.when})"
    if change.kind == "field" and change.field is not None:
        return f"{change.field.field} {change.field.old_text} → {change.field.new_text}"
    assert change.move is not None
    move = change.move
    text = f"end {move.old_text} → {move.new_text}{days_text(move.days)}"
    if change.by:
        text += ", by " + ", ".join(clean_line(name) for name in change.by)
    elif change.removed:
        text += ", as " + ", ".join(clean_line(name) for name in change.removed) + " was removed"
    else:
        text += ", by its own edit"
    return text


def history_text(result: HistoryResult) -> str:
    """``abcdef1234 2025-08-11 Ana Lima: Record EO 14334`` and below it each change."""
    if not result.steps:
        return f"{clean_line(result.id)}: no commit changed it\n"
    # Effective ends depend on the instant they are worked out at: say which.
    when = format_instant(result.as_of, result.zone)
    lines = [f"History of {clean_line(result.id)} in git (effective ends as of {when}, {result.zone.key})"]
    for step in result.steps:
        lines.append(f"{step.commit[:10]} {step.date[:10]} {clean_line(step.author)}: {clean_line(step.subject)}")
        lines.extend(f"  {change_text(change)}" for change in step.changes)
    return "\n".join(lines) + "\n"


def history_json(result: HistoryResult) -> str:
    data = {
        "id": clean_line(result.id),
        "changes": [
            {
                "commit": step.commit,
                "date": step.date,
                "author": clean_line(step.author),
                "subject": clean_line(step.subject),
                "changes": [change_text(change) for change in step.changes],
            }
            for step in result.steps
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
