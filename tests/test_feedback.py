"""Feedback pages, the class report, Gradescope results, and a real browser rendering the report."""

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest
import torch

from autograder.grade import build_report
from autograder.judge import judge_level
from autograder.levels import EXERCISES_DIR, LEVELS, REPO_ROOT, SOLUTIONS_DIR
from autograder.output.html import loss_curve_png, write_feedback
from autograder.probe import fixtures, inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS
from autograder.probe.loader import load_module
from autograder.probe.run import load_and_probe
from tests.catalog import mutate


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page(HTMLParser):
    """The parts of a page the tests look at: ids, table rows, images, links."""

    def __init__(self, text):
        super().__init__()
        self.ids, self.rows, self.images, self.links, self.text = set(), 0, [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "tr":
            self.rows += 1
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "a":
            self.links.append(attrs.get("href"))

    def handle_data(self, data):
        self.text.append(data)


def report_for(tmp_path, source):
    path = tmp_path / "level1_manual.py"
    path.write_text(source)
    results = []
    for level in LEVELS:
        results.extend(judge_level(level, load_and_probe(level, path, "cpu") if level == 1 else None, "cpu"))
    return build_report(tmp_path, "cpu", results), path


def test_feedback_page_structure(tmp_path):
    report, _ = report_for(tmp_path, mutate(1, {"level1.zero_grad": "pass"}))
    page_path = write_feedback(report, tmp_path / "feedback")
    page = Page(page_path.read_text())
    assert {f"level{n}" for n in LEVELS} <= page.ids
    # a header row per level table; level 1 a row per check; a missing file one row for all its level's checks
    assert page.rows == len([c for c in report["checks"] if c["level"] == 1]) + 2 * len(LEVELS) - 1
    assert page.images and all(src.startswith("data:image/png;base64,") for src in page.images)
    text = " ".join(page.text)
    from autograder.checks.diagnoses import hint_for

    assert hint_for("gradients_accumulate") in text  # the hint for the diagnosed mistake
    assert "file not found: level2_dataset.py" in text
    results = json.loads((tmp_path / "feedback" / "results.json").read_text())
    assert results["score"] == report["score"]
    assert {t["name"] for t in results["tests"]} == {c["id"] for c in report["checks"]}
    assert all(set(t) >= {"name", "score", "max_score", "output"} for t in results["tests"])


def test_loss_curve_is_drawn_from_the_runs_real_losses(tmp_path):
    report, path = report_for(tmp_path, mutate(1, {"level1.zero_grad": "pass"}))
    curve = next(c for c in report["curves"] if c["level"] == 1)
    # the same run, outside the grader: the student's train from the grader's start and data
    student = load_module(path, "curve_student")
    with inputs.challenge(0):  # the in-process grading above used challenge 0
        X, Y = fixtures.train_tensors("cpu")
        w = torch.tensor(inputs.start_weights(), requires_grad=True)
        seed = inputs.train_seed()
    losses = student.train(X, Y, w, lr=0.01, epochs=CONVERGENCE_EPOCHS, seed=seed)
    assert np.allclose(curve["student"], losses)
    assert len(curve["reference"]) == CONVERGENCE_EPOCHS and curve["reference"][-1] < 1e-6
    write_feedback(report, tmp_path / "feedback")
    drawn = (tmp_path / "feedback" / "loss_level1.png").read_bytes()
    assert drawn[:8] == b"\x89PNG\r\n\x1a\n"
    # level1.train fails (gradients accumulate): the drawing says so
    assert drawn == loss_curve_png(1, curve["student"], curve["reference"], failing="level1.train")
    assert drawn != loss_curve_png(1, curve["student"], curve["reference"])


def test_a_feedback_page_names_a_file_taken_under_another_name(tmp_path):
    results = judge_level(1, None, "cpu")
    note = "taken as level1_manual.py (the name differs in case)"
    report = build_report(tmp_path, "cpu", results, levels=[1],
                          files=[{"level": 1, "file": "Level1_Manual.py", "note": note, "ignored": []}])
    text = " ".join(" ".join(Page(write_feedback(report, tmp_path / "feedback").read_text()).text).split())
    assert f"Graded Level1_Manual.py : {note}" in text  # the file name is set apart in <code>


def test_the_class_report_of_a_one_level_assignment_holds_that_level_only(tmp_path):
    from autograder.batch.summary import summarize
    from autograder.output.html import score_bins, write_class_report

    full = judge_level(1, load_and_probe(1, SOLUTIONS_DIR / "level1_manual.py", "cpu"), "cpu")
    reports = {"ann": build_report("ann", "cpu", full, levels=[1]),
               "ben": build_report("ben", "cpu", judge_level(1, None, "cpu"), levels=[1])}
    page = Page(write_class_report(tmp_path, reports, summarize(reports)).read_text())
    text = " ".join(page.text)
    assert "out of 25" in text and "L1" in text and "L2" not in text
    assert "25.0/25" not in text and "12.5/25" in text  # the level's mean over both students
    assert score_bins(25)[-1] == 25  # full marks land in the histogram's last bin


def level1_report(tmp_path, source, isolation=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "level1_manual.py"
    path.write_text(source)
    return build_report(tmp_path, "cpu", judge_level(1, load_and_probe(1, path, "cpu"), "cpu"), isolation=isolation,
                        levels=[1])


def page_text(path):
    return " ".join(" ".join(Page(path.read_text()).text).split())


def test_an_untouched_stub_is_one_message_with_the_checks_it_blocks(tmp_path):
    from autograder.checks.diagnoses import hint_for

    report = level1_report(tmp_path, (EXERCISES_DIR / "level1_manual.py").read_text())
    assert len(report["checks"]) == 9 and all(c["diagnosis"] == "not_implemented" for c in report["checks"])
    html = write_feedback(report, tmp_path / "feedback").read_text()
    page, text = Page(html), page_text(tmp_path / "feedback" / "index.html")
    stubs = ["make_data", "init_weights", "forward", "mse", "sgd_update", "zero_grad"]
    assert page.rows == 1 + len(stubs)  # the header, then one row per stub (9 checks)
    for stub in stubs:
        assert text.count(f"{stub} (not started)") == 1, stub  # the row is the stub's, named once
    # forward blocks its own check, the gradient's and training's, each listed with its points
    assert "blocks level1.forward (3 points) blocks level1.gradient (3 points) blocks level1.train (2 points)" in text
    assert "blocks level1.device (2 points)" in text and "0/8" in text
    assert text.count(hint_for("not_implemented")) == 1  # the same advice for every stub: said once


def test_a_failing_runs_curve_is_marked_failing(tmp_path):
    failing = level1_report(tmp_path / "sum", mutate(1, {"level1.mse": "return ((y - yhat) ** 2).sum()"}))
    train = next(c for c in failing["checks"] if c["id"] == "level1.train")
    assert not train["passed"]
    html = write_feedback(failing, tmp_path / "sum" / "feedback").read_text()
    assert '<figcaption class="failing">Failing: level1.train (0/2 points).' in html
    assert 'figure class="curve failing"' in html and "(failing check)" in html  # the image's alt text too
    passing = level1_report(tmp_path / "ok", (SOLUTIONS_DIR / "level1_manual.py").read_text())
    html = write_feedback(passing, tmp_path / "ok" / "feedback").read_text()
    assert "Failing" not in html and "failing check" not in html and "level1.train passes" in html
    curve = failing["curves"][0]
    assert loss_curve_png(1, curve["student"], curve["reference"], "level1.train") != \
        loss_curve_png(1, curve["student"], curve["reference"])


def test_pages_say_when_with_what_and_how_they_were_graded(tmp_path):
    from autograder.batch.summary import summarize
    from autograder.output.html import write_class_report

    report = level1_report(tmp_path, (SOLUTIONS_DIR / "level1_manual.py").read_text(), isolation="a test sandbox")
    (tmp_path / "out").mkdir()
    for path in (write_feedback(report, tmp_path / "feedback"),
                 write_class_report(tmp_path / "out", {"ann": report}, summarize({"ann": report}), [1])):
        html = path.read_text()
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        text = " ".join(" ".join(Page(html).text).split())
        day, time = report["graded_at"].rstrip("Z").split("T")
        assert f"graded: {day} {time} UTC" in text, text[:400]
        assert f"kit: {report['kit_version']}" in text and "device: cpu" in text
        assert "isolation: a test sandbox" in text and "assignment: level 1" in text


def test_the_class_report_lists_the_not_graded_and_those_without_a_level_file(tmp_path):
    from autograder.batch.run import publish
    from autograder.batch.summary import summarize
    from autograder.grade import not_graded_report
    from autograder.output.html import write_class_report

    full = judge_level(1, load_and_probe(1, SOLUTIONS_DIR / "level1_manual.py", "cpu"), "cpu")
    reports = {"ann": build_report("ann", "cpu", full, levels=[1]),
               "ben": build_report("ben", "cpu", judge_level(1, None, "cpu"), levels=[1])}  # no level file
    cat = not_graded_report("cat", "cpu", "the grader failed (RuntimeError: the disk is full)", [1])
    page = Page(write_class_report(tmp_path, reports, summarize(reports), [1], not_graded={"cat": cat}).read_text())
    text = " ".join(" ".join(page.text).split())
    assert {"not-graded", "missing-files"} <= page.ids
    assert "Not graded (1)" in text and "the grader failed (RuntimeError: the disk is full)" in text
    assert "No level file found (1)" in text and "ben no level file" in text and "ann no level file" not in text
    assert "cat.json" in page.links and "feedback/ben/index.html" in page.links
    assert "1 with no level file" in text and "1 not graded" in text

    # a batch's publish step hands the class report its not-graded students
    out = tmp_path / "out"
    out.mkdir()
    dan = not_graded_report("dan", "cpu", "timed out while starting", [1])
    publish(out, ["ann", "ben", "dan"], {**reports, "dan": dan}, [1])
    text = page_text(out / "report.html")
    assert "Not graded (1)" in text and "dan" in text and "timed out while starting" in text
    clean = tmp_path / "clean"
    clean.mkdir()
    page = Page(write_class_report(clean, {"ann": reports["ann"]}, summarize({"ann": reports["ann"]}), [1]).read_text())
    assert not {"not-graded", "missing-files"} & page.ids  # sections only when someone is in them


@pytest.fixture(scope="session")  # built once per test process
def class_out(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    submissions = root / "class"
    for name, source in (("ann", None), ("ben", mutate(1, {"level1.zero_grad": "pass"})),
                         ("cat", mutate(1, {"level1.mse": "return ((y - yhat) ** 2).sum()"}))):
        (submissions / name).mkdir(parents=True)
        (submissions / name / "level1_manual.py").write_text(source or (SOLUTIONS_DIR / "level1_manual.py").read_text())
        shutil.copy(SOLUTIONS_DIR / "level5_builtins.py", submissions / name)
    result = subprocess.run([sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(root / "out")],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.mark.slow
def test_class_report_structure(class_out):
    page = Page((class_out / "report.html").read_text())
    assert {"distribution", "levels", "checks", "mistakes", "limits", "students"} <= page.ids
    assert page.images and page.images[0].startswith("data:image/png;base64,")
    text = " ".join(page.text)
    assert "gradients_accumulate" in text and "sum_instead_of_mean" in text
    for student in ("ann", "ben", "cat"):
        assert f"feedback/{student}/index.html" in page.links
        assert (class_out / "feedback" / student / "index.html").is_file()
    assert not (class_out / "results.json").exists()  # nothing named like a Gradescope file that is not one
    results = json.loads((class_out / "class" / "all_students_gradescope.json").read_text())
    assert set(results["students"]) == {"ann", "ben", "cat"}


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_report_renders_in_a_real_browser(class_out, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600",
                             f"--screenshot={shot}", (class_out / "report.html").as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1600)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 50  # text, bars and the histogram, not a blank page
