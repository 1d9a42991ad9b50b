"""trucetrack's benchmark suite. Reports; never fails on time.

    python benchmarks/bench.py            # full run: 1k, 10k and 100k entries
    python benchmarks/bench.py --quick    # small and fast, for CI: checks the suite still runs

Every figure is the median wall time of separate processes, run alternately
with the baseline they are compared to, so both see the same machine state.
Peak memory is each process's own maximum resident set (os.wait4), compared
with a process that only runs tomllib.load on the same file.

Each run with the cache warm asks for another --as-of than the run before, so
the cache can only help with what does not depend on the instant. The report
ends with every target, its ratio and whether it holds.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

AS_OF = "2025-08-11"
ZONES = ("+08:00", "+01:00", "-04:00", "+05:30")
TYPER_FLOOR_APP = """
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()


@app.command()
def main() -> None:
    table = Table("When", "Left", "Status", "ID", "Title")
    table.add_row("2025-08-12 00:01 EDT", "1 day", "expiring", "geneva-truce", "Geneva truce")
    Console().print(table)


app()
"""


# Child processes may write bytecode: a shell with PYTHONDONTWRITEBYTECODE set would
# otherwise make every run compile trucetrack from source (typer and rich, installed
# by pip, have theirs), which is not what an installed trucetrack costs.
BASE_ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def compile_package() -> None:
    """Bytecode for trucetrack's modules, as ``pip install`` leaves it (an editable
    install does not)."""
    import compileall

    import trucetrack

    compileall.compile_dir(str(Path(trucetrack.__file__).parent), quiet=1)


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int


@dataclass(frozen=True)
class Command:
    argv: Sequence[str]
    env: dict[str, str]
    cwd: Path
    terminal: bool = False  # stdout a pseudo-terminal (colours, rich draws) instead of a pipe
    vary_as_of: bool = False  # each run asks for the next day after AS_OF: nothing as-of-bound is reused

    def nth(self, run: int) -> Command:
        """The command of the run-th run (its --as-of moved on by ``run`` days when it varies)."""
        if not self.vary_as_of:
            return self
        day = (datetime.fromisoformat(AS_OF) + timedelta(days=run)).date().isoformat()
        argv = [argument.replace(AS_OF, day) if AS_OF in argument else argument for argument in self.argv]
        return Command(argv, self.env, self.cwd, self.terminal)


def run_process(command: Command) -> Run:
    """Run one process to completion; its wall time and its own peak RSS."""
    argv = command.argv
    terminal = _Terminal() if command.terminal else None
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdout=terminal.child if terminal else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**BASE_ENVIRONMENT, **command.env},
        cwd=command.cwd,
    )
    if terminal:
        terminal.start_reading()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if terminal:
        terminal.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"benchmark process failed ({process.returncode}): {' '.join(argv)}\n{stderr}")
    return Run(elapsed, usage.ru_maxrss)


class _Terminal:
    """A pseudo-terminal for a child's stdout, read (and dropped) as the child writes."""

    def __init__(self) -> None:
        self.parent, self.child = os.openpty()
        self.reader = threading.Thread(target=self._drain, daemon=True)

    def start_reading(self) -> None:
        os.close(self.child)  # the child has its own copy; EOF comes when it exits
        self.reader.start()

    def _drain(self) -> None:
        try:
            while os.read(self.parent, 65536):
                pass
        except OSError:  # EIO once the child side is closed
            pass

    def close(self) -> None:
        self.reader.join()
        os.close(self.parent)


def compare(ours: Command, baseline: Command, repeats: int) -> tuple[Run, Run]:
    """Alternate the two commands; median time and maximum peak memory of each."""
    run_process(ours.nth(0))  # warm the page cache and .pyc files (and the cache) for both
    run_process(baseline)
    mine, theirs = [], []
    for run in range(1, repeats + 1):
        mine.append(run_process(ours.nth(run)))
        theirs.append(run_process(baseline))
    return _summary(mine), _summary(theirs)


def _summary(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_kib for r in runs))


def generate(path: Path, entries: int, seed: int = 7) -> None:
    """A valid timeline of about ``entries`` entries: spans, points, extensions,
    terminations and rates, with instants in several zones."""
    rng = random.Random(seed)
    out = [
        "schema = 1",
        f'title = "Generated {entries}"',
        'timezone = "America/New_York"',
        'warn = "14d"',
        "",
        "[parties.CN]",
        'name = "China"',
        "",
        "[parties.US]",
        'name = "United States"',
        "",
    ]
    spans: list[str] = []
    # Modifiers and rate steps get distinct instants: ties between them are
    # broken by file order, which fmt cannot reorder safely.
    step = timedelta(minutes=8 * 365 * 24 * 60 // max(entries, 1))
    for index in range(entries):
        distinct = (datetime(2020, 1, 1) + step * index).isoformat(timespec="minutes") + ":00Z"
        year = 2020 + rng.randrange(8)
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        hour = rng.randrange(0, 24)
        stamp = f"{year}-{month:02d}-{day:02d}"
        choice = rng.random()
        block = ["[[event]]", f'id = "e{index}"']
        if choice < 0.35 or not spans:
            block += ['kind = "agreement"', f'title = "Span {index}"']
            if rng.random() < 0.3:
                block.append(f"start = {stamp}T{hour:02d}:01:00{rng.choice(ZONES)}")
            else:
                block.append(f"start = {stamp}T00:01:00")
            block.append(
                rng.choice(
                    [
                        f'duration = "{rng.randrange(1, 400)}d"',
                        'duration = "6mo"',
                        f"through = {year + 1}-{month:02d}-{day:02d}",
                    ]
                )
            )
            block += ['warn = "21d"', 'parties = ["US", "CN"]']
            spans.append(f"e{index}")
        elif choice < 0.55:
            block += ['kind = "tariff"', f'title = "Rate step {index}"', f"start = {distinct}"]
            block += [f'measure = "m{rng.randrange(50)}"', f"rate = {rng.randrange(0, 150)}.0", "rate_after = 10.0"]
            block.append('parties = ["US"]')
        elif choice < 0.8:
            block += ['kind = "announcement"', f'title = "Point {index}"', f"date = {stamp}", 'parties = ["CN"]']
        elif choice < 0.95:
            block += ['kind = "extension"', f'target = "{rng.choice(spans)}"', f"date = {distinct}"]
            block.append(rng.choice(['by = "90d"', 'by = "1y"', f"end = 2030-{month:02d}-{day:02d}T00:01:00"]))
        else:
            # takes effect after every generated start, so it is always valid
            block += ['kind = "termination"', f'target = "{rng.choice(spans)}"', f"date = {distinct}"]
            block.append(f"end = 2029-{month:02d}-{day:02d}T00:01:00")
        block += [f'sources = ["https://example.org/{index}"]', 'tags = ["generated"]', ""]
        out += block
    path.write_text("\n".join(out), encoding="utf-8")


def line(label: str, ours: Run, baseline: Run, baseline_label: str) -> str:
    ratio = ours.seconds / baseline.seconds
    return (
        f"{label:<44} {ours.seconds * 1000:8.0f} ms  vs {baseline_label} {baseline.seconds * 1000:6.0f} ms"
        f"  = {ratio:5.2f}x   peak {ours.peak_kib / 1024:6.1f} MiB vs {baseline.peak_kib / 1024:6.1f} MiB"
        f" = {ours.peak_kib / baseline.peak_kib:4.2f}x"
    )


@dataclass(frozen=True)
class Target:
    what: str
    ratio: float
    limit: float

    def __str__(self) -> str:
        verdict = "holds" if self.ratio <= self.limit else "MISSED"
        return f"  {self.what:<58} {self.ratio:6.2f}x  (at most {self.limit:g}x)  {verdict}"


def parser_in_use(python: str) -> str:
    probe = "from trucetrack.store.reader import parser_name; print(parser_name())"
    return subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats (CI)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per measurement (default 7, quick 2)")
    args = parser.parse_args()
    repeats = args.repeats or (2 if args.quick else 7)
    sizes = (200, 1000) if args.quick else (1000, 10_000, 100_000)
    python = sys.executable
    trucetrack = [python, "-m", "trucetrack"]

    compile_package()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    print(f"machine: {machine}, Python {platform.python_version()}, TOML parser: {parser_in_use(python)}")
    print(f"runs: median of {repeats}, alternating with the baseline")
    print("uncached: TRUCETRACK_CACHE=off; cached: files unchanged since the previous run, another --as-of\n")
    targets: list[Target] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        floor = work / "typer_floor.py"
        floor.write_text(TYPER_FLOOR_APP, encoding="utf-8")
        empty = work / "empty"  # no ./timelines/ here: status reads the bundled timeline
        empty.mkdir()
        modes = {
            "uncached": {"TRUCETRACK_CACHE": "off"},
            "cached": {"TRUCETRACK_CACHE_DIR": str(work / "cache")},
        }
        floor_command = Command([python, str(floor)], {}, empty)
        # A run takes about 0.1 s and the machine is noisy at that scale: take more of them.
        cold_repeats = repeats if args.quick else max(repeats, 15)
        for mode, env in modes.items():
            status = Command([*trucetrack, "status", "--as-of", AS_OF], env, empty, vary_as_of=mode == "cached")
            ours, base = compare(status, floor_command, cold_repeats)
            print(line(f"cold status, bundled ({mode})", ours, base, "typer+rich"), " target 1.0x")
            targets.append(Target(f"cold status, bundled ({mode}) / typer+rich", ours.seconds / base.seconds, 1.0))
        if hasattr(os, "openpty"):
            # In a terminal rich draws, with colour, for both: the pipe rows above are cron's case.
            status = Command(
                [*trucetrack, "status", "--as-of", AS_OF], modes["cached"], empty, terminal=True, vary_as_of=True
            )
            ours, base = compare(status, Command([python, str(floor)], {}, empty, terminal=True), cold_repeats)
            print(line("cold status, bundled, terminal (cached)", ours, base, "typer+rich"), " target 1.0x")
            targets.append(
                Target("cold status, bundled, terminal (cached) / typer+rich", ours.seconds / base.seconds, 1.0)
            )

        times: dict[tuple[str, int], Run] = {}
        for size in sizes:
            path = work / f"t{size}.toml"
            generate(path, size)
            load_only = f"import tomllib; tomllib.load(open({str(path)!r}, 'rb'))"
            tomllib_only = Command([python, "-c", load_only], {}, empty)
            commands = {
                "status --all --format json": ["status", "-f", str(path), "--all", "--format=json", f"--as-of={AS_OF}"],
                "validate": ["validate", str(path)],
                "fmt --check": ["fmt", "--check", str(path)],
            }
            for label, argv in commands.items():
                # fmt reads the files as they are on disk every time: it has no cached mode.
                for mode, env in modes.items() if label != "fmt --check" else [("no cache", {})]:
                    command = Command([*trucetrack, *argv], env, empty, vary_as_of=mode == "cached")
                    ours, base = compare(command, tomllib_only, repeats)
                    ratio = ours.seconds / base.seconds
                    memory = ours.peak_kib / base.peak_kib
                    limit = {"uncached": 1.0, "cached": 0.3, "no cache": 2.0}[mode] if label != "validate" else None
                    note = f" target {limit}x" if limit is not None else ""
                    print(line(f"{size:>6} {label} ({mode})", ours, base, "tomllib"), note)
                    if label.startswith("status"):
                        times[(mode, size)] = ours
                    if size == sizes[1] and limit is not None:
                        targets.append(Target(f"{size} {label} ({mode}) / tomllib.load", ratio, limit))
                    if size == sizes[-1] and label.startswith("status") and mode == "uncached":
                        targets.append(Target(f"{size} {label} ({mode}) peak memory / tomllib.load's", memory, 1.5))
        if len(sizes) >= 2:
            small, large = sizes[-2], sizes[-1]
            for mode in modes:
                growth = times[(mode, large)].seconds / times[(mode, small)].seconds
                limit = 11 * large / small / 10
                print(f"growth {large}/{small} entries, status ({mode}): {growth:.2f}x (target <= {limit:g}x)")
                if mode == "uncached":
                    targets.append(Target(f"growth {large}/{small} entries, status ({mode})", growth, limit))
    print("\ntargets:")
    for target in targets:
        print(target)


if __name__ == "__main__":
    main()
