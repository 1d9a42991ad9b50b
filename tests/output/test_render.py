"""Exact output of the status views (table, markdown, JSON, CSV) and of ``show``; terminal safety."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import NEW_YORK, SHANGHAI, instant, pinned_console
from trucetrack.core.context import RunContext
from trucetrack.core.model import Timeline
from trucetrack.engine.status import Engine
from trucetrack.load.loader import load as load_timeline
from trucetrack.output import status as render
from trucetrack.output.show import show_renderable, source_lines

BODY = """\
[[event]]
id = "truce"
kind = "agreement"
title = "Geneva-like 90-day truce"
start = 2025-05-14T00:01:00
duration = "90d"
warn = "21d"
parties = ["US", "CN"]
place = "Geneva"
measure = "reciprocal"
rate = 10.0
rate_after = 34.0
instrument = "EO 14298"
sources = ["https://example.org/eo-14298", "https://example.org/joint-statement"]
tags = ["truce", "tariffs"]

[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"

[[event]]
id = "talks"
kind = "talks"
title = "London talks"
start = 2025-09-09
through = 2025-09-10
parties = ["US", "CN"]

[[event]]
id = "ruling"
kind = "ruling"
title = "A court ruling"
date = 2025-08-20
parties = ["US"]

[[event]]
id = "controls"
kind = "export-control"
title = "Rare-earth licence requirement with a rather long title that will not fit in narrow terminals"
start = 2025-04-04
parties = ["CN"]
"""

# Lines (in file order) of each [[event]] header in HEADER + "\n" + BODY.
LINES = {"truce": 11, "talks": 34, "ruling": 42, "controls": 49}

AS_OF = instant("2025-08-12T00:01")

# Every control character that must never reach a terminal: C0 (but newline), DEL, C1.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def timeline(write_timeline: Callable[..., Path]) -> Timeline:
    write_timeline(BODY, name="t.toml")
    # The conftest chdirs to tmp_path: a relative path keeps "file" the same on every machine.
    return load_timeline(["t.toml"])


@pytest.fixture
def view(timeline: Timeline) -> RunContext:
    return RunContext(timeline=timeline, as_of=AS_OF, zone=NEW_YORK)


def captured(width: int, view: RunContext) -> str:
    console = pinned_console(width=width)
    states = Engine(view.timeline).states(view.as_of, view.zone)
    console.begin_capture()
    render.print_status_table(console, view, states)
    return console.end_capture()


def joined(*lines: str) -> str:
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- table


def test_status_table_at_80_columns(view: RunContext) -> None:
    # A long title wraps inside its column; nothing is cut.
    assert captured(80, view) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "When                     Left  Status     ID        Title",
        "2025-08-20             8 days  upcoming   ruling    A court ruling",
        "2025-09-09            28 days  scheduled  talks     London talks",
        "2025-11-10 00:01 EST  90 days  active     truce     Geneva-like 90-day truce",
        "open-ended                  —  active     controls  Rare-earth licence",
        "                                                    requirement with a rather",
        "                                                    long title that will not fit",
        "                                                    in narrow terminals",
    )


def test_status_table_at_40_columns_stacks_each_row(view: RunContext) -> None:
    # Not even the short columns fit: each entry becomes a block, still uncut.
    assert captured(40, view) == joined(
        "Test timeline — as of 2025-08-12 00:01",
        "EDT (America/New_York)",
        "2025-08-20  8 days  upcoming  ruling",
        "  A court ruling",
        "2025-09-09  28 days  scheduled  talks",
        "  London talks",
        "2025-11-10 00:01 EST  90 days  active",
        "  truce",
        "  Geneva-like 90-day truce",
        "open-ended  —  active  controls",
        "  Rare-earth licence requirement with a",
        "  rather long title that will not fit in",
        "  narrow terminals",
    )


def test_status_table_at_60_columns_puts_titles_below(view: RunContext) -> None:
    assert captured(60, view) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT",
        "(America/New_York)",
        "When                     Left  Status     ID",
        "2025-08-20             8 days  upcoming   ruling",
        "    A court ruling",
        "2025-09-09            28 days  scheduled  talks",
        "    London talks",
        "2025-11-10 00:01 EST  90 days  active     truce",
        "    Geneva-like 90-day truce",
        "open-ended                  —  active     controls",
        "    Rare-earth licence requirement with a rather long title",
        "    that will not fit in narrow terminals",
    )


def test_status_table_at_120_columns(view: RunContext) -> None:
    assert captured(120, view) == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "When                     Left  Status     ID        Title",
        "2025-08-20             8 days  upcoming   ruling    A court ruling",
        "2025-09-09            28 days  scheduled  talks     London talks",
        "2025-11-10 00:01 EST  90 days  active     truce     Geneva-like 90-day truce",
        "open-ended                  —  active     controls  "
        "Rare-earth licence requirement with a rather long title that will",
        "                                                    not fit in narrow terminals",
    )


def test_status_table_in_another_display_zone(timeline: Timeline) -> None:
    view = RunContext(timeline=timeline, as_of=AS_OF, zone=SHANGHAI)
    out = captured(80, view)
    assert out.splitlines()[0] == "Test timeline — as of 2025-08-12 12:01 CST (Asia/Shanghai)"
    assert "2025-11-10 13:01 CST  90 days  active     truce" in out


def test_status_table_with_nothing_to_show(view: RunContext) -> None:
    console = pinned_console(width=120)
    console.begin_capture()
    render.print_status_table(console, view, [])
    assert console.end_capture() == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "Nothing to show as of 2025-08-12 00:01 EDT: try --all to include finished entries, or another --as-of.",
    )


def test_status_table_through_a_stringio_console(view: RunContext) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None)
    render.print_status_table(console, view, Engine(view.timeline).states(view.as_of, view.zone))
    assert buffer.getvalue() == captured(80, view)


# ---------------------------------------------------------------- markdown, JSON, CSV


def test_status_markdown(view: RunContext) -> None:
    states = Engine(view.timeline).states(view.as_of, view.zone)
    assert render.status_markdown(view, states) == joined(
        "## Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "",
        "| When | Left | Status | ID | Title |",
        "|---|---|---|---|---|",
        "| 2025-08-20 | 8 days | upcoming | ruling | A court ruling |",
        "| 2025-09-09 | 28 days | scheduled | talks | London talks |",
        "| 2025-11-10 00:01 EST | 90 days | active | truce | Geneva-like 90-day truce |",
        "| open-ended | — | active | controls | "
        "Rare-earth licence requirement with a rather long title that will not fit in narrow terminals |",
    )


EXPECTED_ENTRIES = [
    {
        "id": "ruling",
        "kind": "ruling",
        "title": "A court ruling",
        "status": "upcoming",
        "start": "2025-08-20T00:00:00-04:00",
        "end": None,
        "original_end": None,
        "days_left": 8,
        "seconds_left": 8 * 86400 - 60,
        "working_days_left": None,
        "parties": ["US"],
        "file": "t.toml",
        "line": LINES["ruling"],
        "announced": None,
        "confirmed": True,
        "calendar": None,
        "provisional": None,
    },
    {
        "id": "talks",
        "kind": "talks",
        "title": "London talks",
        "status": "scheduled",
        "start": "2025-09-09T00:00:00-04:00",
        "end": "2025-09-11T00:00:00-04:00",
        "original_end": "2025-09-11T00:00:00-04:00",
        "days_left": 28,
        "seconds_left": 28 * 86400 - 60,
        "working_days_left": None,
        "parties": ["US", "CN"],
        "file": "t.toml",
        "line": LINES["talks"],
        "announced": None,
        "confirmed": True,
        "calendar": None,
        "provisional": None,
    },
    {
        "id": "truce",
        "kind": "agreement",
        "title": "Geneva-like 90-day truce",
        "status": "active",
        "start": "2025-05-14T00:01:00-04:00",
        "end": "2025-11-10T00:01:00-05:00",
        "original_end": "2025-08-12T00:01:00-04:00",
        "days_left": 90,
        "seconds_left": 90 * 86400 + 3600,
        "working_days_left": None,
        "parties": ["US", "CN"],
        "file": "t.toml",
        "line": LINES["truce"],
        "announced": None,
        "confirmed": True,
        "calendar": None,
        "provisional": None,
    },
    {
        "id": "controls",
        "kind": "export-control",
        "title": "Rare-earth licence requirement with a rather long title that will not fit in narrow terminals",
        "status": "active",
        "start": "2025-04-04T00:00:00-04:00",
        "end": None,
        "original_end": None,
        "days_left": None,
        "seconds_left": None,
        "working_days_left": None,
        "parties": ["CN"],
        "file": "t.toml",
        "line": LINES["controls"],
        "announced": None,
        "confirmed": True,
        "calendar": None,
        "provisional": None,
    },
]

JSON_KEYS = [
    "id",
    "kind",
    "title",
    "status",
    "start",
    "end",
    "original_end",
    "days_left",
    "seconds_left",
    "working_days_left",
    "parties",
    "file",
    "line",
    "announced",
    "confirmed",
    "calendar",
    "provisional",
]


def test_status_json_values(view: RunContext) -> None:
    states = Engine(view.timeline).states(view.as_of, view.zone)
    document = json.loads(render.status_json(view, states))
    assert document == {"as_of": "2025-08-12T00:01:00-04:00", "tz": "America/New_York", "entries": EXPECTED_ENTRIES}


def test_status_json_key_order(view: RunContext) -> None:
    states = Engine(view.timeline).states(view.as_of, view.zone)
    document = json.loads(render.status_json(view, states))
    assert list(document) == ["as_of", "tz", "entries"]
    for entry in document["entries"]:
        assert list(entry) == JSON_KEYS


def test_status_json_in_shanghai_uses_the_display_offset(timeline: Timeline) -> None:
    view = RunContext(timeline=timeline, as_of=AS_OF, zone=SHANGHAI)
    states = Engine(timeline).states(AS_OF, SHANGHAI)
    document = json.loads(render.status_json(view, states))
    assert document["as_of"] == "2025-08-12T12:01:00+08:00"
    assert document["tz"] == "Asia/Shanghai"
    truce = next(e for e in document["entries"] if e["id"] == "truce")
    assert truce["end"] == "2025-11-10T13:01:00+08:00"
    assert truce["seconds_left"] == 90 * 86400 + 3600


def test_status_csv(view: RunContext) -> None:
    states = Engine(view.timeline).states(view.as_of, view.zone)
    assert render.status_csv(view, states) == joined(
        ",".join(JSON_KEYS),
        "ruling,ruling,A court ruling,upcoming,2025-08-20T00:00:00-04:00,,,8,691140,,US,t.toml,42,,true,,",
        "talks,talks,London talks,scheduled,2025-09-09T00:00:00-04:00,2025-09-11T00:00:00-04:00,"
        "2025-09-11T00:00:00-04:00,28,2419140,,US;CN,t.toml,34,,true,,",
        "truce,agreement,Geneva-like 90-day truce,active,2025-05-14T00:01:00-04:00,2025-11-10T00:01:00-05:00,"
        "2025-08-12T00:01:00-04:00,90,7779600,,US;CN,t.toml,11,,true,,",
        "controls,export-control,Rare-earth licence requirement with a rather long title that will not fit "
        "in narrow terminals,active,2025-04-04T00:00:00-04:00,,,,,,CN,t.toml,49,,true,,",
    )


def test_csv_header_is_the_json_keys(view: RunContext) -> None:
    states = Engine(view.timeline).states(view.as_of, view.zone)
    rows = list(csv.reader(io.StringIO(render.status_csv(view, states))))
    assert rows[0] == JSON_KEYS
    document = json.loads(render.status_json(view, states))
    assert rows[0] == list(document["entries"][0])


FORMULAS = """\
[[event]]
id = "eq"
kind = "announcement"
title = "=HYPERLINK(\\"http://x\\",\\"click\\")"
date = 2025-09-01

[[event]]
id = "plus"
kind = "announcement"
title = "+1+1"
date = 2025-09-02

[[event]]
id = "minus"
kind = "announcement"
title = "-2+3"
date = 2025-09-03

[[event]]
id = "at"
kind = "announcement"
title = "@SUM(A1)"
date = 2025-09-04

[[event]]
id = "plain"
kind = "announcement"
title = "Plain, with a comma"
date = 2025-09-05
"""


def test_csv_formula_cells_get_a_quote_prefix(make_timeline: Callable[..., Timeline]) -> None:
    timeline = make_timeline(FORMULAS)
    as_of = instant("2025-08-01T00:00")
    view = RunContext(timeline=timeline, as_of=as_of, zone=NEW_YORK)
    rows = list(csv.DictReader(io.StringIO(render.status_csv(view, Engine(timeline).states(as_of, NEW_YORK)))))
    titles = {row["id"]: row["title"] for row in rows}
    assert titles == {
        "eq": '\'=HYPERLINK("http://x","click")',
        "plus": "'+1+1",
        "minus": "'-2+3",
        "at": "'@SUM(A1)",
        "plain": "Plain, with a comma",
    }
    # Numbers are numbers, not text with a prefix; a point has no end.
    assert rows[0]["days_left"] == "31"
    assert rows[0]["end"] == ""
    assert rows[0]["parties"] == ""


# ---------------------------------------------------------------- show


def test_show_renderable_with_an_extension(view: RunContext) -> None:
    timeline = view.timeline
    entry = timeline.entry("truce")
    assert entry is not None
    state = Engine(timeline).state(entry, view.as_of, view.zone)
    console = pinned_console(width=120)
    console.begin_capture()
    console.print(show_renderable(view, entry, state, {"US": "United States", "CN": "China"}))
    for line in source_lines(entry):
        console.print(line, soft_wrap=True)
    width = 103
    assert console.end_capture() == joined(
        "Test timeline — as of 2025-08-12 00:01 EDT (America/New_York)",
        "id          truce".ljust(width),
        "kind        agreement".ljust(width),
        "title       Geneva-like 90-day truce".ljust(width),
        "status      active".ljust(width),
        "start       2025-05-14 00:01 EDT".ljust(width),
        "left        90 days (ends 2025-11-10 00:01 EST)".ljust(width),
        "end         2025-11-10 00:01 EST = 2025-08-12 00:01 EDT + 90d, by ext (decided 2025-08-11)".ljust(width),
        "history     original: 2025-08-12 00:01 EDT = 2025-05-14 00:01 EDT + 90d".ljust(width),
        "            → 2025-11-10 00:01 EST = 2025-08-12 00:01 EDT + 90d, by ext (decided 2025-08-11) (+90 days)",
        "warn        21d".ljust(width),
        "parties     US (United States), CN (China)".ljust(width),
        "place       Geneva".ljust(width),
        "rate        reciprocal: 10%, then 34% once it ends".ljust(width),
        "instrument  EO 14298".ljust(width),
        "tags        truce, tariffs".ljust(width),
        f"file        t.toml:{LINES['truce']}".ljust(width),
        "zone        America/New_York".ljust(width),
        "sources",
        "  - https://example.org/eo-14298",
        "  - https://example.org/joint-statement",
    )


def test_show_renderable_before_the_extension_knows_nothing_of_it(timeline: Timeline) -> None:
    as_of = instant("2025-08-01T00:00")
    view = RunContext(timeline=timeline, as_of=as_of, zone=NEW_YORK)
    entry = timeline.entry("truce")
    extension = timeline.entry("ext")
    assert entry is not None and extension is not None
    state = Engine(timeline).state(entry, as_of, NEW_YORK)
    console = pinned_console(width=120)
    console.begin_capture()
    console.print(show_renderable(view, entry, state, {"US": "United States", "CN": "China"}))
    lines = [line.rstrip() for line in console.end_capture().splitlines()]
    assert "status      expiring" in lines
    assert "end         2025-08-12 00:01 EDT = 2025-05-14 00:01 EDT + 90d" in lines
    assert not any("2025-11-10" in line or "ext" in line.split() for line in lines)
    assert not any(line.startswith(("history", "after")) for line in lines)


# ---------------------------------------------------------------- terminal safety

# TOML text: \\u escapes become the real characters when the file is parsed.
NASTY_TOML_TITLE = r"[red]x[/red] \u001b[31mB \u001b]8;;http://x\u0007C \u0007D \u009b31mE \u007fF"
# The markup stays literal; an escape sequence goes entirely, or at least loses its ESC/BEL/C1 bytes.
NASTY_SHOWN = re.compile(r"\[red\]x\[/red\] (?:\[31m)?B (?:\]8;;http://x)?C D (?:31m)?E F")
NASTY = f"""\
[[event]]
id = "nasty"
kind = "announcement"
title = "{NASTY_TOML_TITLE}"
date = 2025-09-01
parties = ["US"]
"""


@pytest.fixture
def nasty_view(make_timeline: Callable[..., Timeline]) -> RunContext:
    timeline = make_timeline(NASTY)
    entry = timeline.entry("nasty")
    assert entry is not None
    # The parser really did produce the dangerous characters.
    for bad in ("\x1b[31m", "\x1b]8;;http://x\x07", "\x07", "\u009b31m", "\x7f"):
        assert bad in entry.title
    return RunContext(timeline=timeline, as_of=instant("2025-08-01T00:00"), zone=NEW_YORK)


def assert_safe(text: str) -> None:
    assert CONTROL.search(text) is None, repr(text)


def test_table_shows_markup_literally_and_no_controls(nasty_view: RunContext) -> None:
    out = captured(120, nasty_view)
    assert_safe(out)
    assert NASTY_SHOWN.search(out), out


def test_coloured_table_carries_no_escape_from_the_file(nasty_view: RunContext) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=True, color_system="standard")
    render.print_status_table(console, nasty_view, Engine(nasty_view.timeline).states(nasty_view.as_of, NEW_YORK))
    out = buffer.getvalue()
    assert "\x1b[" in out  # the console itself does colour
    for bad in ("\x1b[31mB", "\x1b]", "\x07", "\x9b", "\x7f"):
        assert bad not in out
    without_styles = re.sub("\x1b\\[[0-9;]*m", "", out)
    assert_safe(without_styles)
    assert NASTY_SHOWN.search(without_styles), without_styles


def test_markdown_has_no_controls(nasty_view: RunContext) -> None:
    out = render.status_markdown(nasty_view, Engine(nasty_view.timeline).states(nasty_view.as_of, NEW_YORK))
    assert_safe(out)
    assert re.search(r"\| nasty \| " + NASTY_SHOWN.pattern + r" \|", out), out


def test_json_has_no_controls_raw_or_parsed(nasty_view: RunContext) -> None:
    out = render.status_json(nasty_view, Engine(nasty_view.timeline).states(nasty_view.as_of, NEW_YORK))
    assert_safe(out)
    assert "\\u001b" not in out.lower()
    assert "\\u0007" not in out
    document = json.loads(out)
    title = document["entries"][0]["title"]
    assert NASTY_SHOWN.fullmatch(title), title
    assert_safe(title)


def test_csv_has_no_controls(nasty_view: RunContext) -> None:
    out = render.status_csv(nasty_view, Engine(nasty_view.timeline).states(nasty_view.as_of, NEW_YORK))
    assert_safe(out)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert NASTY_SHOWN.fullmatch(rows[0]["title"]), rows[0]["title"]
