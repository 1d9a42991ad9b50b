"""The operations on files (edits, fmt, diff, export), called directly with a fixed instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import instant
from trucetrack.errors import TrucetrackError
from trucetrack.ops import diff as diff_ops
from trucetrack.ops import edit, fmt, publish
from trucetrack.ops.context import Invocation

NOW = datetime(2025, 8, 1, 12, 0, tzinfo=UTC)
Writer = Callable[..., Path]

TRUCE = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14T00:01:00
duration = "90d"
"""


def invocation(*paths: Path, as_of: str = "2025-08-11") -> Invocation:
    return Invocation(files=tuple(map(str, paths)), as_of=as_of, environ={"TRUCETRACK_CACHE": "off"}, now=NOW)


def test_add_appends_one_block_and_keeps_every_old_byte(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    before = path.read_bytes()
    request = edit.AddRequest(
        kind="talks", title="Stockholm talks", timing=edit.Timing(start="2025-07-28", through="2025-07-29")
    )
    result = edit.add(invocation(path), request)
    assert result.written and result.entry_id == "stockholm-talks"
    after = path.read_bytes()
    assert after.startswith(before) and after[len(before) :].decode().strip().endswith("through = 2025-07-29")
    assert result.block in after.decode()
    assert result.out_of_order is None  # it sorts after the truce: already in canonical order


def test_a_block_out_of_canonical_order_comes_with_the_fmt_to_run(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    request = edit.AddRequest(kind="announcement", title="Early call", timing=edit.Timing(date="2025-01-01"))
    result = edit.add(invocation(path), request)
    assert result.out_of_order is not None and result.out_of_order.entry_id == "early-call"
    assert result.out_of_order.fmt_arguments == (str(path),)


def test_a_dry_run_writes_nothing(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    before = path.read_bytes()
    request = edit.AddRequest(kind="announcement", title="Call", timing=edit.Timing(date="2025-09-01"), dry_run=True)
    result = edit.add(invocation(path), request)
    assert not result.written and 'id = "call"' in result.block
    assert path.read_bytes() == before


def test_an_id_in_use_is_refused_and_the_file_is_unchanged(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    before = path.read_bytes()
    request = edit.AddRequest(kind="talks", title="Truce", timing=edit.Timing(date="2025-09-01"))
    with pytest.raises(TrucetrackError, match="already in use"):
        edit.add(invocation(path), request)
    assert path.read_bytes() == before


def test_extend_reports_the_deadline_it_moved(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    result = edit.extend(invocation(path), edit.ExtendRequest(target="truce", date="2025-08-11", by="90d"))
    assert result.entry_id == "truce-ext-2025-08-11" and result.written
    assert result.effects is not None
    [move] = result.effects.moves
    assert (move.id, move.old, move.new, move.days) == (
        "truce",
        instant("2025-08-12T00:01"),
        instant("2025-11-10T00:01"),
        90,
    )


def test_end_writes_a_termination_into_the_targets_file(write_timeline: Writer) -> None:
    path = write_timeline(TRUCE)
    result = edit.end(invocation(path, as_of="2025-07-02"), edit.EndRequest(target="truce", date="2025-07-01"))
    assert result.entry_id == "truce-end-2025-07-01"
    assert 'kind = "termination"' in path.read_text(encoding="utf-8")
    assert result.effects is not None and [s.new for s in result.effects.statuses] == ["terminated"]


def test_init_writes_a_valid_timeline_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "eu.toml"
    assert edit.init(edit.InitRequest(path=path, title="EU", timezone="Europe/Brussels")).path == str(path)
    assert 'timezone = "Europe/Brussels"' in path.read_text(encoding="utf-8")
    with pytest.raises(TrucetrackError):
        edit.init(edit.InitRequest(path=path))


def test_fmt_checks_then_rewrites_into_canonical_order(write_timeline: Writer) -> None:
    later = TRUCE.replace('"truce"', '"b-later"').replace("2025-05-14", "2025-06-14")
    path = write_timeline(later + "\n" + TRUCE)
    before = path.read_bytes()
    checked = fmt.fmt(invocation(path), check=True)
    assert checked.changed == (str(path),) and path.read_bytes() == before
    done = fmt.fmt(invocation(path), check=False)
    assert done.changed == (str(path),)
    text = path.read_text(encoding="utf-8")
    assert text.index('id = "truce"') < text.index('id = "b-later"')
    assert fmt.fmt(invocation(path), check=True).changed == ()


def test_diff_reports_the_moved_deadline(write_timeline: Writer) -> None:
    old = write_timeline(TRUCE)
    new = write_timeline(TRUCE.replace('duration = "90d"', 'duration = "180d"'))
    result = diff_ops.diff(invocation(), [str(old), str(new)], None)
    assert not result.same
    [move] = result.diff.ends_moved
    assert (move.old_text, move.new_text, move.days) == ("2025-08-12 00:01 EDT", "2025-11-10 00:01 EST", 90)
    assert diff_ops.diff(invocation(), [str(old), str(old)], None).same


def test_git_diff_reads_dev_null_as_an_empty_side(write_timeline: Writer) -> None:
    new = write_timeline(TRUCE, name="new.toml")
    arguments = ["timelines/t.toml", "/dev/null", ".", ".", str(new), "abc", "100644"]
    result = diff_ops.git_diff(invocation(), arguments)
    assert result.old_label == "/dev/null" and result.diff is not None
    assert [note.id for note in result.diff.added] == ["truce"]


def test_export_writes_what_the_renderer_gives_atomically(write_timeline: Writer, tmp_path: Path) -> None:
    path = write_timeline(TRUCE)
    target = tmp_path / "feed.ics"
    seen = []

    def render(run: object, chosen: publish.ExportFormat) -> bytes:
        seen.append(chosen)
        return b"BEGIN:VCALENDAR\r\n"

    result = publish.export(invocation(path), None, target, render)
    assert seen == [publish.ExportFormat("ics")]
    assert target.read_bytes() == b"BEGIN:VCALENDAR\r\n" and result.written_to == str(target)
