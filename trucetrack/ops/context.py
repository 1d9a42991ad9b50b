"""What every operation starts from: the options a person gave, the environment
and the clock, turned into the files to read, the timeline, the display zone and
the as-of instant.

The command line reads the environment and the clock once and hands them in as
an ``Invocation``; nothing below this module reads either, so every answer is a
function of what it is given (tests pass a fixed ``now``).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trucetrack.errors import BadValue, TrucetrackError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from trucetrack.core.context import RunContext
    from trucetrack.core.model import Entry, Timeline
    from trucetrack.store.cache import TimelineCache

# Values of TRUCETRACK_CACHE that turn the cache off.
CACHE_OFF = ("off", "0", "no", "false")


@dataclass(frozen=True)
class Invocation:
    """The global options as given (None: not given), the environment and the clock."""

    files: tuple[str, ...] | None = None
    as_of: str | None = None
    tz: str | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    now: datetime | None = None
    # This process runs one command and ends (the console script): what is
    # loaded can be kept out of later garbage collections. Not so when the app
    # is driven from Python (tests), where that would keep garbage forever.
    one_command_per_process: bool = False

    def with_files(self, paths: Sequence[str] | None) -> Invocation:
        """These options with positional PATHs (validate, fmt, diff) in place of -f."""
        return replace(self, files=tuple(paths)) if paths else self


def resolve_paths(invocation: Invocation) -> tuple[list[str], bool]:
    """The files to read and whether they are the bundled timeline: -f, else
    $TRUCETRACK_FILE, else ./timelines/, else the bundled US–China timeline."""
    if invocation.files:
        return list(invocation.files), False
    variable = invocation.environ.get("TRUCETRACK_FILE", "")
    from_env = [part for part in variable.split(os.pathsep) if part]
    if from_env:
        return from_env, False
    if variable:
        # Set but naming nothing (":"): falling back to another timeline would answer
        # about the wrong data without a word. An empty value means unset, as usual.
        raise TrucetrackError(
            f"TRUCETRACK_FILE={variable!r} names no file; give paths separated by {os.pathsep!r}, or unset it"
        )
    if Path("timelines").is_dir():
        return ["timelines"], False
    from trucetrack.store.files import bundled_timeline_path

    return [str(bundled_timeline_path())], True


def timeline_cache(invocation: Invocation) -> TimelineCache | None:
    """$TRUCETRACK_CACHE_DIR, else $XDG_CACHE_HOME/trucetrack, else ~/.cache/trucetrack;
    TRUCETRACK_CACHE=off turns it off."""
    environ = invocation.environ
    if environ.get("TRUCETRACK_CACHE", "").lower() in CACHE_OFF:
        return None
    from trucetrack.store.cache import TimelineCache

    folder = environ.get("TRUCETRACK_CACHE_DIR")
    if not folder:
        home = environ.get("HOME") or os.path.expanduser("~")
        base = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
        folder = os.path.join(base, "trucetrack")
    return TimelineCache(Path(folder))


def load_timeline(invocation: Invocation) -> Timeline:
    """The validated timeline the options name; from the cache when the files are
    unchanged, in which case neither the TOML parser nor the validator is imported."""
    from trucetrack.load import loader

    paths, bundled = resolve_paths(invocation)
    timeline = loader.load(paths, bundled=bundled, cache=timeline_cache(invocation))
    if invocation.one_command_per_process:
        gc.freeze()  # the timeline lives until the process ends: keep collections off it
    return timeline


def _given(value: str | None, option: str, variable: str, environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The option's value, else the environment variable's (unset or empty: None), and which it was."""
    if value is not None:
        if not value.strip():
            raise BadValue(f"{option}: empty value")
        return option, value
    return variable, environ.get(variable) or None


def display_zone(invocation: Invocation, timeline: Timeline) -> ZoneInfo:
    """--tz, else $TRUCETRACK_TZ, else the first file's zone; never the machine's."""
    from trucetrack.core.dates import ZoneError, get_zone

    source, name = _given(invocation.tz, "--tz", "TRUCETRACK_TZ", invocation.environ)
    try:
        return get_zone(name or timeline.zone)
    except ZoneError as exc:
        raise BadValue(f"{source}: {exc}") from None


def as_of_instant(invocation: Invocation, zone: ZoneInfo) -> datetime:
    """--as-of, else $TRUCETRACK_AS_OF, else now."""
    from trucetrack.core.dates import parse_as_of

    if invocation.now is None:
        raise ValueError("an Invocation needs the current instant")
    source, text = _given(invocation.as_of, "--as-of", "TRUCETRACK_AS_OF", invocation.environ)
    if text is None:
        return invocation.now
    try:
        return parse_as_of(text, now=invocation.now, zone=zone)
    except ValueError as exc:
        raise BadValue(f"{source}: {exc}") from None


def open_run(invocation: Invocation) -> RunContext:
    """The timeline, the display zone and the as-of instant of this invocation."""
    from trucetrack.core.context import RunContext
    from trucetrack.engine.knowledge import known_at

    timeline = load_timeline(invocation)
    zone = display_zone(invocation, timeline)
    as_of = as_of_instant(invocation, zone)
    known, unknown = known_at(timeline, as_of)
    return RunContext(timeline=known, as_of=as_of, zone=zone, unknown=unknown)


def did_you_mean(value: str, known: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or nothing."""
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def known_entry(run: RunContext, entry_id: str, *, dated_only: bool = False) -> Entry:
    """The entry ``entry_id`` as known at the run's instant.

    An entry announced after that instant is an error that says when it was
    announced (it exists in the file, but not yet for this view); an id no
    file holds is an error with a did-you-mean among the known ids.
    """
    entry = run.timeline.entry(entry_id)
    if entry is not None:
        return entry
    for unknown in run.unknown:
        if unknown.id == entry_id and unknown.announced is not None:
            from trucetrack.core.dates import format_day_or_instant

            def when(instant: datetime, date_only: bool) -> str:
                return format_day_or_instant(instant, run.zone, date_only=date_only)

            raise TrucetrackError(
                f"{entry_id!r} was not yet known as of {when(run.as_of, False)}: "
                f"it was announced {when(unknown.announced, 'announced' in unknown.date_only)}"
            )
    known = [e.id for e in run.timeline.entries if not (dated_only and e.is_modifier)]
    raise no_such_entry(entry_id, known)


def no_such_entry(entry_id: str, known: Sequence[str]) -> TrucetrackError:
    return TrucetrackError(f"no entry with id {entry_id!r}{did_you_mean(entry_id, known)}")


def check_choice(name: str, values: Sequence[str], known: Sequence[str]) -> None:
    """Refuse filter values that can never match, with a did-you-mean."""
    for value in values:
        if value not in known:
            hint = did_you_mean(value, known) or f" (known: {', '.join(known)})"
            raise BadValue(f"{name}: unknown value {value!r}{hint}")


def entry_ids(
    invocation: Invocation, incomplete: str, *, spans_only: bool = False, dated_only: bool = False
) -> list[str]:
    """Ids for shell completion (spans only: what extend and end take; dated only:
    points and spans, what countdown takes); none on any problem."""
    try:
        timeline = load_timeline(invocation)
    except (TrucetrackError, OSError):
        return []
    return [
        entry.id
        for entry in timeline.entries
        if entry.id.startswith(incomplete)
        and (entry.is_span if spans_only else not entry.is_modifier if dated_only else True)
    ]
