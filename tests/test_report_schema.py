"""The report format is a public one: the schema it ships with accepts every kind of report the
kit writes and refuses what it must not hold."""

import copy

import pytest

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
    assert valid_report(full_report)["score"] == 100
    entry = next(m for m in MISTAKES if m.level == 1)
    path = write_submission(entry, tmp_path / "one")
    results = judge_level(1, load_and_probe(1, path, "cpu"), "cpu") + judge_level(2, None, "cpu")
    report = valid_report(build_report(tmp_path / "one", "cpu", results))
    assert report["score"] < 45 and any(c["diagnosis"] for c in report["checks"])
    assert valid_report(not_graded_report("x", "cpu", "no sandbox"))["score"] is None


@pytest.mark.parametrize("break_it", [
    lambda r: r.pop("checks"),
    lambda r: r.update(status="lost"),
    lambda r: r["checks"][0].update(points="3"),
    lambda r: r["checks"][0].update(id="../../etc"),
    lambda r: r.update(extra=1),
    lambda r: r.update(status="not_graded", reason="x"),  # a not-graded report with a score
    lambda r: r["curves"][0].update(reference=["x"]),
])
def test_the_schema_refuses_malformed_reports(full_report, break_it):
    report = copy.deepcopy(full_report)
    break_it(report)
    assert list(validator().iter_errors(report)), report.keys()
