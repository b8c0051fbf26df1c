"""Print the folder of a Gradescope submission to grade: the submission itself, or its one
sub-folder holding level files when the student uploaded a folder (a zip or a repository)."""

import sys
from pathlib import Path

from autograder.levels import LEVELS
from autograder.submission import discover


def folder_to_grade(submission):
    submission = Path(submission)

    def has_levels(folder):
        return bool(discover(folder, LEVELS).present())

    if not submission.is_dir() or has_levels(submission):
        return submission
    inner = [p for p in sorted(submission.iterdir()) if p.is_dir() and not p.is_symlink() and has_levels(p)]
    return inner[0] if len(inner) == 1 else submission


if __name__ == "__main__":
    print(folder_to_grade(sys.argv[1]))
