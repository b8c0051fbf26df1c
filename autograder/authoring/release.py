"""What a student receives: `python -m autograder release OUT --levels N`.

OUT/ holds the level files as stubs, the self-check (pytest's conftest and one test file per
level), a README (the set-up, then each level's run and check commands), and OUT/grader/: an
installable copy of the grader with no reference source and its requirements.txt, recording
the release's levels (autograder/assignment.json) as its assignment. In place of the reference
it carries the reference's probe data for the self-check's fixed inputs (challenge 0), so
`pytest` gives, check by check, the verdicts and messages the instructor's `grade` gives; the
instructor's grade draws fresh inputs that this data does not answer. The same grader runs an
nbgrader course's grade cells in the students' Jupyter. A level file carries the earlier levels'
answers as given code, so a release of level N holds no answer to level N or later only when the
levels go out one at a time.
"""

import json
import shutil
from importlib.metadata import PackageNotFoundError, version
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

In this folder, make a virtual environment and install what the self-check needs into it (PyTorch,
numpy and pytest, pinned in `grader/requirements.txt`, and the grader itself, `./grader`):

    python3 -m venv .venv              # Windows: py -m venv .venv
    source .venv/bin/activate          # Windows: .venv\\Scripts\\activate
    pip install -r grader/requirements.txt
    pip install ./grader

On Linux without a GPU, `pip install {torch} --index-url https://download.pytorch.org/whl/cpu`
before the requirements saves a download of several gigabytes.

Every command below runs in this folder with the environment active (your prompt starts with
`(.venv)`; in a new terminal, run the `activate` line again). Outside it, `python` finds no
PyTorch and stops with `ModuleNotFoundError: No module named 'torch'`. Without activating,
`.venv/bin/python` (Windows: `.venv\\Scripts\\python`) in place of `python` does the same.

{levels_howto}
## What the check tells you

Each test is one of the grader's checks, with the same message the grade will show: what was
checked, what was expected and what your code gave, and the likely cause.
`python -m pytest` checks every level in this folder. The instructor grades the same checks with
fresh inputs, which correct code passes just the same: passing here is necessary, and code fitted
to this check's fixed inputs is not enough.
"""

LEVEL_HOWTO = """## Level {level}: `{file}`

Run it: it trains from random weights and prints the learned weights, close to `[-1, 3]` once
every stub works (a stub not filled yet stops it with `NotImplementedError` and the stub's name;
add `cuda` or `mps` to the command to run it on a GPU).

    {run}

Check it: the grader's checks of this level, each with its points and, when it fails, why.

    {check}
"""


def run_command(level):
    """The command a student runs a level file with (the release's README says it)."""
    return f"python {LEVEL_FILES[level]}"


def check_command(level):
    """The command that self-checks one level (the release's README says it)."""
    return f"python -m pytest -m level{level}"


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
    from autograder.judge import reference_results, reference_seconds  # heavy: loads the reference and torch

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
    howto = "".join(LEVEL_HOWTO.format(level=level, file=LEVEL_FILES[level], run=run_command(level),
                                       check=check_command(level)) for level in levels)
    (out / "README.md").write_text(STUDENT_README.format(levels=", ".join(f"level {n}" for n in levels),
                                                         table=table, levels_howto=howto,
                                                         torch=torch_requirement()))
    grader = out / "grader"
    grader.mkdir()
    copy_grader(grader)
    record(grader / "autograder", levels)  # the released grader's default levels
    data = grader / "autograder" / DATA_DIR
    data.mkdir()
    for level in levels:
        (data / f"level{level}.json").write_text(json.dumps(reference_data(level)))
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


def torch_requirement():
    """The kit's own torch, pinned without its build tag (2.13.0+cpu is 2.13.0 on PyPI)."""
    try:
        return f"torch=={version('torch').split('+')[0]}"
    except PackageNotFoundError:
        return "torch"


def student_requirements():
    """grader/requirements.txt: what the self-check runs on, pinned to the versions the kit uses."""
    lines = [torch_requirement()]
    for name in ("numpy", "pytest"):
        try:
            lines.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"
