"""Writing files safely: one writer at a time, and atomic replacement.

This is the one place that writes a file trucetrack keeps (a timeline, an
export, a cache entry), always the same way: the new bytes go to a temporary
file ``.NAME.XXXXXXXX.tmp`` in the same folder, which is fsynced, given the
mode the file should have, renamed over the file, and the folder is fsynced.
A crash leaves the old file or the new one, never half of one, and a failure
leaves no temporary file behind.

Every write of an existing timeline file goes through ``rewrite``:

1. an exclusive lock (``flock``) on a companion lock file ``.NAME.lock`` in
   the same folder. Not on the file itself: the atomic rename gives the file
   a new inode, so a lock on the old one would protect nothing. A writer that
   got the lock checks that the lock file it holds is still the one at that
   path (the previous holder unlinks it on release, so no lock file is left
   behind in the repository);
2. under the lock, the file is read again and the change computed from what
   is there now, so concurrent writers serialise and none loses another's
   entry; the caller validates the whole result at that point;
3. the atomic replacement above, keeping the file's mode (and owner, where
   that is allowed).

A temporary file can only outlive a writer that was killed between creating
and renaming it; the next writer of that file, holding the lock, removes it.
Validation is passed in as a function (``change``) because this layer sits
below the loader.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from trucetrack.errors import TrucetrackError
from trucetrack.store import files as disk

_PERMISSION_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)
_TEMP_SUFFIX = ".tmp"


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


def refuse_packaged(path: Path) -> None:
    """The bundled timeline is never written: neither the copy inside an installed
    package nor, in a source checkout or editable install, timelines/ itself."""
    try:
        if disk.bundled_timeline_path().resolve() == path.resolve():
            raise TrucetrackError(f"{path}: the bundled timeline is never written; make your own with trucetrack init")
    except OSError:
        return


# ---------------------------------------------------------------- the lock


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


# ---------------------------------------------------------------- the atomic writer


def _fsync_folder(folder: Path, *, strict: bool = True) -> None:
    """Make a rename durable; ``strict``: a folder that cannot be synced is an error."""
    if sys.platform == "win32":  # pragma: no cover - folders cannot be opened on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(fd)
    except OSError:
        if strict:
            raise
    finally:
        os.close(fd)


def _write_temporary(path: Path, data: bytes, mode: int) -> str:
    """``data`` in a new fsynced temporary file next to ``path``, with ``mode``; returns its name."""
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


def replace_atomically(
    path: Path,
    data: bytes,
    mode: int,
    *,
    owner: tuple[int, int] | None = None,
    strict_sync: bool = True,
    expect: bytes | None = None,
) -> None:
    """Put ``data`` at ``path`` (temporary file, fsync, rename, fsync of the folder) with ``mode``.

    ``owner`` (uid, gid) is given to the new file where that is allowed.
    Raises OSError; on failure ``path`` is unchanged and no temporary file is
    left. With ``strict_sync`` false, a folder that cannot be synced is not an
    error (the rename is done by then). With ``expect``, the file is read again
    right before the rename and nothing is written unless it still holds those
    bytes (``ChangedMeanwhile``).
    """
    temporary = _write_temporary(path, data, mode)
    try:
        if owner is not None and hasattr(os, "chown") and owner != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):
                os.chown(temporary, *owner)
        if expect is not None and _read_again(path) != expect:
            raise ChangedMeanwhile(path)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(path.parent, strict=strict_sync)


class ChangedMeanwhile(WriteError):
    """Another program (an editor that takes no lock) saved the file while an edit ran."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path}: the file changed while trucetrack was editing it (another program saved it); "
            "nothing was written, so that change is kept: run the command again"
        )


def _read_again(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _new_file_mode() -> int:
    """The mode ``open`` gives a new file: 0666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def read_only(mode: int) -> bool:
    """A file no one may write (no write bit at all) is not replaced, even by root,
    who could: its owner marked it so (``chmod a-w``)."""
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def write_file(path: Path, data: bytes, *, new_mode: int | None = None, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically, or create it (export -o, the cache).

    An existing file keeps its mode unless ``mode`` is given; a new one gets
    ``mode`` or ``new_mode``, else the usual permissions (0666 less the umask).
    A symlink is written through (the file it points to is replaced). A FIFO or
    a device (``-o /dev/stdout``, ``-o /dev/null``, a named pipe) is written
    into in place: replacing it with a regular file would break whatever reads
    it, and as root could break the machine. On any failure ``path`` is left
    as it was.
    """
    target = Path(os.path.realpath(path))

    def failed(exc: OSError) -> WriteError:
        return WriteError(f"{path}: cannot write: {exc.strerror or exc}")

    try:
        status = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise failed(exc) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise WriteError(f"{path}: is a folder; give a file name")
    if status is not None and not stat.S_ISREG(status.st_mode):
        try:
            _write_in_place(target, data)
        except OSError as exc:
            raise failed(exc) from None
        return
    if status is not None and read_only(status.st_mode):
        # The rename would go through (the folder is writable), but the file says no.
        raise WriteError(f"{path}: the file is read-only; the file is unchanged")
    if mode is None:
        if status is not None:
            mode = stat.S_IMODE(status.st_mode)
        else:
            mode = new_mode if new_mode is not None else _new_file_mode()
    try:
        replace_atomically(target, data, mode, strict_sync=False)
    except OSError as exc:
        raise failed(exc) from None


def _write_in_place(target: Path, data: bytes) -> None:
    """Write into a FIFO or device as it is (a FIFO waits for its reader)."""
    descriptor = os.open(target, os.O_WRONLY | os.O_NOCTTY)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def _target(path: Path) -> Path:
    """The real file behind ``path`` (a symlink is written through, not replaced)."""
    return Path(os.path.realpath(path))


def rewrite(path: Path, change: Callable[[bytes], bytes]) -> tuple[bytes, bytes]:
    """Under the lock, read ``path``, compute ``change(current)`` and write it if it differs.

    ``change`` runs while the lock is held, on the bytes as they are now; it
    raises to refuse (nothing is written). A program that does not take the
    lock (an editor) may still save meanwhile: the file is read again just
    before the rename, and if it changed nothing is written (``ChangedMeanwhile``).
    Returns (old bytes, new bytes).
    """
    target = _target(path)
    refuse_packaged(target)
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        raise _write_error(path, exc, "cannot read") from None
    if read_only(mode):
        raise WriteError(f"{path}: the file is read-only; the file is unchanged")
    with locked(target):
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise _write_error(path, exc, "cannot read") from None
        new = change(current)
        if new != current:
            try:
                before = os.stat(target)
                owner = (before.st_uid, before.st_gid)
                replace_atomically(target, new, stat.S_IMODE(before.st_mode), owner=owner, expect=current)
            except OSError as exc:
                raise _write_error(target, exc) from None
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
    try:
        temporary = _write_temporary(path, data, _new_file_mode())
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
