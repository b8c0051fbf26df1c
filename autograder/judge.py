"""The judge side: reference data and verdicts, computed in the trusted process.

judge_level(level, probed, device, challenge) -> [CheckResult]: the student's probe data (from a
sandbox, or from the self-check's own process) judged against closed forms and against the
reference's probe data for the same challenge. The reference module is loaded here, and only here.
"""

import json
import math
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Optional

import numpy as np

from autograder import config
from autograder.checks import JudgeContext, checks_for_level, schema
from autograder.checks.explain import explain_error, where_text
from autograder.checks.verdicts import Problem, Verdict
from autograder.errors import UsageError
from autograder.levels import LEVEL_FILES, LEVELS, SOLUTIONS_DIR
from autograder.probe import inputs
from autograder.probe.child import warm_up
from autograder.probe.loader import load_module
from autograder.probe.run import ProbeContext, run_shared
from autograder.results import CheckResult

_REFERENCE_SECONDS = {}


@lru_cache(maxsize=None)
def load_reference(level, solutions_dir=str(SOLUTIONS_DIR)):
    """The reference solution of a level, imported here in the grading process and nowhere else."""
    return load_module(Path(solutions_dir) / LEVEL_FILES[level], f"reference_level{level}")


@lru_cache(maxsize=64)
def reference_results(level: int, device: str, challenge: int = 0, solutions_dir: str = str(SOLUTIONS_DIR)) -> dict:
    """The reference's probe data for one challenge, computed in this (trusted) process; in a
    student release (no reference source), the data it carries for the self-check's inputs."""
    if not (Path(solutions_dir) / LEVEL_FILES[level]).is_file():
        return released_reference(level, device, challenge)
    warm_up()  # one-time imports must not be timed as a check (the time limits derive from these times)
    reference = load_reference(level, solutions_dir)
    ctx = ProbeContext(device=device, challenge=challenge)
    results, seconds, shared = {}, {}, {}
    with inputs.challenge(challenge):
        for check in checks_for_level(level):
            began = time.perf_counter()
            results[check.id] = run_shared(shared, check.probe, reference, ctx)
            seconds[check.id] = time.perf_counter() - began
            if "error" in results[check.id]:
                raise RuntimeError(f"the reference solution fails its own probe {check.id}: "
                                   f"{results[check.id]['error']}")
    _REFERENCE_SECONDS.setdefault((level, device), seconds)
    return results


RELEASED_DATA = Path(__file__).resolve().parent / "reference_data"


def released_reference(level, device, challenge):
    """A release's reference data: made on the CPU for challenge 0 (its device fields become
    `device`: the reference puts its tensors where it is asked to)."""
    path = RELEASED_DATA / f"level{level}.json"
    if not path.is_file():
        raise UsageError(f"no reference for level {level} here: {LEVEL_FILES[level]} was not released with "
                         "this grader, and grading needs the instructor's kit")
    data = json.loads(path.read_text())
    if int(challenge) != data["challenge"]:
        raise UsageError("this release checks the fixed self-check inputs only; grading with fresh inputs "
                         "needs the instructor's kit")

    def on_device(value):
        if isinstance(value, dict):
            return {k: (device if k == "device" and v == data["device"] else on_device(v)) for k, v in value.items()}
        return [on_device(v) for v in value] if isinstance(value, list) else value

    _REFERENCE_SECONDS.setdefault((level, device), data["seconds"])
    return on_device(data["results"])


def reference_seconds(level, device, challenge=0):
    """How long each of the reference's probes took (the basis of default time limits); computed
    with the run's own challenge, so the reference data is made once."""
    if (level, device) not in _REFERENCE_SECONDS:
        reference_results(level, device, challenge)
    return _REFERENCE_SECONDS[(level, device)]


def fixed_deadlines(seconds: float) -> dict:
    """--timeout S: S for every check (the limits' check_seconds); an import keeps at least its own
    IMPORT_SECONDS (a fresh sandbox's import after a timeout must not be judged by a check's clock)."""
    return config.import_deadlines(LEVELS, seconds)


def slowest_reference_check(device, challenge=0):
    return max(max(reference_seconds(level, device, challenge).values()) for level in LEVELS)


def default_deadlines(device: str, challenge: int = 0, levels=LEVELS) -> dict:
    """Per-check time limits: a generous multiple of the reference's own time (see autograder.config)."""
    deadlines = config.import_deadlines(levels)
    for level in levels:
        deadlines.update(config.check_deadlines(reference_seconds(level, device, challenge)))
    return deadlines


def judge_check(check, probed, reference, device: str, challenge: int = 0) -> CheckResult:
    verdict, readable = _verdict(check, probed, reference, JudgeContext(device, challenge))
    share = verdict.share if isinstance(verdict.share, (int, float)) and math.isfinite(verdict.share) else 0.0
    points = round(check.points * min(max(share, 0.0), 1.0), 2)
    hidden = secrets_of(challenge)
    curve = loss_curve(probed, hidden) if readable else None  # unread data shows nowhere, not even as a curve
    return CheckResult(check.id, check.level, points, check.points, bool(verdict.passed),
                       sealed(verdict.message, hidden), verdict.diagnosis, curve, loss_curve(reference))


def _verdict(check, probed, reference, ctx):
    """(the verdict, whether the student's data passed its schema). Data is validated before any judge
    computes on it; whatever a judge still raises on it costs this check, never the batch."""
    if not isinstance(probed, dict):
        return Verdict(False, f"{check.id}: no result came back from the grading process.", "no_result"), False
    readable = False
    try:
        if "error" in probed:
            schema.validate_error(check.id, probed["error"])
            return explain_error(check, probed["error"]), False
        if "verdict" in probed:  # set by the sandbox runner: timeout, crash, memory limit
            return Verdict(False, probed["verdict"]["message"], probed["verdict"].get("diagnosis")), False
        schema.validate(check, probed["data"])
        readable = True
        with np.errstate(all="ignore"):  # NaN is judged, not warned about; the challenge is ctx's, explicitly
            verdict = check.judge(probed["data"], reference["data"], ctx)
    except Problem as problem:
        verdict = problem.verdict
    except Exception as exc:  # MemoryError, RecursionError, OverflowError...: the submission's data, never a crash
        verdict = Verdict(False, f"{check.id}: the values your code produced could not be checked "
                          f"({type(exc).__name__}).", "unjudgeable")
    return verdict, readable


def loss_curve(probed, hidden=frozenset()):
    """The per-epoch losses a convergence probe recorded, as floats, or None. A value that spells a
    secret (see secrets_of) is left out: a submission could report the challenge as a loss."""
    try:
        items = probed["data"]["losses"]["items"]
        values = [float(item["value"]) for item in items if item.get("kind") == "number"]
    except Exception:  # whatever the student's data holds (an int too large for a float, say)
        return None
    if hidden:  # NaN: a point the report leaves out of the curve
        values = [math.nan if sealed(repr(v), hidden) != repr(v) else v for v in values]
    return values or None


# --- the challenge stays with the grader ------------------------------------------------------------

MAX_MESSAGE = 4000  # characters of one check's message: the longest honest one is about 1,000
HIDDEN = "[hidden]"


@lru_cache(maxsize=64)
def secrets_of(challenge) -> frozenset:
    """The numbers no student may read back from a run: its challenge (as given, and as the inputs use
    it) and the seed its convergence runs hand to train(), which a search over 2**31 challenges would
    turn back into the challenge. Nothing for challenge 0: the self-check's inputs, published with the
    release's reference data."""
    if int(challenge) % 2**31 == 0:
        return frozenset()
    seed = inputs.train_seed(challenge)
    return frozenset({abs(int(challenge)), int(challenge) % 2**31, seed})


@lru_cache(maxsize=16)
def _secret_pattern(hidden: frozenset):
    """Each secret as a whole number token, in decimal (with or without digit separators or leading
    zeros), in hex (0x or bare, any case), in octal and binary (0o, 0b). Literal alternatives and
    lookarounds: no backtracking beyond one token."""
    forms = []
    for secret in sorted(hidden):
        digits = "[,_ ']?".join(str(secret))
        forms.append(f"(?<![0-9])0*{digits}(?![0-9])")
        hexa = format(secret, "x")
        forms.append(f"(?<![0-9a-z])(?:0x)?0*{hexa}(?![0-9a-f])" if len(hexa) >= 6 else f"0x0*{hexa}(?![0-9a-f])")
        forms.append(f"0o0*{format(secret, 'o')}(?![0-7])")
        forms.append(f"0b0*{format(secret, 'b')}(?![01])")
    return re.compile("|".join(forms), re.IGNORECASE)


def sealed(text, hidden) -> str:
    """text as a report may show it: every secret of the run replaced by [hidden], at most MAX_MESSAGE
    characters. Every message of a CheckResult passes here, and nothing else puts text in one."""
    text = str(text)[:64 * MAX_MESSAGE]  # bounds the search; a secret cut in two here lies far past the final cut
    if hidden:
        text = _secret_pattern(frozenset(hidden)).sub(HIDDEN, text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def judge_level(level: int, probed: Optional[dict], device: str, challenge: int = 0,
                solutions_dir: str = str(SOLUTIONS_DIR)) -> list:
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
        if error.get("plain"):  # a message that names its own file
            message = error["message"]
        diagnosis = error.get("diagnosis") or "import_failed"
        message = sealed(message, secrets_of(challenge))
        return [CheckResult(c.id, level, 0, c.points, False, message, diagnosis) for c in checks]
    reference = reference_results(level, device, challenge, solutions_dir)
    return [judge_check(c, probed.get(c.id), reference[c.id], device, challenge) for c in checks]
