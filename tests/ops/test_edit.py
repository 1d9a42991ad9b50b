"""Edits: add, extend, end, init — append-only, validated, locked, atomic."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import BUNDLED, HEADER, instant
from trucetrack.cli import app
from trucetrack.engine.status import Engine
from trucetrack.errors import TrucetrackError
from trucetrack.load import loader
from trucetrack.load.loader import load as load_timeline
from trucetrack.ops import edit
from trucetrack.store import fsio

TRUCE = HEADER + textwrap.dedent(
    """
    # The truce, as signed.
    [[event]]
    id = "truce"
    kind = "agreement"
    title = "Geneva-like truce"
    start = 2025-05-14T00:01:00
    duration = "90d"  # 90 days on the wall clock
    parties = ["US", "CN"]
    """
)


@pytest.fixture
def truce(tmp_path: Path) -> Path:
    path = tmp_path / "truce.toml"
    path.write_text(TRUCE, encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    """Lock or temporary files an edit left behind."""
    return sorted(name for name in os.listdir(folder) if name.startswith(".") and name != ".cache")


# ---------------------------------------------------------------- add


def test_add_appends_one_block_and_keeps_every_byte(truce: Path, runner: CliRunner) -> None:
    assert runner.invoke(app, ["fmt", str(truce)]).exit_code == 0
    before = truce.read_bytes()
    result = runner.invoke(
        app,
        ["add", "-f", str(truce), "--kind", "talks", "--title", "Stockholm talks (round 3)", "--start",
         "2025-07-28", "--through", "2025-07-29", "--party", "US", "--party", "CN", "--source", "https://x.org/a",
         "--tag", "talks", "--place", "Stockholm", "--notes", "Both sides.", "--warn", "7d"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"added stockholm-talks-round-3 to {truce}\n"
    after = truce.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode("utf-8") == textwrap.dedent(
        """
        [[event]]
        id = "stockholm-talks-round-3"
        kind = "talks"
        title = "Stockholm talks (round 3)"
        start = 2025-07-28
        through = 2025-07-29
        warn = "7d"
        parties = ["US", "CN"]
        place = "Stockholm"
        sources = ["https://x.org/a"]
        tags = ["talks"]
        notes = "Both sides."
        """
    )
    assert load_timeline([str(truce)]).entry("stockholm-talks-round-3") is not None
    assert leftovers(truce.parent) == []
    # In the same style as fmt writes: a canonical file stays canonical.
    assert runner.invoke(app, ["fmt", "--check", str(truce)]).exit_code == 0


def test_add_writes_toml_dates_datetimes_and_rates(truce: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["add", "-f", str(truce), "--kind", "tariff", "--title", "Rate step", "--start", "2025-05-14T12:01+08:00",
         "--end", "2025-06-01T00:01", "--measure", "m", "--rate", "10", "--rate-after", "34", "--id", "step"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = truce.read_text(encoding="utf-8")
    assert 'start = 2025-05-14T12:01:00+08:00\nend = 2025-06-01T00:01:00\nmeasure = "m"\nrate = 10.0\n' in text
    assert "rate_after = 34.0\n" in text


def test_crlf_file_stays_crlf_and_a_missing_final_newline_is_added(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "crlf.toml"
    original = TRUCE.replace("\n", "\r\n").rstrip("\r\n").encode("utf-8")
    path.write_bytes(original)
    result = runner.invoke(app, ["add", "-f", str(path), "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(original)
    added = after[len(original) :]
    assert added.startswith(b"\r\n\r\n[[event]]\r\n")
    assert b"\n" not in added.replace(b"\r\n", b"")
    assert load_timeline([str(path)]).entry("t") is not None


def test_dry_run_prints_the_block_and_writes_nothing(truce: Path, runner: CliRunner) -> None:
    before = truce.read_bytes()
    result = runner.invoke(
        app, ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--date", "2025-09-01", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == '[[event]]\nid = "t"\nkind = "talks"\ntitle = "T"\ndate = 2025-09-01\n'
    assert truce.read_bytes() == before
    assert leftovers(truce.parent) == []


def test_duplicate_ids_are_refused(truce: Path, runner: CliRunner) -> None:
    before = truce.read_bytes()
    result = runner.invoke(
        app, ["add", "-f", str(truce), "--kind", "talks", "--title", "Truce", "--date", "2025-09-01"]
    )
    assert result.exit_code == 2
    assert "trucetrack: error: id 'truce' is already in use" in result.output
    result = runner.invoke(
        app, ["extend", "truce", "-f", str(truce), "--date", "2025-08-11", "--by", "90d", "--id", "truce"]
    )
    assert result.exit_code == 2
    assert truce.read_bytes() == before


def test_an_edit_that_would_make_the_timeline_invalid_is_refused(truce: Path, runner: CliRunner) -> None:
    before = truce.read_bytes()
    result = runner.invoke(
        app, ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--date", "2025-09-01", "--party", "UK"]
    )
    assert result.exit_code == 2
    assert "new entry: t: unknown party 'UK'" in result.output
    assert "trucetrack: error: not written: the timeline would be invalid with this entry (1 problem)" in result.output
    assert truce.read_bytes() == before
    assert leftovers(truce.parent) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "talks", "--title", "T"], "give --date (a point) or --start (a span)"),
        (["--kind", "talks", "--title", "T", "--date", "2025-09-01", "--end", "2025-09-02"], "--end goes with --start"),
        (["--kind", "talks", "--title", "T", "--start", "2025-09-01", "--end", "x", "--duration", "1d"], "one of"),
        (["--kind", "talks", "--title", "T", "--date", "next week"], "--date: cannot read 'next week'"),
        (["--kind", "talks", "--title", "T", "--start", "2025-09-01", "--through", "2025-09-02T10:00"], "give a date"),
        (["--kind", "talks", "--title", "T", "--start", "2025-09-01", "--duration", "2m"], "ambiguous duration"),
        (["--kind", "talks", "--title", "T", "--date", "2025-09-01", "--id", "Bad Id"], "bad id 'Bad Id'"),
        (["--kind", "tariff", "--title", "T", "--date", "2025-09-01", "--measure", "m"], "--measure needs --rate"),
        (["--kind", "talks", "--title", "中美会谈", "--date", "2025-09-01"], "cannot make an id from the title"),
    ],
)
def test_bad_options_are_errors(truce: Path, runner: CliRunner, args: list[str], message: str) -> None:
    before = truce.read_bytes()
    result = runner.invoke(app, ["add", "-f", str(truce), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert truce.read_bytes() == before


def test_out_of_order_block_says_run_fmt(truce: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["add", "-f", str(truce), "--kind", "talks", "--title", "Early", "--date", "2025-01-02"]
    )
    assert result.exit_code == 0
    assert f"note: early is out of canonical order at the end of {truce}; run trucetrack fmt {truce}" in result.output
    result = runner.invoke(app, ["add", "-f", str(truce), "--kind", "talks", "--title", "Late", "--date", "2026-01-02"])
    assert "canonical order" not in result.output


def test_add_needs_one_file(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "timelines"
    folder.mkdir()
    (folder / "a.toml").write_text(TRUCE, encoding="utf-8")
    (folder / "b.toml").write_text(HEADER, encoding="utf-8")
    result = runner.invoke(app, ["add", "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 2
    assert "add writes into one file, but 2 are loaded (timelines/a.toml, timelines/b.toml): give -f FILE" in (
        result.output
    )


def test_the_bundled_timeline_is_never_written(runner: CliRunner) -> None:
    from tests.conftest import BUNDLED

    before = BUNDLED.read_bytes()
    result = runner.invoke(app, ["add", "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 2
    assert "the bundled timeline is never written" in result.output
    result = runner.invoke(app, ["extend", "geneva-truce", "--date", "2025-08-11", "--by", "90d"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["end", "geneva-truce", "--date", "2025-06-01", "--dry-run", "--as-of", "2025-06-02"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith('[[event]]\nid = "geneva-truce-end-2025-06-01"\nkind = "termination"\n')
    assert BUNDLED.read_bytes() == before


# ---------------------------------------------------------------- extend and end


def test_extend_and_end_write_into_the_file_of_their_target(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "timelines"
    folder.mkdir()
    first = folder / "a.toml"
    first.write_text(HEADER, encoding="utf-8")
    second = folder / "b.toml"
    second.write_text(TRUCE.replace('title = "Test timeline"\n', ""), encoding="utf-8")
    untouched = first.read_bytes()
    result = runner.invoke(app, ["extend", "truce", "--date", "2025-08-11", "--by", "90d", "--as-of", "2025-08-11"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "added truce-ext-2025-08-11 to timelines/b.toml\n"
        "as of 2025-08-11 00:00 EDT:\n"
        "  truce: end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)\n"
        "  truce: expiring → active\n"
    )
    assert first.read_bytes() == untouched
    result = runner.invoke(
        app, ["extend", "truce", "--date", "2025-08-11", "--through", "2025-12-31", "--source", "https://x.org"]
    )
    assert result.output.startswith("added truce-ext-2025-08-11-02 to timelines/b.toml\n")
    result = runner.invoke(app, ["end", "truce", "--date", "2025-09-01", "--end", "2025-09-02T12:00"])
    assert result.exit_code == 0, result.output
    text = second.read_text(encoding="utf-8")
    assert text.endswith(
        textwrap.dedent(
            """
            [[event]]
            id = "truce-ext-2025-08-11"
            kind = "extension"
            target = "truce"
            date = 2025-08-11
            by = "90d"

            [[event]]
            id = "truce-ext-2025-08-11-02"
            kind = "extension"
            target = "truce"
            date = 2025-08-11
            through = 2025-12-31
            sources = ["https://x.org"]

            [[event]]
            id = "truce-end-2025-09-01"
            kind = "termination"
            target = "truce"
            date = 2025-09-01
            end = 2025-09-02T12:00:00
            """
        )
    )
    assert load_timeline([str(folder)]).entry("truce-end-2025-09-01") is not None


def test_extend_errors(truce: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["extend", "nope", "-f", str(truce), "--date", "2025-08-11", "--by", "90d"])
    assert (result.exit_code, "no entry with id 'nope'" in result.output) == (2, True)
    result = runner.invoke(app, ["extend", "truce", "-f", str(truce), "--date", "2025-08-11"])
    assert (result.exit_code, "give one of --by, --end and --through" in result.output) == (2, True)
    result = runner.invoke(app, ["extend", "truce", "-f", str(truce), "--date", "2025-08-11", "--end", "2025-01-01"])
    assert result.exit_code == 2
    assert "new entry: truce-ext-2025-08-11: new end is at or before 'truce' starts" in result.output


# ---------------------------------------------------------------- init


def test_init_writes_a_valid_empty_timeline_and_never_overwrites(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "timelines" / "eu-china.toml"
    result = runner.invoke(app, ["init", str(path), "--title", "EU–China", "--timezone", "Europe/Brussels"])
    assert result.exit_code == 0, result.output
    assert result.output == f"created {path}\n"
    assert path.read_text(encoding="utf-8") == 'schema = 1\ntitle = "EU–China"\ntimezone = "Europe/Brussels"\n'
    assert load_timeline([str(path)]).entries == ()
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 2
    assert "already exists; init never overwrites a file" in result.output
    assert path.read_text(encoding="utf-8").startswith('schema = 1\ntitle = "EU–China"')
    assert leftovers(path.parent) == []
    result = runner.invoke(app, ["init", str(tmp_path / "x.toml"), "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "--timezone: unknown time zone 'Mars/Olympus'" in result.output
    result = runner.invoke(app, ["init", str(tmp_path / "plain.toml")])
    assert (tmp_path / "plain.toml").read_text(encoding="utf-8") == 'schema = 1\ntitle = "plain"\ntimezone = "UTC"\n'


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- files on disk


def test_mode_is_kept_and_symlinks_are_written_through(truce: Path, runner: CliRunner) -> None:
    truce.chmod(0o600)
    link = truce.parent / "link.toml"
    link.symlink_to(truce.name)
    result = runner.invoke(app, ["add", "-f", str(link), "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert truce.stat().st_mode & 0o777 == 0o600
    assert load_timeline([str(truce)]).entry("t") is not None


def test_a_read_only_file_is_refused(truce: Path, runner: CliRunner) -> None:
    truce.chmod(0o444)
    before = truce.read_bytes()
    result = runner.invoke(app, ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 2
    assert f"trucetrack: error: {truce}: the file is read-only; the file is unchanged" in result.output
    assert truce.read_bytes() == before


@pytest.fixture
def read_only_folder(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make a folder refuse every change as a read-only folder does (EACCES), even for root.

    Permission bits do not stop root, who runs these tests in CI, so creating,
    renaming, linking and removing entries in the folder fail the way the
    kernel fails them for an ordinary user.
    """

    def install(folder: Path) -> None:
        folder = folder.resolve()

        def inside(path: Any) -> bool:
            try:
                return Path(os.fsdecode(path)).resolve().parent == folder
            except TypeError:
                return False

        def refuse(path: Any) -> None:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

        real_open = os.open

        def fake_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & os.O_CREAT and inside(path) and not Path(os.fsdecode(path)).exists():
                refuse(path)
            return real_open(path, flags, *args, **kwargs)

        def guard(name: str) -> None:
            real = getattr(os, name)

            def fake(source: Any, *args: Any, **kwargs: Any) -> Any:
                targets = [source, *[a for a in args if isinstance(a, str | bytes | os.PathLike)]]
                if any(inside(target) for target in targets):
                    refuse(source)
                return real(source, *args, **kwargs)

            monkeypatch.setattr(os, name, fake)

        monkeypatch.setattr(os, "open", fake_open)
        for name in ("replace", "rename", "unlink", "link", "mkdir"):
            guard(name)

    return install


def test_a_read_only_folder_gives_exit_2_and_leaves_the_file_unchanged(
    truce: Path, runner: CliRunner, read_only_folder: Callable[[Path], None]
) -> None:
    before = truce.read_bytes()
    listing = sorted(os.listdir(truce.parent))
    read_only_folder(truce.parent)
    result = runner.invoke(app, ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 2
    assert f"trucetrack: error: {truce}: cannot take the lock: Permission denied" in result.output
    assert "read-only" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["fmt", str(truce)])  # the file is not canonical (US before CN)
    assert result.exit_code == 2
    assert truce.read_bytes() == before
    assert sorted(os.listdir(truce.parent)) == listing


def test_a_folder_that_refuses_the_rename_leaves_no_temporary_file(
    truce: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = truce.read_bytes()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    result = runner.invoke(app, ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 2
    assert f"trucetrack: error: {truce}: cannot write: Read-only file system" in result.output
    assert truce.read_bytes() == before
    assert leftovers(truce.parent) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="permission bits do not stop root; the test above simulates them")
def test_a_really_read_only_folder(truce: Path, runner: CliRunner) -> None:
    before = truce.read_bytes()
    truce.parent.chmod(0o555)
    try:
        result = runner.invoke(
            app, ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--date", "2025-09-01"]
        )
    finally:
        truce.parent.chmod(0o755)
    assert result.exit_code == 2
    assert "trucetrack: error:" in result.output
    assert truce.read_bytes() == before


def test_the_lock_is_exclusive_and_on_a_companion_file(truce: Path) -> None:
    lock = truce.parent / ".truce.toml.lock"
    with fsio.locked(truce):
        assert lock.exists()
        other = os.open(lock, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # The timeline itself is not locked: readers are never blocked.
            reader = os.open(truce, os.O_RDONLY)
            fcntl.flock(reader, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.close(reader)
        finally:
            os.close(other)
    assert not lock.exists()


def test_stale_temporary_files_are_removed_by_the_next_writer(truce: Path, runner: CliRunner) -> None:
    stale = truce.parent / ".truce.toml.abc123.tmp"
    stale.write_bytes(b"half a fi")
    result = runner.invoke(app, ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--date", "2025-09-01"])
    assert result.exit_code == 0
    assert leftovers(truce.parent) == []


def test_append_block_keeps_the_prefix() -> None:
    for raw in (b"", b"a = 1", b"a = 1\n", b"a = 1\n\n", b"a = 1\r\nb = 2\r\n"):
        result = edit.append_block(raw, '[[event]]\nid = "x"\n')
        assert result.startswith(raw)
        assert result.endswith(b'[[event]]\r\nid = "x"\r\n' if b"\r\n" in raw else b'[[event]]\nid = "x"\n')
        assert b"\n\n\n" not in result.replace(b"\r\n", b"\n")


def test_slugs_and_unique_ids() -> None:
    assert edit.slugify("Geneva talks (May 10–11)") == "geneva-talks-may-10-11"
    assert edit.slugify("Réunion à Genève") == "reunion-a-geneve"
    assert len(edit.slugify("word " * 40)) <= edit.MAX_SLUG
    assert edit.unique_id("x", {"x", "x-02"}) == "x-03"
    assert edit.unique_id("y", {"x"}) == "y"


# ---------------------------------------------------------------- concurrent writers and crashes


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return environment


def test_sixteen_concurrent_adds_all_land(truce: Path) -> None:
    count = 16
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "trucetrack", "add", "-f", str(truce), "--kind", "talks",
             "--title", f"Round {number}", "--date", f"2025-09-{number + 1:02d}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_environment(),
        )
        for number in range(count)
    ]  # fmt: skip
    outcomes = [(process.wait(), process.stderr.read() if process.stderr else b"") for process in processes]
    for process in processes:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert all(code == 0 for code, _ in outcomes), outcomes
    timeline = load_timeline([str(truce)])
    assert {f"round-{number}" for number in range(count)} <= {entry.id for entry in timeline.entries}
    assert len(timeline.entries) == count + 1
    assert truce.read_text(encoding="utf-8").startswith(TRUCE)
    assert leftovers(truce.parent) == []


CRASHING_WRITER = """
import os, signal, sys
from trucetrack.store import fsio as edit

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

where = sys.argv[1]
if where == "after-rename":
    edit._fsync_folder = die
else:
    setattr(os, where, die)
from trucetrack.cli import app
app(sys.argv[2:], prog_name="trucetrack")
"""


@pytest.mark.parametrize("where", ["fsync", "replace", "after-rename"])
def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_file(truce: Path, where: str) -> None:
    before = truce.read_bytes()
    args = ["add", "-f", str(truce), "--kind", "talks", "--title", "Killed", "--date", "2025-09-01"]
    process = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, where, *args], capture_output=True, env=_environment(), check=False
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    after = truce.read_bytes()
    assert after.startswith(before)
    timeline = load_timeline([str(truce)])  # valid either way
    assert (timeline.entry("killed") is not None) == (where == "after-rename")
    if where == "after-rename":
        assert after != before
    else:
        assert after == before
    left = leftovers(truce.parent)
    assert ".truce.toml.lock" in left  # it died holding the lock
    assert any(name.endswith(".tmp") for name in left) == (where != "after-rename")
    # The next writer clears what the killed one left (its lock file, a temporary file).
    finished = CliRunner().invoke(app, ["add", *args[1:-4], "--title", "Next", "--date", "2025-09-02"])
    assert finished.exit_code == 0, finished.output
    assert leftovers(truce.parent) == []
    assert load_timeline([str(truce)]).entry("next") is not None


LOOPING_WRITER = """
import os, sys
from trucetrack.cli import app
path = sys.argv[1]
signal_out = os.fdopen(os.dup(1), "w")
sys.stdout = sys.stderr = open(os.devnull, "w")
for number in range(10_000):
    app(["add", "-f", path, "--kind", "talks", "--title", f"Loop {sys.argv[2]} {number}",
         "--date", "2025-10-01", "--notes", "x" * 2000], prog_name="trucetrack", standalone_mode=False)
    if number == 0:
        print("ready", file=signal_out, flush=True)  # one write done; the rest are killed at a random moment
"""


def test_writers_killed_at_random_moments_leave_a_valid_file(truce: Path) -> None:
    chooser = random.Random(4)
    previous = truce.read_bytes()
    for round_number in range(3):
        process = subprocess.Popen(
            [sys.executable, "-c", LOOPING_WRITER, str(truce), str(round_number)],
            stdout=subprocess.PIPE,
            env=_environment(),
        )
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        time.sleep(chooser.uniform(0.0, 0.3))  # a random moment, not a timed assertion
        process.kill()
        process.wait()
        process.stdout.close()
        current = truce.read_bytes()
        assert current.startswith(previous)  # append-only: nothing already there was lost
        load_timeline([str(truce)])  # and whatever was written is a whole, valid file
        previous = current
    assert len(load_timeline([str(truce)]).entries) >= 1


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TRUCETRACK_CACHE", "off")
    yield


def test_edits_in_a_folder_validate_every_file(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "timelines"
    folder.mkdir()
    (folder / "a.toml").write_text(TRUCE, encoding="utf-8")
    other = textwrap.dedent(
        """\
        schema = 1
        timezone = "Europe/London"

        [parties.UK]
        name = "United Kingdom"

        [[event]]
        id = "other"
        kind = "agreement"
        title = "Another truce"
        start = 2025-05-01
        duration = "30d"
        parties = ["UK", "US"]
        """
    )
    (folder / "b.toml").write_text(other, encoding="utf-8")
    result = runner.invoke(app, ["end", "other", "--date", "2025-05-20", "--as-of", "2025-05-21"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "added other-end-2025-05-20 to timelines/b.toml"
    result = runner.invoke(app, ["extend", "truce", "--date", "2025-06-01", "--by", "1d", "--id", "other"])
    assert result.exit_code == 2
    assert "id 'other' is already in use" in result.output
    assert len(load_timeline([str(folder)]).entries) == 3


# ---------------------------------------------------------------- ties, ids and fmt after an edit

SPAN = textwrap.dedent(
    """\
    schema = 1
    timezone = "UTC"

    [[event]]
    id = "s"
    kind = "agreement"
    title = "S"
    start = 2025-01-01
    end = 2025-03-01

    [[event]]
    id = "later"
    kind = "talks"
    title = "Later"
    date = 2025-12-01
    """
)


def _ids(path: Path) -> list[str]:
    return [entry.id for entry in load_timeline([str(path)]).entries]


def test_same_day_modifiers_take_any_free_id_and_fmt_keeps_their_meaning(tmp_path: Path, runner: CliRunner) -> None:
    """Same-instant modifiers apply in id order, so made ids need only be free, and
    fmt may reorder them: the effective end is the same before and after."""
    path = tmp_path / "s.toml"
    path.write_text(SPAN, encoding="utf-8")
    edits = [
        ["extend", "s", "--date", "2025-02-01", "--by", "10d"],
        ["end", "s", "--date", "2025-02-01", "--end", "2025-02-20"],
        *[["extend", "s", "--date", "2025-02-01", "--by", "1d"]] * 9,
    ]
    for args in edits:
        result = runner.invoke(app, [*args, "-f", str(path), "--as-of", "2025-01-15"])
        assert result.exit_code == 0, result.output
    added = _ids(path)[2:]
    assert added[:3] == ["s-ext-2025-02-01", "s-end-2025-02-01", "s-ext-2025-02-01-02"]
    assert added[-1] == "s-ext-2025-02-01-10"
    before = load_timeline([str(path)])
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    after = load_timeline([str(path)])
    assert [e.id for e in after.entries][1:-1] == sorted(added)
    moment = instant("2025-06-01T00:00")
    ends = [[change.end for change in Engine(t).end_history(t.entry("s"), moment)] for t in (before, after)]
    assert ends[0] == ends[1]
    history = Engine(after).end_history(after.entry("s"), moment)[1:]
    assert [change.modifier.id for change in history if change.modifier] == sorted(added)


def test_add_of_a_measure_entry_that_ties_keeps_its_slug(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        'schema = 1\ntimezone = "UTC"\n\n[[event]]\nid = "zeta"\nkind = "tariff"\ntitle = "Zeta"\n'
        'start = 2025-04-01\nmeasure = "m"\nrate = 10.0\n',
        encoding="utf-8",
    )
    common = ["add", "-f", str(path), "--kind", "tariff", "--start", "2025-04-01", "--measure", "m", "--rate", "20"]
    result = runner.invoke(app, [*common, "--title", "Alpha", "--as-of", "2025-04-02"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added alpha to ")
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert _ids(path) == ["alpha", "zeta"]


def test_the_fmt_note_names_the_folder_when_fmt_of_the_file_alone_fails(tmp_path: Path, runner: CliRunner) -> None:
    # A modifier aimed at another file's entry: fmt of that file alone fails, of the folder works.
    folder = tmp_path / "timelines"
    folder.mkdir()
    (folder / "a.toml").write_text(
        'schema = 1\ntimezone = "UTC"\n\n[[event]]\nid = "u"\nkind = "agreement"\ntitle = "U"\n'
        'start = 2024-01-01\nend = 2024-03-01\n\n[[event]]\nid = "x-end"\nkind = "termination"\n'
        'target = "s"\ndate = 2025-02-01\n',
        encoding="utf-8",
    )
    (folder / "b.toml").write_text(SPAN, encoding="utf-8")
    result = runner.invoke(app, ["extend", "u", "--date", "2024-02-01", "--by", "1d", "--as-of", "2024-02-02"])
    assert result.exit_code == 0, result.output
    note = (
        "note: u-ext-2024-02-01 is out of canonical order at the end of timelines/a.toml; run trucetrack fmt timelines"
    )
    assert note in result.output.splitlines()
    assert runner.invoke(app, ["fmt", "timelines"]).exit_code == 0


def test_no_fmt_note_for_the_bundled_timeline(runner: CliRunner) -> None:
    result = runner.invoke(app, ["end", "geneva-truce", "--date", "2025-06-01", "--dry-run", "--as-of", "2025-06-02"])
    assert result.exit_code == 0, result.output
    assert "canonical order" not in result.output
    assert "trucetrack fmt" not in result.output


# ---------------------------------------------------------------- other review fixes


def test_add_to_a_file_with_an_inline_event_array_says_to_format_it_first(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "inline.toml"
    path.write_text(
        'schema = 1\ntimezone = "UTC"\nevent = [{id = "a", kind = "talks", title = "A", date = 2025-01-01}]\n',
        encoding="utf-8",
    )
    before = path.read_bytes()
    result = runner.invoke(app, ["add", "-f", str(path), "--kind", "talks", "--title", "B", "--date", "2025-02-01"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert f"run trucetrack fmt {path} first" in message
    assert "immutable namespace" not in message
    assert path.read_bytes() == before
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    result = runner.invoke(app, ["add", "-f", str(path), "--kind", "talks", "--title", "B", "--date", "2025-02-01"])
    assert result.exit_code == 0, result.output


def test_basic_iso_dates_without_dashes_are_dates(truce: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["add", "-f", str(truce), "--kind", "talks", "--title", "T", "--start", "20250901", "--through", "20250902"],
    )
    assert result.exit_code == 0, result.output
    assert truce.read_text(encoding="utf-8").endswith("start = 2025-09-01\nthrough = 2025-09-02\n")
    result = runner.invoke(app, ["extend", "truce", "-f", str(truce), "--date", "20250811", "--by", "1d"])
    assert result.exit_code == 0, result.output
    assert "date = 2025-08-11\n" in truce.read_text(encoding="utf-8")
    result = runner.invoke(app, ["end", "truce", "-f", str(truce), "--date", "20250812T1200", "--dry-run"])
    assert "date = 2025-08-12T12:00:00\n" in result.output


def test_file_names_in_edit_output_carry_no_control_characters(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "e\x1b]0;PWNED\x07\x1b[31m.toml"
    path.write_text(TRUCE, encoding="utf-8")
    result = runner.invoke(app, ["add", "-f", str(path), "--kind", "talks", "--title", "Early", "--date", "2025-01-02"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added early to ")
    assert "out of canonical order" in result.output
    assert not any(char in result.output for char in "\x1b\x07")


def test_init_of_a_file_that_cannot_be_created_does_not_call_it_unchanged(
    tmp_path: Path, runner: CliRunner, read_only_folder: Callable[[Path], None]
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    read_only_folder(folder)
    result = runner.invoke(app, ["init", str(folder / "x.toml")])
    assert result.exit_code == 2
    assert result.output == (
        f"trucetrack: error: {folder / 'x.toml'}: cannot create it: Permission denied (is the folder read-only?)\n"
    )


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_init_in_proc(runner: CliRunner) -> None:
    result = runner.invoke(app, ["init", "/proc/x.toml"])
    assert result.exit_code == 2
    assert result.output.startswith("trucetrack: error: /proc/x.toml: cannot create it: ")
    assert "unchanged" not in result.output


def test_extend_and_end_complete_span_ids_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        SPAN + '\n[[event]]\nid = "s-ext"\nkind = "extension"\ntarget = "s"\ndate = 2025-02-01\nby = "1d"\n',
        encoding="utf-8",
    )
    for command in ("extend", "end"):
        monkeypatch.setenv("_TRUCETRACK_COMPLETE", "complete_bash")
        monkeypatch.setenv("COMP_WORDS", f"trucetrack {command} -f {path} ")
        monkeypatch.setenv("COMP_CWORD", "4")
        result = CliRunner().invoke(app, [], prog_name="trucetrack")
        offered = result.output.split()
        assert "s" in offered, result.output
        assert "s-ext" not in offered  # a modifier: neither extends nor ends
        assert "later" not in offered  # a point


# ---------------------------------------------------------------- the folder of the file written


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "timelines"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


OTHER = HEADER + '\n[[event]]\nid = "other"\nkind = "talks"\ntitle = "Other"\ndate = 2025-07-01\n'


def test_neighbours_are_the_other_toml_files_of_the_folder_not_loaded(tmp_path: Path) -> None:
    folder = _folder(tmp_path, a=TRUCE, b=OTHER)
    (folder / "notes.txt").write_text("not a timeline", encoding="utf-8")
    (folder / "sub.toml").mkdir()
    files = loader.read([str(folder / "a.toml")])
    neighbours = edit.Neighbours.of(files, 0)
    assert neighbours.files.paths == (str(folder / "b.toml"),)
    assert neighbours.holders == {"other": str(folder / "b.toml")}
    assert neighbours.folder == str(folder) + "/"
    assert edit.Neighbours.of(loader.read([str(folder)]), 0).files.paths == ()  # the folder is loaded whole


def test_no_neighbours_for_the_bundled_timeline_nor_for_a_file_no_folder_loads(tmp_path: Path) -> None:
    folder = _folder(tmp_path, b=OTHER)
    (folder / "a.timeline").write_text(TRUCE, encoding="utf-8")
    assert edit.Neighbours.of(loader.read([str(folder / "a.timeline")]), 0).files.paths == ()
    bundled = loader.read([str(BUNDLED)], bundled=True)
    assert edit.Neighbours.of(bundled, 0).files.paths == ()


def test_validate_edit_refuses_what_adds_a_problem_to_the_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path, a=TRUCE, b=OTHER)
    files = loader.read([str(folder / "a.toml")])
    neighbours = edit.Neighbours.of(files, 0)
    block = '\n[[event]]\nid = "other"\nkind = "talks"\ntitle = "Again"\ndate = 2025-07-02\n'
    new = files.contents[0] + block.encode()
    new_from = files.contents[0].count(b"\n") + 2
    with pytest.raises(edit.EditRefused) as refused:
        edit.validate_edit(files, 0, new, neighbours, new_from=new_from)
    assert refused.value.message.startswith(f"not written: the *.toml files in {folder}/ load as one timeline")
    assert refused.value.details == (f"{folder}/b.toml:12: other: duplicate id: already defined at {folder}/a.toml:21",)
    timeline = edit.validate_edit(files, 0, files.contents[0] + block.replace('"other"', '"fine"').encode(), neighbours,
                                  new_from=new_from)  # fmt: skip
    assert timeline.entry("fine") is not None


def test_validate_edit_lets_the_folder_keep_the_problems_it_had(tmp_path: Path) -> None:
    folder = _folder(tmp_path, a=TRUCE, b="schema = 1\nthis is not TOML\n")
    files = loader.read([str(folder / "a.toml")])
    neighbours = edit.Neighbours.of(files, 0)
    block = b'\n[[event]]\nid = "fine"\nkind = "talks"\ntitle = "Fine"\ndate = 2025-07-02\n'
    timeline = edit.validate_edit(files, 0, files.contents[0] + block, neighbours, new_from=99)
    assert timeline.entry("fine") is not None


# ---------------------------------------------------------------- modifiers that would change nothing


def _pointless(make: Callable[..., Any], *modifiers: str) -> str | None:
    """The refusal of the last of ``modifiers`` (TOML bodies) applied to TRUCE's span, if any."""
    body = TRUCE.removeprefix(HEADER) + "".join(
        f'\n[[event]]\nid = "m{number}"\ntarget = "truce"\n{text}' for number, text in enumerate(modifiers)
    )
    timeline = make(body)
    try:
        edit.refuse_pointless(timeline, f"m{len(modifiers) - 1}")
    except TrucetrackError as error:
        return error.message
    return None


EXTEND = 'kind = "extension"\ndate = 2025-08-01\n'
END = 'kind = "termination"\ndate = 2025-08-01\n'


@pytest.mark.parametrize(
    ("modifiers", "refused"),
    [
        ((EXTEND + 'by = "30d"\n',), None),
        ((EXTEND + 'by = "0d"\n',), "--by 0d does not move the end of truce"),
        ((EXTEND + "end = 2025-08-12T00:01:00\n",), "truce already ends 2025-08-12 00:01 EDT (as of 2025-08-01)"),
        ((EXTEND + "through = 2025-08-10\n",), "--through 2025-08-10 is before the end of truce"),
        ((END,), None),
        ((END + "end = 2025-08-11\n",), None),
        ((END + "end = 2025-05-14\n",), None),  # at or before the start: it cancels the span
        ((END + "end = 2025-08-13\n",), "no later than --end 2025-08-13"),
        ((END.replace("08-01", "09-01"),), "truce has already ended (expired, 2025-08-12 00:01 EDT)"),
        ((END.replace("08-01", "07-01"), EXTEND + 'by = "9d"\n'), "truce was terminated by m0 (2025-07-01)"),
        ((END + "end = 2025-08-05\n", EXTEND + 'by = "9d"\n'), None),  # decided, not yet in effect: postponed
        ((END + "end = 2025-05-01\n", EXTEND + 'by = "9d"\n'), "truce was cancelled by m0 (decided 2025-08-01)"),
        ((END + "end = 2025-05-01\n", END), "nothing to end"),
        ((EXTEND.replace("08-01", "09-01") + 'by = "30d"\n',), None),  # a late renewal of an expired span
    ],
)
def test_refuse_pointless(make_timeline: Callable[..., Any], modifiers: tuple[str, ...], refused: str | None) -> None:
    message = _pointless(make_timeline, *modifiers)
    if refused is None:
        assert message is None
    else:
        assert message is not None and message.startswith("not written: ") and refused in message, message


def test_the_end_a_modifier_is_measured_against_is_the_one_current_at_its_date(
    make_timeline: Callable[..., Any],
) -> None:
    """An extension decided later is not yet known when this termination is decided, so it is not pointless."""
    later = EXTEND.replace("08-01", "08-10") + 'by = "90d"\n'
    assert _pointless(make_timeline, later, END.replace("08-01", "08-05") + "end = 2025-09-01\n") is not None
    assert _pointless(make_timeline, later, END.replace("08-01", "08-11") + "end = 2025-09-01\n") is None
