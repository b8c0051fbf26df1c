"""The entry point nbgrader's grade cells call: grade_cell(globals(), "level1.forward").

It runs one check's probe on the notebook's own namespace and judges it against the reference,
prints the verdict and returns the points as a float (nbgrader's partial credit). It never
writes to stderr, where nbgrader would zero the cell: warnings are captured into the message.
"""

import contextlib
import os
import sys
import types


def grade_cell(namespace, check_id, device=None):
    out = sys.stdout
    try:
        with contextlib.redirect_stderr(out):
            return _grade(namespace, check_id, device)
    except Exception as exc:  # the grader's own failure must cost points visibly, never stderr
        print(f"FAIL {check_id}: could not run the check ({type(exc).__name__}: {exc})", file=out)
        return 0.0


def _grade(namespace, check_id, device):
    from autograder.checks import ProbeContext, all_checks
    from autograder.devices import resolve_device
    from autograder.grade import number
    from autograder.loader import load_reference
    from autograder.runner import judge_check, reference_results, run_probe

    check = all_checks()[check_id]
    device = resolve_device(device or os.environ.get("AUTOGRADER_DEVICE", "cpu"))
    module = types.ModuleType(f"notebook_level{check.level}")
    module.__dict__.update(namespace)
    probed = run_probe(check, module, ProbeContext(device, load_reference(check.level)))
    reference = reference_results(check.level, device)[check_id]
    result = judge_check(check, probed, reference, device)
    verdict = "PASS" if result.passed else "FAIL"
    print(f"{verdict} {check_id} ({number(result.points)}/{result.max_points}): {result.message}")
    return float(result.points)
