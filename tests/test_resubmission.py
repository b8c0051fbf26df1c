"""A rerun of batch regrades exactly the students whose result no longer matches what it was graded
from, says why, keeps the others; --only regrades those named; a grader that died while grading a
student never dies on them again and again."""

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

import autograder.batch.policy
from autograder.batch import records
from autograder.checks import _registry
from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def small_class(root, names):
    for name in names:
        (root / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS_DIR / "level1_manual.py", root / name)
    return root


def batch(submissions, out, *args):
    return run_cli("batch", submissions, "--out", out, "--workers", "2", *args)


def said(result):
    """What the batch printed of its results (stdout), with any line breaks joined again."""
    return " ".join(result.stdout.split())


def stamps(out):
    return {p.stem: p.stat().st_mtime_ns for p in out.glob("*.json")}


def rows(out):
    with open(out / "grades.csv") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture
def graded(tmp_path):
    submissions, out = small_class(tmp_path / "class", ("ann", "ben", "cat")), tmp_path / "out"
    first = batch(submissions, out)
    assert first.returncode == 0, first.stderr
    return submissions, out


@pytest.fixture
def graded_by(monkeypatch):
    """Which students the next batch in this process grades (their folder names), in order."""
    seen, real = [], autograder.batch.policy.grade

    def grade(folder, *args, **kwargs):
        seen.append(folder.name)
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(autograder.batch.policy, "grade", grade)
    return seen


def test_a_rerun_regrades_exactly_what_changed_and_says_why(graded, graded_by):
    submissions, out = graded
    before = stamps(out)
    with open(submissions / "ben" / "level1_manual.py", "a") as handle:
        handle.write("# resubmitted\n")
    small_class(submissions, ("dan",))
    report = json.loads((out / "cat.json").read_text())
    (out / "cat.json").write_text(json.dumps(dict(report, status="not_graded", reason="a worker died")))
    again = batch(submissions, out)
    assert again.returncode == 0, again.stderr
    assert sorted(graded_by) == ["ben", "cat", "dan"]
    assert stamps(out)["ann"] == before["ann"]
    assert "graded 3 students" in said(again) and "1 already graded and unchanged" in said(again)
    assert ("graded because: files changed: 1 (ben); not graded before: 1 (cat); new: 1 (dan)"
            in said(again))
    assert {row["status"] for row in rows(out).values()} == {"graded"} and len(rows(out)) == 4
    graded_by.clear()
    assert "graded 0 students" in said(batch(submissions, out)) and graded_by == []


def test_a_new_rubric_or_kit_regrades_everyone(graded, graded_by, monkeypatch):
    submissions, out = graded
    check = _registry()["level1.mse"]
    monkeypatch.setitem(_registry(), check.id, replace(check, points=check.points + 1))
    again = batch(submissions, out)
    assert sorted(graded_by) == ["ann", "ben", "cat"] and "rubric changed: 3 (ann, ben, cat)" in said(again)
    assert {row["max_score"] for row in rows(out).values()} == {"101"}  # one rubric in grades.csv
    graded_by.clear()
    monkeypatch.setattr(records, "kit_version", lambda: "0.2.0")
    again = batch(submissions, out)
    assert sorted(graded_by) == ["ann", "ben", "cat"] and "kit changed: 3" in said(again)


def test_what_a_result_was_graded_from(tmp_path):
    folder = small_class(tmp_path, ("ann",)) / "ann"
    source = records.graded_from(folder, (1, 2), "cpu")
    assert source["levels"] == [1, 2] and source["device"] == "cpu" and source["kit"] == records.kit_version()
    assert source["rubric"] != records.rubric_digest((1,))
    (folder / ".DS_Store").write_text("x")  # hidden files and caches are not the student's work
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "x.pyc").write_text("x")
    assert records.files_digest(folder) == source["files"]
    (folder / "notes.txt").write_text("x")  # a file's name and its contents count
    named = records.files_digest(folder)
    (folder / "notes.txt").write_text("y")
    assert len({source["files"], named, records.files_digest(folder)}) == 3
    (folder / "notes.txt").unlink()
    (folder / "notes.txt").symlink_to("/etc/hostname")  # a link counts by its target's name: never read
    linked = records.files_digest(folder)
    (folder / "notes.txt").unlink()
    (folder / "notes.txt").symlink_to("/etc/hosts")
    assert records.files_digest(folder) != linked


def test_only_regrades_those_named(graded, graded_by):
    submissions, out = graded
    with open(submissions / "ann" / "level1_manual.py", "a") as handle:
        handle.write("# resubmitted\n")
    again = batch(submissions, out, "--only", "ben")
    assert again.returncode == 0, again.stderr
    assert graded_by == ["ben"] and "graded because: --only: 1 (ben)" in said(again)
    assert "not regraded (--only), though a rerun would grade them: files changed: 1 (ann)" in said(again)


@pytest.mark.parametrize("only, says", [(["zed"], "--only zed: no such student"),
                                        (["ben", "zed", "yan"], "--only zed yan: no such student")])
def test_only_an_unknown_student_is_a_usage_error(graded, graded_by, only, says):
    submissions, out = graded
    result = batch(submissions, out, "--only", *only)
    assert result.returncode == 2 and says in result.stderr and "ann, ben, cat" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == "" and graded_by == []


def test_only_never_mixes_two_rubrics(graded, graded_by, monkeypatch):
    submissions, out = graded
    check = _registry()["level1.mse"]
    monkeypatch.setitem(_registry(), check.id, replace(check, points=check.points + 1))
    result = batch(submissions, out, "--only", "ben")
    assert result.returncode == 2 and "would mix two rubrics" in result.stderr and "rejudge" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == "" and graded_by == []


DIES_ON_BAD = """
import os, sys
from pathlib import Path
import autograder.batch.policy as policy
real = policy.grade
def grade(folder, *args, **kwargs):  # the grading process killed (for memory, say) while on this student
    if Path(folder).name == "bad":
        os._exit(137)
    return real(folder, *args, **kwargs)
policy.grade = grade
from autograder.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_student_the_grader_died_on_is_retried_last_alone_then_held(tmp_path, graded_by):
    submissions, out = small_class(tmp_path / "class", ("bad", "cat", "dan")), tmp_path / "out"
    command = [sys.executable, "-c", DIES_ON_BAD, "batch", str(submissions), "--out", str(out), "--workers", "1"]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    first = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 137 and stamps(out) == {}  # bad is graded first (one worker, in name order)
    assert records.marked(out) == {"bad": False}
    second = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 137
    assert sorted(stamps(out)) == ["cat", "dan"], "the others are graded before the student it died on"
    assert records.marked(out) == {"bad": True}
    third = batch(submissions, out)  # held now: nobody is graded into the same crash
    assert third.returncode == 1 and graded_by == []
    assert "held for review, not graded: bad" in said(third)
    held = json.loads((out / "bad.json").read_text())
    assert held["status"] == "not_graded" and held["reason"] == records.HELD.format(student="bad")
    assert rows(out)["bad"]["status"] == "not graded" and rows(out)["cat"]["status"] == "graded"
    assert records.marked(out) == {}
    assert batch(submissions, out).returncode == 1 and graded_by == []  # a plain rerun keeps holding them
    regraded = batch(submissions, out, "--only", "bad")
    assert regraded.returncode == 0 and graded_by == ["bad"] and rows(out)["bad"]["status"] == "graded"


def test_ctrl_c_is_not_a_crash(tmp_path, monkeypatch):
    """Stopped on purpose, the students in progress are no suspects: no marker, graded as usual next time."""
    submissions, out = small_class(tmp_path / "class", ("ann", "ben")), tmp_path / "out"
    real = autograder.batch.policy.grade

    def grade(folder, *args, **kwargs):
        if folder.name == "ben":
            raise KeyboardInterrupt
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(autograder.batch.policy, "grade", grade)
    assert batch(submissions, out, "--workers", "1").returncode == 130
    assert records.marked(out) == {}
    monkeypatch.setattr(autograder.batch.policy, "grade", real)
    again = batch(submissions, out)
    assert again.returncode == 0 and "graded because: new: 1 (ben)" in said(again)
