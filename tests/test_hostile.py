"""Hostile submissions graded in one batch with honest students.

Every attack must be capped at what its code earns, honest students must score what `grade`
gives them alone, and nothing on disk outside the attacker's private copy may change.
"""

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.checks import checks_for_level, level_points
from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from autograder.sandbox import zygote
from tests.catalog import mutate
from tests.student_code import at_import, snippet

pytestmark = pytest.mark.slow
CHALLENGE = {"AUTOGRADER_CHALLENGE": "424242"}  # batch and grade alone see the same probe inputs

REFERENCE = (SOLUTIONS_DIR / "level1_manual.py").read_text()
FULL = level_points(1)


def covering(stub):
    """The points of the level 1 checks that cover `stub`: what a broken stub costs at least."""
    return sum(check.points for check in checks_for_level(1) if stub in check.stubs)


def source(name, **values):
    return snippet("hostile", name, **values)


def attacks(submissions, out, grader_cwd):
    return {
        # name: (level file text, the most its code can earn)
        "loop_forever": (mutate(1, {"level1.zero_grad": source("loop_forever")}), FULL - covering("zero_grad")),
        "sleep_at_import": (at_import(source("sleep_at_import")), 0),
        "exit_at_import": (at_import(source("exit_at_import")), 0),
        "os_exit_mid_training": (mutate(1, {"level1.sgd_update": source("os_exit_mid_training")}),
                                 FULL - covering("sgd_update")),
        "memory_past_limit": (mutate(1, {"level1.forward": source("memory_past_limit")}), FULL - covering("forward")),
        "prints_megabytes": (at_import(source("prints_megabytes")), FULL),
        "patches_comparisons": (at_import(source("patches_comparisons")).replace(
            "return (x * w).sum(dim=1)", "return torch.zeros(len(x)) * w.sum()"), FULL - covering("forward")),
        "lying_objects": (mutate(1, {"level1.forward": source("lying_objects")}), FULL - covering("forward")),
        "syntax_error": (REFERENCE.replace("def mse(y, yhat):", "def mse(y, yhat)"), 0),
        "recursion": (mutate(1, {"level1.forward": source("recursion")}), FULL - covering("forward")),
        "kills_parent": (at_import(source("kills_parent")), FULL),
        "kills_all_it_can": (at_import(source("kills_all_it_can")), FULL),
        # in a zygote's fork the student's code is pid 1 of its namespace: like any init, it ignores the
        # fatal signals it sends itself; in a fresh sandbox (pid 2, under bubblewrap's init) it dies of them
        "kills_group": (at_import(source("kills_group")), FULL if zygote.unavailable() is None else 0),
        "deletes_siblings": (at_import(source("deletes_siblings", submissions=repr(str(submissions)))), FULL),
        "overwrites_results": (at_import(source("overwrites_results", out=repr(str(out)),
                                              grader_cwd=repr(str(grader_cwd)))), FULL),
    }


FLAGGED = {"patches_comparisons", "lying_objects"}
HONEST = {
    "honest_full": (REFERENCE, FULL),
    "honest_forgot_zero_grad": (mutate(1, {"level1.zero_grad": "pass"}), FULL - covering("zero_grad")),
}


def tree_digest(root):
    digest = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            digest[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def grade_alone(folder):
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--json", "--timeout", "5"],
                            cwd=REPO_ROOT, env=dict(os.environ, **CHALLENGE), capture_output=True, text=True,
                            timeout=300, check=True)
    return json.loads(result.stdout)


def test_hostile_batch(tmp_path):
    submissions, out, grader_cwd = tmp_path / "class", tmp_path / "out", tmp_path / "grader"
    grader_cwd.mkdir()
    (grader_cwd / "grades.csv").write_text("instructor's own file\n")
    students = {**HONEST, **attacks(submissions, out, grader_cwd)}
    for name, (text, _) in students.items():
        (submissions / name).mkdir(parents=True)
        (submissions / name / "level1_manual.py").write_text(text)
    os.chmod(submissions, 0o700)  # as an instructor would keep a class's work
    before = tree_digest(submissions)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **CHALLENGE)
    result = subprocess.run([sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out),
                             "--timeout", "5", "--memory", "1024", "--workers", "2"],
                            cwd=grader_cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out / "grades.csv") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(students)
    reports = {name: json.loads((out / f"{name}.json").read_text()) for name in students}
    for name, (_, most) in students.items():
        level1 = reports[name]["levels"][0]["score"]
        assert level1 <= most, (name, level1, reports[name]["checks"])
        if reports[name]["status"] == "flagged":  # held for review: no score posted
            assert rows[name]["score"] == "" and rows[name]["status"] == "flagged", name
        else:
            assert float(rows[name]["score"]) == reports[name]["score"]
    # the attacks that patch torch or subclass Tensor are read before they run and held for review
    assert {name for name, report in reports.items() if report["status"] == "flagged"} == FLAGGED
    # every attack that fails by itself, the grader still reports; the honest get exactly their due
    assert reports["honest_full"]["score"] == FULL
    for name in HONEST:
        assert reports[name]["checks"] == grade_alone(submissions / name)["checks"]
    for name in ("prints_megabytes", "kills_parent", "kills_all_it_can", "deletes_siblings", "overwrites_results"):
        assert reports[name]["score"] == FULL, name  # the attack failed; the code itself is right
    messages = {c["id"]: c["message"] for c in reports["loop_forever"]["checks"]}
    assert "timed out after 5 s" in messages["level1.zero_grad"]
    messages = {c["id"]: c["message"] for c in reports["os_exit_mid_training"]["checks"]}
    assert "exited with code 7" in messages["level1.sgd_update"]
    # nothing outside the children's private copies changed
    assert tree_digest(submissions) == before
    assert (grader_cwd / "grades.csv").read_text() == "instructor's own file\n"
    assert not any("hacked" in p.read_text() for p in out.iterdir() if p.is_file())
