"""A course of one level, from release to grades: every output is about the assigned level only."""

import csv
import json
import zipfile

import pytest

from autograder.checks import all_checks, level_points
from autograder.levels import LEVELS, REPO_ROOT, SOLUTIONS_DIR
from tests.catalog import mutate
from tests.conftest import run_cli
from tests.reports import read_report, valid_report
from tests.test_gradescope import run_autograder, valid_results

L1 = level_points(1)  # what a level-1 assignment is out of
ALL = sum(check.points for check in all_checks().values())

pytestmark = pytest.mark.slow

OTHER_LEVELS = ("level2", "level3", "level4", "level5", "Level 2", "Level 3", "Level 4", "Level 5")


def mentions_other_levels(text):
    return [word for word in OTHER_LEVELS if word in text]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """release OUT --levels 1, then a class of three: the reference, a mistake under a near-miss
    name, and the released stubs untouched (each with a level 2 file that nobody asked for)."""
    root = tmp_path_factory.mktemp("course")
    released = run_cli("release", root / "release", "--levels", "1", cwd=REPO_ROOT)
    assert released.returncode == 0, released.stderr
    submissions = root / "submissions"
    files = {"ann": ("level1_manual.py", (SOLUTIONS_DIR / "level1_manual.py").read_text()),
             "ben": ("Level1_Manual.py", mutate(1, {"level1.zero_grad": "pass"})),
             "cat": ("level1_manual.py", (root / "release" / "level1_manual.py").read_text())}
    for student, (name, text) in files.items():
        (submissions / student).mkdir(parents=True)
        (submissions / student / name).write_text(text)
        (submissions / student / "level2_dataset.py").write_text((SOLUTIONS_DIR / "level2_dataset.py").read_text())
    batch = run_cli("batch", submissions, "--out", root / "out", "--levels", "1", "--workers", "2", cwd=REPO_ROOT)
    assert batch.returncode == 0, batch.stderr
    return root, batch


def test_the_release_records_its_levels_for_its_grader(course):
    root, _ = course
    record = root / "release" / "grader" / "autograder" / "assignment.json"
    assert json.loads(record.read_text()) == {"levels": [1]}
    assert 'autograder = ["reference_data/*.json", "assignment.json"]' in (root / "release" / "grader" /
                                                                           "pyproject.toml").read_text()


def test_batch_scores_out_of_25_with_one_level_column(course):
    root, batch = course
    out = root / "out"
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["student_id", "score", "max_score", "level1", "status",  # the levels: one column each
                       "graded_at", "kit_version", "device", "isolation"]  # what each row was graded with
    scores = {row[0]: row for row in rows[1:]}
    assert scores["ann"][1:5] == [str(L1), str(L1), str(L1), "graded"]
    assert scores["ben"][2] == str(L1) and 0 < float(scores["ben"][1]) < L1
    assert scores["cat"][1:5] == ["0", str(L1), "0", "graded"]
    for student in ("ann", "ben", "cat"):
        report = read_report(out / f"{student}.json")
        assert scores[student][5:] == [report["graded_at"], report["kit_version"], report["device"],
                                       report["isolation"]]
        assert scores[student][5].endswith("Z") and scores[student][7] == "cpu"
        assert "bubblewrap sandbox" in scores[student][8]
        assert report["assignment"] == {"levels": [1]} and report["max_score"] == L1
        assert {c["level"] for c in report["checks"]} == {1} and [lvl["level"] for lvl in report["levels"]] == [1]
        page = (out / "feedback" / student / "index.html").read_text()
        assert mentions_other_levels(page) == [] and f"/{L1}" in page
    assert json.loads((out / "ben.json").read_text())["files"][0]["file"] == "Level1_Manual.py"
    assert "ben: Level1_Manual.py: taken as level1_manual.py" in " ".join(batch.stdout.split())
    assert mentions_other_levels((out / "report.html").read_text() + (out / "class" / "all_students_gradescope.json")
                                 .read_text()) == []
    assert f"out of {L1}" in (out / "report.html").read_text()


def test_a_rerun_for_other_levels_does_not_mix_assignments(course):
    root, _ = course
    again = run_cli("batch", root / "submissions", "--out", root / "out", cwd=REPO_ROOT)  # all five by default
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1 and again.stdout == ""
    assert "graded for level 1" in again.stderr and "--force" in again.stderr
    same = run_cli("batch", root / "submissions", "--out", root / "out", "--levels", "1", cwd=REPO_ROOT)
    assert same.returncode == 0 and "3 already graded" in same.stdout


def test_the_gradescope_zip_of_one_level_grades_that_level(tmp_path):
    archive = tmp_path / "autograder.zip"
    made = run_cli("gradescope", archive, "--levels", "1", cwd=REPO_ROOT)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "gs"
    with zipfile.ZipFile(archive) as opened:
        assert json.loads(opened.read("autograder/assignment.json")) == {"levels": [1]}
        opened.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "level1_manual.py").write_text((SOLUTIONS_DIR / "level1_manual.py").read_text())
    (root / "submission" / "level2_dataset.py").write_text("raise SystemExit  # not part of the assignment\n")
    results = valid_results(run_autograder(root, tmp_path))
    assert results["score"] == L1 and results["tests"] and all(t["name"].startswith("level1.")
                                                               for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == L1
    report = valid_report(json.loads((root / "results" / "report.json").read_text()))
    assert report["max_score"] == L1 and report["assignment"] == {"levels": [1]}


def test_grade_of_one_level_mentions_no_other(course, tmp_path):
    root, _ = course
    ann = root / "submissions" / "ann"
    result = run_cli("grade", ann, "--levels", "1", "--json", "--feedback", tmp_path / "fb", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    report = valid_report(json.loads(result.stdout))
    assert report["score"] == report["max_score"] == L1
    assert mentions_other_levels(json.dumps({k: v for k, v in report.items() if k != "submission"})) == []
    assert mentions_other_levels((tmp_path / "fb" / "index.html").read_text()) == []
    table = run_cli("grade", ann, "--levels", "1", cwd=REPO_ROOT)
    assert f"total: {L1}/{L1}" in table.stdout and mentions_other_levels(table.stdout) == []
    every = run_cli("grade", ann, "--json", cwd=REPO_ROOT)  # a folder without --levels: all five, as before
    assert json.loads(every.stdout)["max_score"] == ALL


@pytest.mark.parametrize("command", ["grade", "batch", "gradescope", "release"])
@pytest.mark.parametrize("value", ["7", "0", "one"])
def test_a_level_that_does_not_exist_is_one_line_and_exit_2(tmp_path, command, value):
    target = {"grade": [SOLUTIONS_DIR], "batch": [REPO_ROOT / "examples" / "class", "--out", tmp_path / "out"],
              "gradescope": [tmp_path / "a.zip"], "release": [tmp_path / "release"]}[command]
    result = run_cli(command, *target, "--levels", "1", value, cwd=REPO_ROOT)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""
    assert f"{value} is not a level; give one or more of {', '.join(map(str, LEVELS))}" in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "a.zip").exists()
