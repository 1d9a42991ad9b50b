"""The `history` example of docs/commands.md, run for real: a repository made the way
the example tells it (a truce recorded, extended by EO 14334 in a later commit,
retitled, with an unrelated commit between), and the documented output compared
line by line. Only the commit hashes differ from one machine's run to another's
wording of them, so they are compared by shape."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.hostile.runner import installed_command

ROOT = Path(__file__).resolve().parents[2]
COMMAND = "$ trucetrack history geneva-truce --as-of 2025-12-01"
HASH = re.compile(r"^[0-9a-f]{10} ", re.M)

HEAD = """\
schema = 1
title = "Example truce"
timezone = "America/New_York"

[parties.US]
name = "United States"

[parties.CN]
name = "China"

[[event]]
id = "geneva-truce"
kind = "agreement"
title = "Geneva truce"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US", "CN"]
"""

EXTENSION = """
[[event]]
id = "eo-14334"
kind = "extension"
target = "geneva-truce"
date = 2025-08-11
by = "90d"
"""

TALKS = """
[[event]]
id = "talks-london"
kind = "talks"
title = "London talks"
date = 2025-06-09
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def documented_output() -> str:
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    start = text.index(COMMAND + "\n") + len(COMMAND) + 1
    return text[start : text.index("```", start)]


def test_the_documented_history_is_what_the_command_prints(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ana Lima",
        "GIT_AUTHOR_EMAIL": "ana@example.org",
        "GIT_COMMITTER_NAME": "Ana Lima",
        "GIT_COMMITTER_EMAIL": "ana@example.org",
        "GIT_AUTHOR_DATE": "2026-12-07T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-12-07T12:00:00+00:00",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "TRUCETRACK_CACHE": "off",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, env=environment, check=True, capture_output=True)

    timeline = tmp_path / "timelines" / "t.toml"
    timeline.parent.mkdir()
    git("init", "-q")
    timeline.write_text(HEAD, encoding="utf-8")
    git("add", "-A")
    git("commit", "-q", "-m", "Record the Geneva truce")
    timeline.write_text(HEAD + EXTENSION, encoding="utf-8")
    git("commit", "-q", "-am", "EO 14334 extends the truce")
    timeline.write_text(HEAD + EXTENSION + TALKS, encoding="utf-8")
    git("commit", "-q", "-am", "London talks")  # does not touch the truce: not listed
    timeline.write_text((HEAD + EXTENSION + TALKS).replace('"Geneva truce"', '"Geneva reciprocal truce"'), "utf-8")
    git("commit", "-q", "-am", "Retitle")

    result = subprocess.run(
        [*installed_command(), "history", "geneva-truce", "--as-of", "2025-12-01"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert HASH.sub("HASH ", result.stdout) == HASH.sub("HASH ", documented_output())
