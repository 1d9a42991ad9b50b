"""The JSON Schema for editors: shipped, valid, and in agreement with `validate`.

taplo validates a TOML document as JSON, with every date and datetime turned
into a string (``2025-05-14``, ``2025-05-14T00:01:00``,
``2025-05-14T00:01:00+08:00``); ``taplo_json`` does the same here.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.conftest import BUNDLED, HEADER, REPO
from trucetrack.cli import app
from trucetrack.core.durations import DurationError, parse_duration
from trucetrack.core.model import BUILTIN_KINDS, EVENT_KEYS, TOP_LEVEL_KEYS
from trucetrack.errors import InvalidTimeline
from trucetrack.load.loader import load as load_timeline
from trucetrack.load.validate import ID_PATTERN
from trucetrack.output import schema as schema_module

SHIPPED = REPO / "schema" / "trucetrack.schema.json"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")


def taplo_json(value: Any) -> Any:
    """A parsed TOML value as taplo hands it to the validator: dates and times become strings."""
    if isinstance(value, dict):
        return {key: taplo_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [taplo_json(item) for item in value]
    if isinstance(value, datetime) and value.utcoffset() is not None and not value.utcoffset():
        return value.replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, date | time):
        return value.isoformat()
    return value


@cache
def validator() -> jsonschema.Draft7Validator:
    """Draft-07 with format checks, RFC 3339 date-times included (jsonschema checks date-time
    only when an optional package is installed, so a check is given here)."""
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(lambda value: not isinstance(value, str) or bool(RFC3339.match(value)))
    return jsonschema.Draft7Validator(json.loads(SHIPPED.read_text(encoding="utf-8")), format_checker=checker)


def schema_errors(toml_text: str) -> list[str]:
    document = taplo_json(tomllib.loads(toml_text))
    return [error.message for error in validator().iter_errors(document)]


def test_shipped_schema_is_what_the_schema_command_prints() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout_bytes == SHIPPED.read_bytes(), "regenerate: trucetrack schema -o schema/trucetrack.schema.json"


def test_schema_command_accepts_global_options_and_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    result = CliRunner().invoke(app, ["schema", "--as-of", "2025-08-11", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_bytes() == SHIPPED.read_bytes()


def test_schema_is_a_valid_draft_07_schema_built_from_the_model() -> None:
    schema = json.loads(SHIPPED.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert list(schema["properties"]) == list(TOP_LEVEL_KEYS)
    event = schema["properties"]["event"]["items"]
    assert list(event["properties"]) == list(EVENT_KEYS)
    assert schema["additionalProperties"] is False and event["additionalProperties"] is False
    assert event["properties"]["kind"]["anyOf"][0]["enum"] == list(BUILTIN_KINDS)
    assert f"^{ID_PATTERN.pattern}$" == schema_module.ID_PATTERN
    assert all("description" in value for value in event["properties"].values())


def test_bundled_timeline_validates_against_the_schema() -> None:
    with BUNDLED.open("rb") as handle:
        document = taplo_json(tomllib.load(handle))
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator().iter_errors(document)]
    assert errors == []


EVENT = """\
[[event]]
id = "entry"
kind = "agreement"
title = "An agreement"
"""

ACCEPTED = {
    "point on a date": 'date = 2025-06-10\nparties = ["US"]\ntags = ["x"]',
    "point at a local datetime": "date = 2025-06-10T09:30:00",
    "point at an offset datetime": "date = 2025-06-10T09:30:00+08:00",
    "point at a UTC datetime": "date = 2025-06-10T09:30:00Z",
    "span with end": "start = 2025-06-10\nend = 2025-07-01T12:00:00.5",
    "span with through": "start = 2025-06-10\nthrough = 2025-06-30",
    "span with duration": 'start = 2025-06-10T00:01:00\nduration = "90 days"\nwarn = "P2W"',
    "open-ended span with a rate": 'start = 2025-06-10\nmeasure = "m"\nrate = 10\nrate_after = 34.5',
    "every optional text": 'date = 2025-06-10\nplace = "Geneva"\ninstrument = "EO 1"\nnotes = "n"\nsources = ["s"]',
}

MODIFIERS = """\
[[event]]
id = "span"
kind = "agreement"
title = "A span"
start = 2025-05-14
duration = "90d"

[[event]]
id = "extend-by"
kind = "extension"
target = "span"
date = 2025-08-01
by = "1mo"

[[event]]
id = "extend-to"
kind = "extension"
target = "span"
date = 2025-09-01
through = 2025-12-31

[[event]]
id = "stop"
kind = "termination"
target = "span"
date = 2025-10-01

[[event]]
id = "stop-later"
kind = "termination"
title = "Stop later"
target = "span"
date = 2025-10-02
end = 2025-10-15T12:00:00
"""


@pytest.mark.parametrize("body", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_schema_and_validate_both_accept(body: str, write_timeline: Callable[..., Path]) -> None:
    text = HEADER + "\n" + EVENT + body + "\n"
    load_timeline([str(write_timeline(text, header=False))])
    assert schema_errors(text) == []


def test_modifiers_and_declared_kinds_are_accepted(write_timeline: Callable[..., Path]) -> None:
    top = 'kinds = ["hearing"]\nwarn = "36 hours"\ncurrent_to = 2026-05-31\n\n[parties.US]'
    text = HEADER.replace("\n[parties.US]", top, 1) + "\n" + MODIFIERS
    text += '\n[[event]]\nid = "hearing-1"\nkind = "hearing"\ntitle = "Hearing"\ndate = 2025-06-01\n'
    load_timeline([str(write_timeline(text, header=False))])
    assert schema_errors(text) == []


REJECTED = {
    "unknown event key": ("date = 2025-06-10\ntitel = 'x'", "'titel' was unexpected"),
    "unknown top-level key": ("date = 2025-06-10", "'timezon' was unexpected"),
    "unknown party key": ("date = 2025-06-10", "'code' was unexpected"),
    "rate is not a number": ("date = 2025-06-10\nmeasure = 'm'\nrate = 'ten'", "'ten' is not of type 'number'"),
    "negative rate": ("date = 2025-06-10\nmeasure = 'm'\nrate = -1", "less than the minimum of 0"),
    "parties is not an array": ("date = 2025-06-10\nparties = 'US'", "'US' is not of type 'array'"),
    "sources holds a number": ("date = 2025-06-10\nsources = [1]", "1 is not of type 'string'"),
    "date is an integer": ("date = 20250610", "20250610 is not of type 'string'"),
    "date is a time of day": ("date = 09:30:00", "09:30:00"),
    "through is a datetime": ("start = 2025-06-10\nthrough = 2025-06-30T00:00:00", "is not a 'date'"),
    "warn is a number": ("date = 2025-06-10\nwarn = 14", "14 is not of type 'string'"),
    "ambiguous duration": ("start = 2025-06-10\nduration = '2m'", "'2m'"),
    "empty ISO duration": ("start = 2025-06-10\nduration = 'P'", "'P' is not valid"),
    "duration with an unknown unit": ("start = 2025-06-10\nduration = '3 fortnights'", "'3 fortnights'"),
    "bad id": ("date = 2025-06-10", "'Bad_ID' does not match"),
    "bad kind": ("date = 2025-06-10", "'Agreement'"),
    "date and start": ("date = 2025-06-10\nstart = 2025-06-10", ""),
    "neither date nor start": ("place = 'Geneva'", ""),
    "end and duration": ("start = 2025-06-10\nend = 2025-07-01\nduration = '90d'", ""),
    "point with through": ("date = 2025-06-10\nthrough = 2025-06-30", ""),
    "target on a span": ("start = 2025-06-10\ntarget = 'x'", ""),
    "rate without measure": ("date = 2025-06-10\nrate = 10", "'measure' is a dependency of 'rate'"),
    "rate_after without rate": (
        "date = 2025-06-10\nmeasure = 'm'\nrate_after = 10",
        "'rate' is a dependency of 'rate_after'",
    ),
}


def _rejected_text(name: str, body: str) -> str:
    event = EVENT
    header = HEADER
    if name == "unknown top-level key":
        header = header.replace("schema = 1", "schema = 1\ntimezon = 'UTC'")
    if name == "unknown party key":
        header = header.replace('name = "China"', 'name = "China"\ncode = "CN"')
    if name == "bad id":
        event = event.replace('id = "entry"', 'id = "Bad_ID"')
    if name == "bad kind":
        event = event.replace('kind = "agreement"', 'kind = "Agreement"')
    return header + "\n" + event + body + "\n"


@pytest.mark.parametrize(
    ("name", "body", "message"), [(name, *case) for name, case in REJECTED.items()], ids=list(REJECTED)
)
def test_schema_rejects_what_validate_rejects(
    name: str, body: str, message: str, write_timeline: Callable[..., Path]
) -> None:
    """Shape errors (which of date, start, end... go together) have the schema's generic message."""
    text = _rejected_text(name, body)
    with pytest.raises(InvalidTimeline):
        load_timeline([str(write_timeline(text, header=False))])
    errors = schema_errors(text)
    assert errors, f"the schema accepts what validate rejects: {name}"
    assert message in "\n".join(errors)


MODIFIER_REJECTED = {
    "extension without by, end or through": "by = '90d'",
    "extension with by and end": "by = '90d'\nend = 2026-01-01",
    "extension with a start": "start = 2025-08-01\nby = '90d'",
    "termination with by": "by = '90d'",
}


@pytest.mark.parametrize("name", list(MODIFIER_REJECTED))
def test_schema_rejects_bad_modifiers_like_validate(name: str, write_timeline: Callable[..., Path]) -> None:
    kind = "termination" if name.startswith("termination") else "extension"
    body = MODIFIER_REJECTED[name]
    if name.startswith("extension without"):
        body = ""
    modifier = f'\n[[event]]\nid = "mod"\nkind = "{kind}"\ntarget = "span"\ndate = 2025-08-01\n{body}\n'
    text = HEADER + "\n" + MODIFIERS.split('\n[[event]]\nid = "extend-by"')[0] + modifier
    with pytest.raises(InvalidTimeline):
        load_timeline([str(write_timeline(text, header=False))])
    assert schema_errors(text), f"the schema accepts what validate rejects: {name}"


def test_missing_schema_key_is_rejected() -> None:
    assert schema_errors('title = "No schema"\n')


def _schema_accepts_duration(text: str) -> bool:
    words = re.search(schema_module.DURATION_WORDS_PATTERN, text) or re.search(
        schema_module.DURATION_WORKDAYS_PATTERN, text
    )
    iso = re.search(schema_module.DURATION_ISO_PATTERN, text) and not re.search(
        schema_module.DURATION_ISO_EMPTY_PATTERN, text
    )
    return bool(words or iso)


def _trucetrack_accepts_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except DurationError as exc:
        return "too long" in str(exc)
    return True


DURATION_SAMPLES = ["90d", "90 days", " 2 weeks ", "6mo", "1y2mo", "36h", "P1Y2M", "PT36H", "P2W", "2m", "P", "PT", "d"]


@pytest.mark.parametrize("text", DURATION_SAMPLES)
def test_duration_pattern_agrees_with_the_parser_on_samples(text: str) -> None:
    assert _schema_accepts_duration(text) == _trucetrack_accepts_duration(text)


def test_first_line_directive_is_a_plain_comment(write_timeline: Callable[..., Path]) -> None:
    """The '#:schema' line the README documents leaves the file valid for trucetrack."""
    text = "#:schema ./schema/trucetrack.schema.json\n" + HEADER + "\n" + EVENT + "date = 2025-06-10\n"
    load_timeline([str(write_timeline(text, header=False))])
    assert schema_errors(text) == []
