"""A cache of validated timelines, so repeated runs on unchanged files skip parsing.

People run ``trucetrack status`` many times a day and cron runs it on every
timeline; parsing and validating 10,000 entries costs about twice what
``tomllib.load`` does, while loading the validated model back costs a
fraction of it.

An entry is used only when everything that went into it is unchanged:
the paths as given (they are shown in output), the bytes of every file, the
trucetrack version and the source of the modules that build the model, and
the tz database files of the zones the timeline uses. Only valid timelines
are stored, one cache file per set of paths, written atomically by ``fsio``
(as every file trucetrack writes). Anything unexpected (an unreadable,
corrupt or foreign cache file, a failed write) is a miss, never an error:
the cache can always be deleted.

A cache folder may be shared or planted (``TRUCETRACK_CACHE_DIR`` pointing at
a folder others can write), so the cache holds data only: JSON arrays that
``cache_codec`` rebuilds into the model, never pickle or anything else that
can run code when read. Folders it creates are 0700 and files 0600; a folder
or file owned by another user, or writable by group or others, is not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path

from trucetrack import __version__
from trucetrack.core.model import Timeline
from trucetrack.store import cache_codec

# Modules whose code decides what a loaded Timeline holds, by name: a cache hit
# imports fewer modules than a build, so "the modules loaded so far" would not do.
MODEL_MODULES = (
    "trucetrack.core.model",
    "trucetrack.core.durations",
    "trucetrack.core.dates",
    "trucetrack.core.workdays",
    "trucetrack.store.reader",
    "trucetrack.store.cache",
    "trucetrack.store.cache_codec",
    "trucetrack.load.validate",
    "trucetrack.load.loader",
)
_FORMAT = 5


def _code_digest() -> str:
    """The version, the code of the model's modules (source or bytecode, whichever is
    installed) and the tz database version; raises when a module cannot be found."""
    import importlib.util

    digest = hashlib.blake2b(f"{__version__}:{_FORMAT}:{_tzdata_version()}".encode(), digest_size=16)
    for name in MODEL_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise LookupError(f"module {name} not found")
        digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()


def _tzdata_version() -> str:
    """The version of the tzdata package where zoneinfo may read from it (none: '')."""
    try:
        import tzdata  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return ""
    return str(getattr(tzdata, "IANA_VERSION", ""))


def _holidays_version(timeline: Timeline) -> str:
    """The holidays library's version for a timeline with a calendar (its data decides the
    ends counted in working days), else '' (the library is then never imported)."""
    if not any(source.calendar for source in timeline.files) and not any(e.calendar for e in timeline.entries):
        return ""
    from trucetrack.core.workdays import library_version

    return library_version()


def _zone_stamp(name: str) -> tuple[str, int] | None:
    """Where the zone's tz data lives and when it changed (None when not a file)."""
    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, name)
        try:
            return path, os.stat(path).st_mtime_ns
        except OSError:
            continue
    return None


def _trusted(status: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else: nobody else can have put it there."""
    return status.st_uid == os.geteuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _usable_folder(folder: Path) -> bool:
    """An existing folder only this user can write (a symlink to one is followed)."""
    try:
        status = folder.stat()
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and _trusted(status)


def _make_folder(folder: Path) -> None:
    """Create the cache folder and any missing parents 0700 (whatever the umask)."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        candidate.mkdir(mode=0o700, exist_ok=True)
        os.chmod(candidate, 0o700)


def _read_trusted(path: Path) -> bytes:
    """The bytes of a cache file that this user owns and only this user can write."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        status = os.fstat(descriptor)
        if not (stat.S_ISREG(status.st_mode) and _trusted(status)):
            raise PermissionError("not a trusted cache file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)


class TimelineCache:
    """Validated timelines on disk, keyed by what they were built from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file_for(self, paths: Sequence[str], bundled: bool) -> Path:
        name = hashlib.blake2b(repr((list(paths), bundled)).encode(), digest_size=16).hexdigest()
        return self.folder / f"{name}.json"

    @staticmethod
    def _fingerprint(contents: Sequence[bytes]) -> list[str]:
        return [_code_digest()] + [hashlib.blake2b(raw, digest_size=20).hexdigest() for raw in contents]

    def load(self, paths: Sequence[str], contents: Sequence[bytes], bundled: bool) -> Timeline | None:
        """The cached timeline for exactly these files and bytes, or None."""
        try:
            if not _usable_folder(self.folder):
                return None
            document = json.loads(_read_trusted(self._file_for(paths, bundled)))
            header = cache_codec.read_header(document)
            if not (isinstance(header, list) and len(header) == 3 and isinstance(header[1], list)):
                return None
            fingerprint, zones, holidays = header
            if fingerprint != self._fingerprint(contents):
                return None
            if any(_zone_stamp(name) != (stamp and tuple(stamp)) for name, stamp in zones):
                return None
            timeline = cache_codec.decode_timeline(document)
            if holidays != _holidays_version(timeline):
                return None  # ends in working days were counted with other holiday data
            return timeline
        except Exception:  # any unreadable, stale, crafted or foreign file is simply a miss
            return None

    def fetch(
        self, paths: Sequence[str], contents: Sequence[bytes], bundled: bool, build: Callable[[], Timeline]
    ) -> Timeline:
        """The cached timeline for these files, else ``build()``'s, which is then kept."""
        cached = self.load(paths, contents, bundled)
        if cached is not None:
            return cached
        timeline = build()
        self.store(paths, contents, bundled, timeline)
        return timeline

    def store(self, paths: Sequence[str], contents: Sequence[bytes], bundled: bool, timeline: Timeline) -> None:
        """Keep ``timeline`` for next time; failing to write is not an error."""
        try:
            zone_names = {source.zone for source in timeline.files} | {entry.zone for entry in timeline.entries}
            zones = [(name, _zone_stamp(name)) for name in sorted(zone_names)]
            header = [self._fingerprint(contents), zones, _holidays_version(timeline)]
            payload = cache_codec.encode(timeline, header)
            if not self.folder.exists():
                _make_folder(self.folder)
            if not _usable_folder(self.folder):
                return
            from trucetrack.store import fsio  # only when writing

            path = self._file_for(paths, bundled)
            if path.is_symlink():
                return
            fsio.write_file(path, payload, mode=0o600)
        except Exception:  # failing to keep a timeline only costs the next run a build
            return
