"""A flagged submission is held for review: graded, never posted as a grade, listed for the instructor."""

import csv
import json

import pytest

from autograder.checks import level_points
from autograder.levels import SOLUTIONS_DIR
from autograder.output.gradescope import gradescope_results
from autograder.output.grades_csv import write_grades_csv
from autograder.output.html import write_class_report, write_feedback
from autograder.results import CheckResult, Report, has_result, is_posted
from tests.conftest import run_cli
from tests.reports import read_report, valid_report
from tests.student_code import snippet

FLAG = {"file": "level1_manual.py", "line": 3, "why": "reads the grader's objects through gc.get_objects()"}


def report(flags=()):
    checks = [CheckResult("level1.forward", 1, 3, 3, True, "ok"), CheckResult("level1.mse", 1, 0, 3, False, "no")]
    return Report.graded("ann", "cpu", checks, "off", [1], flags=list(flags)).to_json()


def test_a_flagged_report_is_held_not_posted(tmp_path):
    flagged, honest = valid_report(report([FLAG])), valid_report(report())
    assert flagged["status"] == "flagged" and flagged["flags"] == [FLAG] and flagged["score"] == 3
    assert honest["status"] == "graded" and honest["flags"] == []
    assert has_result(flagged) and not is_posted(flagged) and is_posted(honest)

    write_grades_csv(tmp_path / "grades.csv", ["ann", "ben"], {"ann": flagged, "ben": honest}, [1])
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert rows[0] == {"student_id": "ann", "score": "", "max_score": "", "level1": "", "status": "flagged",
                       "graded_at": flagged["graded_at"], "kit_version": flagged["kit_version"], "device": "cpu",
                       "isolation": "off"}
    assert rows[1]["score"] == "3" and rows[1]["status"] == "graded"

    held = gradescope_results(flagged)
    assert held["score"] == 0 and held["tests"] == [] and "Held for review" in held["output"]
    assert gradescope_results(honest)["score"] == 3

    page = write_feedback(flagged, tmp_path / "ann").read_text()
    assert "Held for review" in page and "Total:" not in page and "gc.get_objects" not in page  # no map for evasion

    write_class_report(tmp_path, {"ben": honest}, {"students": 1, "mean": 3, "stdev": 0, "min": 3, "max": 3,
                                                     "mistakes": [], "limits": []}, [1], {"ann": flagged})
    html = (tmp_path / "report.html").read_text()
    assert "Held for review (1)" in html and "gc.get_objects()" in html and "level1_manual.py:3" in html


@pytest.mark.slow
def test_batch_holds_a_flagged_student_and_grades_the_others(tmp_path):
    submissions = tmp_path / "class"
    reference = (SOLUTIONS_DIR / "level1_manual.py").read_text()
    (submissions / "honest").mkdir(parents=True)
    (submissions / "honest" / "level1_manual.py").write_text(reference)
    (submissions / "reacher").mkdir()
    reacher = snippet("flagged_reports", "reacher")  # after a blank line: its 2nd line is line count + 3
    (submissions / "reacher" / "level1_manual.py").write_text(reference + "\n" + reacher + "\n")
    result = run_cli("batch", submissions, "--out", tmp_path / "out", "--levels", "1", "--workers", "2")
    assert result.returncode == 0, result.stderr
    rows = {row["student_id"]: row for row in csv.DictReader(open(tmp_path / "out" / "grades.csv"))}
    assert rows["honest"]["score"] == str(level_points(1)) and rows["honest"]["status"] == "graded"
    assert rows["reacher"]["score"] == "" and rows["reacher"]["status"] == "flagged"
    held = read_report(tmp_path / "out" / "reacher.json")
    assert held["status"] == "flagged" and held["flags"][0]["line"] == reference.count("\n") + 3
    assert any("gc.get_objects" in flag["why"] for flag in held["flags"])
    assert read_report(tmp_path / "out" / "honest.json")["flags"] == []
    assert "HELD FOR REVIEW: 1 students" in result.stdout + result.stderr
    assert "Held for review" in (tmp_path / "out" / "report.html").read_text()
    results = json.loads((tmp_path / "out" / "feedback" / "reacher" / "results.json").read_text())
    assert results["score"] == 0 and "Held for review" in results["output"]
    written = (tmp_path / "out" / "reacher.json").stat().st_mtime_ns
    again = run_cli("batch", submissions, "--out", tmp_path / "out", "--levels", "1")  # a held result is a result
    assert again.returncode == 0 and (tmp_path / "out" / "reacher.json").stat().st_mtime_ns == written
