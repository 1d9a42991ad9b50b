"""The cache's data-only encoding of a validated timeline: JSON, no code.

A cache file may have been planted or damaged by anyone who could write the
cache folder, so reading one must never run code (no pickle) and must never
crash: ``decode`` either rebuilds a ``Timeline`` from plain JSON values or
raises ``ValueError``.

Entries are written by column, one JSON array per field of ``Entry`` in
declaration order, so that reading them back checks each column's types in
one pass and builds every entry with one call, instead of a function call per
field of every entry (measured: a third of the time of a cached ``status``
went there). Instants are UTC, written as whole microseconds since 1970 so
they come back exactly; durations, end specs and the few distinct party, tag
and date-only sets are written once in a table and referred to by position.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

from trucetrack.core.model import Duration, EndSpec, Entry, Party, SourceFile, Timeline

FORMAT = "trucetrack-cache-4"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_NONE = type(None)


def _instant(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        raise ValueError("only UTC instants are cached")
    return (value - _EPOCH) // _MICROSECOND


def _duration(value: Duration | None) -> list[object] | None:
    return None if value is None else [value.months, value.days, value.seconds, value.text, value.workdays]


_ENTRY_FIELDS = tuple(item.name for item in fields(Entry))
_INSTANTS = frozenset({"date", "start", "end", "announced"})
# Fields written as a position in a table of their distinct values.
_TABLED = frozenset({"by", "warn", "end_spec", "parties", "tags", "date_only"})
_INTEGERS = frozenset({"line", "order"})
_NUMBERS = frozenset({"rate", "rate_after"})
_TEXTS = frozenset({"id", "kind", "title", "shape", "file", "zone"})
_TEXT_LISTS = frozenset({"sources"})


def _table_value(name: str, value: Any) -> object:
    if value is None:
        return None
    if name in ("by", "warn"):
        return _duration(value)
    if name == "end_spec":
        return [value.key, value.text]
    return sorted(value) if isinstance(value, frozenset) else list(value)


def encode(timeline: Timeline, header: object) -> bytes:
    """``header`` (the cache key data) and the timeline as one JSON document."""
    files = [[f.path, f.title, f.zone, _duration(f.warn), f.current_to, f.bundled, f.calendar] for f in timeline.files]
    parties = [[p.code, p.name, p.file, p.line] for p in timeline.parties]
    entries = timeline.entries
    columns: list[object] = []
    for name in _ENTRY_FIELDS:
        values = [getattr(entry, name) for entry in entries]
        if name in _INSTANTS:
            columns.append([_instant(value) for value in values])
        elif name in _TABLED:
            positions: dict[Hashable, int] = {}
            column = [positions.setdefault(value, len(positions)) for value in values]
            columns.append([[_table_value(name, value) for value in positions], column])
        elif name in _TEXT_LISTS:
            columns.append([list(value) for value in values])
        else:
            columns.append(values)
    document = [FORMAT, header, files, parties, list(timeline.kinds), len(entries), columns]
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def read_header(document: object) -> object:
    """The header of a decoded document (raises ValueError when it is not ours)."""
    if not (isinstance(document, list) and len(document) == 7 and document[0] == FORMAT):
        raise ValueError("not a trucetrack cache document")
    return document[1]


def _text(value: object) -> str:
    if type(value) is not str:
        raise ValueError("expected a string")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _integer(value: object) -> int:
    if type(value) is not int:
        raise ValueError("expected an integer")
    return value


def _from_duration(value: object) -> Duration | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 5):
        raise ValueError("expected a duration")
    return Duration(_integer(value[0]), _integer(value[1]), _integer(value[2]), _text(value[3]), _integer(value[4]))


def _required_duration(value: object) -> Duration:
    duration = _from_duration(value)
    if duration is None:
        raise ValueError("expected a duration")
    return duration


def _from_end_spec(value: object) -> EndSpec | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        raise ValueError("expected an end spec")
    return EndSpec(_text(value[0]), _text(value[1]))


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return tuple(_text(item) for item in value)


def _flag(value: object) -> bool:
    if type(value) is not bool:
        raise ValueError("expected a boolean")
    return value


def _types_within(values: list[Any], allowed: set[type]) -> None:
    if not set(map(type, values)) <= allowed:
        raise ValueError(f"expected only {sorted(kind.__name__ for kind in allowed)}")


def _sized(value: object, count: int) -> list[Any]:
    if not (isinstance(value, list) and len(value) == count):
        raise ValueError(f"expected a column of {count} values")
    return value


_TABLE_DECODERS: dict[str, Callable[[object], object]] = {
    "by": _from_duration,
    "warn": _from_duration,
    "end_spec": _from_end_spec,
    "parties": lambda value: None if value is None else _texts(value),
    "tags": lambda value: None if value is None else _texts(value),
    "date_only": lambda value: None if value is None else frozenset(_texts(value)),
}


def _column(name: str, value: object, count: int) -> list[Any]:
    """One field of every entry, each checked to be of the field's type."""
    if name in _TABLED:
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], list)):
            raise ValueError("expected a table and positions")
        table = [_TABLE_DECODERS[name](item) for item in value[0]]
        positions = _sized(value[1], count)
        _types_within(positions, {int})
        if positions and not 0 <= min(positions) <= max(positions) < len(table):
            raise ValueError("a position outside its table")
        return [table[position] for position in positions]
    column = _sized(value, count)
    if name in _INSTANTS:
        _types_within(column, {int, _NONE})
        epoch, microsecond = _EPOCH, _MICROSECOND
        return [None if item is None else epoch + item * microsecond for item in column]
    if name in _TEXTS:
        _types_within(column, {str})
    elif name in _INTEGERS:
        _types_within(column, {int})
    elif name in _NUMBERS:
        _types_within(column, {float, _NONE})
    elif name in _TEXT_LISTS:
        _types_within(column, {list})
        _types_within(list(chain.from_iterable(column)), {str})
        return list(map(tuple, column))
    else:
        _types_within(column, {str, _NONE})
    return column


def _rows(value: object, width: int) -> list[list[object]]:
    if not isinstance(value, list) or not all(isinstance(row, list) and len(row) == width for row in value):
        raise ValueError(f"expected rows of {width} values")
    return value


def decode_timeline(document: object) -> Timeline:
    """The timeline of a document that ``read_header`` accepted; ValueError when malformed."""
    assert isinstance(document, list)
    _, _, files, parties, kinds, count, columns = document
    count = _integer(count)
    columns = _sized(columns, len(_ENTRY_FIELDS))
    decoded = [_column(name, value, count) for name, value in zip(_ENTRY_FIELDS, columns, strict=True)]
    return Timeline(
        files=tuple(
            SourceFile(
                _text(p),
                _optional_text(t),
                _text(z),
                _required_duration(w),
                _optional_text(c),
                _flag(b),
                _optional_text(k),
            )
            for p, t, z, w, c, b, k in _rows(files, 7)
        ),
        parties=tuple(Party(_text(c), _text(n), _text(f), _integer(line)) for c, n, f, line in _rows(parties, 4)),
        kinds=_texts(kinds),
        entries=tuple(map(Entry, *decoded)) if count else (),
    )
