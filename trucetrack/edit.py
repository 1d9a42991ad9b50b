"""Writing timeline files safely: append-only edits, atomic replacement, one writer at a time.

Every write of an existing file goes through ``rewrite``:

1. an exclusive lock (``flock``) on a companion lock file ``.<name>.lock`` in
   the same folder. Not on the file itself: the atomic rename gives the file
   a new inode, so a lock on the old one would protect nothing. A writer that
   got the lock checks that the lock file it holds is still the one at that
   path (the previous holder unlinks it on release, so no lock file is left
   behind in the repository);
2. under the lock, the file is read again and the change computed from what
   is there now, so concurrent writers serialise and none loses another's
   entry; the caller validates the whole result at that point;
3. the new bytes go to a temporary file in the same folder, which is
   fsynced, given the old file's mode, renamed over the file, and the folder
   is fsynced: a crash leaves the old file or the new one, never half of one.

A temporary file can only outlive a writer that was killed between creating
and renaming it; the next writer of that file, holding the lock, removes it.
Validation is passed in as a function (``check``) because this layer sits
below ``validate``.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from trucetrack import canonical, store
from trucetrack.errors import TrucetrackError
from trucetrack.model import Entry, Timeline

_PERMISSION_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)
MAX_SLUG = 60


class WriteError(TrucetrackError):
    """A file could not be written; it is left as it was."""


def _write_error(path: Path, exc: OSError, doing: str = "cannot write") -> WriteError:
    reason = exc.strerror or str(exc)
    if exc.errno in _PERMISSION_ERRNOS:
        reason += " (is the file or its folder read-only?)"
    return WriteError(f"{path}: {doing}: {reason}; the file is unchanged")


def _create_error(path: Path, exc: OSError, what: str = "it") -> WriteError:
    """A new file that could not be made: there is no old file to be unchanged."""
    reason = exc.strerror or str(exc)
    if exc.errno in _PERMISSION_ERRNOS:
        reason += " (is the folder read-only?)"
    return WriteError(f"{path}: cannot create {what}: {reason}")


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


_TEMP_SUFFIX = ".tmp"


def refuse_packaged(path: Path) -> None:
    """The bundled timeline is never written: neither the copy inside an installed
    package nor, in a source checkout or editable install, timelines/ itself."""
    try:
        if store.bundled_timeline_path().resolve() == path.resolve():
            raise TrucetrackError(f"{path}: the bundled timeline is never written; make your own with trucetrack init")
    except OSError:
        return


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    _UNLINK_LOCK = False
    _LOCK_FLAGS = os.O_RDWR | os.O_CREAT
else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    _UNLINK_LOCK = True
    # flock needs no write access: a lock file left by another user's crashed writer still opens.
    _LOCK_FLAGS = os.O_RDONLY | os.O_CREAT


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock for ``path`` (blocks while another writer holds it)."""
    lock = lock_path(path)
    while True:
        try:
            fd = os.open(lock, _LOCK_FLAGS, 0o644)
        except OSError as exc:
            raise _write_error(path, exc, "cannot take the lock") from None
        try:
            _lock_fd(fd)
            if _UNLINK_LOCK:
                held = os.fstat(fd)
                try:
                    current = os.stat(lock)
                except FileNotFoundError:
                    current = None
                if current is None or (current.st_ino, current.st_dev) != (held.st_ino, held.st_dev):
                    os.close(fd)  # the previous holder removed it: lock the new one
                    continue
        except BaseException:
            os.close(fd)
            raise
        break
    try:
        _remove_stale_temporaries(path)
        yield
    finally:
        if _UNLINK_LOCK:
            with contextlib.suppress(OSError):
                os.unlink(lock)
        os.close(fd)


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files of a writer that was killed mid-write (only ever made under this lock)."""
    prefix = _temp_prefix(path)
    try:
        names = [
            entry.name
            for entry in os.scandir(path.parent)
            if entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX)
        ]
    except OSError:
        return
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(path.parent / name)


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - folders cannot be opened on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temporary(path: Path, data: bytes, mode: int) -> str:
    """``data`` in a new fsynced temporary file next to ``path``; returns its name."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        if not hasattr(os, "fchmod"):  # pragma: no cover - Windows
            os.chmod(temporary, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def replace_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` (temp file, fsync, rename, fsync of the folder), keeping its mode.

    Call it holding ``locked(path)``. On failure the file is unchanged and no
    temporary file is left.
    """
    try:
        before = os.stat(path)
        temporary = _write_temporary(path, data, stat.S_IMODE(before.st_mode))
        try:
            if hasattr(os, "chown") and (before.st_uid, before.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):
                    os.chown(temporary, before.st_uid, before.st_gid)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _fsync_folder(path.parent)
    except OSError as exc:
        raise _write_error(path, exc) from None


def _target(path: Path) -> Path:
    """The real file behind ``path`` (a symlink is written through, not replaced)."""
    return Path(os.path.realpath(path))


def rewrite(path: Path, change: Callable[[bytes], bytes]) -> tuple[bytes, bytes]:
    """Under the lock, read ``path``, compute ``change(current)`` and write it if it differs.

    ``change`` runs while the lock is held, on the bytes as they are now; it
    raises to refuse (nothing is written). Returns (old bytes, new bytes).
    """
    target = _target(path)
    refuse_packaged(target)
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        raise _write_error(path, exc, "cannot read") from None
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteError(f"{path}: the file is read-only; the file is unchanged")
    with locked(target):
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise _write_error(path, exc, "cannot read") from None
        new = change(current)
        if new != current:
            replace_atomically(target, new)
    return current, new


def create(path: Path, data: bytes) -> None:
    """Write a new file at ``path``, refusing to overwrite anything there (also atomically)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _create_error(path, exc, "its folder") from None
    if path.exists() or path.is_symlink():
        raise TrucetrackError(f"{path}: already exists; init never overwrites a file")
    umask = os.umask(0)
    os.umask(umask)
    try:
        temporary = _write_temporary(path, data, 0o666 & ~umask)
        try:
            os.link(temporary, path)  # fails if something appeared at path meanwhile
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        _fsync_folder(folder)
    except FileExistsError:
        raise TrucetrackError(f"{path}: already exists; init never overwrites a file") from None
    except OSError as exc:
        raise _create_error(path, exc) from None


# ---------------------------------------------------------------- appending


def line_ending(raw: bytes) -> bytes:
    """The file's line ending: CRLF when its first line ends so, else LF."""
    first = raw.find(b"\n")
    return b"\r\n" if first > 0 and raw[first - 1 : first] == b"\r" else b"\n"


def append_block(raw: bytes, block: str) -> bytes:
    """``raw`` with ``block`` appended after one blank line; ``raw`` stays a prefix of the result."""
    newline = line_ending(raw)
    if not raw or raw == newline or raw.endswith(newline + newline):
        separator = b""
    elif raw.endswith(newline) or raw.endswith(b"\n"):
        separator = newline
    else:
        separator = newline + newline
    body = block.replace("\r\n", "\n").replace("\n", newline.decode("ascii")).encode("utf-8")
    return raw + separator + body


def lands_in_order(timeline: Timeline, entry_id: str) -> bool:
    """Whether the entry, appended last to its file, is where fmt would put it."""
    entry = timeline.entry(entry_id)
    if entry is None:
        return True
    key = canonical.sort_key(entry)
    return all(canonical.sort_key(other) <= key for other in timeline.entries if other.file == entry.file)


# ---------------------------------------------------------------- ids


def slugify(title: str) -> str:
    """An id made from a title: ``Geneva talks (May)`` -> ``geneva-talks-may``."""
    kept = []
    for char in unicodedata.normalize("NFKD", title):
        if unicodedata.combining(char):
            continue  # the accent of a decomposed letter: é -> e
        kept.append(char.lower() if char.isascii() and char.isalnum() else "-")
    slug = re.sub(r"-+", "-", "".join(kept)).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug.rfind("-", 0, MAX_SLUG + 1)
        slug = slug[: cut if cut > 0 else MAX_SLUG].strip("-")
    return slug


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-02``, ``base-03``... whichever is free (see ``id_after``)."""
    return id_after(base, taken, None, "")


def _numbered(base: str, suffix: str = "") -> Iterator[str]:
    """``base``, then ``base-02`` to ``base-99`` (two digits, so that they sort in number order)."""
    if not suffix:
        yield base
    for number in range(2, 100):
        yield f"{base}-{number:02d}{suffix}"


def id_after(base: str, taken: set[str], after: str | None, then: str, *, alternates: Sequence[str] = ()) -> str:
    """A free id that sorts after ``after`` (when given), made from ``base``.

    Entries that tie (see ``canonical.tie_key``) apply in file order and fmt
    sorts them by id, so an appended entry's id must sort after those it ties
    with. In order of preference: ``base``, ``base-02`` ... ``base-99``; then,
    for each alternate base A, ``A-02-THEN`` ... ``A-99-THEN`` (a termination
    after an extension the same day: ``s-ext-2025-02-01-02-end``); and last
    ``AFTER-then-THEN``, which sorts after ``after`` because it starts with it.
    """
    candidates = itertools.chain(_numbered(base), *(_numbered(alternate, f"-{then}") for alternate in alternates))
    for candidate in candidates:
        if candidate not in taken and (after is None or candidate > after):
            return candidate
    fallback = f"{after}-then-{then}" if after is not None else base
    for candidate in _numbered(fallback):
        if candidate not in taken:
            return candidate
    number = 100
    while f"{fallback}-{number}" in taken:
        number += 1
    return f"{fallback}-{number}"


def must_follow(timeline: Timeline, entry_id: str) -> Entry | None:
    """The entry of the same file that ``entry_id`` ties with and does not sort after, if any
    (the one with the greatest id): fmt would refuse to reorder them."""
    entry = timeline.entry(entry_id)
    if entry is None:
        return None
    tied = [other for other in canonical.tied_with(timeline, entry) if other.file == entry.file]
    latest = max(tied, key=lambda other: other.id, default=None)
    return latest if latest is not None and latest.id >= entry_id else None
