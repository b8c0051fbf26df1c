"""The entry point nbgrader's grade cells call: grade_cell(globals(), "level1.forward").

It runs one check's probe on the notebook's own namespace and judges it against the reference,
prints the verdict wrapped to the page and returns the points as a float (nbgrader's partial
credit). A check that earns nothing raises CheckFailed instead: a cell that raises scores 0, and
the notebook shows the verdict alone, without a traceback through the grader (IPython prints what
an exception's _render_traceback_ returns in place of the traceback). It never writes to stderr,
where nbgrader would zero the cell: warnings are captured into the message.
"""

import contextlib
import logging
import os
import sys
import textwrap
import types

WIDTH = 90  # a notebook page: a longer line runs off its right edge


class CheckFailed(AssertionError):
    """A check that earned nothing: raised so that nbgrader scores the cell 0 (an error output) and
    `nbgrader validate` and the notebook show its verdict."""

    def __init__(self, verdict):
        super().__init__(verdict)
        self.verdict = verdict

    def _render_traceback_(self):
        # what IPython shows in place of the traceback: the frames are the grader's own and would
        # only bury the verdict (and show where the kit is installed). One string, newlines inside:
        # a terminal joins the list with newlines, nbconvert's templates without.
        return [self.verdict]


def wrapped(text, width=WIDTH):
    """text with every line broken at spaces to fit width; continuation lines indented."""
    lines = []
    for line in text.splitlines() or [""]:
        indent = line[: len(line) - len(line.lstrip())]
        lines += textwrap.wrap(line, width, subsequent_indent=indent + "    ", break_on_hyphens=False) or [""]
    return "\n".join(lines)


def grade_cell(namespace, check_id, device=None):
    out = sys.stdout
    try:
        with stderr_to(out):
            return _grade(namespace, check_id, device)
    except CheckFailed:
        raise
    except Exception as exc:  # the grader's own failure must cost points visibly, never stderr
        print(wrapped(f"FAIL {check_id}: could not run the check ({type(exc).__name__}: {exc})"), file=out)
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
    # heavy: torch and the checks, imported under stderr_to so that a warning at import is not on stderr
    from autograder import checks, config, devices, judge, results
    from autograder.probe import run  # heavy: as above

    check = checks.all_checks()[check_id]
    device = devices.resolve_device(device or config.grade_cell_device())
    module = types.ModuleType(f"notebook_level{check.level}")
    module.__dict__.update(namespace)
    probed = run.run_probe(check.probe, module, run.ProbeContext(device))
    reference = judge.reference_results(check.level, device)[check_id]
    result = judge.judge_check(check, probed, reference, device)
    verdict = wrapped(f"{'PASS' if result.passed else 'FAIL'} {check_id} "
                      f"({results.number(result.points)}/{result.max_points}): {result.message}")
    if not result.passed and not result.points:
        raise CheckFailed(verdict)  # shown once, as the cell's error, in place of a traceback
    print(verdict)
    return float(result.points)
