"""Grade one submission: find the files of its assignment's levels, probe them in a sandbox, judge here, report."""

from dataclasses import replace
from pathlib import Path
from typing import Optional

from autograder.assignment import levels_for, span
from autograder.config import Limits, new_challenge, zygote_wanted
from autograder.errors import UsageError
from autograder.judge import default_deadlines, judge_level
from autograder.levels import LEVEL_FILES, LEVELS, level_of_file
from autograder.results import Report
from autograder.review import flag_submission
from autograder.sandbox import caps, jail, zygote
from autograder.sandbox.runner import probe_sealed
from autograder.submission import SHOWN_NAMES, discover


def level_file_in(folder, name):
    """The file a folder holds for a level (see autograder.submission for the rule), or None."""
    level = level_of_file(name)
    return discover(folder, (level,)).present().get(level)


def find_level_files(path, levels=LEVELS) -> dict:
    """{level: Path or None} for a folder of level files or a single level file (.py or .ipynb)."""
    present = discover(path, levels).present()
    return {level: present.get(level) for level in levels}


def isolation_text(limits: Limits, device: str = "cpu") -> str:
    if not limits.sandbox:
        return "off: --no-sandbox (student code ran as a plain child process of the grader)"
    off = zygote.unavailable(device)
    if off is None:
        where = ("a fresh fork per check of a warm interpreter in a bubblewrap sandbox, in new user, mount, PID, "
                 "network, IPC and UTS namespaces with private capped tmpfs, no capabilities and no new user "
                 "namespaces")
    else:
        where = f"bubblewrap sandbox per student (a fresh interpreter for all its checks: {off})"
    return f"{where}; {caps.describe()}"


def require_sandbox(limits: Limits) -> None:
    """Refuse to run untrusted code without a sandbox unless the instructor said so explicitly."""
    zygote_wanted()  # a malformed AUTOGRADER_ZYGOTE is a usage error, said now
    if limits.sandbox:
        why = jail.check_available()
        if why is not None:
            raise UsageError(f"cannot isolate student code on this machine: {why}. Pass --no-sandbox to grade "
                             "without isolation (only for code you trust).")


def build_report(submission, device: str, results: list, isolation: Optional[str] = None, levels=None,
                 files=(), flags=(), graded_at=None) -> dict:
    """The report `grade --json` prints (see autograder.results), from the CheckResults of the levels
    graded (levels: the assignment's, default: those of the results)."""
    levels = tuple(levels) if levels is not None else tuple(sorted({r.level for r in results}))
    return Report.graded(display_path(submission), device, results, isolation, levels, list(files),
                         list(flags), graded_at).to_json()


def grade(path, device: str = "cpu", limits: Optional[Limits] = None, deadlines: Optional[dict] = None,
          submission=None, challenge: Optional[int] = None, levels=None, probes: Optional[dict] = None) -> Report:
    """The typed Report for one submission (its public JSON form: .to_json()): probes in a sandbox, judged here. deadlines: {check id:
    seconds}; default: 50x the reference's own time per check, at least 10 s (limits.check_seconds
    applies to checks not listed). submission: the name the report gives (default: path).
    challenge: the seed of every probe input (default: a fresh secret). levels: the assignment's
    (default: see autograder.assignment); the report is about those only. probes: a dict that
    receives what the report was judged from (judge_report's arguments: rejudge keeps them). Raises
    NotGraded when the grader itself failed."""
    limits = limits or Limits()
    levels = levels_for(path, levels)
    found = discover(path, levels)
    present = found.present()
    if challenge is None:
        challenge = new_challenge()
    if deadlines is None:
        deadlines = default_deadlines(device, challenge, levels)
    # read here, before anything runs: code that reaches into the grader is held for review
    flags = [flag.to_json() for flag in flag_submission(present)]
    probed = probe_sealed(present, device, limits, deadlines, challenge) if present else {}
    judging = {"probed": probed, "levels": list(levels), "files": found.entries(), "flags": flags,
               "missing": {level: found.missing_message(level) for level in levels if level not in present}}
    if probes is not None:
        probes.update(judging)
    return judge_report(submission or path, device, challenge, isolation_text(limits, device), **judging)


def judge_report(submission, device, challenge, isolation, probed, levels, files, missing, flags=(),
                 graded_at=None) -> Report:
    """The report of a submission's probe data ({level: data}), every level judged here; the checks of
    a level without a file (missing: {level: message}) say what the folder holds instead; flags (the
    flagger's, read before the code ran) hold the report for review."""
    results, flags = [], list(flags)
    taken = {entry["level"]: entry["file"] for entry in files}
    for level in levels:
        judged = judge_level(level, probed.get(level), device, challenge)
        if level in missing:
            judged = [replace(r, message=missing[level]) for r in judged]
        results.extend(judged)
        # the probe side's tripwires (a contract name that is the grader's code, the grader's code
        # changed while it ran) hold the report for review, as the reader's flags do
        tripped = next((r for r in judged if r.diagnosis == "borrowed_from_grader"), None)
        if tripped is not None:
            flags.append({"file": taken.get(level, LEVEL_FILES[level]), "line": None,
                          "why": f"at run time: {tripped.message}"[:300]})
    return Report.graded(display_path(submission), device, results, isolation, tuple(levels), list(files),
                         flags, graded_at)


def require_level_files(path, levels=None) -> None:
    """A usage error when the folder holds no file of the assignment's levels (a class folder, an
    empty one, a folder of other levels)."""
    levels = levels_for(path, levels)
    found = discover(path, levels)
    if found.present():
        return
    path = Path(path)
    names = ", ".join(LEVEL_FILES[level] for level in levels)
    hint = ""
    if any(p.is_dir() and discover(p, LEVELS).present() for p in sorted(path.iterdir())):
        hint = f"; its sub-folders hold level files: grade a class with python -m autograder batch {path} --out OUT"
    elif found.others:
        shown = ", ".join(found.others[:SHOWN_NAMES])
        more = f" and {len(found.others) - SHOWN_NAMES} more" if len(found.others) > SHOWN_NAMES else ""
        hint = f"; it holds {shown}{more}"
    raise UsageError(f"{path}: no level files in it for {span(levels)} (expected {names}, or the same names as "
                     f".ipynb){hint}")


def display_path(path) -> str:
    """A path as text every output can hold (bytes that are not UTF-8 become backslash escapes)."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_graded_report(submission, device: str, why, levels=None) -> dict:
    """What is recorded for a student the grader could not grade: no score at all, and why."""
    return Report.not_graded(display_path(submission), device, why, levels).to_json()
