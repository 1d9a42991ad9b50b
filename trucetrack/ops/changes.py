"""What changed in the timeline files under git during a summary's window."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trucetrack.errors import TrucetrackError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from trucetrack.core.model import Timeline
    from trucetrack.engine.digest import GitChanges


def git_changes(inputs: list[str], since: datetime, as_of: datetime, zone: ZoneInfo) -> GitChanges | None:
    """What changed in the timeline files from the last commit before ``since`` to the last at or before as-of.

    ``inputs`` are the files and folders given (-f, $TRUCETRACK_FILE or
    ./timelines/); a folder is read as its ``*.toml`` at each commit, so
    files added or deleted in the window count. Both versions are loaded as
    one timeline each and compared by ``semdiff``. Revisions are those of the
    repository holding the first input that is in one, limited to the folder
    of the inputs; inputs outside it count as unchanged. None (no section)
    when no input is in a git repository or it had no commit by as-of.
    """
    from trucetrack.engine import digest, semdiff
    from trucetrack.load import loader
    from trucetrack.store import git as gitfiles

    absolute = [os.path.abspath(path) for path in inputs]
    root = None
    for path in absolute:
        try:
            root = gitfiles.repository_root(path).resolve()
            break
        except TrucetrackError:
            continue
    if root is None:
        return None
    tracked = [path for path in absolute if Path(path).resolve().is_relative_to(root)]
    folder = os.path.commonpath([path if os.path.isdir(path) else os.path.dirname(path) for path in tracked])
    try:
        new_revision = gitfiles.last_commit(folder, as_of)
        if new_revision is None:
            return None
        # The window is since < t <= as-of: a commit made exactly at `since` belongs
        # to the week before, so it is the old side here (git's --before includes it).
        old_revision = gitfiles.last_commit(folder, since)
    except TrucetrackError as error:
        return digest.GitChanges(None, None, None, error.message)

    def version(revision: str | None) -> Timeline:
        names: list[str] = []
        contents: list[bytes] = []
        for path, given in zip(absolute, inputs, strict=True):
            if path not in tracked:
                on_disk = loader.read([given])
                names += on_disk.paths
                contents += on_disk.contents
                continue
            if revision is None:
                continue
            in_git = gitfiles.toml_files_at(revision, given) if os.path.isdir(path) else [given]
            for name in in_git:
                raw = gitfiles.read_at(revision, name)
                if raw is not None:
                    names.append(name)
                    contents.append(raw)
        built, problems = loader.build(loader.Files(tuple(names), tuple(names), tuple(contents)))
        if problems:
            label = revision[:7] if revision else "the working copy"
            raise TrucetrackError(f"the files at {label} are not a valid timeline: {problems[0]}")
        return built

    try:
        old, new = version(old_revision), version(new_revision)
    except TrucetrackError as error:
        return digest.GitChanges(old_revision, new_revision, None, error.message)
    return digest.GitChanges(old_revision, new_revision, semdiff.compare(old, new, as_of, zone))
