"""merge-driver: git's merge driver for timeline files, a three-way merge by entry id.

git calls ``trucetrack merge-driver %O %A %B %P``: the common ancestor, our
version (where the result goes), theirs, and the path in the work tree. Each
side is validated (on its own, else with the other timeline files of its
folder in the work tree, since a modifier may target an entry there); the
merge itself is ``store.merge``; the result is written over ``%A`` and
validated the same way. A side that is not a valid timeline goes to git's own
line merge (``git merge-file``), so a merge never loses either side.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from trucetrack.errors import BadValue, TrucetrackError
from trucetrack.load import loader

if TYPE_CHECKING:
    from trucetrack.core.model import Problem, Timeline

MERGE_ARGUMENTS = "BASE OURS THEIRS [PATH]"


@dataclass(frozen=True)
class MergeResult:
    """What the driver did to ``path``.

    ``fallback`` says why git's line merge was used instead (then
    ``line_conflicts`` counts what it left); ``conflicts`` are the blocks
    written between markers; ``problems`` are those of a merged file that is
    not a valid timeline.
    """

    path: str
    conflicts: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    fallback: str | None = None
    line_conflicts: int = 0
    earlier_current_to: str | None = None

    @property
    def clean(self) -> bool:
        return not (self.conflicts or self.problems or self.line_conflicts)


# A file as read: its bytes and the name it is shown by.
_Source = tuple[bytes, str]


def _context(path: str, versions: Sequence[str] = ()) -> list[_Source]:
    """The other timeline files of ``path``'s folder in the work tree (one that cannot be read is
    left out), not counting the versions being merged, wherever git put them."""
    from trucetrack.store import files as disk
    from trucetrack.store.reader import looks_like_timeline

    folder = os.path.dirname(path) or "."
    sources: list[_Source] = []
    try:
        names = disk.toml_files_in(folder)
    except TrucetrackError:
        return []
    for name in names:
        if os.path.normpath(name) in {os.path.normpath(taken) for taken in (path, *versions)}:
            continue
        try:
            raw = disk.read_bytes(name)
        except TrucetrackError:
            continue
        if looks_like_timeline(raw):
            sources.append((raw, os.path.normpath(name)))
    return sources


def _build(sources: list[_Source]) -> tuple[Timeline, list[Problem]]:
    sources = sorted(sources, key=lambda source: (PurePath(source[1]).name, source[1]))
    labels = tuple(label for _, label in sources)
    return loader.build(loader.Files(labels, labels, tuple(raw for raw, _ in sources)))


def validated(raw: bytes, path: str, context: list[_Source]) -> tuple[Timeline | None, list[Problem]]:
    """The timeline of one version of ``path``: alone, else with its folder's other files; or its problems."""
    timeline, problems = _build([(raw, path)])
    if not problems:
        return timeline, []
    if context:
        with_context, context_problems = _build([(raw, path), *context])
        if not context_problems:
            return with_context, []
    return None, problems


def merged_problems(merged: bytes, path: str, context: list[_Source]) -> list[Problem]:
    """What is wrong with the merged file, alone and beside its folder's other files:
    ids are unique across a folder, so an id the other side gave a sibling file is a
    problem of the merge. Problems the siblings have without this file are theirs."""
    if not context:
        return validated(merged, path, [])[1]
    _, together = _build([(merged, path), *context])
    if not together:
        return []
    _, theirs_alone = _build(context)
    already = {str(problem) for problem in theirs_alone}
    return [problem for problem in together if str(problem) not in already]


def merge_driver(arguments: Sequence[str]) -> MergeResult:
    """Merge ``%A`` (ours) and ``%B`` (theirs) from ``%O`` (base) into ``%A``, as git asks its merge driver."""
    from trucetrack.store import canonical, fsio
    from trucetrack.store import files as disk
    from trucetrack.store import git as gitfiles
    from trucetrack.store import merge as merging
    from trucetrack.store.reader import looks_like_timeline

    if len(arguments) not in (3, 4):
        raise BadValue(f"merge-driver takes the arguments git passes: {MERGE_ARGUMENTS} (got {len(arguments)})")
    base_path, ours_path, theirs_path = arguments[:3]
    path = arguments[3] if len(arguments) == 4 else ours_path
    context = _context(path, (base_path, ours_path, theirs_path))
    sides: list[merging.MergeSide | None] = []
    reason: str | None = None
    for name, which in ((base_path, "base"), (ours_path, "ours"), (theirs_path, "theirs")):
        raw = disk.read_bytes(name)
        if which == "base" and not raw.strip():
            sides.append(None)  # a file new on both sides: nothing in common
            continue
        if not looks_like_timeline(raw):  # another TOML file that the pattern takes in (pyproject.toml)
            reason = f"{which} is not a timeline file (it has no schema key)"
            break
        timeline, problems = validated(raw, path, context)
        if timeline is None:
            first = str(problems[0]) if problems else "not a valid timeline"
            reason = f"{which} is not a valid timeline ({first})"
            break
        sides.append(merging.MergeSide(raw.decode("utf-8"), canonical.begins_of(timeline)))
    if reason is not None:
        return MergeResult(path, fallback=reason, line_conflicts=gitfiles.merge_file(ours_path, base_path, theirs_path))
    base, ours, theirs = sides
    assert ours is not None and theirs is not None
    try:
        outcome = merging.merge(base, ours, theirs, path=path)
    except (ValueError, TrucetrackError) as error:  # a shape fmt cannot rewrite: let git merge the lines
        reason = f"cannot merge it by entry ({getattr(error, 'message', error)})"
        return MergeResult(path, fallback=reason, line_conflicts=gitfiles.merge_file(ours_path, base_path, theirs_path))
    merged = outcome.text.encode("utf-8")
    fsio.write_file(Path(ours_path), merged)
    found = [] if outcome.conflicts else merged_problems(merged, path, context)
    return MergeResult(
        path,
        conflicts=outcome.conflicts,
        problems=tuple(str(problem) for problem in found),
        earlier_current_to=outcome.earlier_current_to,
    )


# ---------------------------------------------------------------- set-up

# What git needs, per clone, to run trucetrack as the diff and merge driver of timeline files.
GIT_CONFIG = (
    ("diff.trucetrack.command", "trucetrack git-diff"),
    ("merge.trucetrack.name", "trucetrack: merge timelines by entry id"),
    ("merge.trucetrack.driver", "trucetrack merge-driver %O %A %B %P"),
)


@dataclass(frozen=True)
class SetupResult:
    """What ``git-setup`` changed: lines added to ``attributes``, config keys set (others were already so)."""

    attributes: str
    lines_added: tuple[str, ...]
    config_set: tuple[str, ...]


def git_setup(folder: str, pattern: str) -> SetupResult:
    """Make trucetrack the diff and merge driver of ``pattern`` in the repository holding ``folder``:
    the lines in its top ``.gitattributes`` (appended, the rest kept) and the keys in its config."""
    from trucetrack.store import fsio
    from trucetrack.store import git as gitfiles

    if not pattern or any(character.isspace() for character in pattern):
        raise BadValue(f"--pattern {pattern!r}: give one git pattern without spaces, such as '*.toml'")
    root = gitfiles.repository_root(folder)
    attributes = root / ".gitattributes"
    try:
        current = attributes.read_bytes().decode("utf-8")
    except FileNotFoundError:
        current = ""
    except (OSError, UnicodeDecodeError) as error:
        raise TrucetrackError(f"{attributes}: cannot read it: {error}") from None
    present = {" ".join(line.split()) for line in current.splitlines()}
    wanted = [f"{pattern} diff=trucetrack", f"{pattern} merge=trucetrack"]
    added = tuple(line for line in wanted if line not in present)
    if added:
        prefix = current if not current or current.endswith("\n") else current + "\n"
        fsio.write_file(attributes, (prefix + "\n".join(added) + "\n").encode("utf-8"))
    changed = tuple(key for key, value in GIT_CONFIG if gitfiles.set_config(root, key, value))
    return SetupResult(str(attributes), added, changed)
