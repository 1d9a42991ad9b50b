"""The cache holds data only and trusts only what its owner alone could have written.

A cache folder can be shared (``TRUCETRACK_CACHE_DIR`` on a team machine) or
planted, so a file found there must never run code when read, a crafted one
must never crash a command, and files or folders that someone else could have
written are not used.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BUNDLED
from trucetrack.errors import InvalidTimeline
from trucetrack.load.loader import load as load_timeline
from trucetrack.store import cache_codec
from trucetrack.store.cache import TimelineCache

BODY = """
[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva truce"
start = 2025-05-14T00:01:00
duration = "90d"
sources = ["https://example.org/a"]
"""

TRUCETRACK = shutil.which("trucetrack") or ""
OTHER_UID = 4242


class Planted:
    """A pickle that, if ever unpickled, creates the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def run(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRUCETRACK_CACHE_DIR": str(cache), "TZ": "UTC", "COLUMNS": "80"}
    env.pop("TRUCETRACK_CACHE", None)
    command = [TRUCETRACK] if TRUCETRACK else [sys.executable, "-m", "trucetrack"]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_a_planted_pickle_never_runs(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = write_timeline(BODY)
    cache = tmp_path / "cache"
    args = ["status", "-f", str(path), "--as-of", "2025-06-01", "--format", "json"]
    first = run(args, cache)
    assert first.returncode == 0, first.stderr
    (cache_file,) = cache.glob("*.json")
    marker = tmp_path / "pwned"
    for target in (cache_file, cache_file.with_suffix(".pickle")):
        target.write_bytes(pickle.dumps(Planted(marker)))
        os.chmod(target, 0o600)
    again = run(args, cache)
    assert not marker.exists(), "the cache ran code from a planted file"
    assert again.returncode == 0 and again.stdout == first.stdout and "Traceback" not in again.stderr


CRAFTED = [
    b"",
    b"null",
    b"[]",
    b'["trucetrack-cache-2"]',
    b'["trucetrack-cache-2", [], [], [], [], []]',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
    b"\xff\xfe not json",
    b"1" * 5000,
]


@pytest.mark.parametrize("payload", CRAFTED, ids=range(len(CRAFTED)))
def test_crafted_cache_files_are_misses(write_timeline: Callable[..., Path], tmp_path: Path, payload: bytes) -> None:
    path = str(write_timeline(BODY))
    cache = TimelineCache(tmp_path / "c")
    expected = load_timeline([path], cache=cache)
    (cache_file,) = (tmp_path / "c").glob("*.json")
    cache_file.write_bytes(payload)
    assert cache.load([path], [Path(path).read_bytes()], False) is None
    assert load_timeline([path], cache=cache) == expected


def test_a_document_with_the_right_key_but_wrong_values_is_a_miss(
    write_timeline: Callable[..., Path], tmp_path: Path
) -> None:
    path = str(write_timeline(BODY))
    cache = TimelineCache(tmp_path / "c")
    expected = load_timeline([path], cache=cache)
    (cache_file,) = (tmp_path / "c").glob("*.json")
    document = json.loads(cache_file.read_bytes())
    for damage in ("id", "start", "rate", "warn", "warn table", "column", "count"):
        broken = json.loads(json.dumps(document))
        columns = broken[6]  # one per field of Entry
        if damage == "id":
            columns[0][0] = 7
        elif damage == "start":
            columns[9][0] = "2025-05-14"
        elif damage == "rate":
            columns[18][0] = "10%"
        elif damage == "warn":
            columns[14][1][0] = 5  # a position past the end of the table of durations
        elif damage == "warn table":
            columns[14][0][0] = [0, "14", 0, "14d"]
        elif damage == "column":
            columns.append(["extra"])
        else:
            broken[5] += 1
        cache_file.write_text(json.dumps(broken))
        assert cache.load([path], [Path(path).read_bytes()], False) is None, damage
    assert load_timeline([path], cache=cache) == expected


GOLDEN_FILES = sorted((Path(__file__).parents[1] / "golden" / "files").glob("*.toml"))


@pytest.mark.parametrize("path", [BUNDLED, *GOLDEN_FILES], ids=lambda path: Path(path).name)
def test_timelines_come_back_field_for_field(path: Path) -> None:
    try:
        timeline = load_timeline([str(path)], bundled=path == BUNDLED)
    except InvalidTimeline:
        pytest.skip(f"{Path(path).name} is not a valid timeline")
    document = json.loads(cache_codec.encode(timeline, "header"))
    assert cache_codec.read_header(document) == "header"
    assert cache_codec.decode_timeline(document) == timeline


def test_folders_are_created_0700_and_files_0600(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = str(write_timeline(BODY))
    folder = tmp_path / "a" / "b" / "cache"
    old = os.umask(0o022)
    try:
        load_timeline([path], cache=TimelineCache(folder))
    finally:
        os.umask(old)
    for created in (tmp_path / "a", tmp_path / "a" / "b", folder):
        assert created.stat().st_mode & 0o777 == 0o700, created
    (cache_file,) = folder.glob("*.json")
    assert cache_file.stat().st_mode & 0o777 == 0o600


def test_a_folder_others_can_write_is_not_used(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = str(write_timeline(BODY))
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o777)
    load_timeline([path], cache=TimelineCache(folder))
    assert not list(folder.iterdir()), "wrote into a folder others can write"
    os.chmod(folder, 0o700)
    load_timeline([path], cache=TimelineCache(folder))
    assert len(list(folder.glob("*.json"))) == 1
    os.chmod(folder, 0o775)
    assert TimelineCache(folder).load([path], [Path(path).read_bytes()], False) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_files_and_folders_owned_by_someone_else_are_ignored(
    write_timeline: Callable[..., Path], tmp_path: Path
) -> None:
    path = str(write_timeline(BODY))
    contents = [Path(path).read_bytes()]
    folder = tmp_path / "c"
    cache = TimelineCache(folder)
    load_timeline([path], cache=cache)
    (cache_file,) = folder.glob("*.json")
    assert cache.load([path], contents, False) is not None
    os.chown(cache_file, OTHER_UID, -1)
    assert cache.load([path], contents, False) is None
    os.chown(cache_file, os.geteuid(), -1)
    os.chmod(cache_file, 0o622)
    assert cache.load([path], contents, False) is None
    os.chmod(cache_file, 0o600)
    os.chown(folder, OTHER_UID, -1)
    assert cache.load([path], contents, False) is None


def test_a_symlink_planted_in_the_cache_is_neither_read_nor_written_through(
    write_timeline: Callable[..., Path], tmp_path: Path
) -> None:
    path = str(write_timeline(BODY))
    folder = tmp_path / "c"
    cache = TimelineCache(folder)
    load_timeline([path], cache=cache)
    (cache_file,) = folder.glob("*.json")
    victim = tmp_path / "victim"
    victim.write_bytes(cache_file.read_bytes())
    cache_file.unlink()
    cache_file.symlink_to(victim)
    assert cache.load([path], [Path(path).read_bytes()], False) is None
    before = victim.read_bytes()
    victim.write_bytes(b"precious")
    load_timeline([path], cache=cache)
    assert victim.read_bytes() == b"precious" and before
