"""What the bundled US–China timeline knew when, through the installed command.

Entries of the bundled file carry ``announced``: the day (or instant) the sources
show they became known. A tariff step signed days before it applies, the Geneva
truce (joint statement of May 12, 2025, in force from May 14), the Busan outcomes
(announced Oct 30 and Nov 1, 2025, in force from Nov 10) and the Section 122
surcharge (proclaimed Feb 20, 2026, from Feb 24) are unknown to every as-of view
before that day; a threat, a ruling, a statement or a data release is known from
its own day. Talk rounds, the Busan meeting and the port fees are known from the day they
were announced; entries whose sources give no earlier announcement (the leaders'
calls) carry no ``announced``, and modifiers never do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).with_name("trucetrack")

# id -> announced, as the sources give it (a date is 00:00 in New York, the file's zone).
ANNOUNCED = {
    "eo-14195-signed": "2025-02-01T00:00:00-05:00",
    "fentanyl-10": "2025-02-01T00:00:00-05:00",  # EO 14195 of Feb 1, in force Feb 4
    "fentanyl-20": "2025-03-03T00:00:00-05:00",  # EO 14228 of Mar 3, in force Mar 4
    "cn-farm-tariffs": "2025-03-04T00:00:00-05:00",  # announced Mar 4, from Mar 10
    "liberation-day": "2025-04-02T00:00:00-04:00",
    "cn-announcement-no4": "2025-04-04T00:00:00-04:00",
    "cn-rare-earths-no18": "2025-04-04T00:00:00-04:00",  # effective immediately
    "reciprocal-baseline-10": "2025-04-02T00:00:00-04:00",  # EO 14257 of Apr 2, from Apr 5
    "eo-14259-signed": "2025-04-08T00:00:00-04:00",
    "cn-announcement-no5": "2025-04-09T00:00:00-04:00",
    "eo-14266-signed": "2025-04-09T00:00:00-04:00",
    "reciprocal-84": "2025-04-08T00:00:00-04:00",  # EO 14259 of Apr 8, from Apr 9
    "cn-retaliatory-84": "2025-04-09T00:00:00-04:00",  # Announcement No. 5 of Apr 9
    "reciprocal-125": "2025-04-09T00:00:00-04:00",  # EO 14266 of Apr 9, from Apr 10
    "cn-retaliatory-125": "2025-04-11T00:00:00-04:00",  # Announcement No. 6 of Apr 11, from Apr 12
    "eo-14298-signed": "2025-05-12T00:00:00-04:00",
    "geneva-joint-statement": "2025-05-12T00:00:00-04:00",
    "cn-tariff-commission-may13": "2025-05-13T00:00:00-04:00",
    "cn-truce": "2025-05-12T00:00:00-04:00",  # joint statement of May 12, from May 14
    "geneva-truce": "2025-05-12T00:00:00-04:00",
    "cn-rare-earth-licences": "2025-06-06T00:00:00-04:00",  # granted Jun 2, the news broke Jun 6
    "cn-cpi-ppi-2025-05": "2025-06-08T22:28:00-04:00",  # first Xinhua item, 10:28 Beijing on Jun 9
    "cn-trade-data-2025-05": "2025-06-09T00:00:00-04:00",
    "london-framework": "2025-06-10T00:00:00-04:00",
    "eo-14316": "2025-07-07T00:00:00-04:00",
    "bis-affiliates-rule": "2025-09-29T00:00:00-04:00",  # effective Sep 29, published Sep 30
    "cn-oct9-controls": "2025-10-09T00:00:00-04:00",
    "threat-100pct": "2025-10-10T00:00:00-04:00",
    "mofcom-oct30-suspensions": "2025-10-30T00:00:00-04:00",
    "wh-fact-sheet": "2025-11-01T00:00:00-04:00",
    "cn-no70-suspension": "2025-10-30T00:00:00-04:00",  # MOFCOM on Oct 30: halted for one year
    "s301-exclusions": "2025-11-01T00:00:00-04:00",  # fact sheet: exclusions to Nov 10, 2026
    "bis-affiliates-suspension": "2025-10-30T00:00:00-04:00",
    "fentanyl-10-busan": "2025-10-30T00:00:00-04:00",  # Busan: fentanyl rate halved
    "port-fee-suspension": "2025-10-30T00:00:00-04:00",
    "ustr-port-fee-notice": "2025-11-09T00:00:00-05:00",
    "proclamation-11012-signed": "2026-02-20T00:00:00-05:00",
    "scotus-ieepa-ruling": "2026-02-20T00:00:00-05:00",
    "s122-15pct-announced": "2026-02-21T00:00:00-05:00",
    "fentanyl-0": "2026-02-20T00:00:00-05:00",  # EO 'Ending Certain Tariff Actions', from Feb 24
    "reciprocal-0": "2026-02-20T00:00:00-05:00",
    "s122-surcharge": "2026-02-20T00:00:00-05:00",  # Proclamation No. 11012, from Feb 24
    "s301-excess-capacity": "2026-03-11T00:00:00-04:00",
    "cit-s122-ruling": "2026-05-07T00:00:00-04:00",
    "beijing-summit": "2026-03-26T00:00:00-04:00",  # earliest report of the May dates
    "bessent-truce-remarks": "2026-05-19T00:00:00-04:00",
    "mofcom-boeing-extension": "2026-05-20T00:00:00-04:00",
    # Talk rounds and the leaders' meeting, from the day they were announced.
    "talks-geneva": "2025-05-06T00:00:00-04:00",  # Treasury and USTR, Tuesday May 6
    "talks-london": "2025-06-06T00:00:00-04:00",  # Trump on Truth Social
    "talks-stockholm": "2025-07-22T00:00:00-04:00",  # Bessent; Sweden's prime minister
    "talks-madrid": "2025-09-11T00:00:00-04:00",  # Treasury travel notice
    "talks-kuala-lumpur": "2025-10-23T00:00:00-04:00",  # MOFCOM statement
    "busan-meeting": "2025-10-23T00:00:00-04:00",  # White House briefing
    "port-fees": "2025-04-17T00:00:00-04:00",  # USTR notice of action: fees from Oct 14
    # China's first countermeasures, announced Feb 4 (tariffs from Feb 10, controls at once)
    "cn-feb-export-controls": "2025-02-04T00:00:00-05:00",
    "cn-feb-tariffs": "2025-02-04T00:00:00-05:00",
    "de-minimis-ends-cn": "2025-04-02T00:00:00-04:00",  # EO 14256 of Apr 2, from May 2
    "cit-vos-ruling": "2025-05-28T00:00:00-04:00",
    "cafc-administrative-stay": "2025-05-29T00:00:00-04:00",
    "cafc-stay-pending-appeal": "2025-06-10T00:00:00-04:00",
    "cafc-en-banc-ruling": "2025-08-29T00:00:00-04:00",
    "scotus-cert-granted": "2025-09-09T00:00:00-04:00",
    "cn-hanwha-sanctions": "2025-10-14T00:00:00-04:00",
    "cn-no72-suspension": "2025-11-08T11:00:00-05:00",  # MOFCOM on Sunday Nov 9 (Beijing)
    "cn-hanwha-suspension": "2025-11-09T11:00:00-05:00",  # MOFCOM on Monday Nov 10 (Beijing)
    "eo-14360": "2025-11-14T00:00:00-05:00",  # signed Nov 14, retroactive to Nov 13
    "h200-sales-allowed": "2025-12-08T00:00:00-05:00",
    "s301-semiconductors": "2025-12-23T00:00:00-05:00",
    "bis-h200-rule": "2026-01-13T00:00:00-05:00",  # issued Jan 13, effective Jan 15
    "s122-appeal": "2026-05-08T00:00:00-04:00",
    "mofcom-reciprocal-cuts": "2026-05-20T00:00:00-04:00",
    # Deadlines are known from the instrument that sets them.
    "affiliates-suspension-ends": "2025-11-10T00:00:00-05:00",  # BIS rule: 'reimposed' Nov 10, 2026
    "port-fee-suspension-ends": "2025-11-09T00:00:00-05:00",  # USTR notice: through Nov 9, 2026
    "cn-no70-suspension-ends": "2025-11-07T00:00:00-05:00",  # Announcement No. 70: until Nov 10, 2026
    "cn-no72-suspension-ends": "2025-11-08T11:00:00-05:00",  # Announcement No. 72: until Nov 27, 2026
    "s301-semiconductor-increase": "2025-12-23T00:00:00-05:00",  # USTR notice: rises Jun 23, 2027
}

# Points and spans the sources date only by when they happened: known from the start of time.
UNANNOUNCED = {
    "call-trump-xi-2025-06",
    "call-trump-xi-2025-11",
    "call-trump-xi-2026-02",
}


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def trucetrack(cwd: Path, *args: str) -> Ran:
    """The installed command on the bundled timeline (an empty folder: no ./timelines/), no cache."""
    command = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "trucetrack"]
    environment = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "COLUMNS": "100",
        "TRUCETRACK_CACHE": "off",
    }
    done = subprocess.run(
        [*command, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def as_json(cwd: Path, *args: str) -> Any:
    ran = trucetrack(cwd, *args, "--format", "json")
    assert ran.code == 0, ran
    return json.loads(ran.out)


def test_every_point_and_span_is_announced_as_the_sources_say(tmp_path: Path) -> None:
    exported = as_json(tmp_path, "export", "--as-of", "2026-05-31")
    announced = {entry["id"]: entry["announced"] for entry in exported["entries"] if entry["shape"] != "modifier"}
    assert {key: value for key, value in announced.items() if value is not None} == ANNOUNCED
    assert {key for key, value in announced.items() if value is None} == UNANNOUNCED


def test_rates_before_geneva_set_no_truce_step(tmp_path: Path) -> None:
    rates = as_json(tmp_path, "rates", "--history", "--as-of", "2025-04-08")
    setters = {row["entry"] for row in rates["measures"] + rates["history"]}
    # Known on Apr 8: the 84% signed that day. Not yet: Geneva, China's 10%, the 125% steps.
    assert "reciprocal-84" in setters
    assert setters.isdisjoint({"geneva-truce", "cn-truce", "reciprocal-125", "cn-retaliatory-84", "fentanyl-10-busan"})


def test_rates_know_the_geneva_step_from_the_joint_statement(tmp_path: Path) -> None:
    rates = as_json(tmp_path, "rates", "--history", "--as-of", "2025-05-12")
    steps = [row for row in rates["history"] if row["entry"] == "geneva-truce"]
    assert [(row["rate"], row["since"], row["phase"]) for row in steps] == [
        (10.0, "2025-05-14T00:01:00-04:00", "in force"),
        (34.0, "2025-08-12T00:01:00-04:00", "after"),
    ]
    assert all(row["scheduled"] for row in steps)


@pytest.mark.parametrize("flags", [(), ("--all",)])
def test_status_before_the_threat_does_not_list_it(tmp_path: Path, flags: tuple[str, ...]) -> None:
    status = as_json(tmp_path, "status", "--as-of", "2025-10-01", *flags)
    ids = {entry["id"] for entry in status["entries"]}
    assert "threat-100pct" not in ids
    # Nor the Oct 9 controls, the Busan outcomes or 2026's Section 122 surcharge.
    assert ids.isdisjoint({"cn-oct9-controls", "fentanyl-10-busan", "s122-surcharge", "wh-fact-sheet"})
    assert "geneva-truce" in ids


def test_status_lists_the_threat_the_day_after_it_was_made(tmp_path: Path) -> None:
    status = as_json(tmp_path, "status", "--as-of", "2025-10-11", "--all")
    threat = [entry for entry in status["entries"] if entry["id"] == "threat-100pct"]
    assert [(entry["status"], entry["announced"]) for entry in threat] == [("past", "2025-10-10T00:00:00-04:00")]


def test_show_before_the_threat_says_when_it_was_announced(tmp_path: Path) -> None:
    ran = trucetrack(tmp_path, "show", "threat-100pct", "--as-of", "2025-10-01")
    assert ran.code == 2
    assert ran.out == ""
    assert "trucetrack: error: 'threat-100pct' was not yet known as of 2025-10-01" in ran.err
    assert "it was announced 2025-10-10" in ran.err
    assert "Traceback" not in ran.err


def test_show_the_day_after_the_threat_shows_it(tmp_path: Path) -> None:
    ran = trucetrack(tmp_path, "show", "threat-100pct", "--as-of", "2025-10-11")
    assert ran.code == 0, ran
    assert "threat-100pct" in ran.out
    assert "past" in ran.out
