"""The command line: the only module that uses typer, reads the clock and the
environment, and maps errors to exit codes.

Every command accepts the global options (-f, --as-of, --tz, --color) after
its name as well as before it; the later one wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from trucetrack import __version__
from trucetrack.errors import BadValue, TrucetrackError
from trucetrack.safe import clean

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rich.console import Console

    from trucetrack.model import Timeline
    from trucetrack.render import View


class ColorMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class OutputFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"


def report_error(error: TrucetrackError) -> None:
    """The one place errors are printed: details (problem lines) first, then the summary."""
    for line in error.details:
        sys.stderr.write(clean(line) + "\n")
    sys.stderr.write(f"trucetrack: error: {clean(error.message)}\n")
    sys.stderr.flush()


def _quiet_closed_pipe() -> NoReturn:
    """``trucetrack status | head``: stop quietly once the reader has gone."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(0)


class TrucetrackGroup(TyperGroup):
    """Maps TrucetrackError to ``trucetrack: error: ...`` and its exit code, for every command."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TrucetrackError as error:
            report_error(error)
            raise typer.Exit(error.exit_code) from None
        except BrokenPipeError:
            _quiet_closed_pipe()


app = typer.Typer(
    cls=TrucetrackGroup,
    name="trucetrack",
    help=(
        "Track trade-agreement deadlines kept in TOML timelines: what is in force, "
        "what expires when, and how long is left.\n\n"
        "Example: trucetrack status --as-of 2025-06-10"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trucetrack {__version__}")
        raise typer.Exit(0)


FileOption = Annotated[
    list[Path] | None,
    typer.Option(
        "-f",
        "--file",
        help="Timeline file or directory of *.toml (repeatable). Default: $TRUCETRACK_FILE, "
        "./timelines/, then the bundled US–China timeline.",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="WHEN",
        help="Instant to compute for: 2025-06-10, 2025-06-10T09:00, today, now, +30d, -1w, "
        "'June 10 2025'. Default: $TRUCETRACK_AS_OF, else now.",
        show_default=False,
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="IANA display zone. Default: $TRUCETRACK_TZ, else the first file's timezone.",
        show_default=False,
    ),
]
ColorOption = Annotated[
    ColorMode | None,
    typer.Option("--color", help="Colour: auto (default; honours NO_COLOR), always, never.", show_default=False),
]


@dataclass(frozen=True)
class GlobalOptions:
    files: tuple[str, ...] | None = None
    as_of: str | None = None
    tz: str | None = None
    color: ColorMode | None = None

    def overridden(
        self,
        files: list[Path] | None,
        as_of: str | None,
        tz: str | None,
        color: ColorMode | None,
    ) -> GlobalOptions:
        """These options with the ones given after the command name taking precedence."""
        return replace(
            self,
            files=tuple(str(f) for f in files) if files else self.files,
            as_of=as_of if as_of is not None else self.as_of,
            tz=tz if tz is not None else self.tz,
            color=color if color is not None else self.color,
        )


@app.callback()
def main_callback(
    ctx: typer.Context,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    ctx.obj = GlobalOptions().overridden(file, as_of, tz, color)


def _global(
    ctx: typer.Context, file: list[Path] | None, as_of: str | None, tz: str | None, color: ColorMode | None
) -> GlobalOptions:
    base = ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()
    return base.overridden(file, as_of, tz, color)


# ---------------------------------------------------------------- resolution


def resolve_paths(options: GlobalOptions) -> tuple[list[str], bool]:
    """The files to read and whether they are the bundled timeline (SPEC section 4)."""
    if options.files:
        return list(options.files), False
    from_env = [part for part in os.environ.get("TRUCETRACK_FILE", "").split(os.pathsep) if part]
    if from_env:
        return from_env, False
    if Path("timelines").is_dir():
        return ["timelines"], False
    from trucetrack.store import bundled_timeline_path

    return [str(bundled_timeline_path())], True


def load(options: GlobalOptions) -> Timeline:
    from trucetrack.validate import load_timeline

    paths, bundled = resolve_paths(options)
    return load_timeline(paths, bundled=bundled)


def display_zone(options: GlobalOptions, timeline: Timeline) -> ZoneInfo:
    from trucetrack.dates import ZoneError, get_zone

    name = options.tz or os.environ.get("TRUCETRACK_TZ") or timeline.zone
    try:
        return get_zone(name)
    except ZoneError as exc:
        raise BadValue(f"--tz: {exc}") from None


def as_of_instant(options: GlobalOptions, zone: ZoneInfo) -> datetime:
    """The instant to compute for; the only place the clock is read."""
    from trucetrack.dates import parse_as_of

    text = options.as_of if options.as_of is not None else os.environ.get("TRUCETRACK_AS_OF")
    now = datetime.now(UTC).replace(microsecond=0)
    if not text:
        return now
    try:
        return parse_as_of(text, now=now, zone=zone)
    except ValueError as exc:
        raise BadValue(f"--as-of: {exc}") from None


@cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class QuietPipeConsole(Console):
        """Hands a closed pipe to TrucetrackGroup (quiet, exit 0) instead of rich's exit 1."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return QuietPipeConsole


def make_console(mode: ColorMode | None) -> Console:
    """A console for this run: --color beats NO_COLOR, which beats terminal detection."""
    console_class = _console_class()

    common: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    if mode is ColorMode.never:
        return console_class(color_system=None, no_color=True, **common)
    if mode is ColorMode.always:
        console = console_class(force_terminal=True, **common)
        if console.color_system is None:
            console = console_class(force_terminal=True, color_system="standard", **common)
        return console
    if os.environ.get("NO_COLOR"):
        return console_class(color_system=None, no_color=True, **common)
    return console_class(**common)


def build_view(options: GlobalOptions) -> View:
    from trucetrack.render import View

    timeline = load(options)
    zone = display_zone(options, timeline)
    return View(timeline=timeline, as_of=as_of_instant(options, zone), zone=zone)


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _choice(name: str, values: list[str], known: list[str]) -> None:
    """Refuse filter values that can never match, with a did-you-mean."""
    import difflib

    for value in values:
        if value not in known:
            close = difflib.get_close_matches(value, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
            raise BadValue(f"{name}: unknown value {value!r}{hint}")


# ---------------------------------------------------------------- commands


@app.command()
def status(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include expired, terminated and past entries.")] = False,
    within: Annotated[
        str | None, typer.Option("--within", metavar="DURATION", help="Only deadlines within this window, e.g. 30d.")
    ] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only this kind (repeatable).")] = None,
    party: Annotated[
        list[str] | None, typer.Option("--party", help="Only entries with this party code (repeatable).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only entries with this tag (repeatable).")] = None,
    status_filter: Annotated[
        list[str] | None,
        typer.Option("--status", help="Only this status (repeatable); overrides what is left out by default."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, markdown, json or csv.")
    ] = OutputFormat.table,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
) -> None:
    """Points and spans with status and countdown, soonest deadline first.

    Example: trucetrack status --as-of 2025-06-10 --within 90d
    """
    from trucetrack import engine, render
    from trucetrack.durations import DurationError, parse_duration

    options = _global(ctx, file, as_of, tz, color)
    view = build_view(options)
    window = None
    if within is not None:
        try:
            window = parse_duration(within)
        except DurationError as exc:
            raise BadValue(f"--within: {exc}") from None
    _choice("--status", status_filter or [], list(engine.STATUSES))
    _choice("--kind", kind or [], list(view.timeline.kinds))
    _choice("--party", party or [], [p.code for p in view.timeline.parties])
    filters = engine.Filters(
        show_all=show_all,
        within=window,
        kinds=tuple(kind or ()),
        parties=tuple(party or ()),
        tags=tuple(tag or ()),
        statuses=tuple(status_filter or ()),
    )
    states = engine.select(engine.Engine(view.timeline).states(view.as_of, view.zone), filters, view.as_of, view.zone)
    if output is OutputFormat.table:
        render.print_status_table(make_console(options.color), view, states)
        return
    if output in (OutputFormat.json, OutputFormat.csv):
        note = render.bundled_note(view.timeline)
        if note:
            sys.stderr.write(note + "\n")
    writers: dict[OutputFormat, Callable[[View, list[engine.EntryState]], str]] = {
        OutputFormat.markdown: render.status_markdown,
        OutputFormat.json: render.status_json,
        OutputFormat.csv: render.status_csv,
    }
    _write(writers[output](view, states))


def complete_entry_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Entry ids for shell completion; silent (no suggestions) on any problem."""
    try:
        options = ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()
        files = ctx.params.get("file")
        timeline = load(options.overridden(files, None, None, None))
    except (TrucetrackError, OSError):
        return []
    return [entry.id for entry in timeline.entries if entry.id.startswith(incomplete)]


@app.command()
def show(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(metavar="ID", help="Entry id.", autocompletion=complete_entry_ids)],
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
) -> None:
    """One entry: every field, its effective end and how it was derived, the history of ends, sources.

    Example: trucetrack show geneva-truce --as-of 2025-08-11
    """
    from trucetrack import engine, render

    options = _global(ctx, file, as_of, tz, color)
    view = build_view(options)
    entry = view.timeline.entry(entry_id)
    if entry is None:
        import difflib

        ids = [e.id for e in view.timeline.entries]
        close = difflib.get_close_matches(entry_id, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise TrucetrackError(f"no entry with id {entry_id!r}{hint}")
    evaluator = engine.Engine(view.timeline)
    state = None if entry.is_modifier else evaluator.state(entry, view.as_of, view.zone)
    pending = [
        m
        for m in view.timeline.entries
        if m.is_modifier and m.target == entry.id and m.date is not None and m.date > view.as_of
    ]
    party_names = {p.code: p.name for p in view.timeline.parties}
    console = make_console(options.color)
    note = render.bundled_note(view.timeline)
    console.print(render.show_renderable(view, entry, state, pending, party_names))
    if note:
        console.print(note, style="dim")


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(metavar="[PATH]...", help="Files or directories; default as -f.")
    ] = None,
    file: FileOption = None,
    as_of: AsOfOption = None,
    tz: TzOption = None,
    color: ColorOption = None,
) -> None:
    """Check timeline files; print every problem as file:line: id: message (exit 2 if any).

    Example: trucetrack validate timelines/
    """
    options = _global(ctx, paths or file, as_of, tz, color)
    timeline = load(options)
    count = sum(1 for _ in timeline.entries)
    files = len(timeline.files)
    _write(f"ok: {count} entries in {files} file{'s' if files != 1 else ''}\n")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="trucetrack")
