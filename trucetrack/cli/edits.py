"""The commands that write timeline files: add, extend, end, party and init.

Each parses its options into a request for ``trucetrack.ops.edit`` (which
reads the values, locks, validates the whole result and replaces the file
atomically) and prints the result with ``trucetrack.output.edits``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trucetrack.cli.options import GlobalOptions, command, complete_span_ids

if TYPE_CHECKING:
    from trucetrack.ops.edit import EditResult

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the [[event]] block that would be appended; write nothing.")
]
IdOption = Annotated[str | None, typer.Option("--id", help="Id of the new entry (default: made for you).")]
SourceOption = Annotated[list[str] | None, typer.Option("--source", metavar="URL", help="Source (repeatable).")]
EntryArgument = Annotated[
    str, typer.Argument(metavar="ID", help="Id of the span it applies to.", autocompletion=complete_span_ids)
]

KindOption = Annotated[str, typer.Option("--kind", help="Kind: agreement, tariff, talks, ... or one in kinds.")]
TitleOption = Annotated[str, typer.Option("--title", help="Title of the entry.")]
PointOption = Annotated[str | None, typer.Option("--date", metavar="DATE", help="A point: the day or instant.")]
StartOption = Annotated[str | None, typer.Option("--start", metavar="DATE", help="A span: when it starts.")]
SpanEndOption = Annotated[str | None, typer.Option("--end", metavar="DATE", help="The span's (exclusive) end.")]
SpanThroughOption = Annotated[
    str | None, typer.Option("--through", metavar="DAY", help="The span's last day (inclusive).")
]
DurationOption = Annotated[
    str | None, typer.Option("--duration", metavar="DURATION", help="The span's length, e.g. 90d.")
]
PartyOption = Annotated[list[str] | None, typer.Option("--party", help="Party code (repeatable).")]
TagOption = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]
WarnOption = Annotated[str | None, typer.Option("--warn", metavar="DURATION", help="Advance warning, e.g. 21d.")]
NotesOption = Annotated[str | None, typer.Option("--notes", metavar="TEXT", help="Free text.")]
PlaceOption = Annotated[str | None, typer.Option("--place", help="Where it was agreed or held.")]
InstrumentOption = Annotated[str | None, typer.Option("--instrument", help="The legal instrument.")]
AnnouncedOption = Annotated[
    str | None,
    typer.Option(
        "--announced",
        metavar="WHEN",
        help="When it became known (signed, published): before it, no view knows the entry. As --date.",
    ),
]
MeasureOption = Annotated[str | None, typer.Option("--measure", help="The measure whose rate this sets.")]
RateOption = Annotated[float | None, typer.Option("--rate", help="Rate in percent while in force.")]
RateAfterOption = Annotated[float | None, typer.Option("--rate-after", help="Rate in percent once it has ended.")]
CalendarOption = Annotated[
    str | None,
    typer.Option("--calendar", metavar="CODE", help="Holiday calendar for working days (45wd), e.g. CN or US."),
]
ModifierTitleOption = Annotated[
    str | None, typer.Option("--title", help="Title of the new entry (default: KIND of ID).")
]


def _show(result: EditResult) -> None:
    """The result; then the error found after the write, if any."""
    from trucetrack.output import edits

    edits.edited(result)
    if result.failure is not None:
        raise result.failure


@command()
def add(
    options: GlobalOptions,
    kind: KindOption,
    title: TitleOption,
    on: PointOption = None,
    start: StartOption = None,
    end: SpanEndOption = None,
    through: SpanThroughOption = None,
    duration: DurationOption = None,
    entry_id: IdOption = None,
    party: PartyOption = None,
    source: SourceOption = None,
    tag: TagOption = None,
    warn: WarnOption = None,
    notes: NotesOption = None,
    place: PlaceOption = None,
    instrument: InstrumentOption = None,
    measure: MeasureOption = None,
    rate: RateOption = None,
    rate_after: RateAfterOption = None,
    calendar: CalendarOption = None,
    announced: AnnouncedOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Append a point (--date) or a span (--start, with --end, --through or --duration) to a timeline file.
    The id defaults to a slug of the title; an id already in use is refused.

    Example: trucetrack add --kind talks --title "Stockholm talks" --start 2025-07-28 --through 2025-07-29 --party US --party CN --dry-run --as-of 2025-07-01
    """  # noqa: E501
    from trucetrack.ops import edit

    request = edit.AddRequest(
        kind,
        title,
        edit.Timing(date=on, start=start, end=end, through=through, duration=duration),
        entry_id=entry_id,
        parties=tuple(party or ()),
        sources=tuple(source or ()),
        tags=tuple(tag or ()),
        warn=warn,
        notes=notes,
        place=place,
        instrument=instrument,
        rate=edit.Rate(measure, rate, rate_after),
        dry_run=dry_run,
        calendar=calendar,
        announced=announced,
    )
    _show(edit.add(options.invocation(), request))


@command()
def extend(
    options: GlobalOptions,
    target: EntryArgument,
    on: Annotated[str, typer.Option("--date", metavar="DATE", help="When the extension was decided.")],
    by: Annotated[
        str | None, typer.Option("--by", metavar="DURATION", help="Added to the end current then, e.g. 90d.")
    ] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="DATE", help="The new (exclusive) end.")] = None,
    through: Annotated[str | None, typer.Option("--through", metavar="DAY", help="The new last day.")] = None,
    entry_id: IdOption = None,
    source: SourceOption = None,
    title: ModifierTitleOption = None,
    notes: NotesOption = None,
    instrument: InstrumentOption = None,
    calendar: CalendarOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Append an extension of span ID to the file that holds it (--by, --end or --through).

    The id defaults to ID-ext-DATE (made unique). Dates also take today, now and +7d, in the file's zone.

    Example: trucetrack extend geneva-truce --date 2025-08-11 --by 90d --dry-run --as-of 2025-08-11
    """
    from trucetrack.ops import edit

    request = edit.ExtendRequest(
        target,
        on,
        by=by,
        end=end,
        through=through,
        entry_id=entry_id,
        sources=tuple(source or ()),
        dry_run=dry_run,
        about=edit.About(title, notes, instrument),
        calendar=calendar,
    )
    _show(edit.extend(options.invocation(), request))


@command()
def end(
    options: GlobalOptions,
    target: EntryArgument,
    on: Annotated[str, typer.Option("--date", metavar="DATE", help="When the termination was decided.")],
    end_at: Annotated[
        str | None, typer.Option("--end", metavar="DATE", help="When it takes effect (default: --date).")
    ] = None,
    entry_id: IdOption = None,
    source: SourceOption = None,
    title: ModifierTitleOption = None,
    notes: NotesOption = None,
    instrument: InstrumentOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Append a termination of span ID to the file that holds it.

    The id defaults to ID-end-DATE (made unique). Dates also take today, now and +7d, in the file's zone.

    Example: trucetrack end geneva-truce --date 2025-06-01 --dry-run --as-of 2025-06-01
    """
    from trucetrack.ops import edit

    request = edit.EndRequest(
        target,
        on,
        end=end_at,
        entry_id=entry_id,
        sources=tuple(source or ()),
        dry_run=dry_run,
        about=edit.About(title, notes, instrument),
    )
    _show(edit.end(options.invocation(), request))


@command(no_effect=True)
def init(
    options: GlobalOptions,
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The new timeline file, e.g. timelines/eu.toml.")],
    title: Annotated[str | None, typer.Option("--title", help="Title (default: the file's name).")] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", metavar="ZONE", help="IANA zone of its dates (default: UTC).")
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option("--party", metavar="CODE=NAME", help="A party, such as EU='European Union' (repeatable)."),
    ] = None,
    calendar: CalendarOption = None,
) -> None:
    """Write a new, valid, empty timeline file; never overwrites one.

    For instance: trucetrack init timelines/eu-china.toml --title "EU–China" --timezone Europe/Brussels --party EU="European Union" --party CN=China
    """  # noqa: E501
    from trucetrack.ops import edit
    from trucetrack.output import edits

    edits.created(edit.init(edit.InitRequest(path, title, timezone, tuple(party or ()), calendar)))


@command()
def party(
    options: GlobalOptions,
    code: Annotated[str, typer.Argument(metavar="CODE", help="The party's code, e.g. EU.")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="Its name, e.g. 'European Union'.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the [parties.CODE] table that would be appended; write nothing.")
    ] = False,
) -> None:
    """Append a [parties.CODE] table to a timeline file, so that add --party CODE can name it.

    Example: trucetrack party EU "European Union" --dry-run --as-of 2025-07-01
    """
    from trucetrack.ops import edit

    _show(edit.party(options.invocation(), edit.PartyRequest(code, name, dry_run=dry_run)))
