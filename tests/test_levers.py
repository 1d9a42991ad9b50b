"""The levers of the performance work stay in place (not timings: those are for the benchmark)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from trucetrack.cli.app import app

PROBE = (
    "import sys\n"
    "from trucetrack.cli import main\n"
    "sys.argv = ['trucetrack', 'status', '--as-of', '2025-08-11']\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "import gc\n"
    "loaded = [name for name in ('rich.console', 'trucetrack.store.cache', 'hashlib') if name in sys.modules]\n"
    "sys.stderr.write((' '.join(loaded) or 'none') + f' frozen={gc.get_freeze_count() > 0}')\n"
)


def modules_loaded_by_status(tmp_path: Path, **variables: str) -> tuple[str, str]:
    rich_variables = ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
    environment = {key: value for key, value in os.environ.items() if key not in rich_variables}
    environment.update(variables)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, env=environment, check=True
    )
    return result.stdout, result.stderr.strip().splitlines()[-1]


def test_piped_status_loads_neither_rich_console_nor_the_cache_when_it_is_off(tmp_path: Path) -> None:
    output, loaded = modules_loaded_by_status(tmp_path, TRUCETRACK_CACHE="off")
    assert "geneva-truce" in output
    assert loaded == "none frozen=True"  # main() runs one command: what it loaded is frozen


def test_piped_status_with_the_cache_loads_it_but_not_rich_console(tmp_path: Path) -> None:
    output, loaded = modules_loaded_by_status(tmp_path, TRUCETRACK_CACHE_DIR=str(tmp_path / "cache"))
    assert "geneva-truce" in output
    assert "rich.console" not in loaded.split()
    assert "trucetrack.store.cache" in loaded.split()


def test_loading_restores_the_garbage_collector_and_freezes_nothing_in_process(
    runner: CliRunner, write_timeline: Callable[..., Path]
) -> None:
    """Driven from Python (not main()), loading must leave the collector as it was."""
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    good = write_timeline(
        """
        [[event]]
        id = "talks"
        kind = "talks"
        title = "Talks"
        date = 2025-09-09
        """
    )
    bad = write_timeline('[[event]]\nid = "x"\n')
    assert runner.invoke(app, ["status", "-f", str(good), "--as-of", "2025-08-12"]).exit_code == 0
    assert gc.isenabled()
    assert runner.invoke(app, ["status", "-f", str(bad), "--as-of", "2025-08-12"]).exit_code == 2
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
