"""history: the life of one entry in git, commit by commit.

The timeline's files (``-f`` or the default resolution: files and folders)
are read as they were at each commit of HEAD that touched them (a file is
followed across renames; a folder is read whole at each commit), and the
entry is compared there with the commit's parent by ``engine.semdiff``:
added, each field changed, its effective end moved (by its own edit or by a
modifier added anywhere in the timeline), removed. A commit that does not
change the entry is left out; a merge only when it differs from every
parent. Effective ends are worked out as of --as-of; every commit counts,
whatever its date.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

from trucetrack.errors import TrucetrackError
from trucetrack.load import loader
from trucetrack.ops.context import Invocation, as_of_instant, did_you_mean, display_zone, resolve_paths

if TYPE_CHECKING:
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from trucetrack.core.model import Timeline
    from trucetrack.engine.semdiff import Change, EndMove, EntryNote, SemanticDiff
    from trucetrack.store.git import LoggedCommit


@dataclass(frozen=True)
class EntryChange:
    """One thing a commit changed about the entry: ``kind`` "added" or "removed" (``note``), "field"
    (``field``), or "end", its effective end moved (``move``), ``by`` the modifiers added or
    changed in that commit, or as the modifiers in ``removed`` were taken out."""

    kind: str
    note: EntryNote | None = None
    field: Change | None = None
    move: EndMove | None = None
    by: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryStep:
    """One commit that changed the entry, and what it changed."""

    commit: str
    date: str
    author: str
    subject: str
    changes: tuple[EntryChange, ...]


@dataclass(frozen=True)
class HistoryResult:
    id: str
    as_of: datetime
    zone: ZoneInfo
    steps: tuple[HistoryStep, ...]


@dataclass
class _Target:
    """One path of the timeline: a file (followed across renames) or a folder, relative to the top."""

    display: str
    relative: str
    folder: bool
    log: dict[str, LoggedCommit]
    current: str | None = None  # a file's name at the commit being read


class _Reader:
    """The timeline at each commit, each read once."""

    def __init__(self, root: Path, targets: list[_Target]) -> None:
        self.root = root
        self.targets = targets
        self.cache: dict[tuple[str, tuple[str | None, ...]], Timeline | None] = {}

    def timeline(self, commit: str, names: tuple[str | None, ...]) -> Timeline | None:
        """The timeline of the targets at ``commit`` (a file target under the name in ``names``);
        None when it is not a valid timeline there. No file at all is an empty timeline."""
        key = (commit, names)
        if key not in self.cache:
            self.cache[key] = self._read(commit, names)
        return self.cache[key]

    def _read(self, commit: str, names: tuple[str | None, ...]) -> Timeline | None:
        from trucetrack.core.model import Timeline
        from trucetrack.store import git as gitfiles

        sources: list[tuple[bytes, str]] = []
        folders: list[tuple[str, str]] = []  # (folder, file) of each file target: its siblings may be context
        for target, name in zip(self.targets, names, strict=True):
            if target.folder:
                for found in gitfiles.toml_names_at(self.root, commit, target.relative):
                    raw = gitfiles.blob_at(self.root, commit, found)
                    if raw is not None:
                        sources.append((raw, os.path.join(target.display, PurePath(found).name)))
                continue
            raw = gitfiles.blob_at(self.root, commit, name) if name is not None else None
            if name is None or raw is None:
                continue
            sources.append((raw, target.display))
            parent = str(PurePath(name).parent)
            folders.append(("" if parent == "." else parent, name))
        if not sources:
            return Timeline((), (), ())
        timeline = _build(sources)
        if timeline is None and folders:  # a modifier may target an entry in another file of the folder
            context = self._context(commit, folders)
            if context:
                timeline = _build(sources + context)
        return timeline

    def _context(self, commit: str, folders: list[tuple[str, str]]) -> list[tuple[bytes, str]]:
        from trucetrack.store import git as gitfiles
        from trucetrack.store.reader import looks_like_timeline

        given = {name for _, name in folders}
        context: list[tuple[bytes, str]] = []
        for folder in dict.fromkeys(folder for folder, _ in folders):
            for sibling in gitfiles.toml_names_at(self.root, commit, folder):
                raw = gitfiles.blob_at(self.root, commit, sibling) if sibling not in given else None
                if raw is not None and looks_like_timeline(raw):
                    context.append((raw, sibling))
        return context


def _build(sources: list[tuple[bytes, str]]) -> Timeline | None:
    sources = sorted(sources, key=lambda source: (PurePath(source[1]).name, source[1]))
    labels = tuple(label for _, label in sources)
    timeline, problems = loader.build(loader.Files(labels, labels, tuple(raw for raw, _ in sources)))
    return None if problems else timeline


def _targets(invocation: Invocation) -> tuple[Path, list[_Target]]:
    from trucetrack.store import git as gitfiles

    paths, bundled = resolve_paths(invocation)
    if bundled:  # in a folder below the top of the repository: its timelines/, as at the top
        paths = _top_timelines()
        bundled = not paths
    if bundled:
        raise TrucetrackError(
            "history reads a timeline kept in git, and the bundled timeline is not: give -f FILE "
            "(a timeline file or folder in a git repository)"
        )
    root: Path | None = None
    targets: list[_Target] = []
    for path in paths:
        here, relative = gitfiles.relative_to_root(path)
        if root is not None and here != root:
            raise TrucetrackError(f"{path}: in another repository than {paths[0]}; history reads one repository")
        root = here
        folder = os.path.isdir(path) or (not os.path.exists(path) and not path.endswith(".toml"))
        commits = gitfiles.log(here, relative, follow=not folder)
        if not commits:
            raise TrucetrackError(f"{path}: not under git (no commit of HEAD holds it)")
        targets.append(_Target(path, relative, folder, {c.commit: c for c in commits}))
    assert root is not None
    return root, targets


def _top_timelines() -> list[str]:
    """``timelines/`` at the top of the repository holding the current folder, if there is one."""
    from trucetrack.store import git as gitfiles

    try:
        root = gitfiles.repository_root(".")
    except TrucetrackError:
        return []
    folder = root / "timelines"
    return [os.path.relpath(folder)] if folder.is_dir() else []


def history(invocation: Invocation, entry_id: str) -> HistoryResult:
    """Each commit that changed entry ``entry_id``, oldest first."""
    from trucetrack.store import git as gitfiles

    root, targets = _targets(invocation)
    touched = {commit for target in targets for commit in target.log}
    order = [commit for commit in gitfiles.topological_order(root) if commit in touched]
    reader = _Reader(root, targets)
    records = {commit: record for target in targets for commit, record in target.log.items()}

    # The names of each file at each commit, oldest first: a file keeps its name until a commit renames it.
    walk: list[tuple[str, tuple[str | None, ...], tuple[str | None, ...]]] = []
    for commit in order:
        names_before: list[str | None] = []
        names_after: list[str | None] = []
        for target in targets:
            logged = target.log.get(commit)
            if target.folder:
                names_before.append(None)
                names_after.append(None)
                continue
            if logged is not None and logged.path is not None:
                names_before.append(logged.old_path)
                target.current = logged.path
            else:
                names_before.append(target.current)
            names_after.append(target.current)
        walk.append((commit, tuple(names_before), tuple(names_after)))

    newest = next((reader.timeline(c, names) for c, _, names in reversed(walk) if reader.timeline(c, names)), None)
    zone = display_zone(invocation, newest) if newest is not None and newest.files else None
    if zone is None:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo("UTC")
    as_of = as_of_instant(invocation, zone)

    steps: list[HistoryStep] = []
    known: set[str] = set()
    last_valid = _empty()  # what a commit is compared with when its parent's timeline is not valid
    for commit, before, after in walk:
        record = records[commit]
        new = reader.timeline(commit, after)
        if new is None:
            continue
        known.update(entry.id for entry in new.entries)
        parents = record.parents or ("",)
        described: list[tuple[EntryChange, ...]] = []
        for parent in parents:
            old = reader.timeline(parent, before) if parent else _empty()
            described.append(_entry_changes(old if old is not None else last_valid, new, entry_id, as_of, zone))
        last_valid = new
        if described and all(described):
            steps.append(HistoryStep(commit, record.date, record.author, record.subject, described[0]))
    if not steps and entry_id not in known:
        raise TrucetrackError(
            f"no entry {entry_id!r} in the history of {', '.join(t.display for t in targets)}"
            + did_you_mean(entry_id, sorted(known))
        )
    return HistoryResult(entry_id, as_of, zone, tuple(steps))


def _empty() -> Timeline:
    from trucetrack.core.model import Timeline

    return Timeline((), (), ())


def _entry_changes(
    old: Timeline, new: Timeline, entry_id: str, as_of: datetime, zone: ZoneInfo
) -> tuple[EntryChange, ...]:
    """What changed about one entry from ``old`` to ``new`` (empty when nothing did)."""
    from trucetrack.engine import semdiff

    before, after = old.entry(entry_id), new.entry(entry_id)
    if before is None and after is None:
        return ()
    diff = semdiff.compare(old, new, as_of, zone)
    return tuple(_words(diff, old, new, entry_id))


def _words(diff: SemanticDiff, old: Timeline, new: Timeline, entry_id: str) -> list[EntryChange]:
    changes: list[EntryChange] = [EntryChange("added", note=note) for note in diff.added if note.id == entry_id]
    changes.extend(EntryChange("removed", note=note) for note in diff.removed if note.id == entry_id)
    changes.extend(EntryChange("field", field=change) for change in diff.changed if change.subject == entry_id)
    for move in diff.ends_moved:
        if move.id == entry_id:
            by = _modifiers_changed(old, new, entry_id)
            gone = () if by else _modifiers_removed(old, new, entry_id)
            changes.append(EntryChange("end", move=move, by=tuple(by), removed=tuple(gone)))
    return changes


def _modifiers_changed(old: Timeline, new: Timeline, entry_id: str) -> list[str]:
    """Modifiers of ``entry_id`` that are new in ``new`` or changed there."""
    previous = {entry.id: entry for entry in old.entries}
    names: list[str] = []
    for entry in new.entries:
        if entry.is_modifier and entry.target == entry_id:
            before = previous.get(entry.id)
            if before is None or before.target != entry.target or _effect(before) != _effect(entry):
                names.append(entry.id)
    return names


def _effect(entry: object) -> tuple[object, ...]:
    return tuple(getattr(entry, key, None) for key in ("kind", "date", "end", "by"))


def _modifiers_removed(old: Timeline, new: Timeline, entry_id: str) -> list[str]:
    present = {entry.id for entry in new.entries}
    return [
        entry.id for entry in old.entries if entry.is_modifier and entry.target == entry_id and entry.id not in present
    ]
