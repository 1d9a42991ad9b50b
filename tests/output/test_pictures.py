"""The timeline as a picture (``timeline --format svg|html``) and the digest as a page
(``summary --format html``), through the installed command.

The SVG is read back as XML and rendered to PNG by a real renderer (cairosvg);
the HTML pages are opened in a real browser (headless Chromium). Both skip,
saying why, where the tool is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.hostile.runner import run_installed

SVG = "{http://www.w3.org/2000/svg}"

# One span extended twice then cut by a termination, a superseded step, a cancelled
# plan, points, an open-ended span, and a hostile title; the data is checked to
# 2026-05-31, so as of 2026-07-01 what lies after that is not confirmed.
TIMELINE = """\
schema = 1
title = "Pictures & <tests>"
timezone = "America/New_York"
current_to = 2026-05-31

[parties.CN]
name = "China"

[parties.US]
name = "United States"

[[event]]
id = "step-84"
kind = "tariff"
title = "84% step"
start = 2025-04-10T00:01:00
parties = ["US"]
measure = "duty"
rate = 84.0

[[event]]
id = "step-125"
kind = "tariff"
title = "125% step"
start = 2025-04-11T00:01:00
parties = ["US"]
measure = "duty"
rate = 125.0

[[event]]
id = "truce"
kind = "agreement"
title = "LONG_TITLE"
start = 2025-05-14T00:01:00
duration = "90d"
parties = ["US", "CN"]

[[event]]
id = "truce-ext-1"
kind = "extension"
target = "truce"
date = 2025-08-11
by = "90d"

[[event]]
id = "truce-ext-2"
kind = "extension"
target = "truce"
date = 2025-11-01
end = 2026-11-10T00:01:00

[[event]]
id = "truce-end"
kind = "termination"
target = "truce"
date = 2026-02-20
end = 2026-02-24T00:01:00

[[event]]
id = "hostile"
kind = "talks"
title = "<script>alert(1)</script> ]]> & \\u001b[31mred\\u001b[0m \\u202eevil\\ufffe"
date = 2025-06-10
parties = ["CN"]

[[event]]
id = "plan"
kind = "talks"
title = "Planned talks"
start = 2026-03-01
through = 2026-03-02
parties = ["US", "CN"]

[[event]]
id = "plan-off"
kind = "termination"
target = "plan"
date = 2026-02-01

[[event]]
id = "licence"
kind = "license"
title = "Open-ended licence"
start = 2026-01-10
parties = ["CN"]

[[event]]
id = "review"
kind = "deadline"
title = "Review after the data ends"
date = 2026-06-15
parties = ["US"]
"""

LONG_TITLE = (
    "A ninety-day truce between the two parties, with a very long title that has to wrap "
    "onto a second line and then be shortened because it is far too long"
)
TIMELINE = TIMELINE.replace("LONG_TITLE", LONG_TITLE)
AS_OF = "2026-07-01"


def run(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return run_installed(folder, *args, env=env)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "p.toml").write_text(TIMELINE, encoding="utf-8")
    return tmp_path


def picture(folder: Path, output: str = "svg", *args: str) -> bytes:
    result = run(folder, "timeline", "-f", "p.toml", "--as-of", AS_OF, "--format", output, *args)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_the_svg_is_xml_with_a_title_a_description_and_no_script(folder: Path) -> None:
    data = picture(folder)
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text is not None and "Pictures & <tests>" in title.text
    assert desc is not None and desc.text is not None
    for entry_id in ("truce", "step-84", "hostile", "plan", "licence", "review"):
        assert f"{entry_id} (" in desc.text  # every row in words
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert "script" not in tags and "foreignObject" not in tags and "image" not in tags
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert "http" not in value or name == "xmlns", (element.tag, name, value)
    assert b"<script" not in data


def test_the_same_input_gives_the_same_bytes(folder: Path) -> None:
    assert picture(folder) == picture(folder)
    assert picture(folder, "html") == picture(folder, "html")
    for output in ("svg", "html"):
        assert not any(line.endswith((b" ", b"\t")) for line in picture(folder, output).splitlines())


def test_every_part_of_a_span_is_drawn_its_own_way(folder: Path) -> None:
    root = ET.fromstring(picture(folder))
    tooltips = [element.text or "" for element in root.iter(f"{SVG}title")]
    assert any(text.startswith("in force as first set:") for text in tooltips)
    assert any(text.startswith("added by truce-ext-1:") for text in tooltips)
    assert any(text.startswith("added by truce-ext-2:") for text in tooltips)
    assert any(text.startswith("cut off by truce-end:") for text in tooltips)
    assert any(text.startswith("superseded by step-125:") for text in tooltips)
    assert any(text.startswith("cancelled by plan-off") for text in tooltips)
    fills = {element.get("fill") for element in root.iter(f"{SVG}rect")}
    assert "url(#tt-hatch)" in fills  # what lies after the data was checked
    texts = " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))
    assert "as of 2026-07-01" in texts
    assert "data checked to 2026-05-31" in texts
    assert "Jan 2026" in texts  # month ticks
    for words in ("in force as first set", "added by an extension", "cut off by a termination", "as of"):
        assert words in texts  # the legend
    assert "review · past?" in texts  # a point after the data ends: not confirmed


def test_a_long_title_is_shortened_with_the_whole_of_it_in_the_tooltip(folder: Path) -> None:
    root = ET.fromstring(picture(folder))
    shown = [("".join(e.itertext())) for e in root.iter(f"{SVG}text")]
    assert any(line.endswith("…") for line in shown)
    assert not any("far too long" in line for line in shown)
    tooltips = [element.text or "" for element in root.iter(f"{SVG}title")]
    assert any("because it is far too long" in text for text in tooltips)


def test_hostile_titles_stay_text(folder: Path) -> None:
    for output in ("svg", "html"):
        data = picture(folder, output)
        text = data.decode("utf-8")
        assert "<script" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "\x1b" not in text and "\u202e" not in text and "\ufffe" not in text
    root = ET.fromstring(picture(folder))
    assert any("<script>alert(1)</script> ]]> &" in (e.text or "") for e in root.iter(f"{SVG}title"))


def test_filters_and_the_axis_are_those_of_the_text_view(folder: Path) -> None:
    root = ET.fromstring(picture(folder, "svg", "--kind", "talks"))
    rows = [element.get("aria-label") for element in root.iter(f"{SVG}g") if element.get("aria-label")]
    assert rows == ["hostile", "plan"]
    rows_cn = [
        e.get("aria-label")
        for e in ET.fromstring(picture(folder, "svg", "--party", "CN")).iter(f"{SVG}g")
        if e.get("aria-label")
    ]
    assert "step-84" not in rows_cn and "licence" in rows_cn
    ranged = ET.fromstring(picture(folder, "svg", "--from", "2026-01-01", "--to", "2026-12-31"))
    desc = ranged.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert "from 2026-01-01 00:00 EST to 2026-12-31 00:00 EST" in desc.text
    assert "hostile (" not in desc.text  # before the range


def test_output_file_and_its_errors(folder: Path) -> None:
    written = run(folder, "timeline", "-f", "p.toml", "--as-of", AS_OF, "--format", "svg", "-o", "t.svg")
    assert written.returncode == 0 and written.stdout == b""
    assert (folder / "t.svg").read_bytes() == picture(folder)
    refused = run(folder, "timeline", "-f", "p.toml", "--as-of", AS_OF, "-o", "t.txt")
    assert refused.returncode == 2 and b"-o FILE is for --format svg or html" in refused.stderr
    notes = run(folder, "timeline", "-f", "p.toml", "--as-of", AS_OF, "--format", "svg")
    assert b"data checked to 2026-05-31" in notes.stderr  # the note for a person goes to stderr


def test_an_empty_picture_says_why(folder: Path) -> None:
    root = ET.fromstring(picture(folder, "svg", "--from", "2024-01-01", "--to", "2024-02-01"))
    assert any("No entries to draw" in "".join(e.itertext()) for e in root.iter(f"{SVG}text"))


def test_the_html_timeline_holds_the_picture_and_the_rows_in_words(folder: Path) -> None:
    page = picture(folder, "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg " in page and "<script" not in page and "<style" not in page and "<link" not in page
    assert "The entries in words" in page and ">truce-ext-1" not in page  # modifiers are no rows
    assert "<td" in page and "plan" in page


# ---------------------------------------------------------------- real renderers


def _non_blank(png: bytes) -> None:
    """The PNG holds more than one colour: something was drawn."""
    image_module = pytest.importorskip("PIL.Image", reason="Pillow is needed to read the PNG back")
    import io

    with image_module.open(io.BytesIO(png)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is None or len(colours) > 10, "the picture is blank"


def _cairosvg():  # type: ignore[no-untyped-def]
    try:
        import cairosvg
    except ImportError:
        pytest.skip("cairosvg is not installed (pip install cairosvg)")
    except OSError as exc:  # the cairo library itself is missing
        pytest.skip(f"cairosvg cannot load cairo: {exc}")
    return cairosvg


def test_the_svg_renders_to_a_non_blank_png(folder: Path) -> None:
    cairosvg = _cairosvg()
    png = cairosvg.svg2png(bytestring=picture(folder))
    assert png.startswith(b"\x89PNG")
    _non_blank(png)


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless browser installed (apt-get install chromium)")


def screenshot(page: Path, tmp_path: Path, width: int) -> bytes:
    """``page`` opened in headless Chromium at ``width`` pixels, as a PNG; no network."""
    shot = tmp_path / f"{page.stem}-{width}.png"
    command = [
        _browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'browser-profile'}",
        f"--window-size={width},1400",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert shot.is_file(), result.stderr.decode(errors="replace")[-2000:]
    return shot.read_bytes()


def test_the_html_timeline_renders_in_a_browser(folder: Path, tmp_path: Path) -> None:
    page = folder / "timeline.html"
    page.write_bytes(picture(folder, "html"))
    _non_blank(screenshot(page, tmp_path, 1100))


def test_the_html_digest_renders_in_a_browser_at_phone_width(folder: Path, tmp_path: Path) -> None:
    result = run(folder, "summary", "-f", "p.toml", "--as-of", "2026-02-20", "--format", "html")
    assert result.returncode == 0, result.stderr.decode()
    page = folder / "digest.html"
    page.write_bytes(result.stdout)
    _non_blank(screenshot(page, tmp_path, 390))
