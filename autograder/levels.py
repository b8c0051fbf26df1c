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
LEVEL_TITLES = {
    1: "tensors and autograd by hand",
    2: "Dataset and DataLoader",
    3: "nn.Module",
    4: "torch.optim and nn.Parameter",
    5: "nn.Linear and nn.MSELoss",
}

REPO_ROOT = Path(__file__).resolve().parent.parent
EXERCISES_DIR = REPO_ROOT / "exercises"
# The reference: solutions/ in a checkout of the repository; the copy the wheel carries
# (autograder/solutions) in an installed kit. A student release holds neither (see release).
SOLUTIONS_DIR = REPO_ROOT / "solutions"
if not SOLUTIONS_DIR.is_dir():
    SOLUTIONS_DIR = Path(__file__).resolve().parent / "solutions"


def level_of_file(name):
    """The level number for a level file name, or None."""
    for level, file_name in LEVEL_FILES.items():
        if name == file_name or name == file_name.replace(".py", ".ipynb"):
            return level
    return None
