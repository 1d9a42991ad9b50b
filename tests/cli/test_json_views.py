"""``show --format json`` and ``countdown --format json`` through the installed command.

They reuse the knowledge-time timeline: a licence extended twice on one day,
a truce that lapses after the file's ``current_to``, a cancelled plan and a
summit announced late, so every JSON key has a case that is not trivial.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_knowledge import TIMELINE, TODAY, run

STATUS_KEYS = [
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
FILE_FIELDS = {
    "shape",
    "date",
    "target",
    "by",
    "warn",
    "place",
    "measure",
    "rate",
    "rate_after",
    "instrument",
    "sources",
    "tags",
    "notes",
    "zone",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "k.toml").write_text(TIMELINE, encoding="utf-8")
    return tmp_path


def shown(folder: Path, entry_id: str, as_of: str) -> dict[str, object]:
    result = run(folder, "show", entry_id, "-f", "k.toml", "--as-of", as_of, "--format", "json")
    assert result.returncode == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def status_entry(folder: Path, entry_id: str, as_of: str) -> dict[str, object]:
    result = run(folder, "status", "-f", "k.toml", "--as-of", as_of, "--all", "--format", "json")
    return next(entry for entry in json.loads(result.stdout)["entries"] if entry["id"] == entry_id)


def test_show_json_is_the_status_object_plus_history_and_every_field(folder: Path) -> None:
    record = shown(folder, "licence", "2025-12-01")
    assert list(record)[: len(STATUS_KEYS)] == STATUS_KEYS
    assert {key: record[key] for key in STATUS_KEYS} == status_entry(folder, "licence", "2025-12-01")
    assert set(record) >= FILE_FIELDS
    assert record["end"] == "2026-01-15T00:00:00-05:00"
    assert record["original_end"] == "2025-12-01T00:00:00-05:00"
    # Two extensions decided the same day apply in id order: +30d first, then the new end.
    assert record["history"] == [
        {"end": "2025-12-01T00:00:00-05:00", "previous": None, "by": None, "set_by": None, "kind": "original"},
        {
            "end": "2025-12-31T00:00:00-05:00",
            "previous": "2025-12-01T00:00:00-05:00",
            "by": "30d",
            "set_by": "licence-more",
            "kind": "extension",
        },
        {
            "end": "2026-01-15T00:00:00-05:00",
            "previous": "2025-12-31T00:00:00-05:00",
            "by": None,
            "set_by": "licence-new-end",
            "kind": "extension",
        },
    ]
    assert record["derivation"] == "2026-01-15, set by licence-new-end (decided 2025-11-20)"


def test_show_json_history_holds_only_what_was_known(folder: Path) -> None:
    record = shown(folder, "licence", "2025-11-01")
    assert record["history"] == [
        {"end": "2025-12-01T00:00:00-05:00", "previous": None, "by": None, "set_by": None, "kind": "original"}
    ]
    assert record["end"] == "2025-12-01T00:00:00-05:00"


def test_show_json_marks_the_unconfirmed_lapse_and_notes_go_to_stderr(folder: Path) -> None:
    result = run(folder, "show", "truce", "-f", "k.toml", "--as-of", TODAY, "--format", "json")
    record = json.loads(result.stdout)
    assert (record["status"], record["confirmed"], record["days_left"]) == ("expired", False, -22)
    assert (record["measure"], record["rate"], record["rate_after"]) == ("duty", 10.0, 34.0)
    assert record["announced"] == "2025-11-01T00:00:00-04:00"
    assert "data checked to 2026-05-31" in result.stderr


def test_show_json_of_a_cancelled_plan_and_of_a_modifier(folder: Path) -> None:
    plan = shown(folder, "plan", TODAY)
    assert plan["status"] == "cancelled"
    assert plan["history"][-1]["set_by"] == "plan-off"
    assert str(plan["derivation"]).startswith("never in force: cancelled by plan-off")
    modifier = shown(folder, "licence-more", TODAY)
    assert list(modifier)[: len(STATUS_KEYS)] == STATUS_KEYS
    assert (modifier["status"], modifier["days_left"], modifier["target"], modifier["by"]) == (
        None,
        None,
        "licence",
        "30d",
    )
    assert modifier["history"] == [] and modifier["derivation"] is None


def test_show_json_of_an_entry_not_yet_announced_is_an_error(folder: Path) -> None:
    result = run(folder, "show", "summit", "-f", "k.toml", "--as-of", TODAY, "--format", "json")
    assert (result.returncode, result.stdout) == (2, "")
    assert "not yet known" in result.stderr


def test_countdown_json_has_the_status_keys(folder: Path) -> None:
    result = run(folder, "countdown", "truce", "licence", "-f", "k.toml", "--as-of", "2025-11-20", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["as_of"], document["tz"]) == ("2025-11-20T00:00:00-05:00", "America/New_York")
    assert [entry["id"] for entry in document["entries"]] == ["truce", "licence"]
    for entry in document["entries"]:
        assert list(entry) == STATUS_KEYS
        assert entry == status_entry(folder, str(entry["id"]), "2025-11-20")
    default = json.loads(run(folder, "countdown", "-f", "k.toml", "--as-of", "2025-11-20", "--format", "json").stdout)
    assert [entry["id"] for entry in default["entries"]] == ["licence", "truce"]


def test_countdown_json_refuses_live(folder: Path) -> None:
    result = run(folder, "countdown", "-f", "k.toml", "--live", "--format", "json")
    assert result.returncode == 2
    assert "--live" in result.stderr
