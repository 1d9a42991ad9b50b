"""fmt: canonical order, lossless comments, idempotence, refusals, --check exit codes."""

from __future__ import annotations

import os
import textwrap
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import BUNDLED, HEADER, NEW_YORK, instant
from trucetrack.cli import app
from trucetrack.core.model import Timeline
from trucetrack.engine.status import Engine
from trucetrack.load import validate
from trucetrack.store import canonical
from trucetrack.store import reader as store


def load_text(text: str, path: str = "t.toml") -> Timeline:
    timeline, problems = validate.build_timeline([store.parse_document(text.encode("utf-8"), path)])
    assert not problems, problems
    return timeline


def fmt_text(text: str, path: str = "t.toml") -> str:
    return canonical.canonical_text(text, canonical.begins_of(load_text(text, path)), path=path)


MESSY = """\
#:schema ./schema.json
# About this file.

# about title
title = "Messy"   # inline title
schema = 1
"timezone" = "America/New_York"
# end of the header keys

# the parties
[parties]
# about US
US = {name = "United States"} # inline US
CN.name = "China"  # CN's name

# about b
[[event]] # header b
kind = "talks"
title = 'B talks'
id = "b"
# about date
date = 2025-06-09
sources = [
  "x", # first
  # between
  "y",
]
# end of b

# about a
[[event]]
title = "A # not a comment"
id = "a"
kind = "agreement"
rate = 10
measure = "m"
start = 2025-05-14T00:01:00
duration = "90d"

[[event]]
id = "ext"
kind = "extension"
target = "a"
date = 2025-08-11
by = "90d"

# the end
"""

MESSY_CANONICAL = """\
#:schema ./schema.json

# About this file.

schema = 1
# about title
title = "Messy"   # inline title
timezone = "America/New_York"
# end of the header keys

# the parties
[parties.CN]
name = "China"  # CN's name

# about US
[parties.US] # inline US
name = "United States"

# about a
[[event]]
id = "a"
kind = "agreement"
title = "A # not a comment"
start = 2025-05-14T00:01:00
duration = "90d"
measure = "m"
rate = 10

# about b
[[event]] # header b
id = "b"
kind = "talks"
title = 'B talks'
# about date
date = 2025-06-09
sources = [
  "x", # first
  # between
  "y",
]
# end of b

[[event]]
id = "ext"
kind = "extension"
target = "a"
date = 2025-08-11
by = "90d"

# the end
"""


def test_messy_file_in_canonical_form() -> None:
    assert fmt_text(MESSY) == MESSY_CANONICAL


def test_canonical_form_is_idempotent_and_means_the_same() -> None:
    once = fmt_text(MESSY)
    assert fmt_text(once) == once
    assert canonical.same_meaning(load_text(MESSY), load_text(once)) is None


def test_every_comment_is_kept() -> None:
    before = Counter(text for _, text in canonical.comment_lines(MESSY))
    after = Counter(text for _, text in canonical.comment_lines(fmt_text(MESSY)))
    assert before == after
    assert "# not a comment" not in " ".join(before)  # a '#' inside a string is no comment


def test_inline_tables_become_blocks_with_their_comments() -> None:
    text = textwrap.dedent(
        """\
        schema = 1
        parties = {US = {name = "United States"}, CN = {name = "China"}} # both parties
        # all events
        event = [
          # about late
          {id = "late", kind = "talks", title = "Late", date = 2025-06-09}, # after late
          # about early
          {id = "early", kind = "talks", title = "Early", date = 2025-06-01},
        ]
        """
    )
    result = fmt_text(text)
    assert result == textwrap.dedent(
        """\
        schema = 1

        # both parties
        [parties.CN]
        name = "China"

        [parties.US]
        name = "United States"

        # all events

        # about early
        [[event]]
        id = "early"
        kind = "talks"
        title = "Early"
        date = 2025-06-01

        # about late
        [[event]] # after late
        id = "late"
        kind = "talks"
        title = "Late"
        date = 2025-06-09
        """
    )
    assert fmt_text(result) == result


def test_crlf_and_byte_order_mark_are_kept() -> None:
    text = "\ufeff" + MESSY.replace("\n", "\r\n")
    result = fmt_text(text)
    assert result.startswith("\ufeff#:schema")
    assert result == "\ufeff" + MESSY_CANONICAL.replace("\n", "\r\n")


def test_mixed_line_endings_take_the_first_lines_ending_throughout() -> None:
    # An LF first line, CRLF after (headers, comments, values alike): every line ends as the first does.
    lines = MESSY.split("\n")
    mixed = lines[0] + "\n" + "\r\n".join(lines[1:])
    assert "\r\n" in mixed
    assert fmt_text(mixed) == MESSY_CANONICAL
    # A CRLF first line and LF after: all CRLF.
    mixed = lines[0] + "\r\n" + "\n".join(lines[1:])
    assert fmt_text(mixed) == MESSY_CANONICAL.replace("\n", "\r\n")


def test_fmt_writes_one_line_ending_and_is_then_canonical(tmp_path: Path, runner: CliRunner) -> None:
    lines = MESSY.split("\n")
    path = tmp_path / "mixed.toml"
    path.write_bytes((lines[0] + "\n" + "\r\n".join(lines[1:])).encode("utf-8"))
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert b"\r" not in path.read_bytes()
    assert runner.invoke(app, ["fmt", "--check", str(path)]).exit_code == 0


def test_values_are_kept_as_written() -> None:
    text = HEADER + textwrap.dedent(
        '''
        [[event]]
        id = "x"
        kind = "tariff"
        title = """A multi-line
        title # with a hash"""
        start = 2025-05-14T00:01:00-04:00
        measure = "m"
        rate = 1e1
        notes = 'literal \\ string'
        '''
    )
    result = fmt_text(text)
    for written in (
        '"""A multi-line\ntitle # with a hash"""',
        "2025-05-14T00:01:00-04:00",
        "1e1",
        "'literal \\ string'",
    ):
        assert written in result


def test_bundled_timeline_is_canonical() -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    assert fmt_text(text, "us-china-2025.toml") == text


def test_same_date_modifiers_may_be_reordered_by_id() -> None:
    """They apply in id order whatever the file order, so sorting them changes nothing."""
    text = HEADER + textwrap.dedent(
        """
        [[event]]
        id = "truce"
        kind = "agreement"
        title = "T"
        start = 2025-05-14
        duration = "90d"

        [[event]]
        id = "zz-first"
        kind = "extension"
        target = "truce"
        date = 2025-08-11
        end = 2025-12-01

        [[event]]
        id = "aa-second"
        kind = "extension"
        target = "truce"
        date = 2025-08-11
        by = "30d"
        """
    )
    old = load_text(text)
    formatted = fmt_text(text)
    assert formatted.index("aa-second") < formatted.index("zz-first")
    assert canonical.same_meaning(old, load_text(formatted)) is None


def test_lost_comment_is_refused_naming_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(canonical, "_section_lines", lambda section: [])
    with pytest.raises(canonical.CommentPlacementError, match=r"t\.toml:10: cannot place this comment.*# the parties"):
        fmt_text(MESSY)


# ---------------------------------------------------------------- the command


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_fmt_rewrites_and_check_exit_codes(tmp_path: Path, runner: CliRunner) -> None:
    messy = write(tmp_path / "messy.toml", MESSY)
    result = runner.invoke(app, ["fmt", "--check", str(messy)])
    assert result.exit_code == 1
    assert result.output == f"would reformat {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY  # --check writes nothing

    result = runner.invoke(app, ["fmt", str(messy)])
    assert result.exit_code == 0, result.output
    assert result.output == f"reformatted {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY_CANONICAL

    result = runner.invoke(app, ["fmt", "--check", str(messy)])
    assert result.exit_code == 0
    assert result.output == "ok: 1 file already canonical\n"
    result = runner.invoke(app, ["fmt", str(messy)])
    assert (result.exit_code, result.output) == (0, "ok: 1 file already canonical\n")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".messy")]


def test_file_names_reach_the_terminal_without_control_characters(tmp_path: Path, runner: CliRunner) -> None:
    messy = write(tmp_path / "a\x1b]0;PWNED\x07\x1b[31mred.toml", MESSY)
    for args in (["fmt", "--check", str(messy)], ["fmt", str(messy)]):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), result.output
        assert result.output.startswith(("would reformat ", "reformatted "))
        assert "red.toml" in result.output
        assert not any(char in result.output for char in "\x1b\x07")


def test_fmt_refuses_an_invalid_file(tmp_path: Path, runner: CliRunner) -> None:
    broken = write(tmp_path / "broken.toml", MESSY.replace('kind = "talks"', 'kind = "talk"'))
    for args in (["fmt", str(broken)], ["fmt", "--check", str(broken)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "unknown kind 'talk'" in result.output
        assert "trucetrack: error: invalid timeline" in result.output
    assert broken.read_text(encoding="utf-8") == MESSY.replace('kind = "talks"', 'kind = "talk"')


def test_fmt_refuses_to_change_meaning_and_writes_nothing(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A formatter bug that moved a date is caught by reading the result back."""
    text = HEADER + textwrap.dedent(
        """
        [[event]]
        id = "truce"
        kind = "agreement"
        title = "T"
        start = 2025-05-14
        duration = "90d"
        """
    )
    path = write(tmp_path / "t.toml", text)
    real = canonical.canonical_bytes

    def buggy(raw: bytes, begins: Any, *, path: str) -> bytes:
        return real(raw, begins, path=path).replace(b"2025-05-14", b"2025-05-15")

    monkeypatch.setattr(canonical, "canonical_bytes", buggy)
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 2
    assert "would change the meaning: entry 'truce' would change" in result.output
    assert path.read_text(encoding="utf-8") == text


def test_fmt_default_resolution_and_folders(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "timelines"
    folder.mkdir()
    first = write(folder / "a.toml", MESSY)
    other = HEADER.replace('title = "Test timeline"\n', "") + textwrap.dedent(
        """
        [[event]]
        id = "ext-b"
        kind = "extension"
        target = "a"
        date = 2025-09-01
        by = "10d"
        """
    )
    second = write(folder / "b.toml", "# other file\n" + other)
    result = runner.invoke(app, ["fmt"])
    assert result.exit_code == 0, result.output
    assert result.output == "reformatted timelines/a.toml\nreformatted timelines/b.toml\n"
    assert first.read_text(encoding="utf-8") == MESSY_CANONICAL
    assert second.read_text(encoding="utf-8").startswith("# other file\nschema = 1\ntimezone =")
    assert runner.invoke(app, ["fmt", "--check", str(folder)]).exit_code == 0


def test_fmt_never_writes_the_bundled_timeline(runner: CliRunner) -> None:
    result = runner.invoke(app, ["fmt"])
    assert result.exit_code == 2
    assert "the bundled timeline is never written" in result.output
    result = runner.invoke(app, ["fmt", "--check"])
    assert result.exit_code == 0
    assert result.output == "ok: 1 file already canonical\n"


def test_fmt_keeps_the_file_mode(tmp_path: Path, runner: CliRunner) -> None:
    path = write(tmp_path / "m.toml", MESSY)
    path.chmod(0o640)
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------- round trip property

IDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
BASE_DAY = date(2025, 3, 1)


@st.composite
def timelines_with_comments(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A valid timeline written in a random layout, with comments whose owner is known.

    Returns the text and, for each comment, what it must stay with:
    ``block:<id>`` (above, on or at the end of that event's block) or
    ``key:<id>.<key>`` (directly above or on the line of that key).
    """
    owners: dict[str, str] = {}
    counter = iter(range(10_000))

    def comment(owner: str) -> str:
        text = f"# c{next(counter)} {owner}"
        owners[text] = owner
        return text

    def when(day: int, style: int) -> str:
        value = BASE_DAY + timedelta(days=day)
        if style == 0:
            return value.isoformat()
        if style == 1:
            return f"{value.isoformat()}T00:01:00"
        return f"{value.isoformat()}T12:01:00+08:00"

    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    events: list[tuple[str, list[tuple[str, str]]]] = []
    spans: list[tuple[str, int]] = []
    for entry_id in ids:
        day = draw(st.integers(0, 200))
        style = draw(st.integers(0, 2))
        shape = draw(st.sampled_from(["point", "span", "modifier"] if spans else ["point", "span"]))
        keys: list[tuple[str, str]] = [("id", f'"{entry_id}"')]
        if shape == "modifier":
            target, target_start = draw(st.sampled_from(spans))
            kind = draw(st.sampled_from(["extension", "termination"]))
            keys += [("kind", f'"{kind}"'), ("target", f'"{target}"')]
            # Distinct decision dates: same-date modifiers apply in file order, which fmt refuses to change.
            decided = target_start + 1 + 3 * len(events) + draw(st.integers(0, 2))
            keys.append(("date", when(decided, 0)))
            ending = draw(st.sampled_from(["by", "end", "none"] if kind == "termination" else ["by", "end", "through"]))
            if ending == "by" and kind == "extension":
                keys.append(("by", f'"{draw(st.integers(1, 90))}d"'))
            elif ending in ("end", "by"):
                keys.append(("end", when(decided + draw(st.integers(1, 90)), draw(st.integers(0, 2)))))
            elif ending == "through":
                keys.append(("through", (BASE_DAY + timedelta(days=decided + 30)).isoformat()))
        else:
            keys += [("kind", '"talks"'), ("title", f'"{entry_id.title()} # talks"')]
            if shape == "point":
                keys.append(("date", when(day, style)))
            else:
                keys.append(("start", when(day, style)))
                end_key = draw(st.sampled_from(["duration", "end", "through"]))
                length = draw(st.integers(1, 120))
                if end_key == "duration":
                    keys.append(("duration", f'"{length}d"'))
                elif end_key == "end":
                    keys.append(("end", when(day + length, style)))
                else:
                    keys.append(("through", (BASE_DAY + timedelta(days=day + length)).isoformat()))
                spans.append((entry_id, day))
            if draw(st.booleans()):
                keys.append(("parties", '["US", "CN"]'))
            if draw(st.booleans()):
                keys.append(("notes", '"# not a comment"'))
        events.append((entry_id, keys))

    lines = [comment("top"), "", "schema = 1"]
    root = [("title", '"Generated"'), ("timezone", '"America/New_York"'), ("warn", '"14d"')]
    for key, value in draw(st.permutations(root)):
        lines.append(f"{key} = {value}")
    lines += ["", "[parties.US]", 'name = "United States"', "", "[parties.CN]", 'name = "China"']
    for entry_id, keys in draw(st.permutations(events)):
        lines.append("")
        if draw(st.booleans()):
            lines.append(comment(f"block:{entry_id}"))
        header = "[[event]]"
        if draw(st.booleans()):
            header += "  " + comment(f"block:{entry_id}")
        lines.append(header)
        for key, value in draw(st.permutations(keys)):
            if draw(st.integers(0, 3)) == 0:
                lines.append(comment(f"key:{entry_id}.{key}"))
            line = f"{key} = {value}"
            if draw(st.integers(0, 3)) == 0:
                line += " " + comment(f"key:{entry_id}.{key}")
            lines.append(line)
        if draw(st.booleans()):
            lines += [comment(f"block:{entry_id}")]
    lines += ["", comment("bottom")]
    return "\n".join(lines) + "\n", owners


def _event_id(lines: list[str], header: int) -> str | None:
    """The id of the block whose header is at ``header`` (None for a party table)."""
    if not lines[header].startswith("[[event]]"):
        return None
    for line in lines[header + 1 :]:
        if line.startswith("id = "):
            return line.split('"')[1]
    return None


def _block_above(lines: list[str], number: int) -> str | None:
    header = max(i for i in range(number + 1) if lines[i].startswith("["))
    return _event_id(lines, header)


def _comment_owner(lines: list[str], number: int) -> str | None:
    """The event a comment line is with: its header's line, the block it ends, or the block below it."""
    if lines[number].startswith("["):
        return _event_id(lines, number)
    top = number
    while top > 0 and lines[top - 1].startswith("#"):
        top -= 1
    if top > 0 and lines[top - 1].strip():  # directly below a key or header: inside that block
        return _block_above(lines, top - 1)
    below = number
    while not lines[below].startswith("["):
        below += 1
    return _event_id(lines, below)


def _owner_checks(result: str, owners: dict[str, str]) -> None:
    """Each comment is with its entry's block, and a key's comment is on or directly above that key."""
    lines = result.split("\n")
    for number, line in enumerate(lines):
        if "# c" not in line:
            continue
        text = line[line.index("# c") :]
        owner = owners[text]
        if owner.startswith("key:"):
            entry_id, key = owner[4:].split(".")
            after = number
            while lines[after].startswith("#"):
                after += 1
            assert lines[after].startswith(f"{key} = "), (text, lines[after])
            assert _block_above(lines, after) == entry_id, (text, result)
        elif owner.startswith("block:"):
            assert _comment_owner(lines, number) == owner[6:], (text, result)


def _states(timeline: Timeline) -> dict[str, tuple[str, datetime | None]]:
    engine = Engine(timeline)
    result = {}
    for moment in ("2025-01-01T00:00", "2025-06-01T00:00", "2025-10-01T00:00", "2026-06-01T00:00"):
        for state in engine.states(instant(moment), NEW_YORK):
            result[f"{state.id}@{moment}"] = (state.status, state.end)
    return result


def test_write_is_atomic_under_the_lock(tmp_path: Path, runner: CliRunner) -> None:
    path = write(tmp_path / "x.toml", MESSY)
    inode = path.stat().st_ino
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert [name for name in os.listdir(tmp_path) if name != ".cache"] == ["x.toml"]  # no lock or temp file left


def test_the_values_digest_tells_types_apart_and_not_order() -> None:
    """fmt's quick meaning check: the same values in another order pass, any change of
    value or of type (which validation might read differently) does not."""
    import tomllib

    def digest(text: str) -> bytes | None:
        return canonical.values_digest(tomllib.loads(text))

    base = 'schema = 1\n[parties.US]\nname = "U"\n[[event]]\nid = "a"\nx = 1\ny = 2025-05-14\n[[event]]\nid = "b"\n'
    moved = 'schema = 1\n[parties.US]\nname = "U"\n[[event]]\nid = "b"\n[[event]]\ny = 2025-05-14\nid = "a"\nx = 1\n'
    assert digest(base) is not None
    assert digest(base) == digest(moved)
    for changed in ("x = 1.0", "x = true", "x = 2"):
        assert digest(base.replace("x = 1", changed)) != digest(base)
    for changed in ("y = 2025-05-14T00:00:00", "y = 2025-05-14T00:00:00Z", "y = 2025-05-15"):
        assert digest(base.replace("y = 2025-05-14", changed)) != digest(base)
    assert digest(base.replace("schema = 1", "schema = 1\ntitle = 'T'")) != digest(base)
    assert digest("event = 1") is None


def test_a_format_that_changes_a_value_but_not_the_meaning_is_still_written(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the formatted values differ, fmt validates the result and compares meanings."""
    text = HEADER + textwrap.dedent(
        """
        [[event]]
        id = "step"
        kind = "tariff"
        title = "Step"
        start = 2025-05-14
        measure = "m"
        rate = 10.0
        """
    )
    path = write(tmp_path / "t.toml", text)
    real = canonical.canonical_bytes

    def integer_rate(raw: bytes, begins: Any, *, path: str) -> bytes:
        return real(raw, begins, path=path).replace(b"rate = 10.0", b"rate = 10")

    monkeypatch.setattr(canonical, "canonical_bytes", integer_rate)
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert "rate = 10\n" in path.read_text(encoding="utf-8")
