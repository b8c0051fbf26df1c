"""Judging what a sandbox sends (autograder/judge.py): bounded in time and memory whatever it sends,
and a failure, of the data or of a judge, costs its own check only."""

import json
import time

import pytest

from autograder.checks import all_checks
from autograder.levels import EXERCISES_DIR
from autograder.probe.protocol import decode
from autograder.sandbox import runner


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
