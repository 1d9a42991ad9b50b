"""The JSON Schema of the timeline file format, for editors (taplo, VS Code's Even Better TOML).

Built from the model's key lists, so a key added to the format cannot be
forgotten here (building the schema fails until it has a description). The
schema is draft-07, the newest draft that taplo's validator reads.

taplo hands a TOML document to the validator as JSON, with every date and
datetime as a string: ``2025-05-14`` (local date), ``2025-05-14T00:01:00``
(local datetime) or ``2025-05-14T00:01:00+08:00`` (offset datetime). So the
schema checks those strings by format or pattern; it cannot tell a TOML date
from a quoted string that looks like one, which ``trucetrack validate`` does.
What the schema does check: unknown keys (squiggled, with completion of the
known ones), value types, id, kind and duration spellings, and the shapes of
an entry (point, span, modifier) as far as JSON Schema can say them.
"""

from __future__ import annotations

import json
from typing import Any

from trucetrack.core.model import BUILTIN_KINDS, EVENT_KEYS, MODIFIER_KINDS, PARTY_KEYS, TOP_LEVEL_KEYS

DRAFT = "http://json-schema.org/draft-07/schema#"
ID_PATTERN = "^[a-z0-9][a-z0-9-]*$"
# The word forms of trucetrack.core.durations (90d, 90 days, 6mo, 36h...); a bare "m" is refused there too.
DURATION_WORDS_PATTERN = r"^\s*(?:\d+\s*(?:years?|y|months?|mo|weeks?|w|days?|d|hours?|h)\s*)+$"
# ISO 8601 durations; "P" alone and a "T" with nothing after it are excluded separately.
DURATION_ISO_PATTERN = r"^\s*P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?\s*$"
DURATION_ISO_EMPTY_PATTERN = r"^\s*P\s*$|T\s*$"
# Working days, counted in the entry's or the file's calendar: 45wd, 45 working days, 1 business day.
DURATION_WORKDAYS_PATTERN = r"^\s*\d+\s*(?:wd|(?:working|business)\s+days?)\s*$"
# Country codes of the holidays library: ISO 3166 alpha-2 (CN, US) or alpha-3 (CHN).
CALENDAR_PATTERN = r"^[A-Z]{2,3}$"
LOCAL_DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$"
ZONE_PATTERN = r"^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*$"


# The value types, written out in full wherever they are used rather than as
# "$ref"s: in draft-07 a "description" beside a "$ref" is ignored, and taplo
# shows a key's own description on hover and in completion.
TYPES: dict[str, dict[str, Any]] = {
    "id": {
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "Lower-case letters, digits and '-', starting with a letter or digit.",
    },
    "duration": {
        "type": "string",
        "anyOf": [
            {"pattern": DURATION_WORDS_PATTERN},
            {"allOf": [{"pattern": DURATION_ISO_PATTERN}, {"not": {"pattern": DURATION_ISO_EMPTY_PATTERN}}]},
            {"pattern": DURATION_WORKDAYS_PATTERN},
        ],
        "examples": ["90d", "2w", "6mo", "1y", "36h", "P90D", "45wd"],
        "description": "A duration: 90d, 90 days, 2w, 2 weeks, 6mo, 6 months, 1y, 1 year, 36h, 36 hours, "
        "or ISO 8601 (P90D, P6M, P1Y2M, PT36H). A bare 'm' is ambiguous and refused. "
        "Working days (45wd, 45 working days, 45 business days) need a calendar.",
    },
    "calendar": {
        "type": "string",
        "pattern": CALENDAR_PATTERN,
        "examples": ["CN", "US", "DE", "JP"],
        "description": "A holiday calendar: a country code of the holidays library. Working days are "
        "counted in it, with that country's public holidays, weekend and substituted working days.",
    },
    "date": {
        "type": "string",
        "format": "date",
        "description": "A TOML date (not a string), e.g. 2025-06-10.",
    },
    "instant": {
        "type": "string",
        "anyOf": [
            {"format": "date", "title": "date: 00:00 that day in the file's timezone"},
            {"pattern": LOCAL_DATETIME_PATTERN, "title": "local datetime: read in the file's timezone"},
            {"format": "date-time", "title": "offset datetime: an absolute instant"},
        ],
        "description": "A TOML date or datetime (not a string): 2025-06-10 (00:00 in the file's timezone), "
        "2025-06-10T09:00:00 (read in the file's timezone) or 2025-06-10T09:00:00-04:00 (absolute).",
    },
    "strings": {"type": "array", "items": {"type": "string"}},
    "text": {"type": "string"},
    "percent": {"type": "number", "minimum": 0},
}


def _typed(name: str, description: str) -> dict[str, Any]:
    """The value type ``name`` with this key's description (the type's own one kept when it says more)."""
    schema = dict(TYPES[name])
    own = schema.pop("description", None)
    schema["description"] = f"{description} {own}" if own else description
    return schema


EVENT_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": _typed("id", "Unique across every loaded file."),
    "kind": {
        "type": "string",
        "description": "A built-in kind, or one declared in the file's kinds = [...]. "
        "extension and termination make the entry a modifier of its target.",
        "anyOf": [{"enum": list(BUILTIN_KINDS)}, {"pattern": ID_PATTERN}],
        "examples": list(BUILTIN_KINDS),
    },
    "title": _typed("text", "What it is, in a few words (optional on modifiers)."),
    "target": _typed("id", "Modifiers: the id of the span they extend or terminate."),
    "date": _typed("instant", "A point's date; for a modifier, when it was decided (it applies from then on)."),
    "start": _typed("instant", "A span's start."),
    "end": _typed(
        "instant",
        "A span's end (exclusive instant); an extension's new end; when a termination takes effect.",
    ),
    "through": _typed("date", "The last day covered (inclusive): the span ends at 00:00 the day after."),
    "duration": _typed("duration", "A span's length, added to its start on the file's wall clock."),
    "by": _typed("duration", "Extensions: added to the target's end current when it is decided."),
    "calendar": _typed(
        "calendar",
        "The calendar this entry's working days are counted in (default: the file's; "
        "an extension's default is its target's).",
    ),
    "warn": _typed("duration", "Advance warning before the deadline (default: the file's warn)."),
    "parties": _typed("strings", "Party codes declared as [parties.CODE]."),
    "place": _typed("text", "Where it was agreed or held."),
    "measure": _typed("text", "The measure whose rate this entry sets (needs rate)."),
    "rate": _typed("percent", "Percent while in force (needs measure)."),
    "rate_after": _typed("percent", "Percent once it has ended, if nothing newer applies (needs rate)."),
    "instrument": _typed("text", "The legal instrument, e.g. an executive order."),
    "announced": _typed(
        "instant",
        "Points and spans: when it became known; as of an earlier instant no view knows the entry.",
    ),
    "sources": _typed("strings", "Where the facts come from: URLs or citations."),
    "tags": _typed("strings", "Free tags for filtering (status --tag)."),
    "notes": _typed("text", "Free text; use it instead of comments for anything that must survive fmt."),
}

PARTY_PROPERTIES: dict[str, dict[str, Any]] = {
    "name": _typed("text", "The party's name, e.g. United States."),
}


def _has(*keys: str) -> dict[str, Any]:
    return {"required": list(keys)}


def _has_none_of(*keys: str) -> dict[str, Any]:
    return {"not": {"anyOf": [_has(key) for key in keys]}}


def _kind_is(*kinds: str) -> dict[str, Any]:
    return {"properties": {"kind": {"enum": list(kinds)}}, "required": ["kind"]}


def event_schema() -> dict[str, Any]:
    """One ``[[event]]``: its keys, and the shapes an entry can take."""
    point = {"title": "point", **_has("date"), **_has_none_of("start", "end", "through", "duration", "target", "by")}
    span = {
        "title": "span",
        "required": ["start"],
        "not": {
            "anyOf": [
                _has("date"),
                _has("target"),
                _has("by"),
                _has("end", "through"),
                _has("end", "duration"),
                _has("through", "duration"),
            ]
        },
    }
    shapes = [
        {
            "if": _kind_is(*MODIFIER_KINDS),
            "then": {"required": ["target", "date"], **_has_none_of("start", "duration", "announced")},
            "else": {"required": ["title"], "oneOf": [point, span]},
        },
        {
            "if": _kind_is("extension"),
            "then": {"oneOf": [_has("by"), _has("end"), _has("through")]},
        },
        {"if": _kind_is("termination"), "then": _has_none_of("by", "through")},
    ]
    return {
        "type": "object",
        "title": "event",
        "description": "An entry: a point (date), a span (start with end, through, duration or nothing) "
        "or a modifier (kind extension or termination, with target and date).",
        "properties": {key: EVENT_PROPERTIES[key] for key in EVENT_KEYS},
        "additionalProperties": False,
        "required": ["id", "kind"],
        "dependencies": {"rate": ["measure"], "measure": ["rate"], "rate_after": ["rate"]},
        "allOf": shapes,
        "x-taplo": {"initKeys": ["id", "kind", "title"]},
    }


def _top_level_properties() -> dict[str, dict[str, Any]]:
    return {
        "schema": {
            "type": "integer",
            "enum": [1],
            "description": "The version of the timeline format: 1.",
        },
        "title": _typed("text", "The timeline's title, shown above every view."),
        "timezone": {
            "type": "string",
            "pattern": ZONE_PATTERN,
            "default": "UTC",
            "examples": ["America/New_York", "Asia/Shanghai", "Europe/Brussels", "UTC"],
            "description": "IANA zone for the dates and local datetimes of this file (default UTC).",
        },
        "current_to": _typed("date", "The date the data was last checked against its sources."),
        "calendar": _typed("calendar", "The default holiday calendar for working-day durations in this file."),
        "warn": _typed("duration", "Default advance warning before deadlines (default 14d)."),
        "kinds": {
            "type": "array",
            "items": TYPES["id"],
            "description": "Kinds beyond the built-in ones, for this timeline.",
        },
        "parties": {
            "type": "object",
            "description": "The parties, as [parties.CODE] tables with a name.",
            "additionalProperties": {
                "type": "object",
                "properties": {key: PARTY_PROPERTIES[key] for key in PARTY_KEYS},
                "additionalProperties": False,
                "required": ["name"],
            },
        },
        "event": {
            "type": "array",
            "description": "The entries, each an [[event]] block.",
            "items": event_schema(),
        },
    }


def timeline_schema() -> dict[str, Any]:
    """The JSON Schema of one timeline file."""
    properties = _top_level_properties()
    return {
        "$schema": DRAFT,
        "title": "trucetrack timeline",
        "description": "A trucetrack timeline file (schema = 1). Generated by `trucetrack schema`.",
        "type": "object",
        "properties": {key: properties[key] for key in TOP_LEVEL_KEYS},
        "additionalProperties": False,
        "required": ["schema"],
        "x-taplo": {"initKeys": ["schema", "title", "timezone"]},
    }


def schema_json() -> str:
    """The schema as ``trucetrack schema`` prints it and ``schema/trucetrack.schema.json`` holds it."""
    return json.dumps(timeline_schema(), ensure_ascii=False, indent=2) + "\n"
