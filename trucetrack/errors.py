"""Errors as data. Every error the user can cause derives from TrucetrackError,
which carries its exit code; the CLI has one handler that prints them."""

from __future__ import annotations

from collections.abc import Sequence

from trucetrack.model import Problem

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class TrucetrackError(Exception):
    """A failure caused by input or environment, reported without a traceback."""

    exit_code: int = EXIT_ERROR

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
