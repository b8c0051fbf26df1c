"""python -m autograder gradescope: the zip runs in Gradescope's layout and writes a valid results.json."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.checks import all_checks, level_points
from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from tests.catalog import MISTAKES, write_submission

pytestmark = pytest.mark.slow

STATUSES = {"passed", "failed"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def gradescope_root(tmp_path):
    """A temporary root with Gradescope's layout, the zip unpacked in source/ as Gradescope does."""
    archive = tmp_path / "autograder.zip"
    made = subprocess.run([sys.executable, "-m", "autograder", "gradescope", str(archive)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "gs"
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        opened.extractall(root / "source")
        modes = {info.filename: info.external_attr >> 16 for info in opened.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= set(names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "autograder/solutions/level1_manual.py" in names and "autograder/probe/child.py" in names
    assert names.count("autograder/assignment.json") == 1  # without --levels: every level
    assert json.loads((root / "source" / "autograder" / "assignment.json").read_text()) == {"levels": [1, 2, 3, 4, 5]}
    assert "torch==" in (root / "source" / "requirements.txt").read_text()
    (root / "submission").mkdir()
    return root


def run_autograder(root, tmp_path):
    shims = tmp_path / "bin"  # Gradescope's python3 is the one setup.sh installed into: here, this venv's
    shims.mkdir(exist_ok=True)
    (shims / "python3").write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    (shims / "python3").chmod(0o755)
    env = {"PATH": f"{shims}:{os.environ.get('PATH', '/usr/bin:/bin')}", "AUTOGRADER_ROOT": str(root)}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def valid_results(results):
    """Gradescope's documented fields: score, tests[].name/score/max_score/status/output/visibility."""
    assert isinstance(results["score"], (int, float))
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in STATUSES and test["visibility"] in VISIBILITIES
        assert isinstance(test["output"], str)
    assert abs(sum(t["score"] for t in results["tests"]) - results["score"]) < 1e-6
    return results


def test_the_zip_grades_a_submission_in_gradescopes_layout(tmp_path):
    root = gradescope_root(tmp_path)
    (root / "submission" / "level1_manual.py").write_text((SOLUTIONS_DIR / "level1_manual.py").read_text())
    mistake = next(m for m in MISTAKES if m.expect.get("level2.loader") == "incomplete_epoch")
    write_submission(mistake, root / "submission")
    results = valid_results(run_autograder(root, tmp_path))
    tests = {t["name"]: t for t in results["tests"]}
    assert len(tests) == len(all_checks()) and results["score"] >= level_points(1)  # the zip grades every level
    assert all(tests[name]["status"] == "passed" for name in tests if name.startswith("level1."))
    assert tests["level2.loader"]["status"] == "failed" and tests["level2.loader"]["output"]
    report = json.loads((root / "results" / "report.json").read_text())
    assert report["score"] == results["score"]


def test_a_submission_without_level_files_says_why(tmp_path):
    root = gradescope_root(tmp_path)
    (root / "submission" / "notes.txt").write_text("I forgot the files")
    results = run_autograder(root, tmp_path)
    assert results["score"] == 0 and results["tests"] == []
    assert "no level files" in results["output"] and "level1_manual.py" in results["output"]


def test_a_folder_uploaded_whole_is_graded():
    import tempfile

    from autograder.output.gradescope_folder import folder_to_grade
    with tempfile.TemporaryDirectory() as root:
        inner = Path(root) / "hw1"
        inner.mkdir()
        (inner / "level1_manual.py").write_text("x = 1\n")
        assert folder_to_grade(root) == inner
        (Path(root) / "level2_dataset.py").write_text("x = 1\n")
        assert folder_to_grade(root) == Path(root)
