"""Timeline files as they were at a git revision, read with the ``git`` command.

Each call runs git in the folder of the file concerned, so paths may be
relative to the current directory and the repository is found the way git
finds it. Errors (no git, not a repository, an unknown revision) are
TrucetrackErrors with a message that says which.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from trucetrack.errors import TrucetrackError

_ABSENT_MARKERS = ("does not exist in", "exists on disk, but not in")


class GitError(TrucetrackError):
    """git could not answer: not installed, not a repository, or an unknown revision."""


def _git(args: list[str], folder: Path) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat"}
    try:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, check=False, env=environment)
    except FileNotFoundError:
        raise GitError("git is not installed (it is needed to read files at a revision)") from None
    except OSError as exc:
        raise GitError(f"cannot run git in {folder}: {exc.strerror or exc}") from None


def _message(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode("utf-8", "replace").strip().removeprefix("fatal: ")


def _folder_of(path: str) -> Path:
    """The folder git runs in for ``path``: the path itself when it is a folder, else its parent."""
    absolute = Path(os.path.abspath(path))
    folder = absolute if absolute.is_dir() else absolute.parent
    while not folder.is_dir() and folder != folder.parent:  # a deleted file's folder may be gone too
        folder = folder.parent
    return folder


def repository_root(path: str) -> Path:
    """The top folder of the repository holding ``path``."""
    folder = _folder_of(path)
    result = _git(["rev-parse", "--show-toplevel"], folder)
    if result.returncode != 0:
        raise GitError(f"{path}: not in a git repository ({_message(result)})")
    return Path(result.stdout.decode("utf-8").strip())


def resolve_revision(revision: str, path: str) -> str:
    """The commit id that ``revision`` names in the repository holding ``path``."""
    folder = _folder_of(path)
    repository_root(path)
    result = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], folder)
    if result.returncode != 0:
        raise GitError(f"unknown revision {revision!r} in the repository of {path}")
    return result.stdout.decode("ascii").strip()


def _spec(commit: str, path: str) -> tuple[Path, str]:
    """The folder to run git in for ``path`` and the object name of ``path`` in ``commit``.

    ``COMMIT:./PATH`` is relative to the folder git runs in, which exists even
    when ``path`` (a deleted file or folder) no longer does.
    """
    folder = _folder_of(path)
    relative = os.path.relpath(os.path.abspath(path), folder)
    return folder, f"{commit}:./{Path(relative).as_posix()}"


def read_at(revision: str, path: str) -> bytes | None:
    """The bytes of ``path`` at ``revision``, or None when the file did not exist there."""
    commit = resolve_revision(revision, path)
    folder, name = _spec(commit, path)
    result = _git(["show", "--no-textconv", name], folder)
    if result.returncode != 0:
        message = _message(result)
        if any(marker in message for marker in _ABSENT_MARKERS):
            return None
        raise GitError(f"{path}: cannot read it at {revision}: {message}")
    return result.stdout


def object_type_at(revision: str, path: str) -> str | None:
    """What ``path`` was at ``revision``: ``"blob"`` (a file), ``"tree"`` (a folder), or None (absent).

    Tells a file from a folder when the working copy no longer has the path.
    """
    commit = resolve_revision(revision, path)
    folder, name = _spec(commit, path)
    result = _git(["cat-file", "-t", name], folder)
    if result.returncode != 0:
        message = _message(result)
        if any(marker in message for marker in _ABSENT_MARKERS):
            return None
        raise GitError(f"{path}: cannot look it up at {revision}: {message}")
    return result.stdout.decode("ascii").strip()


def toml_files_at(revision: str, folder: str) -> list[str]:
    """The ``*.toml`` files directly in ``folder`` at ``revision``, in name order, as paths under ``folder``.

    Empty when the folder did not exist there; the folder need not exist in the working copy.
    """
    commit = resolve_revision(revision, folder)
    where, name = _spec(commit, folder)
    result = _git(["ls-tree", "-z", "--full-tree", name], where)  # the whole tree, not the part under the cwd
    if result.returncode != 0:
        message = _message(result)
        if any(marker in message for marker in _ABSENT_MARKERS):
            return []
        raise GitError(f"{folder}: cannot list it at {revision}: {message}")
    names: list[str] = []
    for record in result.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, entry = record.partition(b"\t")
        kind = meta.split(b" ")[1] if meta.count(b" ") >= 2 else b""
        text = entry.decode("utf-8", "surrogateescape")
        if kind == b"blob" and text.endswith(".toml"):
            names.append(text)
    return [os.path.join(folder, name) for name in sorted(names)]


def last_commit(path: str, at_or_before: datetime) -> str | None:
    """The last commit (on HEAD) at or before an instant that touched ``path``; None if there is none.

    For "the file as it was at a moment": pass the instant, then ``read_at``.
    """
    folder = _folder_of(path)
    repository_root(path)
    stamp = at_or_before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    relative = os.path.relpath(os.path.abspath(path), folder)
    result = _git(["rev-list", "-1", f"--before={stamp}", "HEAD", "--", relative], folder)
    if result.returncode != 0:
        message = _message(result)
        if "unknown revision" in message or "bad revision" in message:
            return None  # a repository without commits yet
        raise GitError(f"{path}: cannot read its history: {message}")
    commit = result.stdout.decode("ascii").strip()
    return commit or None


def merge_file(ours: str, base: str, theirs: str) -> int:
    """git's own line merge of three files into ``ours`` (``git merge-file``): the number of
    conflicts it left (capped by git at 127); needs no repository."""
    folder = _folder_of(ours)
    labels = ["-L", "ours", "-L", "base", "-L", "theirs"]
    paths = [os.path.abspath(name) for name in (ours, base, theirs)]
    result = _git(["merge-file", *labels, *paths], folder)
    if result.returncode < 0 or result.returncode > 127:
        raise GitError(f"git merge-file failed: {_message(result)}")
    return result.returncode


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class LoggedCommit:
    """One commit of ``git log`` for a path: who, when, why, and the path's names before and at it.

    ``path`` and ``old_path`` are relative to the top of the repository;
    ``old_path`` differs from ``path`` when the commit renamed the file.
    """

    commit: str
    parents: tuple[str, ...]
    date: str  # the author date, ISO 8601 with its offset
    author: str
    subject: str
    path: str | None = None
    old_path: str | None = None


_FIELD = "%x1f"
_RECORD = "%x1e"


def relative_to_root(path: str) -> tuple[Path, str]:
    """The repository of ``path`` and ``path`` relative to its top (``""`` for the top itself)."""
    root = repository_root(path)
    absolute = Path(os.path.realpath(os.path.abspath(path)))
    try:
        relative = absolute.relative_to(Path(os.path.realpath(root)))
    except ValueError:
        raise GitError(f"{path}: not inside the repository at {root}") from None
    text = relative.as_posix()
    return root, "" if text == "." else text


def log(root: Path, relative: str, *, follow: bool) -> list[LoggedCommit]:
    """The commits of HEAD that changed ``relative`` (a file or folder), newest first;
    ``follow``: a file followed across renames."""
    fields = _FIELD.join(("%H", "%P", "%aI", "%an", "%s"))
    arguments = ["-c", "core.quotePath=false", "log", f"--format={_RECORD}{fields}", "--name-status", "-M"]
    if follow:
        arguments.append("--follow")
    result = _git([*arguments, "HEAD", "--", relative or "."], root)
    if result.returncode != 0:
        message = _message(result)
        if "unknown revision" in message or "bad revision" in message or "does not have any commits" in message:
            return []
        raise GitError(f"{relative or root}: cannot read its history: {message}")
    commits: list[LoggedCommit] = []
    for record in result.stdout.decode("utf-8", "replace").split("\x1e"):
        if not record.strip():
            continue
        header, _, rest = record.partition("\n")
        commit, parents, date, author, subject = (header.split("\x1f") + [""] * 5)[:5]
        path = old_path = None
        for line in rest.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[0][:1] in ("R", "C"):
                old_path, path = parts[1], parts[2]
            elif len(parts) == 2 and path is None:
                path = old_path = parts[1]
        commits.append(LoggedCommit(commit, tuple(parents.split()), date, author, subject, path, old_path))
    return commits


def topological_order(root: Path) -> list[str]:
    """Every commit of HEAD, oldest first, parents before children."""
    result = _git(["rev-list", "--topo-order", "--reverse", "HEAD"], root)
    if result.returncode != 0:
        return []
    return result.stdout.decode("ascii").split()


def blob_at(root: Path, commit: str, relative: str) -> bytes | None:
    """The bytes of ``relative`` (from the top of the repository) in ``commit``; None when it is not a file there."""
    result = _git(["cat-file", "blob", f"{commit}:{relative}"], root)
    return result.stdout if result.returncode == 0 else None


def toml_names_at(root: Path, commit: str, folder: str) -> list[str]:
    """The ``*.toml`` files directly in ``folder`` (from the top) in ``commit``, as paths from the top, by name."""
    result = _git(["ls-tree", "-z", f"{commit}:{folder}"], root)
    if result.returncode != 0:
        return []
    names: list[str] = []
    for record in result.stdout.split(b"\0"):
        meta, _, entry = record.partition(b"\t")
        text = entry.decode("utf-8", "surrogateescape")
        if b" blob " in meta and text.endswith(".toml"):
            names.append(f"{folder}/{text}" if folder else text)
    return sorted(names)


def set_config(root: Path, key: str, value: str) -> bool:
    """Set ``key`` in the repository's own config (``.git/config``); False when it already had that value."""
    current = _git(["config", "--local", "--get", key], root)
    if current.returncode == 0 and current.stdout.decode("utf-8", "replace").rstrip("\n") == value:
        return False
    result = _git(["config", "--local", key, value], root)
    if result.returncode != 0:
        raise GitError(f"cannot set {key} in {root}: {_message(result)}")
    return True
