"""Run probes (where the student's code runs) and judge their data (in the trusted process).

probe side:  load_and_probe(level, path, device) -> {"load_error": ...} or {check_id: {"data"|"error"}}
judge side:  judge_level(level, probed, reference, device) -> [CheckResult]
"""

import json
import math
import random
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from autograder.devices import prepare_comparisons
from autograder.checks import JudgeContext, ProbeContext, checks_for_level
from autograder.explain import explain_error, where_text
from autograder.judging import Problem, Verdict
from autograder.levels import LEVEL_FILES, LEVELS, SOLUTIONS_DIR
from autograder.loader import load_reference, load_submission
from autograder.probing import WarningLog, describe_exception


@dataclass
class CheckResult:
    id: str
    level: int
    points: float
    max_points: int
    passed: bool
    message: str
    diagnosis: str = None
    curve: list = None  # the per-epoch losses of the student's convergence run (train checks)
    reference_curve: list = None



def plain(data):
    """Round-trip through JSON: probes must return plain data, and in-process and child-process
    grading must see exactly the same thing."""
    return json.loads(json.dumps(data))


def seed_everything(seed=0):
    prepare_comparisons()
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def run_probe(check, module, ctx, student_file=None):
    seed_everything()
    try:
        with WarningLog():  # a probe's warnings must not reach stderr (nbgrader zeroes such cells)
            return {"data": plain(check.probe(module, ctx))}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit and RecursionError from student code cost only this check
        return {"error": describe_exception(exc, student_file)}


def load_and_probe(level, path, device, solutions_dir=SOLUTIONS_DIR, emit=None, skip=()):
    """Import the level file and run every probe of that level (but those in skip).

    emit(event) hears {"start": id} before each step and {"id": id, "result": ...} after it, so a
    watching parent knows which step was running if this process dies."""
    emit = emit or (lambda event: None)
    import_id = f"level{level}.import"
    emit({"start": import_id})
    try:
        with WarningLog():
            module = load_submission(path, level)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        error = describe_exception(exc, str(path))
        emit({"level": level, "load_error": error})
        return {"load_error": error}
    emit({"id": import_id, "result": {"data": None}})
    ctx = ProbeContext(device=device, reference=load_reference(level, str(solutions_dir)))
    results = {}
    for check in checks_for_level(level):
        if check.id in skip:
            continue
        emit({"start": check.id})
        results[check.id] = run_probe(check, module, ctx, str(path))
        emit({"id": check.id, "result": results[check.id]})
    return results


_REFERENCE_SECONDS = {}


@lru_cache(maxsize=None)
def reference_results(level, device, solutions_dir=str(SOLUTIONS_DIR)):
    """The reference's probe data, computed in this (trusted) process once per level and device."""
    reference = load_reference(level, solutions_dir)
    ctx = ProbeContext(device=device, reference=reference)
    results, seconds = {}, {}
    for check in checks_for_level(level):
        began = time.perf_counter()
        results[check.id] = run_probe(check, reference, ctx)
        seconds[check.id] = time.perf_counter() - began
        if "error" in results[check.id]:
            raise RuntimeError(f"the reference solution fails its own probe {check.id}: "
                               f"{results[check.id]['error']}")
    _REFERENCE_SECONDS[(level, device, solutions_dir)] = seconds
    return results


def reference_seconds(level, device, solutions_dir=str(SOLUTIONS_DIR)):
    """How long each of the reference's probes took (the basis of default time limits)."""
    reference_results(level, device, solutions_dir)
    return _REFERENCE_SECONDS[(level, device, solutions_dir)]


MIN_CHECK_SECONDS = 10.0
IMPORT_SECONDS = 20.0


def default_deadlines(device, factor=50.0):
    """Per-check time limits: a generous multiple of the reference's own time, at least 10 s."""
    deadlines = {}
    for level in LEVELS:
        deadlines[f"level{level}.import"] = IMPORT_SECONDS
        for check_id, seconds in reference_seconds(level, device).items():
            deadlines[check_id] = max(MIN_CHECK_SECONDS, factor * seconds)
    return deadlines


def judge_check(check, probed, reference, device):
    if probed is None:
        verdict = Verdict(False, f"{check.id}: no result came back from the grading process.", "no_result")
    elif "error" in probed:
        verdict = explain_error(check, probed["error"])
    elif "verdict" in probed:  # set by the process runner: timeout, crash, memory limit
        verdict = Verdict(False, probed["verdict"]["message"], probed["verdict"].get("diagnosis"))
    else:
        try:
            verdict = check.judge(probed["data"], reference["data"], JudgeContext(device))
        except Problem as problem:
            verdict = problem.verdict
        except Exception as exc:  # malformed probe data: the submission's problem, never a crash
            verdict = Verdict(False, f"{check.id}: the values your code produced could not be checked "
                              f"({type(exc).__name__}: {exc}).", "unjudgeable")
    share = verdict.share if math.isfinite(verdict.share) else 0.0
    points = round(check.points * min(max(share, 0.0), 1.0), 2)
    return CheckResult(check.id, check.level, points, check.points, bool(verdict.passed), verdict.message,
                       verdict.diagnosis, loss_curve(probed), loss_curve(reference))


def loss_curve(probed):
    """The per-epoch losses a convergence probe recorded, as floats, or None."""
    try:
        items = probed["data"]["losses"]["items"]
        values = [float(item["value"]) for item in items if item.get("kind") == "number"]
    except (KeyError, TypeError, ValueError):
        return None
    return values or None


def judge_level(level, probed, device, solutions_dir=str(SOLUTIONS_DIR)):
    """Results for every check of a level, from the student's probe data."""
    checks = checks_for_level(level)
    if probed is None:
        return [CheckResult(c.id, level, 0, c.points, False, f"file not found: {LEVEL_FILES[level]}", "missing_file")
                for c in checks]
    if "load_error" in probed:
        error = probed["load_error"]
        kind = f"{error['type']}: " if error.get("type") else ""
        first_line = error["message"].splitlines()[0] if error.get("message") else ""
        message = f"{LEVEL_FILES[level]} could not be imported: {kind}{first_line}{where_text(error)}"
        if error.get("plain"):
            message = f"{LEVEL_FILES[level]}: {error['message']}"
        diagnosis = error.get("diagnosis") or "import_failed"
        return [CheckResult(c.id, level, 0, c.points, False, message, diagnosis) for c in checks]
    reference = reference_results(level, device, solutions_dir)
    return [judge_check(c, probed.get(c.id), reference[c.id], device) for c in checks]
