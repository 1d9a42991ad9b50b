"""Commands for timeline files in git: fmt, add, extend, end, init, diff and the git diff driver.

Writes go through trucetrack.edit (lock, validate the whole result, atomic
replace); fmt and the edits refuse to write an invalid timeline, and the
bundled timeline is never written.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trucetrack.cli.app import (
    AsOfOption,
    ColorOption,
    FileOption,
    GlobalOptions,
    TzOption,
    VersionOption,
    app,
    as_of_instant,
    complete_span_ids,
    display_zone,
    global_options,
    no_such_entry,
    resolve_paths,
    write,
)
from trucetrack.errors import BadValue, InvalidTimeline, TrucetrackError
from trucetrack.safe import clean, clean_line

if TYPE_CHECKING:
    from trucetrack.model import Problem, Timeline
    from trucetrack.store import RawDocument


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


BUNDLED_REFUSAL = (
    "the bundled timeline is never written: create your own with 'trucetrack init timelines/NAME.toml', or give -f FILE"
)


class EditRefused(TrucetrackError):
    """The edit would leave an invalid timeline; nothing was written."""

    def __init__(self, problems: list[Problem], new_from: int, path: str) -> None:
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


def _note(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _shown(name: str) -> str:
    """A file name for the terminal: a name may hold control characters, which never reach it."""
    return clean_line(name)


# ---------------------------------------------------------------- loading files as they are on disk


@dataclass
class _Loaded:
    """The files of a timeline with their bytes, the timeline built from them and its problems.

    The parsed documents are not kept: building the timeline consumes them.
    """

    paths: list[str]
    displays: list[str]
    contents: list[bytes]
    timeline: Timeline | None
    problems: list[Problem] = field(default_factory=list)

    def take_timeline(self) -> Timeline:
        """The timeline, which this no longer holds: fmt lets it go before it reads
        the formatted files back, so that two timelines are never in memory."""
        timeline = self.timeline
        if timeline is None:
            raise RuntimeError("the timeline was already taken")
        self.timeline = None
        return timeline


def _unique(paths: list[str]) -> list[str]:
    seen: set[Path] = set()
    kept = []
    for path in paths:
        key = Path(path).resolve()
        if key not in seen:
            seen.add(key)
            kept.append(path)
    return kept


def _load_files(paths: list[str], *, bundled: bool) -> _Loaded:
    from trucetrack import store

    files = _unique(store.expand_paths(paths))
    contents = [store.read_bytes(path) for path in files]
    displays = [store.display_name(path, bundled) for path in files]
    return _parsed(files, displays, contents, bundled=bundled)


def _parsed(files: list[str], displays: list[str], contents: list[bytes], *, bundled: bool) -> _Loaded:
    from trucetrack import store, validate

    documents = [
        store.parse_document(raw, display, bundled=bundled) for raw, display in zip(contents, displays, strict=True)
    ]
    timeline, problems = validate.build_timeline(documents)
    return _Loaded(files, displays, contents, timeline, problems)


def _valid(loaded: _Loaded) -> _Loaded:
    if loaded.problems:
        raise InvalidTimeline(loaded.problems)
    return loaded


# ---------------------------------------------------------------- fmt


@app.command()
def fmt(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(metavar="[PATH]...", help="Files or directories; default as -f.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; list the files that would change, exit 1 if any.")
    ] = False,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Rewrite timeline files in canonical form (SPEC section 5), keeping every comment.

    Top-level keys, then parties by code, then events by date or start and id,
    keys in a fixed order, one blank line between blocks. Refuses an invalid
    file, and a change of meaning; the files given are validated together.

    Example: trucetrack fmt --check --as-of 2025-08-11
    """
    from trucetrack import edit

    options = global_options(ctx, paths or file, as_of, tz, color)
    resolved, bundled = resolve_paths(options)
    if bundled and not check:
        raise TrucetrackError(BUNDLED_REFUSAL)
    loaded = _valid(_load_files(resolved, bundled=bundled))
    formatted = _formatted(loaded, bundled=bundled)
    changed = [index for index, raw in enumerate(formatted) if raw != loaded.contents[index]]
    if check:
        for index in changed:
            write(f"would reformat {_shown(loaded.displays[index])}\n")
        if changed:
            raise typer.Exit(1)
        _say_canonical(len(loaded.paths))
        return
    for index in changed:
        expected, result = loaded.contents[index], formatted[index]
        display = loaded.displays[index]

        edit.rewrite(Path(loaded.paths[index]), _unless_changed(expected, result, display))
        write(f"reformatted {_shown(display)}\n")
    if not changed:
        _say_canonical(len(loaded.paths))


def _formatted(loaded: _Loaded, *, bundled: bool) -> list[bytes]:
    """The canonical bytes of each file of a valid timeline; raises, writing nothing, where fmt refuses.

    Takes the timeline out of ``loaded``: only what formatting needs of it is
    kept, so it is freed before the formatted files are read back.
    """
    from trucetrack import canonical, store, validate

    timeline = loaded.take_timeline()
    begins, meaning = canonical.begins_of(timeline), canonical.Meaning.of(timeline)
    del timeline
    formatted = [
        canonical.canonical_bytes(raw, begins, path=display)
        for raw, display in zip(loaded.contents, loaded.displays, strict=True)
    ]
    del begins
    if formatted != loaded.contents:  # an unchanged file means what it meant: only a change is validated again
        new_documents = [
            store.parse_document(raw, display, bundled=bundled)
            for raw, display in zip(formatted, loaded.displays, strict=True)
        ]
        new_timeline, problems = validate.build_timeline(new_documents)
        del new_documents
        difference = "it would not be valid" if problems else meaning.difference(canonical.Meaning.of(new_timeline))
        if difference:
            raise canonical.MeaningChanged(f"not formatted, because formatting would change the meaning: {difference}")
    return formatted


def _unless_changed(expected: bytes, result: bytes, display: str) -> Callable[[bytes], bytes]:
    """The change fmt makes: ``result``, provided the file still holds what was formatted."""

    def replace(current: bytes) -> bytes:
        if current != expected:
            raise TrucetrackError(f"{display}: changed while it was being formatted; run trucetrack fmt again")
        return result

    return replace


def _say_canonical(count: int) -> None:
    write(f"ok: {count} file{'s' if count != 1 else ''} already canonical\n")


# ---------------------------------------------------------------- edits


def _read_when(option: str, text: str) -> date | datetime:
    """A command-line date or datetime, to be written as TOML's own value.

    Anything ISO 8601 reads as a date without a time is a date: ``2025-08-11``,
    and also the basic form ``20250811`` (written as ``2025-08-11``).
    """
    from trucetrack.dates import DateRangeError, check_year

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


def _read_day(option: str, text: str) -> date:
    value = _read_when(option, text)
    if isinstance(value, datetime):
        raise BadValue(f"{option}: give a date (the last day covered), such as 2025-08-11, not {text!r}")
    return value


def _read_duration(option: str, text: str) -> str:
    from trucetrack.durations import DurationError, parse_duration

    try:
        parse_duration(text)
    except DurationError as exc:
        raise BadValue(f"{option}: {exc}") from None
    return text.strip()


def _check_id(option: str, value: str) -> str:
    from trucetrack.validate import ID_PATTERN

    if not ID_PATTERN.fullmatch(value):
        raise BadValue(f"{option}: bad id {value!r}: use lower-case letters, digits and '-', starting with one of them")
    return value


def _day_of(value: date | datetime) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


@dataclass
class _EditResult:
    block: str = ""
    entry_id: str = ""
    new: bytes = b""
    before: Timeline | None = None
    after: Timeline | None = None


def _event_ids(document: RawDocument) -> list[str]:
    """The ids written in a parsed (not yet validated) document."""
    events = (document.data or {}).get("event", [])
    if not isinstance(events, list):
        return []
    return [event["id"] for event in events if isinstance(event, dict) and isinstance(event.get("id"), str)]


# What an edit's new block must sort after: (the id of the entry it ties with, why they tie).
Tie = tuple[str, str]
# Makes the new block's fields from the ids in use and, on a second call, the tie its id must sort after.
FieldMaker = Callable[[set[str], Tie | None], dict[str, Any]]

_EVENT_BLOCK_HEADER = re.compile(rb"^[ \t]*\[\[[ \t]*event[ \t]*\]\]", re.M)


def _refuse_inline_events(document: RawDocument, raw: bytes, display: str) -> None:
    """An ``[[event]]`` block cannot follow ``event = [...]``: TOML allows one or the other."""
    data = document.data or {}
    if "event" in data and not _EVENT_BLOCK_HEADER.search(raw):
        name = _shown(display)
        raise TrucetrackError(
            f"{name} writes its events as an inline array (event = [...]), after which an [[event]] block "
            f"cannot be appended: run trucetrack fmt {name} first (it turns them into [[event]] blocks)"
        )


def _tie_of(timeline: Timeline, entry_id: str) -> Tie | None:
    """The entry of the same file that the new entry ties with but does not sort after, and how they tie."""
    from trucetrack import edit
    from trucetrack.dates import format_day_or_instant, get_zone

    entry = timeline.entry(entry_id)
    other = edit.must_follow(timeline, entry_id)
    if entry is None or other is None or other.begins is None:
        return None
    zone = get_zone(next((f.zone for f in timeline.files if f.path == entry.file), "UTC"))
    when = format_day_or_instant(other.begins, zone, date_only=bool(other.date_only & {"date", "start"}))
    if entry.is_modifier:
        return other.id, f"which also changes {entry.target!r} and was decided at the same instant ({when})"
    return other.id, f"which also sets measure {entry.measure!r} from the same instant ({when})"


def _edit(
    options: GlobalOptions,
    *,
    target: str | None,
    make_fields: FieldMaker,
    dry_run: bool,
) -> None:
    """Append the block ``make_fields`` gives (it receives the ids already taken) to the right file.

    The files are parsed first (to find the file and the ids in use); the
    whole timeline is validated once, under the lock, with the new block in
    (twice when the new entry ties with one that its id must sort after).
    """
    from trucetrack import canonical, edit, store, validate

    resolved, bundled = resolve_paths(options)
    if bundled and not dry_run:
        raise TrucetrackError(BUNDLED_REFUSAL)
    files = _unique(store.expand_paths(resolved))
    contents = [store.read_bytes(path) for path in files]
    displays = [store.display_name(path, bundled) for path in files]
    documents = [
        store.parse_document(raw, display, bundled=bundled) for raw, display in zip(contents, displays, strict=True)
    ]
    ids_by_file = [_event_ids(document) for document in documents]
    if target is not None:
        index = next((i for i, ids in enumerate(ids_by_file) if target in ids), -1)
        if index < 0:
            raise no_such_entry(target, [entry_id for ids in ids_by_file for entry_id in ids])
    elif len(files) != 1:
        names = ", ".join(displays[:4]) + (", ..." if len(displays) > 4 else "")
        raise TrucetrackError(f"add writes into one file, but {len(files)} are loaded ({names}): give -f FILE")
    else:
        index = 0
    display = displays[index]
    other_ids = {entry_id for i, ids in enumerate(ids_by_file) if i != index for entry_id in ids}
    result = _EditResult()

    parsed = list(documents)  # used by the first validation, which consumes them

    def others() -> list[RawDocument]:
        nonlocal parsed
        fresh, parsed = parsed, []
        return fresh or [
            store.parse_document(raw, name, bundled=bundled) for raw, name in zip(contents, displays, strict=True)
        ]

    def attempt(current: bytes, fields: dict[str, Any]) -> tuple[bytes, str, Timeline]:
        block = canonical.event_block(fields)
        new = edit.append_block(current, block)
        block_line = new[: len(new) - len(block.encode("utf-8"))].count(b"\n") + 1
        checked = others()
        checked[index] = store.parse_document(new, display, bundled=bundled)
        after, problems = validate.build_timeline(checked)
        if problems:
            raise EditRefused(problems, block_line, display)
        return new, block, after

    def change(current: bytes) -> bytes:
        own = documents[index] if current == contents[index] else store.parse_document(current, display)
        _refuse_inline_events(own, current, display)
        taken = other_ids | set(_event_ids(own))
        fields = make_fields(taken, None)
        new, block, after = attempt(current, fields)
        tie = _tie_of(after, fields["id"])
        if tie is not None:  # its id must sort after the entry it ties with
            fields = make_fields(taken, tie)
            new, block, after = attempt(current, fields)
        result.block, result.entry_id, result.after, result.new = block, fields["id"], after, new
        result.before = replace(after, entries=tuple(e for e in after.entries if e.id != fields["id"]))
        return new

    if dry_run:
        change(contents[index])
        write(result.block)
    else:
        edit.rewrite(Path(files[index]), change)
        write(f"added {result.entry_id} to {_shown(display)}\n")
    assert result.after is not None and result.before is not None
    if not bundled and not edit.lands_in_order(result.after, result.entry_id):
        new_contents = [result.new if i == index else raw for i, raw in enumerate(contents)]
        _note(_out_of_order_note(result.entry_id, index, files, displays, new_contents, resolved))
    _report_effect(options, result.before, result.after, result.entry_id, to_stderr=dry_run)


def _out_of_order_note(
    entry_id: str, index: int, files: list[str], displays: list[str], contents: list[bytes], resolved: list[str]
) -> str:
    """What to do about a block that landed out of canonical order: the fmt command that would
    put it in place (the file alone, else every file loaded), or why fmt cannot."""
    import shlex

    where = f"note: {entry_id} is out of canonical order at the end of {_shown(displays[index])}"
    choices = [([index], [displays[index]])]
    if len(files) > 1:
        choices.append((list(range(len(files))), resolved))
    refusal = ""
    for chosen, arguments in choices:
        refusal = _fmt_refusal([files[i] for i in chosen], [displays[i] for i in chosen], [contents[i] for i in chosen])
        if not refusal:
            command = " ".join(shlex.quote(_shown(argument)) for argument in arguments)
            return f"{where}; run trucetrack fmt {command}"
    return f"{where}; trucetrack fmt cannot reorder it yet: {clean_line(refusal)}"


def _fmt_refusal(files: list[str], displays: list[str], contents: list[bytes]) -> str:
    """Why fmt would refuse these files as they are ('' when it would format them)."""
    try:
        _formatted(_valid(_parsed(files, displays, contents, bundled=False)), bundled=False)
    except InvalidTimeline as invalid:
        return invalid.details[0] if invalid.details else invalid.message
    except TrucetrackError as error:
        return error.message
    return ""


def _report_effect(
    options: GlobalOptions, before: Timeline, after: Timeline, entry_id: str, *, to_stderr: bool
) -> None:
    """Deadlines moved and statuses changed by the new entry, as of --as-of (default now)."""
    from trucetrack import semdiff
    from trucetrack.dates import format_instant

    entry = after.entry(entry_id)
    if entry is None:
        return
    touched = {entry.target} if entry.target is not None else set()
    if entry.measure is not None:
        touched |= {e.id for e in after.entries if e.measure == entry.measure and e.id != entry_id}
    if not touched:
        return
    zone = display_zone(options, after)
    moment = as_of_instant(options, zone)
    moves, statuses = semdiff.effects(before, after, touched, moment, zone)
    lines = [f"  {semdiff.end_move_line(m)}" for m in moves] + [f"  {s.id}: {s.old} → {s.new}" for s in statuses]
    if not lines:
        return
    text = f"as of {format_instant(moment, zone)}:\n" + "\n".join(lines) + "\n"
    if to_stderr:
        sys.stderr.write(text)
        sys.stderr.flush()
    else:
        write(text)


DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the [[event]] block that would be appended; write nothing.")
]
IdOption = Annotated[str | None, typer.Option("--id", help="Id of the new entry (default: made for you).")]
SourceOption = Annotated[list[str] | None, typer.Option("--source", metavar="URL", help="Source (repeatable).")]


@app.command()
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--kind", help="Kind: agreement, tariff, talks, ... or one in kinds.")],
    title: Annotated[str, typer.Option("--title", help="Title of the entry.")],
    on: Annotated[str | None, typer.Option("--date", metavar="DATE", help="A point: the day or instant.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="DATE", help="A span: when it starts.")] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="DATE", help="The span's (exclusive) end.")] = None,
    through: Annotated[
        str | None, typer.Option("--through", metavar="DAY", help="The span's last day (inclusive).")
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", metavar="DURATION", help="The span's length, e.g. 90d.")
    ] = None,
    entry_id: IdOption = None,
    party: Annotated[list[str] | None, typer.Option("--party", help="Party code (repeatable).")] = None,
    source: SourceOption = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")] = None,
    warn: Annotated[str | None, typer.Option("--warn", metavar="DURATION", help="Advance warning, e.g. 21d.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", metavar="TEXT", help="Free text.")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Where it was agreed or held.")] = None,
    instrument: Annotated[str | None, typer.Option("--instrument", help="The legal instrument.")] = None,
    measure: Annotated[str | None, typer.Option("--measure", help="The measure whose rate this sets.")] = None,
    rate: Annotated[float | None, typer.Option("--rate", help="Rate in percent while in force.")] = None,
    rate_after: Annotated[float | None, typer.Option("--rate-after", help="Rate in percent once it has ended.")] = None,
    dry_run: DryRunOption = False,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Append a point (--date) or a span (--start, with --end, --through or --duration) to a timeline file.

    The id defaults to a slug of the title; an id already in use is refused.

    Example: trucetrack add --kind talks --title "Stockholm talks" --start 2025-07-28 --through 2025-07-29 --party US --party CN --dry-run --as-of 2025-07-01
    """  # noqa: E501
    from trucetrack import edit

    options = global_options(ctx, file, as_of, tz, color)
    if (on is None) == (start is None):
        raise BadValue("give --date (a point) or --start (a span), one of them")
    ends = [name for name, value in (("--end", end), ("--through", through), ("--duration", duration)) if value]
    if on is not None and ends:
        raise BadValue(f"{ends[0]} goes with --start (a span), not with --date (a point)")
    if len(ends) > 1:
        raise BadValue(f"give one of --end, --through and --duration, not {' and '.join(ends)}")
    if measure is not None and rate is None:
        raise BadValue("--measure needs --rate")
    if rate is not None and measure is None:
        raise BadValue("--rate needs --measure (what it is the rate of)")
    if rate_after is not None and rate is None:
        raise BadValue("--rate-after needs --rate")
    fields: dict[str, Any] = {"kind": kind, "title": title}
    if on is not None:
        fields["date"] = _read_when("--date", on)
    if start is not None:
        fields["start"] = _read_when("--start", start)
    if end is not None:
        fields["end"] = _read_when("--end", end)
    if through is not None:
        fields["through"] = _read_day("--through", through)
    if duration is not None:
        fields["duration"] = _read_duration("--duration", duration)
    if warn is not None:
        fields["warn"] = _read_duration("--warn", warn)
    optional: dict[str, Any] = {
        "parties": party,
        "place": place,
        "measure": measure,
        "rate": rate,
        "rate_after": rate_after,
        "instrument": instrument,
        "sources": source,
        "tags": tag,
        "notes": notes,
    }
    fields.update({key: value for key, value in optional.items() if value not in (None, [])})
    wanted = _check_id("--id", entry_id) if entry_id is not None else edit.slugify(title)
    if not wanted:
        raise BadValue(f"cannot make an id from the title {title!r}: give --id")

    def make_fields(taken: set[str], tie: Tie | None) -> dict[str, Any]:
        if wanted in taken:
            raise TrucetrackError(f"id {wanted!r} is already in use: give another with --id")
        chosen = wanted
        if tie is not None:
            if entry_id is not None:
                raise _tie_refusal(wanted, tie, "--date" if on is not None else "--start")
            chosen = edit.id_after(wanted, taken, tie[0], wanted)
        return {"id": chosen, **fields}

    _edit(options, target=None, make_fields=make_fields, dry_run=dry_run)


def _modifier_fields(
    target: str, kind: str, decided: date | datetime, given_id: str | None, rest: dict[str, Any]
) -> FieldMaker:
    from trucetrack import edit

    short, other = ("ext", "end") if kind == "extension" else ("end", "ext")
    base = f"{target}-{short}-{_day_of(decided)}"
    alternate = f"{target}-{other}-{_day_of(decided)}"

    def make_fields(taken: set[str], tie: Tie | None) -> dict[str, Any]:
        if given_id is not None:
            if given_id in taken:
                raise TrucetrackError(f"id {given_id!r} is already in use: give another with --id")
            if tie is not None:
                raise _tie_refusal(given_id, tie, "--date")
            chosen = given_id
        else:
            chosen = edit.id_after(base, taken, tie[0] if tie else None, short, alternates=[alternate])
        return {"id": chosen, "kind": kind, "target": target, "date": decided, **rest}

    return make_fields


def _tie_refusal(given: str, tie: Tie, when_option: str) -> TrucetrackError:
    other, why = tie
    return BadValue(
        f"--id {given!r} sorts before {other!r}, {why}: such entries apply in file order, but fmt "
        f"orders them by id, so it would refuse the file. Give an --id that sorts after {other!r} "
        f"(such as {other + '-then-' + given!r}), or a {when_option} with a time of day after that instant"
    )


EntryArgument = Annotated[
    str, typer.Argument(metavar="ID", help="Id of the span it applies to.", autocompletion=complete_span_ids)
]


@app.command()
def extend(
    ctx: typer.Context,
    target: EntryArgument,
    on: Annotated[str, typer.Option("--date", metavar="DATE", help="When the extension was decided.")],
    by: Annotated[
        str | None, typer.Option("--by", metavar="DURATION", help="Added to the end current then, e.g. 90d.")
    ] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="DATE", help="The new (exclusive) end.")] = None,
    through: Annotated[str | None, typer.Option("--through", metavar="DAY", help="The new last day.")] = None,
    entry_id: IdOption = None,
    source: SourceOption = None,
    dry_run: DryRunOption = False,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Append an extension of span ID to the file that holds it (--by, --end or --through).

    The id defaults to ID-ext-DATE (made unique, and sorting after other changes to ID at that instant).

    Example: trucetrack extend geneva-truce --date 2025-08-11 --by 90d --dry-run --as-of 2025-08-11
    """
    options = global_options(ctx, file, as_of, tz, color)
    given = [name for name, value in (("--by", by), ("--end", end), ("--through", through)) if value is not None]
    if len(given) != 1:
        raise BadValue("give one of --by, --end and --through" + (f", not {' and '.join(given)}" if given else ""))
    rest: dict[str, Any] = {}
    if by is not None:
        rest["by"] = _read_duration("--by", by)
    if end is not None:
        rest["end"] = _read_when("--end", end)
    if through is not None:
        rest["through"] = _read_day("--through", through)
    if source:
        rest["sources"] = source
    given_id = _check_id("--id", entry_id) if entry_id is not None else None
    make_fields = _modifier_fields(target, "extension", _read_when("--date", on), given_id, rest)
    _edit(options, target=target, make_fields=make_fields, dry_run=dry_run)


@app.command()
def end(
    ctx: typer.Context,
    target: EntryArgument,
    on: Annotated[str, typer.Option("--date", metavar="DATE", help="When the termination was decided.")],
    end_at: Annotated[
        str | None, typer.Option("--end", metavar="DATE", help="When it takes effect (default: --date).")
    ] = None,
    entry_id: IdOption = None,
    source: SourceOption = None,
    dry_run: DryRunOption = False,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Append a termination of span ID to the file that holds it.

    The id defaults to ID-end-DATE (made unique, and sorting after other changes to ID at that instant).

    Example: trucetrack end geneva-truce --date 2025-06-01 --dry-run --as-of 2025-06-01
    """
    options = global_options(ctx, file, as_of, tz, color)
    rest: dict[str, Any] = {}
    if end_at is not None:
        rest["end"] = _read_when("--end", end_at)
    if source:
        rest["sources"] = source
    given_id = _check_id("--id", entry_id) if entry_id is not None else None
    make_fields = _modifier_fields(target, "termination", _read_when("--date", on), given_id, rest)
    _edit(options, target=target, make_fields=make_fields, dry_run=dry_run)


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The new timeline file, e.g. timelines/eu.toml.")],
    title: Annotated[str | None, typer.Option("--title", help="Title (default: the file's name).")] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", metavar="ZONE", help="IANA zone of its dates (default: UTC).")
    ] = None,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """Write a new, valid, empty timeline file; never overwrites one.

    For instance: trucetrack init timelines/eu-china.toml --title "EU–China" --timezone Europe/Brussels
    """
    from trucetrack import canonical, edit, store, validate
    from trucetrack.dates import ZoneError, get_zone

    global_options(ctx, file, as_of, tz, color)
    zone = timezone or "UTC"
    try:
        get_zone(zone)
    except ZoneError as exc:
        raise BadValue(f"--timezone: {exc}") from None
    text = canonical.new_timeline_text(title or path.stem, zone)
    _, problems = validate.build_timeline([store.parse_document(text.encode("utf-8"), str(path))])
    if problems:
        raise InvalidTimeline(problems)
    edit.create(path, text.encode("utf-8"))
    write(f"created {_shown(str(path))}\n")


# ---------------------------------------------------------------- diff


# A file as a diff reads it: its bytes and the name it is shown by.
_Source = tuple[bytes, str]

# A "schema = ..." line tells a timeline file from other TOML files (pyproject.toml) in a folder.
_SCHEMA_LINE = re.compile(rb"^[ \t]*schema[ \t]*=", re.M)


@dataclass
class _Side:
    """One side of a diff: the files compared, and the other timeline files of their folder.

    A modifier may target an entry in another file of its folder, so the
    folder's other files are loaded too (as context): on their own, such
    files would not be valid timelines.
    """

    main: list[_Source]
    context: list[_Source] = field(default_factory=list)


def _build(sources: list[_Source], *, in_name_order: bool) -> tuple[Timeline, list[Problem]]:
    from trucetrack import store, validate

    if in_name_order:  # a folder loads in file name order
        sources = sorted(sources, key=lambda source: (PurePath(source[1]).name, source[1]))
    return validate.build_timeline([store.parse_document(raw, label) for raw, label in sources])


def _build_sides(old: _Side, new: _Side, *, with_context: bool) -> tuple[Timeline, Timeline]:
    """Both sides as timelines; the problems of both (new side first) when either is invalid."""
    built = [
        _build(side.main + side.context, in_name_order=bool(side.context))
        if with_context
        else _build(side.main, in_name_order=False)
        for side in (old, new)
    ]
    (old_timeline, old_problems), (new_timeline, new_problems) = built
    if old_problems or new_problems:
        raise InvalidTimeline(new_problems + old_problems)
    return old_timeline, new_timeline


def _side_timelines(old: _Side, new: _Side) -> tuple[Timeline, Timeline]:
    """Both sides with their context; without it when that fails (a context file that is
    invalid, or that holds an entry the compared file also holds), raising the first failure."""
    try:
        return _build_sides(old, new, with_context=True)
    except InvalidTimeline as with_context:
        if not old.context and not new.context:
            raise
        failure = with_context
    try:
        return _build_sides(old, new, with_context=False)
    except InvalidTimeline:
        raise failure from None


def _timeline_sources(sources: list[_Source]) -> list[_Source]:
    return [source for source in sources if _SCHEMA_LINE.search(source[0])]


def _working_files(path: str) -> list[str]:
    """The timeline files of ``path`` in the working copy: a file, a folder's ``*.toml``, or none."""
    if os.path.isdir(path):
        return _folder_files(path)
    return [path] if os.path.exists(path) else []


def _folder_files(folder: str) -> list[str]:
    """The ``*.toml`` files directly in ``folder`` of the working copy (none when it is not a folder)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        path
        for path in (os.path.join(folder, name) for name in names if name.endswith(".toml"))
        if os.path.isfile(path)
    ]


def _read_context(names: list[str]) -> list[_Source]:
    """Context files of the working copy; one that cannot be read is left out."""
    from trucetrack import store

    sources: list[_Source] = []
    for name in names:
        try:
            sources.append((store.read_bytes(name), name))
        except TrucetrackError:
            continue
    return _timeline_sources(sources)


def _rev_sides(revision: str, targets: list[str]) -> tuple[_Side, _Side]:
    """``targets`` (files or folders) at ``revision`` and in the working copy, each a file or
    a folder as git has it at ``revision`` (the working copy may no longer have it); a file
    comes with the other timeline files of its folder, from the same revision or the working copy."""
    from trucetrack import gitfiles, store

    old, new = _Side([]), _Side([])
    folders: list[str] = []
    for target in targets:
        kind = gitfiles.object_type_at(revision, target)
        old_names = gitfiles.toml_files_at(revision, target) if kind == "tree" else [target] if kind else []
        for name in old_names:
            raw = gitfiles.read_at(revision, name)
            if raw is not None:
                old.main.append((raw, f"{revision}:{name}"))
        new.main.extend((store.read_bytes(name), name) for name in _working_files(target))
        if kind == "blob" or (kind is None and not os.path.isdir(target)):
            folders.append(os.path.dirname(target) or ".")
    compared = {os.path.normpath(label.removeprefix(f"{revision}:")) for _, label in old.main + new.main}
    compared |= {os.path.normpath(target) for target in targets}
    for folder in dict.fromkeys(folders):
        old_names = [
            name for name in gitfiles.toml_files_at(revision, folder) if os.path.normpath(name) not in compared
        ]
        for name in old_names:
            raw = gitfiles.read_at(revision, name)
            if raw is not None:
                old.context.append((raw, f"{revision}:{os.path.normpath(name)}"))
        new_names = [os.path.normpath(name) for name in _folder_files(folder)]
        new.context.extend(_read_context([name for name in new_names if name not in compared]))
    old.context = _timeline_sources(old.context)
    return old, new


@app.command()
def diff(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="OLD NEW | [PATH]", help="Two files or folders; with --rev, one (default as -f)."),
    ] = None,
    rev: Annotated[
        str | None, typer.Option("--rev", metavar="REV", help="PATH at this git revision against the working copy.")
    ] = None,
    output: Annotated[DiffFormat, typer.Option("--format", help="text or json.")] = DiffFormat.text,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """What a change to a timeline means: entries added and removed, fields changed, deadlines moved.

    Deadlines moved (with ± calendar days in the display zone) and statuses
    changed are as of --as-of. Pure reformatting is no difference. Exit 0 when
    both mean the same, 1 when they differ.

    In a repository: trucetrack diff --rev HEAD~1 timelines/ --as-of 2025-08-11
    """
    from trucetrack import semdiff

    options = global_options(ctx, file, as_of, tz, color)
    given = paths or []
    if rev is None:
        if len(given) != 2:
            raise BadValue("diff needs OLD and NEW (files or folders), or --rev REV [PATH]")
        old_label, new_label = given
        old = _valid(_load_files([given[0]], bundled=False)).take_timeline()
        new = _valid(_load_files([given[1]], bundled=False)).take_timeline()
    else:
        if len(given) > 1:
            raise BadValue("diff --rev REV takes at most one PATH")
        targets = given or resolve_paths(options)[0]
        old_side, new_side = _rev_sides(rev, targets)
        if not old_side.main and not new_side.main:
            raise TrucetrackError(f"{', '.join(targets)}: not found at {rev} nor in the working copy")
        old, new = _side_timelines(old_side, new_side)
        old_label, new_label = f"{rev}:{' '.join(targets)}", " ".join(targets)
    result = _semantic(options, old, new)
    if output is DiffFormat.json:
        write(semdiff.diff_json(result, old_label, new_label))
    else:
        write(semdiff.diff_text(result, old_label, new_label))
    if not result.same:
        raise typer.Exit(1)


def _semantic(options: GlobalOptions, old: Timeline, new: Timeline, renamed: dict[str, str] | None = None) -> Any:
    from trucetrack import semdiff

    zone = display_zone(options, new if new.files else old)
    return semdiff.compare(old, new, as_of_instant(options, zone), zone, renamed=renamed)


GIT_ARGUMENTS = "PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE"


@app.command("git-diff")
def git_diff(
    ctx: typer.Context,
    arguments: Annotated[list[str], typer.Argument(metavar=GIT_ARGUMENTS, help="The seven arguments git passes.")],
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: VersionOption = False,
) -> None:
    """The semantic diff as git's external diff driver; exits 0 unless there is an error, as git requires.

    Set up: echo '*.toml diff=trucetrack' >> .gitattributes; git config diff.trucetrack.command "trucetrack git-diff"
    """
    from trucetrack import semdiff, store

    options = global_options(ctx, file, as_of, tz, color)
    if len(arguments) == 1:
        write(f"* Unmerged path {_shown(arguments[0])}\n")
        return
    if len(arguments) not in (7, 9):
        raise BadValue(f"git-diff takes the arguments git passes: {GIT_ARGUMENTS} (got {len(arguments)})")
    path, old_file, _, _, new_file, _, _ = arguments[:7]
    new_path = arguments[7] if len(arguments) == 9 else path
    old_label = "/dev/null" if old_file == "/dev/null" else f"a/{path}"
    new_label = "/dev/null" if new_file == "/dev/null" else f"b/{new_path}"
    old_raw = b"" if old_file == "/dev/null" else store.read_bytes(old_file)
    new_raw = b"" if new_file == "/dev/null" else store.read_bytes(new_file)
    # git runs the driver at the top of the work tree, where PATH is: the folder's other files are context.
    folder = os.path.dirname(new_path) or "."
    compared = {os.path.normpath(path), os.path.normpath(new_path)}
    siblings = [os.path.normpath(name) for name in _folder_files(folder)]
    context = _read_context([name for name in siblings if name not in compared])
    old_side = _Side([] if old_file == "/dev/null" else [(old_raw, old_label)], context)
    new_side = _Side([] if new_file == "/dev/null" else [(new_raw, new_label)], context)
    try:
        old, new = _side_timelines(old_side, new_side)
    except InvalidTimeline as invalid:
        write(_line_diff(old_raw, new_raw, old_label, new_label, invalid))
        return
    renamed = {old_label: new_label} if "/dev/null" not in (old_label, new_label) else None
    result = _semantic(options, old, new, renamed)
    text = semdiff.diff_text(result, old_label, new_label)
    if not text:
        text = (
            f"--- {_shown(old_label)}\n+++ {_shown(new_label)}\nno semantic change (layout, order or comments only)\n"
        )
    write(text)


def _line_diff(old: bytes, new: bytes, old_label: str, new_label: str, invalid: InvalidTimeline) -> str:
    """For a version that is not a valid timeline: say why (its own first problem, rather than
    one of a context file), then show a plain line diff."""
    import difflib

    own = [problem for problem in invalid.problems if problem.file in (old_label, new_label)]
    first = str((own or list(invalid.problems))[0]) if invalid.problems else invalid.message
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(),
        new.decode("utf-8", "replace").splitlines(),
        old_label,
        new_label,
        lineterm="",
    )
    note = f"(not a valid timeline, so a line diff follows: {clean_line(first)})"
    return "\n".join([note, *(clean(line) for line in lines)]) + "\n"
