"""``summary --format email`` (a whole message for ``sendmail -t``) and
``summary --format html``, through the installed command.

The message is read back with the standard library's ``email.parser``, the way
a mail program would: exactly a text and an HTML alternative, the headers, and
a text part that is the text digest itself.
"""

from __future__ import annotations

import os
import subprocess
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.hostile.runner import installed_command, run_installed

TIMELINE = """\
schema = 1
title = "Genève – mail test"
timezone = "America/New_York"
current_to = 2025-08-31

[parties.CN]
name = "China"

[parties.US]
name = "United States"

[[event]]
id = "soon"
kind = "agreement"
title = "Truce that ends in five days"
start = 2025-05-14T00:01:00
end = 2025-08-16T00:01:00
parties = ["US", "CN"]

[[event]]
id = "later"
kind = "license"
title = "Licence that ends in three weeks (Genève)"
start = 2025-02-01
end = 2025-09-01
parties = ["CN"]

[[event]]
id = "far"
kind = "agreement"
title = "Agreement far off"
start = 2025-01-01
end = 2026-01-01
parties = ["US"]

[[event]]
id = "call"
kind = "talks"
title = "<b>Phone call</b> & a Bcc: header"
date = 2025-08-08
parties = ["US", "CN"]
"""

AS_OF = "2025-08-11"


def run(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_installed(folder, *args, env=env)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "m.toml").write_text(TIMELINE, encoding="utf-8")
    return tmp_path


def mail(folder: Path, *args: str, env: dict[str, str] | None = None) -> bytes:
    result = run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF, "--format", "email", *args, env=env)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def parsed(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    assert not message.defects, message.defects
    return message


def test_the_message_is_text_and_html_alternatives_with_the_headers(folder: Path) -> None:
    message = parsed(
        mail(folder, "--to", "Ana Núñez <ana@example.org>", "--to", "bob@example.org", "--from", "tt@example.org")
    )
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    assert message["Subject"] == "trucetrack: 2 deadlines in the next 30 days, 1 change"
    assert message["Date"] == "Mon, 11 Aug 2025 00:00:00 -0400"
    assert message["From"] == "tt@example.org"
    assert [address.addr_spec for address in message["To"].addresses] == ["ana@example.org", "bob@example.org"]
    assert message["To"].addresses[0].display_name == "Ana Núñez"
    assert message["MIME-Version"] == "1.0"
    assert "Bcc" not in message


def test_the_text_part_is_the_text_digest(folder: Path) -> None:
    message = parsed(mail(folder, "--to", "ana@example.org"))
    plain = message.get_body(("plain",))
    assert plain is not None
    digest = run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF)
    assert digest.returncode == 0
    assert plain.get_content() == digest.stdout.decode("utf-8")
    assert "Genève – mail test" in plain.get_content()
    page = message.get_body(("html",))
    assert page is not None
    html = page.get_content()
    assert "&lt;b&gt;Phone call&lt;/b&gt; &amp; a Bcc: header" in html
    assert html == run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF, "--format", "html").stdout.decode()


def test_the_same_input_gives_the_same_bytes(folder: Path) -> None:
    assert mail(folder, "--to", "ana@example.org") == mail(folder, "--to", "ana@example.org")


def test_the_subject_counts_and_can_be_named(folder: Path) -> None:
    quiet = parsed(mail(folder, "--to", "ana@example.org", "--ahead", "2d", "--days", "1"))
    assert quiet["Subject"] == "trucetrack: no deadlines in the next 2 days, no changes"
    named = parsed(mail(folder, "--to", "ana@example.org", "--subject", "Truce digest – Genève"))
    assert named["Subject"] == "Truce digest – Genève: 2 deadlines in the next 30 days, 1 change"
    assert b"Subject: =?utf-8?" in mail(folder, "--to", "ana@example.org", "--subject", "Genève")


def test_recipients_and_sender_from_the_environment(folder: Path) -> None:
    env = {"TRUCETRACK_MAIL_TO": "ana@example.org, Bob <bob@example.org>", "TRUCETRACK_MAIL_FROM": "tt@example.org"}
    message = parsed(mail(folder, env=env))
    assert [address.addr_spec for address in message["To"].addresses] == ["ana@example.org", "bob@example.org"]
    assert message["From"] == "tt@example.org"
    given = parsed(mail(folder, "--to", "carol@example.org", env=env))
    assert given["To"] == "carol@example.org"


def test_no_recipient_is_an_error(folder: Path) -> None:
    for env in ({}, {"TRUCETRACK_MAIL_TO": ""}, {"TRUCETRACK_MAIL_TO": "  "}):
        result = run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF, "--format", "email", env=env)
        assert result.returncode == 2, env
        assert result.stdout == b""
        assert b"no recipient" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--to", "ana@example.org\nBcc: eve@example.org"),
        ("--to", "ana@example.org\r\nBcc: eve@example.org"),
        ("--to", "ana@example.org", "--from", "tt@example.org\nBcc: eve@example.org"),
        ("--to", "ana@example.org", "--subject", "hello\nBcc: eve@example.org"),
        ("--to", "not an address"),
    ],
)
def test_a_line_break_or_a_bad_address_is_refused(folder: Path, args: tuple[str, ...]) -> None:
    result = run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF, "--format", "email", *args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"trucetrack: error:" in result.stderr


def test_a_line_break_in_the_environment_is_refused_too(folder: Path) -> None:
    env = {"TRUCETRACK_MAIL_TO": "ana@example.org\nBcc: eve@example.org"}
    result = run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF, "--format", "email", env=env)
    assert result.returncode == 2 and result.stdout == b""


def test_mail_options_belong_to_the_email_format(folder: Path) -> None:
    result = run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF, "--to", "ana@example.org")
    assert result.returncode == 2 and b"--format email" in result.stderr


def test_the_html_digest_uses_inline_styles_and_marks_urgency_and_the_unconfirmed(folder: Path) -> None:
    page = run(folder, "summary", "-f", "m.toml", "--as-of", AS_OF, "--format", "html").stdout.decode()
    assert page.startswith("<!DOCTYPE html>")
    for absent in ("<style", "<link", "<script", "class=", "src=", "http://", "https://"):
        assert absent not in page, absent
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "max-width:680px" in page
    for section in ("Last 7 days", "Deadlines in the next 30d", "In force now"):
        assert section in page
    for entry_id in ("soon", "later", "far", "call"):
        assert f"<b>{entry_id}</b>" in page
    assert "within 7 days" in page and "#9f1c13" in page  # soon: five days left
    assert "within 14 days" not in page  # later: three weeks
    late = run(folder, "summary", "-f", "m.toml", "--as-of", "2025-09-20", "--format", "html", "--days", "30")
    text = late.stdout.decode()
    assert "not confirmed" in text  # later ended after the data was checked
    assert "data checked to 2025-08-31" in text
    assert b"data checked to 2025-08-31" in late.stderr  # the note for a person goes to stderr as well


def test_the_subject_says_its_window_in_words() -> None:
    from trucetrack.core.durations import parse_duration
    from trucetrack.output.mail import duration_words

    cases = {
        "30d": "30 days",
        "2w": "14 days",
        "0d": "0 days",
        "36h": "36 hours",
        "PT90M": "1 hour 30 minutes",
        "1y6mo": "1 year 6 months",
    }
    for text, words in cases.items():
        assert duration_words(parse_duration(text)) == words, text


def test_an_address_that_is_not_utf8_is_refused_as_such(tmp_path: Path) -> None:

    not_utf8 = os.fsdecode(b"ana\xff@example.org")  # what the shell passes from a Latin-1 terminal
    result = subprocess.run(
        [*installed_command(), "summary", "--format", "email", "--to", not_utf8, "--as-of", "2025-08-11"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TRUCETRACK_CACHE": "off"},
    )
    assert result.returncode == 2
    assert "is not UTF-8 text" in result.stderr
