"""diff and git's external diff driver: what a change to a timeline means.

Both sides are loaded through the loader and compared by ``engine.semdiff``
as of --as-of, in the display zone. With ``--rev`` one side comes from git; a
file is compared with the other timeline files of its folder loaded too, as
context, since a modifier may target an entry in another file of its folder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from trucetrack.errors import BadValue, InvalidTimeline, TrucetrackError
from trucetrack.load import loader
from trucetrack.ops.context import Invocation, as_of_instant, display_zone, resolve_paths

if TYPE_CHECKING:
    from trucetrack.core.model import Problem, Timeline
    from trucetrack.engine.semdiff import SemanticDiff

GIT_ARGUMENTS = "PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE"
DEV_NULL = "/dev/null"


@dataclass(frozen=True)
class DiffResult:
    """The semantic difference from the side labelled ``old_label`` to ``new_label``."""

    diff: SemanticDiff
    old_label: str
    new_label: str

    @property
    def same(self) -> bool:
        return self.diff.same


@dataclass(frozen=True)
class LineDiff:
    """For a version that is not a valid timeline: why (its own first problem,
    rather than one of a context file), and a plain unified diff of the lines."""

    reason: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class GitDiffResult:
    """What the driver shows for one path: that it is unmerged (git passed the path
    alone), the semantic difference, or, when a side is not a valid timeline, a line diff."""

    old_label: str
    new_label: str
    unmerged: str | None = None
    diff: SemanticDiff | None = None
    line_diff: LineDiff | None = None


# A file as a diff reads it: its bytes and the name it is shown by.
Source = tuple[bytes, str]


@dataclass
class Side:
    """One side of a diff: the files compared, and the other timeline files of their folder.

    A modifier may target an entry in another file of its folder, so the
    folder's other files are loaded too (as context): on their own, such
    files would not be valid timelines.
    """

    main: list[Source]
    context: list[Source] = field(default_factory=list)


def diff(invocation: Invocation, paths: Sequence[str], rev: str | None) -> DiffResult:
    """OLD against NEW (files or folders), or with ``rev`` one PATH (default: the
    invocation's files) at that git revision against the working copy."""
    given = list(paths)
    if rev is None:
        if len(given) != 2:
            raise BadValue("diff needs OLD and NEW (files or folders), or --rev REV [PATH]")
        old_label, new_label = given
        old = loader.load([old_label])
        new = loader.load([new_label])
    else:
        if len(given) > 1:
            raise BadValue("diff --rev REV takes at most one PATH")
        targets = given or resolve_paths(invocation)[0]
        old_side, new_side = rev_sides(rev, targets)
        if not old_side.main and not new_side.main:
            raise TrucetrackError(f"{', '.join(targets)}: not found at {rev} nor in the working copy")
        old, new = side_timelines(old_side, new_side)
        old_label, new_label = f"{rev}:{' '.join(targets)}", " ".join(targets)
    return DiffResult(_compare(invocation, old, new), old_label, new_label)


def git_diff(invocation: Invocation, arguments: Sequence[str]) -> GitDiffResult:
    """The difference git asks its external diff driver for, given the arguments git passes."""
    from trucetrack.store import files as disk

    if len(arguments) == 1:
        return GitDiffResult(arguments[0], arguments[0], unmerged=arguments[0])
    if len(arguments) not in (7, 9):
        raise BadValue(f"git-diff takes the arguments git passes: {GIT_ARGUMENTS} (got {len(arguments)})")
    path, old_file, _, _, new_file, _, _ = arguments[:7]
    new_path = arguments[7] if len(arguments) == 9 else path
    old_label = DEV_NULL if old_file == DEV_NULL else f"a/{path}"
    new_label = DEV_NULL if new_file == DEV_NULL else f"b/{new_path}"
    old_raw = b"" if old_file == DEV_NULL else disk.read_bytes(old_file)
    new_raw = b"" if new_file == DEV_NULL else disk.read_bytes(new_file)
    # git runs the driver at the top of the work tree, where PATH is: the folder's other files are context.
    folder = os.path.dirname(new_path) or "."
    compared = {os.path.normpath(path), os.path.normpath(new_path)}
    siblings = [os.path.normpath(name) for name in disk.toml_files_in(folder)]
    context = _read_context([name for name in siblings if name not in compared])
    old_side = Side([] if old_file == DEV_NULL else [(old_raw, old_label)], context)
    new_side = Side([] if new_file == DEV_NULL else [(new_raw, new_label)], context)
    try:
        old, new = side_timelines(old_side, new_side)
    except InvalidTimeline as invalid:
        return GitDiffResult(
            old_label, new_label, line_diff=_line_diff(old_raw, new_raw, old_label, new_label, invalid)
        )
    renamed = {old_label: new_label} if DEV_NULL not in (old_label, new_label) else None
    return GitDiffResult(old_label, new_label, diff=_compare(invocation, old, new, renamed))


def _compare(
    invocation: Invocation, old: Timeline, new: Timeline, renamed: dict[str, str] | None = None
) -> SemanticDiff:
    from trucetrack.engine import semdiff

    zone = display_zone(invocation, new if new.files else old)
    return semdiff.compare(old, new, as_of_instant(invocation, zone), zone, renamed=renamed)


def _line_diff(old: bytes, new: bytes, old_label: str, new_label: str, invalid: InvalidTimeline) -> LineDiff:
    import difflib

    own = [problem for problem in invalid.problems if problem.file in (old_label, new_label)]
    first = str((own or list(invalid.problems))[0]) if invalid.problems else invalid.message
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(),
        new.decode("utf-8", "replace").splitlines(),
        old_label,
        new_label,
        lineterm="",
    )
    return LineDiff(first, tuple(lines))


# ---------------------------------------------------------------- the sides


def _build(sources: list[Source], *, in_name_order: bool) -> tuple[Timeline, list[Problem]]:
    if in_name_order:  # a folder loads in file name order
        sources = sorted(sources, key=lambda source: (PurePath(source[1]).name, source[1]))
    labels = tuple(label for _, label in sources)
    return loader.build(loader.Files(labels, labels, tuple(raw for raw, _ in sources)))


def _build_sides(old: Side, new: Side, *, with_context: bool) -> tuple[Timeline, Timeline]:
    """Both sides as timelines; the problems of both (new side first) when either is invalid."""
    built = [
        _build(side.main + side.context, in_name_order=bool(side.context))
        if with_context
        else _build(side.main, in_name_order=False)
        for side in (old, new)
    ]
    (old_timeline, old_problems), (new_timeline, new_problems) = built
    if old_problems or new_problems:
        raise InvalidTimeline(new_problems + old_problems)
    return old_timeline, new_timeline


def side_timelines(old: Side, new: Side) -> tuple[Timeline, Timeline]:
    """Both sides with their context; without it when that fails (a context file that is
    invalid, or that holds an entry the compared file also holds), raising the first failure."""
    try:
        return _build_sides(old, new, with_context=True)
    except InvalidTimeline as with_context:
        if not old.context and not new.context:
            raise
        failure = with_context
    try:
        return _build_sides(old, new, with_context=False)
    except InvalidTimeline:
        raise failure from None


def _timeline_sources(sources: list[Source]) -> list[Source]:
    from trucetrack.store.reader import looks_like_timeline

    return [source for source in sources if looks_like_timeline(source[0])]


def _read_context(names: list[str]) -> list[Source]:
    """Context files of the working copy; one that cannot be read is left out."""
    from trucetrack.store import files as disk

    sources: list[Source] = []
    for name in names:
        try:
            sources.append((disk.read_bytes(name), name))
        except TrucetrackError:
            continue
    return _timeline_sources(sources)


def rev_sides(revision: str, targets: Sequence[str]) -> tuple[Side, Side]:
    """``targets`` (files or folders) at ``revision`` and in the working copy, each a file or
    a folder as git has it at ``revision`` (the working copy may no longer have it); a file
    comes with the other timeline files of its folder, from the same revision or the working copy."""
    from trucetrack.store import files as disk
    from trucetrack.store import git as gitfiles

    old, new = Side([]), Side([])
    folders: list[str] = []
    for target in targets:
        kind = gitfiles.object_type_at(revision, target)
        old_names = gitfiles.toml_files_at(revision, target) if kind == "tree" else [target] if kind else []
        for name in old_names:
            raw = gitfiles.read_at(revision, name)
            if raw is not None:
                old.main.append((raw, f"{revision}:{name}"))
        new.main.extend((disk.read_bytes(name), name) for name in disk.present_files(target))
        if kind == "blob" or (kind is None and not os.path.isdir(target)):
            folders.append(os.path.dirname(target) or ".")
    compared = {os.path.normpath(label.removeprefix(f"{revision}:")) for _, label in old.main + new.main}
    compared |= {os.path.normpath(target) for target in targets}
    for folder in dict.fromkeys(folders):
        old_names = [
            name for name in gitfiles.toml_files_at(revision, folder) if os.path.normpath(name) not in compared
        ]
        for name in old_names:
            raw = gitfiles.read_at(revision, name)
            if raw is not None:
                old.context.append((raw, f"{revision}:{os.path.normpath(name)}"))
        new_names = [os.path.normpath(name) for name in disk.toml_files_in(folder)]
        new.context.extend(_read_context([name for name in new_names if name not in compared]))
    old.context = _timeline_sources(old.context)
    return old, new
