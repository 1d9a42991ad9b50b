"""Commands for timeline files in git: fmt, add, extend, end, init, diff and the git diff driver.

Writes go through trucetrack.edit (lock, validate the whole result, atomic
replace); fmt and the edits refuse to write an invalid timeline, and the
bundled timeline is never written.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trucetrack.cli.app import (
    AsOfOption,
    ColorOption,
    FileOption,
    GlobalOptions,
    TzOption,
    app,
    as_of_instant,
    complete_entry_ids,
    display_zone,
    global_options,
    resolve_paths,
    write,
)
from trucetrack.errors import BadValue, InvalidTimeline, TrucetrackError

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


# ---------------------------------------------------------------- loading files as they are on disk


@dataclass
class _Loaded:
    """The files of a timeline with their bytes, the timeline built from them and its problems.

    The parsed documents are not kept: building the timeline consumes them.
    """

    paths: list[str]
    displays: list[str]
    contents: list[bytes]
    timeline: Timeline
    problems: list[Problem] = field(default_factory=list)


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
    from trucetrack import store, validate

    files = _unique(store.expand_paths(paths))
    contents = [store.read_bytes(path) for path in files]
    displays = [store.display_name(path, bundled) for path in files]
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
) -> None:
    """Rewrite timeline files in canonical form (SPEC section 5), keeping every comment.

    Top-level keys, then parties by code, then events by date or start and id,
    keys in a fixed order, one blank line between blocks. Refuses an invalid
    file, and a change of meaning; the files given are validated together.

    Example: trucetrack fmt --check --as-of 2025-08-11
    """
    from trucetrack import canonical, edit, store, validate

    options = global_options(ctx, paths or file, as_of, tz, color)
    resolved, bundled = resolve_paths(options)
    if bundled and not check:
        raise TrucetrackError(BUNDLED_REFUSAL)
    loaded = _valid(_load_files(resolved, bundled=bundled))
    begins = canonical.begins_of(loaded.timeline)
    formatted = [
        canonical.canonical_bytes(raw, begins, path=display)
        for raw, display in zip(loaded.contents, loaded.displays, strict=True)
    ]
    changed = [index for index, raw in enumerate(formatted) if raw != loaded.contents[index]]
    if changed:  # an unchanged file means what it meant: only a changed one is validated again
        new_documents = [
            store.parse_document(raw, display, bundled=bundled)
            for raw, display in zip(formatted, loaded.displays, strict=True)
        ]
        new_timeline, problems = validate.build_timeline(new_documents)
        difference = "it would not be valid" if problems else canonical.same_meaning(loaded.timeline, new_timeline)
        if difference:
            raise canonical.MeaningChanged(f"not formatted, because formatting would change the meaning: {difference}")

    if check:
        for index in changed:
            write(f"would reformat {loaded.displays[index]}\n")
        if changed:
            raise typer.Exit(1)
        _say_canonical(len(loaded.paths))
        return
    for index in changed:
        expected, result = loaded.contents[index], formatted[index]
        display = loaded.displays[index]

        edit.rewrite(Path(loaded.paths[index]), _unless_changed(expected, result, display))
        write(f"reformatted {display}\n")
    if not changed:
        _say_canonical(len(loaded.paths))


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
    """A command-line date or datetime, to be written as TOML's own value."""
    from trucetrack.dates import DateRangeError, check_year

    value: date | datetime
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            value = date.fromisoformat(text.strip())
        else:
            value = datetime.fromisoformat(text.strip())
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
    before: Timeline | None = None
    after: Timeline | None = None


def _event_ids(document: RawDocument) -> list[str]:
    """The ids written in a parsed (not yet validated) document."""
    events = (document.data or {}).get("event", [])
    if not isinstance(events, list):
        return []
    return [event["id"] for event in events if isinstance(event, dict) and isinstance(event.get("id"), str)]


def _no_such_entry(entry_id: str, known: list[str]) -> TrucetrackError:
    import difflib

    close = difflib.get_close_matches(entry_id, known, n=1)
    return TrucetrackError(f"no entry with id {entry_id!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))


def _edit(
    options: GlobalOptions,
    *,
    target: str | None,
    make_fields: Callable[[set[str]], dict[str, Any]],
    dry_run: bool,
) -> None:
    """Append the block ``make_fields`` gives (it receives the ids already taken) to the right file.

    The files are parsed first (to find the file and the ids in use); the
    whole timeline is validated once, under the lock, with the new block in.
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
            raise _no_such_entry(target, [entry_id for ids in ids_by_file for entry_id in ids])
    elif len(files) != 1:
        names = ", ".join(displays[:4]) + (", ..." if len(displays) > 4 else "")
        raise TrucetrackError(f"add writes into one file, but {len(files)} are loaded ({names}): give -f FILE")
    else:
        index = 0
    display = displays[index]
    other_ids = {entry_id for i, ids in enumerate(ids_by_file) if i != index for entry_id in ids}
    result = _EditResult()

    def change(current: bytes) -> bytes:
        own = documents[index] if current == contents[index] else store.parse_document(current, display)
        fields = make_fields(other_ids | set(_event_ids(own)))
        block = canonical.event_block(fields)
        new = edit.append_block(current, block)
        block_line = new[: len(new) - len(block.encode("utf-8"))].count(b"\n") + 1
        checked = list(documents)  # parsed once, validated once (validation consumes them)
        checked[index] = store.parse_document(new, display, bundled=bundled)
        after, problems = validate.build_timeline(checked)
        if problems:
            raise EditRefused(problems, block_line, display)
        result.block, result.entry_id, result.after = block, fields["id"], after
        result.before = replace(after, entries=tuple(e for e in after.entries if e.id != fields["id"]))
        return new

    if dry_run:
        change(contents[index])
        write(result.block)
    else:
        edit.rewrite(Path(files[index]), change)
        write(f"added {result.entry_id} to {display}\n")
    assert result.after is not None and result.before is not None
    if not edit.lands_in_order(result.after, result.entry_id):
        _note(
            f"note: {result.entry_id} is out of canonical order at the end of {display}; run trucetrack fmt {display}"
        )
    _report_effect(options, result.before, result.after, result.entry_id, to_stderr=dry_run)


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

    def make_fields(taken: set[str]) -> dict[str, Any]:
        if wanted in taken:
            raise TrucetrackError(f"id {wanted!r} is already in use: give another with --id")
        return {"id": wanted, **fields}

    _edit(options, target=None, make_fields=make_fields, dry_run=dry_run)


def _modifier_fields(
    target: str, kind: str, decided: date | datetime, given_id: str | None, rest: dict[str, Any]
) -> Callable[[set[str]], dict[str, Any]]:
    from trucetrack import edit

    base = f"{target}-{'ext' if kind == 'extension' else 'end'}-{_day_of(decided)}"

    def make_fields(taken: set[str]) -> dict[str, Any]:
        if given_id is not None:
            if given_id in taken:
                raise TrucetrackError(f"id {given_id!r} is already in use: give another with --id")
            chosen = given_id
        else:
            chosen = edit.unique_id(base, taken)
        return {"id": chosen, "kind": kind, "target": target, "date": decided, **rest}

    return make_fields


EntryArgument = Annotated[
    str, typer.Argument(metavar="ID", help="Id of the span it applies to.", autocompletion=complete_entry_ids)
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
) -> None:
    """Append an extension of span ID to the file that holds it (--by, --end or --through).

    The id defaults to ID-ext-DATE (made unique).

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
) -> None:
    """Append a termination of span ID to the file that holds it.

    The id defaults to ID-end-DATE (made unique).

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
    write(f"created {path}\n")


# ---------------------------------------------------------------- diff


def _documents_at(revision: str, path: str) -> list[RawDocument]:
    """The timeline files of ``path`` (a file or folder) as they were at ``revision``."""
    from trucetrack import gitfiles, store

    files = gitfiles.toml_files_at(revision, path) if Path(path).is_dir() else [path]
    documents = []
    for name in files:
        raw = gitfiles.read_at(revision, name)
        if raw is not None:
            documents.append(store.parse_document(raw, f"{revision}:{name}"))
    return documents


def _timeline_of(documents: list[RawDocument]) -> Timeline:
    from trucetrack import validate

    timeline, problems = validate.build_timeline(documents)
    if problems:
        raise InvalidTimeline(problems)
    return timeline


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
) -> None:
    """What a change to a timeline means: entries added and removed, fields changed, deadlines moved.

    Deadlines moved (with ± calendar days in the display zone) and statuses
    changed are as of --as-of. Pure reformatting is no difference. Exit 0 when
    both mean the same, 1 when they differ.

    In a repository: trucetrack diff --rev HEAD~1 timelines/ --as-of 2025-08-11
    """
    from trucetrack import semdiff, store

    options = global_options(ctx, file, as_of, tz, color)
    given = paths or []
    if rev is None:
        if len(given) != 2:
            raise BadValue("diff needs OLD and NEW (files or folders), or --rev REV [PATH]")
        old_label, new_label = given
        old = _valid(_load_files([given[0]], bundled=False)).timeline
        new = _valid(_load_files([given[1]], bundled=False)).timeline
    else:
        if len(given) > 1:
            raise BadValue("diff --rev REV takes at most one PATH")
        targets = given or resolve_paths(options)[0]
        old_documents: list[RawDocument] = []
        new_documents: list[RawDocument] = []
        for target in targets:
            old_documents.extend(_documents_at(rev, target))
            if Path(target).exists():
                new_documents.extend(
                    store.parse_document(store.read_bytes(name), name) for name in store.expand_paths([target])
                )
        if not old_documents and not new_documents:
            raise TrucetrackError(f"{', '.join(targets)}: not found at {rev} nor in the working copy")
        old, new = _timeline_of(old_documents), _timeline_of(new_documents)
        old_label, new_label = f"{rev}:{' '.join(targets)}", " ".join(targets)
    result = _semantic(options, old, new)
    if output is DiffFormat.json:
        write(semdiff.diff_json(result, old_label, new_label))
    else:
        write(semdiff.diff_text(result, old_label, new_label))
    if not result.same:
        raise typer.Exit(1)


def _semantic(options: GlobalOptions, old: Timeline, new: Timeline) -> Any:
    from trucetrack import semdiff

    zone = display_zone(options, new if new.files else old)
    return semdiff.compare(old, new, as_of_instant(options, zone), zone)


GIT_ARGUMENTS = "PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE"


@app.command("git-diff")
def git_diff(
    ctx: typer.Context,
    arguments: Annotated[list[str], typer.Argument(metavar=GIT_ARGUMENTS, help="The seven arguments git passes.")],
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
) -> None:
    """The semantic diff as git's external diff driver; exits 0 unless there is an error, as git requires.

    Set up: echo '*.toml diff=trucetrack' >> .gitattributes; git config diff.trucetrack.command "trucetrack git-diff"
    """
    from trucetrack import semdiff, store

    options = global_options(ctx, file, as_of, tz, color)
    if len(arguments) == 1:
        write(f"* Unmerged path {arguments[0]}\n")
        return
    if len(arguments) not in (7, 9):
        raise BadValue(f"git-diff takes the arguments git passes: {GIT_ARGUMENTS} (got {len(arguments)})")
    path, old_file, _, _, new_file, _, _ = arguments[:7]
    new_path = arguments[7] if len(arguments) == 9 else path
    old_label = "/dev/null" if old_file == "/dev/null" else f"a/{path}"
    new_label = "/dev/null" if new_file == "/dev/null" else f"b/{new_path}"
    sides: list[tuple[bytes, list[RawDocument]]] = []
    for name, label in ((old_file, old_label), (new_file, new_label)):
        raw = b"" if name == "/dev/null" else store.read_bytes(name)
        sides.append((raw, [] if name == "/dev/null" else [store.parse_document(raw, label)]))
    try:
        old, new = _timeline_of(sides[0][1]), _timeline_of(sides[1][1])
    except InvalidTimeline as invalid:
        write(_line_diff(sides[0][0], sides[1][0], old_label, new_label, invalid))
        return
    result = _semantic(options, old, new)
    text = semdiff.diff_text(result, old_label, new_label)
    if not text:
        text = f"--- {old_label}\n+++ {new_label}\nno semantic change (layout, order or comments only)\n"
    write(text)


def _line_diff(old: bytes, new: bytes, old_label: str, new_label: str, invalid: InvalidTimeline) -> str:
    """For a version that is not a valid timeline: say why, then show a plain line diff."""
    import difflib

    from trucetrack.safe import clean

    first = invalid.details[0] if invalid.details else invalid.message
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(),
        new.decode("utf-8", "replace").splitlines(),
        old_label,
        new_label,
        lineterm="",
    )
    note = f"(not a valid timeline, so a line diff follows: {first})"
    return "\n".join([note, *(clean(line) for line in lines)]) + "\n"
