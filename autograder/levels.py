"""The level registry: every level's number, file name and title, and where the reference lives.

One source: a level is its probe module (autograder/probe/level<N>_<name>.py, which declares its
TITLE and CONTRACT), its checks module under the same name, its solution file and its catalog
entries. Everything that lists levels (CLI choices, reports, courses, releases, zips) reads them
here.
"""

from pathlib import Path

from autograder.probe.discovery import level_modules

LEVEL_FILES = {level.number: f"{level.name}.py" for level in level_modules()}
LEVELS = tuple(LEVEL_FILES)
LEVEL_TITLES = {level.number: level.title for level in level_modules()}
LEVEL_NAMES = {level.number: level.name for level in level_modules()}  # module names: level1_manual

REPO_ROOT = Path(__file__).resolve().parent.parent
EXERCISES_DIR = REPO_ROOT / "exercises"
# The reference: solutions/ in a checkout of the repository; the copy the wheel carries
# (autograder/solutions) in an installed kit. A student release holds neither (see release).
SOLUTIONS_DIR = REPO_ROOT / "solutions"
if not SOLUTIONS_DIR.is_dir():
    SOLUTIONS_DIR = Path(__file__).resolve().parent / "solutions"


def levels_in_words() -> str:
    """'all five' in help texts and messages, from the registry."""
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
    return f"all {words.get(len(LEVELS), len(LEVELS))}"


def level_of_file(name):
    """The level number for a level file name, or None."""
    for level, file_name in LEVEL_FILES.items():
        if name == file_name or name == file_name.replace(".py", ".ipynb"):
            return level
    return None
