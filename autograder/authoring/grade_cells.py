"""The entry point nbgrader's grade cells call: grade_cell(globals(), "level1.forward").

It runs one check's probe on the notebook's own namespace and judges it against the reference,
prints the verdict and returns the points as a float (nbgrader's partial credit); a check that
earns nothing raises CheckFailed with its message, which `nbgrader validate` then shows. It never
writes to stderr, where nbgrader would zero the cell: warnings are captured into the message.
"""

import contextlib
import logging
import os
import sys
import types


class CheckFailed(AssertionError):
    """A check that earned nothing: raised so that `nbgrader validate` and the notebook show its
    message (a cell that raises scores 0, which is what the check earned)."""


def grade_cell(namespace, check_id, device=None):
    out = sys.stdout
    try:
        with stderr_to(out):
            return _grade(namespace, check_id, device)
    except CheckFailed:
        raise
    except Exception as exc:  # the grader's own failure must cost points visibly, never stderr
        print(f"FAIL {check_id}: could not run the check ({type(exc).__name__}: {exc})", file=out)
        return 0.0


@contextlib.contextmanager
def stderr_to(out):
    """Send everything meant for stderr to out while the check runs: sys.stderr, logging handlers
    that captured the old stream, and the file descriptor 2 that compiled code writes to."""
    old = sys.stderr
    # (logging's last-resort handler reads sys.stderr each time: the redirect below covers it)
    handlers = [h for h in logging.root.handlers
                if type(h) is logging.StreamHandler and getattr(h, "stream", None) is old]
    for handler in handlers:
        handler.setStream(out)
    saved = None
    try:
        out.flush()
        saved = os.dup(2)
        os.dup2(1, 2)
    except (OSError, ValueError):
        saved = None
    try:
        with contextlib.redirect_stderr(out):
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        for handler in handlers:
            handler.setStream(old)


def _grade(namespace, check_id, device):
    from autograder.checks import all_checks
    from autograder.config import grade_cell_device
    from autograder.devices import resolve_device
    from autograder.judge import judge_check, reference_results
    from autograder.probe.run import ProbeContext, run_probe
    from autograder.results import number

    check = all_checks()[check_id]
    device = resolve_device(device or grade_cell_device())
    module = types.ModuleType(f"notebook_level{check.level}")
    module.__dict__.update(namespace)
    probed = run_probe(check.probe, module, ProbeContext(device))
    reference = reference_results(check.level, device)[check_id]
    result = judge_check(check, probed, reference, device)
    verdict = "PASS" if result.passed else "FAIL"
    print(f"{verdict} {check_id} ({number(result.points)}/{result.max_points}): {result.message}")
    if not result.passed and not result.points:
        raise CheckFailed(f"{check_id}: {result.message}")
    return float(result.points)
