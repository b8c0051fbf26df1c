"""The trusted side trusts nothing: the channel's limits, the parent's own schedule, safe output,
and bad options or paths as one line before any grading."""

import csv
import json
import math
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from autograder.authoring.exercises import edited_files, write_exercises
from autograder.checks import all_checks
from autograder.cli import main
from autograder.levels import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR
from autograder.output.textsafe import for_csv, for_terminal
from autograder.probe.protocol import MAX_BYTES, Budget, FrameReader, ProtocolError, decode
from autograder.sandbox import runner
from tests.sandbox_users import processes_with

# --- the channel ----------------------------------------------------------------------------

def frame(obj):
    body = json.dumps(obj).encode()
    return struct.pack(">I", len(body)) + body


def test_a_torn_frame_cannot_hold_the_reader_past_its_deadline():
    read_fd, write_fd = os.pipe()
    os.write(write_fd, struct.pack(">I", 100) + b'{"id": "x", ')  # a header, then part of the body
    reader = FrameReader(read_fd, Budget())
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        reader.read(time.monotonic() + 0.5)
    assert time.monotonic() - began < 2
    os.close(read_fd), os.close(write_fd)


@pytest.mark.parametrize("raw, why", [
    (struct.pack(">I", 2**30), "bytes (the limit"),
    (frame([]), "not a JSON object"),
    (struct.pack(">I", 4) + b"\xff\xfe{}", "not JSON"),
])
def test_malformed_frames_are_refused(raw, why):
    read_fd, write_fd = os.pipe()
    os.write(write_fd, raw)
    with pytest.raises(ProtocolError, match=why.split(" (")[0]):
        FrameReader(read_fd, Budget()).read(time.monotonic() + 2)
    os.close(read_fd), os.close(write_fd)


def test_deep_nesting_is_refused_before_the_json_parser_sees_it():
    with pytest.raises(ProtocolError, match="nested"):
        decode(b"[" * 100000 + b"]" * 100000)


def test_lone_surrogates_become_printable_at_the_boundary():
    event = decode(b'{"message": "bad \\udc80 text", "items": ["\\ud800"]}')
    json.dumps(event, ensure_ascii=False).encode("utf-8")  # no UnicodeEncodeError
    assert "\udc80" not in event["message"]


def test_a_flood_stops_at_the_byte_budget_and_the_parent_stays_small():
    read_fd, write_fd = os.pipe()
    reader = FrameReader(read_fd, Budget())
    chunk = frame({"pad": "x" * 200_000})

    def flood():
        try:
            for _ in range(4 * MAX_BYTES // len(chunk)):
                os.write(write_fd, chunk)
        except OSError:
            pass
        finally:
            os.close(write_fd)

    writer = threading.Thread(target=flood)
    writer.start()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ProtocolError, match="MiB of messages"):
        while reader.read(time.monotonic() + 10) is not None:
            pass
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    os.close(read_fd)
    writer.join(10)
    assert grew_mb < 100, grew_mb


# --- the parent's schedule, against children that lie -----------------------------------------

def fake_child(monkeypatch, program):
    """Make every sandbox run `program` (a plain Python script speaking the protocol on stdout)."""
    script = "import json, os, struct, sys, time\n" + SEND + textwrap.dedent(program)
    monkeypatch.setattr(runner.Attempts, "argv", lambda self, caps_: [sys.executable, "-c", script])


SEND = "def send(obj):\n    body = json.dumps(obj).encode()\n    os.write(1, struct.pack('>I', len(body)) + body)\n"


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


def test_a_child_that_never_says_hello_is_not_graded(monkeypatch, tmp_path):
    fake_child(monkeypatch, "sys.exit(3)\n")
    with pytest.raises(runner.NotGraded, match="could not start a sandbox"):
        probe(tmp_path)


# --- output that student text reaches ------------------------------------------------------------

def test_control_sequences_never_reach_the_terminal():
    text = for_terminal("done\x1b]52;c;aGFjaw==\x07 \x1b[2J\u202eevil")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b" in text


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_are_not_formulas(cell):
    assert for_csv(cell).startswith("'")


def test_plain_ids_and_numbers_are_unchanged():
    assert for_csv("ann") == "ann" and for_csv(25) == 25 and for_csv(-1.5) == -1.5


# --- options and paths ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv, says", [
    (["grade", "solutions", "--timeout", "0"], "--timeout 0"),
    (["grade", "solutions", "--timeout", "-3"], "--timeout -3"),
    (["grade", "solutions", "--timeout", "nan"], "--timeout nan"),
    (["grade", "solutions", "--memory", "0"], "--memory 0"),
    (["grade", "solutions", "--device", "meta"], "--device meta"),
    (["grade", "examples/class"], "batch examples/class"),
    (["grade", "nowhere"], "no such file or folder"),
    (["grade", "solutions", "--feedback", "README.md"], "is a file"),
    (["grade", "solutions", "--gradescope", "nowhere/results.json"], "does not exist"),
    (["batch", "examples/class", "--out", "README.md"], "is a file"),
    (["batch", "examples/class", "--out", "x", "--timeout", "0"], "--timeout 0"),
    (["batch", "examples/class", "--out", "x", "--workers", "0"], "--workers"),
    (["nbgrader", "build", "README.md"], "is a file"),
])
def test_bad_options_are_one_line_and_exit_2(argv, says, capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1, err


def test_an_empty_class_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "class" / ".git").mkdir(parents=True)
    assert main(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 2
    assert "no student folders" in capsys.readouterr().err


def test_make_exercises_keeps_filled_stubs(tmp_path, capsys):
    exercises = tmp_path / "exercises"
    write_exercises(SOLUTIONS_DIR, exercises)
    filled = exercises / "level1_manual.py"
    text = filled.read_text()
    first = text.index("raise NotImplementedError(")
    filled.write_text(text[:first] + "return 42  # my answer" + text[text.index("\n", first):])
    assert edited_files(SOLUTIONS_DIR, exercises) == [filled]
    argv = ["make-exercises", "--solutions", str(SOLUTIONS_DIR), "--exercises", str(exercises)]
    assert main(argv) == 2 and "--force" in capsys.readouterr().err
    assert "my answer" in filled.read_text()
    assert main([*argv, "--force"]) == 0 and "my answer" not in filled.read_text()


def test_the_shipped_exercises_are_untouched_stubs():
    assert edited_files(SOLUTIONS_DIR, EXERCISES_DIR) == []


# --- one student's data never ends the batch ----------------------------------------------------

@pytest.mark.slow
def test_strange_text_and_names_cost_only_their_student(tmp_path):
    submissions, out = tmp_path / "class", tmp_path / "out"
    reference = (SOLUTIONS_DIR / "level1_manual.py").read_text()
    students = {
        "surrogate": "raise ValueError('bad \\udc80 text \\x1b]52;c;aGk=\\x07')\n",
        "=cmd|' -C calc'!A0": reference,
        os.fsdecode(b"caf\xe9"): reference,  # a folder name that is not UTF-8
        "honest": reference,
    }
    for name, text in students.items():
        (submissions / name).mkdir(parents=True)
        (submissions / name / "level1_manual.py").write_text(text)
    (submissions / ".hidden").mkdir()
    shutil.copy(SOLUTIONS_DIR / "level1_manual.py", submissions / ".hidden")
    assert main(["batch", str(submissions), "--out", str(out), "--workers", "2"]) == 0
    with open(out / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["honest"]["score"] == "25" and rows["surrogate"]["score"] == "0"
    assert rows["'=cmd|' -C calc'!A0"]["score"] == "25"
    assert rows["caf\\xe9"]["score"] == "25"
    assert ".hidden" not in rows and (out / "report.html").is_file()


# --- the self-check's options, and interrupting a batch --------------------------------------------

@pytest.mark.parametrize("args, says", [
    (["--device", "cuda"] if not __import__("torch").cuda.is_available() else ["--device", "nope"], "--device"),
    (["--submission", "nowhere"], "--submission nowhere: no such folder"),
])
def test_self_check_options_are_one_line(args, says):
    done = subprocess.run([sys.executable, "-m", "pytest", "exercises", "-q", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 4 and len(lines) <= 2 and says in lines[0], lines


@pytest.mark.slow
def test_a_single_level_file_is_one_level(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(SOLUTIONS_DIR / "level5_builtins.py"),
                           "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert [level["level"] for level in report["levels"]] == [5]
    assert report["score"] == report["max_score"] == 20


@pytest.mark.slow
def test_ctrl_c_ends_a_hung_batch_and_every_sandbox(tmp_path):
    submissions, out = tmp_path / "class", tmp_path / "out"
    for name in ("a", "b"):
        (submissions / name).mkdir(parents=True)
        (submissions / name / "level1_manual.py").write_text(
            "import os, time\nif os.fork() == 0:\n    os.execv('/bin/sleep', ['sleep', '4321.8765'])\n"
            "time.sleep(3600)\n")
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


@pytest.mark.parametrize("argv, says", [
    (["grade", "solutions", "--device", "xpu"], "cpu, cuda or mps"),
    (["grade", "solutions", "--timeout", "0.001"], "give at least"),
])
def test_devices_and_timeouts_the_kit_cannot_honour(argv, says, capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(argv) == 2
    assert says in capsys.readouterr().err


def test_out_among_the_students_is_a_usage_error(tmp_path, capsys):
    for name in ("ann", "bob"):
        (tmp_path / "class" / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS_DIR / "level1_manual.py", tmp_path / "class" / name)
    for out in (tmp_path / "class", tmp_path / "class" / "bob", tmp_path / "class" / "bob" / "results"):
        assert main(["batch", str(tmp_path / "class"), "--out", str(out)]) == 2
        assert "--out" in capsys.readouterr().err
    assert not (tmp_path / "class" / "bob" / "results").exists()


def test_long_and_reserved_student_names_keep_their_own_records():
    from autograder.batch.students import MAX_ID, student_id

    long_id = student_id("a" * 250)
    assert len(long_id.encode()) <= MAX_ID and long_id != student_id("a" * 249)
    assert student_id("results") == "results"  # class-wide files live in OUT/class/, never OUT/<id>.json


@pytest.mark.slow
def test_a_flooding_student_is_graded_not_excused(tmp_path):
    flood = ("import os, struct\nfor fd in range(3, 32):\n    try:\n"
             "        os.write(fd, struct.pack('>I', 256 * 1024) + b'x' * 262144)\n    except OSError:\n"
             "        pass\n")
    stubs = (EXERCISES_DIR / "level1_manual.py").read_text()
    level1 = stubs.replace("    raise NotImplementedError(", "    " + flood.replace("\n", "\n    ") + "raise NotImplementedError(")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "level1_manual.py").write_text(level1)
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "s" / "level1_manual.py"),
                           "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["status"] == "flagged" and report["score"] == 0  # os.write on raw descriptors: held for review


def test_numbers_no_float_holds_cost_their_check_only():
    from autograder.checks import all_checks
    from autograder.judge import judge_check, loss_curve, reference_results

    huge = {"data": {"weights": [-1.0, 3.0], "start": [1.0, -1.0],
                     "losses": {"kind": "list", "length": 7, "items": [{"kind": "number", "value": 10**4000}] * 7}}}
    assert loss_curve(huge) is None
    result = judge_check(all_checks()["level1.train"], huge, reference_results(1, "cpu", 0)["level1.train"], "cpu")
    assert not result.passed and result.points == 0


def test_stubs_that_only_raise_a_meta_error_earn_no_device_points(tmp_path):
    from autograder.judge import judge_level
    from autograder.probe.run import load_and_probe

    for level in (1, 5):
        name = {1: "level1_manual.py", 5: "level5_builtins.py"}[level]
        text = (EXERCISES_DIR / name).read_text().replace(
            "raise NotImplementedError(", "raise RuntimeError('cannot be called on meta tensors') or (")
        (tmp_path / name).write_text(text)
        results = {r.id: r for r in judge_level(level, load_and_probe(level, tmp_path / name, "cpu"), "cpu")}
        assert results[f"level{level}.device"].points == 0, results[f"level{level}.device"].message


def test_folder_names_that_escape_alike_stay_two_students(tmp_path):
    from autograder.batch.students import find_students

    for name in (os.fsdecode(b"\xff"), "\\xff"):
        (tmp_path / name).mkdir()
    students, _ = find_students(tmp_path)
    assert len(students) == 2 and len(set(students.values())) == 2


# --- judging what a sandbox sends: bounded, whatever it sends ---------------------------------------

# Safety bounds, not speed goals. Measured on a loaded 2-core machine: at most 0.35 s of CPU (most of it
# parsing the frame, before any judge) and 12.3 MB at the peak, for the worst frame of any check.
GRADER_CPU_SECONDS = 2.0  # one hostile frame, read and judged
GRADER_PEAK_MB = 64  # what reading and judging it may allocate


def hostile_frames(check_id, data):
    """(what, result) pairs for one check: its reference data grown to fill a whole frame (256 KB)
    every way that cost the grader before: long lists, long texts of the grader's name, tensors and
    weights of huge shapes, nesting to the channel's limit, huge numbers, and an error report of the same."""
    from autograder.probe.protocol import MAX_DEPTH, MAX_FRAME, encode
    from tests.test_probe_schema import nodes, replaced

    def filled(path, unit, make):
        """data with make(n) at path, n as large as one frame allows (unit: bytes per n)."""
        base = len(encode({"id": check_id, "result": {"data": replaced(data, path, make(0))}}))
        return replaced(data, path, make((MAX_FRAME - base - 64) // unit))

    frames, everything = [], list(nodes(data))
    lists = [(path, node) for path, node in everything if isinstance(node, list) and node]
    if lists:  # the longest list the check's data holds
        path, node = max(lists, key=lambda entry: len(entry[1]))
        unit = len(json.dumps(node[0], separators=(",", ":"))) + 1
        frames.append((f"{list(path)} as a long list", filled(path, unit, lambda n: [node[0]] * n)))
    texts = [path for path, node in everything if isinstance(node, str)]
    if texts:
        frames.append((f"{list(texts[0])} as the grader's name, repeated",
                       filled(texts[0], 11, lambda n: "autograder." * n)))
    tensors = [path for path, node in everything if isinstance(node, dict) and node.get("kind") == "tensor"]
    if tensors:
        frames.append((f"{list(tensors[0])} of shape (40000, 1)", replaced(
            filled((*tensors[0], "values"), 4, lambda n: [[1]] * n), (*tensors[0], "shape"), [40000, 1])))
    if isinstance(data, dict) and "start" in data:  # the convergence judge's np.allclose(weights, start)
        rest = {key: value for key, value in data.items() if key not in ("weights", "start", "steps")}
        frames.append(("weights (40000, 1) against a start (45000,)",
                       {"weights": [[1]] * 40000, "start": [1] * 45000, **rest}))
    frames.append(("nested to the channel's limit", nested_list(data, MAX_DEPTH - 2 - depth(data))))
    numbers = [path for path, node in everything if type(node) in (int, float)]
    if numbers:
        frames.append(("an int of 4,000 digits", replaced(data, numbers[0], 10**4000)))
    results = [(what, {"data": frame}) for what, frame in frames]
    results.append(("an error report of the grader's name", {"error": {
        "type": "autograder." * 2000, "message": "autograder." * 18000,
        "where": {"file": "autograder." * 1000, "line": 10**4000, "code": "IndexData object at 0x" * 1000}}}))
    return results


def depth(value):
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def nested_list(value, levels):
    for _ in range(levels):
        value = [value]
    return value


def read_and_judge(check, reference, result, challenge=0):
    """What the grader does with one frame: parse it, clean it, judge it."""
    from autograder.judge import judge_check
    from autograder.probe.protocol import MAX_FRAME, encode

    raw = encode({"id": check.id, "result": result})[4:]
    assert len(raw) <= MAX_FRAME  # a frame the channel lets through
    event = decode(raw)
    return judge_check(check, runner.clean_result(event["result"]), reference, "cpu", challenge)


@pytest.mark.parametrize("check_id", sorted(all_checks()))
def test_a_hostile_frame_costs_the_grader_little_time_and_memory(check_id):
    import tracemalloc

    from autograder.judge import reference_results

    check = all_checks()[check_id]
    reference = reference_results(check.level, "cpu", 0)[check_id]
    worst_seconds, worst_mb = (0.0, ""), (0.0, "")
    for what, result in hostile_frames(check_id, reference["data"]):
        began = time.process_time()
        judged = read_and_judge(check, reference, result)
        seconds = time.process_time() - began
        tracemalloc.start()  # a second time, traced: tracing slows Python several times over
        read_and_judge(check, reference, result)
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        assert not judged.passed and judged.points == 0, (what, judged.message)
        assert seconds < GRADER_CPU_SECONDS and peak_mb < GRADER_PEAK_MB, (what, seconds, peak_mb)
        worst_seconds, worst_mb = max(worst_seconds, (seconds, what)), max(worst_mb, (peak_mb, what))
    print(f"{check_id}: at most {worst_seconds[0]:.3f} s CPU ({worst_seconds[1]}), "
          f"{worst_mb[0]:.1f} MB peak ({worst_mb[1]})")


def test_weights_and_start_of_any_shapes_never_broadcast():
    """Once a 14 GB temporary (np.allclose of a (40000, 1) against a (45000,)): now refused unread."""
    from autograder.judge import reference_results

    reference = reference_results(1, "cpu", 0)["level1.train"]
    data = {"weights": [[1]] * 40000, "start": [1] * 45000, "losses": reference["data"]["losses"]}
    result = read_and_judge(all_checks()["level1.train"], reference, {"data": data})
    assert result.diagnosis == "unreadable_result" and "weights" in result.message, result.message
    for weights in ([[1.0]] * 64, [[1.0, 2.0]] * 2):  # weights within bounds: a start of two numbers only
        result = read_and_judge(all_checks()["level1.train"], reference,
                                {"data": {**data, "weights": weights, "start": [1.0] * 3000}})
        assert result.diagnosis == "unreadable_result" and "start" in result.message, result.message


def test_scrubbing_is_linear_in_the_text(monkeypatch):
    """Once quadratic: 300 KB of "autograder." took 46 s of CPU, a student's whole 2 MiB 650 s."""
    from autograder.checks import verdicts

    monkeypatch.setattr(verdicts, "MAX_SCRUB", 10**9)  # the scan itself, not the cut before it
    for unit in ("autograder.", "autograder.IndexData", "<IndexData object at 0x", "submission_level1_1."):
        text = unit * (256 * 1024 // len(unit))  # a frame's worth
        began = time.process_time()
        verdicts.scrub(text)
        assert time.process_time() - began < 1.0, unit
    monkeypatch.undo()
    assert len(verdicts.scrub("autograder." * 100_000)) <= verdicts.MAX_SCRUB


@pytest.mark.parametrize("text, reads", [
    ("<autograder.probe.level2_dataset.IndexData object at 0x7fc33aca07d0>", "the grader's dataset"),
    ("CountingSGD() got 2", "torch.optim.SGD got 2"),
    ("autograder.probe.tensors.WatchingSGD.step failed", "torch.optim.SGD.step failed"),
    ("in autograder.checks.regression, line 3", "in the grader's code, line 3"),
    ("submission_level1.Wrapper is not callable", "Wrapper is not callable"),
    ("notebook_level2_3.RandomData", "RandomData"),
    ("x.LinearFixture.w", "x.the grader's model.w"),
    ("autograder alone, 1.5 and my_module.f", "autograder alone, 1.5 and my_module.f"),
])
def test_the_grader_s_names_read_as_what_they_stand_for(text, reads):
    from autograder.checks.verdicts import scrub

    assert scrub(text) == reads


@pytest.mark.parametrize("failure", [MemoryError, RecursionError, OverflowError, ZeroDivisionError, KeyError])
def test_a_judge_that_fails_costs_its_check_only(failure):
    from dataclasses import replace

    from autograder.judge import judge_check, reference_results

    def judge(got, want, ctx):
        raise failure("from the judge")

    check = replace(all_checks()["level1.mse"], judge=judge)
    reference = reference_results(1, "cpu", 0)["level1.mse"]
    result = judge_check(check, reference, reference, "cpu")
    assert not result.passed and result.points == 0 and result.diagnosis == "unjudgeable"
    assert failure.__name__ in result.message


def test_an_error_report_of_any_shape_is_cleaned():
    report = {"type": ["x"] * 10, "message": {"m": "y" * 10_000}, "diagnosis": ["borrowed_from_grader"],
              "where": {"file": 3, "line": True, "code": None, "function": ["f"]}, "plain": "yes"}
    cleaned = runner.clean_error(report)
    assert cleaned["where"]["line"] is None and "diagnosis" not in cleaned and "plain" not in cleaned
    assert all(isinstance(cleaned[key], str) for key in ("type", "message"))
    assert runner.clean_error({**report, "where": {"line": 10**4000}})["where"]["line"] is None
    assert runner.clean_error({"where": {"line": 12}})["where"]["line"] == 12


# --- the challenge stays with the grader -------------------------------------------------------------

SECRET = 1_234_567_890  # a challenge of this run


def spellings(secret):
    return [str(secret), f"{secret:,}", f"{secret:_}", f"{secret:x}", f"{secret:#X}", f"{secret:#o}",
            f"{secret:#b}", f"00{secret}"]


def leaks(text, secret=SECRET):
    """The spellings of secret that text holds, and its digits however they are separated."""
    found = [form for form in spellings(secret) if form.lower() in text.lower()]
    digits = "".join(c for c in text if c.isdigit())
    return found + ([f"the digits of {secret}"] if str(secret) in digits else [])


def test_the_challenge_never_reaches_a_message():
    from autograder.judge import HIDDEN, judge_check, judge_level, reference_results
    from autograder.probe import inputs

    with inputs.challenge(SECRET):
        seed = inputs.train_seed()
    said = " ".join(f"seed={form}!" for form in spellings(SECRET)) + f" train seed {seed}"
    check = all_checks()["level1.mse"]
    reference = reference_results(1, "cpu", 0)["level1.mse"]
    raised = judge_check(check, {"error": {"type": "ValueError", "message": said, "where": None}}, reference, "cpu",
                         SECRET)
    assert HIDDEN in raised.message and not leaks(raised.message) and str(seed) not in raised.message, raised.message
    # a value's own repr, as a judge shows it
    length = judge_check(all_checks()["level2.len"], {"data": {"raw": {"kind": "other", "type": "str",
                                                                        "repr": f"'{SECRET}'"}, "rows": 3,
                                                               "bare": False}},
                         reference_results(2, "cpu", 0)["level2.len"], "cpu", SECRET)
    assert HIDDEN in length.message and not leaks(length.message), length.message
    # an import error, and the student's own line that raised it
    loaded = judge_level(1, {"load_error": {"type": "ImportError", "message": f"no {SECRET:#x}",
                                            "where": {"file": "level1_manual.py", "line": 3,
                                                      "code": f"raise ImportError({SECRET})"}}}, "cpu", SECRET)
    assert all(HIDDEN in r.message and not leaks(r.message) for r in loaded), loaded[0].message


def test_the_challenge_never_reaches_a_loss_curve():
    from autograder.judge import judge_check, reference_results

    reference = reference_results(1, "cpu", 0)["level1.train"]
    losses = reference["data"]["losses"]
    items = [{"kind": "number", "type": "float", "value": float(SECRET)}, *losses["items"][1:]]
    result = judge_check(all_checks()["level1.train"], {"data": {**reference["data"],
                                                                 "losses": {**losses, "items": items}}},
                         reference, "cpu", SECRET)
    assert math.isnan(result.curve[0]) and result.curve[1:] == [i["value"] for i in losses["items"][1:]]


def test_numbers_that_only_share_digits_with_the_challenge_are_kept():
    from autograder.judge import sealed, secrets_of

    text = f"batch of 7, loss 0.5, index 0, {SECRET}1, 9{SECRET}, {SECRET}.5e3 and 0x{SECRET:x}f"
    assert sealed(text, secrets_of(SECRET)) == text.replace(f"{SECRET}.5e3", "[hidden].5e3")
    assert sealed(f"seed {SECRET}", secrets_of(0)) == f"seed {SECRET}"  # challenge 0: the published inputs
