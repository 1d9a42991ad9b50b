"""A three-way merge of timeline files by entry id, parties by code and top-level keys by name.

Each side is read into blocks the way fmt reads a file (``store.canonical``),
so every comment travels with the key or block it annotates. Per block
(an event by its id, a party by its code, a top-level key by its name):

- changed (or removed, or added) on one side only: that side's version;
- changed the same way on both sides: once;
- changed differently on both sides, or added on both sides differently:
  a conflict, written between git's markers (``<<<<<<< ours``, ``=======``,
  ``>>>>>>> theirs``) with everything else merged around it;
- ``current_to`` set differently on both sides: the earlier date, since the
  data is only known to be checked up to there.

"Changed" means changed in value or in its comments; a value written another
way (``10`` for ``10.0``) is no change. The result is in canonical form: events
by (date or start, id), which the caller gives for each side from its
validated timeline. This module knows text and TOML only; the caller
validates the sides first and the result after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from trucetrack.core.model import EVENT_KEYS, PARTY_KEYS
from trucetrack.store.canonical import (
    ROOT_KEYS,
    _Block,
    _Document,
    _document,
    _key_text,
    _section_lines,
    _Slot,
    _spaced,
    _value_of,
    _Writer,
)

OURS_MARKER = "<<<<<<< ours"
MIDDLE_MARKER = "======="
THEIRS_MARKER = ">>>>>>> theirs"


@dataclass(frozen=True)
class MergeSide:
    """One version of the file: its text, and each event's date or start by id (from validation)."""

    text: str
    begins: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class MergeOutcome:
    """The merged text, and each conflict in words (empty when the merge is clean)."""

    text: str
    conflicts: tuple[str, ...] = ()
    earlier_current_to: str | None = None  # the date kept when both sides moved current_to


@dataclass(frozen=True)
class _Conflict:
    ours: Any
    theirs: Any


T = TypeVar("T")


def _merge3(base: T | None, ours: T | None, theirs: T | None, meaning: Callable[[T], Any]) -> T | _Conflict | None:
    """One block's merge: the version to keep (None: none), or a conflict."""

    def same(left: T | None, right: T | None) -> bool:
        if left is None or right is None:
            return left is right
        return bool(meaning(left) == meaning(right))

    if same(ours, theirs):
        return ours
    if same(base, ours):
        return theirs
    if same(base, theirs):
        return ours
    return _Conflict(ours, theirs)


def _comments(lines: Sequence[str]) -> tuple[str, ...]:
    return tuple(line.strip() for line in lines)


def _slot_meaning(slot: _Slot) -> tuple[Any, ...]:
    return (_parsed(slot.value), _comments(slot.lead), slot.comment.strip())


def _parsed(text: str) -> Any:
    try:
        return _value_of(text)
    except ValueError:  # not a TOML value: compared as written
        return ("unparsed", text)


def _block_meaning(block: _Block) -> tuple[Any, ...]:
    slots = tuple(sorted((key, *_slot_meaning(slot)) for key, slot in block.slots.items()))
    lead = tuple(_comments(group) for group in block.lead)
    return (slots, lead, block.comment.strip(), _comments(block.trailing))


def _merge_comments(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """Comment lines that belong to no block: one side's change, or both sides' lines, each once."""
    if _comments(base) == _comments(ours):
        return list(theirs)
    if _comments(base) == _comments(theirs) or _comments(ours) == _comments(theirs):
        return list(ours)
    kept = list(ours)
    kept.extend(line for line in theirs if line.strip() not in _comments(ours))
    return kept


def _merge_paragraphs(base: list[list[str]], ours: list[list[str]], theirs: list[list[str]]) -> list[list[str]]:
    def flat(groups: list[list[str]]) -> tuple[tuple[str, ...], ...]:
        return tuple(_comments(group) for group in groups)

    if flat(base) == flat(ours):
        return [list(group) for group in theirs]
    if flat(base) == flat(theirs) or flat(ours) == flat(theirs):
        return [list(group) for group in ours]
    known = set(flat(ours))
    return [list(group) for group in ours] + [list(group) for group in theirs if _comments(group) not in known]


def _merge_section(base: _Block, ours: _Block, theirs: _Block) -> _Block:
    """The comments of ``[parties]`` or of the event array, which belong to no one block."""
    lines = _merge_comments(_section_lines(base), _section_lines(ours), _section_lines(theirs))
    return _Block(line=0, lead=[lines] if lines else [])


def _event_ids(document: _Document, path: str) -> dict[str, _Block]:
    found: dict[str, _Block] = {}
    for block in document.events:
        slot = block.slots.get("id")
        entry_id = _parsed(slot.value) if slot is not None else None
        if not isinstance(entry_id, str):
            raise ValueError(f"{path}:{block.line}: an event without an id")  # validated sides have ids
        found[entry_id] = block
    return found


def _restore_footer(base: _Document, side: _Document, other: _Document, path: str) -> None:
    """A block appended after the comments that end the file takes them as its own (they are now
    directly above it). Put them back at the end: otherwise two sides that each append a block
    would each carry them, and the merge would write them twice. The comments that end the file
    are those of the base, or of the other side (a file new on both sides has no base)."""
    footer = [_comments(group) for group in (*base.footer, *other.footer)]
    if not footer:
        return
    known = _event_ids(base, path)
    kept = [_comments(group) for group in side.footer]
    for entry_id, block in _event_ids(side, path).items():
        if entry_id in known or not block.lead:
            continue
        moved = [group for group in block.lead if _comments(group) in footer and _comments(group) not in kept]
        if moved:
            block.lead = [group for group in block.lead if not any(group is taken for taken in moved)]
            side.footer = [*side.footer, *moved]
            kept.extend(_comments(group) for group in moved)


def _earlier(ours: _Slot, theirs: _Slot) -> _Slot:
    """Of two ``current_to`` values, the earlier (dates and datetimes compared by their day first)."""

    def key(slot: _Slot) -> tuple[str, str]:
        value = _parsed(slot.value)
        day = value.date() if isinstance(value, datetime) else value
        return (day.isoformat() if isinstance(day, date) else str(day), str(value))

    return ours if key(ours) <= key(theirs) else theirs


def merge(base: MergeSide | None, ours: MergeSide, theirs: MergeSide, *, path: str) -> MergeOutcome:
    """``ours`` and ``theirs`` merged against their common ``base`` (None: the file is new on both sides).

    Line endings and a byte-order mark follow ``ours``.
    """
    bom = "\ufeff" if ours.text.startswith("\ufeff") else ""
    first_break = ours.text.find("\n")
    crlf = first_break > 0 and ours.text[first_break - 1] == "\r"

    def read(side: MergeSide | None) -> _Document:
        if side is None:
            return _Document()
        return _document(side.text.removeprefix("\ufeff").replace("\r\n", "\n"), path)

    o, a, b = read(base), read(ours), read(theirs)
    _restore_footer(o, a, b, path)
    _restore_footer(o, b, a, path)
    merged = _Document()
    conflicts: list[str] = []
    earlier: str | None = None

    merged.directives = _merge_comments(o.directives, a.directives, b.directives)
    merged.preamble = _merge_paragraphs(o.preamble, a.preamble, b.preamble)
    merged.footer = _merge_paragraphs(o.footer, a.footer, b.footer)
    merged.root.trailing = _merge_comments(o.root.trailing, a.root.trailing, b.root.trailing)
    root_conflicts: dict[str, _Conflict] = {}
    for key in ROOT_KEYS:
        chosen = _merge3(o.root.slots.get(key), a.root.slots.get(key), b.root.slots.get(key), _slot_meaning)
        if isinstance(chosen, _Conflict):
            if key == "current_to" and chosen.ours is not None and chosen.theirs is not None:
                chosen = _earlier(chosen.ours, chosen.theirs)
                earlier = chosen.value
            else:
                root_conflicts[key] = chosen
                conflicts.append(f"top-level key {key!r}: changed differently on both sides")
                continue
        if chosen is not None:
            merged.root.slots[key] = chosen

    merged.parties_section = _merge_section(o.parties_section, a.parties_section, b.parties_section)
    party_conflicts: dict[str, _Conflict] = {}
    for code in sorted(o.parties.keys() | a.parties.keys() | b.parties.keys()):
        chosen_party = _merge3(o.parties.get(code), a.parties.get(code), b.parties.get(code), _block_meaning)
        if isinstance(chosen_party, _Conflict):
            party_conflicts[code] = chosen_party
            conflicts.append(f"party {code!r}: {_how(o.parties.get(code), chosen_party)}")
        elif chosen_party is not None:
            merged.parties[code] = chosen_party

    merged.events_section = _merge_section(o.events_section, a.events_section, b.events_section)
    base_events, our_events, their_events = _event_ids(o, path), _event_ids(a, path), _event_ids(b, path)
    placed: list[tuple[datetime | None, str, _Block | _Conflict]] = []
    for entry_id in dict.fromkeys([*our_events, *their_events, *base_events]):
        chosen_event = _merge3(
            base_events.get(entry_id), our_events.get(entry_id), their_events.get(entry_id), _block_meaning
        )
        if chosen_event is None:
            continue
        if isinstance(chosen_event, _Conflict):
            conflicts.append(f"event {entry_id!r}: {_how(base_events.get(entry_id), chosen_event)}")
            begins = ours.begins.get(entry_id) or theirs.begins.get(entry_id)
        else:
            from_ours = chosen_event is our_events.get(entry_id)
            begins = (ours if from_ours else theirs).begins.get(entry_id)
        placed.append((begins, entry_id, chosen_event))
    placed.sort(key=lambda item: (item[0] is None, item[0] or datetime.min, item[1]))

    text = _render(merged, root_conflicts, party_conflicts, placed)
    if crlf:
        text = text.replace("\n", "\r\n")
    return MergeOutcome(bom + text, tuple(conflicts), earlier)


def _how(base: Any, conflict: _Conflict) -> str:
    if base is None:
        return "added on both sides with different contents"
    if conflict.ours is None:
        return "removed on our side, changed on theirs"
    if conflict.theirs is None:
        return "changed on our side, removed on theirs"
    return "changed differently on both sides"


# ---------------------------------------------------------------- writing


def _slot_lines(key: str, slot: _Slot | None) -> list[str]:
    if slot is None:
        return []
    return [*slot.lead, f"{key} = {slot.value}{_spaced(slot.comment)}"]


def _block_lines(
    header: str, block: _Block | None, order: tuple[str, ...], extra_lead: list[str] | None = None
) -> list[str]:
    """A block as fmt writes it, with ``extra_lead`` (a section's comments) above its own."""
    if block is None:
        return list(extra_lead or [])
    writer = _Writer("")
    writer.lead(([extra_lead] if extra_lead else []) + block.lead)
    writer.lines.append(header + _spaced(block.comment))
    writer.slots(block, order, header)
    return writer.lines


def _marked(ours: list[str], theirs: list[str]) -> list[str]:
    return [OURS_MARKER, *ours, MIDDLE_MARKER, *theirs, THEIRS_MARKER]


def _render(
    document: _Document,
    root_conflicts: Mapping[str, _Conflict],
    party_conflicts: Mapping[str, _Conflict],
    events: Sequence[tuple[datetime | None, str, _Block | _Conflict]],
) -> str:
    """The merged document in fmt's layout, conflicts between markers where their block would go."""
    writer = _Writer("")
    writer.lines.extend(document.directives)
    writer.paragraphs(document.preamble)
    if document.preamble:
        writer.lines.append("")
    for key in ROOT_KEYS:
        conflict = root_conflicts.get(key)
        if conflict is not None:
            writer.lines.extend(_marked(_slot_lines(key, conflict.ours), _slot_lines(key, conflict.theirs)))
        else:
            writer.lines.extend(_slot_lines(key, document.root.slots.get(key)))
    writer.lines.extend(document.root.trailing)

    parties_lead = _section_lines(document.parties_section)
    for code in sorted(document.parties.keys() | party_conflicts.keys()):
        header = f"[parties.{_key_text(code)}]"
        conflict = party_conflicts.get(code)
        writer.blank()
        if conflict is not None:
            writer.lines.extend(parties_lead)
            writer.lines.extend(
                _marked(
                    _block_lines(header, conflict.ours, PARTY_KEYS), _block_lines(header, conflict.theirs, PARTY_KEYS)
                )
            )
        else:
            writer.lines.extend(_block_lines(header, document.parties[code], PARTY_KEYS, parties_lead))
        parties_lead = []
    events_lead = parties_lead + _section_lines(document.events_section)
    for _, _, item in events:
        writer.blank()
        if isinstance(item, _Conflict):
            writer.lines.extend(events_lead)
            writer.lines.extend(
                _marked(
                    _block_lines("[[event]]", item.ours, EVENT_KEYS),
                    _block_lines("[[event]]", item.theirs, EVENT_KEYS),
                )
            )
        else:
            writer.lines.extend(_block_lines("[[event]]", item, EVENT_KEYS, events_lead))
        events_lead = []
    if events_lead:
        writer.paragraphs([events_lead])
    writer.paragraphs(document.footer)
    while writer.lines and writer.lines[-1] == "":
        writer.lines.pop()
    return "\n".join(writer.lines) + "\n"
