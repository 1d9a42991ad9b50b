"""The cache's data-only encoding of a validated timeline: JSON arrays, no code.

A cache file may have been planted or damaged by anyone who could write the
cache folder, so reading one must never run code (no pickle) and must never
crash: ``decode`` either rebuilds a ``Timeline`` from plain JSON values or
raises ``ValueError``. Each model class is written as an array of its fields
in declaration order; instants are UTC, written as whole microseconds since
1970 so they come back exactly. Ends computed in working days are stored like
any other end: a cache hit does not count them again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

from trucetrack.core.model import Duration, EndSpec, Entry, Party, SourceFile, Timeline

FORMAT = "trucetrack-cache-3"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _instant(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        raise ValueError("only UTC instants are cached")
    return (value - _EPOCH) // _MICROSECOND


def _duration(value: Duration | None) -> list[object] | None:
    return None if value is None else [value.months, value.days, value.seconds, value.text, value.workdays]


def _end_spec(value: EndSpec | None) -> list[str] | None:
    return None if value is None else [value.key, value.text]


def _same(value: object) -> object:
    return value


def _listed(value: tuple[str, ...] | frozenset[str]) -> list[str]:
    return sorted(value) if isinstance(value, frozenset) else list(value)


_ENTRY_FIELDS = tuple(item.name for item in fields(Entry))
_INSTANTS = {"date", "start", "end", "announced"}
_DURATIONS = {"by", "warn"}
_STRING_LISTS = {"parties", "sources", "tags", "date_only"}


def _encoder(name: str) -> Callable[[Any], object]:
    if name in _INSTANTS:
        return _instant
    if name in _DURATIONS:
        return _duration
    if name in _STRING_LISTS:
        return _listed
    if name == "end_spec":
        return _end_spec
    return _same


_ENCODERS = tuple((name, _encoder(name)) for name in _ENTRY_FIELDS)


def encode(timeline: Timeline, header: object) -> bytes:
    """``header`` (the cache key data) and the timeline as one JSON document."""
    files = [[f.path, f.title, f.zone, _duration(f.warn), f.current_to, f.bundled, f.calendar] for f in timeline.files]
    parties = [[p.code, p.name, p.file, p.line] for p in timeline.parties]
    entries = [[encode_field(getattr(entry, name)) for name, encode_field in _ENCODERS] for entry in timeline.entries]
    document = [FORMAT, header, files, parties, list(timeline.kinds), entries]
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def read_header(document: object) -> object:
    """The header of a decoded document (raises ValueError when it is not ours)."""
    if not (isinstance(document, list) and len(document) == 6 and document[0] == FORMAT):
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


def _number(value: object) -> float | None:
    if value is None:
        return None
    if type(value) not in (int, float):
        raise ValueError("expected a number")
    return float(value)  # type: ignore[arg-type]


_cal = _optional_text


def _from_instant(value: object) -> datetime | None:
    return None if value is None else _EPOCH + _integer(value) * _MICROSECOND


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


def _decoder(name: str) -> Callable[[object], object]:
    if name in _INSTANTS:
        return _from_instant
    if name in _DURATIONS:
        return _from_duration
    if name == "date_only":
        return lambda value: frozenset(_texts(value))
    if name in _STRING_LISTS:
        return _texts
    if name == "end_spec":
        return _from_end_spec
    if name in ("rate", "rate_after"):
        return _number
    if name in ("line", "order"):
        return _integer
    if name in ("id", "kind", "title", "shape", "file", "zone"):
        return _text
    return _optional_text


_DECODERS = tuple(_decoder(name) for name in _ENTRY_FIELDS)


def _rows(value: object, width: int) -> list[list[object]]:
    if not isinstance(value, list) or not all(isinstance(row, list) and len(row) == width for row in value):
        raise ValueError(f"expected rows of {width} values")
    return value


def decode_timeline(document: object) -> Timeline:
    """The timeline of a document that ``read_header`` accepted; ValueError when malformed."""
    assert isinstance(document, list)
    _, _, files, parties, kinds, entries = document
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
        entries=tuple(
            Entry(*[decode(value) for decode, value in zip(_DECODERS, row, strict=True)])  # type: ignore[arg-type]
            for row in _rows(entries, len(_ENTRY_FIELDS))
        ),
    )
