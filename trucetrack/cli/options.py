"""The global options, declared once, and the decorator that gives them to every command.

``-f``, ``--as-of``, ``--tz``, ``--color`` and ``--version`` are accepted before
the command name (by the app's callback) and after it (by each command); the
later one wins. ``@command()`` adds them to a command's signature, so the
command function receives one ``GlobalOptions`` instead of five parameters.
"""

from __future__ import annotations

import functools
import inspect
import os
import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from trucetrack import __version__
from trucetrack.errors import ExitStatus
from trucetrack.ops.context import Invocation, entry_ids
from trucetrack.output.console import ColorMode
from trucetrack.output.console import escape_markup as escape

GLOBAL_NAMES = ("file", "as_of", "tz", "color", "version")
NO_EFFECT = " No effect on this command; accepted like on every command."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"trucetrack {__version__}")
        raise typer.Exit(ExitStatus.OK)


_FILE_HELP = (
    "Timeline file or directory of *.toml (repeatable). Default: $TRUCETRACK_FILE, "
    "./timelines/, then the bundled US–China timeline."
)
_AS_OF_HELP = (
    "Instant to compute for: 2025-06-10, 2025-06-10T09:00, today, now, +30d, -1w, "
    "'June 10 2025'. Default: $TRUCETRACK_AS_OF, else now."
)
_TZ_HELP = "IANA display zone. Default: $TRUCETRACK_TZ, else the first file's timezone."
_COLOR_HELP = "Colour: auto (default; honours NO_COLOR), always, never."


def _global_parameters(*, no_effect: bool) -> list[inspect.Parameter]:
    """The five global options as keyword parameters of a typer command."""
    extra = NO_EFFECT if no_effect else ""
    annotations: dict[str, Any] = {
        "file": Annotated[list[Path] | None, typer.Option("-f", "--file", help=_FILE_HELP + extra, show_default=False)],
        "as_of": Annotated[
            str | None, typer.Option("--as-of", metavar="WHEN", help=_AS_OF_HELP + extra, show_default=False)
        ],
        "tz": Annotated[str | None, typer.Option("--tz", metavar="ZONE", help=_TZ_HELP + extra, show_default=False)],
        "color": Annotated[ColorMode | None, typer.Option("--color", help=_COLOR_HELP + extra, show_default=False)],
        "version": Annotated[
            bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
        ],
    }
    defaults: dict[str, Any] = {"file": None, "as_of": None, "tz": None, "color": None, "version": False}
    return [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=defaults[name], annotation=annotations[name])
        for name in GLOBAL_NAMES
    ]


@dataclass(frozen=True)
class GlobalOptions:
    """The global options as given, before the command name and after it."""

    files: tuple[str, ...] | None = None
    as_of: str | None = None
    tz: str | None = None
    color: ColorMode | None = None

    def overridden(
        self, files: list[Path] | None, as_of: str | None, tz: str | None, color: ColorMode | None
    ) -> GlobalOptions:
        """These options with the ones given after the command name taking precedence."""
        return replace(
            self,
            files=tuple(str(f) for f in files) if files else self.files,
            as_of=as_of if as_of is not None else self.as_of,
            tz=tz if tz is not None else self.tz,
            color=color if color is not None else self.color,
        )

    def with_files(self, paths: list[Path] | list[str] | None) -> GlobalOptions:
        """Positional PATHs (validate, fmt, diff) in place of -f."""
        return replace(self, files=tuple(str(p) for p in paths)) if paths else self

    def invocation(self) -> Invocation:
        """What the operations need: these options, the environment and the clock,
        read here and nowhere else."""
        from trucetrack.cli.app import one_command_per_process

        return Invocation(
            files=self.files,
            as_of=self.as_of,
            tz=self.tz,
            environ=os.environ,
            now=datetime.now(UTC).replace(microsecond=0),
            one_command_per_process=one_command_per_process(),
        )


def options_of(ctx: typer.Context) -> GlobalOptions:
    """The options given before the command name (none: defaults)."""
    return ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()


def _with_global_options(function: Callable[..., None], *, no_effect: bool, keep: bool = False) -> Callable[..., None]:
    """A typer callback for ``function``: typer's context, the function's own
    parameters after its first, and the global options. The function receives
    the merged GlobalOptions first (``keep``: they are also kept in the context,
    for the command to merge its own onto)."""
    own = list(inspect.signature(function, eval_str=True).parameters.values())[1:]
    _help_as_plain_text(function, own)
    context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)

    @functools.wraps(function)
    def callback(ctx: typer.Context, **values: Any) -> None:
        given = {key: values.pop(key) for key in GLOBAL_NAMES}
        options = options_of(ctx).overridden(given["file"], given["as_of"], given["tz"], given["color"])
        if keep:
            ctx.obj = options
        function(options, **values)

    parameters = [context, *own, *_global_parameters(no_effect=no_effect)]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    del callback.__wrapped__  # typer must see the signature above, not the function's own
    return callback


Command = Callable[..., None]


def _help_as_plain_text(function: Callable[..., None], parameters: list[inspect.Parameter]) -> None:
    """Help texts are plain text: typer reads them as rich markup, which ate
    ``[[event]]`` ("Print the [] block"). Escape the docstring and every option's
    and argument's help once, where every command is registered."""
    if function.__doc__:
        function.__doc__ = escape(function.__doc__)
    for parameter in parameters:
        for info in (parameter.default, *typing.get_args(parameter.annotation)[1:]):
            if isinstance(info, typer.models.ParameterInfo) and info.help and not getattr(info, "_escaped", False):
                info.help = escape(info.help)
                info._escaped = True  # type: ignore[attr-defined]


def command(name: str | None = None, *, no_effect: bool = False) -> Callable[[Command], Command]:
    """Register a command whose first parameter receives the merged GlobalOptions;
    ``no_effect`` says in the options' help that this command ignores them (init, schema)."""
    from trucetrack.cli.app import app

    def register(function: Callable[..., None]) -> Callable[..., None]:
        app.command(name)(_with_global_options(function, no_effect=no_effect))
        return function

    return register


def _before_the_command(options: GlobalOptions) -> None:
    """Nothing to do: the options are kept in the context."""


# The app's callback: the options given before the command name.
main_callback = _with_global_options(_before_the_command, no_effect=False, keep=True)


# Tables fit the terminal; --wide gives each row one line, for grep.
WideOption = Annotated[
    bool, typer.Option("--wide", help="One line per row, whatever the width (for grep); titles are never wrapped.")
]


class TextFormat(StrEnum):
    """For views that are text for a person or JSON for a script (show)."""

    text = "text"
    json = "json"


class CountdownFormat(StrEnum):
    table = "table"
    json = "json"


class OutputFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"


def _completion_invocation(ctx: typer.Context) -> Invocation:
    """The options as far as the shell has typed them: -f before and after the command.

    Completion parses without running callbacks, so the options given before
    the command are read from the parent context's parameters, not from ctx.obj."""
    before = ctx.parent.params if ctx.parent is not None else {}
    options = options_of(ctx).overridden(before.get("file"), None, None, None)
    return options.overridden(ctx.params.get("file"), None, None, None).invocation()


def complete_entry_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Entry ids for shell completion; silent (no suggestions) on any problem."""
    return entry_ids(_completion_invocation(ctx), incomplete)


def complete_countdown_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Ids of points and spans: what countdown counts to (modifiers have no deadline)."""
    return entry_ids(_completion_invocation(ctx), incomplete, dated_only=True)


def complete_span_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Ids of spans only: what extend and end can target."""
    return entry_ids(_completion_invocation(ctx), incomplete, spans_only=True)
