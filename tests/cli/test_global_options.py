"""The global options are declared once: every command takes them after its name, and
the commands that ignore them say so in their help."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from trucetrack.cli import app
from trucetrack.cli.app import COMMAND_MODULES
from trucetrack.cli.options import NO_EFFECT

GLOBAL = ("--file", "--as-of", "--tz", "--color", "--version")


@pytest.mark.parametrize("command", list(COMMAND_MODULES))
def test_every_command_lists_the_global_options(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in GLOBAL:
        assert option in result.output, (command, option)


IGNORING = ("init", "schema", "merge-driver", "git-setup")


@pytest.mark.parametrize(("command", "ignores"), [(name, name in IGNORING) for name in COMMAND_MODULES])
def test_only_the_commands_that_read_no_timeline_say_the_options_have_no_effect(command: str, ignores: bool) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "400"})
    assert (NO_EFFECT.strip().split(";")[0] in result.output) is ignores


def test_schema_accepts_the_global_options_and_prints_the_same(tmp_path: object) -> None:
    plain = CliRunner().invoke(app, ["schema"])
    with_options = CliRunner().invoke(app, ["schema", "--as-of", "2025-01-01", "--tz", "UTC", "--color", "never"])
    assert plain.exit_code == with_options.exit_code == 0
    assert plain.output == with_options.output
