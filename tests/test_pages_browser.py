"""A feedback page and the class report in a real browser (headless Chromium), on a phone's width and a
laptop's: the screenshot has the window's size, and the page never scrolls sideways (a wide table
scrolls inside its own box)."""

import os
import shutil
import subprocess

import pytest

from autograder.grade import build_report, not_graded_report
from autograder.judge import judge_level
from autograder.levels import EXERCISES_DIR, LEVELS, SOLUTIONS_DIR
from autograder.probe.run import load_and_probe
from tests.catalog import mutate

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else (
    shutil.which("chromium") or shutil.which("chromium-browser"))
SIZES = [(420, 900), (1280, 900)]  # a phone held upright, a laptop

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")

# A headless Chromium window is never narrower than 500 px: --window-size=420,900 crops a 500 px wide
# layout. So each page is shown in an iframe of exactly the size asked for (an iframe is a viewport of
# its own, its media queries and innerWidth those of its box), the window cropped to the same size.
HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"></head>
<body style="margin: 0; overflow: hidden"><iframe src="{src}" title="page"
style="display: block; border: 0; width: {width}px; height: {height}px"></iframe></body></html>"""

# Drawn into a copy of the page once it is laid out: two squares in the top-left corner whose colours
# encode the viewport's width and the page's scroll width (red: high byte, green: low byte), read back
# from the screenshot.
MEASURE = """<script>
function measure() {
  const root = document.documentElement;
  [[window.innerWidth, 0], [root.scrollWidth, 40]].forEach(([value, left]) => {
    const box = document.getElementById("measure" + left) || document.createElement("div");
    box.id = "measure" + left;
    box.style.cssText = `position: fixed; top: 0; left: ${left}px; width: 40px; height: 40px; z-index: 2147483647;
      background: rgb(${value >> 8}, ${value & 255}, 0)`;
    document.body.appendChild(box);
  });
}
measure();
window.addEventListener("load", measure);
</script>"""


def chromium(profile, width, height, *args):
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                           "--force-color-profile=srgb", "--hide-scrollbars", f"--user-data-dir={profile}",
                           f"--window-size={width},{height}", *args],
                          capture_output=True, text=True, timeout=120)


def measured(page, tmp_path, width, height):
    """{innerWidth, scrollWidth} of the page laid out in a window of that size."""
    copy = page.parent / f"measure_{width}x{height}_{page.name}"
    copy.write_text(page.read_text().replace("</body>", MEASURE + "\n</body>"))
    try:
        image = screenshot(copy, tmp_path, width, height)
    finally:
        copy.unlink()
    red, green, _ = image.getpixel((20, 20))
    red2, green2, _ = image.getpixel((60, 20))
    return {"innerWidth": red * 256 + green, "scrollWidth": red2 * 256 + green2}


def screenshot(page, tmp_path, width, height):
    """The page laid out at that size, as an RGB image (the PNG stays in tmp_path, to look at)."""
    from PIL import Image

    shot = tmp_path / f"{page.parent.name}_{page.stem}_{width}x{height}.png"
    host = page.parent / f"host_{width}x{height}_{page.name}"
    host.write_text(HOST.format(src=page.name, width=width, height=height))
    try:
        result = chromium(tmp_path / "profile", width, height, "--virtual-time-budget=5000", f"--screenshot={shot}",
                          host.as_uri())
    finally:
        host.unlink()
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (width, height)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 50  # text, tables and plots, not a blank page
    return image


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """A feedback page with every kind of row (passed, failed with a hint, untouched stubs, a missing file, a
    failing curve) and a class report with every section, written by the kit itself."""
    from autograder.batch.summary import summarize
    from autograder.output.html import write_class_report, write_feedback

    root = tmp_path_factory.mktemp("pages")
    sources = {"sum_instead_of_mean": mutate(1, {"level1.mse": "return ((y - yhat) ** 2).sum()"}),
               "untouched": (EXERCISES_DIR / "level1_manual.py").read_text(),
               "reference": (SOLUTIONS_DIR / "level1_manual.py").read_text()}
    reports = {}
    for name, source in sources.items():
        (root / name).mkdir()
        (root / name / "level1_manual.py").write_text(source)
        probed = load_and_probe(1, root / name / "level1_manual.py", "cpu")
        results = [r for level in LEVELS for r in judge_level(level, probed if level == 1 else None, "cpu")]
        reports[name] = build_report(root / name, "cpu", results, isolation="bubblewrap sandbox per student; "
                                     "memory 4 GiB, 64 processes, 1 GiB of files, no network")
    (root / "out").mkdir()
    feedback = write_feedback(reports["sum_instead_of_mean"], root / "out" / "feedback" / "sum_instead_of_mean")
    for name in ("untouched", "reference"):
        write_feedback(reports[name], root / "out" / "feedback" / name)
    # a long student id that has no place to break, a not-graded student with a long reason
    reports["a_student_id_far_longer_than_any_phone_is_wide_0123456789"] = reports.pop("reference")
    reports["empty"] = build_report("empty", "cpu", [r for level in LEVELS for r in judge_level(level, None, "cpu")])
    not_graded = {"zed": not_graded_report("zed", "cpu", "the grader failed (RuntimeError: " + "x" * 300 + ")")}
    report = write_class_report(root / "out", reports, summarize(reports), list(LEVELS), not_graded=not_graded)
    return {"feedback": feedback, "report": report}


@pytest.mark.slow
@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("which", ["feedback", "report"])
def test_a_page_renders_and_never_scrolls_sideways(pages, tmp_path, which, width, height):
    page = pages[which]
    screenshot(page, tmp_path, width, height)
    measure = measured(page, tmp_path, width, height)
    assert measure["innerWidth"] == width, measure  # laid out at the width asked for
    assert measure["scrollWidth"] <= measure["innerWidth"], measure  # nothing sticks out sideways


@pytest.mark.slow
def test_the_measure_sees_a_page_that_overflows(pages, tmp_path):
    """The check above can fail: a page with one element wider than the phone is caught."""
    wide = tmp_path / "wide" / "index.html"
    wide.parent.mkdir()
    wide.write_text(pages["feedback"].read_text().replace("<body>", '<body><div style="width: 900px">wide</div>', 1))
    measure = measured(wide, tmp_path, 420, 900)
    assert measure["innerWidth"] == 420 and measure["scrollWidth"] >= 900, measure
