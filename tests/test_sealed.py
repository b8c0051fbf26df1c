"""Sealed grading: no answer, no verdict and no classmate within a student's reach.

One batch per mode (as root, and as an unprivileged user), with submissions that try each way
of scoring without solution code, or of hurting a classmate, beside honest students. The stub
file (every stub raising NotImplementedError) scores 0, so whatever an answer-stealing
submission scores came from its attack.
"""

import csv
import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from autograder.checks import level_points
from autograder.judge import reference_results
from autograder.levels import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from tests.catalog import mutate
from tests.sandbox_users import MODES, give_to, grading_as, processes_with
from tests.student_code import at_import, snippet

pytestmark = pytest.mark.slow

STUBS = (EXERCISES_DIR / "level1_manual.py").read_text()
REFERENCE = (SOLUTIONS_DIR / "level1_manual.py").read_text()
FULL = level_points(1)
SECRET = "grader-secret-7d1f"


def source(name, **values):
    return snippet("sealed", name, **values)


def stubs_then(code):
    """The untouched stubs, then code run at import that tries to fill them from elsewhere."""
    return STUBS.replace('\nif __name__ == "__main__":', "\n" + code + '\n\nif __name__ == "__main__":', 1)


def reference_then(code):
    """The reference (full marks), then code run at import; its failures are swallowed."""
    body = "\n".join("    " + line for line in code.splitlines())
    return REFERENCE.replace('\nif __name__ == "__main__":', f"\ntry:\n{body}\nexcept Exception:\n    pass\n"
                             '\n\nif __name__ == "__main__":', 1)


def answer_thieves():
    """Level files with no solution code that try to take the answers or forge the verdict."""
    solutions = repr(str(SOLUTIONS_DIR / "level1_manual.py"))
    replay = repr(json.dumps({k: v for k, v in reference_results(1, "cpu", 0).items()}))  # right for challenge 0 only
    guarded = "try:\n{}\nexcept BaseException:\n    pass"

    def attempt(code):
        return stubs_then(guarded.format("\n".join("    " + line for line in code.splitlines())))

    return {
        "via_loader": attempt(source("via_loader")),
        "via_closed_forms": attempt(source("via_closed_forms")),
        "via_sys_modules": attempt(source("via_sys_modules")),
        "via_kit_path": attempt(source("via_kit_path", solutions=solutions)),
        "exec_by_path": attempt(source("exec_by_path", solutions=solutions)),
        "from_solutions": attempt(source("from_solutions")),
        "binds_grader_code": attempt(source("binds_grader_code")),
        "replays_probe_data": attempt(source("replays_probe_data", replay=replay)),
        "writes_channel": attempt(source("writes_channel", replay=replay)),
        "opens_channel": attempt(source("opens_channel", replay=replay)),
    }


TRAIN_FORGERY = mutate(1, {}).replace("def train(X, Y, w, lr=0.01, epochs=100, num_batches=100, seed=10):",
                                      source("forges_train"))


def neighbours(listen_port):
    """Honest code plus an attack on classmates or the grader: each must still score FULL, and
    the attack must fail (checked after the batch)."""
    folders = {name: repr(str(REPO_ROOT / name)) for name in ("solutions", "tests", "examples")}
    return {
        "a_plants_tmp": reference_then(source("a_plants_tmp")),
        "b_sees_no_plant": at_import(source("b_sees_no_plant")),
        "calls_home": reference_then(source("calls_home", port=listen_port)),
        "leaves_a_daemon": reference_then(source("leaves_a_daemon")),
        "kills_what_it_can": reference_then(source("kills_what_it_can")),
        "kills_the_grader": reference_then(source("kills_the_grader")),
        "fork_bomb_is_capped": at_import(source("fork_bomb_is_capped")),
        "looks_like_a_laptop": at_import(source("looks_like_a_laptop", secret=repr(SECRET), **folders)),
        "memory_as_a_whole": at_import(source("memory_as_a_whole")),
    }


class Listener:
    """A loopback server on the grader's side of the network: nothing must ever reach it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = []
        self.server.settimeout(0.5)
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.received.append(connection.recv(65536))
            connection.close()

    def close(self):
        self.running = False
        self.thread.join(5)
        self.server.close()


def run_batch(prefix, submissions, out, *args, cwd=REPO_ROOT):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT),
           "AUTOGRADER_TEST_TOKEN": SECRET, "GRADER_SECRET": SECRET}
    return subprocess.run([*prefix, sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out),
                           *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def reports_of(out, names):
    return {name: json.loads((out / f"{name}.json").read_text()) for name in names}


@pytest.mark.parametrize("mode", MODES)
def test_no_answer_and_no_forgery_scores(mode):
    with grading_as(mode) as (prefix, folder):
        submissions, out = folder / "class", folder / "out"
        students = {"stubs": STUBS, **answer_thieves(), "forges_train": TRAIN_FORGERY, "honest": REFERENCE}
        for name, text in students.items():
            (submissions / name).mkdir(parents=True)
            (submissions / name / "level1_manual.py").write_text(text)
        give_to(mode, folder)
        result = run_batch(prefix, submissions, out, "--workers", "2", "--timeout", "20")
        assert result.returncode == 0, result.stderr[-3000:]
        reports = reports_of(out, students)
    level1 = {name: report["levels"][0]["score"] for name, report in reports.items()}
    assert level1["stubs"] == 0 and level1["honest"] == FULL, level1
    for name in answer_thieves():
        failed = {c["id"]: c["message"][:200] for c in reports[name]["checks"] if c["level"] == 1 and not c["passed"]}
        # only checks whose answer is a shape and flags can be forged without computing anything:
        # init_weights (a random tensor of the asked size) and device (2 points each)
        passed = {c["id"] for c in reports[name]["checks"] if c["level"] == 1 and c["passed"]}
        assert passed <= {"level1.init_weights", "level1.device"}, (name, level1[name], failed)
    train = next(c for c in reports["forges_train"]["checks"] if c["id"] == "level1.train")
    assert not train["passed"] and train["diagnosis"] == "wrong_step_count", train
    assert level1["forges_train"] == FULL - train["max_points"]
    assert reports["opens_channel"]["status"] == "flagged", reports["opens_channel"]["flags"]  # its frames lack the seal
    borrowed = next(c for c in reports["binds_grader_code"]["checks"] if c["id"] == "level1.forward")
    assert "grader's own code" in borrowed["message"], borrowed


@pytest.mark.parametrize("mode", MODES)
def test_classmates_and_the_grader_are_out_of_reach(mode):
    listener = Listener()
    try:
        with grading_as(mode) as (prefix, folder):
            submissions, out = folder / "class", folder / "out"
            students = neighbours(listener.port)
            for name, text in students.items():
                (submissions / name).mkdir(parents=True)
                (submissions / name / "level1_manual.py").write_text(text)
            give_to(mode, folder)
            # one worker: the planter is graded before the student who must not see its files
            result = run_batch(prefix, submissions, out, "--workers", "1", "--timeout", "20", "--memory", "1024")
            assert result.returncode == 0, result.stderr[-3000:]
            reports = reports_of(out, students)
            with open(out / "grades.csv") as handle:
                rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    finally:
        listener.close()
    for name in students:
        level1 = reports[name]["levels"][0]["score"]
        if name == "memory_as_a_whole":
            continue
        failed = [c["message"][:300] for c in reports[name]["checks"] if not c["passed"] and c["level"] == 1]
        assert level1 == FULL, (name, failed)
        # the one that imports the grader's package to look around is read before it runs, and held
        assert rows[name]["status"] == ("flagged" if name == "looks_like_a_laptop" else "graded"), name
    hog = reports["memory_as_a_whole"]
    assert hog["levels"][0]["score"] == 0, hog["checks"][0]
    assert "memory limit" in hog["checks"][0]["message"], hog["checks"][0]["message"]
    assert listener.received == [], "a sandbox reached the grader's network"
    assert processes_with(b"1234.5678") == [], "a process a student started outlived the batch"
