"""Adding a level touches its own files only: a copy of the kit with a throwaway level 6 (a probe
module, a checks module, a solution file; tests/fixtures/new_level) grades it through every path
that lists levels, with no other file of the kit edited."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.levels import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "new_level"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A copy of the kit (the autograder package and solutions/) with level 6's three files added."""
    root = tmp_path_factory.mktemp("kit")
    shutil.copytree(REPO_ROOT / "autograder", root / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "solutions", root / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(FIXTURES / "probe_level6_scale.py", root / "autograder" / "probe" / "level6_scale.py")
    shutil.copy(FIXTURES / "checks_level6_scale.py", root / "autograder" / "checks" / "level6_scale.py")
    shutil.copy(FIXTURES / "solution_level6_scale.py", root / "solutions" / "level6_scale.py")
    return root


def kit_run(kit, *args, python="-m autograder"):
    return subprocess.run([sys.executable, *python.split(), *map(str, args)], cwd=kit, capture_output=True,
                          text=True, timeout=300)


def submission(tmp_path, name, source):
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(FIXTURES / source, folder / "level6_scale.py")
    return folder


def test_the_copy_is_the_kit_itself(kit):
    where = kit_run(kit, "import autograder; print(autograder.__file__)", python="-c")
    assert Path(where.stdout.strip()).resolve() == (kit / "autograder" / "__init__.py").resolve()


def test_the_registries_know_the_new_level(kit):
    listed = kit_run(kit, "from autograder.levels import LEVEL_FILES, LEVEL_TITLES\n"
                          "from autograder.checks import all_checks\n"
                          "from autograder.probe.registry import PROBES\n"
                          "from autograder.review.rules import CONTRACT\n"
                          "print(LEVEL_FILES[6], LEVEL_TITLES[6], sorted(set(all_checks()) ^ set(PROBES)),"
                          " 'scale' in CONTRACT)", python="-c")
    assert listed.stdout.split("\n")[0] == "level6_scale.py scaling a tensor [] True", listed.stderr
    choices = kit_run(kit, "from autograder.assignment import parse_levels; print(list(parse_levels(['6'])))",
                      python="-c")
    assert choices.stdout.strip() == "[6]", choices.stderr
    assert "all six" in " ".join(kit_run(kit, "grade", "--help").stdout.split())


def test_a_correct_level_6_earns_its_points_in_a_sandbox(kit, tmp_path):
    graded = kit_run(kit, "grade", submission(tmp_path, "ann", "solution_level6_scale.py") / "level6_scale.py", "--json")
    assert graded.returncode == 0, graded.stderr
    report = json.loads(graded.stdout)
    assert report["assignment"] == {"levels": [6]} and report["score"] == report["max_score"] == 5
    assert report["isolation"].count("bubblewrap sandbox") == 1


def test_a_wrong_level_6_is_diagnosed(kit, tmp_path):
    graded = kit_run(kit, "grade", submission(tmp_path, "ben", "buggy_level6_scale.py"), "--json", "--levels", "6")
    report = json.loads(graded.stdout)
    (check,) = report["checks"]
    assert (check["id"], check["points"], check["diagnosis"]) == ("level6.scale", 0, "wrong_values")
    assert "scale(x, 3.0)" in check["message"]


def test_a_class_assignment_of_levels_1_and_6(kit, tmp_path):
    folder = submission(tmp_path, "cat", "solution_level6_scale.py")
    shutil.copy(REPO_ROOT / "solutions" / "level1_manual.py", folder / "level1_manual.py")
    out = tmp_path / "out"
    batch = kit_run(kit, "batch", tmp_path, "--out", out, "--levels", "1", "6", "--workers", "1")
    assert batch.returncode == 0, batch.stderr
    report = json.loads((out / "cat.json").read_text())
    level1 = kit_run(kit, "from autograder.checks import level_points; print(level_points(1))", python="-c")
    assert report["max_score"] == int(level1.stdout) + 5 == report["score"]
    assert "level6" in (out / "grades.csv").read_text().splitlines()[0]
