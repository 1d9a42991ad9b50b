"""Shared fixtures: timelines written inline as TOML, a pinned console, the CLI runner."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from trucetrack.core.dates import get_zone
from trucetrack.core.model import Timeline
from trucetrack.load.loader import load as load_timeline

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "timelines" / "us-china-2025.toml"
NEW_YORK = get_zone("America/New_York")
SHANGHAI = get_zone("Asia/Shanghai")

HEADER = """\
schema = 1
title = "Test timeline"
timezone = "America/New_York"

[parties.US]
name = "United States"

[parties.CN]
name = "China"
"""


def instant(text: str, zone: str = "America/New_York") -> datetime:
    """A fixed instant for tests: an ISO local time read in ``zone``, as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=get_zone(zone)).astimezone(UTC)


@pytest.fixture
def write_timeline(tmp_path: Path) -> Callable[..., Path]:
    """Write inline TOML to a file. ``header=True`` prepends HEADER (schema, zone, US/CN)."""
    counter = iter(range(1000))

    def write(body: str, *, header: bool = True, name: str | None = None) -> Path:
        text = (HEADER + "\n" if header else "") + textwrap.dedent(body)
        path = tmp_path / (name or f"timeline-{next(counter)}.toml")
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_timeline(write_timeline: Callable[..., Path]) -> Callable[..., Timeline]:
    """Write inline TOML and load it as a validated Timeline."""

    def make(body: str, *, header: bool = True) -> Timeline:
        return load_timeline([str(write_timeline(body, header=header))])

    return make


@pytest.fixture(scope="module")
def bundled() -> Timeline:
    """The bundled US–China timeline, loaded once per module."""
    return load_timeline([str(BUNDLED)], bundled=True)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's TRUCETRACK_* or NO_COLOR, or a ./timelines/ of the cwd,
    or writes to the developer's cache: each test has its own cache folder."""
    for name in ("TRUCETRACK_FILE", "TRUCETRACK_AS_OF", "TRUCETRACK_TZ", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRUCETRACK_CACHE_DIR", str(tmp_path / ".cache"))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)


def pinned_console(width: int = 80) -> Console:
    """A console whose output is the same on every machine."""
    return Console(width=width, color_system=None, force_terminal=False, record=False, highlight=False)
