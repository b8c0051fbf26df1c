"""exercises/ is generated from solutions/ and the self-check behaves on both."""

import re
import shutil
import subprocess
import sys

import pytest

from autograder.authoring.exercises import MarkerError, make_exercise, stale_files, stubs_of, write_exercises
from autograder.checks import all_checks, checks_for_level
from autograder.levels import EXERCISES_DIR, LEVEL_FILES, REPO_ROOT, SOLUTIONS_DIR
from tests.catalog import Submission, write_submission

EXPECTED_STUBS = {
    1: ["make_data", "init_weights", "forward", "mse", "sgd_update", "zero_grad"],
    2: ["RandomData.__init__", "RandomData.__getitem__", "RandomData.__len__", "make_loader"],
    3: ["CustomLinearModel.__init__", "CustomLinearModel.forward"],
    4: ["CustomLinearModel.__init__", "CustomLinearModel.forward", "make_optimizer", "train_step"],
    5: ["make_model", "make_loss", "train_step"],
}


def run(*args, **kwargs):
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, **kwargs)


def test_exercises_are_up_to_date():
    result = run("-m", "autograder", "make-exercises", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_names_a_stale_file(tmp_path):
    exercises = tmp_path / "exercises"
    shutil.copytree(EXERCISES_DIR, exercises)
    (exercises / "level3_module.py").write_text("# edited\n")
    result = run("-m", "autograder", "make-exercises", "--check", "--exercises", str(exercises))
    assert result.returncode == 1
    assert "level3_module.py" in result.stdout and "level1_manual.py" not in result.stdout
    assert stale_files(exercises_dir=exercises) == [exercises / "level3_module.py"]


@pytest.mark.parametrize("level", sorted(LEVEL_FILES))
def test_every_stub_raises_with_its_name_and_a_hint(level):
    solution = (SOLUTIONS_DIR / LEVEL_FILES[level]).read_text()
    assert [stub.split(".", 1)[1] for stub, *_ in stubs_of(solution, level)] == EXPECTED_STUBS[level]
    exercise = (EXERCISES_DIR / LEVEL_FILES[level]).read_text()
    raised = re.findall(r"raise NotImplementedError\(['\"](level\d\.[\w.]+): (.+)['\"]\)", exercise)
    assert [stub for stub, _ in raised] == [f"level{level}.{s}" for s in EXPECTED_STUBS[level]]
    assert all(len(hint) > 15 for _, hint in raised)
    assert "BEGIN SOLUTION" not in exercise and "# hint:" not in exercise
    compile(exercise, LEVEL_FILES[level], "exec")


def test_markers_must_be_well_formed():
    with pytest.raises(MarkerError, match="never closed"):
        make_exercise("def f():\n    ### BEGIN SOLUTION\n    return 1\n", 1)
    with pytest.raises(MarkerError, match="inside a function"):
        make_exercise("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", 1)


@pytest.mark.slow  # a whole self-check in a child process
def test_untouched_stubs_fail_every_self_check():
    # -rN: no short summary, which pytest prints whole (every message again) where CI is set
    result = run("-m", "pytest", "exercises", "-q", "-rN")
    assert result.returncode == 1
    assert re.search(rf"\b{len(all_checks())} failed\b", result.stdout)
    assert "passed" not in result.stdout.splitlines()[-1]
    # one message per stub, under the first check it fails, with every check it blocks and their points
    assert result.stdout.count("not implemented yet: level1.forward:") == 1, result.stdout
    assert "blocks 3 checks: level1.forward (3 points), level1.gradient (3 points), level1.train (2 points)" \
        in result.stdout
    assert result.stdout.count("blocked by level1.forward: not implemented yet (the message is under "
                               "level1.forward)") == 2
    stubs = sum(len(stubs) for stubs in EXPECTED_STUBS.values())
    assert result.stdout.count("still raises NotImplementedError") == 1  # the hint: background, said once
    assert len(re.findall(r"^not implemented yet: ", result.stdout, re.M)) == stubs
    # the session ends with the points, level by level, then in all
    lines = result.stdout.strip().splitlines()
    for level in LEVEL_FILES:
        assert any(line.startswith("self-check: 0/") and line.endswith(
            f"points for level{level} (the grader runs the same checks on fresh inputs)") for line in lines), level
    assert lines[-2] == "self-check: 0/100 points in all for levels 1, 2, 3, 4, 5"
    assert "  not started yet: level1.make_data (2 checks, 5 points), level1.init_weights (1 check, 2 points)" \
        in result.stdout


@pytest.mark.slow  # a whole self-check in a child process
def test_the_self_check_ends_with_the_points_it_would_earn(tmp_path):
    write_submission(Submission("sum", "level1.mse", "return ((y - yhat) ** 2).sum()"), tmp_path / "mine")
    result = run("-m", "pytest", "exercises", "-q", "-m", "level1", "--submission", str(tmp_path / "mine"),
                 timeout=300)
    assert result.returncode == 1, result.stdout[-3000:]
    lines = result.stdout.strip().splitlines()
    # mse (3), gradient (3) and train (2) fail: 25 - 8
    assert lines[-2] == "self-check: 17/25 points for level1 (the grader runs the same checks on fresh inputs)"
    assert "3 failed, 6 passed" in lines[-1] and "not started" not in result.stdout


@pytest.mark.slow  # a whole self-check in a child process
def test_solutions_pass_every_self_check():
    result = run("-m", "pytest", "exercises", "-q", "--submission", "solutions")
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{len(all_checks())} passed" in result.stdout


@pytest.mark.slow  # a whole self-check in a child process
def test_level_marker_selects_one_level():
    result = run("-m", "pytest", "exercises", "-q", "-m", "level2", "--submission", "solutions")
    assert result.returncode == 0 and f"{len(checks_for_level(2))} passed" in result.stdout, result.stdout[-2000:]


@pytest.mark.slow
def test_a_hang_or_an_exit_in_a_stub_costs_one_check_and_pytest_still_reports(tmp_path):
    """The self-check runs student code in a child process under the grader's time limits."""
    submission = tmp_path / "mine"
    write_submission(Submission("hangs", "level1.zero_grad", "while True:\n    pass"), submission)
    write_submission(Submission("exits", "level3.CustomLinearModel.forward", "import os\nos._exit(0)"), submission)
    result = run("-m", "pytest", "exercises", "-q", "-m", "level1 or level3", "--submission", str(submission),
                 timeout=300)
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1, result.stdout[-3000:]
    assert "failed" in last and "passed" in last, last
    assert "level1.zero_grad" in result.stdout and "timed out" in result.stdout
    assert "level3.forward" in result.stdout


def make_exercises(capsys, solutions, exercises, *extra):
    from autograder.cli import main

    code = main(["make-exercises", "--solutions", str(solutions), "--exercises", str(exercises), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_exercise_edited_outside_its_stubs_is_never_overwritten_without_force(tmp_path, capsys):
    exercises = tmp_path / "exercises"
    write_exercises(SOLUTIONS_DIR, exercises)
    noted = exercises / "level2_dataset.py"
    noted.write_text(noted.read_text() + "# note to self: ask about shuffle\n")
    code, out, err = make_exercises(capsys, SOLUTIONS_DIR, exercises)
    assert code == 2 and str(noted) in err and "level1_manual.py" not in err and "--force" in err
    assert len(err.strip().splitlines()) == 1 and out == ""
    assert "note to self" in noted.read_text()
    code, out, _ = make_exercises(capsys, SOLUTIONS_DIR, exercises, "--force")
    assert code == 0 and out.splitlines() == [f"wrote {noted}"] and "note to self" not in noted.read_text()


def test_an_exercise_stale_only_because_solutions_changed_is_rewritten(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(SOLUTIONS_DIR, solutions)
    write_exercises(solutions, exercises)
    changed = solutions / "level3_module.py"
    changed.write_text(changed.read_text() + "\n# a line the next exercise carries\n")
    code, out, err = make_exercises(capsys, solutions, exercises)
    assert code == 0, err
    assert out.splitlines() == [f"wrote {exercises / 'level3_module.py'}", f"wrote {exercises / '.generated'}"]
    assert (exercises / "level3_module.py").read_text() == make_exercise(changed.read_text(), 3)
    (exercises / ".generated").unlink()  # without the record of what it wrote, a differing file is not provably its own
    changed.write_text(changed.read_text() + "# and another\n")
    code, _, err = make_exercises(capsys, solutions, exercises)
    assert code == 2 and "level3_module.py" in err


def test_check_names_a_missing_or_stale_manifest(tmp_path):
    exercises = tmp_path / "exercises"
    shutil.copytree(EXERCISES_DIR, exercises)
    assert stale_files(exercises_dir=exercises) == []
    (exercises / ".generated").write_text("{}")
    assert stale_files(exercises_dir=exercises) == [exercises / ".generated"]
