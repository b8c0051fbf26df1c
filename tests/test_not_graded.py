"""A student the grader could not grade is recorded as "not graded", never as 0, and a rerun
grades them without --force."""

import csv
import shutil

import pytest

from autograder.checks import level_points
from autograder.cli import main
from autograder.levels import SOLUTIONS_DIR
from autograder.sandbox import jail, zygote
from tests.reports import read_report

pytestmark = pytest.mark.slow


def make_class(root, names):
    for name in names:
        (root / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS_DIR / "level1_manual.py", root / name)


def rows(out):
    with open(out / "grades.csv") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_broken_sandboxes_are_not_grades_and_a_rerun_grades_them(tmp_path, monkeypatch, capsys):
    submissions, out = tmp_path / "class", tmp_path / "out"
    make_class(submissions, ["ann", "ben"])
    assert jail.check_available() is None  # the real check passes (and is kept) before the sandboxes break
    broken = lambda *args, **kwargs: ["/bin/sh", "-c", "echo broken >&2; exit 3"]  # noqa: E731
    monkeypatch.setattr(jail, "command", broken)
    monkeypatch.setattr(jail, "zygote_command", broken)  # the warm interpreter's sandbox as well
    monkeypatch.setattr(zygote, "_idle", [])  # and none started before the sandboxes broke
    assert main(["batch", str(submissions), "--out", str(out), "--workers", "1"]) == 1
    printed = capsys.readouterr().err
    assert "NOT GRADED: 2 students" in printed and "could not start a sandbox" in printed, printed
    for name, row in rows(out).items():
        assert row["status"] == "not graded" and row["score"] == "" and row["level1"] == "", row
        report = read_report(out / f"{name}.json")
        assert report["status"] == "not_graded" and report["score"] is None
        assert "broken" in report["reason"], report["reason"]
    monkeypatch.undo()
    assert main(["batch", str(submissions), "--out", str(out), "--workers", "1"]) == 0  # no --force
    for row in rows(out).values():
        assert row["status"] == "graded" and row["score"] == str(level_points(1)), row
