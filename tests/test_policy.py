"""One student's data never ends the batch (autograder/batch/policy.py): strange text and folder
names cost only their own student."""

import csv
import os
import shutil

import pytest

from autograder.checks import level_points
from autograder.cli import main
from autograder.levels import SOLUTIONS_DIR
from tests.student_code import snippet


@pytest.mark.slow
def test_strange_text_and_names_cost_only_their_student(tmp_path):
    submissions, out = tmp_path / "class", tmp_path / "out"
    reference = (SOLUTIONS_DIR / "level1_manual.py").read_text()
    students = {
        "surrogate": snippet("policy", "surrogate") + "\n",
        "=cmd|' -C calc'!A0": reference,
        os.fsdecode(b"caf\xe9"): reference,  # a folder name that is not UTF-8
        "honest": reference,
    }
    for name, text in students.items():
        (submissions / name).mkdir(parents=True)
        (submissions / name / "level1_manual.py").write_text(text)
    (submissions / ".hidden").mkdir()
    shutil.copy(SOLUTIONS_DIR / "level1_manual.py", submissions / ".hidden")
    assert main(["batch", str(submissions), "--out", str(out), "--workers", "2"]) == 0
    with open(out / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    full = str(level_points(1))
    assert rows["honest"]["score"] == full and rows["surrogate"]["score"] == "0"
    assert rows["'=cmd|' -C calc'!A0"]["score"] == full
    assert rows["caf\\xe9"]["score"] == full
    assert ".hidden" not in rows and (out / "report.html").is_file()
