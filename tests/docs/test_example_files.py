"""The example timelines shipped in docs/examples/ are the ones the pages show, and they run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import REPO
from tests.docs.test_examples import FILE_BLOCK
from trucetrack.cli import app

EXAMPLES = REPO / "docs" / "examples"


def test_the_licence_review_example_is_the_one_format_md_shows() -> None:
    page = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    blocks = dict(FILE_BLOCK.findall(page))
    assert blocks["licence-review.toml"] == (EXAMPLES / "licence-review.toml").read_text(encoding="utf-8")


def test_the_licence_review_example_runs() -> None:
    """45 working days in China's calendar from 2 June 2025 end on 4 August; ten from
    26 September end on 16 October, five more on 23 October; ten US business days from
    20 November skip Thanksgiving."""
    path = str(EXAMPLES / "licence-review.toml")
    runner = CliRunner()
    assert runner.invoke(app, ["validate", path]).exit_code == 0
    assert runner.invoke(app, ["fmt", "--check", path]).exit_code == 0
    result = runner.invoke(app, ["status", "-f", path, "--all", "--as-of", "2025-10-09", "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = {entry["id"]: entry for entry in json.loads(result.stdout)["entries"]}
    assert entries["licence-review"]["end"] == "2025-08-04T00:00:00+08:00"
    assert entries["supplement"]["original_end"] == "2025-10-16T00:00:00+08:00"
    assert entries["supplement"]["end"] == "2025-10-23T00:00:00+08:00"
    assert entries["us-comments"]["end"] == "2025-12-05T00:00:00+08:00"
    shown = runner.invoke(app, ["show", "licence-review", "-f", path, "--as-of", "2025-07-28"])
    assert "2025-08-04 = 2025-06-02 + 45 working days (CN)" in shown.stdout
