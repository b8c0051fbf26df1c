"""python -m autograder batch: outputs, resume, a batch killed halfway, the example class."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from tests.conftest import run_cli
from tests.reports import read_report

pytestmark = pytest.mark.slow
EXAMPLES = REPO_ROOT / "examples"


def batch(submissions, out, *args, cwd=REPO_ROOT):
    return run_cli("batch", submissions, "--out", out, *args, cwd=cwd)


def read_csv(path):
    with open(path) as handle:
        return list(csv.DictReader(handle))


def test_example_class_is_up_to_date():
    sys.path.insert(0, str(EXAMPLES))
    try:
        from build_class import planned
    finally:
        sys.path.remove(str(EXAMPLES))
    committed = {p.relative_to(EXAMPLES / "class"): p.read_text() for p in (EXAMPLES / "class").rglob("*.py")}
    assert committed == planned(), "run python examples/build_class.py"


def test_example_class(tmp_path):
    out = tmp_path / "results"
    result = batch(EXAMPLES / "class", out, "--timeout", "5")
    assert result.returncode == 0, result.stderr
    rows = {row["student_id"]: row for row in read_csv(out / "grades.csv")}
    assert list(rows) == sorted(p.name for p in (EXAMPLES / "class").iterdir())
    assert list(read_csv(out / "grades.csv")[0]) == ["student_id", "score", "max_score", "level1", "level2",
                                                     "level3", "level4", "level5", "status"]
    assert {row["status"] for row in rows.values()} == {"graded"}
    assert rows["alice"]["score"] == "100" and rows["ivan"]["score"] == "0"
    assert rows["grace"]["level5"] == "0" and rows["frank"]["level3"] == "0"
    grace = read_report(out / "grace.json")
    # --timeout is the checks' limit: an import keeps its own 20 s
    assert any("timed out after 20 s" in c["message"] for c in grace["checks"] if c["level"] == 5)
    frank = read_report(out / "frank.json")
    assert any("exited with code 1" in c["message"] for c in frank["checks"] if c["level"] == 3)
    summary = result.stderr
    assert "graded 10 students" in summary and "most common mistakes" in summary
    assert "grace: time limit in importing level 5" in summary
    assert "forgot_zero_grad" in summary and "broadcasting" in summary


def small_class(root, names=("ann", "ben", "cat")):
    for name in names:
        (root / name).mkdir(parents=True)
        for level in ("level1_manual.py", "level4_optim.py"):
            shutil.copy(SOLUTIONS_DIR / level, root / name / level)
    return root


def test_student_json_is_what_grade_prints(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_CHALLENGE", "424242")  # the same probe inputs in both runs
    submissions = small_class(tmp_path / "class", names=("ann",))
    out = tmp_path / "out"
    assert batch(submissions, out).returncode == 0
    alone = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions / "ann"), "--json"],
                           cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    batched, graded = json.loads((out / "ann.json").read_text()), json.loads(alone.stdout)
    assert batched.pop("graded_at") <= graded.pop("graded_at")  # the one difference: when each ran
    assert batched == graded


def test_rerun_skips_graded_students_unless_forced(tmp_path):
    submissions, out = small_class(tmp_path / "class"), tmp_path / "out"
    assert batch(submissions, out).returncode == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    (out / "ben.json").unlink()
    again = batch(submissions, out)
    assert again.returncode == 0 and "graded 1 students" in again.stderr and "2 already graded" in again.stderr
    assert (out / "ann.json").stat().st_mtime_ns == stamps["ann.json"]
    assert len(read_csv(out / "grades.csv")) == 3
    forced = batch(submissions, out, "--force")
    assert "graded 3 students" in forced.stderr
    assert (out / "ann.json").stat().st_mtime_ns != stamps["ann.json"]


def test_a_batch_killed_halfway_loses_nothing_and_resumes(tmp_path):
    submissions, out = small_class(tmp_path / "class", names=[f"s{i:02d}" for i in range(8)]), tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out),
                             "--workers", "1"], cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list(out.glob("*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = sorted(out.glob("*.json"))
    assert 2 <= len(written) < 8
    for path in written:  # every file that exists is complete
        assert json.loads(path.read_text())["score"] == 45
    result = batch(submissions, out)
    assert result.returncode == 0
    assert f"{len(written)} already graded" in result.stderr
    assert [row["score"] for row in read_csv(out / "grades.csv")] == ["45"] * 8
    assert not list((out / ".probes").glob("*.grading"))  # the student in progress at the kill was graded again


def test_usage_errors(tmp_path):
    assert batch(tmp_path / "missing", tmp_path / "out").returncode == 2
    assert batch(tmp_path, tmp_path / "out", "--workers", "0").returncode == 2


def test_an_out_folder_inside_the_class_is_not_a_student(tmp_path):
    submissions = small_class(tmp_path / "class", names=("ann",))
    assert batch(submissions, submissions / "results").returncode == 0
    assert batch(submissions, submissions / "results").returncode == 0  # and a rerun still sees one student
    assert [row["student_id"] for row in read_csv(submissions / "results" / "grades.csv")] == ["ann"]
