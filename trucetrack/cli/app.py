"""The typer application and what every command shares: global options, the
one error handler, timeline resolution, the clock and the console.

The ``trucetrack.cli`` package is the only user of typer, and the only code
that reads the clock and the environment. Every command accepts the global
options (-f, --as-of, --tz, --color) after its name as well as before it;
the later one wins.
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from trucetrack import __version__, collector
from trucetrack.errors import BadValue, TrucetrackError
from trucetrack.safe import clean

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from rich.console import Console

    from trucetrack.cache import TimelineCache
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


# The module that defines each command, in the order help lists them. A
# command's module is imported, and its click command built, only when it is
# needed: building all of them would cost every run some 40 ms.
COMMAND_MODULES: dict[str, str] = {
    "status": "core",
    "show": "core",
    "validate": "core",
    "countdown": "views",
    "timeline": "views",
    "summary": "views",
    "check": "views",
    "rates": "views",
    "fmt": "files",
    "add": "files",
    "extend": "files",
    "end": "files",
    "init": "files",
    "diff": "files",
    "git-diff": "files",
    "export": "exports",
    "schema": "exports",
}


class TrucetrackGroup(TyperGroup):
    """Loads commands on demand, and maps TrucetrackError to ``trucetrack: error: ...``
    and its exit code, for every command."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            from typer.main import get_command_from_info, get_command_name

            importlib.import_module(f"trucetrack.cli.{COMMAND_MODULES[cmd_name]}")
            for info in app.registered_commands:
                assert info.callback is not None
                if (info.name or get_command_name(info.callback.__name__)) == cmd_name:
                    self.commands[cmd_name] = get_command_from_info(
                        info,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                        rich_markup_mode=app.rich_markup_mode,
                    )
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """typer suggests only among commands already built; suggest among all of them."""
        usage_error: type[Exception] = typer.BadParameter.__mro__[1]  # click's UsageError; typer does not export it

        try:
            return super().resolve_command(ctx, args)
        except usage_error as error:
            message = str(getattr(error, "message", ""))
            if args and "Did you mean" not in message:
                import difflib

                matches = difflib.get_close_matches(args[0], list(COMMAND_MODULES))
                if matches:
                    error.message = f"{message.rstrip('.')}. Did you mean {matches[0]!r}?"  # type: ignore[attr-defined]
            raise

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
VersionOption = Annotated[
    bool,
    typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
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
    version: VersionOption = False,
) -> None:
    ctx.obj = GlobalOptions().overridden(file, as_of, tz, color)


def global_options(
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


def timeline_cache() -> TimelineCache | None:
    """$TRUCETRACK_CACHE_DIR, else $XDG_CACHE_HOME/trucetrack, else ~/.cache/trucetrack;
    TRUCETRACK_CACHE=off turns it off."""
    if os.environ.get("TRUCETRACK_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    from trucetrack.cache import TimelineCache

    folder = os.environ.get("TRUCETRACK_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "trucetrack")
    return TimelineCache(Path(folder))


def load(options: GlobalOptions) -> Timeline:
    """The validated timeline; from the cache when the files are unchanged, in which
    case neither the TOML parser nor the validator is even imported."""
    from trucetrack.store import read_files

    paths, bundled = resolve_paths(options)
    files, contents = read_files(paths)

    def build() -> Timeline:
        from trucetrack.validate import timeline_from_contents

        return timeline_from_contents(files, contents, bundled)

    with collector.paused():
        cache = timeline_cache()
        timeline = build() if cache is None else cache.fetch(files, contents, bundled, build)
    if _one_command_per_process:
        # The timeline lives until the process ends: keep later collections off it.
        gc.freeze()
    return timeline


# Set by main(): this process runs one command and ends. Not set when the app is
# driven from Python (tests, CliRunner), where freezing would keep garbage forever.
_one_command_per_process = False


def display_zone(options: GlobalOptions, timeline: Timeline) -> ZoneInfo:
    from trucetrack.dates import ZoneError, get_zone

    source, name = _given(options.tz, "--tz", "TRUCETRACK_TZ")
    try:
        return get_zone(name or timeline.zone)
    except ZoneError as exc:
        raise BadValue(f"{source}: {exc}") from None


def _given(value: str | None, option: str, variable: str) -> tuple[str, str | None]:
    """The option's value, else the environment variable's (unset or empty: None), and which it was."""
    if value is not None:
        if not value.strip():
            raise BadValue(f"{option}: empty value")
        return option, value
    return variable, os.environ.get(variable) or None


def as_of_instant(options: GlobalOptions, zone: ZoneInfo) -> datetime:
    """The instant to compute for; the only place the clock is read."""
    from trucetrack.dates import parse_as_of

    source, text = _given(options.as_of, "--as-of", "TRUCETRACK_AS_OF")
    now = datetime.now(UTC).replace(microsecond=0)
    if text is None:
        return now
    try:
        return parse_as_of(text, now=now, zone=zone)
    except ValueError as exc:
        raise BadValue(f"{source}: {exc}") from None


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
        # no_color=False: rich would otherwise read NO_COLOR itself and drop the colours.
        console = console_class(force_terminal=True, no_color=False, **common)
        if console.color_system is None:
            console = console_class(force_terminal=True, no_color=False, color_system="standard", **common)
        return console
    if os.environ.get("NO_COLOR"):
        return console_class(color_system=None, no_color=True, **common)
    return console_class(**common)


# Variables with which rich decides for itself whether output is a terminal (set
# to anything, depending on rich's version): when present, rich decides.
_TERMINAL_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE")


def plain_output(mode: ColorMode | None) -> bool:
    """Whether output carries no styles at all, so it can be written without
    rich's console (about a fifth of a cold start): --color never, NO_COLOR, or
    a pipe or file in auto mode: the cases where ``make_console`` gives rich no
    colour system either."""
    if mode is ColorMode.never:
        return True
    if mode is ColorMode.always:
        return False
    if os.environ.get("NO_COLOR"):
        return True
    if any(name in os.environ for name in _TERMINAL_OVERRIDES):
        return False
    return not sys.stdout.isatty()


def output_width() -> int:
    """The width rich gives a console, by rich's rule: $COLUMNS (with $LINES, even
    on a dumb terminal), 80 on a dumb terminal, else $COLUMNS, else the size of
    the terminal on stdin, stdout or stderr, else 80 (cron has no terminal)."""
    columns = _digits("COLUMNS")
    if columns is not None and _digits("LINES") is not None:
        return columns
    if sys.stdout.isatty() and os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return 80
    if columns is not None:
        return columns
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80


def _digits(name: str) -> int | None:
    """A positive whole number from the environment, else None."""
    value = os.environ.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def build_view(options: GlobalOptions) -> View:
    from trucetrack.render import View

    timeline = load(options)
    zone = display_zone(options, timeline)
    return View(timeline=timeline, as_of=as_of_instant(options, zone), zone=zone)


def write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def did_you_mean(value: str, known: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or nothing."""
    import difflib

    close = difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def no_such_entry(entry_id: str, known: list[str]) -> TrucetrackError:
    return TrucetrackError(f"no entry with id {entry_id!r}{did_you_mean(entry_id, known)}")


def check_choice(name: str, values: list[str], known: list[str]) -> None:
    """Refuse filter values that can never match, with a did-you-mean."""
    for value in values:
        if value not in known:
            hint = did_you_mean(value, known) or f" (known: {', '.join(known)})"
            raise BadValue(f"{name}: unknown value {value!r}{hint}")


def _completion_timeline(ctx: typer.Context) -> Timeline | None:
    try:
        options = ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()
        return load(options.overridden(ctx.params.get("file"), None, None, None))
    except (TrucetrackError, OSError):
        return None


def complete_entry_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Entry ids for shell completion; silent (no suggestions) on any problem."""
    timeline = _completion_timeline(ctx)
    if timeline is None:
        return []
    return [entry.id for entry in timeline.entries if entry.id.startswith(incomplete)]


def complete_span_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Ids of spans only: what extend and end can target."""
    timeline = _completion_timeline(ctx)
    if timeline is None:
        return []
    return [entry.id for entry in timeline.entries if entry.is_span and entry.id.startswith(incomplete)]


def main() -> None:
    """Console-script entry point: one command, in a process of its own."""
    global _one_command_per_process
    _one_command_per_process = True
    app(prog_name="trucetrack")
