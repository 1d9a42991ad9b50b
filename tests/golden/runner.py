"""Run one golden case as a subprocess, in a fresh folder holding a copy of ``files/``.

The environment is exactly the one below (plus the case's own variables), so the output
depends on nothing of the machine: not its zone, locale, terminal, home or cache.
The code run is that of the checkout that holds this file (``PYTHONPATH``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .cases import Case

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
OUTPUTS = HERE / "outputs"
REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: bytes
    stderr: bytes


def environment(folder: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "COLUMNS": "100",
        "LINES": "40",
        "TRUCETRACK_CACHE": "off",
        "PYTHONPATH": str(REPO),
    }
    env.update(extra)
    return env


def run_case(case: Case) -> Result:
    with tempfile.TemporaryDirectory(prefix="trucetrack-golden-") as name:
        folder = Path(name)
        shutil.copytree(FILES, folder / "files")
        completed = subprocess.run(
            [sys.executable, "-m", "trucetrack", *case.argv],
            cwd=folder,
            env=environment(folder, case.env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    return Result(completed.returncode, completed.stdout, completed.stderr)
