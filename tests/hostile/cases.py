"""The setup of every case of docs/hostile-inputs.md, by case id.

Each function builds its input in the case's own folder (the command runs
there) and returns a ``Prepared``: values for ``{NAME}`` placeholders of the
command, a reason to skip where the machine cannot hold the case, or its own
runner for the cases that need more than one process (concurrent and killed
writers). Line numbers in the table refer to the texts built here: ``BASE``
is 17 lines long, so a key added after it is on line 18.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .runner import Outcome, installed_command, limited, run, snapshot

Runner = Callable[[Path, list[str], dict[str, str]], Outcome]
Check = Callable[[Outcome, Path], list[str]]


@dataclass
class Prepared:
    values: dict[str, str] = field(default_factory=dict)  # for {NAME} in the command
    skip: str | None = None  # why this machine cannot run the case
    runner: Runner | None = None  # runs the case itself (argv: the whole command, env: pinned)
    writes: bool = False  # the case writes files on purpose; its runner checks them
    check: Check | None = None  # more assertions: problems found, as sentences


Setup = Callable[[Path], Prepared]
CASES: dict[str, Setup] = {}


def case(*names: str) -> Callable[[Callable[[Path], Prepared | None]], Setup]:
    """Register the setup of the case ids ``names`` (one function may build several)."""

    def register(function: Callable[[Path], Prepared | None]) -> Setup:
        def setup(folder: Path) -> Prepared:
            return function(folder) or Prepared()

        for name in names:
            if name in CASES:
                raise ValueError(f"case {name} has two setups")
            CASES[name] = setup
        return setup

    return register


# ---------------------------------------------------------------- texts

BASE = """\
schema = 1
title = "Hostile base"
timezone = "UTC"

[parties.US]
name = "United States"

[parties.CN]
name = "China"

[[event]]
id = "truce"
kind = "agreement"
title = "Truce"
start = 2025-05-14
duration = "90d"
parties = ["US", "CN"]
"""

# Lines 18 to 24 after BASE: an extension of the truce.
EXTENSION = """
[[event]]
id = "ext"
kind = "extension"
target = "truce"
date = 2025-06-01
by = "30d"
"""

# Lines 18 to 20 after BASE: the truce sets a rate.
RATES = """\
measure = "m"
rate = 10.0
rate_after = 5.0
"""

SIBLING = """\
schema = 1
title = "Sibling"
timezone = "UTC"

[[event]]
id = "talks"
kind = "talks"
title = "Talks"
date = 2025-07-01
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def base(folder: Path, text: str = BASE, name: str = "t.toml") -> Path:
    return write(folder, name, text)


def replaced(old: str, new: str, text: str = BASE) -> str:
    if old not in text:
        raise ValueError(f"{old!r} is not in the text")
    return text.replace(old, new, 1)


def nested(depth: int, open_: str = "[", close: str = "]", inner: str = "") -> str:
    return open_ * depth + inner + close * depth


# ---------------------------------------------------------------- broken TOML


@case("toml-unterminated-string")
def _(folder: Path) -> None:
    base(folder, replaced('title = "Hostile base"', 'title = "Hostile base'))


@case("toml-unterminated-multiline")
def _(folder: Path) -> None:
    base(folder, BASE + 'notes = """never\nclosed\n')


@case("toml-unterminated-array")
def _(folder: Path) -> None:
    base(folder, replaced('parties = ["US", "CN"]\n', 'parties = ["US",\n'))


@case("toml-unclosed-header")
def _(folder: Path) -> None:
    base(folder, replaced("[[event]]", "[[event"))


@case("toml-truncated")
def _(folder: Path) -> None:
    base(folder, BASE[: BASE.index("[[event]]")] + "[[eve")


@case("toml-bad-month")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 2025-13-01"))


@case("toml-bad-day")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 2025-02-30"))


@case("toml-bad-hour")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 2025-05-14T25:00:00"))


@case("toml-bad-offset")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 2025-05-14T00:00:00+24:00"))


@case("toml-duplicate-key")
def _(folder: Path) -> None:
    base(folder, replaced('timezone = "UTC"\n', 'timezone = "UTC"\ntitle = "Again"\n'))


@case("toml-duplicate-table")
def _(folder: Path) -> None:
    base(folder, replaced("[parties.CN]", "[parties.US]"))


@case("toml-duplicate-event-key")
def _(folder: Path) -> None:
    base(folder, BASE + 'id = "again"\n')


@case("toml-table-then-array")
def _(folder: Path) -> None:
    base(folder, replaced("[[event]]", "[event]\n\n[[event]]"))


@case("toml-invalid-utf8")
def _(folder: Path) -> None:
    base(folder, BASE.encode().replace(b"Hostile base", b"Hostile \xff base"))


@case("toml-overlong-utf8")
def _(folder: Path) -> None:
    base(folder, BASE.encode().replace(b"Hostile base", b"Hostile \xc0\xaf base"))


@case("toml-surrogate-utf8")
def _(folder: Path) -> None:
    base(folder, BASE.encode().replace(b"Hostile base", b"Hostile \xed\xa0\x80 base"))


@case("toml-escaped-surrogate")
def _(folder: Path) -> None:
    base(folder, replaced('title = "Hostile base"', 'title = "Hostile \\uD800 base"'))


@case("toml-utf16")
def _(folder: Path) -> None:
    base(folder, BASE.encode("utf-16"))


@case("toml-bom")
def _(folder: Path) -> None:
    base(folder, "\ufeff" + BASE)


@case("toml-double-bom")
def _(folder: Path) -> None:
    base(folder, "\ufeff\ufeff" + BASE)


@case("toml-nul-in-string")
def _(folder: Path) -> None:
    base(folder, replaced('title = "Hostile base"', 'title = "Hostile\x00base"'))


@case("toml-nul-in-comment")
def _(folder: Path) -> None:
    base(folder, BASE + "# a \x00 in a comment\n")


@case("toml-raw-escape")
def _(folder: Path) -> None:
    base(folder, replaced('title = "Truce"', 'title = "Truce \x1b[31mred"'))


@case("toml-crlf")
def _(folder: Path) -> None:
    base(folder, BASE.replace("\n", "\r\n"))


@case("toml-mixed-endings")
def _(folder: Path) -> None:
    half = BASE.index("[[event]]")
    base(folder, BASE[:half].replace("\n", "\r\n") + BASE[half:])


@case("toml-lone-cr")
def _(folder: Path) -> None:
    base(folder, BASE.replace("\n", "\r"))


@case("toml-huge-comment")
def _(folder: Path) -> None:
    base(folder, BASE + "# " + "y" * (5 * 1024 * 1024) + "\n")


@case("toml-huge-bad-line")
def _(folder: Path) -> None:
    base(folder, BASE + "z" * (5 * 1024 * 1024) + "\n")


@case("toml-binary")
def _(folder: Path) -> None:
    base(folder, random.Random(11).randbytes(4096))


@case("toml-only-comments")
def _(folder: Path) -> None:
    base(folder, "# nothing but a comment\n\n")


@case("toml-status-on-broken", "toml-fmt-on-broken", "toml-add-on-broken")
def _(folder: Path) -> None:
    base(folder, replaced('title = "Hostile base"', 'title = "Hostile base'))


# ---------------------------------------------------------------- wrong types

TOP_LEVEL_WRONG = {
    "schema": ("schema = 1", 'schema = "1"'),
    "title": ('title = "Hostile base"', "title = 42"),
    "timezone": ('timezone = "UTC"', "timezone = 7"),
    "current-to": ('timezone = "UTC"\n', 'timezone = "UTC"\ncurrent_to = "2025-06-01"\n'),
    "warn": ('timezone = "UTC"\n', 'timezone = "UTC"\nwarn = 14\n'),
    "kinds": ('timezone = "UTC"\n', 'timezone = "UTC"\nkinds = "talks"\n'),
    "kinds-item": ('timezone = "UTC"\n', 'timezone = "UTC"\nkinds = [1]\n'),
    "parties": ('timezone = "UTC"\n', 'timezone = "UTC"\nparties = "US"\n'),
    "party": ('timezone = "UTC"\n', 'timezone = "UTC"\nparties.CN = "China"\n'),
    "party-name": ('name = "China"', "name = 1"),
    "event": ('timezone = "UTC"\n', 'timezone = "UTC"\nevent = "x"\n'),
    "event-item": ('timezone = "UTC"\n', 'timezone = "UTC"\nevent = [1]\n'),
}


def _wrong_top(key: str) -> Setup:
    def setup(folder: Path) -> None:
        old, new = TOP_LEVEL_WRONG[key]
        text = replaced(old, new)
        if key == "parties":
            text = text[: text.index("[parties.US]")] + text[text.index("[[event]]") :]
        if key == "party":
            text = replaced('[parties.CN]\nname = "China"\n', "", text)
        if key in ("event", "event-item"):
            text = text[: text.index("[[event]]")]
        base(folder, text)

    return setup


for _key in TOP_LEVEL_WRONG:
    case(f"type-{_key}")(_wrong_top(_key))

# Event keys: (text to replace, its replacement); None: the line is added after BASE (line 18).
EVENT_WRONG: dict[str, tuple[str | None, str]] = {
    "id": ('id = "truce"', "id = 1"),
    "kind": ('kind = "agreement"', "kind = true"),
    "title": ('title = "Truce"', "title = [1]"),
    "date": ('start = 2025-05-14\nduration = "90d"', 'date = "2025-07-01"'),
    "start": ("start = 2025-05-14", 'start = "2025-05-14"'),
    "end": ('duration = "90d"', "end = 12"),
    "through": ('duration = "90d"', "through = 2025-08-01T00:00:00"),
    "duration": ('duration = "90d"', "duration = 90"),
    "warn": (None, "warn = false"),
    "parties": ('parties = ["US", "CN"]', 'parties = "US"'),
    "parties-item": ('parties = ["US", "CN"]', "parties = [1, 2]"),
    "place": (None, "place = {a = 1}"),
    "instrument": (None, "instrument = []"),
    "sources": (None, 'sources = "https://example.org"'),
    "tags": (None, "tags = [1, 2]"),
    "notes": (None, "notes = 1979-05-27T07:32:00Z"),
    "event-table": ('[[event]]\nid = "truce"', '[[event]]\nid = "truce"\n[event.sub]\nx = 1\n[[event]]\nid = "t2"'),
}


def _wrong_event(key: str) -> Setup:
    def setup(folder: Path) -> None:
        old, new = EVENT_WRONG[key]
        base(folder, BASE + new + "\n" if old is None else replaced(old, new))

    return setup


for _key in EVENT_WRONG:
    case(f"type-event-{_key}")(_wrong_event(_key))


@case("type-event-target")
def _(folder: Path) -> None:
    base(folder, BASE + replaced('target = "truce"', "target = 2", EXTENSION))


@case("type-event-by")
def _(folder: Path) -> None:
    base(folder, BASE + replaced('by = "30d"', "by = 1.5", EXTENSION))


@case("type-event-measure")
def _(folder: Path) -> None:
    base(folder, BASE + replaced('measure = "m"', "measure = 3", RATES))


@case("type-event-rate")
def _(folder: Path) -> None:
    base(folder, BASE + replaced("rate = 10.0", 'rate = "10"', RATES))


@case("type-event-rate-after")
def _(folder: Path) -> None:
    base(folder, BASE + replaced("rate_after = 5.0", "rate_after = true", RATES))


# ---------------------------------------------------------------- extreme values


def _rate(value: str, key: str = "rate") -> Setup:
    def setup(folder: Path) -> None:
        old = {"rate": "rate = 10.0", "rate_after": "rate_after = 5.0"}[key]
        base(folder, BASE + replaced(old, f"{key} = {value}", RATES))

    return setup


case("extreme-int-2-to-64")(_rate("18446744073709551616"))
case("extreme-int-below-minus-2-to-63")(_rate("-9223372036854775809", "rate_after"))
case("extreme-int-400-digits")(_rate("9" * 400))
case("extreme-int-5000-digits")(_rate("9" * 5000))
case("extreme-int64-max")(_rate("9223372036854775807"))
case("extreme-rate-1e309")(_rate("1e309"))
case("extreme-rate-nan")(_rate("nan"))
case("extreme-rate-1e308", "extreme-rate-1e308-csv")(_rate("1e308"))
case("extreme-rate-subnormal")(_rate("5e-324", "rate_after"))


@case("extreme-int-schema")
def _(folder: Path) -> None:
    base(folder, replaced("schema = 1", "schema = 18446744073709551616"))


@case("extreme-int-unknown-key")
def _(folder: Path) -> None:
    base(folder, replaced('timezone = "UTC"\n', 'timezone = "UTC"\nextra = 18446744073709551616\n'))


@case("extreme-year-1")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 0001-01-01"))


@case("extreme-year-9999")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 9999-12-31T23:59:59"))


@case("extreme-year-9999-offset")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 9999-12-31T23:59:59-23:59"))


@case("extreme-year-1-offset")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 0001-01-01T00:00:00+23:59"))


@case("extreme-year-1800")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 1800-01-01"))


@case(
    "extreme-2999-500y-status",
    "extreme-2999-500y-show",
    "extreme-2999-500y-timeline",
    "extreme-2999-500y-ics",
    "extreme-2999-500y-csv",
)
def _(folder: Path) -> None:
    base(folder, replaced('start = 2025-05-14\nduration = "90d"', 'start = 2999-12-31T23:59:59\nduration = "500y"'))


def _duration(value: str) -> Setup:
    def setup(folder: Path) -> None:
        base(folder, replaced('duration = "90d"', f'duration = "{value}"'))

    return setup


case("extreme-duration-500y")(_duration("500y"))
case("extreme-duration-501y")(_duration("501y"))
case("extreme-duration-20-digit-days")(_duration("99999999999999999999d"))
case("extreme-duration-iso-20-digits")(_duration("P99999999999999999999D"))
case("extreme-duration-5000-digits")(_duration("9" * 5000 + "d"))


@case("extreme-warn-500y")
def _(folder: Path) -> None:
    base(folder, replaced("start = 2025-05-14", "start = 1800-01-01") + 'warn = "500y"\n')


@case("extreme-extensions-past-3499")
def _(folder: Path) -> None:
    text = replaced('start = 2025-05-14\nduration = "90d"', 'start = 2999-01-01\nduration = "500y"')
    base(folder, text + replaced('by = "30d"', 'by = "500y"', EXTENSION))


@case("extreme-cli-by-5000-digits", "extreme-cli-within-5000-digits", "extreme-cli-as-of-5000-digits")
def _(folder: Path) -> Prepared:
    base(folder)
    return Prepared(values={"DIGITS": "9" * 5000})


@case("extreme-cli-as-of-9999")
def _(folder: Path) -> None:
    base(folder)


@case("extreme-deep-array-500")
def _(folder: Path) -> None:
    base(folder, BASE + "tags = " + nested(500) + "\n")


@case("extreme-deep-array-5000")
def _(folder: Path) -> None:
    base(folder, BASE + "tags = " + nested(5000) + "\n")


@case("extreme-deep-table-500")
def _(folder: Path) -> None:
    base(folder, BASE + "notes = " + nested(500, "{a = ", "}", "1") + "\n")


@case("extreme-deep-unknown-key")
def _(folder: Path) -> None:
    base(folder, replaced('timezone = "UTC"\n', 'timezone = "UTC"\nextra = ' + nested(1000) + "\n"))


@case("extreme-deep-dotted-key")
def _(folder: Path) -> None:
    base(folder, replaced('timezone = "UTC"\n', 'timezone = "UTC"\n' + ".".join(["a"] * 500) + " = 1\n"))


@case("extreme-title-100k", "extreme-title-100k-show", "extreme-title-100k-csv", "extreme-title-100k-timeline")
def _(folder: Path) -> None:
    base(folder, replaced('title = "Truce"', 'title = "' + "x" * 100_000 + '"'))


@case("extreme-id-100k")
def _(folder: Path) -> None:
    base(folder, replaced('id = "truce"', 'id = "' + "a" * 100_000 + '"'))


@case("extreme-2000-problems")
def _(folder: Path) -> None:
    blocks = "".join(
        f'\n[[event]]\nid = "bad-{n}"\nkind = "talks"\ntitle = "Bad"\ndate = "2025"\n' for n in range(2000)
    )
    base(folder, BASE + blocks)


# ---------------------------------------------------------------- odd files


@case("odd-empty")
def _(folder: Path) -> None:
    base(folder, "")


@case("odd-blank")
def _(folder: Path) -> None:
    base(folder, "   \n\n\t\n")


@case("odd-no-toml-in-folder")
def _(folder: Path) -> None:
    write(folder, "timelines/readme.txt", "not a timeline\n")


@case("odd-fifo", "odd-fifo-validate", "odd-fifo-fmt")
def _(folder: Path) -> None:
    os.mkfifo(folder / "pipe.toml")


@case("odd-fifo-in-folder")
def _(folder: Path) -> None:
    base(folder, name="timelines/a.toml")
    os.mkfifo(folder / "timelines" / "pipe.toml")


@case("odd-fifo-diff", "odd-fifo-git-diff")
def _(folder: Path) -> None:
    base(folder)
    os.mkfifo(folder / "pipe.toml")


@case("odd-git-diff-dev-null")
def _(folder: Path) -> None:
    base(folder)


@case("odd-dev-zero-link")
def _(folder: Path) -> None:
    (folder / "zero.toml").symlink_to("/dev/zero")


@case("odd-dev-zero-in-folder")
def _(folder: Path) -> None:
    base(folder, name="timelines/a.toml")
    (folder / "timelines" / "zero.toml").symlink_to("/dev/zero")


@case("odd-dev-zero-direct", "odd-dev-null")
def _(folder: Path) -> None:
    base(folder)


def _refused_before_reading(outcome: Outcome, folder: Path) -> list[str]:
    if b"syntax error" in outcome.stderr or b"not UTF-8" in outcome.stderr:
        return ["the file was read and parsed: it must be refused before anything is read"]
    return []


@case("odd-sparse-257-mib")
def _(folder: Path) -> Prepared:
    with open(folder / "big.toml", "wb") as handle:
        handle.truncate(257 * 1024 * 1024)
    return Prepared(check=_refused_before_reading)


@case("odd-sparse-in-folder")
def _(folder: Path) -> Prepared:
    base(folder, name="timelines/a.toml")
    with open(folder / "timelines" / "big.toml", "wb") as handle:
        handle.truncate(257 * 1024 * 1024)
    return Prepared(check=_refused_before_reading)


@case("odd-unreadable")
def _(folder: Path) -> Prepared:
    path = base(folder)
    path.chmod(0)
    if os.geteuid() == 0:
        return Prepared(skip="runs as root, which reads a file of mode 000: the refusal cannot be seen here")
    return Prepared()


@case("odd-dangling-link")
def _(folder: Path) -> None:
    (folder / "gone.toml").symlink_to("nowhere.toml")


@case("odd-dangling-link-in-folder")
def _(folder: Path) -> None:
    base(folder, name="timelines/a.toml")
    (folder / "timelines" / "b.toml").symlink_to("nowhere.toml")


@case("odd-link-loop")
def _(folder: Path) -> None:
    (folder / "loop.toml").symlink_to("loop.toml")


@case("odd-folder-named-toml")
def _(folder: Path) -> None:
    (folder / "x.toml").mkdir()


@case("odd-folder-named-toml-inside")
def _(folder: Path) -> None:
    base(folder, name="timelines/a.toml")
    (folder / "timelines" / "y.toml").mkdir()


@case("odd-file-variable-colon")
def _(folder: Path) -> None:
    base(folder, name="timelines/a.toml")


@case("odd-latin1-file-name-csv", "odd-latin1-file-name-json")
def _(folder: Path) -> Prepared:
    name = os.fsdecode(b"caf\xe9.toml")  # a Latin-1 name: not UTF-8
    base(folder, name=name)
    return Prepared(values={"NAME": name})


@case("odd-export-into-fifo")
def _(folder: Path) -> Prepared:
    base(folder)
    os.mkfifo(folder / "feed.ics")
    return Prepared(runner=_export_into_fifo, writes=True)


def _export_into_fifo(folder: Path, argv: list[str], env: dict[str, str]) -> Outcome:
    """A reader holds the FIFO open while export writes into it; the FIFO must stay one."""
    fifo = folder / "feed.ics"
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    received = bytearray()
    process = subprocess.Popen(limited(argv), cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output: dict[str, bytes] = {}

    def collect() -> None:
        out, err = process.communicate()
        output["stdout"], output["stderr"] = out, err

    collector = threading.Thread(target=collect)
    collector.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            block = os.read(reader, 65536)
        except BlockingIOError:
            block = b""
        received += block
        if not block:
            if process.poll() is not None:
                break
            time.sleep(0.01)
    if process.poll() is None:
        process.kill()
    collector.join()
    os.close(reader)
    problems = []
    if not fifo.is_fifo():
        problems.append("feed.ics is no longer a FIFO: export replaced it")
    elif not received.startswith(b"BEGIN:VCALENDAR"):
        problems.append(f"the reader of the FIFO received {bytes(received[:60])!r}, not the calendar")
    note = "; ".join(problems)
    return Outcome(process.returncode, output.get("stdout", b""), output.get("stderr", b""), note)


# ---------------------------------------------------------------- escape sequences

ESCAPES = r"""schema = 1
title = "File \u001b]0;pwned\u0007 title \u009b31m"
timezone = "UTC"
current_to = 2025-12-01

[parties.US]
name = "United \u001b[31mStates\u001b[0m [red]x[/red]"

[parties."E\u001bU"]
name = "Escape code"

[[event]]
id = "span"
kind = "agreement"
title = "Span \u001b[2J \u009b2J \u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\ [bold]b[/bold] \u0085"
start = 2025-05-14
duration = "90d"
warn = "21d"
parties = ["US"]
place = "Pl\u001bace \u0007 \u202eevil\u202c"
measure = "m\u001b[1m"
rate = 10.0
rate_after = 20.0
instrument = "EO \u001b[5m"
sources = ["https://example.org/\u001b[31m", "=HYPERLINK(\"http://evil\")"]
tags = ["t\u001b[0m"]
notes = "a\u0007b\u0000c\u007fd\u009de\r\nf"

[[event]]
id = "ext"
kind = "extension"
target = "span"
date = 2025-06-01
by = "30d"
title = "Ext \u001bP1;2q\u001b\\ [link=https://evil.example]click[/link]"

[[event]]
id = "talks"
kind = "talks"
title = "Talks \u009d8;;x\u009c [red]r[/red]"
date = 2025-06-15
"""


@case(
    "escape-status",
    "escape-status-markdown",
    "escape-status-json",
    "escape-status-csv",
    "escape-show",
    "escape-show-extension",
    "escape-countdown",
    "escape-timeline",
    "escape-summary",
    "escape-summary-markdown",
    "escape-summary-json",
    "escape-check",
    "escape-check-json",
    "escape-rates",
    "escape-rates-history",
    "escape-rates-csv",
    "escape-export-ics",
    "escape-export-json",
    "escape-export-csv",
    "escape-fmt-check",
    "escape-diff",
    "escape-diff-json",
    "escape-git-diff",
)
def _(folder: Path) -> None:
    base(folder, ESCAPES, "esc.toml")
    base(folder, BASE, "old.toml")


ESCAPES_IN_ERRORS = r"""schema = 1
timezone = "Eu\u001b[31mrope/X"
warn = "1\u001b[31m"
kinds = ["\u001b[31m"]

[parties.US]
name = "x"
"\u009b5m" = 2

[[event]]
id = "\u001b[31mred"
kind = "\u001b]0;t\u0007"
title = "T"
date = 2025-01-01
parties = ["\u001b[33mCN"]

[[event]]
id = "ok"
kind = "extension"
target = "\u001b[34mnone"
date = 2025-01-01
by = "\u001b[35m9x"
"""


@case("escape-in-errors", "escape-in-errors-status-json")
def _(folder: Path) -> None:
    base(folder, ESCAPES_IN_ERRORS, "bad.toml")


@case("escape-quoted-top-key")
def _(folder: Path) -> None:
    base(folder, replaced('timezone = "UTC"\n', 'timezone = "UTC"\n"\\u001b[2Jtop" = 1\n'))


@case("escape-quoted-event-key")
def _(folder: Path) -> None:
    base(folder, BASE + '"\\u001b[32mkey" = 1\n')


@case("escape-newline-in-key")
def _(folder: Path) -> None:
    base(folder, replaced('timezone = "UTC"\n', 'timezone = "UTC"\n"x\\ny" = 1\n'))


@case("escape-in-file-name")
def _(folder: Path) -> None:
    write(folder, "timelines/\x1b[31mred.toml", "# no schema\n")


@case("escape-newline-in-file-name")
def _(folder: Path) -> None:
    write(folder, "timelines/a\nb.toml", "# no schema\n")


@case("escape-add-title", "escape-add-notes", "escape-show-argument", "escape-add-party")
def _(folder: Path) -> Prepared:
    base(folder)
    return Prepared(
        values={
            "TITLE": "Red \x1b[31mtitle\x1b[0m \x9b2J \x1b]0;pwned\x07",
            "NOTES": "bell \x07 osc \x1b]8;;http://evil\x1b\\ c1 \x85 \x9d",
            "ID": "\x1b[31mtruce",
            "PARTY": "U\x1bS",
        }
    )


# ---------------------------------------------------------------- locales

INTERNATIONAL = """\
schema = 1
title = "Trêve commerciale – 中美"
timezone = "Europe/Paris"

[parties.FR]
name = "République française"

[parties.CN]
name = "中国"

[[event]]
id = "treve"
kind = "agreement"
title = "Trêve – 停战 (“truce”)"
start = 2025-05-14
through = 2025-06-20
warn = "21d"
parties = ["FR", "CN"]
measure = "droits"
rate = 10.0
rate_after = 34.0
notes = "Über café — naïve."
"""

LOCALE_COMMANDS = {
    "ascii": ("status", "show", "countdown", "timeline", "summary", "check", "rates", "validate", "csv"),
    "latin1": ("status", "show", "countdown", "timeline", "summary", "check", "csv"),
    "c-no-utf8": ("status", "show", "summary", "check"),
}
LOCALE_CASES = [
    f"locale-{encoding}-{command}" for encoding, commands in LOCALE_COMMANDS.items() for command in commands
]


@case(*LOCALE_CASES, "locale-c-status", "locale-c-check", "locale-iso-8859-1-status", "locale-iso-8859-1-check")
def _(folder: Path) -> Prepared:
    base(folder, INTERNATIONAL, "timelines/intl.toml")
    return Prepared(skip=_missing_locale(folder))


def _missing_locale(folder: Path) -> str | None:
    """Why the ISO-8859-1 locale cases cannot run here (the locale is not installed), else None."""
    name = folder.name
    if "iso-8859-1" not in name:
        return None
    done = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    installed = {line.strip().lower().replace("-", "") for line in done.stdout.splitlines()}
    if "en_us.iso88591" in installed:
        return None
    return "the en_US.ISO-8859-1 locale is not installed here (locale -a); Python then falls back to UTF-8"


@case("locale-ascii-validate-error")
def _(folder: Path) -> None:
    base(folder, replaced('title = "Trêve – 停战 (“truce”)"', "title = 1", INTERNATIONAL), "timelines/intl.toml")


@case("locale-ascii-bundled")
def _(folder: Path) -> None:
    return None


# ---------------------------------------------------------------- environment and terminal


@case(
    "env-columns-0-countdown",
    "env-columns-0-timeline",
    "env-columns-0-show",
    "env-columns-1-status",
    "env-columns-not-a-number",
    "env-as-of-garbage",
    "env-tz-unknown",
    "env-cache-dir-device",
)
def _(folder: Path) -> None:
    base(folder, INTERNATIONAL, "timelines/intl.toml")


@case("env-cache-dir-file")
def _(folder: Path) -> None:
    base(folder, INTERNATIONAL, "timelines/intl.toml")
    write(folder, "cache", "a file where the cache folder would be\n")


# ---------------------------------------------------------------- concurrent and killed writers

ADDS = 16


@case("writers-16-adds")
def _(folder: Path) -> Prepared:
    base(folder)
    return Prepared(runner=_sixteen_adds, writes=True)


def _sixteen_adds(folder: Path, argv: list[str], env: dict[str, str]) -> Outcome:
    original = (folder / "t.toml").read_bytes()
    processes = [
        subprocess.Popen(
            limited([*argv, "--title", f"Concurrent talks {n}", "--id", f"talks-{n}"]),
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(ADDS)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]
    codes = [process.returncode for process in processes]
    text = (folder / "t.toml").read_text(encoding="utf-8")
    problems = []
    if not text.encode().startswith(original):
        problems.append("the original bytes are no longer a prefix of the file")
    for n in range(ADDS):
        count = text.count(f'id = "talks-{n}"\n')
        if count != 1:
            problems.append(f"talks-{n} is in the file {count} times")
    problems += _leftovers(folder, ["t.toml"])
    problems += _invalid(folder, env)
    worst = max(codes)
    stdout = b"".join(out for out, _ in outputs)
    stderr = b"".join(err for _, err in outputs)
    return Outcome(worst, stdout, stderr, "; ".join(problems))


def _leftovers(folder: Path, expected: list[str]) -> list[str]:
    extra = sorted(set(snapshot(folder)) - set(expected))
    return [f"left behind: {', '.join(map(repr, extra))}"] if extra else []


def _invalid(folder: Path, env: dict[str, str]) -> list[str]:
    done = run([*installed_command(), "validate", "t.toml"], folder, env)
    if done.exit_code != 0:
        return ["the file is no longer a valid timeline: " + done.stderr.decode(errors="replace")]
    return []


@case("writers-sigkill-anywhere")
def _(folder: Path) -> Prepared:
    # A big comment makes the write itself a larger share of the run, so that kills land in it.
    base(folder, BASE + "# " + "c" * (4 * 1024 * 1024) + "\n")
    return Prepared(runner=_kill_anywhere, writes=True)


def _kill_anywhere(folder: Path, argv: list[str], env: dict[str, str]) -> Outcome:
    """SIGKILL of ``add`` at points spread over its run: the file is always the old one or the new one."""
    path = folder / "t.toml"
    old = path.read_bytes()
    started = time.monotonic()
    whole = run(argv, folder, env)
    duration = time.monotonic() - started
    if whole.exit_code != 0:
        return whole
    new = path.read_bytes()
    problems = []
    for step in range(1, 9):
        path.write_bytes(old)
        process = subprocess.Popen(
            limited(argv), cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(duration * step / 9)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = path.read_bytes()
        if now not in (old, new):
            problems.append(f"kill {step}/8 left a file that is neither the old nor the new one ({len(now)} bytes)")
    path.write_bytes(old)
    after = run(argv, folder, env)
    if after.exit_code != 0:
        problems.append("the next add after the kills failed: " + after.stderr.decode(errors="replace"))
    problems += _leftovers(folder, ["t.toml"])
    return Outcome(whole.exit_code, whole.stdout, whole.stderr, "; ".join(problems))


# Run inside the child: kill this process just before or just after the rename that
# replaces the timeline, then carry on as the installed command would.
KILL_HOOK = """
import os, signal, sys
point, marker, target = sys.argv[1:4]
del sys.argv[1:4]
real_replace = os.replace
def replace(source, destination, *args, **kwargs):
    if os.path.realpath(destination) != target:
        return real_replace(source, destination, *args, **kwargs)
    if point == "before-rename":
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(source, destination, *args, **kwargs)
    open(marker, "w").close()
    os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
sys.argv[0] = "trucetrack"
from trucetrack.cli import main
main()
"""


def _kill_at(point: str) -> Runner:
    def runner(folder: Path, argv: list[str], env: dict[str, str]) -> Outcome:
        path = folder / "t.toml"
        old = path.read_bytes()
        marker = folder.parent / f"{folder.name}.fired"
        hooked = [
            sys.executable,
            "-c",
            KILL_HOOK,
            point,
            str(marker),
            os.path.realpath(path),
            *argv[len(installed_command()) :],
        ]
        killed = run(hooked, folder, env)
        problems = []
        if not marker.exists():
            problems.append("the kill point was never reached (the edit no longer replaces the file with os.replace)")
        now = path.read_bytes()
        if point == "before-rename" and now != old:
            problems.append("killed before the rename, yet the file changed")
        if point == "after-rename" and (not now.startswith(old) or now == old):
            problems.append("killed after the rename, yet the file is not the old one plus the new block")
        if killed.exit_code != -signal.SIGKILL:
            problems.append(f"the hooked edit was not killed (exit {killed.exit_code})")
        again = run([*argv[:-2], "--id", "after-the-kill"], folder, env)
        if again.exit_code != 0:
            problems.append("the next add failed: " + again.stderr.decode(errors="replace"))
        problems += _leftovers(folder, ["t.toml"])
        problems += _invalid(folder, env)
        return Outcome(again.exit_code, again.stdout, again.stderr, "; ".join(problems))

    return runner


@case("writers-sigkill-before-rename")
def _(folder: Path) -> Prepared:
    base(folder)
    return Prepared(runner=_kill_at("before-rename"), writes=True)


@case("writers-sigkill-after-rename")
def _(folder: Path) -> Prepared:
    base(folder)
    return Prepared(runner=_kill_at("after-rename"), writes=True)


# Run inside the child: while the edit holds the lock and works out the new file (after it
# has read the file), another program that takes no lock saves its own version.
EDITOR_HOOK = """
import os, sys
editor_bytes, marker = sys.argv[1:3]
del sys.argv[1:3]
from trucetrack.store import fsio
real_rewrite = fsio.rewrite
def save_as_an_editor(path):
    with open(editor_bytes, "rb") as source, open(path, "r+b") as target:
        data = source.read()
        target.seek(0)
        target.write(data)
        target.truncate()
    open(marker, "w").close()
def rewrite(path, change, *args, **kwargs):
    if callable(change):
        def changed(current, *more, **options):
            new = change(current, *more, **options)
            save_as_an_editor(path)
            return new
        return real_rewrite(path, changed, *args, **kwargs)
    save_as_an_editor(path)
    return real_rewrite(path, change, *args, **kwargs)
fsio.rewrite = rewrite
sys.argv[0] = "trucetrack"
from trucetrack.cli import main
main()
"""


@case("writers-editor-saves-meanwhile")
def _(folder: Path) -> Prepared:
    base(folder)
    editor = folder.parent / f"{folder.name}.editor"
    editor.write_bytes(BASE.replace('title = "Truce"', 'title = "Truce, as the editor saved it"').encode())
    return Prepared(runner=_editor_race(editor), writes=True)


def _editor_race(editor: Path) -> Runner:
    def runner(folder: Path, argv: list[str], env: dict[str, str]) -> Outcome:
        marker = folder.parent / f"{folder.name}.fired"
        hooked = [sys.executable, "-c", EDITOR_HOOK, str(editor), str(marker), *argv[len(installed_command()) :]]
        done = run(hooked, folder, env)
        problems = []
        if not marker.exists():
            problems.append("the editor never saved (the edit no longer writes through fsio.rewrite)")
        if (folder / "t.toml").read_bytes() != editor.read_bytes():
            problems.append("the editor's bytes were not kept: the edit wrote over them")
        problems += _leftovers(folder, ["t.toml"])
        return Outcome(done.exit_code, done.stdout, done.stderr, "; ".join(problems))

    return runner


@case("writers-adds-and-fmt")
def _(folder: Path) -> Prepared:
    base(folder)
    return Prepared(runner=_adds_and_fmt, writes=True)


def _adds_and_fmt(folder: Path, argv: list[str], env: dict[str, str]) -> Outcome:
    """Eight adds and two fmt runs at once: every add lands; a fmt either rewrites the
    file or, when an add replaced it meanwhile, says so and writes nothing."""
    add = [*argv[: -len(["fmt", "t.toml"])], "add", "-f", "t.toml", "--kind", "talks", "--date", "2025-07-01"]
    adds = [[*add, "--title", f"Talks {n}", "--id", f"talks-{n}"] for n in range(8)]
    commands = [*adds[:3], argv, *adds[3:6], argv, *adds[6:]]
    processes = [
        subprocess.Popen(limited(c), cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for c in commands
    ]
    outputs = [process.communicate(timeout=60) for process in processes]
    text = (folder / "t.toml").read_text(encoding="utf-8")
    problems = [f"talks-{n} is missing" for n in range(8) if f'id = "talks-{n}"' not in text]
    for command, process, (_, err) in zip(commands, processes, outputs, strict=True):
        if command is argv and process.returncode not in (0, 2):
            problems.append(f"fmt exited {process.returncode}")
        if command is argv and process.returncode == 2 and b"changed while" not in err:
            problems.append("fmt failed for another reason than a concurrent change: " + err.decode(errors="replace"))
    problems += _leftovers(folder, ["t.toml"])
    problems += _invalid(folder, env)
    added = [index for index, command in enumerate(commands) if command is not argv]
    worst = max(processes[index].returncode for index in added)
    stdout = b"".join(outputs[index][0] for index in added)
    stderr = b"".join(outputs[index][1] for index in added)
    return Outcome(worst, stdout, stderr, "; ".join(problems))


# ---------------------------------------------------------------- edit refusals


@case("edit-extend-by-0d", "edit-extend-to-same-end", "edit-end-later", "edit-extend-unknown-id")
def _(folder: Path) -> None:
    base(folder)


@case("edit-extend-terminated")
def _(folder: Path) -> None:
    base(folder, BASE + '\n[[event]]\nid = "stop"\nkind = "termination"\ntarget = "truce"\ndate = 2025-06-01\n')


@case("edit-add-id-in-sibling", "edit-add-explicit-id-in-sibling", "edit-extend-id-in-sibling")
def _(folder: Path) -> None:
    base(folder, name="timelines/a.toml")
    base(folder, SIBLING, "timelines/b.toml")


@case("edit-add-two-files")
def _(folder: Path) -> None:
    base(folder, name="timelines/a.toml")
    base(folder, SIBLING, "timelines/b.toml")


@case("edit-add-bad-date", "edit-add-unknown-party", "edit-add-read-only")
def _(folder: Path) -> None:
    path = base(folder)
    if folder.name.endswith("read-only"):
        path.chmod(0o444)


@case("edit-add-bundled")
def _(folder: Path) -> None:
    return None


@case("edit-init-existing")
def _(folder: Path) -> None:
    base(folder)


@case("edit-init-dangling-link")
def _(folder: Path) -> None:
    (folder / "new.toml").symlink_to("elsewhere/nowhere.toml")


@case("edit-add-title-not-utf8", "edit-init-title-not-utf8")
def _(folder: Path) -> Prepared:
    base(folder)
    return Prepared(values={"LATIN1": os.fsdecode(b"caf\xe9")})


@case("edit-add-fifo")
def _(folder: Path) -> None:
    os.mkfifo(folder / "pipe.toml")
