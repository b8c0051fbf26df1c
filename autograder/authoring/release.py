"""What a student receives: `python -m autograder release OUT --levels N`.

OUT/ holds the level files as stubs, the self-check (pytest's conftest and one test file per
level), a short README, and OUT/grader/: an installable copy of the grader with no reference
source, recording the release's levels (autograder/assignment.json) as its assignment. In
place of the reference it carries the reference's probe data for the self-check's fixed inputs
(challenge 0), so `pytest` gives, check by check, the verdicts and messages the instructor's
`grade` gives; the instructor's grade draws fresh inputs that this data does not answer. A level file carries the earlier levels' answers as given code, so a release of level N
holds no answer to level N or later only when the levels go out one at a time.
"""

import json
import shutil
from pathlib import Path

from autograder.assignment import record
from autograder.authoring.exercises import make_exercise
from autograder.errors import UsageError
from autograder.levels import EXERCISES_DIR, LEVEL_FILES, LEVEL_TITLES, LEVELS, SOLUTIONS_DIR

DATA_DIR = "reference_data"  # inside the released autograder package
CHALLENGE = 0

STUDENT_README = """# PyTorch abstractions: {levels}

Each level file holds stubs that raise `NotImplementedError`: replace each with your code.

{table}

## Set up (once)

    python3 -m venv .venv
    .venv/bin/pip install torch==2.13.0 -r grader/requirements.txt
    .venv/bin/pip install ./grader

## Check your work

    .venv/bin/python -m pytest            # every level in this folder
    .venv/bin/python -m pytest -m level{first}   # one level

Each test is one of the grader's checks, with the same message the grade will show. The
instructor grades with fresh inputs and may hold back checks (named in the output as graded by
the instructor), so passing here is necessary, not a promise of the score.
"""

GRADER_PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "pytorch-abstractions-kit-student"
version = "{version}"
description = "The self-check of the PyTorch abstractions kit (no reference solutions)."
requires-python = ">=3.10"
dependencies = ["torch", "numpy", "pytest"]

[project.entry-points.pytest11]
autograder = "autograder.authoring.markers"

[tool.setuptools.packages.find]
include = ["autograder", "autograder.*"]

[tool.setuptools.package-data]
autograder = ["{data}/*.json", "assignment.json"]
"autograder.output" = ["templates/*.html", "*.schema.json"]
"""

CONFTEST = '''"""The self-check's options: `pytest [--submission DIR] [--device cpu|cuda|auto]`."""

from autograder.authoring.selfcheck_conftest import *  # noqa: F401,F403
'''


def released_levels(levels):
    levels = sorted(set(levels or []))
    if not levels or any(level not in LEVELS for level in levels):
        raise UsageError(f"--levels: give one or more of {', '.join(map(str, LEVELS))}")
    return levels


def reference_data(level):
    """The reference's probe data and timings for the self-check's inputs, computed here (CPU)."""
    from autograder.judge import reference_results, reference_seconds

    return {"challenge": CHALLENGE, "device": "cpu", "results": reference_results(level, "cpu", CHALLENGE),
            "seconds": reference_seconds(level, "cpu", CHALLENGE)}


def copy_grader(target):
    """The autograder package without its reference: no solutions folder, no reference source."""
    package = Path(__file__).resolve().parent.parent
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "solutions", "assignment.json")
    shutil.copytree(package, target / "autograder", ignore=ignore)


def write_release(out, levels):
    """Write the release for these levels into out (which must not exist or be empty)."""
    levels = released_levels(levels)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"release {out}: the folder is not empty; give a new one")
    out.mkdir(parents=True, exist_ok=True)
    for level in levels:
        name = LEVEL_FILES[level]
        (out / name).write_text(make_exercise((SOLUTIONS_DIR / name).read_text(), level, name))
        (out / f"test_level{level}.py").write_text((EXERCISES_DIR / f"test_level{level}.py").read_text()
                                                   if (EXERCISES_DIR / f"test_level{level}.py").is_file()
                                                   else TEST_FILE.format(level=level, name=name))
    (out / "conftest.py").write_text(CONFTEST)
    (out / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    table = "\n".join(f"- `{LEVEL_FILES[level]}`: level {level}, {LEVEL_TITLES[level]}" for level in levels)
    (out / "README.md").write_text(STUDENT_README.format(levels=", ".join(f"level {n}" for n in levels),
                                                         table=table, first=levels[0]))
    grader = out / "grader"
    grader.mkdir()
    copy_grader(grader)
    record(grader / "autograder", levels)  # the released grader's default levels
    data = grader / "autograder" / DATA_DIR
    data.mkdir()
    for level in levels:
        (data / f"level{level}.json").write_text(json.dumps(reference_data(level)))
    from importlib.metadata import PackageNotFoundError, version

    try:
        kit_version = version("pytorch-abstractions-kit")
    except PackageNotFoundError:
        kit_version = "0.1.0"
    (grader / "pyproject.toml").write_text(GRADER_PYPROJECT.format(version=kit_version, data=DATA_DIR))
    (grader / "requirements.txt").write_text(student_requirements())
    return out


TEST_FILE = '''"""Self-check for level {level} ({name}): pytest -m level{level}"""

from autograder.authoring.pytest_plugin import level_tests

test_level{level} = level_tests({level})
'''


def student_requirements():
    from importlib.metadata import PackageNotFoundError, version

    lines = []
    for name in ("numpy", "pytest"):
        try:
            lines.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"
