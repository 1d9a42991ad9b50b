"""`countdown --live`: redraws each second on a terminal, exits 0 on Ctrl-C with the terminal
restored, stops once the deadline passes, and prints once when stdout is not a terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console, RenderableType
from rich.text import Text
from typer.testing import CliRunner

from tests.conftest import instant
from trucetrack.cli import app
from trucetrack.output.emit import run_live

BODY = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"
"""

SHOW_CURSOR = b"\x1b[?25h"
HIDE_CURSOR = b"\x1b[?25l"
# Safety limits only: the tests wait for output, never assert on how long anything took.
READ_LIMIT = 30.0


def spawn_on_a_terminal(
    arguments: list[str], cwd: Path, term: str = "xterm-256color"
) -> tuple[subprocess.Popen[bytes], int]:
    """Run trucetrack with stdin, stdout and stderr on a new pseudo-terminal of 100x40."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    environment = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES", "NO_COLOR")}
    environment["TERM"] = term
    process = subprocess.Popen(
        [sys.executable, "-m", "trucetrack", *arguments],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        cwd=cwd,
        env=environment,
        start_new_session=True,
    )
    os.close(secondary)
    return process, primary


def read_until(primary: int, done: Callable[[bytes], bool], process: subprocess.Popen[bytes]) -> bytes:
    """Read the terminal until ``done(output)`` or the process has exited and nothing is left."""
    output = b""
    give_up = time.monotonic() + READ_LIMIT
    while time.monotonic() < give_up and not done(output):
        ready, _, _ = select.select([primary], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed: the process has gone
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    return output


def drain(primary: int) -> bytes:
    output = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if not ready:
            return output
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            return output
        if not chunk:
            return output
        output += chunk


@pytest.fixture
def timeline_path(write_timeline: Callable[..., Path]) -> Path:
    return write_timeline(BODY, name="truce.toml")


def test_live_countdown_redraws_each_second_and_exits_0_on_ctrl_c(timeline_path: Path, tmp_path: Path) -> None:
    process, primary = spawn_on_a_terminal(
        ["countdown", "truce", "--live", "-f", str(timeline_path), "--as-of", "2025-08-11T12:00"], tmp_path
    )
    try:
        # The first frame is as of 12:00; a redraw a second later shows 12:00:01.
        output = read_until(primary, lambda out: b"2025-08-11 12:00:01 EDT" in out, process)
        assert b"2025-08-11 12:00 EDT" in output
        assert b"2025-08-11 12:00:01 EDT" in output, output[-2000:]
        assert HIDE_CURSOR in output
        assert b"\x1b[" in output  # a terminal: colour and cursor movement
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=READ_LIMIT) == 0
        output += drain(primary)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    assert output.rstrip(b"\r\n").endswith(SHOW_CURSOR)  # terminal restored
    assert b"Traceback" not in output
    assert b"Aborted" not in output
    assert b"12h 01m left" in output


def test_live_on_a_dumb_terminal_prints_once(timeline_path: Path, tmp_path: Path) -> None:
    process, primary = spawn_on_a_terminal(
        ["countdown", "truce", "--live", "-f", str(timeline_path), "--as-of", "2025-08-11T12:00"], tmp_path, "dumb"
    )
    try:
        output = read_until(primary, lambda out: False, process)
        assert process.wait(timeout=READ_LIMIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    assert output.count(b"Truce") == 1
    assert b"\x1b" not in output


def test_live_when_piped_prints_once_and_exits(runner: CliRunner, timeline_path: Path) -> None:
    result = runner.invoke(
        app, ["countdown", "truce", "--live", "-f", str(timeline_path), "--as-of", "2025-08-11T12:00"]
    )
    assert result.exit_code == 0
    assert result.stdout.count("╭─ truce") == 1
    assert "12h 01m left" in result.stdout
    assert "\x1b" not in result.stdout


class FakeClock:
    """A monotonic clock that moves only when the loop sleeps."""

    def __init__(self) -> None:
        self.now = 100.25
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def terminal_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=60, color_system=None), buffer


def test_run_live_advances_from_as_of_by_elapsed_seconds_and_stops_at_the_deadline() -> None:
    start = instant("2025-08-12T00:00:57")
    deadline = instant("2025-08-12T00:01")
    seen: list[datetime] = []

    def frame(at: datetime) -> tuple[RenderableType, bool]:
        seen.append(at)
        return Text(f"frame {len(seen)}"), at >= deadline

    fake = FakeClock()
    console, buffer = terminal_console()
    run_live(console, frame, start, clock=fake.clock, sleep=fake.sleep)
    assert seen == [start + timedelta(seconds=n) for n in range(4)]
    assert fake.sleeps == [1.0, 1.0, 1.0]
    out = buffer.getvalue()
    assert "frame 4" in out
    assert out.endswith("\x1b[?25h")  # cursor shown again


def test_run_live_keeps_to_whole_seconds_when_a_frame_is_slow() -> None:
    fake = FakeClock()
    seen: list[datetime] = []
    start = instant("2025-08-12T00:00")

    def frame(at: datetime) -> tuple[RenderableType, bool]:
        seen.append(at)
        fake.now += 0.4  # drawing takes time
        return Text("x"), len(seen) == 3

    console, _ = terminal_console()
    run_live(console, frame, start, clock=fake.clock, sleep=fake.sleep)
    assert seen == [start, start + timedelta(seconds=1), start + timedelta(seconds=2)]
    assert [round(s, 6) for s in fake.sleeps] == [0.6, 0.6]


def test_run_live_returns_quietly_on_ctrl_c() -> None:
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    console, buffer = terminal_console()
    run_live(console, lambda at: (Text("tick"), False), instant("2025-08-12"), sleep=interrupted)
    assert "tick" in buffer.getvalue()
    assert buffer.getvalue().endswith("\x1b[?25h")
