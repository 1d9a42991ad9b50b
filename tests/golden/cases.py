"""The golden cases: every command of the CLI, on the bundled timeline and on ``files/``.

Each case is run from a fresh folder holding a copy of ``files/`` (see ``runner.py``),
so ``files/rich.toml`` is a relative path and no temporary path reaches the output.
Every case that computes anything pins ``--as-of``; only read-only commands and
``--dry-run`` edits are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)


AUG = "2025-08-11"
NOV = "2025-11-20"
FEB = "2026-02-01"
DEC = "2026-12-02"
DATES = {"aug": AUG, "nov": NOV, "feb": FEB, "dec": DEC}

RICH = "files/rich.toml"
MULTI = "files/multi"
HOSTILE = "files/hostile.toml"
INVALID = "files/invalid.toml"
SYNTAX = "files/syntax.toml"
LATIN1 = "files/latin1.toml"
UNSORTED = "files/unsorted.toml"
CANONICAL = "files/canonical.toml"
CRLF = "files/crlf-bom.toml"
INLINE = "files/inline.toml"
OLD = "files/diff-old.toml"
NEW = "files/diff-new.toml"
RELAID = "files/diff-relaid.toml"

# Every command with its --help. Left out: ``trucetrack --help`` (also ``-h`` and no
# arguments) and ``fmt --help``, whose text quotes the name of a design document that
# no file here may name; the help of every other command is covered.
COMMANDS = (
    "status",
    "show",
    "validate",
    "countdown",
    "timeline",
    "summary",
    "check",
    "rates",
    "add",
    "extend",
    "end",
    "init",
    "diff",
    "git-diff",
    "merge-driver",
    "history",
    "git-setup",
    "export",
    "schema",
)

CASES: list[Case] = []


def case(name: str, *argv: str, env: dict[str, str] | None = None) -> None:
    CASES.append(Case(name, tuple(argv), dict(env or {})))


# --- help and version -------------------------------------------------------------

case("version", "--version")
for command in COMMANDS:
    case(f"help-{command}", command, "--help")
case("unknown-command", "frobnicate", "--as-of", AUG)

# --- status -----------------------------------------------------------------------

for label, when in DATES.items():
    case(f"status-bundled-{label}", "status", "--as-of", when)
for label in ("aug", "nov", "feb"):
    case(f"status-rich-{label}", "status", "-f", RICH, "--as-of", DATES[label])
case("status-multi-aug", "status", "-f", MULTI, "--as-of", AUG)
case("status-multi-json", "status", "-f", MULTI, "--as-of", AUG, "--format", "json")
for fmt in ("markdown", "json", "csv"):
    case(f"status-bundled-{fmt}", "status", "--as-of", AUG, "--format", fmt)
    case(f"status-rich-{fmt}", "status", "-f", RICH, "--as-of", NOV, "--format", fmt)
    case(f"status-hostile-{fmt}", "status", "-f", HOSTILE, "--as-of", AUG, "--format", fmt)
case("status-hostile-table", "status", "-f", HOSTILE, "--as-of", AUG)
case("status-hostile-all", "status", "-f", HOSTILE, "--as-of", FEB, "--all")
case("status-bundled-all", "status", "--as-of", FEB, "--all")
case("status-rich-all", "status", "-f", RICH, "--as-of", FEB, "--all")
case("status-rich-all-csv", "status", "-f", RICH, "--as-of", DEC, "--all", "--format", "csv")
case("status-bundled-within-30d", "status", "--as-of", AUG, "--within", "30d")
case("status-rich-within-90d", "status", "-f", RICH, "--as-of", AUG, "--within", "90d")
case("status-rich-within-bad", "status", "-f", RICH, "--as-of", AUG, "--within", "2m")
case("status-bundled-kind-tariff", "status", "--as-of", AUG, "--kind", "tariff")
case("status-rich-kind-custom", "status", "-f", RICH, "--as-of", AUG, "--all", "--kind", "investigation")
case("status-bundled-party-cn", "status", "--as-of", NOV, "--party", "CN")
case("status-multi-party-eu", "status", "-f", MULTI, "--as-of", AUG, "--party", "EU")
case("status-bundled-tag", "status", "--as-of", NOV, "--tag", "truce")
case("status-bundled-status-expired", "status", "--as-of", NOV, "--status", "expired")
case("status-bundled-status-two", "status", "--as-of", NOV, "--status", "active", "--status", "terminated")
case("status-rich-status-superseded", "status", "-f", RICH, "--as-of", FEB, "--status", "superseded")
case("status-rich-status-terminated", "status", "-f", RICH, "--as-of", NOV, "--status", "terminated")
case(
    "status-bundled-filters-and",
    "status",
    "--as-of",
    AUG,
    "--all",
    "--kind",
    "tariff",
    "--party",
    "US",
    "--tag",
    "fentanyl",
)
case("status-unknown-status", "status", "--as-of", AUG, "--status", "bogus")
case("status-unknown-kind", "status", "--as-of", AUG, "--kind", "bogus")
case("status-bundled-tz-shanghai", "status", "--as-of", AUG, "--tz", "Asia/Shanghai")
case("status-as-of-datetime", "status", "-f", RICH, "--as-of", "2025-11-02T06:30")
case("status-as-of-words", "status", "-f", RICH, "--as-of", "June 10 2025")
case("status-bad-as-of", "status", "--as-of", "not-a-date")
case("status-bad-tz", "status", "--as-of", AUG, "--tz", "Mars/Olympus")
case("status-env-as-of", "status", "-f", RICH, env={"TRUCETRACK_AS_OF": NOV})
case("status-env-tz", "status", "-f", RICH, "--as-of", NOV, env={"TRUCETRACK_TZ": "Europe/London"})
case("status-env-file", "status", "--as-of", NOV, env={"TRUCETRACK_FILE": MULTI})
case("status-two-files", "status", "-f", "files/multi/a-base.toml", "-f", "files/multi/b-mods.toml", "--as-of", NOV)
case("status-only-modifier-file", "status", "-f", "files/multi/b-mods.toml", "--as-of", NOV)
case("status-crlf-bom", "status", "-f", CRLF, "--as-of", "2025-05-01")
case("status-inline", "status", "-f", INLINE, "--as-of", AUG)
case("status-invalid", "status", "-f", INVALID, "--as-of", AUG)
case("status-missing-file", "status", "-f", "files/no-such.toml", "--as-of", AUG)
case("status-color-always", "status", "-f", RICH, "--as-of", NOV, "--color", "always")
case("status-no-color-env", "status", "-f", RICH, "--as-of", NOV, "--color", "always", env={"NO_COLOR": "1"})
case("status-narrow", "status", "-f", RICH, "--as-of", NOV, env={"COLUMNS": "60"})

# Global options before and after the command; the later one wins.
case("global-before", "--as-of", AUG, "-f", RICH, "status")
case("global-after", "status", "-f", RICH, "--as-of", AUG)
case("global-both-later-wins", "--as-of", AUG, "status", "-f", RICH, "--as-of", NOV)
case("global-tz-before", "--tz", "Asia/Shanghai", "--as-of", AUG, "status", "-f", RICH)
case("global-file-before-show", "-f", RICH, "--as-of", AUG, "show", "geneva-truce")
case("global-version-after", "status", "--version")

# --- show -------------------------------------------------------------------------

for label, when in DATES.items():
    if label in ("aug", "dec"):
        case(f"show-bundled-geneva-{label}", "show", "geneva-truce", "--as-of", when)
for entry in ("geneva-truce", "hike-temp", "short-licence", "geneva-ext"):
    case(f"show-rich-{entry}", "show", entry, "-f", RICH, "--as-of", NOV)
case("show-multi-base-truce", "show", "base-truce", "-f", MULTI, "--as-of", NOV)
case("show-hostile-markup", "show", "markup", "-f", HOSTILE, "--as-of", AUG)
case("show-hostile-span", "show", "span-hostile", "-f", HOSTILE, "--as-of", AUG)
case("show-bundled-modifier", "show", "eo-14334", "--as-of", AUG)
case("show-unknown-id", "show", "no-such-entry", "--as-of", AUG)
case("show-unknown-id-near", "show", "geneva-truc", "-f", RICH, "--as-of", AUG)
case("show-missing-id", "show", "--as-of", AUG)
for entry in ("geneva-truce", "hike-temp", "geneva-ext"):
    case(f"show-rich-{entry}-json", "show", entry, "-f", RICH, "--as-of", NOV, "--format", "json")
case("show-hostile-span-json", "show", "span-hostile", "-f", HOSTILE, "--as-of", AUG, "--format", "json")

# --- countdown --------------------------------------------------------------------

for label, when in DATES.items():
    if label in ("aug", "dec"):
        case(f"countdown-bundled-{label}", "countdown", "--as-of", when)
case("countdown-bundled-geneva", "countdown", "geneva-truce", "--as-of", AUG)
case("countdown-bundled-geneva-tz", "countdown", "geneva-truce", "--as-of", AUG, "--tz", "Asia/Shanghai")
case("countdown-rich-default", "countdown", "-f", RICH, "--as-of", NOV)
case("countdown-rich-default-json", "countdown", "-f", RICH, "--as-of", NOV, "--format", "json")
case("countdown-bundled-json", "countdown", "--as-of", AUG, "--format", "json")
case(
    "countdown-rich-ids",
    "countdown",
    "geneva-truce",
    "cn-retaliation",
    "ruling-court",
    "hike-temp",
    "-f",
    RICH,
    "--as-of",
    NOV,
)
case("countdown-rich-hours", "countdown", "short-licence", "-f", RICH, "--as-of", "2025-11-02T10:29")
case("countdown-rich-scheduled", "countdown", "steel-cut", "-f", RICH, "--as-of", NOV)
case("countdown-multi-default", "countdown", "-f", MULTI, "--as-of", AUG)
case("countdown-hostile", "countdown", "span-hostile", "markup", "-f", HOSTILE, "--as-of", AUG)
case("countdown-modifier-error", "countdown", "eo-14334", "--as-of", AUG)
case("countdown-rich-modifier-error", "countdown", "hike-temp-end", "-f", RICH, "--as-of", NOV)
case("countdown-unknown-id", "countdown", "nope", "--as-of", AUG)
case("countdown-none-left", "countdown", "-f", CRLF, "--as-of", DEC)
case("countdown-narrow", "countdown", "geneva-truce", "--as-of", AUG, env={"COLUMNS": "50"})

# --- timeline ---------------------------------------------------------------------

for label in ("aug", "dec"):
    case(f"timeline-bundled-{label}", "timeline", "--as-of", DATES[label])
for label in ("aug", "nov"):
    case(f"timeline-rich-{label}", "timeline", "-f", RICH, "--as-of", DATES[label])
for fmt in ("markdown", "json", "csv"):
    case(f"timeline-bundled-format-{fmt}", "timeline", "--as-of", NOV, "--format", fmt)
    case(f"timeline-rich-format-{fmt}", "timeline", "-f", RICH, "--as-of", NOV, "--format", fmt)
for fmt in ("table", "json"):
    case(f"timeline-hostile-{fmt}", "timeline", "-f", HOSTILE, "--as-of", AUG, "--format", fmt)
case("timeline-multi", "timeline", "-f", MULTI, "--as-of", NOV)
case("timeline-multi-json", "timeline", "-f", MULTI, "--as-of", NOV, "--format", "json")
case("timeline-from-to", "timeline", "--as-of", NOV, "--from", "2025-10-01", "--to", "2025-12-31")
case("timeline-from-to-relative", "timeline", "-f", RICH, "--as-of", NOV, "--from", "-1w", "--to", "+90d")
case("timeline-from-to-days", "timeline", "-f", RICH, "--as-of", NOV, "--from", "2025-10-25", "--to", "2025-11-12")
case("timeline-from-only-json", "timeline", "-f", RICH, "--as-of", NOV, "--from", "2025-09-01", "--format", "json")
case("timeline-to-only-markdown", "timeline", "--as-of", NOV, "--to", "2025-06-01", "--format", "markdown")
case("timeline-from-after-to", "timeline", "--as-of", NOV, "--from", "2026-01-01", "--to", "2025-01-01")
case("timeline-bad-from", "timeline", "--as-of", NOV, "--from", "yesterday-ish")
case("timeline-kind-party", "timeline", "--as-of", NOV, "--kind", "tariff", "--party", "CN")
case("timeline-narrow", "timeline", "-f", RICH, "--as-of", NOV, env={"COLUMNS": "60"})
case("timeline-tz", "timeline", "-f", RICH, "--as-of", NOV, "--tz", "Asia/Tokyo")

# --- summary ----------------------------------------------------------------------

for label in ("aug", "feb"):
    case(f"summary-bundled-{label}", "summary", "--as-of", DATES[label])
for label in ("nov", "feb"):
    case(f"summary-rich-{label}", "summary", "-f", RICH, "--as-of", DATES[label])
for fmt in ("markdown", "json"):
    case(f"summary-bundled-format-{fmt}", "summary", "--as-of", AUG, "--format", fmt)
    case(f"summary-rich-format-{fmt}", "summary", "-f", RICH, "--as-of", NOV, "--format", fmt)
for fmt in ("table", "json"):
    case(f"summary-hostile-{fmt}", "summary", "-f", HOSTILE, "--as-of", "2025-08-03", "--format", fmt)
case("summary-format-csv-refused", "summary", "--as-of", AUG, "--format", "csv")
case("summary-multi", "summary", "-f", MULTI, "--as-of", AUG, "--format", "markdown")
case("summary-days-30", "summary", "--as-of", NOV, "--days", "30")
case("summary-days-0", "summary", "-f", RICH, "--as-of", NOV, "--days", "0")
case("summary-days-bad", "summary", "--as-of", NOV, "--days", "-1")
case("summary-ahead-90d", "summary", "--as-of", NOV, "--ahead", "90d", "--format", "markdown")
case("summary-days-ahead-json", "summary", "-f", RICH, "--as-of", FEB, "--days", "60", "--ahead", "1y", "--format=json")
case("summary-ahead-bad", "summary", "--as-of", NOV, "--ahead", "soon")

# --- check ------------------------------------------------------------------------

case("check-bundled-aug", "check", "--as-of", AUG)
case("check-bundled-nov", "check", "--as-of", NOV)
case("check-bundled-dec-none", "check", "--as-of", DEC)
case("check-rich-nov-none", "check", "-f", RICH, "--as-of", NOV)
case("check-rich-within-90d", "check", "-f", RICH, "--as-of", NOV, "--within", "90d")
case("check-rich-jun", "check", "-f", RICH, "--as-of", "2025-06-20")
case("check-multi", "check", "-f", MULTI, "--as-of", "2025-11-05")
for fmt in ("table", "json"):
    case(f"check-bundled-format-{fmt}", "check", "--as-of", AUG, "--within", "60d", "--format", fmt)
for fmt in ("markdown", "json", "csv"):
    case(f"check-rich-format-{fmt}", "check", "-f", RICH, "--as-of", NOV, "--within", "60d", "--format", fmt)
case("check-rich-jun-json", "check", "-f", RICH, "--as-of", "2025-06-20", "--format", "json")
case("check-hostile", "check", "-f", HOSTILE, "--as-of", "2025-08-25", "--format", "csv")
case("check-invalid", "check", "-f", INVALID, "--as-of", AUG)
case("check-bad-within", "check", "--as-of", AUG, "--within", "P")

# --- rates ------------------------------------------------------------------------

for label in ("aug", "nov"):
    case(f"rates-bundled-{label}", "rates", "--as-of", DATES[label])
for label in ("aug", "feb"):
    case(f"rates-rich-{label}", "rates", "-f", RICH, "--as-of", DATES[label])
case("rates-bundled-measure", "rates", "us-reciprocal-cn", "--as-of", AUG)
case("rates-bundled-measure-history", "rates", "us-reciprocal-cn", "--history", "--as-of", "2025-04-10")
case("rates-bundled-history", "rates", "--history", "--as-of", NOV)
case("rates-rich-history", "rates", "--history", "-f", RICH, "--as-of", NOV)
case("rates-rich-measure-history", "rates", "us-steel", "--history", "-f", RICH, "--as-of", "2025-08-10")
case("rates-rich-lapsed", "rates", "eu-safeguard", "--history", "-f", RICH, "--as-of", FEB)
case("rates-multi", "rates", "-f", MULTI, "--as-of", NOV, "--history")
case("rates-hostile", "rates", "-f", HOSTILE, "--as-of", "2025-09-15", "--history", "--format", "csv")
case("rates-unknown-measure", "rates", "no-such-measure", "--as-of", AUG)
case("rates-before-any", "rates", "--as-of", "2024-01-01")
for fmt in ("markdown", "json", "csv"):
    case(f"rates-bundled-format-{fmt}", "rates", "--as-of", NOV, "--format", fmt)
    case(f"rates-rich-history-format-{fmt}", "rates", "--history", "-f", RICH, "--as-of", NOV, "--format", fmt)
case("rates-rich-instant-json", "rates", "-f", RICH, "--as-of", "2025-08-12T00:01", "--format", "json")

# --- validate ---------------------------------------------------------------------

case("validate-bundled", "validate")
case("validate-rich", "validate", RICH)
case("validate-multi", "validate", MULTI)
case("validate-several", "validate", RICH, HOSTILE, CRLF, INLINE)
case("validate-invalid", "validate", INVALID)
case("validate-syntax", "validate", SYNTAX)
case("validate-latin1", "validate", LATIN1)
case("validate-mixed", "validate", RICH, INVALID, SYNTAX, LATIN1)
case("validate-missing", "validate", "files/no-such.toml")
case("validate-whole-folder", "validate", "files")

# --- fmt --check ------------------------------------------------------------------

case("fmt-check-canonical", "fmt", "--check", CANONICAL)
case("fmt-check-multi-canonical", "fmt", "--check", MULTI)
case("fmt-check-unsorted", "fmt", "--check", UNSORTED)
case("fmt-check-crlf-bom", "fmt", "--check", CRLF)
case("fmt-check-inline", "fmt", "--check", INLINE)
case("fmt-check-rich", "fmt", "--check", RICH)
case("fmt-check-several", "fmt", "--check", CANONICAL, RELAID, INLINE)
case("fmt-check-invalid", "fmt", "--check", INVALID)
case("fmt-check-syntax", "fmt", "--check", SYNTAX)

# --- diff -------------------------------------------------------------------------

case("diff-text", "diff", OLD, NEW, "--as-of", AUG)
case("diff-json", "diff", OLD, NEW, "--as-of", AUG, "--format", "json")
case("diff-identical", "diff", OLD, OLD, "--as-of", AUG)
case("diff-relaid-same", "diff", OLD, RELAID, "--as-of", AUG)
case("diff-folders", "diff", MULTI, MULTI, "--as-of", AUG)
case("diff-rich-vs-old", "diff", OLD, RICH, "--as-of", NOV)
case("diff-tz", "diff", OLD, NEW, "--as-of", AUG, "--tz", "Asia/Shanghai")
case("diff-invalid-side", "diff", OLD, INVALID, "--as-of", AUG)
case("diff-one-arg-no-rev", "diff", OLD, "--as-of", AUG)

# --- git-diff ---------------------------------------------------------------------

case(
    "git-diff-modified",
    "git-diff",
    "timelines/truce.toml",
    OLD,
    "1111111111111111111111111111111111111111",
    "100644",
    NEW,
    "2222222222222222222222222222222222222222",
    "100644",
    "--as-of",
    AUG,
)
case(
    "git-diff-added",
    "git-diff",
    "timelines/truce.toml",
    "/dev/null",
    ".",
    ".",
    NEW,
    "2222222222222222222222222222222222222222",
    "100644",
    "--as-of",
    AUG,
)
case(
    "git-diff-deleted",
    "git-diff",
    "timelines/truce.toml",
    OLD,
    "1111111111111111111111111111111111111111",
    "100644",
    "/dev/null",
    ".",
    ".",
    "--as-of",
    AUG,
)
case(
    "git-diff-same-meaning",
    "git-diff",
    "timelines/truce.toml",
    OLD,
    "1111111111111111111111111111111111111111",
    "100644",
    RELAID,
    "3333333333333333333333333333333333333333",
    "100644",
    "--as-of",
    AUG,
)
case(
    "git-diff-invalid",
    "git-diff",
    "timelines/truce.toml",
    OLD,
    "1111111111111111111111111111111111111111",
    "100644",
    SYNTAX,
    "4444444444444444444444444444444444444444",
    "100644",
    "--as-of",
    AUG,
)
case("git-diff-too-few", "git-diff", "a", "b", "c", "--as-of", AUG)

# --- export -----------------------------------------------------------------------

for fmt in ("ics", "json", "csv"):
    case(f"export-bundled-{fmt}", "export", "--format", fmt, "--as-of", AUG)
    case(f"export-rich-{fmt}", "export", "-f", RICH, "--format", fmt, "--as-of", NOV)
    case(f"export-hostile-{fmt}", "export", "-f", HOSTILE, "--format", fmt, "--as-of", AUG)
case("export-stdout-dash", "export", "-f", CRLF, "--format", "csv", "-o", "-", "--as-of", AUG)
case("export-no-format", "export", "-f", RICH, "--as-of", AUG)
case("export-bad-format", "export", "-f", RICH, "--format", "xml", "--as-of", AUG)

# --- schema -----------------------------------------------------------------------

case("schema", "schema")

# --- add / extend / end, --dry-run only ---------------------------------------------

case(
    "add-point-dry-run",
    "add",
    "-f",
    RICH,
    "--kind",
    "talks",
    "--title",
    "Geneva follow-up talks",
    "--date",
    "2025-12-01",
    "--party",
    "US",
    "--party",
    "CN",
    "--place",
    "Geneva",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "add-span-dry-run",
    "add",
    "-f",
    RICH,
    "--kind",
    "tariff",
    "--title",
    "New steel rate",
    "--start",
    "2026-03-01T00:01",
    "--duration",
    "6mo",
    "--measure",
    "us-steel",
    "--rate",
    "20",
    "--rate-after",
    "15",
    "--tag",
    "steel",
    "--source",
    "https://example.org/p2",
    "--warn",
    "21d",
    "--notes",
    "Two lines\nof notes",
    "--instrument",
    "Proclamation 2",
    "--id",
    "steel-20",
    "--dry-run",
    "--as-of",
    FEB,
)
case(
    "add-hostile-title-dry-run",
    "add",
    "-f",
    CANONICAL,
    "--kind",
    "talks",
    "--title",
    "[red]x[/red] \x1b[31mred\x1b[0m",
    "--date",
    "2025-09-01",
    "--dry-run",
    "--as-of",
    AUG,
)
case(
    "add-invalid-dry-run",
    "add",
    "-f",
    RICH,
    "--kind",
    "talk",
    "--title",
    "Bad kind",
    "--date",
    "2025-12-01",
    "--party",
    "XX",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "add-no-shape-dry-run",
    "add",
    "-f",
    RICH,
    "--kind",
    "talks",
    "--title",
    "No date",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "add-inline-dry-run",
    "add",
    "-f",
    INLINE,
    "--kind",
    "talks",
    "--title",
    "More talks",
    "--date",
    "2025-10-01",
    "--dry-run",
    "--as-of",
    AUG,
)
case(
    "add-duplicate-id-dry-run",
    "add",
    "-f",
    RICH,
    "--kind",
    "talks",
    "--title",
    "Duplicate",
    "--date",
    "2025-12-01",
    "--id",
    "geneva-truce",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "add-bundled-dry-run",
    "add",
    "--kind",
    "talks",
    "--title",
    "Talks",
    "--date",
    "2026-06-01",
    "--dry-run",
    "--as-of",
    FEB,
)
case(
    "extend-by-dry-run",
    "extend",
    "geneva-truce",
    "-f",
    RICH,
    "--date",
    "2026-11-01",
    "--by",
    "90d",
    "--source",
    "EO 99999",
    "--dry-run",
    "--as-of",
    "2026-11-01",
)
case(
    "extend-end-dry-run",
    "extend",
    "export-rules",
    "-f",
    RICH,
    "--date",
    FEB,
    "--end",
    "2027-06-01",
    "--dry-run",
    "--as-of",
    FEB,
)
case(
    "extend-through-multi-dry-run",
    "extend",
    "base-licence",
    "-f",
    MULTI,
    "--date",
    "2025-09-01",
    "--through",
    "2026-03-31",
    "--id",
    "licence-more",
    "--dry-run",
    "--as-of",
    "2025-09-01",
)
case(
    "extend-modifier-target-dry-run",
    "extend",
    "geneva-ext",
    "-f",
    RICH,
    "--date",
    NOV,
    "--by",
    "1w",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "extend-unknown-dry-run",
    "extend",
    "nope",
    "-f",
    RICH,
    "--date",
    NOV,
    "--by",
    "1w",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "extend-bundled-dry-run",
    "extend",
    "geneva-truce",
    "--date",
    "2025-11-04",
    "--by",
    "1y",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "end-dry-run",
    "end",
    "cn-retaliation",
    "-f",
    RICH,
    "--date",
    FEB,
    "--dry-run",
    "--as-of",
    FEB,
)
case(
    "end-later-dry-run",
    "end",
    "eu-safeguard",
    "-f",
    RICH,
    "--date",
    NOV,
    "--end",
    "2025-12-01",
    "--id",
    "safeguard-stop",
    "--source",
    "OJ L 123",
    "--dry-run",
    "--as-of",
    NOV,
)
case(
    "end-multi-dry-run",
    "end",
    "base-truce",
    "-f",
    MULTI,
    "--date",
    "2025-09-01",
    "--dry-run",
    "--as-of",
    "2025-09-01",
)
case("end-point-dry-run", "end", "ruling-court", "-f", RICH, "--date", NOV, "--dry-run", "--as-of", NOV)
case("end-missing-date", "end", "cn-retaliation", "-f", RICH, "--dry-run", "--as-of", FEB)

NAMES = [c.name for c in CASES]
assert len(NAMES) == len(set(NAMES)), "case names must be unique"
