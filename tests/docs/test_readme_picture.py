"""The README's picture of the bundled timeline is what its documented command draws today.

The README gives the command that makes ``docs/timeline.svg``; this runs it
(writing to a temporary file instead) and compares the bytes. When the bundled
timeline or the drawing changes, run the command again from the top of the
repository and commit the new picture.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

from tests.conftest import REPO
from tests.hostile.runner import installed_command

PICTURE = REPO / "docs" / "timeline.svg"
COMMAND = re.compile(r"^trucetrack timeline .*-o docs/timeline\.svg$", re.M)


def documented_command() -> list[str]:
    found = COMMAND.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1, "the README gives the command that makes docs/timeline.svg, once"
    return shlex.split(found[0])


def test_the_readme_shows_the_picture() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "](docs/timeline.svg)" in readme
    assert "--as-of" in documented_command()


def test_the_committed_picture_is_what_the_command_draws_today(tmp_path: Path) -> None:
    argv = documented_command()
    argv[argv.index("-o") + 1] = str(tmp_path / "timeline.svg")
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "TRUCETRACK_CACHE": "off",
    }
    result = subprocess.run(
        [*installed_command(), *argv[1:]], cwd=REPO, env=env, capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    fresh = (tmp_path / "timeline.svg").read_bytes()
    assert fresh == PICTURE.read_bytes(), (
        "docs/timeline.svg is out of date: run the README's command from the top of the repository: " + " ".join(argv)
    )
