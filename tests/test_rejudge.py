"""python -m autograder rejudge OUT: a class scored again from the probe data its batch kept, under the
current rubric, without running any student code; the probe data and its challenge stay the grader's."""

import csv
import json
import shutil
import stat
from dataclasses import replace

import pytest

import autograder.grade
import autograder.sandbox.runner
from autograder.checks import _registry, all_checks, level_points
from autograder.levels import SOLUTIONS_DIR
from tests.catalog import mutate
from tests.conftest import run_cli
from tests.reports import read_report

ALL = sum(check.points for check in all_checks().values())
L1 = level_points(1)
ANN = L1 + level_points(4)  # ann holds the reference of levels 1 and 4
FORWARD = all_checks()["level1.forward"].points  # made worth 8 below
MORE = 8 - FORWARD

pytestmark = pytest.mark.slow
CHALLENGE = "1987654321"  # long enough never to appear in a file by chance


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of two, batched once: ann (the reference) and ben (a wrong forward)."""
    root = tmp_path_factory.mktemp("rejudge")
    submissions = root / "class"
    for name in ("ann", "ben"):
        (submissions / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS_DIR / "level4_optim.py", submissions / name)
    shutil.copy(SOLUTIONS_DIR / "level1_manual.py", submissions / "ann")
    (submissions / "ben" / "level1_manual.py").write_text(mutate(1, {"level1.forward": "return (x * w).sum()"}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOGRADER_CHALLENGE", CHALLENGE)
        result = run_cli("batch", submissions, "--out", root / "out", "--workers", "2")
    assert result.returncode == 0, result.stderr
    return submissions, root / "out"


@pytest.fixture
def out(graded, tmp_path):
    """A copy of the batch's OUT for one test to rejudge."""
    copy = tmp_path / "out"
    shutil.copytree(graded[1], copy)
    return copy


@pytest.fixture
def no_sandbox(monkeypatch):
    """Any attempt to run student code fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a sandbox was started")

    monkeypatch.setattr(autograder.grade, "probe_sealed", refuse)
    monkeypatch.setattr(autograder.sandbox.runner, "probe_sealed", refuse)
    monkeypatch.setattr(autograder.sandbox.runner.Attempts, "run", refuse)


def worth(monkeypatch, check_id, points):
    """The rubric with one check worth other points, in this process."""
    monkeypatch.setitem(_registry(), check_id, replace(_registry()[check_id], points=points))


def scores(out):
    with open(out / "grades.csv") as handle:
        return {row["student_id"]: (row["score"], row["max_score"], row["level1"]) for row in csv.DictReader(handle)}


def test_an_unchanged_rubric_rejudges_to_the_same_reports(out, no_sandbox):
    before = {p.name: p.read_text() for p in out.glob("*.json")}
    result = run_cli("rejudge", out)
    assert result.returncode == 0, result.stderr
    assert "unchanged: 2 students" in result.stdout and "(0 changed)" in result.stdout
    assert {p.name: p.read_text() for p in out.glob("*.json")} == before


def test_new_points_rescore_the_class_without_running_student_code(out, no_sandbox, monkeypatch):
    old = {s: read_report(out / f"{s}.json") for s in ("ann", "ben")}
    assert scores(out) == {"ann": (str(ANN), str(ALL), str(L1)),
                           "ben": (str(old["ben"]["score"]), str(ALL), str(old["ben"]["levels"][0]["score"]))}
    worth(monkeypatch, "level1.forward", 8)  # was 3
    result = run_cli("rejudge", out)
    assert result.returncode == 0, result.stderr
    ann, ben = read_report(out / "ann.json"), read_report(out / "ben.json")
    assert (ann["score"], ann["max_score"]) == (ANN + MORE, ALL + MORE)
    assert (ben["score"], ben["max_score"]) == (old["ben"]["score"], ALL + MORE)  # a failed check is still 0, of 8 now
    assert next(c for c in ann["checks"] if c["id"] == "level1.forward")["points"] == 8
    assert scores(out) == {"ann": (str(ANN + MORE), str(ALL + MORE), str(L1 + MORE)),
                           "ben": (str(ben["score"]), str(ALL + MORE), str(ben["levels"][0]["score"]))}
    assert (f"ann: {ANN}/{ALL} -> {ANN + MORE}/{ALL + MORE} (level1.forward {FORWARD}/{FORWARD} -> 8/8)"
            in result.stdout)
    assert (f"ben: {old['ben']['score']}/{ALL} -> {ben['score']}/{ALL + MORE} (level1.forward 0/{FORWARD} -> 0/8)"
            in result.stdout)
    assert str(ALL + MORE) in (out / "feedback" / "ann" / "index.html").read_text()
    assert json.loads((out / "feedback" / "ann" / "results.json").read_text())["score"] == ANN + MORE


def test_a_rejudged_class_is_kept_by_the_next_batch(graded, out, no_sandbox, monkeypatch):
    """The records now say the new rubric: a batch has nobody to regrade (and could not: no sandbox)."""
    worth(monkeypatch, "level1.forward", 8)
    assert run_cli("rejudge", out).returncode == 0
    again = run_cli("batch", graded[0], "--out", out)
    assert again.returncode == 0, again.stderr
    assert "graded 0 students" in again.stdout and "2 already graded and unchanged" in again.stdout
    assert scores(out)["ann"] == (str(ANN + MORE), str(ALL + MORE), str(L1 + MORE))


def test_the_probe_data_and_its_challenge_stay_the_graders(graded):
    _, out = graded
    folder = out / ".probes"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    record = json.loads((folder / "ann.json").read_text())
    assert record["challenge"] == int(CHALLENGE) and record["probes"]["1"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    shown = [p for p in out.rglob("*") if p.is_file() and folder not in p.parents]
    assert shown and not [p for p in shown if CHALLENGE in p.read_text(errors="replace")]


def test_a_folder_without_probe_records_is_a_usage_error(tmp_path, graded):
    result = run_cli("rejudge", tmp_path)
    assert result.returncode == 2 and "no probe records of a finished batch there" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_a_student_without_probe_data_stops_the_rejudge_before_it_writes(out, no_sandbox):
    (out / ".probes" / "ben.json").unlink()
    before = (out / "grades.csv").read_text()
    result = run_cli("rejudge", out)
    assert result.returncode == 2 and "no probe data for ben" in result.stderr
    assert (out / "grades.csv").read_text() == before


def test_a_check_nobody_probed_needs_a_batch(out, no_sandbox, monkeypatch):
    added = replace(_registry()["level1.forward"], id="level1.forward_again")
    monkeypatch.setitem(_registry(), added.id, added)
    result = run_cli("rejudge", out)
    assert result.returncode == 2 and "level1.forward_again never probed" in result.stderr
