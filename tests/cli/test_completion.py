"""Shell and repository integration: completion of entry ids in bash, zsh and fish,
`--show-completion`, `--version`, and the pre-commit hooks offered to other repositories."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

import trucetrack
from tests.conftest import REPO
from trucetrack.cli import app

COMPLETE_VAR = "_TRUCETRACK_COMPLETE"
# The commands whose ID argument completes entry ids.
ID_COMMANDS = ("show", "extend", "end", "countdown")

OWN = """\
[[event]]
id = "alpha-deal"
kind = "agreement"
title = "Alpha"
start = 2025-01-01

[[event]]
id = "alpha-talks"
kind = "talks"
title = "Alpha talks"
date = 2025-02-01

[[event]]
id = "beta"
kind = "ruling"
title = "Beta"
date = 2025-03-01
"""

MODIFIER = """
[[event]]
id = "alpha-deal-end"
kind = "termination"
target = "alpha-deal"
date = 2025-06-01
"""


def complete(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``python -m trucetrack`` the way the installed shell script does."""
    return subprocess.run(
        [sys.executable, "-m", "trucetrack"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_bash_completes_entry_ids_for_show() -> None:
    result = complete({COMPLETE_VAR: "complete_bash", "COMP_WORDS": "trucetrack show gen", "COMP_CWORD": "2"})
    assert result.returncode == 0, result.stderr
    offered = result.stdout.splitlines()
    assert "geneva-truce" in offered
    assert all(value.startswith("gen") for value in offered)


def test_zsh_and_fish_complete_entry_ids_for_show() -> None:
    zsh = complete({COMPLETE_VAR: "complete_zsh", "_TYPER_COMPLETE_ARGS": "trucetrack show gen"})
    assert zsh.returncode == 0, zsh.stderr
    assert zsh.stdout.startswith("_arguments '*: :((")
    assert '"geneva-truce"' in zsh.stdout
    fish = complete(
        {
            COMPLETE_VAR: "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "trucetrack show gen",
        }
    )
    assert fish.returncode == 0, fish.stderr
    assert "geneva-truce" in fish.stdout.splitlines()


def test_completion_reads_the_file_given_with_f(write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(OWN)
    words = f"trucetrack show -f {path} alp"
    result = complete({COMPLETE_VAR: "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4"})
    assert result.stdout.splitlines() == ["alpha-deal", "alpha-talks"]


def test_completion_is_silent_on_a_broken_timeline(write_timeline: Callable[..., Path]) -> None:
    path = write_timeline("[[event]]\nid = 3\n")
    runner = CliRunner()
    env = {COMPLETE_VAR: "complete_bash", "COMP_WORDS": f"trucetrack show -f {path} ", "COMP_CWORD": "4"}
    result = runner.invoke(app, [], env=env, prog_name="trucetrack")
    assert result.exit_code == 0
    assert result.output.strip() == ""


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    context = group.make_context("trucetrack", [], resilient_parsing=True)
    return group.list_commands(context)  # type: ignore[attr-defined, no-any-return]


def test_every_command_that_takes_an_id_exists() -> None:
    assert set(ID_COMMANDS) <= set(_commands())


@pytest.mark.parametrize("name", ID_COMMANDS)
def test_each_id_command_completes_entry_ids(name: str, write_timeline: Callable[..., Path]) -> None:
    """show and countdown offer every point and span id; extend and end, which apply
    to spans only, offer span ids."""
    path = write_timeline(OWN)
    env = {COMPLETE_VAR: "complete_bash", "COMP_WORDS": f"trucetrack {name} -f {path} alpha", "COMP_CWORD": "4"}
    result = CliRunner().invoke(app, [], env=env, prog_name="trucetrack")
    assert result.exit_code == 0
    expected = ["alpha-deal"] if name in ("extend", "end") else ["alpha-deal", "alpha-talks"]
    assert result.output.splitlines() == expected


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_a_script_for_each_shell(shell: str) -> None:
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="trucetrack")
    assert result.exit_code == 0
    assert COMPLETE_VAR in result.output
    assert "trucetrack" in result.output


def test_install_completion_is_offered() -> None:
    result = CliRunner().invoke(app, ["--help"], prog_name="trucetrack", env={"COLUMNS": "200"})
    assert "--install-completion" in result.output and "--show-completion" in result.output


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"trucetrack {trucetrack.__version__}\n"


# ---------------------------------------------------------------- pre-commit hooks


def hooks() -> list[dict[str, str]]:
    """The hooks of .pre-commit-hooks.yaml: a list of flat mappings, read without a YAML library."""
    found: list[dict[str, str]] = []
    for line in (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.fullmatch(r"(- |  )(\w+): (.+)", line)
        assert item, f"unexpected line in .pre-commit-hooks.yaml: {line!r}"
        if item.group(1) == "- ":
            found.append({})
        found[-1][item.group(2)] = item.group(3)
    return found


def test_pre_commit_hooks_offer_fmt_check_and_validate() -> None:
    by_id = {hook["id"]: hook for hook in hooks()}
    assert set(by_id) == {"trucetrack-fmt", "trucetrack-validate"}
    assert by_id["trucetrack-fmt"]["entry"] == "trucetrack fmt --check"
    assert by_id["trucetrack-validate"]["entry"] == "trucetrack validate"
    for hook in by_id.values():
        assert hook["language"] == "python"
        assert re.search(hook["files"], "timelines/us-china-2025.toml")
        assert not re.search(hook["files"], "README.md")
        assert hook["name"] and hook["description"]


def test_pre_commit_validate_hook_runs_on_file_names(write_timeline: Callable[..., Path]) -> None:
    """What pre-commit runs: the entry followed by the staged file names."""
    good = write_timeline(OWN)
    entry = {hook["id"]: hook for hook in hooks()}["trucetrack-validate"]["entry"].split()
    assert entry[0] == "trucetrack"
    result = CliRunner().invoke(app, [*entry[1:], str(good)])
    assert result.exit_code == 0, result.output
    bad = write_timeline('[[event]]\nid = "x"\nkind = "talk"\ndate = 2025-01-01\n')
    assert CliRunner().invoke(app, [*entry[1:], str(good), str(bad)]).exit_code == 2


def test_pre_commit_fmt_hook_names_a_real_command() -> None:
    command = {hook["id"]: hook for hook in hooks()}["trucetrack-fmt"]["entry"].split()[1]
    assert command in _commands()
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "--check" in result.output


def test_a_file_given_before_the_command_is_the_one_completed(write_timeline: Callable[..., Path]) -> None:
    """``trucetrack -f FILE show <TAB>`` completed the bundled ids instead of FILE's."""
    path = write_timeline(OWN + MODIFIER)
    words = f"trucetrack -f {path} show "
    result = complete({COMPLETE_VAR: "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4"})
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"alpha-deal", "alpha-talks", "beta", "alpha-deal-end"}


def test_countdown_completes_only_what_it_counts_down_to(write_timeline: Callable[..., Path]) -> None:
    """Modifiers have no deadline: countdown refuses them, so it does not offer them."""
    path = write_timeline(OWN + MODIFIER)
    words = f"trucetrack countdown -f {path} "
    result = complete({COMPLETE_VAR: "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4"})
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"alpha-deal", "alpha-talks", "beta"}
