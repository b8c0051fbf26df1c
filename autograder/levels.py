"""The five levels: their numbers, file names and where the reference solutions live."""

from pathlib import Path

LEVEL_FILES = {
    1: "level1_manual.py",
    2: "level2_dataset.py",
    3: "level3_module.py",
    4: "level4_optim.py",
    5: "level5_builtins.py",
}
LEVELS = tuple(LEVEL_FILES)

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
EXERCISES_DIR = REPO_ROOT / "exercises"


def level_of_file(name):
    """The level number for a level file name, or None."""
    for level, file_name in LEVEL_FILES.items():
        if name == file_name or name == file_name.replace(".py", ".ipynb"):
            return level
    return None
