"""fmt: timeline files rewritten in canonical form, keeping every comment.

fmt refuses, writing nothing, a timeline that is invalid, a file whose
comments it cannot place, and a result that would mean something else than
the file did; the files given are validated together. The bundled timeline
is never written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from trucetrack.errors import InvalidTimeline, TrucetrackError
from trucetrack.load import loader
from trucetrack.ops.context import Invocation, resolve_paths

BUNDLED_REFUSAL = (
    "the bundled timeline is never written: create your own with 'trucetrack init timelines/NAME.toml', or give -f FILE"
)


def refuse_bundled(bundled: bool, *, writes: bool) -> None:
    """The bundled timeline may be read (fmt --check, an edit's --dry-run), never written."""
    if bundled and writes:
        raise TrucetrackError(BUNDLED_REFUSAL)


@dataclass(frozen=True)
class FmtResult:
    """What fmt found (``check``) or did.

    ``changed`` names (as shown) the files that would change, or were
    reformatted; ``canonical`` counts the others. ``failure`` is what stopped
    fmt after it had reformatted the files in ``changed`` (the rest are as
    they were); it is raised once the result is shown.
    """

    check: bool
    changed: tuple[str, ...]
    canonical: int
    failure: TrucetrackError | None = None


def fmt(invocation: Invocation, check: bool) -> FmtResult:
    """Reformat the files the invocation names, or (``check``) say which would change."""
    from trucetrack.store import fsio

    paths, bundled = resolve_paths(invocation)
    refuse_bundled(bundled, writes=not check)
    files = loader.read(paths, bundled=bundled)
    formatted = canonical_contents(files)
    changed = [index for index, raw in enumerate(formatted) if raw != files.contents[index]]
    canonical = len(files.paths) - len(changed)
    if check:
        return FmtResult(True, tuple(files.displays[index] for index in changed), canonical)
    done: list[str] = []
    for index in changed:
        display = files.displays[index]
        try:
            fsio.rewrite(Path(files.paths[index]), _Unless(files.contents[index], formatted[index], display))
        except TrucetrackError as failure:
            return FmtResult(False, tuple(done), canonical, failure)
        done.append(display)
    return FmtResult(False, tuple(done), canonical)


def canonical_contents(files: loader.Files) -> list[bytes]:
    """The canonical bytes of each of ``files``; raises, writing nothing, where fmt refuses.

    The timeline is built here and let go once what formatting needs of it
    is kept, so that it is freed before the formatted files are read back:
    two timelines are never in memory at once.

    That formatting keeps the meaning is checked cheaply first: when each
    formatted file parses to the same values, of the same types, as the file
    did (events and keys may move), it means what the file meant. Only when
    the values differ is the result validated and compared entry by entry.
    """
    from trucetrack.store import canonical

    documents = loader.documents(files)
    values = [canonical.values_digest(document.data) for document in documents]
    timeline, problems = loader.build(files, documents)
    del documents
    if problems:
        raise InvalidTimeline(problems)
    begins = canonical.begins_of(timeline)
    del timeline
    formatted = [
        canonical.canonical_bytes(raw, begins, path=display)
        for raw, display in zip(files.contents, files.displays, strict=True)
    ]
    del begins
    if formatted == list(files.contents):  # an unchanged file means what it meant
        return formatted
    reformatted = replace(files, contents=tuple(formatted))
    if all(
        value is not None and value == canonical.values_digest(loader.document(reformatted, index).data)
        for index, value in enumerate(values)
    ):
        return formatted
    meaning = canonical.Meaning.of(loader.valid(files))
    new_timeline, problems = loader.build(reformatted)
    difference = "it would not be valid" if problems else meaning.difference(canonical.Meaning.of(new_timeline))
    del new_timeline
    if difference:
        raise canonical.MeaningChanged(f"not formatted, because formatting would change the meaning: {difference}")
    return formatted


def refusal(files: loader.Files) -> str | None:
    """Why fmt would refuse these files as they are (None when it would format them)."""
    try:
        canonical_contents(files)
    except InvalidTimeline as invalid:
        return invalid.details[0] if invalid.details else invalid.message
    except TrucetrackError as error:
        return error.message
    return None


@dataclass(frozen=True)
class _Unless:
    """The change fmt makes to one file: ``result``, provided the file still holds
    ``expected``, the bytes that were formatted."""

    expected: bytes
    result: bytes
    display: str

    def __call__(self, current: bytes) -> bytes:
        if current != self.expected:
            raise TrucetrackError(f"{self.display}: changed while it was being formatted; run trucetrack fmt again")
        return self.result
