"""python -m autograder grade: the JSON report, the tables, bad input, isolation of failures."""

import json
import subprocess
import sys

import pytest

from autograder.checks import all_checks, level_points
from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from tests.catalog import MISTAKES, mutate
from tests.conftest import run_cli
from tests.reports import valid_report
from tests.student_code import snippet

pytestmark = pytest.mark.slow


def grade(*args):
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", *map(str, args)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=600)
    return result


def grade_json(path, *args):
    result = run_cli("grade", path, "--json", *args, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    return valid_report(json.loads(result.stdout))


@pytest.fixture(scope="session")  # built once per test process
def solutions_report():
    return grade_json(SOLUTIONS_DIR)


def test_solutions_score_full_marks(solutions_report):
    report = solutions_report
    assert report["score"] == report["max_score"] == sum(c.points for c in all_checks().values())
    assert [lvl["level"] for lvl in report["levels"]] == [1, 2, 3, 4, 5]
    assert set(report) >= {"submission", "device", "score", "max_score", "levels", "checks"}
    assert report["device"] == "cpu"
    for check in report["checks"]:
        assert set(check) >= {"id", "level", "points", "max_points", "passed", "message"}
        assert check["passed"] and check["points"] == check["max_points"]


def test_a_folder_with_some_levels_lists_all_five(tmp_path):
    (tmp_path / "level3_module.py").write_text((SOLUTIONS_DIR / "level3_module.py").read_text())
    report = grade_json(tmp_path)
    scores = [(lvl["level"], lvl["score"]) for lvl in report["levels"]]
    assert scores == [(1, 0), (2, 0), (3, level_points(3)), (4, 0), (5, 0)]
    missing = [c for c in report["checks"] if c["level"] == 2]
    assert all(c["message"] == "file not found: level2_dataset.py" for c in missing)


def test_levels_choose_what_a_folder_is_graded_for(tmp_path):
    for name in ("level1_manual.py", "level3_module.py"):
        (tmp_path / name).write_text((SOLUTIONS_DIR / name).read_text())
    report = grade_json(tmp_path, "--levels", "3", "2")
    assert report["assignment"] == {"levels": [2, 3]}
    assert [(lvl["level"], lvl["score"], lvl["max_score"]) for lvl in report["levels"]] == [
        (2, 0, level_points(2)), (3, level_points(3), level_points(3))]
    assert (report["score"], report["max_score"]) == (level_points(3), level_points(2) + level_points(3))
    assert {c["level"] for c in report["checks"]} == {2, 3} and [f["level"] for f in report["files"]] == [3]
    assert all(c["message"].startswith("file not found: level2_dataset.py") for c in report["checks"] if c["level"] == 2)


def test_a_level_file_outside_the_levels_asked_for_is_a_usage_error():
    result = run_cli("grade", SOLUTIONS_DIR / "level5_builtins.py", "--levels", "1", cwd=REPO_ROOT)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "the file of level 5, which --levels 1 leaves out" in result.stderr


def test_a_folder_without_the_assigned_levels_files_is_a_usage_error(tmp_path):
    (tmp_path / "level2_dataset.py").write_text((SOLUTIONS_DIR / "level2_dataset.py").read_text())
    result = run_cli("grade", tmp_path, "--levels", "1", cwd=REPO_ROOT)
    assert result.returncode == 2 and "no level files in it for level 1" in result.stderr
    assert "it holds level2_dataset.py" in result.stderr


def test_one_level_file(tmp_path):
    report = grade_json(SOLUTIONS_DIR / "level5_builtins.py")  # that level alone, not four missing ones
    assert [level["level"] for level in report["levels"]] == [5]
    assert report["score"] == report["max_score"] == level_points(5)


@pytest.mark.slow
def test_a_single_level_file_is_one_level(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(SOLUTIONS_DIR / "level5_builtins.py"),
                           "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert [level["level"] for level in report["levels"]] == [5]
    assert report["score"] == report["max_score"] == level_points(5)


def test_syntax_error_scores_zero_for_that_level_with_the_line(tmp_path):
    source = (SOLUTIONS_DIR / "level1_manual.py").read_text().replace("def forward(w, x):", "def forward(w, x)")
    (tmp_path / "level1_manual.py").write_text(source)
    (tmp_path / "level5_builtins.py").write_text((SOLUTIONS_DIR / "level5_builtins.py").read_text())
    report = grade_json(tmp_path)
    line = source.splitlines().index("def forward(w, x)") + 1
    level1 = [c for c in report["checks"] if c["level"] == 1]
    assert all(c["points"] == 0 and "SyntaxError" in c["message"] and f"line {line}" in c["message"]
               for c in level1)
    assert report["levels"][4]["score"] == level_points(5)  # another level is not affected


def test_exception_at_import_names_the_line(tmp_path):
    source = (SOLUTIONS_DIR / "level2_dataset.py").read_text() + "\nraise ValueError('broken at import')\n"
    (tmp_path / "level2_dataset.py").write_text(source)
    report = grade_json(tmp_path)
    messages = {c["message"] for c in report["checks"] if c["level"] == 2}
    assert len(messages) == 1
    message = messages.pop()
    assert "ValueError: broken at import" in message and f"line {len(source.splitlines())}" in message


def test_a_check_that_raises_fails_alone_and_grading_is_repeatable(tmp_path):
    entry = next(e for e in MISTAKES if e.name == "in-place update outside no_grad")
    (tmp_path / "level1_manual.py").write_text(mutate(1, {entry.stub: entry.code}))
    first, second = grade_json(tmp_path), grade_json(tmp_path)
    assert first["checks"] == second["checks"] and first["score"] == second["score"]
    failed = {c["id"]: c for c in first["checks"] if c["level"] == 1 and not c["passed"]}
    # the device check tries sgd_update too: a stub that raises earns no device points
    assert set(failed) == {"level1.sgd_update", "level1.train", "level1.device"}
    assert "torch.no_grad()" in failed["level1.sgd_update"]["message"]
    assert "line" in failed["level1.sgd_update"]["message"]
    assert first["levels"][0]["score"] == level_points(1) - sum(all_checks()[check].points for check in failed)


def test_exiting_student_code_costs_only_its_check(tmp_path):
    source = mutate(1, {"level1.mse": snippet("grade_cli", "exits")})
    (tmp_path / "level1_manual.py").write_text(source)
    report = grade_json(tmp_path, "--timeout", "20")
    level1 = {c["id"]: c for c in report["checks"] if c["level"] == 1}
    assert not level1["level1.mse"]["passed"] and "exited with code 3" in level1["level1.mse"]["message"]
    assert level1["level1.forward"]["passed"] and level1["level1.sgd_update"]["passed"]


def test_a_hanging_stub_times_out_alone(tmp_path):
    source = mutate(1, {"level1.zero_grad": snippet("grade_cli", "hangs")})
    (tmp_path / "level1_manual.py").write_text(source)
    report = grade_json(tmp_path, "--timeout", "5")
    level1 = {c["id"]: c for c in report["checks"] if c["level"] == 1}
    assert "timed out after 5 s" in level1["level1.zero_grad"]["message"]
    assert level1["level1.sgd_update"]["passed"] and level1["level1.make_data"]["passed"]


def test_table_output_names_levels_and_total(solutions_report):
    result = grade(SOLUTIONS_DIR / "level1_manual.py")
    assert result.returncode == 0
    assert "level1.forward" in result.stdout and f"total: {level_points(1)}/{level_points(1)}" in result.stdout


@pytest.mark.parametrize("args", [["no/such/folder"], [str(REPO_ROOT / "README.md")], ["solutions", "--device", "nonsense"]])
def test_usage_errors_exit_2(args):
    result = grade(*args)
    assert result.returncode == 2 and "error:" in result.stderr


def test_a_symlinked_level_file_is_not_followed(tmp_path):
    (tmp_path / "level1_manual.py").symlink_to("/etc/hostname")
    report = grade_json(tmp_path)
    level1 = [c for c in report["checks"] if c["level"] == 1]
    assert all(c["points"] == 0 and "symbolic link" in c["message"] for c in level1)
    hostname = open("/etc/hostname").read().strip()
    assert hostname not in json.dumps(report)


def test_a_malformed_notebook_fails_its_level_only(tmp_path):
    (tmp_path / "level1_manual.ipynb").write_text(json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
         "cells": [{"cell_type": "code", "source": 3, "metadata": {"nbgrader": []}, "outputs": [],
                    "execution_count": None}]}))
    (tmp_path / "level5_builtins.py").write_text((SOLUTIONS_DIR / "level5_builtins.py").read_text())
    report = grade_json(tmp_path)
    assert report["levels"][0]["score"] == 0 and report["levels"][4]["score"] == level_points(5)
    assert "not a readable notebook" in report["checks"][0]["message"]


def test_a_diverging_run_still_gives_valid_json(tmp_path):
    (tmp_path / "level1_manual.py").write_text(mutate(1, {"level1.sgd_update": snippet("grade_cli", "diverges")}))
    result = grade(tmp_path, "--json")
    report = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    assert report["levels"][0]["score"] < level_points(1)


def test_notebook_scratch_cells_and_magics_do_not_cost_points(tmp_path):
    import nbformat

    from autograder.authoring.course import level_notebook

    notebook = level_notebook(1)
    scratch = [snippet("grade_cli", name) for name in (
        "scratch_fails", "scratch_magics", "scratch_cell_magic", "scratch_display", "scratch_operators_across_lines",
        "scratch_mentions_grade_cell")]
    for position, source in zip((2, 6, 9, 12, -10, -10), scratch):
        notebook.cells.insert(position, nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, str(tmp_path / "level1_manual.ipynb"))
    report = grade_json(tmp_path / "level1_manual.ipynb")
    assert report["levels"][0]["score"] == level_points(1), [c["message"] for c in report["checks"] if not c["passed"]]


def test_notebook_errors_name_the_cell(tmp_path):
    import nbformat

    from autograder.authoring.course import level_notebook

    notebook = level_notebook(1)
    for cell in notebook.cells:
        cell.source = cell.source.replace("return ((y - yhat) ** 2).mean()", "return ((y - yhat) ** 2).mean() + nope")
    nbformat.write(notebook, str(tmp_path / "level1_manual.ipynb"))
    report = grade_json(tmp_path)
    message = next(c["message"] for c in report["checks"] if c["id"] == "level1.mse")
    assert "NameError" in message and "level1_manual notebook cell" in message
