"""The bundled US–China timeline agrees with the sourced facts in ``bundled_facts.toml``.

Driven through the installed command (``export --format json``), as an analyst would
read it: the corrected instants, a clickable link on every entry (official texts first),
the events the first version lacked, deadlines instead of forecasts, and nothing after
the file's ``current_to`` stated as confirmed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

BIN = Path(sys.executable).with_name("trucetrack")
FACTS = tomllib.loads((Path(__file__).with_name("bundled_facts.toml")).read_text(encoding="utf-8"))
# The first instant after the data's current_to (2026-05-31): 00:00 on 2026-06-01 in New York.
AFTER_CURRENT_TO = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
LATE = "2027-12-31"  # past every entry of the file


@cache
def export(as_of: str) -> dict[str, dict[str, Any]]:
    """The bundled timeline exported as of ``as_of``, by entry id (run from an empty folder, no cache)."""
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "trucetrack"]
    cwd = Path(os.environ.get("TMPDIR", "/tmp"))
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "TRUCETRACK_CACHE": "off",
    }
    done = subprocess.run(
        [*command, "export", "--as-of", as_of, "--format", "json"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [f["current_to"] for f in document["files"]] == [FACTS["current_to"]]
    return {entry["id"]: entry for entry in document["entries"]}


def utc(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def https_links(entry: dict[str, Any]) -> list[str]:
    return [s for s in entry["sources"] if s.startswith("https://") and urlparse(s).netloc]


# ------------------------------------------------------------------ corrections


@pytest.mark.parametrize("row", FACTS["corrected"], ids=lambda row: row["id"])
def test_corrected_rows_match_the_sources(row: dict[str, Any]) -> None:
    entry = export(LATE)[row["id"]]
    for field in ("start", "date", "end"):
        if field in row:
            assert utc(entry[field]) == utc(row[field]), (field, row["why"])
    for field in ("instrument", "rate"):
        if field in row:
            assert entry[field] == row[field], (field, row["why"])
    if "title_lacks" in row:
        assert row["title_lacks"] not in entry["title"].lower(), row["why"]
    if "title_has" in row:
        assert row["title_has"] in entry["title"].lower(), row["why"]
    for phrase in row.get("notes_mention", []):
        assert phrase in entry["notes"], (phrase, row["why"])


def test_china_84_starts_with_the_us_125() -> None:
    entries = export(LATE)
    assert entries["cn-retaliatory-84"]["start"] == entries["reciprocal-125"]["start"]


def test_the_busan_fentanyl_cut_is_not_attributed_to_the_reciprocal_order() -> None:
    entry = export(LATE)["fentanyl-10-busan"]
    assert not any("14358" in source for source in entry["sources"])


# ------------------------------------------------------------------ links


def test_every_entry_has_a_clickable_https_link() -> None:
    missing = [entry_id for entry_id, entry in export(LATE).items() if not https_links(entry)]
    assert missing == []


def test_a_link_is_a_whole_address_not_a_bare_domain() -> None:
    for entry_id, entry in export(LATE).items():
        for source in entry["sources"]:
            if source.startswith(("http://", "https://")):
                parsed = urlparse(source)
                assert "." in parsed.netloc and " " not in source, (entry_id, source)


@pytest.mark.parametrize("entry_id", FACTS["links"]["primary_first"])
def test_official_texts_come_first(entry_id: str) -> None:
    first = export(LATE)[entry_id]["sources"][0]
    assert urlparse(first).netloc in FACTS["links"]["primary_hosts"], first


# ------------------------------------------------------------------ added events


@pytest.mark.parametrize("row", FACTS["added"], ids=lambda row: row["id"])
def test_missing_events_are_present(row: dict[str, Any]) -> None:
    entry = export(LATE)[row["id"]]
    assert entry["kind"] == row["kind"], row["what"]
    assert entry["shape"] == row["shape"], row["what"]
    at = entry["date"] if row["shape"] == "point" else entry["start"]
    assert utc(at) == utc(row["at"]), row["what"]
    if "end" in row:
        assert utc(entry["end"]) == utc(row["end"]), row["what"]
    if "announced" in row:
        assert utc(entry["announced"]) == utc(row["announced"]), row["what"]
    if "instrument" in row:
        assert entry["instrument"] == row["instrument"], row["what"]
    assert https_links(entry), row["what"]


def test_the_section_301_semiconductor_span_ends_when_its_rate_rises() -> None:
    entries = export(LATE)
    assert entries["s301-semiconductors"]["end"] == entries["s301-semiconductor-increase"]["date"]


# ------------------------------------------------------------------ forecasts and deadlines


@pytest.mark.parametrize("entry_id", FACTS["removed"]["ids"])
def test_back_in_force_forecasts_are_gone(entry_id: str) -> None:
    assert entry_id not in export(LATE)


@pytest.mark.parametrize("row", FACTS["deadline"], ids=lambda row: row["id"])
def test_suspension_ends_are_deadlines_that_do_not_claim_an_outcome(row: dict[str, Any]) -> None:
    entry = export(LATE)[row["id"]]
    assert entry["kind"] == "deadline"
    assert entry["shape"] == "point"
    assert utc(entry["date"]) == utc(row["at"])
    assert "unless extended" in entry["title"] or "due to" in entry["title"]
    assert "back in force" not in entry["title"]
    assert entry["confirmed"] is False  # after current_to: the data cannot know what happened
    assert https_links(entry)


def changes(entry: dict[str, Any]) -> list[datetime]:
    """The instants at which an entry changes: its start or date, and its (effective) end."""
    return [moment for moment in (utc(entry["start"]), utc(entry["date"]), utc(entry["end"])) if moment]


def test_nothing_after_current_to_is_stated_as_confirmed() -> None:
    # Points and spans carry the verdict; a modifier's end shows in its target's effective end.
    entries = {key: entry for key, entry in export(LATE).items() if entry["shape"] != "modifier"}
    late = {entry_id for entry_id, entry in entries.items() if any(m >= AFTER_CURRENT_TO for m in changes(entry))}
    assert {"cn-truce", "s122-surcharge", "bis-affiliates-suspension", "s301-semiconductors"} <= late
    confirmed = sorted(entry_id for entry_id in late if entries[entry_id]["confirmed"] is not False)
    assert confirmed == []


def test_as_of_current_to_everything_is_confirmed() -> None:
    entries = export(FACTS["current_to"])
    assert [entry_id for entry_id, entry in entries.items() if entry["confirmed"] is not True] == []


def test_show_prints_every_link_whole_on_a_narrow_terminal(tmp_path: Path) -> None:
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "trucetrack"]
    environment = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    environment |= {"COLUMNS": "60", "TRUCETRACK_CACHE": "off"}
    for entry_id in ("eo-14334", "s301-semiconductors"):
        done = subprocess.run(
            [*command, "show", entry_id, "--as-of", LATE],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        for link in https_links(export(LATE)[entry_id]):
            assert f"  - {link}" in lines, link
