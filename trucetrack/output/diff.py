"""The semantic diff as text and JSON: entries added and removed, fields changed,
deadlines moved (``end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)``),
statuses changed. File text in it has been through ``core.text``."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from trucetrack.core.dates import format_instant, isoformat
from trucetrack.core.text import clean_line
from trucetrack.engine.semdiff import Change, EndMove, EntryNote, SemanticDiff


def end_move_line(move: EndMove) -> str:
    """``geneva-truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)``."""
    return f"{move.id}: end {move.old_text} → {move.new_text}{days_text(move.days)}"


def days_text(days: int | None) -> str:
    """`` (+90 days)``: how far a deadline moved, in calendar days of the display zone."""
    if days is None:
        return ""
    if days == 0:
        return " (same day)"
    unit = "day" if abs(days) == 1 else "days"
    return f" ({days:+d} {unit})"


def change_lines(diff: SemanticDiff) -> list[str]:
    """The differences as lines, section by section, without a heading (empty when the same)."""
    lines: list[str] = []
    if diff.timeline:
        lines.append("timeline:")
        lines.extend(f"  {c.field}: {c.old_text} → {c.new_text}" for c in diff.timeline)
    if diff.added:
        lines.append("added:")
        lines.extend(f"  + {n.id} ({n.kind}, {n.when}): {n.title}" for n in diff.added)
    if diff.removed:
        lines.append("removed:")
        lines.extend(f"  - {n.id} ({n.kind}, {n.when}): {n.title}" for n in diff.removed)
    if diff.changed:
        lines.append("changed:")
        lines.extend(f"  {c.subject}: {c.field} {c.old_text} → {c.new_text}" for c in diff.changed)
    if diff.ends_moved:
        lines.append("deadlines moved:")
        lines.extend(f"  {end_move_line(m)}" for m in diff.ends_moved)
    if diff.status_changed:
        lines.append("status changed:")
        lines.extend(f"  {s.id}: {s.old} → {s.new}" for s in diff.status_changed)
    return lines


def diff_text(diff: SemanticDiff, old_label: str, new_label: str) -> str:
    """The diff as text: a heading naming both sides and the instant, then each section; '' when the same."""
    if diff.same:
        return ""
    heading = [
        f"--- {clean_line(old_label)}",
        f"+++ {clean_line(new_label)}",
        f"as of {format_instant(diff.as_of, diff.zone)} ({diff.zone.key})",
    ]
    return "\n".join(heading + change_lines(diff)) + "\n"


def _change_json(change: Change) -> dict[str, Any]:
    return {"field": change.field, "old": change.old_value, "new": change.new_value}


def _note_json(note: EntryNote, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "title": note.title,
        "when": isoformat(note.begins, zone),
        "end": isoformat(note.end, zone),
        "target": note.target,
        "text": note.when,
        "file": note.file,
    }


def diff_data(diff: SemanticDiff, old_label: str, new_label: str) -> dict[str, Any]:
    """The diff as JSON-ready data (times ISO 8601 with offset in the display zone)."""
    return {
        "old": clean_line(old_label),
        "new": clean_line(new_label),
        "as_of": isoformat(diff.as_of, diff.zone),
        "tz": diff.zone.key,
        "same": diff.same,
        "timeline": [_change_json(c) for c in diff.timeline],
        "added": [_note_json(n, diff.zone) for n in diff.added],
        "removed": [_note_json(n, diff.zone) for n in diff.removed],
        "changed": [{"id": c.subject, **_change_json(c)} for c in diff.changed],
        "ends_moved": [
            {"id": m.id, "old": isoformat(m.old, diff.zone), "new": isoformat(m.new, diff.zone), "days": m.days}
            for m in diff.ends_moved
        ],
        "status_changed": [{"id": s.id, "old": s.old, "new": s.new} for s in diff.status_changed],
    }


def diff_json(diff: SemanticDiff, old_label: str, new_label: str) -> str:
    return json.dumps(diff_data(diff, old_label, new_label), ensure_ascii=False, indent=2) + "\n"
