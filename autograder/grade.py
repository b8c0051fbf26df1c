"""Grade one submission: find its level files, probe them in a sandbox, judge here, report."""

from pathlib import Path
from typing import Optional

from autograder.config import Limits, new_challenge
from autograder.errors import UsageError
from autograder.judge import default_deadlines, judge_level
from autograder.levels import LEVEL_FILES, LEVELS, level_of_file
from autograder.results import Report
from autograder.sandbox import caps, jail
from autograder.sandbox.runner import NotGraded, probe_sealed  # noqa: F401 (NotGraded: for callers)


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


def find_level_files(path) -> dict:
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


def isolation_text(limits: Limits) -> str:
    if not limits.sandbox:
        return "off: --no-sandbox (student code ran as a plain child process of the grader)"
    return f"bubblewrap sandbox per student; {caps.describe()}"


def require_sandbox(limits: Limits) -> None:
    """Refuse to run untrusted code without a sandbox unless the instructor said so explicitly."""
    if limits.sandbox:
        why = jail.check_available()
        if why is not None:
            raise UsageError(f"cannot isolate student code on this machine: {why}. Pass --no-sandbox to grade "
                             "without isolation (only for code you trust).")


def build_report(submission, device: str, results: list, isolation: Optional[str] = None) -> dict:
    """The report `grade --json` prints (see autograder.results), from the CheckResults of the levels graded."""
    return Report.graded(display_path(submission), device, results, isolation).to_json()


def grade(path, device: str = "cpu", limits: Optional[Limits] = None, deadlines: Optional[dict] = None,
          submission=None, challenge: Optional[int] = None) -> dict:
    """The report for one submission: probes in a sandbox, judged here. deadlines: {check id:
    seconds}; default: 50x the reference's own time per check, at least 10 s (limits.check_seconds
    applies to checks not listed). submission: the name the report gives (default: path).
    challenge: the seed of every probe input (default: a fresh secret). Raises NotGraded when the
    grader itself failed."""
    limits = limits or Limits()
    files = find_level_files(path)
    present = {level: p for level, p in files.items() if p is not None}
    if challenge is None:
        challenge = new_challenge()
    if deadlines is None:
        deadlines = default_deadlines(device, challenge)
    probed = probe_sealed(present, device, limits, deadlines, challenge) if present else {}
    results = []
    graded = LEVELS if Path(path).is_dir() else sorted(present)  # one level file: that level only
    for level in graded:
        results.extend(judge_level(level, probed.get(level), device, challenge))
    return build_report(submission or path, device, results, isolation_text(limits))


def require_level_files(path) -> None:
    """A usage error when the folder holds no level file at all (a class folder, an empty one)."""
    files = find_level_files(path)
    if any(files.values()):
        return
    path = Path(path)
    hint = ""
    if any(p.is_dir() and any(level_file_in(p, n) for n in LEVEL_FILES.values()) for p in path.iterdir()):
        hint = f"; its sub-folders hold level files: grade a class with python -m autograder batch {path} --out OUT"
    raise UsageError(f"{path}: no level files in it (expected {', '.join(LEVEL_FILES.values())}){hint}")


def display_path(path) -> str:
    """A path as text every output can hold (bytes that are not UTF-8 become backslash escapes)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_graded_report(submission, device: str, why) -> dict:
    """What is recorded for a student the grader could not grade: no score at all, and why."""
    return Report.not_graded(display_path(submission), device, why).to_json()
