"""End to end with real nbgrader: build the course, release, autograde, export, feedback; the same
scores as `autograder grade` on the same notebooks."""

import csv
import json
import os
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
        for student, notebook in (("reference", source), ("untouched", release), ("broken", broken)):
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(notebook, str(folder / f"{name}.ipynb"))
        nbgrader("autograde", name, "--create", cwd=course)
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


def test_autograde_scores(course):
    scores = exported(course)
    for name, most in (("level1_manual", 25), ("level5_builtins", 20)):
        assert scores[("reference", name)] == most
        assert scores[("untouched", name)] == 0
        assert 0 < scores[("broken", name)] < most


def test_grade_cells_write_nothing_to_stderr(course):
    notebook = nbformat.read(str(course / "autograded" / "broken" / "level5_builtins" / "level5_builtins.ipynb"),
                             as_version=4)
    outputs = [o for c in notebook.cells if "grade_cell" in c.source for o in c.outputs]
    assert outputs and not any(o.get("name") == "stderr" for o in outputs)
    errors = [o for o in outputs if o.output_type == "error"]
    assert errors and all(o.ename == "CheckFailed" for o in errors)  # a check that earned nothing, shown
    text = "".join(o.get("text", "") for o in outputs)
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
