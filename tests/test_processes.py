"""Interrupting a batch (autograder/sandbox/processes.py): Ctrl-C ends the grader and every sandbox
it started, with the processes the students' code left behind."""

import signal
import subprocess
import sys
import time

import pytest

from autograder.levels import REPO_ROOT
from tests.sandbox_users import processes_with
from tests.student_code import snippet


@pytest.mark.slow
def test_ctrl_c_ends_a_hung_batch_and_every_sandbox(tmp_path):
    submissions, out = tmp_path / "class", tmp_path / "out"
    for name in ("a", "b"):
        (submissions / name).mkdir(parents=True)
        (submissions / name / "level1_manual.py").write_text(snippet("processes", "hangs_with_a_child") + "\n")
    # SIGINT as a terminal delivers it: pytest-xdist's workers ignore SIGINT, and a child would inherit that
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out),
                             "--timeout", "600"], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300  # a loaded machine: the grader, then torch in each sandbox
    while not processes_with(b"4321.8765") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(b"4321.8765"), "the students' code never started"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=180)  # a loaded machine (the suite runs on three processes)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err
    time.sleep(1)
    assert processes_with(b"4321.8765") == []
