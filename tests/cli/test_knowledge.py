"""What was known when, and what the data cannot confirm, through the installed command.

One small timeline holds every case: a truce that lapses after the file's
``current_to`` (2026-05-31), a recent end, tariff steps that supersede each
other, a cancelled plan, two extensions decided at one instant, and a summit
announced after the instant most tests look from (2026-12-02).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.hostile.runner import run_installed_text

TIMELINE = """\
schema = 1
title = "Knowledge"
timezone = "America/New_York"
current_to = 2026-05-31

[parties.CN]
name = "China"

[parties.US]
name = "United States"

[[event]]
id = "step-84"
kind = "tariff"
title = "84% step"
start = 2025-04-10T00:01:00
parties = ["US", "CN"]
measure = "duty"
rate = 84.0

[[event]]
id = "step-125"
kind = "tariff"
title = "125% step"
start = 2025-04-11T00:01:00
parties = ["US", "CN"]
measure = "duty"
rate = 125.0

[[event]]
id = "licence"
kind = "license"
title = "Licence"
start = 2025-06-01
end = 2025-12-01
parties = ["CN"]

[[event]]
id = "truce"
kind = "agreement"
title = "One-year truce"
start = 2025-11-10T00:01:00
end = 2026-11-10T00:01:00
parties = ["US", "CN"]
measure = "duty"
rate = 10.0
rate_after = 34.0
announced = 2025-11-01

[[event]]
id = "licence-more"
kind = "extension"
target = "licence"
date = 2025-11-20
by = "30d"

[[event]]
id = "licence-new-end"
kind = "extension"
target = "licence"
date = 2025-11-20
end = 2026-01-15

[[event]]
id = "plan-off"
kind = "termination"
target = "plan"
date = 2026-02-01

[[event]]
id = "plan"
kind = "talks"
title = "Planned talks"
start = 2026-03-01
through = 2026-03-02
parties = ["US", "CN"]

[[event]]
id = "summit"
kind = "talks"
title = "Summit"
date = 2026-12-20
parties = ["US", "CN"]
announced = 2026-12-05T14:00:00
"""

TODAY = "2026-12-02"  # 22 days after the truce lapsed, past the data's current_to
NOTE = "data checked to 2026-05-31; later changes are not confirmed (marked ?)"
DATA_NOTE = "data checked to 2026-05-31; later changes are not confirmed (confirmed: false)"


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_installed_text(folder, *args, columns=100)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "k.toml").write_text(TIMELINE, encoding="utf-8")
    return tmp_path


def entries(folder: Path, *args: str) -> dict[str, dict[str, object]]:
    result = run(folder, "status", "-f", "k.toml", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return {entry["id"]: entry for entry in json.loads(result.stdout)["entries"]}


def test_the_file_is_canonical_and_valid(folder: Path) -> None:
    assert run(folder, "validate", "k.toml").returncode == 0
    assert run(folder, "fmt", "--check", "k.toml").returncode == 0


def test_the_first_screen_shows_the_lapse_unconfirmed_and_hides_the_finished(folder: Path) -> None:
    shown = entries(folder, "--as-of", TODAY)
    assert list(shown) == ["truce"]  # steps superseded, plan cancelled, licence long over, summit not known
    truce = shown["truce"]
    assert (truce["status"], truce["days_left"], truce["confirmed"]) == ("expired", -22, False)
    assert truce["announced"] == "2025-11-01T00:00:00-04:00"
    table = run(folder, "status", "-f", "k.toml", "--as-of", TODAY)
    assert "22 days ago  expired?" in table.stdout
    assert f"k.toml: {NOTE}." in table.stdout
    assert list(entries(folder, "--as-of", TODAY, "--recent", "0d")) == []
    assert "truce" not in entries(folder, "--as-of", "2026-12-11")  # 31 days after: no longer recent


def test_everything_with_all(folder: Path) -> None:
    everything = entries(folder, "--as-of", TODAY, "--all")
    assert {key: value["status"] for key, value in everything.items()} == {
        "step-84": "superseded",
        "step-125": "superseded",
        "licence": "expired",
        "truce": "expired",
        "plan": "cancelled",
    }
    # Before current_to ran out, nothing is unconfirmed.
    assert all(entry["confirmed"] for entry in entries(folder, "--as-of", "2026-05-31T23:59", "--all").values())


def test_an_entry_before_it_was_announced_does_not_exist(folder: Path) -> None:
    assert "summit" not in entries(folder, "--as-of", TODAY, "--all")
    shown = run(folder, "show", "summit", "-f", "k.toml", "--as-of", TODAY)
    assert shown.returncode == 2
    assert "'summit' was not yet known as of 2026-12-02 00:00 EST" in shown.stderr
    assert "announced 2026-12-05 14:00 EST" in shown.stderr
    countdown = run(folder, "countdown", "summit", "-f", "k.toml", "--as-of", TODAY)
    assert countdown.returncode == 2 and "not yet known" in countdown.stderr
    assert "summit" not in run(folder, "timeline", "-f", "k.toml", "--as-of", TODAY).stdout
    export = json.loads(run(folder, "export", "-f", "k.toml", "--format", "json", "--as-of", TODAY).stdout)
    assert "summit" not in [entry["id"] for entry in export["entries"]]
    later = entries(folder, "--as-of", "2026-12-05T14:00")
    assert later["summit"]["status"] == "upcoming" and later["summit"]["confirmed"] is True
    assert "Summit" in run(folder, "show", "summit", "-f", "k.toml", "--as-of", "2026-12-06").stdout


def test_check_finds_only_what_was_known(folder: Path) -> None:
    quiet = run(folder, "check", "-f", "k.toml", "--within", "30d", "--as-of", TODAY)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    found = run(folder, "check", "-f", "k.toml", "--within", "30d", "--as-of", "2026-12-06")
    assert found.returncode == 1 and "summit" in found.stdout
    assert "k.toml: data checked to 2026-05-31; later changes are not confirmed." in found.stderr


def test_rates_before_the_truce_was_announced_and_after_the_data_ends(folder: Path) -> None:
    before = json.loads(
        run(folder, "rates", "-f", "k.toml", "--history", "--as-of", "2025-10-01", "--format", "json").stdout
    )
    assert [step["entry"] for step in before["history"]] == ["step-84", "step-125"]
    today = json.loads(run(folder, "rates", "-f", "k.toml", "--as-of", TODAY, "--format", "json").stdout)
    assert today["measures"] == [
        {"measure": "duty", "rate": 34.0, "since": "2026-11-10T00:01:00-05:00", "entry": "truce", "confirmed": False}
    ]
    table = run(folder, "rates", "-f", "k.toml", "--as-of", TODAY)
    assert "34%?" in table.stdout and NOTE in table.stdout


def test_same_instant_extensions_apply_in_id_order_whatever_the_file_order(folder: Path) -> None:
    more = TIMELINE[
        TIMELINE.index('[[event]]\nid = "licence-more"') : TIMELINE.index('[[event]]\nid = "licence-new-end"')
    ]
    swapped = TIMELINE.replace(more, "") + "\n" + more.rstrip("\n") + "\n"
    assert swapped.index("licence-new-end") < swapped.index("licence-more")
    (folder / "swapped.toml").write_text(swapped, encoding="utf-8")
    # licence-more (+30 days) applies first, then licence-new-end sets Jan 15, in both files.
    assert entries(folder, "--as-of", TODAY, "--all")["licence"]["end"] == "2026-01-15T00:00:00-05:00"
    result = run(folder, "status", "-f", "swapped.toml", "--format", "json", "--as-of", TODAY, "--all")
    swapped_entries = {entry["id"]: entry for entry in json.loads(result.stdout)["entries"]}
    assert swapped_entries["licence"]["end"] == "2026-01-15T00:00:00-05:00"


def test_every_view_says_the_data_is_past_its_current_to(folder: Path) -> None:
    for args in (("summary",), ("timeline",), ("show", "truce"), ("countdown", "truce")):
        result = run(folder, *args, "-f", "k.toml", "--as-of", TODAY)
        assert result.returncode == 0, (args, result.stderr)
        assert NOTE in result.stdout.replace("\n", " ").replace("  ", " "), args
    assert "expired?" in run(folder, "show", "truce", "-f", "k.toml", "--as-of", TODAY).stdout
    as_json = run(folder, "status", "-f", "k.toml", "--as-of", TODAY, "--format", "json")
    assert DATA_NOTE in as_json.stderr and DATA_NOTE not in as_json.stdout


def test_the_calendar_feed_does_not_show_the_lapse_as_fact(folder: Path) -> None:
    feed = run(folder, "export", "-f", "k.toml", "--format", "ics", "--as-of", TODAY).stdout
    unfolded = feed.replace("\r\n ", "")
    summaries = [line for line in unfolded.splitlines() if line.startswith("SUMMARY:")]
    assert any("(unconfirmed)" in line and "truce" in line.lower() for line in summaries), summaries
    assert not any("(unconfirmed)" in line and "Licence" in line for line in summaries)
    exported = json.loads(run(folder, "export", "-f", "k.toml", "--format", "json", "--as-of", TODAY).stdout)
    by_id = {entry["id"]: entry for entry in exported["entries"]}
    assert by_id["truce"]["confirmed"] is False and by_id["licence"]["confirmed"] is True


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            'id = "x"\nkind = "extension"\ntarget = "truce"\ndate = 2026-01-01\nby = "1d"\nannounced = 2025-12-01\n',
            "announced is not allowed",
        ),
        (
            'id = "x"\nkind = "talks"\ntitle = "X"\ndate = 2026-01-01\nannounced = "soon"\n',
            "announced must be a TOML date",
        ),
    ],
)
def test_announced_is_validated(folder: Path, event: str, message: str) -> None:
    (folder / "k.toml").write_text(TIMELINE + "\n[[event]]\n" + event, encoding="utf-8")
    result = run(folder, "validate", "k.toml")
    assert result.returncode == 2
    assert message in result.stderr


def test_the_digest_marks_what_the_data_cannot_confirm(folder: Path) -> None:
    table = run(folder, "summary", "-f", "k.toml", "--as-of", "2026-11-12").stdout
    assert "ended?  truce" in table
    document = json.loads(run(folder, "summary", "-f", "k.toml", "--as-of", "2026-11-12", "--format", "json").stdout)
    happened = {item["id"]: item for item in document["happened"]}
    assert happened["truce"]["what"] == "ended" and happened["truce"]["confirmed"] is False
    # A week after the truce began, inside its file's data: confirmed.
    early = json.loads(run(folder, "summary", "-f", "k.toml", "--as-of", "2025-11-12", "--format", "json").stdout)
    assert {item["id"]: item["confirmed"] for item in early["happened"]}["truce"] is True
