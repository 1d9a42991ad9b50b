"""Timeline files on disk: which files a set of paths names, their bytes, and
how each is named in output. The bundled timeline is found here too."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from trucetrack.core.text import visible
from trucetrack.errors import TrucetrackError

BUNDLED_NAME = "us-china-2025.toml"

# No timeline comes near this; a file beyond it is a mistake (a disk image, a log,
# a symlink to a device) that would otherwise be read whole into memory.
MAX_INPUT_BYTES = 256 * 1024 * 1024


def bundled_timeline_path() -> Path:
    """The US–China timeline shipped with the package.

    An installed wheel carries it as package data; a source checkout (or an
    editable install) reads it from the repository's ``timelines/`` folder.
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / "data" / BUNDLED_NAME
    if packaged.is_file():
        return packaged
    return package.parent / "timelines" / BUNDLED_NAME


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, directories as their ``*.toml`` in sorted name order;
    a file named twice (``-f a.toml -f .``) is read once."""
    expanded: list[str] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        try:
            path.stat()
        except FileNotFoundError:
            raise TrucetrackError(f"{raw}: no such file or directory") from None
        except OSError as exc:
            raise TrucetrackError(f"{raw}: cannot read: {exc.strerror or exc}") from None
        if path.is_dir():
            # Not only regular files: a FIFO or a device named *.toml is refused when read,
            # instead of being skipped without a word.
            found = sorted(p for p in path.iterdir() if p.suffix == ".toml" and not p.is_dir())
            if not found:
                raise TrucetrackError(f"{raw}: directory holds no *.toml timeline files")
            files = [(str(p), p) for p in found]
        else:
            files = [(raw, path)]
        for shown, file in files:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                expanded.append(shown)
    return expanded


def read_bytes(path: str) -> bytes:
    """The bytes of a timeline file, refusing what is not a plain file before reading it.

    A FIFO would block forever and a device (``/dev/zero``, also through a
    symlink) never ends, so both are refused, as is a file over
    ``MAX_INPUT_BYTES``. ``/dev/null`` reads as an empty file: git passes it
    for the missing side of an added or deleted file. The file is opened
    without blocking and checked on the opened descriptor, so what is checked
    is what is read, and reading stops past the limit if the file grows.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise TrucetrackError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            if _is_dev_null(status):
                return b""
            raise TrucetrackError(f"{path}: {_not_a_file(status.st_mode)}; give a timeline file (*.toml)")
        if status.st_size > MAX_INPUT_BYTES:
            raise TrucetrackError(f"{path}: {_too_large(status.st_size)}")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise TrucetrackError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_INPUT_BYTES:
        raise TrucetrackError(f"{path}: {_too_large(len(data))}")
    return data


def _is_dev_null(status: os.stat_result) -> bool:
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(status.st_mode) and status.st_rdev == null.st_rdev


def _not_a_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file; trucetrack does not read from pipes"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is not a regular file"


def _too_large(size: int) -> str:
    limit = MAX_INPUT_BYTES // (1024 * 1024)
    return f"is {size / (1024 * 1024):.0f} MiB, over the {limit} MiB limit for a timeline file; is it the right file?"


def display_name(path: str, bundled: bool) -> str:
    """How a file is named in output: as given, or by name alone for the bundled one
    (so output is the same on every machine). Characters a file name may hold
    but output cannot show (a newline, a byte that is not UTF-8) are escaped."""
    return visible(Path(path).name if bundled else path)


def toml_files_in(folder: str) -> list[str]:
    """The ``*.toml`` files directly in ``folder``, in name order; none when it is
    not a folder or cannot be read (a diff's context files, which may be missing)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        path
        for path in (os.path.join(folder, name) for name in names if name.endswith(".toml"))
        if os.path.isfile(path)
    ]


def present_files(path: str) -> list[str]:
    """The timeline files ``path`` names now: a folder's ``*.toml``, the file, or none
    when nothing is there (a file deleted since the revision a diff compares with)."""
    if os.path.isdir(path):
        return toml_files_in(path)
    return [path] if os.path.exists(path) else []
