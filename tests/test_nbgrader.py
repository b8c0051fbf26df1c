"""End to end with real nbgrader: build the course, release, autograde, export, feedback; the same
scores as `autograder grade` on the same notebooks."""

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.levels import REPO_ROOT

nbformat = pytest.importorskip("nbformat")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("nbgrader", path=str(Path(sys.executable).parent)) is None,
                                 reason="nbgrader is not installed (pip install -r requirements.txt)")]

LEVELS = {1: "level1_manual", 5: "level5_builtins"}
BREAKS = {  # one stub broken per level: a partial score
    "level1_manual": ("return (x * w).sum(dim=1)", "return (x * w).sum()"),
    "level5_builtins": ("yhat = model(x).squeeze(1)  # (batch, 1) -> (batch,), the shape of y", "yhat = model(x)"),
}


def run(args, cwd):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def nbgrader(*args, cwd):
    return run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd)


def points(check_id):
    from autograder.checks import all_checks

    return all_checks()[check_id].points


@pytest.fixture(scope="session")  # built once per test process
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    run([sys.executable, "-m", "autograder", "nbgrader", "build", str(course), "--levels", *map(str, LEVELS)],
        REPO_ROOT)
    for name in LEVELS.values():
        nbgrader("generate_assignment", name, "--force", cwd=course)
        source = nbformat.read(str(course / "source" / name / f"{name}.ipynb"), as_version=4)
        release = nbformat.read(str(course / "release" / name / f"{name}.ipynb"), as_version=4)
        broken = nbformat.read(str(course / "source" / name / f"{name}.ipynb"), as_version=4)
        old, new = BREAKS[name]
        assert sum(old in cell.source for cell in broken.cells) == 1
        for cell in broken.cells:
            cell.source = cell.source.replace(old, new)
        given = next(c for c in broken.cells if c.cell_type == "code" and c.metadata["nbgrader"].get("locked")
                     and not c.metadata["nbgrader"].get("grade"))
        given.source += "\nraise RuntimeError('an edited read-only cell')"  # nbgrader restores it; so must grade
        hidden = next(c for c in broken.cells if "BEGIN HIDDEN TESTS" in c.source)
        hidden.source = "# an edit beside the hidden tests\n" + hidden.source  # a change nbgrader must still report
        for student, notebook in (("reference", source), ("untouched", release), ("broken", broken)):
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(notebook, str(folder / f"{name}.ipynb"))
        graded = nbgrader("autograde", name, "--create", cwd=course)
        (course / f"autograde-{name}.log").write_text(graded.stdout + graded.stderr)  # nbgrader logs to stderr
        nbgrader("generate_feedback", name, cwd=course)
    nbgrader("export", cwd=course)
    return course


def exported(course):
    with open(course / "grades.csv") as handle:
        return {(row["student_id"], row["assignment"]): float(row["score"]) for row in csv.DictReader(handle)}


def test_built_course_has_the_rubric_points(course):
    for level, name in LEVELS.items():
        notebook = nbformat.read(str(course / "source" / name / f"{name}.ipynb"), as_version=4)
        grades = [c.metadata["nbgrader"] for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert all(g["locked"] and g["schema_version"] == 3 for g in grades)
        assert sum(g["points"] for g in grades) == {1: 25, 5: 20}[level]
        assert any(c.metadata.get("nbgrader", {}).get("solution") for c in notebook.cells)
        assert any("### BEGIN HIDDEN TESTS" in c.source for c in notebook.cells)
    release = nbformat.read(str(course / "release" / "level1_manual" / "level1_manual.ipynb"), as_version=4)
    assert not any("BEGIN HIDDEN TESTS" in c.source or "BEGIN SOLUTION" in c.source for c in release.cells)
    hidden = next(c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "level1-train")
    assert f"hidden until grading: level1.train ({points('level1.train')} points)" in hidden.source
    assert "grade_cell(" not in hidden.source


def test_autograde_scores(course):
    scores = exported(course)
    for name, most in (("level1_manual", 25), ("level5_builtins", 20)):
        assert scores[("reference", name)] == most
        assert scores[("untouched", name)] == 0
        assert 0 < scores[("broken", name)] < most


def failed_cells(notebook):
    return [(cell.metadata["nbgrader"]["grade_id"], output) for cell in notebook.cells if "grade_cell" in cell.source
            for output in cell.outputs if output.output_type == "error"]


def test_a_failed_grade_cell_shows_its_verdict_alone_wrapped_to_the_page(course):
    from autograder.authoring.grade_cells import WIDTH

    notebook = nbformat.read(str(course / "autograded" / "broken" / "level1_manual" / "level1_manual.ipynb"),
                             as_version=4)
    failed = dict(failed_cells(notebook))
    assert "level1-forward" in failed, list(failed)
    shown = "\n".join(failed["level1-forward"].traceback)  # what the notebook and the feedback show
    verdict = f"FAIL level1.forward (0/{points('level1.forward')}): "
    assert shown.startswith(verdict) and ".sum(dim=1)" in shown, shown
    assert "Traceback" not in shown and str(REPO_ROOT) not in shown and "site-packages" not in shown, shown
    assert "grade_cells.py" not in shown and len(shown.splitlines()) > 1, shown  # long: wrapped, not cut
    assert max(len(line) for line in shown.splitlines()) <= WIDTH, shown
    page = (course / "feedback" / "broken" / "level1_manual" / "level1_manual.html").read_text()
    errors = [html.unescape(block).strip() for block in re.findall(r'output_error">\s*<pre>(.*?)</pre>', page, re.S)]
    assert len(errors) == len(failed) and errors[0].startswith(verdict), errors
    for block in errors:  # the feedback page shows each failed check as its verdict, and nothing else
        assert block.startswith("FAIL level1.") and "Traceback" not in block and str(REPO_ROOT) not in block
        assert max(len(line) for line in block.splitlines()) <= WIDTH, block


def changes_reported(log):
    """{student: [cell ids]} of nbgrader's "Attribute ... has changed!" warnings in an autograde log."""
    changed, student = {}, None
    for line in log.splitlines():
        if "Sanitizing" in line:
            student = Path(line.split()[-1]).parent.parent.name
        elif "has changed!" in line:
            changed.setdefault(student, []).append(line.split(" for cell ")[1].split()[0])
    return changed


def test_an_untouched_notebook_is_autograded_without_a_tampering_warning(course):
    for level, name in LEVELS.items():
        log = (course / f"autograde-{name}.log").read_text()
        changed = changes_reported(log)
        # nbgrader restored the hidden tests of the untouched copy: said at info level, not as a change
        assert "untouched" not in changed and "reference" not in changed, changed
        assert "Cell level%d-train is as released; putting back its hidden tests" % level in log
        # what the broken submission changed is still reported: a read-only cell, the hidden cell's visible part
        assert sorted(changed["broken"]) == sorted([f"{name}-given-1", f"level{level}-train"]), changed


def test_the_feedback_names_the_hidden_checks(course):
    page = (course / "feedback" / "untouched" / "level1_manual" / "level1_manual.html").read_text()
    assert f"hidden until grading: level1.train ({points('level1.train')} points)" in page


def test_grade_cells_write_nothing_to_stderr(course):
    notebook = nbformat.read(str(course / "autograded" / "broken" / "level5_builtins" / "level5_builtins.ipynb"),
                             as_version=4)
    outputs = [o for c in notebook.cells if "grade_cell" in c.source for o in c.outputs]
    assert outputs and not any(o.get("name") == "stderr" for o in outputs)
    errors = [o for o in outputs if o.output_type == "error"]
    assert errors and all(o.ename == "CheckFailed" for o in errors)  # a check that earned nothing, shown
    text = "".join(o.get("text", "") + "".join(o.get("traceback", [])) for o in outputs)
    assert "broadcasting" in text and "PyTorch warned" in text  # the warning, reported in the message


def test_same_scores_as_autograder_grade(course):
    scores = exported(course)
    for student in ("reference", "untouched", "broken"):
        result = run([sys.executable, "-m", "autograder", "grade", str(course / "submitted" / student), "--json"],
                     REPO_ROOT)
        report = json.loads(result.stdout)
        for level, name in LEVELS.items():
            assert report["levels"][level - 1]["score"] == scores[(student, name)], (student, name)


def test_feedback_html(course):
    page = course / "feedback" / "broken" / "level1_manual" / "level1_manual.html"
    assert page.is_file() and "FAIL level1.forward" in page.read_text()


def test_grade_cell_keeps_stderr_clean(capfd):
    """Student code that logs or writes to descriptor 2 must not reach stderr (nbgrader would zero the cell)."""
    import logging
    import types

    from autograder.authoring.grade_cells import grade_cell
    from autograder.probe.loader import load_module

    module = load_module(REPO_ROOT / "solutions" / "level2_dataset.py", "stderr_level2")
    original = module.RandomData.__len__

    def noisy_len(self):
        logging.warning("len was called")
        os.write(2, b"raw bytes on descriptor 2\n")
        return original(self)

    module.RandomData.__len__ = noisy_len
    handler = logging.StreamHandler(sys.stderr)
    logging.root.addHandler(handler)
    try:
        points = grade_cell(vars(types.SimpleNamespace(**vars(module))), "level2.len")
    finally:
        logging.root.removeHandler(handler)
    captured = capfd.readouterr()
    assert points == 3.0, captured.out
    assert captured.err == "" and "len was called" in captured.out and "raw bytes" in captured.out


def test_validate_shows_why_a_check_failed(course):
    notebook = course / "submitted" / "broken" / "level1_manual" / "level1_manual.ipynb"
    result = nbgrader("validate", str(notebook), cwd=course)
    assert "level1.forward" in result.stdout and "summed_batch" not in result.stdout
    assert "one number" in result.stdout or "sum" in result.stdout, result.stdout[-3000:]
