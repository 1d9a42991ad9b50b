"""Errors as data, and the exit statuses. Every error the user can cause derives
from TrucetrackError, which carries its exit status; the CLI has one handler that
prints them."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from trucetrack.core.model import Problem


class ExitStatus(IntEnum):
    """What a command's exit status means, for every command."""

    OK = 0  # done, nothing to report
    FINDINGS = 1  # check found deadlines, fmt --check would change a file, diff found differences
    ERROR = 2  # usage, unreadable file, invalid timeline, bad value


class TrucetrackError(Exception):
    """A failure caused by input or environment, reported without a traceback."""

    exit_code: ExitStatus = ExitStatus.ERROR

    def __init__(self, message: str, *, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = tuple(details)


class InvalidTimeline(TrucetrackError):
    """The timeline files hold problems; all of them are listed in ``problems``."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"invalid timeline: {count} {noun}",
            details=[str(problem) for problem in problems],
        )
        self.problems = tuple(problems)


class BadValue(TrucetrackError):
    """A command-line or environment value that cannot be used (--as-of, --tz, ...)."""
