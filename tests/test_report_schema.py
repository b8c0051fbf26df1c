"""The report format is a public one: the schema it ships with accepts every kind of report the
kit writes and refuses what it must not hold."""

import copy

import pytest

from autograder.checks import all_checks, level_points
from autograder.grade import build_report, not_graded_report
from autograder.judge import judge_level
from autograder.levels import LEVEL_FILES, LEVELS, SOLUTIONS_DIR
from autograder.probe.run import load_and_probe
from tests.catalog import MISTAKES, write_submission
from tests.reports import valid_report, validator


def graded(path_for):
    results = []
    for level in LEVELS:
        results += judge_level(level, load_and_probe(level, path_for(level), "cpu"), "cpu")
    return build_report("somewhere", "cpu", results, "bubblewrap sandbox per student")


@pytest.fixture(scope="session")  # built once per test process
def full_report():
    return graded(lambda level: SOLUTIONS_DIR / LEVEL_FILES[level])


def test_full_marks_failures_and_not_graded_reports_are_valid(full_report, tmp_path):
    assert valid_report(full_report)["score"] == sum(c.points for c in all_checks().values())
    entry = next(m for m in MISTAKES if m.level == 1)
    path = write_submission(entry, tmp_path / "one")
    results = judge_level(1, load_and_probe(1, path, "cpu"), "cpu") + judge_level(2, None, "cpu")
    report = valid_report(build_report(tmp_path / "one", "cpu", results))
    assert report["score"] < level_points(1) + level_points(2) and any(c["diagnosis"] for c in report["checks"])
    assert valid_report(not_graded_report("x", "cpu", "no sandbox"))["score"] is None


@pytest.mark.parametrize("break_it", [
    lambda r: r.pop("checks"),
    lambda r: r.update(status="lost"),
    lambda r: r["checks"][0].update(points="3"),
    lambda r: r["checks"][0].update(id="../../etc"),
    lambda r: r.update(extra=1),
    lambda r: r.update(status="not_graded", reason="x"),  # a not-graded report with a score
    lambda r: r["curves"][0].update(reference=["x"]),
    lambda r: r.pop("assignment"),
    lambda r: r.update(assignment={"levels": [7]}),
    lambda r: r.update(assignment={"levels": []}),
    lambda r: r.update(assignment=None),  # a graded report always knows its levels
    lambda r: r.pop("files"),
    lambda r: r.update(files=[{"level": 1, "file": "level1_manual.py"}]),
    lambda r: r.update(format=1),
])
def test_the_schema_refuses_malformed_reports(full_report, break_it):
    report = copy.deepcopy(full_report)
    break_it(report)
    assert list(validator().iter_errors(report)), report.keys()


def test_a_report_is_about_its_assignments_levels_only(tmp_path):
    results = judge_level(1, load_and_probe(1, SOLUTIONS_DIR / LEVEL_FILES[1], "cpu"), "cpu")
    files = [{"level": 1, "file": "Level1_Manual.py", "note": "taken as level1_manual.py (the name differs in case)",
              "ignored": []}]
    report = valid_report(build_report(tmp_path, "cpu", results, "none", levels=[1], files=files))
    assert report["format"] == 2 and report["assignment"] == {"levels": [1]}
    assert report["score"] == report["max_score"] == level_points(1)
    assert report["levels"] == [{"level": 1, "score": level_points(1), "max_score": level_points(1)}]
    assert report["files"] == files
    assert valid_report(not_graded_report("x", "cpu", "no sandbox", [1]))["assignment"] == {"levels": [1]}
