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

from autograder.batch.run import BatchResult
from autograder.batch.summary import CONSEQUENCES, LIMIT_DIAGNOSES, NOT_MISTAKES, summarize
from autograder.checks import all_checks, level_points
from autograder.checks.diagnoses import DIAGNOSES
from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from autograder.output.terminal_batch import SHOWN_MISTAKES, print_summary
from tests.conftest import run_cli
from tests.reports import read_report

ALL = sum(check.points for check in all_checks().values())
L1_L4 = level_points(1) + level_points(4)  # small_class: levels 1 and 4 of the reference

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
                                                     "level3", "level4", "level5", "status", "graded_at",
                                                     "kit_version", "device", "isolation"]
    assert {row["status"] for row in rows.values()} == {"graded"}
    assert rows["alice"]["score"] == str(ALL) and rows["ivan"]["score"] == "0"
    assert rows["grace"]["level5"] == "0" and rows["frank"]["level3"] == "0"
    grace = read_report(out / "grace.json")
    # --timeout is the checks' limit: an import keeps its own 20 s
    assert any("timed out after 20 s" in c["message"] for c in grace["checks"] if c["level"] == 5)
    frank = read_report(out / "frank.json")
    assert any("exited with code 1" in c["message"] for c in frank["checks"] if c["level"] == 3)
    summary = result.stdout
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
    assert again.returncode == 0 and "graded 1 students" in again.stdout and "2 already graded" in again.stdout
    assert (out / "ann.json").stat().st_mtime_ns == stamps["ann.json"]
    assert len(read_csv(out / "grades.csv")) == 3
    forced = batch(submissions, out, "--force")
    assert "graded 3 students" in forced.stdout
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
        assert json.loads(path.read_text())["score"] == L1_L4
    result = batch(submissions, out)
    assert result.returncode == 0
    assert f"{len(written)} already graded" in result.stdout
    assert [row["score"] for row in read_csv(out / "grades.csv")] == [str(L1_L4)] * 8
    assert not list((out / ".probes").glob("*.grading"))  # the student in progress at the kill was graded again


def test_usage_errors(tmp_path):
    for result in (batch(tmp_path / "missing", tmp_path / "out"), batch(tmp_path, tmp_path / "out", "--workers", "0")):
        assert result.returncode == 2 and result.stdout == ""  # one line, on stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")


def test_an_out_folder_inside_the_class_is_not_a_student(tmp_path):
    submissions = small_class(tmp_path / "class", names=("ann",))
    assert batch(submissions, submissions / "results").returncode == 0
    assert batch(submissions, submissions / "results").returncode == 0  # and a rerun still sees one student
    assert [row["student_id"] for row in read_csv(submissions / "results" / "grades.csv")] == ["ann"]


def test_results_go_to_stdout_and_the_progress_bar_to_stderr(tmp_path):
    """`batch ... > log` keeps the results; the bar goes where errors go, and every path printed is real."""
    submissions, out = small_class(tmp_path / "my class", names=("ann",)), tmp_path / "my results"
    (submissions / "cat").mkdir()
    (submissions / "cat" / "notes.txt").write_text("no level file here\n")
    done = subprocess.run([sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out),
                           "--levels", "1", "--workers", "2"], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results, progress = done.stdout, done.stderr
    assert "graded 2 students for level 1" in results and "scores: mean" in results and "isolation: " in results
    assert f"results in {out / 'grades.csv'}, class report {out / 'report.html'}" in results
    assert f"feedback pages in {out / 'feedback'}/" in results
    assert f"files belong directly in {submissions / '<student>'}/" in results  # the hint names the real folder
    assert "OUT/" not in results and "SUBMISSIONS" not in results
    assert "grading" not in results and "eta" not in results and "2/2" not in results  # no bar in the log
    assert "grading" in progress and "2/2" in progress  # the bar, as it ended
    assert "graded 2 students" not in progress and "scores: mean" not in progress
    for line in results.splitlines():  # whole lines, not cut at 80 columns: a log reads as printed
        assert not line.startswith(" " * 20), line


def test_the_summary_points_at_the_real_report_for_the_mistakes_it_leaves_out(tmp_path):
    import io

    from rich.console import Console

    codes = [code for code in DIAGNOSES if code not in NOT_MISTAKES | CONSEQUENCES | set(LIMIT_DIAGNOSES)]
    assert len(codes) > SHOWN_MISTAKES
    reports = {f"s{i:02d}": {"score": 0, "max_score": 25, "levels": [{"level": 1, "score": 0, "max_score": 25}],
                             "files": [], "checks": [{"id": "level1.forward", "level": 1, "points": 0,
                                                      "max_points": 3, "passed": False, "message": "no",
                                                      "diagnosis": code}]}
               for i, code in enumerate(codes)}
    result = BatchResult(students=sorted(reports), graded=sorted(reports), reports=reports,
                         summary=summarize(reports))
    printed = io.StringIO()
    print_summary(result, tmp_path / "fall term", Console(file=printed, soft_wrap=True), tmp_path / "class")
    text = printed.getvalue()
    assert f"and {len(codes) - SHOWN_MISTAKES} more ({tmp_path / 'fall term' / 'report.html'} lists them all)" in text
    assert "OUT/" not in text


def test_grades_csv_says_what_each_row_was_graded_with(tmp_path):
    """An LMS reads student_id and score as before; the columns after status say when, by which kit, on
    which device and under which isolation; a row the grader could not grade says no date or isolation."""
    from autograder.output.grades_csv import write_grades_csv
    from autograder.results import CheckResult, Report

    checks = [CheckResult("level1.forward", 1, 3, 3, True, "ok"), CheckResult("level3.forward", 3, 0, 5, False, "no")]
    graded = Report.graded("ann", "cuda", checks, "=off: --no-sandbox", [1, 3], graded_at="2026-01-02T03:04:05Z").to_json()
    missing = Report.not_graded("ben", "cpu", "the grader could not start a sandbox", [1, 3]).to_json()
    write_grades_csv(tmp_path / "grades.csv", ["ann", "ben", "cat"], {"ann": graded, "ben": missing}, [1, 3])
    with open(tmp_path / "grades.csv", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["student_id", "score", "max_score", "level1", "level3", "status",
                      "graded_at", "kit_version", "device", "isolation"]
    assert rows[0] == ["ann", "3", "8", "3", "0", "graded", "2026-01-02T03:04:05Z", graded["kit_version"], "cuda",
                       "'=off: --no-sandbox"]  # a cell a spreadsheet would run as a formula is quoted
    assert rows[1] == ["ben", "", "", "", "", "not graded", "", missing["kit_version"], "cpu", ""]
    assert len(rows) == 2  # cat has no report yet
