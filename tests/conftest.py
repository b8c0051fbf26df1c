import pytest

from autograder.judge import judge_level
from autograder.probe.run import load_and_probe
from tests.catalog import write_submission


@pytest.fixture
def grade_entry(tmp_path):
    """Grade a catalog entry's level in-process: {check id: CheckResult}."""

    def grade(entry, device="cpu"):
        path = write_submission(entry, tmp_path / entry.name.replace(" ", "_").replace("/", "_"))
        probed = load_and_probe(entry.level, path, device)
        return {r.id: r for r in judge_level(entry.level, probed, device)}

    return grade


class CliResult:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_cli(*args, cwd=None):
    """python -m autograder ARGS, in this process: the same code and the same sandboxes per student,
    without paying a fresh interpreter, torch and the reference for every call (about 9 s each)."""
    import contextlib
    import io
    import os

    from autograder.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exit:  # argparse's usage errors
                code = exit.code
    finally:
        os.chdir(here)
    return CliResult(code, out.getvalue(), err.getvalue())
