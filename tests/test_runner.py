"""The sandbox's parent (autograder/sandbox/runner.py) keeps its own schedule against children that lie,
cleans what they report, and grades a student who floods the channel instead of excusing them."""

import json
import subprocess
import sys
import textwrap
import time

import pytest

from autograder.levels import EXERCISES_DIR, REPO_ROOT
from autograder.sandbox import runner
from tests.student_code import snippet


def fake_child(monkeypatch, program):
    """Make every sandbox run `program` (a plain Python script speaking the protocol on stdout)."""
    script = "import json, os, struct, sys, time\n" + SEND + textwrap.dedent(program)
    monkeypatch.setenv("AUTOGRADER_ZYGOTE", "0")  # the fake replaces a fresh sandbox's command line
    monkeypatch.setattr(runner.Attempts, "argv", lambda self, caps_: [sys.executable, "-c", script])


SEND = """\
import hashlib, hmac
_size = struct.unpack('>I', os.read(0, 4))[0]  # the request: its key seals every frame sent
_request = b''
while len(_request) < _size:
    _request += os.read(0, _size - len(_request))
KEY, COUNT = bytes.fromhex(json.loads(_request)['key']), [0]


def send(obj, sealed=True):
    body = json.dumps(obj).encode()
    mac = hmac.new(KEY, COUNT[0].to_bytes(8, 'big') + body, hashlib.sha256).digest()
    COUNT[0] += 1
    os.write(1, struct.pack('>I', len(body) + 32) + (mac if sealed else bytes(32)) + body)
"""


def probe(tmp_path, seconds=1.0):
    level_file = tmp_path / "level1_manual.py"
    level_file.write_text("x = 1\n")
    limits = runner.Limits(check_seconds=seconds, startup_seconds=10, sandbox=False)
    return runner.probe_sealed({1: level_file}, "cpu", limits, {}, challenge=1)[1]


def test_announcing_steps_cannot_extend_a_deadline(monkeypatch, tmp_path):
    fake_child(monkeypatch, """
        send({"hello": 1})
        send({"id": "level1.import", "result": {"data": None}})
        while True:
            send({"start": "level1.make_data"})
            time.sleep(0.3)
    """)
    began = time.monotonic()
    result = probe(tmp_path)
    assert time.monotonic() - began < 30
    assert result["level1.make_data"]["verdict"]["diagnosis"] == "protocol"


def test_a_silent_step_times_out_on_the_parents_clock(monkeypatch, tmp_path):
    fake_child(monkeypatch, """
        send({"hello": 1})
        send({"id": "level1.import", "result": {"data": None}})
        time.sleep(3600)
    """)
    began = time.monotonic()
    result = probe(tmp_path, seconds=0.5)
    assert time.monotonic() - began < 60  # 9 checks, a fresh child each, 0.5 s each
    assert all(r["verdict"]["diagnosis"] == "timeout" for r in result.values())


def test_results_for_steps_not_due_are_refused(monkeypatch, tmp_path):
    fake_child(monkeypatch, """
        send({"hello": 1})
        send({"id": "level1.import", "result": {"data": None}})
        send({"id": "level1.train", "result": {"data": {"weights": [-1, 3]}}})
    """)
    result = probe(tmp_path)
    # every step that was due when the forged frame came is charged; train's own turn takes it as
    # data, which its judge then weighs like any other
    assert all(r["verdict"]["diagnosis"] == "protocol" for step, r in result.items()
               if step not in ("level1.train", "level1.device"))  # device: the child had exited by then


@pytest.mark.parametrize("ending, diagnosis", [("os.kill(os.getpid(), signal.SIGKILL)", "killed"),
                                               ("os._exit(3)", "crashed")])
def test_a_child_that_dies_mid_step_charges_that_step(monkeypatch, tmp_path, ending, diagnosis):
    fake_child(monkeypatch, f"""
        import signal
        send({{"hello": 1}})
        send({{"id": "level1.import", "result": {{"data": None}}}})
        {ending}
    """)
    result = probe(tmp_path)
    assert result["level1.make_data"]["verdict"]["diagnosis"] == diagnosis


def test_a_frame_without_the_probes_seal_is_forged(monkeypatch, tmp_path):
    fake_child(monkeypatch, """
        send({"hello": 1})
        send({"id": "level1.import", "result": {"data": None}})
        send({"id": "level1.make_data", "result": {"data": {}}}, sealed=False)
    """)
    result = probe(tmp_path)
    verdict = result["level1.make_data"]["verdict"]
    assert verdict["diagnosis"] == "borrowed_from_grader" and "did not send" in verdict["message"]


def test_a_child_that_never_says_hello_is_not_graded(monkeypatch, tmp_path):
    fake_child(monkeypatch, "sys.exit(3)\n")
    with pytest.raises(runner.NotGraded, match="could not start a sandbox"):
        probe(tmp_path)


def test_an_error_report_of_any_shape_is_cleaned():
    report = {"type": ["x"] * 10, "message": {"m": "y" * 10_000}, "diagnosis": ["borrowed_from_grader"],
              "where": {"file": 3, "line": True, "code": None, "function": ["f"]}, "plain": "yes"}
    cleaned = runner.clean_error(report)
    assert cleaned["where"]["line"] is None and "diagnosis" not in cleaned and "plain" not in cleaned
    assert all(isinstance(cleaned[key], str) for key in ("type", "message"))
    assert runner.clean_error({**report, "where": {"line": 10**4000}})["where"]["line"] is None
    assert runner.clean_error({"where": {"line": 12}})["where"]["line"] == 12


@pytest.mark.slow
def test_a_flooding_student_is_graded_not_excused(tmp_path):
    flood = snippet("runner", "flood") + "\n"
    stubs = (EXERCISES_DIR / "level1_manual.py").read_text()
    level1 = stubs.replace("    raise NotImplementedError(", "    " + flood.replace("\n", "\n    ") + "raise NotImplementedError(")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "level1_manual.py").write_text(level1)
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "s" / "level1_manual.py"),
                           "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["status"] == "flagged" and report["score"] == 0  # os.write on raw descriptors: held for review
