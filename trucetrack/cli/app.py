"""The typer application: the commands, loaded on demand, and the one error handler.

The ``trucetrack.cli`` package is the only user of typer, and the only code
that reads the clock and the environment (see ``options``). Each command is a
thin function: it parses its arguments, calls one operation of
``trucetrack.ops`` and prints the result with ``trucetrack.output``.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from trucetrack.errors import ExitStatus, TrucetrackError
from trucetrack.output.console import report_error, silence_stdout, tolerate_unencodable_text, trim_piped_lines


def _report_output_failure(error: OSError) -> None:
    """``trucetrack status > /dev/full``: an error, never a traceback, and nothing
    more for Python's own flush at exit to fail on."""
    silence_stdout()
    report_error(TrucetrackError(f"cannot write the output: {error.strerror or error}"))


def _output_failed(error: OSError) -> NoReturn:
    _report_output_failure(error)
    raise typer.Exit(ExitStatus.ERROR)


def _quiet_closed_pipe() -> NoReturn:
    """``trucetrack status | head``: stop quietly once the reader has gone."""
    silence_stdout()
    raise typer.Exit(ExitStatus.OK)


# The module that defines each command, in the order help lists them. A
# command's module is imported, and its click command built, only when it is
# needed: building all of them would cost every run some 40 ms.
COMMAND_MODULES: dict[str, str] = {
    "status": "query",
    "show": "query",
    "validate": "query",
    "countdown": "reports",
    "timeline": "reports",
    "summary": "reports",
    "check": "reports",
    "rates": "reports",
    "fmt": "files",
    "add": "edits",
    "extend": "edits",
    "end": "edits",
    "party": "edits",
    "init": "edits",
    "diff": "files",
    "git-diff": "files",
    "merge-driver": "files",
    "history": "files",
    "git-setup": "files",
    "export": "publish",
    "schema": "publish",
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
        except OSError as error:  # stdout on a full disk, a device that refuses writes
            _output_failed(error)


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


from trucetrack.cli import options  # noqa: E402 - the options register on the app above

app.callback()(options.main_callback)

# Set by main(): this process runs one command and ends. Not set when the app is
# driven from Python (tests, CliRunner), where freezing would keep garbage forever.
_one_command_per_process = False


def one_command_per_process() -> bool:
    return _one_command_per_process


def main() -> None:
    """Console-script entry point: one command, in a process of its own."""
    global _one_command_per_process
    _one_command_per_process = True
    tolerate_unencodable_text()
    trim_piped_lines()
    try:
        app(prog_name="trucetrack")
    except SystemExit as done:
        # What is still buffered is written here, where a failure can be reported.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()
        except OSError as error:
            _report_output_failure(error)
            raise SystemExit(ExitStatus.ERROR) from None
        raise done
