"""The timeline as plain, frozen data.

This layer uses the standard library only. Everything here is already
validated: instants are timezone-aware datetimes, durations are parsed, ids are
resolved. The loader (``validate``) is the only place that builds these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from trucetrack.core.text import visible

BUILTIN_KINDS: tuple[str, ...] = (
    "agreement",
    "tariff",
    "license",
    "export-control",
    "suspension",
    "deadline",
    "talks",
    "announcement",
    "ruling",
    "data",
    "extension",
    "termination",
)

MODIFIER_KINDS: tuple[str, ...] = ("extension", "termination")

# The order of keys inside an event, as the format reference writes them.
EVENT_KEYS: tuple[str, ...] = (
    "id",
    "kind",
    "title",
    "target",
    "date",
    "start",
    "end",
    "through",
    "duration",
    "by",
    "calendar",
    "warn",
    "parties",
    "place",
    "measure",
    "rate",
    "rate_after",
    "instrument",
    "announced",
    "sources",
    "tags",
    "notes",
)

TOP_LEVEL_KEYS: tuple[str, ...] = (
    "schema",
    "title",
    "timezone",
    "current_to",
    "calendar",
    "warn",
    "kinds",
    "parties",
    "event",
)

PARTY_KEYS: tuple[str, ...] = ("name",)


@dataclass(frozen=True, slots=True)
class Duration:
    """A parsed duration: a calendar part (wall clock) and an elapsed part.

    ``months`` and ``days`` are added on the wall clock of the file's zone;
    ``seconds`` are elapsed time (``36h`` is 36 real hours across a DST change).
    ``text`` is what the file said, kept for display.
    """

    months: int = 0
    days: int = 0
    seconds: int = 0
    text: str = ""
    # Working days in a holiday calendar (``45wd``); never mixed with the other parts.
    workdays: int = 0

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a timeline, located like a compiler diagnostic."""

    file: str
    line: int
    subject: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = f"{visible(self.file)}:{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        subject = visible(self.subject)
        if not subject or subject != subject.strip():  # a key such as " a b ": quoted, so its spaces show
            subject = repr(self.subject)
        return f"{where}: {subject}: {visible(self.message)}"


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class EndSpec:
    """How a span's or extension's end was written: which key and its text."""

    key: str  # "end", "through", "duration" or "by"
    text: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``[[event]]``: a point, a span or a modifier.

    ``date``, ``start`` and ``end`` are aware datetimes (absolute instants).
    ``end`` is the span's own end before any modifier; for a termination it
    is when the termination takes effect; for an extension written with
    ``end`` or ``through`` it is the new end. ``date_only`` records which of
    the keys were written as bare dates, for display and calendar export.
    """

    id: str
    kind: str
    title: str
    shape: str  # "point", "span" or "modifier"
    file: str
    line: int
    zone: str
    order: int  # position across all loaded files, for stable tie-breaks
    date: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    end_spec: EndSpec | None = None
    by: Duration | None = None
    target: str | None = None
    warn: Duration | None = None
    parties: tuple[str, ...] = ()
    place: str | None = None
    measure: str | None = None
    rate: float | None = None
    rate_after: float | None = None
    instrument: str | None = None
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    notes: str | None = None
    date_only: frozenset[str] = frozenset()
    # When a point or span became known; None: known from the start of time.
    announced: datetime | None = None
    # The holiday calendar working days are counted in (a country code), as it
    # applies to this entry: its own, else (a modifier) its target's, else its file's.
    calendar: str | None = None

    @property
    def is_point(self) -> bool:
        return self.shape == "point"

    @property
    def is_span(self) -> bool:
        return self.shape == "span"

    @property
    def is_modifier(self) -> bool:
        return self.shape == "modifier"

    @property
    def begins(self) -> datetime | None:
        """The instant the entry begins: a span's start, otherwise its date."""
        return self.start if self.start is not None else self.date


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str
    title: str | None
    zone: str
    warn: Duration
    current_to: str | None
    bundled: bool = False
    calendar: str | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    files: tuple[SourceFile, ...]
    parties: tuple[Party, ...]
    kinds: tuple[str, ...]
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    @property
    def zone(self) -> str:
        """The first loaded file's zone: the default display zone."""
        return self.files[0].zone if self.files else "UTC"

    def entry(self, entry_id: str) -> Entry | None:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        return None

    @property
    def bundled(self) -> bool:
        return any(f.bundled for f in self.files)
