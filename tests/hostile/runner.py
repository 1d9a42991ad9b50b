"""Running one hostile case: the installed command in a subprocess, in a pinned
environment, with a time limit and a memory limit, and what its folder held
before and after.

The environment is exactly the one below plus the case's own variables, so the
result depends on nothing of the machine: not its zone, locale, terminal, home
or cache. Every process gets at most ``MEMORY_LIMIT`` of address space, so an
input that never ends (``/dev/zero``) fails fast instead of filling the
machine's memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 10  # seconds; every case finishes in well under one
MEMORY_LIMIT_KIB = 1024 * 1024  # 1 GiB of address space per command
AS_OF = "2025-06-10"
# Files bigger than this are compared by size and modification time, not hashed.
HASH_LIMIT = 16 * 1024 * 1024


def installed_command() -> list[str]:
    """The ``trucetrack`` console script of this interpreter's environment
    (``python -m trucetrack`` where there is none, e.g. a bare checkout)."""
    script = Path(sys.executable).with_name("trucetrack")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "trucetrack"]


def clean_environment(folder: Path, columns: int = 80, **extra: str) -> dict[str, str]:
    """What a cron job gives a command: a PATH, a home of its own, a UTF-8 locale, a
    UTC machine, a fixed width, the cache off (``extra`` adds or overrides)."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "COLUMNS": str(columns),
        "TRUCETRACK_CACHE": "off",
        **extra,
    }


def run_installed(
    folder: Path, *args: str, columns: int = 80, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The installed command run in ``folder`` under ``clean_environment``; output as bytes."""
    return subprocess.run(
        [*installed_command(), *args],
        cwd=folder,
        env=clean_environment(folder, columns, **(env or {})),
        capture_output=True,
        timeout=60,
        check=False,
    )


def run_installed_text(
    folder: Path, *args: str, columns: int = 80, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``run_installed`` with stdout and stderr read as text."""
    return subprocess.run(
        [*installed_command(), *args],
        cwd=folder,
        env=clean_environment(folder, columns, **(env or {})),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def limited(argv: list[str]) -> list[str]:
    """``argv`` run under the memory limit (``ulimit -v`` in a shell that then execs it)."""
    return ["bash", "-c", f'ulimit -v {MEMORY_LIMIT_KIB} && exec "$@"', "hostile-case", *argv]


def environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The pinned environment: UTF-8, UTC, 80 columns, no cache, a fixed as-of."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "COLUMNS": "80",
        "LINES": "40",
        "TRUCETRACK_CACHE": "off",
        "TRUCETRACK_AS_OF": AS_OF,
    }
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Outcome:
    """What a command did: its exit code (None when it had to be killed), its output."""

    exit_code: int | None
    stdout: bytes
    stderr: bytes
    note: str = ""  # what the runner had to do (time limit, kill)


def run(
    argv: list[str], cwd: Path, env: dict[str, str], *, stdin: bytes | None = None, timeout: float = TIMEOUT
) -> Outcome:
    try:
        done = subprocess.run(
            limited(argv),
            cwd=cwd,
            env=env,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return Outcome(None, exc.stdout or b"", exc.stderr or b"", f"killed after {timeout} s: it never finished")
    return Outcome(done.returncode, done.stdout, done.stderr)


# ---------------------------------------------------------------- what a folder holds


def describe(path: Path) -> str:
    """One entry of a folder as text: a file by its hash, a link by its target, a
    FIFO or device by its kind; never read through a link or from a special file."""
    info = path.lstat()
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return f"symlink -> {os.readlink(path)}"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return f"fifo inode {info.st_ino}"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"device {info.st_rdev}"
    if not stat.S_ISREG(mode):
        return f"other {stat.S_IFMT(mode)}"
    mode_bits = oct(stat.S_IMODE(mode))
    if info.st_size > HASH_LIMIT:
        return f"file {mode_bits} size {info.st_size} mtime {info.st_mtime_ns} inode {info.st_ino}"
    digest = hashlib.sha256()
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"file {mode_bits} sha256 {digest.hexdigest()}"


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (links not followed), by path relative to it."""
    entries: dict[str, str] = {}
    for root, folders, files in os.walk(folder):
        for name in sorted(folders + files):
            path = Path(root) / name
            entries[str(path.relative_to(folder))] = describe(path)
    return entries


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs between two snapshots, one line per path."""
    lines = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name, "(absent)"), after.get(name, "(absent)")
        if old != new:
            lines.append(f"{name}: {old} -> {new}")
    return lines


# ---------------------------------------------------------------- what output may hold

# C0 controls other than tab and newline, DEL, C1 controls, bidirectional overrides.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same characters as JSON writes them escaped (``\u001b``), which a JSON reader turns back into them.
ESCAPED_CONTROL = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]|206[6-9])")
# A problem: ``file:line: subject: message`` (``file:line:column:`` for TOML syntax), or a
# problem of the entry an edit would add, which has no line yet.
PROBLEM_LINE = re.compile(r"(?:[^\s:][^:]*:\d+(?::\d+)?: \S.*|new entry: \S.*)")
ERROR_LINE = re.compile(r"trucetrack: error: \S.*")


def controls(text: str, *, crlf: bool, json: bool) -> list[str]:
    """Control characters in ``text``, escaped for a message: CR of CRLF line ends allowed
    when ``crlf``; in JSON (``json``), also the escapes a JSON reader turns into them."""
    if crlf:
        text = text.replace("\r\n", "\n")
    found = [match.group() for match in CONTROL.finditer(text)]
    if json:
        found += [match.group() for match in ESCAPED_CONTROL.finditer(text)]
    return [ascii(item) for item in found]
