"""The operations behind the views: countdown, timeline, summary (also as a mail),
check and rates.

Apart from ``query`` so that ``status``, the command run most, does not pay at
every start for the result types of the others. Each takes an ``Invocation``
and the command's own request, and returns a result object that
``trucetrack.output`` renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trucetrack.errors import BadValue, TrucetrackError
from trucetrack.ops.context import Invocation, check_choice, known_entry, open_run, resolve_paths
from trucetrack.ops.query import left_out_note, read_duration, read_instant

if TYPE_CHECKING:
    from trucetrack.core.context import RunContext
    from trucetrack.core.model import Duration, Entry
    from trucetrack.engine.digest import Summary
    from trucetrack.engine.rates import RateStep
    from trucetrack.engine.status import Engine, EntryState

# How many deadlines `countdown` shows when no id is given.
DEFAULT_COUNTDOWNS = 3


# ---------------------------------------------------------------- countdown


@dataclass(frozen=True)
class CountdownResult:
    """The entries counted down to; ``at`` gives their states at any instant (``--live``)."""

    run: RunContext
    entries: list[Entry]
    engine: Engine

    def at(self, instant: datetime) -> tuple[RunContext, list[EntryState], bool]:
        """The run context and states at ``instant``, and whether every deadline has passed."""
        from trucetrack.core.context import RunContext

        run = RunContext(timeline=self.run.timeline, as_of=instant, zone=self.run.zone)
        states = [self.engine.state(entry, instant, run.zone) for entry in self.entries]
        finished = all(state.counted_to is None or state.counted_to <= instant for state in states)
        return run, states, finished


def countdown(invocation: Invocation, entry_ids: Sequence[str]) -> CountdownResult:
    """The entries named, else the next few active deadlines."""
    from trucetrack.engine.status import Engine

    run = open_run(invocation)
    engine = Engine(run.timeline)
    if entry_ids:
        entries = [countable_entry(run, entry_id) for entry_id in entry_ids]
    else:
        entries = [state.entry for state in next_deadlines(engine.states(run.as_of, run.zone), run.as_of)]
    return CountdownResult(run, entries, engine)


def countable_entry(run: RunContext, entry_id: str) -> Entry:
    """The point or span ``entry_id``; an unknown id or a modifier is an error with a hint."""
    from trucetrack.core.text import article

    entry = known_entry(run, entry_id, dated_only=True)
    if entry.is_modifier:
        raise TrucetrackError(
            f"{entry_id!r} is {article(entry.kind)} {entry.kind} (a modifier, with no deadline of its own): "
            f"count down to its target, {entry.target!r}"
        )
    return entry


def next_deadlines(states: Sequence[EntryState], as_of: datetime) -> list[EntryState]:
    """The soonest active or expiring deadlines from as-of on."""
    upcoming = [
        state
        for state in states
        if state.status in ("active", "expiring") and state.counted_to is not None and state.counted_to >= as_of
    ]
    return upcoming[:DEFAULT_COUNTDOWNS]


# ---------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineRequest:
    start: str | None = None  # --from, read like --as-of
    end: str | None = None  # --to
    kinds: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineResult:
    run: RunContext
    states: list[EntryState]  # in order of their beginning
    axis_start: datetime | None  # as given
    axis_end: datetime | None
    first: datetime | None  # the axis as drawn: given, else what the entries shown span
    last: datetime | None


def timeline(invocation: Invocation, request: TimelineRequest) -> TimelineResult:
    """The spans and points that overlap the axis, in order of their beginning."""
    from trucetrack.engine.extent import default_range, overlaps
    from trucetrack.engine.status import Engine

    run = open_run(invocation)
    check_choice("--kind", request.kinds, run.timeline.kinds)
    check_choice("--party", request.parties, [p.code for p in run.timeline.parties])
    axis_start = read_instant("--from", request.start, run)
    axis_end = read_instant("--to", request.end, run)
    if axis_start is not None and axis_end is not None and axis_end <= axis_start:
        raise BadValue("--to must be later than --from")
    lowest = axis_start if axis_start is not None else datetime.min.replace(tzinfo=run.as_of.tzinfo)
    highest = axis_end if axis_end is not None else datetime.max.replace(tzinfo=run.as_of.tzinfo)
    states = [
        state
        for state in Engine(run.timeline).states(run.as_of, run.zone)
        if (not request.kinds or state.entry.kind in request.kinds)
        and (not request.parties or set(request.parties) & set(state.entry.parties))
        and overlaps(state, lowest, highest)
    ]
    states.sort(key=lambda state: (state.entry.begins, state.id))
    bounds = default_range(states, run.as_of)
    first = axis_start if axis_start is not None else (bounds[0] if bounds else None)
    last = axis_end if axis_end is not None else (bounds[1] if bounds else None)
    return TimelineResult(run, states, axis_start, axis_end, first, last)


# ---------------------------------------------------------------- summary


@dataclass(frozen=True)
class SummaryResult:
    run: RunContext
    summary: Summary


def summary(invocation: Invocation, days: int, ahead: str) -> SummaryResult:
    """The digest of the window before as-of and the deadlines after it, with what
    changed in the files under git (not for the bundled timeline: not the user's files)."""
    from trucetrack.engine import digest
    from trucetrack.ops.changes import git_changes

    run = open_run(invocation)
    window = read_duration("--ahead", ahead)
    since = digest.window_start(run.as_of, days, run.zone)
    inputs, bundled = resolve_paths(invocation)
    changes = None if bundled else git_changes(inputs, since, run.as_of, run.zone)
    result = digest.summarize(run.timeline, run.as_of, run.zone, days=days, ahead=window, git=changes)
    return SummaryResult(run, result)


# ---------------------------------------------------------------- check


@dataclass(frozen=True)
class CheckResult:
    run: RunContext
    found: list[EntryState]
    window: Duration | None  # --within, else each entry's warn

    @property
    def findings(self) -> bool:
        return bool(self.found)


def check(invocation: Invocation, within: str | None) -> CheckResult:
    """The deadlines inside their warning window (or --within)."""
    from trucetrack.engine import digest
    from trucetrack.engine.status import Engine

    run = open_run(invocation)
    window = read_duration("--within", within, working_days=True) if within is not None else None
    states = Engine(run.timeline).states(run.as_of, run.zone)
    found = digest.check_deadlines(states, run.as_of, run.zone, window)
    if window is not None and window.workdays:
        candidates = digest.check_deadlines(states, run.as_of, run.zone, None, everything=True)
        run = left_out_note(run, candidates, window, "--within")
    return CheckResult(run, found, window)


# ---------------------------------------------------------------- rates


@dataclass(frozen=True)
class RatesResult:
    run: RunContext
    current: list[RateStep] = field(default_factory=list)
    steps: list[RateStep] | None = None  # --history: every change of each rate


def rates(invocation: Invocation, measure: str | None, history: bool) -> RatesResult:
    """The rate of each measure (or one) as of the instant, and with ``history`` the ladder."""
    from trucetrack.engine.rates import Rates

    run = open_run(invocation)
    ladders = Rates(run.timeline, run.as_of)
    if measure is not None:
        check_choice("measure", [measure], ladders.measures)
    chosen = [measure] if measure is not None else ladders.measures
    current = ladders.current_all(chosen)
    steps = [step for name in chosen for step in ladders.ladder(name)] if history else None
    return RatesResult(run, current, steps)


# ---------------------------------------------------------------- summary as a mail


@dataclass(frozen=True)
class MailRequest:
    """``--to`` (repeatable), ``--from`` and ``--subject`` as given (empty or None: not given)."""

    to: tuple[str, ...] = ()
    sender: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class MailResult:
    digest: SummaryResult
    recipients: tuple[str, ...]
    sender: str | None
    subject: str | None  # what the subject starts with, instead of "trucetrack"


def summary_mail(invocation: Invocation, days: int, ahead: str, request: MailRequest) -> MailResult:
    """The digest with the mail's recipients (--to, else $TRUCETRACK_MAIL_TO), sender
    (--from, else $TRUCETRACK_MAIL_FROM) and subject, each checked to be one line, so
    nothing typed or set can add a header of its own."""
    environ = invocation.environ
    if request.to:
        recipients = read_addresses("--to", request.to)
    else:
        recipients = read_addresses("TRUCETRACK_MAIL_TO", [environ.get("TRUCETRACK_MAIL_TO", "")])
    if not recipients:
        raise BadValue("summary --format email: no recipient: give --to ADDRESS or set TRUCETRACK_MAIL_TO")
    if request.sender is not None:
        senders = read_addresses("--from", [request.sender])
    else:
        senders = read_addresses("TRUCETRACK_MAIL_FROM", [environ.get("TRUCETRACK_MAIL_FROM", "")])
    if len(senders) > 1:
        raise BadValue("--from: give one sender")
    subject = None
    if request.subject is not None:
        one_header_line("--subject", request.subject)
        subject = request.subject.strip() or None
    return MailResult(summary(invocation, days, ahead), tuple(recipients), senders[0] if senders else None, subject)


def one_header_line(option: str, value: str) -> None:
    """Refuse a value that would end a mail header line (a header injection) or carry control codes."""
    if any("\udc80" <= character <= "\udcff" for character in value):  # bytes the locale could not decode
        raise BadValue(f"{option}: {value!r} is not UTF-8 text; give it in UTF-8")
    if not value.isprintable():
        raise BadValue(f"{option}: {value!r} holds a line break or control character; give it on one line")


def read_addresses(option: str, values: Sequence[str]) -> list[str]:
    """Mail addresses as typed (``ana@example.org``, ``Ana <ana@example.org>``, several
    separated by commas), one line each, read by the standard library's address parser;
    anything it finds fault with is refused. Blank values give none."""
    from email import policy

    found: list[str] = []
    for value in values:
        one_header_line(option, value)
        if not value.strip():
            continue
        header = policy.default.header_factory("To", value)
        addresses = getattr(header, "addresses", ())
        if header.defects or not addresses or any(not address.domain for address in addresses):
            raise BadValue(
                f"{option}: {value!r} is not a mail address (write ana@example.org or 'Ana <ana@example.org>')"
            )
        found += [_deliverable(option, value, address) for address in addresses]
    return found


def _deliverable(option: str, value: str, address: Any) -> str:
    """An address a mail server can carry in a header: an international domain
    written in its ASCII form (``例え.jp`` as ``xn--r8jz45g.jp``), since an encoded
    word inside an address is not allowed; a local part that is not ASCII needs
    SMTPUTF8, which ``sendmail -t`` cannot promise, so it is refused."""
    from email.headerregistry import Address

    if not address.username.isascii():
        raise BadValue(f"{option}: {value!r}: the part before @ must be ASCII for the mail to be delivered")
    domain = address.domain
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise BadValue(f"{option}: {value!r}: {domain!r} is not a domain name that mail can use") from None
    return str(Address(address.display_name, address.username, domain))
