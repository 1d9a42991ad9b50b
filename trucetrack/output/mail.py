"""The weekly digest as a mail ready for ``sendmail -t``.

A complete RFC 5322 message built with the standard library's ``email``
package: ``multipart/alternative`` with the text digest (what ``trucetrack
summary`` prints at 80 columns) and the HTML digest, a ``Subject`` that counts
what matters, a ``Date`` from the as-of instant, UTF-8 throughout (headers
encoded as RFC 2047 words where they need it; the HTML part quoted-printable,
so no line is too long for a mail server). No ``Message-ID``: the mail server adds
one, and the same input and as-of instant give the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime

from trucetrack.core.context import RunContext
from trucetrack.core.model import Duration
from trucetrack.engine import digest
from trucetrack.output import views
from trucetrack.output.html import summary_html

# A mail is read in a window, not a terminal: the text part is drawn at this width.
TEXT_WIDTH = 80
# The longest line a mail server must carry (RFC 5322), without the CRLF.
MAX_LINE = 998


def summary_text(view: RunContext, summary: digest.Summary, width: int = TEXT_WIDTH) -> str:
    """The text digest, without colour, exactly as ``trucetrack summary`` prints it to a pipe."""
    from trucetrack.output.status import plain_text

    return plain_text(views.summary_lines(view, summary, width))


def _count(number: int, noun: str) -> str:
    if number == 0:
        return f"no {noun}s"
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def duration_words(duration: Duration) -> str:
    """``30 days``, ``2 months``, ``1 year 6 months``, ``36 hours``, ``0 days``: a window in words."""
    years, months = divmod(duration.months, 12)
    hours, rest = divmod(duration.seconds, 3600)
    units = ((years, "year"), (months, "month"), (duration.days, "day"), (hours, "hour"), (rest // 60, "minute"))
    parts = [_count(value, unit) for value, unit in units if value]
    return " ".join(parts) if parts else "0 days"


def changes_count(summary: digest.Summary) -> int:
    """What is new since the last digest: each thing that happened in the window, and
    each difference in the files under git."""
    count = len(summary.happened)
    if summary.git is not None and summary.git.diff is not None and not summary.git.diff.same:
        count += len(views.diff_lines(summary.git.diff))
    return count


def subject(summary: digest.Summary, prefix: str = "trucetrack") -> str:
    """``trucetrack: 2 deadlines in the next 30 days, 1 change``."""
    deadlines = _count(len(summary.deadlines), "deadline")
    changes = _count(changes_count(summary), "change")
    return f"{prefix}: {deadlines} in the next {duration_words(summary.ahead)}, {changes}"


def summary_email(
    view: RunContext,
    summary: digest.Summary,
    recipients: Sequence[str],
    sender: str | None,
    subject_prefix: str | None,
) -> bytes:
    """The digest as one message: headers, then the text and the HTML alternatives."""
    message = EmailMessage(policy=default_policy)
    if sender is not None:
        message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject(summary, subject_prefix or "trucetrack")
    message["Date"] = format_datetime(view.as_of.astimezone(view.zone))
    message["Auto-Submitted"] = "auto-generated"
    text, page = summary_text(view, summary), summary_html(view, summary)
    # Lines of the text part are as wide as the digest, far below a mail server's 998 octets,
    # so it goes as UTF-8 that reads as it is; the HTML has long lines and goes quoted-printable.
    short_lines = all(len(line.encode("utf-8")) <= MAX_LINE for line in text.splitlines())
    message.set_content(text, subtype="plain", charset="utf-8", cte="8bit" if short_lines else "quoted-printable")
    message.add_alternative(page, subtype="html", charset="utf-8", cte="quoted-printable")
    # The boundary is made from the content, not drawn at random: the same digest, the same bytes.
    digest_of_parts = hashlib.sha256((text + "\0" + page).encode("utf-8")).hexdigest()
    message.set_boundary(f"trucetrack-{digest_of_parts[:32]}")
    return message.as_bytes(policy=default_policy)
