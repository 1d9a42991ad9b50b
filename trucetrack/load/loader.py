"""The one way a timeline is loaded: files named by paths, read, parsed and
validated, or taken from the cache when nothing that built it has changed.

Every command and every test fixture loads through here. ``read`` gives the
files as they are on disk (edits and fmt need the bytes); ``build`` parses and
validates them, collecting problems; ``load`` raises when there are any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from trucetrack.core import collector
from trucetrack.errors import InvalidTimeline
from trucetrack.store import files as disk

if TYPE_CHECKING:
    from trucetrack.core.model import Problem, Timeline
    from trucetrack.store.cache import TimelineCache
    from trucetrack.store.reader import RawDocument


@dataclass(frozen=True)
class Files:
    """The files a set of paths names, each with its bytes and the name output shows it by."""

    paths: tuple[str, ...]
    displays: tuple[str, ...]
    contents: tuple[bytes, ...]
    bundled: bool = False

    def replaced(self, index: int, raw: bytes) -> Files:
        """These files with the index-th holding ``raw`` instead (an edit, before it is written)."""
        return replace(self, contents=(*self.contents[:index], raw, *self.contents[index + 1 :]))


def read(paths: Sequence[str], *, bundled: bool = False) -> Files:
    """Files as given and directories as their ``*.toml`` (each file once), with their bytes."""
    names = disk.expand_paths(list(paths))
    return Files(
        tuple(names),
        tuple(disk.display_name(name, bundled) for name in names),
        tuple(disk.read_bytes(name) for name in names),
        bundled,
    )


def documents(files: Files) -> list[RawDocument]:
    """Each file parsed (problems collected, not raised)."""
    return [document(files, index) for index in range(len(files.paths))]


def document(files: Files, index: int) -> RawDocument:
    """The index-th file parsed (problems collected, not raised)."""
    from trucetrack.store.reader import parse_document

    return parse_document(files.contents[index], files.displays[index], bundled=files.bundled)


def build(files: Files, parsed: Sequence[RawDocument | None] = ()) -> tuple[Timeline, list[Problem]]:
    """The timeline of these files and every problem found in them.

    ``parsed`` may hold documents already parsed from these very bytes, by
    position (an edit parses the files to find ids, then validates them with
    its block in); the others (None, or past its end) are parsed here.
    Building consumes the documents: they are of no use afterwards.
    """
    from trucetrack.load.validate import build_timeline

    with collector.paused():
        return build_timeline([_parsed(files, parsed, index) for index in range(len(files.paths))])


def _parsed(files: Files, parsed: Sequence[RawDocument | None], index: int) -> RawDocument:
    known = parsed[index] if index < len(parsed) else None
    return known if known is not None else document(files, index)


def valid(files: Files) -> Timeline:
    """The timeline of these files; raises InvalidTimeline listing every problem."""
    timeline, problems = build(files)
    if problems:
        raise InvalidTimeline(problems)
    return timeline


def load(paths: Sequence[str], *, bundled: bool = False, cache: TimelineCache | None = None) -> Timeline:
    """Read and validate the files, through the cache when one is given."""
    files = read(paths, bundled=bundled)
    if cache is None:
        return valid(files)
    with collector.paused():
        return cache.fetch(list(files.paths), list(files.contents), bundled, lambda: valid(files))
