"""Strict dates: nothing is filled in from today's date, whatever day the test runs."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.hostile.runner import installed_command
from trucetrack.core.dates import parse_as_of, parse_edit_date

NEW_YORK = ZoneInfo("America/New_York")
# Two "nows" far apart: an accepted form must read the same from both.
NOWS = (datetime(2026, 12, 2, 15, 30, tzinfo=UTC), datetime(2031, 7, 19, 4, 5, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-10", "2025-06-10T04:00:00+00:00"),
        ("2025-06-10T09:30", "2025-06-10T13:30:00+00:00"),
        ("2025-06-10T09:30+08:00", "2025-06-10T01:30:00+00:00"),
        ("June 10 2025", "2025-06-10T04:00:00+00:00"),
        ("10 June 2025", "2025-06-10T04:00:00+00:00"),
        ("Jun 10, 2025", "2025-06-10T04:00:00+00:00"),
        ("June 10 2025 2pm", "2025-06-10T18:00:00+00:00"),
        ("10 June 2025 14:30:15", "2025-06-10T18:30:15+00:00"),
    ],
)
def test_whole_days_read_the_same_whatever_today_is(text: str, expected: str) -> None:
    for now in NOWS:
        assert parse_as_of(text, now=now, zone=NEW_YORK).isoformat() == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2025-06", "gives no day"),
        ("2025", "gives no day and no month"),
        ("June 2025", "gives no day"),
        ("June 10", "gives no year"),
        ("10/06/2025", "month or day first?"),
        ("31/12/2025", "month or day first?"),
        ("06/10/2025", "month or day first?"),
        ("10.06.2025", "month or day first?"),
        ("2025/06/10", "month or day first?"),
        ("someday", "cannot read 'someday'"),
    ],
)
def test_less_than_a_day_or_an_ambiguous_date_is_refused(text: str, says: str) -> None:
    for now in NOWS:
        with pytest.raises(ValueError, match=says.replace("?", r"\?")):
            parse_as_of(text, now=now, zone=NEW_YORK)
        with pytest.raises(ValueError, match=says.replace("?", r"\?")):
            parse_edit_date(text, now=now, zone=NEW_YORK)


@pytest.mark.parametrize("text", ["2025-06", "June 2025", "10/06/2025"])
def test_the_installed_command_refuses_with_what_to_write(tmp_path: Path, text: str) -> None:
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "TRUCETRACK_CACHE": "off"}  # fmt: skip
    for args in (["status", "--as-of", text], ["status"]):
        extra = {} if "--as-of" in args else {"TRUCETRACK_AS_OF": text}
        done = subprocess.run([*installed_command(), *args], cwd=tmp_path, env={**env, **extra},
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 2, done.stdout
        assert "2025-06-10" in done.stderr and "Traceback" not in done.stderr
        assert done.stdout == ""
