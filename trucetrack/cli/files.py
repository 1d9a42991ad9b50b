"""The commands for timeline files in git: fmt, diff, the git diff driver and the merge driver.

fmt rewrites files through ``trucetrack.ops.fmt`` (lock, validate, atomic
replace; never the bundled timeline); diff and git-diff compare two versions
through ``trucetrack.ops.diff``. Results print with ``trucetrack.output.files``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from trucetrack.cli.options import GlobalOptions, command, complete_entry_ids
from trucetrack.errors import ExitStatus
from trucetrack.ops.diff import GIT_ARGUMENTS
from trucetrack.ops.merge import MERGE_ARGUMENTS


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


@command()
def fmt(
    options: GlobalOptions,
    paths: Annotated[
        list[Path] | None, typer.Argument(metavar="[PATH]...", help="Files or directories; default as -f.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; list the files that would change, exit 1 if any.")
    ] = False,
) -> None:
    """Rewrite timeline files in canonical form, keeping every comment.

    Top-level keys, then parties by code, then events by date or start and id,
    keys in a fixed order, one blank line between blocks. Refuses an invalid
    file, and a change of meaning; the files given are validated together.

    Example: trucetrack fmt --check --as-of 2025-08-11
    """
    from trucetrack.ops import fmt as formatting
    from trucetrack.output import files

    result = formatting.fmt(options.with_files(paths).invocation(), check)
    files.formatted(result)
    if result.failure is not None:
        raise result.failure
    if check and result.changed:
        raise typer.Exit(ExitStatus.FINDINGS)


@command()
def diff(
    options: GlobalOptions,
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="OLD NEW | [PATH]", help="Two files or folders; with --rev, one (default as -f)."),
    ] = None,
    rev: Annotated[
        str | None, typer.Option("--rev", metavar="REV", help="PATH at this git revision against the working copy.")
    ] = None,
    output: Annotated[DiffFormat, typer.Option("--format", help="text or json.")] = DiffFormat.text,
) -> None:
    """What a change to a timeline means: entries added and removed, fields changed, deadlines moved.

    Deadlines moved (with ± calendar days in the display zone) and statuses
    changed are as of --as-of. Pure reformatting is no difference. Exit 0 when
    both mean the same, 1 when they differ.

    In a repository: trucetrack diff --rev HEAD~1 timelines/ --as-of 2025-08-11
    """
    from trucetrack.ops import diff as diffs
    from trucetrack.output import files

    result = diffs.diff(options.invocation(), paths or [], rev)
    files.diffed(result, as_json=output is DiffFormat.json)
    if not result.same:
        raise typer.Exit(ExitStatus.FINDINGS)


@command("git-diff")
def git_diff(
    options: GlobalOptions,
    arguments: Annotated[list[str], typer.Argument(metavar=GIT_ARGUMENTS, help="The seven arguments git passes.")],
) -> None:
    """The semantic diff as git's external diff driver; exits 0 unless there is an error, as git requires.

    Set up: echo '*.toml diff=trucetrack' >> .gitattributes; git config diff.trucetrack.command "trucetrack git-diff"
    """
    from trucetrack.ops import diff as diffs
    from trucetrack.output import files

    files.git_diffed(diffs.git_diff(options.invocation(), arguments))


@command("merge-driver", no_effect=True)
def merge_driver(
    options: GlobalOptions,
    arguments: Annotated[list[str], typer.Argument(metavar=MERGE_ARGUMENTS, help="What git passes: %O %A %B %P.")],
) -> None:
    """Git's merge driver for timelines: a three-way merge by entry id, written over OURS in canonical form.

    Entries added on either side are all kept; a change on one side is taken;
    the same entry changed differently on both sides is a conflict, marked in
    the file around that entry only (exit 1). A side that is not a valid
    timeline is merged line by line by git merge-file instead.

    Set up: echo '*.toml merge=trucetrack' >> .gitattributes;
    git config merge.trucetrack.driver "trucetrack merge-driver %O %A %B %P"
    """
    from trucetrack.ops import merge as merges
    from trucetrack.output import files

    result = merges.merge_driver(arguments)
    files.merged(result)
    if not result.clean:
        raise typer.Exit(ExitStatus.FINDINGS)


@command()
def history(
    options: GlobalOptions,
    entry_id: Annotated[
        str, typer.Argument(metavar="ID", help="The entry whose history to show.", autocompletion=complete_entry_ids)
    ],
    output: Annotated[DiffFormat, typer.Option("--format", help="text or json.")] = DiffFormat.text,
) -> None:
    """The life of one entry in git: each commit that added it, changed it, moved its end or removed it.

    Oldest first, with commit, date, author and subject; an end moved by a
    modifier names it. Every commit counts; --as-of only sets the instant at
    which effective ends are worked out. Commits that do not change the entry
    are left out.

    In a repository: trucetrack history geneva-truce -f timelines/ --as-of 2025-12-01
    """
    from trucetrack.ops import history as histories
    from trucetrack.output import history as shown
    from trucetrack.output.console import write, write_data

    result = histories.history(options.invocation(), entry_id)
    if output is DiffFormat.json:
        write_data(shown.history_json(result))
    else:
        write(shown.history_text(result))


@command("git-setup", no_effect=True)
def git_setup(
    options: GlobalOptions,
    folder: Annotated[
        Path, typer.Argument(metavar="[FOLDER]", help="A folder in the repository; default: the current one.")
    ] = Path("."),
    pattern: Annotated[
        str, typer.Option("--pattern", metavar="PATTERN", help="The files to handle, as in .gitattributes.")
    ] = "*.toml",
) -> None:
    """Make trucetrack git's diff and merge driver for timeline files in this repository.

    Appends the missing lines to .gitattributes at the top of the repository
    (commit it, so every clone has it) and sets diff.trucetrack.command,
    merge.trucetrack.name and merge.trucetrack.driver in the repository's own
    config (each clone runs this once: git never takes commands to run from
    the files of a repository). Running it again changes nothing.
    """
    from trucetrack.ops import merge as merges
    from trucetrack.output import files

    files.set_up(merges.git_setup(str(folder), pattern))
