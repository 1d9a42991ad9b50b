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

import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
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
    from trucetrack.store.reader import RawDocument

MAX_SLUG = 60


class EditRefused(TrucetrackError):
    """The edit would leave an invalid timeline; nothing was written."""

    def __init__(self, problems: Sequence[Problem], new_from: int, path: str) -> None:
        details = []
        for problem in problems:
            if problem.file == path and problem.line >= new_from:
                details.append(f"new entry: {problem.subject}: {problem.message}")
            else:
                details.append(str(problem))
        count = len(problems)
        super().__init__(
            f"not written: the timeline would be invalid with this entry ({count} problem{'s' if count != 1 else ''})",
            details=details,
        )


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


@dataclass(frozen=True)
class EndRequest:
    """``end``: span ``target`` terminated, as decided on ``date``, taking effect at ``end`` (default: then)."""

    target: str
    date: str
    end: str | None = None
    entry_id: str | None = None
    sources: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class InitRequest:
    path: Path
    title: str | None = None
    timezone: str | None = None


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


def read_when(option: str, text: str) -> date | datetime:
    """A command-line date or datetime, to be written as TOML's own value.

    Anything ISO 8601 reads as a date without a time is a date: ``2025-08-11``,
    and also the basic form ``20250811`` (written as ``2025-08-11``).
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
    except (ValueError, DateRangeError) as exc:
        raise BadValue(
            f"{option}: cannot read {text!r} as a date or datetime ({exc}); "
            "use 2025-08-11, 2025-05-14T00:01 or 2025-05-14T00:01+08:00"
        ) from None
    return value


def read_day(option: str, text: str) -> date:
    value = read_when(option, text)
    if isinstance(value, datetime):
        raise BadValue(f"{option}: give a date (the last day covered), such as 2025-08-11, not {text!r}")
    return value


def read_duration(option: str, text: str) -> str:
    """A duration as typed (checked, written as given)."""
    from trucetrack.core.durations import DurationError, parse_duration

    try:
        parse_duration(text)
    except DurationError as exc:
        raise BadValue(f"{option}: {exc}") from None
    return text.strip()


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
    if request.sources:
        rest["sources"] = list(request.sources)
    given_id = check_id("--id", request.entry_id) if request.entry_id is not None else None
    new = NewModifier(request.target, "termination", read_when("--date", request.date), given_id, rest)
    return _append(invocation, new, target=request.target, dry_run=request.dry_run)


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
    raw = canonical.new_timeline_text(request.title or path.stem, zone).encode("utf-8")
    _, problems = loader.build(loader.Files((str(path),), (str(path),), (raw,)))
    if problems:
        raise InvalidTimeline(problems)
    fsio.create(path, raw)
    return InitResult(str(path))


# ---------------------------------------------------------------- the new block and its id

# What an edit's new block must sort after: (the id of the entry it ties with, why they tie).
Tie = tuple[str, str]


class NewBlock(Protocol):
    def fields(self, taken: set[str], tie: Tie | None) -> dict[str, Any]:
        """The block's fields given the ids in use and, on a second call, the tie its id must sort after."""
        ...


@dataclass(frozen=True)
class NewEntry:
    """What ``add`` appends: ``rest`` under the id ``wanted`` (``explicit``: given with --id)."""

    wanted: str
    explicit: bool
    when_option: str
    rest: Mapping[str, Any]

    def fields(self, taken: set[str], tie: Tie | None) -> dict[str, Any]:
        if self.wanted in taken:
            raise TrucetrackError(f"id {self.wanted!r} is already in use: give another with --id")
        chosen = self.wanted
        if tie is not None:
            if self.explicit:
                raise _tie_refusal(self.wanted, tie, self.when_option)
            chosen = id_after(self.wanted, taken, tie[0], self.wanted)
        return {"id": chosen, **self.rest}


@dataclass(frozen=True)
class NewModifier:
    """What ``extend`` and ``end`` append: an extension or termination of ``target``."""

    target: str
    kind: str
    decided: date | datetime
    given_id: str | None
    rest: Mapping[str, Any]

    def fields(self, taken: set[str], tie: Tie | None) -> dict[str, Any]:
        if self.given_id is not None:
            if self.given_id in taken:
                raise TrucetrackError(f"id {self.given_id!r} is already in use: give another with --id")
            if tie is not None:
                raise _tie_refusal(self.given_id, tie, "--date")
            chosen = self.given_id
        else:
            short, other = ("ext", "end") if self.kind == "extension" else ("end", "ext")
            base = f"{self.target}-{short}-{_day_of(self.decided)}"
            alternate = f"{self.target}-{other}-{_day_of(self.decided)}"
            chosen = id_after(base, taken, tie[0] if tie else None, short, alternates=[alternate])
        return {"id": chosen, "kind": self.kind, "target": self.target, "date": self.decided, **self.rest}


def _tie_refusal(given: str, tie: Tie, when_option: str) -> TrucetrackError:
    other, why = tie
    return BadValue(
        f"--id {given!r} sorts before {other!r}, {why}: such entries apply in file order, but fmt "
        f"orders them by id, so it would refuse the file. Give an --id that sorts after {other!r} "
        f"(such as {other + '-then-' + given!r}), or a {when_option} with a time of day after that instant"
    )


def _tie_of(timeline: Timeline, entry_id: str) -> Tie | None:
    """The entry of the same file that the new entry ties with but does not sort after, and how they tie."""
    from trucetrack.core.dates import format_day_or_instant, get_zone

    entry = timeline.entry(entry_id)
    other = must_follow(timeline, entry_id)
    if entry is None or other is None or other.begins is None:
        return None
    zone = get_zone(next((f.zone for f in timeline.files if f.path == entry.file), "UTC"))
    when = format_day_or_instant(other.begins, zone, date_only=bool(other.date_only & {"date", "start"}))
    if entry.is_modifier:
        return other.id, f"which also changes {entry.target!r} and was decided at the same instant ({when})"
    return other.id, f"which also sets measure {entry.measure!r} from the same instant ({when})"


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
    first validation uses those documents (it consumes them), a second one
    (when the new entry ties with one its id must sort after) parses again.
    """

    def __init__(
        self, files: loader.Files, documents: list[RawDocument], ids_by_file: list[list[str]], index: int, new: NewBlock
    ) -> None:
        self.files, self.index, self.new = files, index, new
        self.own = documents[index]
        self.other_ids = {entry_id for i, ids in enumerate(ids_by_file) if i != index for entry_id in ids}
        self.unused: list[RawDocument | None] = [None if i == index else d for i, d in enumerate(documents)]
        self.done: _Appended | None = None

    def __call__(self, current: bytes) -> bytes:
        files, index = self.files, self.index
        own = self.own if current == files.contents[index] else loader.document(files.replaced(index, current), index)
        _refuse_inline_events(own, current, files.displays[index])
        taken = self.other_ids | set(_event_ids(own))
        fields = self.new.fields(taken, None)
        new, block, after = self._attempt(current, fields)
        tie = _tie_of(after, fields["id"])
        if tie is not None:  # its id must sort after the entry it ties with
            fields = self.new.fields(taken, tie)
            new, block, after = self._attempt(current, fields)
        self.done = _Appended(block, fields["id"], new, after)
        return new

    def _attempt(self, current: bytes, fields: dict[str, Any]) -> tuple[bytes, str, Timeline]:
        block = canonical.event_block(fields)
        new = append_block(current, block)
        block_line = new[: len(new) - len(block.encode("utf-8"))].count(b"\n") + 1
        parsed, self.unused = self.unused, []
        after, problems = loader.build(self.files.replaced(self.index, new), parsed)
        if problems:
            raise EditRefused(problems, block_line, self.files.displays[self.index])
        return new, block, after


def _append(invocation: Invocation, new: NewBlock, *, target: str | None, dry_run: bool) -> EditResult:
    """Append the block ``new`` makes to the right file (with ``dry_run``, only make it)."""
    from trucetrack.store import fsio

    paths, bundled = resolve_paths(invocation)
    refuse_bundled(bundled, writes=not dry_run)
    files = loader.read(paths, bundled=bundled)
    documents = loader.documents(files)
    ids_by_file = [_event_ids(document) for document in documents]
    index = _file_to_write(files, ids_by_file, target)
    change = _Append(files, documents, ids_by_file, index, new)
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
    """``base``, or ``base-02``, ``base-03``... whichever is free (see ``id_after``)."""
    return id_after(base, taken, None, "")


def _numbered(base: str, suffix: str = "") -> Iterator[str]:
    """``base``, then ``base-02`` to ``base-99`` (two digits, so that they sort in number order)."""
    if not suffix:
        yield base
    for number in range(2, 100):
        yield f"{base}-{number:02d}{suffix}"


def id_after(base: str, taken: set[str], after: str | None, then: str, *, alternates: Sequence[str] = ()) -> str:
    """A free id that sorts after ``after`` (when given), made from ``base``.

    Entries that tie (see ``canonical.tie_key``) apply in file order and fmt
    sorts them by id, so an appended entry's id must sort after those it ties
    with. In order of preference: ``base``, ``base-02`` ... ``base-99``; then,
    for each alternate base A, ``A-02-THEN`` ... ``A-99-THEN`` (a termination
    after an extension the same day: ``s-ext-2025-02-01-02-end``); and last
    ``AFTER-then-THEN``, which sorts after ``after`` because it starts with it.
    """
    candidates = itertools.chain(_numbered(base), *(_numbered(alternate, f"-{then}") for alternate in alternates))
    for candidate in candidates:
        if candidate not in taken and (after is None or candidate > after):
            return candidate
    fallback = f"{after}-then-{then}" if after is not None else base
    for candidate in _numbered(fallback):
        if candidate not in taken:
            return candidate
    number = 100
    while f"{fallback}-{number}" in taken:
        number += 1
    return f"{fallback}-{number}"


def must_follow(timeline: Timeline, entry_id: str) -> Entry | None:
    """The entry of the same file that ``entry_id`` ties with and does not sort after, if any
    (the one with the greatest id): fmt would refuse to reorder them."""
    entry = timeline.entry(entry_id)
    if entry is None:
        return None
    tied = [other for other in canonical.tied_with(timeline, entry) if other.file == entry.file]
    latest = max(tied, key=lambda other: other.id, default=None)
    return latest if latest is not None and latest.id >= entry_id else None
