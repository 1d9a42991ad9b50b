"""Text from timeline files is untrusted: keep escape sequences off the terminal.

``clean`` removes C0 controls, DEL, C1 controls (such as U+009B, a one-byte
CSI) and the Unicode bidirectional overrides that can make text display in a
different order than it is stored. With ESC and the C1 introducers gone, no
CSI, OSC or other escape sequence can survive. Rich markup is handled by
rendering file text as ``rich.text.Text`` (never as a markup string).
"""

from __future__ import annotations

import re
import unicodedata

# Whole escape sequences first (CSI, OSC up to BEL or ST, two-byte ESC x), so
# that no printable remnant like "[31m" is left behind; then any lone control.
_ESCAPE_SEQUENCE = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    "|(?:\x1b\\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"  # OSC ... BEL or ST
    "|\x1b[@-Z\\\\-_]"  # other two-byte escapes
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n\r]+")
_FORMULA_START = ("=", "+", "-", "@")


def clean(text: str) -> str:
    """``text`` with control characters removed; tabs and newlines kept."""
    if text.isprintable():  # the common case: nothing to remove
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_line(text: str) -> str:
    """``text`` as one line: control characters removed, line breaks become spaces."""
    return _LINE_BREAKS.sub(" ", clean(text).replace("\x0c", ""))


def visible(text: str) -> str:
    """``text`` on one line with every unprintable character shown as an escape.

    For names that locate something (a file name, a key in an error): where
    ``clean`` would drop characters, this keeps them visible, so
    ``timelines/a\\nb.toml`` still names the file it is. A byte of a file name
    that is not UTF-8 (held as a lone surrogate) shows as ``\\xe9``.
    """
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else _escape(character) for character in text)


def _escape(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return repr(character)[1:-1]  # \n, \x1b, \u202e


def article(word: str) -> str:
    """'an' before a vowel, else 'a': an extension, a termination."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def csv_value(value: object, *, compact_floats: bool = False) -> str:
    """One CSV cell: empty for None, true/false, lists joined with ';', numbers as
    written (``10.0``, or ``10`` with ``compact_floats``). Numbers stay plain, a
    negative one included (``-191``), so spreadsheets and pandas read them as
    numbers: a number cannot carry a formula. Every text cell is guarded by
    ``csv_cell``. The record builder decides which values are numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}" if compact_floats else str(value)
    if isinstance(value, list | tuple):
        return csv_cell(";".join(str(item) for item in value))
    return csv_cell(str(value))


def csv_cell(text: str) -> str:
    """A CSV text cell that a spreadsheet will not run as a formula: one that starts
    with ``=``, ``+``, ``-`` or ``@``, also after spaces or invisible characters
    (zero-width and other format characters such as U+200B and U+FEFF, which a
    spreadsheet skips), gets a leading ``'``. Tabs and line breaks are spaces by then."""
    cleaned = clean_line(text)
    if cleaned[:1].isalnum():  # the common case: a word cannot start a formula
        return cleaned
    if _skip_invisible(cleaned).startswith(_FORMULA_START):
        return "'" + cleaned
    return cleaned


def _skip_invisible(text: str) -> str:
    for index, character in enumerate(text):
        if not (character.isspace() or unicodedata.category(character) == "Cf"):
            return text[index:]
    return ""
