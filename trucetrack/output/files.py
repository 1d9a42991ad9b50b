"""What fmt, diff and the git diff driver print.

File names and labels never carry control codes to the terminal; neither do
the lines of a line diff, which come from the files themselves.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from trucetrack.core.text import clean, clean_line
from trucetrack.output.console import write, write_data
from trucetrack.output.diff import diff_json, diff_text

if TYPE_CHECKING:
    from trucetrack.ops.diff import DiffResult, GitDiffResult, LineDiff
    from trucetrack.ops.fmt import FmtResult
    from trucetrack.ops.merge import MergeResult, SetupResult


def formatted(result: FmtResult) -> None:
    """The files that would change (--check) or were reformatted; else that all are canonical."""
    verb = "would reformat" if result.check else "reformatted"
    for display in result.changed:
        write(f"{verb} {clean_line(display)}\n")
    if not result.changed and result.failure is None:
        count = result.canonical
        write(f"ok: {count} file{'s' if count != 1 else ''} already canonical\n")


def diffed(result: DiffResult, *, as_json: bool) -> None:
    if as_json:
        write_data(diff_json(result.diff, result.old_label, result.new_label))
    else:
        write(diff_text(result.diff, result.old_label, result.new_label))


def git_diffed(result: GitDiffResult) -> None:
    if result.unmerged is not None:
        write(f"* Unmerged path {clean_line(result.unmerged)}\n")
    elif result.line_diff is not None:
        write(line_diff_text(result.line_diff), verbatim=True)  # a diff's blank context line is " "
    elif result.diff is not None:
        text = diff_text(result.diff, result.old_label, result.new_label)
        if not text:
            text = (
                f"--- {clean_line(result.old_label)}\n+++ {clean_line(result.new_label)}\n"
                "no semantic change (layout, order or comments only)\n"
            )
        write(text)


def line_diff_text(line_diff: LineDiff) -> str:
    """Why a version is not a valid timeline, then the plain line diff."""
    note = f"(not a valid timeline, so a line diff follows: {clean_line(line_diff.reason)})"
    return "\n".join([note, *(clean(line) for line in line_diff.lines)]) + "\n"


def merged(result: MergeResult) -> None:
    """What the merge driver did, on stderr (git shows it; stdout is not for people here)."""
    prefix = f"trucetrack merge-driver: {clean_line(result.path)}:"
    lines: list[str] = []
    if result.fallback is not None:
        lines.append(f"{prefix} {clean_line(result.fallback)}; merged line by line (git merge-file)")
        if result.line_conflicts:
            count = result.line_conflicts
            lines.append(f"{prefix} {count} conflict{'s' if count != 1 else ''} left to resolve")
    if result.earlier_current_to is not None:
        kept = clean_line(result.earlier_current_to)
        lines.append(f"{prefix} current_to moved on both sides; kept the earlier, {kept}")
    lines.extend(f"{prefix} conflict: {clean_line(text)}" for text in result.conflicts)
    if result.problems:
        lines.extend(clean_line(problem) for problem in result.problems)
        lines.append(f"{prefix} merged, but the result is not a valid timeline; fix it, then commit")
    if lines:
        sys.stderr.write("\n".join(lines) + "\n")
        sys.stderr.flush()


def set_up(result: SetupResult) -> None:
    """What git-setup changed, or that everything was in place already."""
    lines = [f"added to {clean_line(result.attributes)}: {clean_line(line)}" for line in result.lines_added]
    lines.extend(f"set git config {key}" for key in result.config_set)
    if not lines:
        lines.append("ok: trucetrack is already git's diff and merge driver here")
    write("\n".join(lines) + "\n")
