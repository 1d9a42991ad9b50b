"""The TOML lexer both the reader and the canonical form use: key patterns,
the tokens that change a scanner's state, and a scanner that follows strings
and brackets across lines.

Neither needs a full parse to do its job (the reader maps keys to lines only
when a problem must be reported; fmt finds where values and comments are), so
this is the one place that knows TOML's string and bracket syntax.
"""

from __future__ import annotations

import re

BARE_KEY = r"[A-Za-z0-9_-]+"
QUOTED_KEY = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
# Lines with none of these characters cannot open or close a string or a bracket.
SPECIAL = re.compile(r"[\"'\[\]{}#]")
# What can change a scanner's state: a multi-line string opening, a one-line
# string (skipped whole, escapes included; an unterminated one runs to the end
# of the line), a bracket, or a comment.
TOKEN = re.compile(r"""\"\"\"|'''|"(?:[^"\\]|\\.)*(?:"|$)|'[^']*(?:'|$)|[\[\]{}#]""")


def find_multiline_close(line: str, start: int, quote: str) -> int:
    """Where the multi-line string ``quote`` closes on ``line`` (the first of its last three quotes), or -1."""
    position = start
    while True:
        found = line.find(quote, position)
        if found < 0:
            return -1
        if quote == '"""':
            backslashes = 0
            before = found - 1
            while before >= position and line[before] == "\\":
                backslashes += 1
                before -= 1
            if backslashes % 2:
                position = found + 1
                continue
        # A run of up to five quotes closes with its last three.
        while line.startswith(quote[0], found + 3):
            found += 1
        return found


class Scanner:
    """Tracks multi-line strings and open brackets across lines."""

    def __init__(self) -> None:
        self.in_multiline: str | None = None  # '"""' or "'''" while inside one
        self.depth = 0

    @property
    def settled(self) -> bool:
        """Outside any string and bracket: a new statement can start."""
        return self.in_multiline is None and self.depth == 0

    def scan(self, line: str, start: int = 0) -> int:
        """Advance over the rest of ``line`` from ``start``; the column of a comment
        that ends the line outside any bracket, else -1 (inside an array a comment
        runs to the end of the line and is part of the value)."""
        if self.in_multiline is None and not SPECIAL.search(line, start):
            return -1
        position = start
        while True:
            if self.in_multiline is not None:
                close = find_multiline_close(line, position, self.in_multiline)
                if close < 0:
                    return -1
                self.in_multiline = None
                position = close + 3
            token = TOKEN.search(line, position)
            if token is None:
                return -1
            text = token.group()
            position = token.end()
            if text == "#":
                return token.start() if self.depth == 0 else -1
            if text in ('"""', "'''"):
                self.in_multiline = text
            elif text in "[{":
                self.depth += 1
            elif text in "]}":
                self.depth = max(0, self.depth - 1)
            # anything else is a complete one-line string: skipped whole
