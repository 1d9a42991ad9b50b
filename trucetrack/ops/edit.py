"""Edits: add, extend and end append one ``[[event]]`` block to a timeline file; init makes a new file.

An edit reads the files (through the loader) to find the one to write and the
ids in use, then, under the lock of ``store.fsio``, reads that file again,
appends the block (the old bytes stay a prefix, in the file's own line
endings) and validates the whole timeline with it in before the file is
replaced. It refuses, writing nothing, an edit that would leave an invalid
timeline; the bundled timeline is never written (``--dry-run`` shows the
block instead).

An appended block may land out of canonical order: the result says so, with
the fmt command that would put it in place. It also carries what the new
entry changes as of ``--as-of``: deadlines moved and statuses changed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from trucetrack.core.text import clean_line
from trucetrack.errors import BadValue, InvalidTimeline, TrucetrackError
from trucetrack.load import loader
from trucetrack.ops.context import Invocation, as_of_instant, display_zone, no_such_entry, resolve_paths
from trucetrack.ops.fmt import refuse_bundled
from trucetrack.store import canonical

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from trucetrack.core.model import Entry, Problem, Timeline
    from trucetrack.engine.semdiff import EndMove, StatusChange
    from trucetrack.engine.status import EndChange
    from trucetrack.store.reader import RawDocument

MAX_SLUG = 60


class EditRefused(TrucetrackError):
    """The edit would leave an invalid timeline; nothing was written.

    With ``folder``, the files named are fine but the folder of the file
    written, which loads as one timeline, would not be: ``problems`` are those
    the edit would add to it.
    """

    def __init__(self, problems: Sequence[Problem], new_from: int, path: str, *, folder: str | None = None) -> None:
        details = []
        for problem in problems:
            if problem.file == path and problem.line >= new_from:
                details.append(f"new entry: {problem.subject}: {problem.message}")
            else:
                details.append(str(problem))
        count = len(problems)
        counted = f"{count} problem{'s' if count != 1 else ''}"
        if folder is None:
            message = f"not written: the timeline would be invalid with this entry ({counted})"
        else:
            message = (
                f"not written: the *.toml files in {folder} load as one timeline, "
                f"which this entry would make invalid ({counted})"
            )
        super().__init__(message, details=details)


# ---------------------------------------------------------------- requests and results


@dataclass(frozen=True)
class Timing:
    """When an added entry is: a point (``date``) or a span (``start``, with ``end``,
    ``through`` or ``duration``), each as typed."""

    date: str | None = None
    start: str | None = None
    end: str | None = None
    through: str | None = None
    duration: str | None = None


@dataclass(frozen=True)
class Rate:
    """The rate an added entry sets: ``measure``, its ``rate`` and ``rate_after`` (percent)."""

    measure: str | None = None
    rate: float | None = None
    rate_after: float | None = None


@dataclass(frozen=True)
class AddRequest:
    """``add``: a new entry, each value as typed."""

    kind: str
    title: str
    timing: Timing
    entry_id: str | None = None
    parties: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    warn: str | None = None
    notes: str | None = None
    place: str | None = None
    instrument: str | None = None
    rate: Rate = Rate()
    dry_run: bool = False
    calendar: str | None = None
    announced: str | None = None  # when it became known (signed, published)


@dataclass(frozen=True)
class About:
    """What a modifier may say of itself: a title, notes and its legal instrument."""

    title: str | None = None
    notes: str | None = None
    instrument: str | None = None

    def fields(self) -> dict[str, str]:
        given = {"title": self.title, "notes": self.notes, "instrument": self.instrument}
        return {key: value for key, value in given.items() if value is not None}


@dataclass(frozen=True)
class ExtendRequest:
    """``extend``: span ``target`` extended, as decided on ``date``, by one of ``by``, ``end``, ``through``."""

    target: str
    date: str
    by: str | None = None
    end: str | None = None
    through: str | None = None
    entry_id: str | None = None
    sources: tuple[str, ...] = ()
    dry_run: bool = False
    about: About = field(default_factory=lambda: About())
    calendar: str | None = None


@dataclass(frozen=True)
class EndRequest:
    """``end``: span ``target`` terminated, as decided on ``date``, taking effect at ``end`` (default: then)."""

    target: str
    date: str
    end: str | None = None
    entry_id: str | None = None
    sources: tuple[str, ...] = ()
    dry_run: bool = False
    about: About = field(default_factory=lambda: About())


@dataclass(frozen=True)
class InitRequest:
    path: Path
    title: str | None = None
    timezone: str | None = None
    parties: tuple[str, ...] = ()  # each CODE=NAME, as typed
    calendar: str | None = None


@dataclass(frozen=True)
class PartyRequest:
    """``party``: a ``[parties.CODE]`` table with ``name``, appended to a file."""

    code: str
    name: str
    dry_run: bool = False


@dataclass(frozen=True)
class OutOfOrder:
    """The new block is not where fmt would put it: the fmt command that would
    (its PATH arguments, as given), or why fmt cannot reorder it yet."""

    entry_id: str
    display: str
    fmt_arguments: tuple[str, ...] | None
    refusal: str | None = None


@dataclass(frozen=True)
class Effects:
    """What the new entry changes as of ``as_of``: deadlines moved, statuses changed."""

    as_of: datetime
    zone: ZoneInfo
    moves: tuple[EndMove, ...]
    statuses: tuple[StatusChange, ...]


@dataclass(frozen=True)
class EditResult:
    """The block appended to ``path`` (shown as ``display``), or with ``written``
    false the block that would be (``--dry-run``).

    ``failure`` is an error found after the block was written (a bad --tz or
    --as-of for the effects): it is raised once the result is shown.
    """

    block: str
    entry_id: str
    path: str
    display: str
    written: bool
    out_of_order: OutOfOrder | None = None
    effects: Effects | None = None
    failure: TrucetrackError | None = None


@dataclass(frozen=True)
class InitResult:
    path: str


# ---------------------------------------------------------------- values as typed


@dataclass(frozen=True)
class TypedDate:
    """An edit's date as typed, read once the file it goes into is known:
    ``today``, ``now``, ``+7d`` and English dates count in that file's zone,
    from the as-of instant. ``day``: only a date will do (``--through``)."""

    option: str
    text: str
    day: bool = False

    def value(self, as_of: datetime, zone: ZoneInfo) -> date | datetime:
        from trucetrack.core.dates import parse_edit_date

        try:
            value = parse_edit_date(self.text, now=as_of, zone=zone)
        except ValueError as exc:
            raise BadValue(f"{self.option}: {exc}") from None
        if self.day and isinstance(value, datetime):
            raise BadValue(f"{self.option}: give a day (the last day covered), such as 2025-08-11, not {self.text!r}")
        return value


def read_when(option: str, text: str) -> date | datetime | TypedDate:
    """A command-line date or datetime, to be written as TOML's own value.

    An ISO 8601 date stays a date and a datetime stays as written (offset
    included); every other form the as-of parser reads (``today``, ``now``,
    ``+7d``, ``June 10 2025``) is read once the target file's zone is known.
    """
    from trucetrack.core.dates import DateRangeError, check_year

    value: date | datetime
    stripped = text.strip()
    try:
        try:
            value = date.fromisoformat(stripped)
        except ValueError:
            value = datetime.fromisoformat(stripped)
        check_year(value)
    except DateRangeError as exc:
        raise BadValue(f"{option}: {exc}") from None
    except ValueError:
        return TypedDate(option, text)
    return value


def read_day(option: str, text: str) -> date | TypedDate:
    value = read_when(option, text)
    if isinstance(value, TypedDate):
        return replace(value, day=True)
    if isinstance(value, datetime):
        raise BadValue(f"{option}: give a date (the last day covered), such as 2025-08-11, not {text!r}")
    return value


def resolve_dates(fields: Mapping[str, Any], as_of: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """``fields`` with every TypedDate read in ``zone`` from ``as_of``."""
    return {key: value.value(as_of, zone) if isinstance(value, TypedDate) else value for key, value in fields.items()}


def read_duration(option: str, text: str) -> str:
    """A duration as typed (checked, written as given)."""
    from trucetrack.core.durations import DurationError, parse_duration

    try:
        parse_duration(text)
    except DurationError as exc:
        raise BadValue(f"{option}: {exc}") from None
    return text.strip()


def read_calendar(option: str, text: str) -> str:
    """A holiday calendar's country code as typed, checked against the holidays library."""
    from trucetrack.core.workdays import CalendarError, check_code

    code = text.strip()
    try:
        check_code(code)
    except CalendarError as exc:
        raise BadValue(f"{option}: {exc}") from None
    return code


def check_id(option: str, value: str) -> str:
    from trucetrack.load.validate import ID_PATTERN

    if not ID_PATTERN.fullmatch(value):
        raise BadValue(f"{option}: bad id {value!r}: use lower-case letters, digits and '-', starting with one of them")
    return value


def _day_of(value: date | datetime) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


# ---------------------------------------------------------------- the operations


def add(invocation: Invocation, request: AddRequest) -> EditResult:
    """Append a point or a span to the one timeline file loaded."""
    timing, rate = request.timing, request.rate
    _check_add_options(timing, rate)
    fields: dict[str, Any] = {"kind": request.kind, "title": request.title}
    readers = (("date", read_when), ("start", read_when), ("end", read_when), ("through", read_day))
    for key, reader in readers:
        value = getattr(timing, key)
        if value is not None:
            fields[key] = reader(f"--{key}", value)
    for key, value in (("duration", timing.duration), ("warn", request.warn)):
        if value is not None:
            fields[key] = read_duration(f"--{key}", value)
    if request.announced is not None:
        fields["announced"] = read_when("--announced", request.announced)
    optional: dict[str, Any] = {
        "parties": list(request.parties),
        "place": request.place,
        "measure": rate.measure,
        "rate": rate.rate,
        "rate_after": rate.rate_after,
        "instrument": request.instrument,
        "sources": list(request.sources),
        "tags": list(request.tags),
        "notes": request.notes,
        "calendar": read_calendar("--calendar", request.calendar) if request.calendar is not None else None,
    }
    fields.update({key: value for key, value in optional.items() if value not in (None, [])})
    explicit = request.entry_id is not None
    wanted = check_id("--id", request.entry_id) if request.entry_id is not None else slugify(request.title)
    if not wanted:
        raise BadValue(f"cannot make an id from the title {request.title!r}: give --id")
    new = NewEntry(wanted, explicit, "--date" if timing.date is not None else "--start", fields)
    return _append(invocation, new, target=None, dry_run=request.dry_run)


def _check_add_options(timing: Timing, rate: Rate) -> None:
    """The options that go together, before any value is read."""
    if (timing.date is None) == (timing.start is None):
        raise BadValue("give --date (a point) or --start (a span), one of them")
    given = (("--end", timing.end), ("--through", timing.through), ("--duration", timing.duration))
    ends = [name for name, value in given if value]
    if timing.date is not None and ends:
        raise BadValue(f"{ends[0]} goes with --start (a span), not with --date (a point)")
    if len(ends) > 1:
        raise BadValue(f"give one of --end, --through and --duration, not {' and '.join(ends)}")
    if rate.measure is not None and rate.rate is None:
        raise BadValue("--measure needs --rate")
    if rate.rate is not None and rate.measure is None:
        raise BadValue("--rate needs --measure (what it is the rate of)")
    if rate.rate_after is not None and rate.rate is None:
        raise BadValue("--rate-after needs --rate")


def extend(invocation: Invocation, request: ExtendRequest) -> EditResult:
    """Append an extension of span ``request.target`` to the file that holds it."""
    choices = (("--by", request.by), ("--end", request.end), ("--through", request.through))
    given = [name for name, value in choices if value is not None]
    if len(given) != 1:
        raise BadValue("give one of --by, --end and --through" + (f", not {' and '.join(given)}" if given else ""))
    rest: dict[str, Any] = {}
    if request.by is not None:
        rest["by"] = read_duration("--by", request.by)
    if request.end is not None:
        rest["end"] = read_when("--end", request.end)
    if request.through is not None:
        rest["through"] = read_day("--through", request.through)
    if request.calendar is not None:
        rest["calendar"] = read_calendar("--calendar", request.calendar)
    rest.update(request.about.fields())
    if request.sources:
        rest["sources"] = list(request.sources)
    given_id = check_id("--id", request.entry_id) if request.entry_id is not None else None
    new = NewModifier(request.target, "extension", read_when("--date", request.date), given_id, rest)
    return _append(invocation, new, target=request.target, dry_run=request.dry_run)


def end(invocation: Invocation, request: EndRequest) -> EditResult:
    """Append a termination of span ``request.target`` to the file that holds it."""
    rest: dict[str, Any] = {}
    if request.end is not None:
        rest["end"] = read_when("--end", request.end)
    rest.update(request.about.fields())
    if request.sources:
        rest["sources"] = list(request.sources)
    given_id = check_id("--id", request.entry_id) if request.entry_id is not None else None
    new = NewModifier(request.target, "termination", read_when("--date", request.date), given_id, rest)
    return _append(invocation, new, target=request.target, dry_run=request.dry_run)


# A party code is written as a bare key: [parties.CODE].
PARTY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def read_party(code: str, name: str, *, code_label: str, name_label: str) -> tuple[str, str]:
    """A party's code and name as typed, checked (the labels name them in errors)."""
    code, name = code.strip(), name.strip()
    if not PARTY_CODE.fullmatch(code):
        raise BadValue(
            f"{code_label}: bad party code {code!r}: use letters, digits, '-' and '_', starting with a letter "
            "or digit (US, CN, EU)"
        )
    if not name:
        raise BadValue(f'{name_label}: party {code} needs a name, such as {code}="European Union"')
    require_utf8({name_label.removeprefix("--"): name})
    return code, name


def read_init_parties(values: Sequence[str]) -> dict[str, str]:
    """``--party CODE=NAME`` values of init, each code once."""
    parties: dict[str, str] = {}
    for value in values:
        code, equals, name = value.partition("=")
        if not equals:
            raise BadValue(f'--party: write CODE=NAME, such as EU="European Union", not {value!r}')
        code, name = read_party(code, name, code_label="--party", name_label="--party")
        if code in parties:
            raise BadValue(f"--party: {code} is given twice")
        parties[code] = name
    return parties


def party(invocation: Invocation, request: PartyRequest) -> EditResult:
    """Append a ``[parties.CODE]`` table to the one timeline file loaded."""
    from trucetrack.store import fsio

    code, name = read_party(request.code, request.name, code_label="CODE", name_label="NAME")
    paths, bundled = resolve_paths(invocation)
    refuse_bundled(bundled, writes=not request.dry_run)
    files = loader.read(paths, bundled=bundled)
    documents = loader.documents(files)
    index = _file_to_write(files, [_event_ids(document) for document in documents], None)
    known = {code for document in documents for code in _party_codes(document)}
    if code in known:
        raise TrucetrackError(f"party {code} is already defined; its name is edited in the file itself")
    neighbours = Neighbours.of(files, index)
    block = f"[parties.{code}]\nname = {canonical.value_text(name)}\n"
    own = documents[index]
    later = own.data is not None and ("event" in own.data or any(other > code for other in _party_codes(own)))
    del documents

    def change(current: bytes) -> bytes:
        new = append_block(current, block)
        new_from = new[: len(new) - len(block.encode("utf-8"))].count(b"\n") + 1
        validate_edit(files.replaced(index, current), index, new, neighbours, new_from=new_from)
        return new

    if request.dry_run:
        new = change(files.contents[index])
    else:
        _, new = fsio.rewrite(Path(files.paths[index]), change)
    out_of_order = None
    if later and not bundled:
        out_of_order = _out_of_order(f"[parties.{code}]", index, files.replaced(index, new), paths)
    return EditResult(
        block=block,
        entry_id=f"party {code}",
        path=files.paths[index],
        display=files.displays[index],
        written=not request.dry_run,
        out_of_order=out_of_order,
    )


def _party_codes(document: RawDocument) -> list[str]:
    parties = (document.data or {}).get("parties")
    return [str(code) for code in parties] if isinstance(parties, dict) else []


def init(request: InitRequest) -> InitResult:
    """Write a new, valid, empty timeline file; never overwrites one."""
    from trucetrack.core.dates import ZoneError, get_zone
    from trucetrack.store import fsio

    zone = request.timezone or "UTC"
    try:
        get_zone(zone)
    except ZoneError as exc:
        raise BadValue(f"--timezone: {exc}") from None
    path = request.path
    require_utf8({"title": request.title})
    parties = read_init_parties(request.parties)
    calendar = read_calendar("--calendar", request.calendar) if request.calendar is not None else None
    raw = canonical.new_timeline_text(request.title or path.stem, zone, parties, calendar).encode("utf-8")
    _, problems = loader.build(loader.Files((str(path),), (str(path),), (raw,)))
    if problems:
        raise InvalidTimeline(problems)
    fsio.create(path, raw)
    return InitResult(str(path))


# ---------------------------------------------------------------- the new block and its id

# The option each field of a new block comes from, where it is not "--" + the key.
_OPTION_OF_FIELD = {"parties": "--party", "sources": "--source", "tags": "--tag", "rate_after": "--rate-after"}


def require_utf8(fields: Mapping[str, Any]) -> None:
    """Refuse text that cannot be written to a UTF-8 file.

    An argument holding bytes that are not UTF-8 (a Latin-1 ``é`` typed in
    another locale) reaches Python as lone surrogates; a file name may hold
    them, but a title written into a timeline may not.
    """
    for key, value in fields.items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not _encodes(text):
                byte = next(ord(c) - 0xDC00 for c in text if 0xDC80 <= ord(c) <= 0xDCFF)
                option = _OPTION_OF_FIELD.get(key, "--" + key)
                raise BadValue(
                    f"{option} is not UTF-8 text (it holds the byte 0x{byte:02x}); "
                    "type it in a UTF-8 terminal or locale (LANG=C.UTF-8)"
                )


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class NewBlock(Protocol):
    def fields(self, taken: set[str]) -> dict[str, Any]:
        """The block's fields given the ids in use."""
        ...

    def resolved(self, as_of: datetime, zone: ZoneInfo) -> NewBlock:
        """The block with its typed dates read in ``zone`` (the file's) from ``as_of``."""
        ...


@dataclass(frozen=True)
class NewEntry:
    """What ``add`` appends: ``rest`` under the id ``wanted`` (``explicit``: given with --id)."""

    wanted: str
    explicit: bool
    when_option: str
    rest: Mapping[str, Any]

    def __post_init__(self) -> None:
        require_utf8(self.rest)

    def resolved(self, as_of: datetime, zone: ZoneInfo) -> NewEntry:
        return replace(self, rest=resolve_dates(self.rest, as_of, zone))

    def fields(self, taken: set[str]) -> dict[str, Any]:
        if self.wanted in taken:
            raise TrucetrackError(f"id {self.wanted!r} is already in use: give another with --id")
        return {"id": self.wanted, **self.rest}


@dataclass(frozen=True)
class NewModifier:
    """What ``extend`` and ``end`` append: an extension or termination of ``target``."""

    target: str
    kind: str
    decided: date | datetime | TypedDate
    given_id: str | None
    rest: Mapping[str, Any]

    def __post_init__(self) -> None:
        require_utf8(self.rest)

    def resolved(self, as_of: datetime, zone: ZoneInfo) -> NewModifier:
        decided = self.decided.value(as_of, zone) if isinstance(self.decided, TypedDate) else self.decided
        return replace(self, decided=decided, rest=resolve_dates(self.rest, as_of, zone))

    def fields(self, taken: set[str]) -> dict[str, Any]:
        if self.given_id is not None:
            if self.given_id in taken:
                raise TrucetrackError(f"id {self.given_id!r} is already in use: give another with --id")
            chosen = self.given_id
        else:
            assert not isinstance(self.decided, TypedDate), "fields of a block whose dates were not resolved"
            short = "ext" if self.kind == "extension" else "end"
            chosen = unique_id(f"{self.target}-{short}-{_day_of(self.decided)}", taken)
        return {"id": chosen, "kind": self.kind, "target": self.target, "date": self.decided, **self.rest}


# ---------------------------------------------------------------- the transaction


def _event_ids(document: RawDocument) -> list[str]:
    """The ids written in a parsed (not yet validated) document."""
    events = (document.data or {}).get("event", [])
    if not isinstance(events, list):
        return []
    return [event["id"] for event in events if isinstance(event, dict) and isinstance(event.get("id"), str)]


def _file_to_write(files: loader.Files, ids_by_file: list[list[str]], target: str | None) -> int:
    """The index of the file that holds ``target``; without one, of the only file loaded."""
    if target is not None:
        index = next((i for i, ids in enumerate(ids_by_file) if target in ids), -1)
        if index < 0:
            raise no_such_entry(target, [entry_id for ids in ids_by_file for entry_id in ids])
        return index
    if len(files.paths) != 1:
        displays = files.displays
        names = ", ".join(displays[:4]) + (", ..." if len(displays) > 4 else "")
        raise TrucetrackError(f"add writes into one file, but {len(files.paths)} are loaded ({names}): give -f FILE")
    return 0


def _file_zone(document: RawDocument) -> ZoneInfo:
    """The zone of a file's dates: its ``timezone`` (UTC when missing or unknown,
    which validation then reports)."""
    from trucetrack.core.dates import ZoneError, get_zone

    name = (document.data or {}).get("timezone", "UTC")
    try:
        return get_zone(name if isinstance(name, str) else "UTC")
    except ZoneError:
        return get_zone("UTC")


def _refuse_inline_events(document: RawDocument, raw: bytes, display: str) -> None:
    """An ``[[event]]`` block cannot follow ``event = [...]``: TOML allows one or the other."""
    from trucetrack.store.reader import has_event_blocks

    data = document.data or {}
    if "event" in data and not has_event_blocks(raw):
        name = clean_line(display)
        raise TrucetrackError(
            f"{name} writes its events as an inline array (event = [...]), after which an [[event]] block "
            f"cannot be appended: run trucetrack fmt {name} first (it turns them into [[event]] blocks)"
        )


@dataclass(frozen=True)
class _Appended:
    block: str
    entry_id: str
    new: bytes
    after: Timeline


class _Append:
    """The change an edit makes to its file, given the bytes there now (under the lock).

    The files were parsed already, to find the file and the ids in use; the
    validation uses those documents (it consumes them).
    """

    def __init__(
        self,
        files: loader.Files,
        documents: list[RawDocument],
        ids_by_file: list[list[str]],
        index: int,
        new: NewBlock,
        neighbours: Neighbours,
    ) -> None:
        self.files, self.index, self.new, self.neighbours = files, index, new, neighbours
        self.own = documents[index]
        self.other_ids = {entry_id for i, ids in enumerate(ids_by_file) if i != index for entry_id in ids}
        self.other_ids |= neighbours.holders.keys()
        self.unused: list[RawDocument | None] = [None if i == index else d for i, d in enumerate(documents)]
        self.done: _Appended | None = None

    def __call__(self, current: bytes) -> bytes:
        files, index = self.files, self.index
        own = self.own if current == files.contents[index] else loader.document(files.replaced(index, current), index)
        _refuse_inline_events(own, current, files.displays[index])
        own_ids = set(_event_ids(own))
        _refuse_held_id(self.new, own_ids, self.neighbours)
        taken = self.other_ids | own_ids
        fields = self.new.fields(taken)
        new, block, after = self._attempt(current, fields)
        if isinstance(self.new, NewModifier):
            refuse_pointless(after, fields["id"])
        self.done = _Appended(block, fields["id"], new, after)
        return new

    def _attempt(self, current: bytes, fields: dict[str, Any]) -> tuple[bytes, str, Timeline]:
        block = canonical.event_block(fields)
        new = append_block(current, block)
        new_from = new[: len(new) - len(block.encode("utf-8"))].count(b"\n") + 1
        parsed, self.unused = self.unused, []
        files = self.files.replaced(self.index, current)
        after = validate_edit(files, self.index, new, self.neighbours, new_from=new_from, parsed=parsed)
        return new, block, after


def validate_edit(
    files: loader.Files,
    index: int,
    new: bytes,
    neighbours: Neighbours,
    *,
    new_from: int,
    parsed: Sequence[RawDocument | None] = (),
) -> Timeline:
    """The check every edit passes before it writes: the timeline of ``files`` with ``new``
    in place of file ``index`` (whose bytes under the lock ``files`` holds), and what it
    changes from line ``new_from`` on. It must be valid, and it must add no problem to
    the folder of that file (``neighbours``): no id another file there holds, above all.
    Raises EditRefused; ``parsed`` as for ``loader.build``."""
    after, problems = loader.build(files.replaced(index, new), parsed)
    if problems:
        raise EditRefused(problems, new_from, files.displays[index])
    neighbours.check(files, index, new, new_from)
    return after


def _append(invocation: Invocation, new: NewBlock, *, target: str | None, dry_run: bool) -> EditResult:
    """Append the block ``new`` makes to the right file (with ``dry_run``, only make it)."""
    from trucetrack.store import fsio

    paths, bundled = resolve_paths(invocation)
    refuse_bundled(bundled, writes=not dry_run)
    files = loader.read(paths, bundled=bundled)
    documents = loader.documents(files)
    ids_by_file = [_event_ids(document) for document in documents]
    if target is not None and not any(target in ids for ids in ids_by_file):
        files = _with_file_holding(files, documents, ids_by_file, target)
    index = _file_to_write(files, ids_by_file, target)
    new = new.resolved(as_of_instant(invocation, _file_zone(documents[index])), _file_zone(documents[index]))
    change = _Append(files, documents, ids_by_file, index, new, Neighbours.of(files, index))
    del documents
    if dry_run:
        change(files.contents[index])
    else:
        fsio.rewrite(Path(files.paths[index]), change)
    done = change.done
    assert done is not None
    out_of_order = None
    if not bundled and not lands_in_order(done.after, done.entry_id):
        out_of_order = _out_of_order(done.entry_id, index, files.replaced(index, done.new), paths)
    effects, failure = None, None
    try:
        effects = _effects(invocation, done.after, done.entry_id)
    except TrucetrackError as error:
        failure = error
    return EditResult(
        block=done.block,
        entry_id=done.entry_id,
        path=files.paths[index],
        display=files.displays[index],
        written=not dry_run,
        out_of_order=out_of_order,
        effects=effects,
        failure=failure,
    )


def _out_of_order(entry_id: str, index: int, files: loader.Files, given: Sequence[str]) -> OutOfOrder:
    """The fmt command that would put the block in place (the file alone, else every
    file loaded, by the paths given), or why fmt cannot."""
    from trucetrack.ops import fmt

    choices: list[tuple[list[int], Sequence[str]]] = [([index], [files.displays[index]])]
    if len(files.paths) > 1:
        choices.append((list(range(len(files.paths))), given))
    refusal: str | None = None
    for chosen, arguments in choices:
        subset = loader.Files(
            tuple(files.paths[i] for i in chosen),
            tuple(files.displays[i] for i in chosen),
            tuple(files.contents[i] for i in chosen),
        )
        refusal = fmt.refusal(subset)
        if not refusal:
            return OutOfOrder(entry_id, files.displays[index], tuple(arguments))
    return OutOfOrder(entry_id, files.displays[index], None, refusal)


def _effects(invocation: Invocation, after: Timeline, entry_id: str) -> Effects | None:
    """Deadlines moved and statuses changed by the new entry, as of --as-of (default now)."""
    from trucetrack.engine import semdiff

    entry = after.entry(entry_id)
    if entry is None:
        return None
    touched = {entry.target} if entry.target is not None else set()
    if entry.measure is not None:
        touched |= {e.id for e in after.entries if e.measure == entry.measure and e.id != entry_id}
    if not touched:
        return None
    zone = display_zone(invocation, after)
    moment = as_of_instant(invocation, zone)
    before = replace(after, entries=tuple(e for e in after.entries if e.id != entry_id))
    moves, statuses = semdiff.effects(before, after, touched, moment, zone)
    if not moves and not statuses:
        return None
    return Effects(moment, zone, tuple(moves), tuple(statuses))


# ---------------------------------------------------------------- the folder of the file written


def _joined(first: loader.Files, second: loader.Files) -> loader.Files:
    return loader.Files(
        first.paths + second.paths,
        first.displays + second.displays,
        first.contents + second.contents,
        first.bundled,
    )


@dataclass(frozen=True)
class Neighbours:
    """The other ``*.toml`` files of the folder of the file an edit writes, not loaded with it.

    They load with it as one timeline (``-f FOLDER``, ``./timelines/``), so an
    edit is validated with them in: it must add no problem to the folder, and
    above all no id that one of them holds. Problems the folder already has
    do not stop an edit (they are not its doing, and the files named load
    without them); ``validate`` on the folder lists them.
    """

    folder: str  # as shown: ``timelines/``
    files: loader.Files
    holders: Mapping[str, str]  # each id they hold -> the file that holds it, as shown

    @classmethod
    def of(cls, files: loader.Files, index: int) -> Neighbours:
        """The neighbours of file ``index`` of ``files``: none for the bundled timeline, nor
        for a file not named ``*.toml`` (which no folder loads), nor in a folder that
        cannot be listed."""
        from trucetrack.store import files as disk

        path = files.paths[index]
        folder = os.path.dirname(path)
        shown = os.path.join(folder, "") if folder else "./"
        if files.bundled or not path.endswith(".toml"):
            return cls(shown, loader.Files((), (), ()), {})
        loaded = {os.path.realpath(name) for name in files.paths}
        try:
            listed = disk.expand_paths([folder or "."])
        except OSError:  # a folder that cannot be listed does not load as one timeline either
            listed = []
        others = [name for name in listed if os.path.realpath(name) not in loaded]
        read = loader.read(others)
        holders: dict[str, str] = {}
        for position, document in enumerate(loader.documents(read)):
            for entry_id in _event_ids(document):
                holders.setdefault(entry_id, read.displays[position])
        return cls(shown, read, holders)

    def check(self, files: loader.Files, index: int, new: bytes, new_from: int) -> None:
        """Refuse ``new`` as file ``index`` of ``files`` if it adds a problem to the folder:
        one that the folder, with ``files`` as they are, does not have."""
        if not self.files.paths:
            return
        _, problems = loader.build(_joined(files.replaced(index, new), self.files))
        if not problems:
            return
        _, before = loader.build(_joined(files, self.files))
        known = set(before)
        added = [problem for problem in problems if problem not in known]
        if added:
            raise EditRefused(added, new_from, files.displays[index], folder=self.folder)


def _with_file_holding(
    files: loader.Files, documents: list[RawDocument], ids_by_file: list[list[str]], target: str
) -> loader.Files:
    """``files`` and, when none of them holds ``target`` but another ``*.toml`` of their folders
    does, that file too (extend and end write into the file that holds their target);
    ``documents`` and ``ids_by_file`` grow with it."""
    for index in range(len(files.paths)):
        neighbours = Neighbours.of(files, index)
        holder = neighbours.holders.get(target)
        if holder is None:
            continue
        position = neighbours.files.displays.index(holder)
        found = loader.Files(
            (neighbours.files.paths[position],), (holder,), (neighbours.files.contents[position],), files.bundled
        )
        joined = _joined(files, found)
        documents.append(loader.document(joined, len(joined.paths) - 1))
        ids_by_file.append(_event_ids(documents[-1]))
        return joined
    return files


def _refuse_held_id(new: NewBlock, own_ids: set[str], neighbours: Neighbours) -> None:
    """An id asked for (``--id``, or ``add``'s slug of the title) that another file of the folder holds."""
    wanted = new.wanted if isinstance(new, NewEntry) else new.given_id if isinstance(new, NewModifier) else None
    if wanted is None or wanted in own_ids or wanted not in neighbours.holders:
        return
    raise TrucetrackError(
        f"id {wanted!r} is already in use in {clean_line(neighbours.holders[wanted])} (the *.toml files "
        "of a folder load as one timeline): give another with --id"
    )


# ---------------------------------------------------------------- modifiers that would change nothing


def refuse_pointless(timeline: Timeline, modifier_id: str) -> None:
    """Refuse an extension or termination that would change nothing or revive what has ended.

    Refused, each with why and what to do instead: an extension of a span that
    a termination has ended or cancelled; an extension that does not move the
    end, or moves it earlier (that is a termination); a termination that would
    not end the span earlier; anything more for a cancelled span. "The end" is
    the one current when the modifier is decided (its ``date``), with what was
    decided by then, as the engine applies modifiers in date order.
    """
    from trucetrack.engine.status import Engine, cancelled_by

    modifier = timeline.entry(modifier_id)
    if modifier is None or modifier.target is None or modifier.date is None:
        return
    target = timeline.entry(modifier.target)
    if target is None:
        return
    history = Engine(timeline).end_history(target, modifier.date)
    position = next((i for i, c in enumerate(history) if c.modifier is not None and c.modifier.id == modifier_id), None)
    earlier = history[:position] if position is not None else history
    said = _Said(target, earlier, modifier)
    canceller = cancelled_by(target, earlier)
    if canceller is not None:
        raise TrucetrackError(said.cancelled(canceller))
    if position is None:
        return
    change = history[position]
    previous = change.previous
    if modifier.kind == "extension":
        ended_by = end_setter_of(earlier)
        if ended_by is not None and previous is not None and previous <= modifier.date:
            raise TrucetrackError(said.revival(ended_by, previous))
        if change.end == previous or (previous is not None and change.end is not None and change.end < previous):
            raise TrucetrackError(said.extension_not_later(change.end))
    elif change.end == previous:
        raise TrucetrackError(said.termination_not_earlier())


class _Said:
    """The refusals of ``refuse_pointless``, in the target's zone, with the options to type instead."""

    def __init__(self, target: Entry, earlier: Sequence[EndChange], modifier: Entry) -> None:
        from trucetrack.core.dates import get_zone

        self.target, self.earlier, self.modifier = target, earlier, modifier
        self.zone = get_zone(target.zone)
        self.name = clean_line(target.id)
        assert modifier.date is not None
        self.decided = self.shown(modifier.date, "date" in modifier.date_only)
        self.date_option = self.typed(modifier.date, "date" in modifier.date_only)

    def shown(self, instant: datetime, date_only: bool) -> str:
        from trucetrack.core.dates import format_day_or_instant

        return format_day_or_instant(instant, self.zone, date_only=date_only)

    def typed(self, instant: datetime, date_only: bool) -> str:
        """``instant`` as an edit's option takes it: a date, or a local time of the target's file."""
        local = instant.astimezone(self.zone)
        if date_only and local.time() == time():
            return local.date().isoformat()
        return local.replace(tzinfo=None).isoformat(timespec="seconds" if local.second else "minutes")

    def end_shown(self, instant: datetime | None) -> str:
        from trucetrack.engine.ends import end_written_as_day

        if instant is None:
            return "no end"
        return self.shown(instant, end_written_as_day(self.target, self.earlier, instant) is not None)

    @property
    def current(self) -> datetime | None:
        return self.earlier[-1].end

    def cancelled(self, canceller: Entry) -> str:
        assert canceller.date is not None
        when = self.shown(canceller.date, "date" in canceller.date_only)
        what = "extend" if self.modifier.kind == "extension" else "end"
        return (
            f"not written: {self.name} was cancelled by {clean_line(canceller.id)} (decided {when}) and never "
            f"takes effect, so there is nothing to {what}; record a new span with trucetrack add instead"
        )

    def revival(self, termination: Entry, ended: datetime) -> str:
        return (
            f"not written: {self.name} was terminated by {clean_line(termination.id)} ({self.end_shown(ended)}), "
            f"before this extension is decided ({self.decided}), which would revive it; record what follows "
            "as a new span with trucetrack add"
        )

    def extension_not_later(self, new_end: datetime | None) -> str:
        modifier = self.modifier
        current = self.end_shown(self.current)
        if modifier.by is not None:
            return (
                f"not written: --by {clean_line(modifier.by.text)} does not move the end of {self.name} "
                f"({current} as of {self.decided}): give a duration that moves it later"
            )
        through = modifier.end_spec is not None and modifier.end_spec.key == "through"
        if through:
            assert modifier.end_spec is not None
            option = f"--through {clean_line(modifier.end_spec.text)}"
        else:
            assert modifier.end is not None
            option = f"--end {self.shown(modifier.end, 'end' in modifier.date_only)}"
        if new_end == self.current:
            return (
                f"not written: {self.name} already ends {current} (as of {self.decided}), "
                f"so {option} does not move its end"
            )
        assert new_end is not None
        end_option = self.typed(new_end, through or "end" in modifier.date_only)
        return (
            f"not written: {option} is before the end of {self.name} ({current} as of {self.decided}); an "
            f"extension moves the end later: to end it earlier, run trucetrack end {self.name} "
            f"--date {self.date_option} --end {end_option}"
        )

    def termination_not_earlier(self) -> str:
        modifier = self.modifier
        current = self.current
        assert modifier.date is not None and current is not None
        if current <= modifier.date:
            setter = end_setter_of(self.earlier)
            how = f"terminated by {clean_line(setter.id)}" if setter is not None else "expired"
            return (
                f"not written: {self.name} has already ended ({how}, {self.end_shown(current)}), before "
                f"this termination is decided ({self.decided}): it would not end it earlier"
            )
        assert modifier.end is not None
        takes_effect = self.shown(modifier.end, "end" in modifier.date_only)
        text = (
            f"not written: {self.name} ends {self.end_shown(current)} (as of {self.decided}), no later than "
            f"--end {takes_effect}: a termination taking effect then would not end it earlier"
        )
        if modifier.end > current:
            end_option = self.typed(modifier.end, "end" in modifier.date_only)
            text += (
                f"; to move its end later, run trucetrack extend {self.name} "
                f"--date {self.date_option} --end {end_option}"
            )
        return text


def end_setter_of(history: Sequence[EndChange]) -> Entry | None:
    """The termination that set the end in force, if one did."""
    from trucetrack.engine.status import end_setter

    setter = end_setter(history).modifier
    return setter if setter is not None and setter.kind == "termination" else None


# ---------------------------------------------------------------- appending


def line_ending(raw: bytes) -> bytes:
    """The file's line ending: CRLF when its first line ends so, else LF."""
    first = raw.find(b"\n")
    return b"\r\n" if first > 0 and raw[first - 1 : first] == b"\r" else b"\n"


def append_block(raw: bytes, block: str) -> bytes:
    """``raw`` with ``block`` appended after one blank line; ``raw`` stays a prefix of the result."""
    newline = line_ending(raw)
    if not raw or raw == newline or raw.endswith(newline + newline):
        separator = b""
    elif raw.endswith(newline) or raw.endswith(b"\n"):
        separator = newline
    else:
        separator = newline + newline
    body = block.replace("\r\n", "\n").replace("\n", newline.decode("ascii")).encode("utf-8")
    return raw + separator + body


def lands_in_order(timeline: Timeline, entry_id: str) -> bool:
    """Whether the entry, appended last to its file, is where fmt would put it."""
    entry = timeline.entry(entry_id)
    if entry is None:
        return True
    key = canonical.sort_key(entry)
    return all(canonical.sort_key(other) <= key for other in timeline.entries if other.file == entry.file)


# ---------------------------------------------------------------- ids


def slugify(title: str) -> str:
    """An id made from a title: ``Geneva talks (May)`` -> ``geneva-talks-may``."""
    kept = []
    for char in unicodedata.normalize("NFKD", title):
        if unicodedata.combining(char):
            continue  # the accent of a decomposed letter: é -> e
        kept.append(char.lower() if char.isascii() and char.isalnum() else "-")
    slug = re.sub(r"-+", "-", "".join(kept)).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug.rfind("-", 0, MAX_SLUG + 1)
        slug = slug[: cut if cut > 0 else MAX_SLUG].strip("-")
    return slug


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-02``, ``base-03``... (two digits up to 99, so that they sort
    in number order), whichever is free."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number:02d}" in taken:
        number += 1
    return f"{base}-{number:02d}"
