"""Timeline files on disk: which files a set of paths names, their bytes, and
how each is named in output. The bundled timeline is found here too."""

from __future__ import annotations

import os
from pathlib import Path

from trucetrack.errors import TrucetrackError

BUNDLED_NAME = "us-china-2025.toml"


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
            found = sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file())
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
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TrucetrackError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def display_name(path: str, bundled: bool) -> str:
    """How a file is named in output: as given, or by name alone for the bundled one
    (so output is the same on every machine)."""
    return Path(path).name if bundled else path


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
