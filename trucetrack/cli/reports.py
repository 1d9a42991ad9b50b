"""The reports: countdown (with --live), timeline, summary, check and rates.

Module level stays light (typer and the shared options only): the operations,
rich and git load inside the commands that use them.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trucetrack.cli.options import (
    CountdownFormat,
    GlobalOptions,
    OutputFormat,
    WideOption,
    command,
    complete_countdown_ids,
)
from trucetrack.errors import BadValue, ExitStatus
from trucetrack.ops.reports import DEFAULT_COUNTDOWNS

if TYPE_CHECKING:
    from trucetrack.ops.reports import TimelineRequest


class SummaryFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    html = "html"
    email = "email"


class TimelineFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    svg = "svg"
    html = "html"


PICTURES = (TimelineFormat.svg, TimelineFormat.html)

PictureFileOption = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help="With svg or html: write to FILE (replaced atomically); '-' is standard output.",
        show_default=False,
    ),
]


@command()
def countdown(
    options: GlobalOptions,
    entry_ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...",
            help=f"Entries to count down to. Default: the next {DEFAULT_COUNTDOWNS} active deadlines.",
            autocompletion=complete_countdown_ids,
            show_default=False,
        ),
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live", help="Redraw every second until Ctrl-C or the deadline; prints once when not a terminal."
        ),
    ] = False,
    output: Annotated[
        CountdownFormat, typer.Option("--format", help="table (panels) or json.")
    ] = CountdownFormat.table,
) -> None:
    """Countdown panels: time left, the exact instant and its zone, and how much of the span has elapsed.

    Example: trucetrack countdown geneva-truce --as-of 2025-08-11
    """
    from trucetrack.ops import reports as operations
    from trucetrack.output import emit

    if live and output is CountdownFormat.json:
        raise typer.BadParameter("--live redraws panels in a terminal; drop it for --format json.", param_hint="--live")
    result = operations.countdown(options.invocation(), entry_ids or [])
    emit.countdown(result, options.color, live=live, output=output.value)


@command()
def timeline(
    options: GlobalOptions,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="WHEN",
            help="Left end of the axis (as --as-of; +30d counts from as-of). Default: the first entry shown.",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="WHEN", help="Right end of the axis. Default: the last end or date shown."),
    ] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only this kind (repeatable).")] = None,
    party: Annotated[
        list[str] | None, typer.Option("--party", help="Only entries with this party code (repeatable).")
    ] = None,
    output: Annotated[
        TimelineFormat,
        typer.Option(
            "--format", help="table (a chart), markdown, json, csv, svg (a picture) or html (the picture in a page)."
        ),
    ] = TimelineFormat.table,
    output_file: PictureFileOption = None,
) -> None:
    """Spans as bars and points as markers on one date axis; extensions show as the part they added.

    Example: trucetrack timeline --as-of 2025-08-11 --from 2025-04-01 --to 2025-12-31
    Picture: trucetrack timeline --as-of 2025-11-20 --format svg -o timeline.svg
    """
    from trucetrack.ops import reports as operations

    request = operations.TimelineRequest(start=start, end=end, kinds=tuple(kind or ()), parties=tuple(party or ()))
    if output in PICTURES:
        _draw(options, request, output, output_file)
        return
    if output_file is not None:
        raise BadValue("timeline: -o FILE is for --format svg or html")
    from trucetrack.output import emit

    emit.timeline(operations.timeline(options.invocation(), request), output.value, options.color)


def _draw(options: GlobalOptions, request: TimelineRequest, output: TimelineFormat, output_file: Path | None) -> None:
    """The timeline as a picture, for standard output or -o FILE; then why the file could not be written, if so."""
    from trucetrack.ops import publish
    from trucetrack.output.publish import picture_bytes, published

    result = publish.picture(
        options.invocation(), request, publish.PictureFormat(output.value), output_file, picture_bytes
    )
    published(result)
    if result.failure is not None:
        raise result.failure


MailToOption = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        metavar="ADDRESS",
        help="With --format email: a recipient (repeatable). Default: $TRUCETRACK_MAIL_TO.",
        show_default=False,
    ),
]
MailFromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="ADDRESS",
        help="With --format email: the sender. Default: $TRUCETRACK_MAIL_FROM, else none (sendmail adds one).",
        show_default=False,
    ),
]
SubjectOption = Annotated[
    str | None,
    typer.Option(
        "--subject",
        metavar="TEXT",
        help="With --format email: what the subject starts with instead of 'trucetrack' (the counts follow).",
        show_default=False,
    ),
]


@command()
def summary(
    options: GlobalOptions,
    days: Annotated[
        int, typer.Option("--days", min=0, max=3660, help="What happened in this many days up to as-of.")
    ] = 7,
    ahead: Annotated[
        str, typer.Option("--ahead", metavar="DURATION", help="Deadlines within this window after as-of.")
    ] = "30d",
    output: Annotated[
        SummaryFormat,
        typer.Option(
            "--format", help="table, markdown, json, html (for mail) or email (a whole message for sendmail -t)."
        ),
    ] = SummaryFormat.table,
    wide: WideOption = False,
    to: MailToOption = None,
    sender: MailFromOption = None,
    subject: SubjectOption = None,
) -> None:
    """Weekly digest: what happened, deadlines ahead, what is in force, and (under git) what changed in the files.

    Example: trucetrack summary --as-of 2025-08-11 --format markdown
    Mail: trucetrack summary --format email --to team@example.org | sendmail -t
    """
    from trucetrack.ops import reports as operations
    from trucetrack.output import emit

    if output is SummaryFormat.email:
        request = operations.MailRequest(to=tuple(to or ()), sender=sender, subject=subject)
        emit.summary_email(operations.summary_mail(options.invocation(), days, ahead, request))
        return
    if to or sender is not None or subject is not None:
        raise BadValue("summary: --to, --from and --subject are for --format email")
    emit.summary(operations.summary(options.invocation(), days, ahead), output.value, options.color, wide=wide)


@command()
def check(
    options: GlobalOptions,
    within: Annotated[
        str | None,
        typer.Option("--within", metavar="DURATION", help="Deadlines within this window. Default: each entry's warn."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table (plain lines), markdown, json or csv.")
    ] = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """For cron: list deadlines inside their warning window; exit 1 if any, 0 (printing nothing) if none.

    Example: trucetrack check --as-of 2025-08-01
    """
    from trucetrack.ops import reports as operations
    from trucetrack.output import emit

    result = operations.check(options.invocation(), within)
    emit.check(result, output.value, options.color, wide=wide)
    if result.findings:
        raise typer.Exit(ExitStatus.FINDINGS)


@command()
def rates(
    options: GlobalOptions,
    measure: Annotated[
        str | None, typer.Argument(metavar="[MEASURE]", help="Only this measure.", show_default=False)
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every change of each rate with its date (the ladder).")
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, markdown, json or csv.")
    ] = OutputFormat.table,
    wide: WideOption = False,
) -> None:
    """The rate of each measure as of the instant (rate while in force, rate_after once ended).

    Example: trucetrack rates --as-of 2025-04-10 --history
    """
    from trucetrack.ops import reports as operations
    from trucetrack.output import emit

    emit.rates(operations.rates(options.invocation(), measure, history), output.value, options.color, wide=wide)
