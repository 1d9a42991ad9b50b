"""Inputs and outputs that are not plain files, and a second writer that takes no lock.

Each test drives the installed command as a person or a script would: a FIFO or
a device given with ``-f`` (or found in a folder) must be refused at once, not
hang or eat memory; ``export -o`` into a pipe or a device writes into it, never
replacing it; an editor saving during an edit keeps its bytes.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucetrack.cli import app
from trucetrack.store import files as disk
from trucetrack.store import fsio

BODY = """
[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva truce"
start = 2025-05-14T00:01:00
duration = "90d"
"""

TRUCETRACK = shutil.which("trucetrack")
COMMAND = [TRUCETRACK] if TRUCETRACK else [sys.executable, "-m", "trucetrack"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TRUCETRACK_CACHE": "off", "TZ": "UTC", "COLUMNS": "80"}
    return subprocess.run([*COMMAND, *args], env=env, capture_output=True, timeout=30, check=False, cwd=cwd)


def assert_refused(result: subprocess.CompletedProcess[bytes], fragment: str) -> None:
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("trucetrack: error: ") and fragment in stderr, stderr
    assert stderr.count("\n") == 1, stderr


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


def test_a_fifo_given_with_f_is_refused_at_once(fifo: Path) -> None:
    assert_refused(run("status", "-f", str(fifo), "--as-of", "2025-06-01"), "named pipe")


def test_a_fifo_in_a_folder_is_refused(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    write_timeline(BODY, name="a.toml")
    os.mkfifo(tmp_path / "b.toml")
    assert_refused(run("status", "-f", str(tmp_path), "--as-of", "2025-06-01"), "b.toml: is a named pipe")


def test_git_diff_refuses_a_fifo_argument(write_timeline: Callable[..., Path], fifo: Path) -> None:
    new = write_timeline(BODY, name="new.toml")
    result = run("git-diff", "t.toml", str(fifo), "0" * 40, "100644", str(new), "1" * 40, "100644")
    assert_refused(result, "named pipe")


def test_a_toml_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    assert_refused(run("validate", str(link)), "is a device")
    assert_refused(run("status", "-f", str(tmp_path)), "zero.toml: is a device")


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(disk.MAX_INPUT_BYTES + 1)  # sparse: no disk space, no reading
    assert_refused(run("status", "-f", str(big)), "over the 256 MiB limit")


def test_dev_null_is_still_an_empty_file_for_diff_and_git_diff(write_timeline: Callable[..., Path]) -> None:
    new = write_timeline(BODY, name="new.toml")
    added = run("git-diff", "t.toml", "/dev/null", "0" * 40, "100644", str(new), "1" * 40, "100644")
    assert added.returncode == 0 and b"geneva-truce" in added.stdout, added.stderr
    removed = run("git-diff", "t.toml", str(new), "1" * 40, "100644", "/dev/null", "0" * 40, "100644")
    assert removed.returncode == 0 and b"geneva-truce" in removed.stdout, removed.stderr


def test_export_into_a_fifo_writes_into_it_and_leaves_it_a_fifo(
    write_timeline: Callable[..., Path], fifo: Path
) -> None:
    path = write_timeline(BODY)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "-f", str(path), "--format", "json", "--as-of", "2025-06-01", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert b'"geneva-truce"' in received[0]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_export_into_dev_null_leaves_the_device_alone(write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(BODY)
    before = os.stat("/dev/null")
    result = run("export", "-f", str(path), "--format", "csv", "--as-of", "2025-06-01", "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino


def test_export_dash_is_stdout_and_a_regular_file_is_replaced(write_timeline: Callable[..., Path]) -> None:
    path = write_timeline(BODY)
    args = ("export", "-f", str(path), "--format", "json", "--as-of", "2025-06-01")
    to_stdout = run(*args, "-o", "-")
    plain = run(*args)
    assert to_stdout.returncode == 0 and to_stdout.stdout == plain.stdout and b"geneva-truce" in plain.stdout
    out = path.parent / "out.json"
    out.write_text("old")
    inode = out.stat().st_ino
    assert run(*args, "-o", str(out)).returncode == 0
    assert out.read_bytes() == plain.stdout and out.stat().st_ino != inode


def test_an_editor_saving_during_an_edit_keeps_its_change(
    write_timeline: Callable[..., Path], runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor saves after trucetrack read the file and before it renames its own copy."""
    path = write_timeline(BODY)
    editor_bytes = path.read_bytes() + b"\n# saved by an editor meanwhile\n"
    write_temporary = fsio._write_temporary

    def editor_saves_meanwhile(target: Path, data: bytes, mode: int) -> Path:
        temporary = write_temporary(target, data, mode)
        path.write_bytes(editor_bytes)
        return temporary

    monkeypatch.setattr(fsio, "_write_temporary", editor_saves_meanwhile)
    result = runner.invoke(app, ["add", "-f", str(path), "--kind", "talks", "--title", "Round", "--date", "2025-06-05"])
    assert result.exit_code == 2, result.output
    assert "changed while trucetrack was editing it" in result.output
    assert path.read_bytes() == editor_bytes
    left = {name for name in os.listdir(path.parent) if not name.endswith(".lock")}
    assert left == {path.name}, "a temporary file was left behind"


@pytest.mark.parametrize("format_", ["json", "ics"])
def test_export_o_leaves_a_read_only_file_alone(
    write_timeline: Callable[..., Path], tmp_path: Path, format_: str
) -> None:
    source = write_timeline(BODY)
    target = tmp_path / "feed.out"
    target.write_bytes(b"kept\n")
    target.chmod(0o444)  # even root, who could replace it, does not
    assert_refused(run("export", "-f", str(source), "--format", format_, "-o", str(target)), "read-only")
    assert target.read_bytes() == b"kept\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_the_svg_picture_leaves_a_read_only_file_alone(write_timeline: Callable[..., Path], tmp_path: Path) -> None:
    source = write_timeline(BODY)
    target = tmp_path / "ro.svg"
    target.write_bytes(b"kept\n")
    target.chmod(0o444)
    result = run("timeline", "-f", str(source), "--as-of", "2025-06-01", "--format", "svg", "-o", str(target))
    assert_refused(result, "read-only")
    assert target.read_bytes() == b"kept\n"
