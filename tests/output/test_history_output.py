"""history's text and JSON, from results made by hand: the wording of each kind of change,
and text from git (authors, subjects) cleaned of control codes."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from tests.conftest import instant
from trucetrack.engine.semdiff import Change, EndMove, EntryNote
from trucetrack.ops.history import EntryChange, HistoryResult, HistoryStep
from trucetrack.output.history import change_text, history_json, history_text

NEW_YORK = ZoneInfo("America/New_York")
MOVE = EndMove(
    "geneva-truce",
    instant("2025-08-12T00:01"),
    instant("2025-11-10T00:01"),
    "2025-08-12 00:01 EDT",
    "2025-11-10 00:01 EST",
    90,
)


def test_each_kind_of_change_in_words() -> None:
    note = EntryNote("talks-london", "talks", "London talks", "2025-06-09", "t.toml")
    assert change_text(EntryChange("added", note=note)) == "added: talks, 2025-06-09: London talks"
    assert change_text(EntryChange("removed", note=note)) == "removed (it was talks, 2025-06-09)"
    title = Change("talks-london", "title", '"London"', '"London talks"', "London", "London talks")
    assert change_text(EntryChange("field", field=title)) == 'title "London" → "London talks"'
    moved = "end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days)"
    assert change_text(EntryChange("end", move=MOVE, by=("eo-14334",))) == moved + ", by eo-14334"
    assert change_text(EntryChange("end", move=MOVE, removed=("eo-14334",))) == moved + ", as eo-14334 was removed"
    assert change_text(EntryChange("end", move=MOVE)) == moved + ", by its own edit"


def test_text_and_json() -> None:
    step = HistoryStep(
        "a" * 40, "2025-08-11T09:30:00-04:00", "Ana\x1b[31m Lima", "EO 14334\u009b", (EntryChange("end", move=MOVE),)
    )
    result = HistoryResult("geneva-truce", instant("2025-12-01T00:00"), NEW_YORK, (step,))
    assert history_text(result).splitlines() == [
        "History of geneva-truce in git (effective ends as of 2025-12-01 00:00 EST, America/New_York)",
        "aaaaaaaaaa 2025-08-11 Ana Lima: EO 14334",
        "  end 2025-08-12 00:01 EDT → 2025-11-10 00:01 EST (+90 days), by its own edit",
    ]
    data = json.loads(history_json(result))
    assert data["changes"][0]["commit"] == "a" * 40
    assert data["changes"][0]["author"] == "Ana Lima"
    assert "\x1b" not in history_json(result) and "\u009b" not in history_json(result)
    empty = HistoryResult("x", instant("2025-12-01T00:00"), NEW_YORK, ())
    assert history_text(empty) == "x: no commit changed it\n"
