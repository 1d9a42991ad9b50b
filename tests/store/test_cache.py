"""The validated-timeline cache: a hit only when nothing that built it changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucetrack.cli import app
from trucetrack.errors import InvalidTimeline
from trucetrack.load.loader import load as load_timeline
from trucetrack.store import cache as cache_module
from trucetrack.store.cache import TimelineCache

BODY = """
[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva truce"
start = 2025-05-14T00:01:00
duration = "90d"
"""


def test_a_hit_returns_the_same_timeline(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = str(write_timeline(BODY))
    cache = TimelineCache(tmp_path / "c")
    first = load_timeline([path], cache=cache)
    assert len(list((tmp_path / "c").glob("*.json"))) == 1
    second = load_timeline([path], cache=cache)
    assert second == first
    assert second is not first


def test_changed_bytes_are_a_miss(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = write_timeline(BODY)
    cache = TimelineCache(tmp_path / "c")
    load_timeline([str(path)], cache=cache)
    path.write_text(path.read_text().replace('"90d"', '"91d"'))
    reloaded = load_timeline([str(path)], cache=cache)
    entry = reloaded.entry("geneva-truce")
    assert entry is not None and entry.end_spec is not None and entry.end_spec.text == "91d"


def test_paths_are_part_of_the_key(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = write_timeline(BODY)
    cache = TimelineCache(tmp_path / "c")
    load_timeline([str(path)], cache=cache)
    assert cache.load([str(path) + "x"], [path.read_bytes()], False) is None
    assert cache.load([str(path)], [path.read_bytes()], True) is None
    assert cache.load([str(path)], [path.read_bytes()], False) is not None


def test_code_and_zone_data_changes_are_misses(
    write_timeline: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_timeline(BODY)
    contents = [path.read_bytes()]
    cache = TimelineCache(tmp_path / "c")
    load_timeline([str(path)], cache=cache)
    assert cache.load([str(path)], contents, False) is not None
    monkeypatch.setattr(cache_module, "_zone_stamp", lambda name: ("/elsewhere", 1))
    assert cache.load([str(path)], contents, False) is None
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "_code_digest", lambda: "another version")
    assert cache.load([str(path)], contents, False) is None


def test_a_corrupt_cache_file_is_a_miss(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = str(write_timeline(BODY))
    cache = TimelineCache(tmp_path / "c")
    load_timeline([path], cache=cache)
    (cache_file,) = (tmp_path / "c").glob("*.json")
    cache_file.write_bytes(b"not a pickle")
    assert load_timeline([path], cache=cache).entry("geneva-truce") is not None


def test_an_unwritable_cache_folder_is_not_an_error(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = str(write_timeline(BODY))
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    timeline = load_timeline([path], cache=TimelineCache(blocker / "c"))
    assert timeline.entry("geneva-truce") is not None


def test_invalid_timelines_are_not_cached(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    path = str(write_timeline(BODY.replace('"90d"', '"90m"')))
    cache = TimelineCache(tmp_path / "c")
    for _ in range(2):
        with pytest.raises(InvalidTimeline):
            load_timeline([path], cache=cache)
    assert not list((tmp_path / "c").glob("*.json"))


def test_cli_uses_the_cache_folder_and_can_turn_it_off(
    write_timeline: Callable[..., Path], tmp_path: Path, runner: CliRunner
) -> None:
    path = str(write_timeline(BODY))
    folder = tmp_path / "cli-cache"
    args = ["status", "-f", path, "--as-of", "2025-06-01", "--format", "json"]
    off = runner.invoke(app, args, env={"TRUCETRACK_CACHE_DIR": str(folder), "TRUCETRACK_CACHE": "off"})
    assert off.exit_code == 0 and not folder.exists()
    first = runner.invoke(app, args, env={"TRUCETRACK_CACHE_DIR": str(folder)})
    assert len(list(folder.glob("*.json"))) == 1
    second = runner.invoke(app, args, env={"TRUCETRACK_CACHE_DIR": str(folder)})
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output == off.output


def test_a_model_module_that_cannot_be_found_makes_the_cache_a_miss_not_a_crash(
    write_timeline: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint reads the model's modules by name; one moved away (or an
    install without it) must cost a build, never a traceback."""
    path = write_timeline(BODY)
    cache = cache_module.TimelineCache(tmp_path / "cache")
    first = load_timeline([str(path)], cache=cache)
    monkeypatch.setattr(cache_module, "MODEL_MODULES", (*cache_module.MODEL_MODULES, "trucetrack.no_such_module"))
    assert cache.load([str(path)], [path.read_bytes()], False) is None
    again = load_timeline([str(path)], cache=cache)
    assert again == first


def test_the_fingerprint_follows_the_code_of_the_model_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache_module._code_digest()
    module = tmp_path / "extra_model_module.py"
    module.write_text("X = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cache_module, "MODEL_MODULES", (*cache_module.MODEL_MODULES, "extra_model_module"))
    with_module = cache_module._code_digest()
    module.write_text("X = 2\n", encoding="utf-8")
    assert len({before, with_module, cache_module._code_digest()}) == 3
