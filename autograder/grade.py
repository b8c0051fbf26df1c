"""Grade one submission: find its level files, probe them in a child process, judge, report."""

import math
from pathlib import Path

from autograder.levels import LEVEL_FILES, LEVELS, level_of_file
from autograder.process import probe_in_child
from autograder.runner import default_deadlines, judge_level


class UsageError(Exception):
    pass


def level_file_in(folder, name):
    """A level in a folder: level1_manual.py, else level1_manual.ipynb, else nbgrader's
    level1_manual/level1_manual.ipynb (an assignment folder of a submitted/<student>/ layout)."""
    stem = name.removesuffix(".py")
    for candidate in (folder / name, folder / f"{stem}.ipynb", folder / stem / f"{stem}.ipynb"):
        if candidate.is_file() or candidate.is_symlink():  # a link is found, then refused: see linked()
            return candidate
    return None


def linked(path):
    """True when reading path would follow a symbolic link a student could have planted: the
    file itself, or nbgrader's assignment folder (student/level1_manual/) holding it."""
    path = Path(path)
    return path.is_symlink() or (path.parent.name == path.stem and path.parent.is_symlink())


def find_level_files(path):
    """{level: Path or None} for a folder of level files or a single level file (.py or .ipynb)."""
    path = Path(path)
    if path.is_dir():
        return {level: level_file_in(path, name) for level, name in LEVEL_FILES.items()}
    if path.is_file():
        level = level_of_file(path.name)
        if level is None:
            raise UsageError(f"{path}: not a level file; expected one of {', '.join(LEVEL_FILES.values())}")
        return {lvl: (path if lvl == level else None) for lvl in LEVELS}
    raise UsageError(f"{path}: no such file or folder")


def number(x):
    x = round(float(x), 2)
    return int(x) if x == int(x) else x


def finite_or_none(values):
    """JSON has no NaN or infinity: such values become null."""
    if values is None:
        return None
    return [v if math.isfinite(v) else None for v in values]


def build_report(submission, device, results):
    """The report object `grade --json` prints, from the CheckResults of all five levels."""
    levels = []
    for level in LEVELS:
        mine = [r for r in results if r.level == level]
        levels.append({"level": level, "score": number(sum(r.points for r in mine)),
                       "max_score": number(sum(r.max_points for r in mine))})
    return {
        "submission": str(submission),
        "device": device,
        "score": number(sum(r.points for r in results)),
        "max_score": number(sum(r.max_points for r in results)),
        "levels": levels,
        "checks": [{"id": r.id, "level": r.level, "points": number(r.points), "max_points": r.max_points,
                    "passed": r.passed, "message": r.message, "diagnosis": r.diagnosis} for r in results],
        # the loss per epoch of the grader's convergence run of each level, the student's and the reference's
        "curves": [{"level": r.level, "student": finite_or_none(r.curve), "reference": r.reference_curve}
                   for r in results if r.id.endswith(".train") and r.reference_curve],
    }


def grade(path, device="cpu", limits=None, deadlines=None, submission=None):
    """The report for one submission: probes in a child process, judged here. deadlines: {check id:
    seconds}; default: 50x the reference's own time per check, at least 10 s (limits.check_seconds
    applies to checks not listed). submission: the name the report gives (default: path)."""
    files = find_level_files(path)
    present = {level: p for level, p in files.items() if p is not None}
    if deadlines is None:
        deadlines = default_deadlines(device)
    probed = probe_in_child(present, device, limits, deadlines=deadlines) if present else {}
    results = []
    for level in LEVELS:
        results.extend(judge_level(level, probed.get(level), device))
    return build_report(submission or path, device, results)
