"""The probe side's tripwire: student code that changes the grader's own code while it runs (a probe
swapped in the registry, a fixture's method replaced) earns nothing and is held for review."""

import pytest

from autograder.checks import level_points
from autograder.levels import EXERCISES_DIR, SOLUTIONS_DIR
from autograder.probe import given_model, registry
from autograder.probe.run import grader_fingerprint, settle_optimizers, tampered
from tests.conftest import run_cli
from tests.student_code import snippet


def test_a_swapped_probe_or_method_is_seen_and_nothing_else():
    settle_optimizers()
    before = grader_fingerprint()
    assert tampered(before, grader_fingerprint()) is None  # honest running changes nothing
    real = registry.PROBES["level1.device"]
    registry.PROBES["level1.device"] = lambda student, ctx: []
    try:
        assert tampered(before, grader_fingerprint()) == "autograder.probe.registry.PROBES['level1.device']"
    finally:
        registry.PROBES["level1.device"] = real
    forward = given_model.LinearFixture.forward
    given_model.LinearFixture.forward = lambda self, x: x
    try:
        assert tampered(before, grader_fingerprint()) == "autograder.probe.given_model.LinearFixture.forward"
    finally:
        given_model.LinearFixture.forward = forward
    assert tampered(before, grader_fingerprint()) is None


SWAP = "\n\n" + snippet("tripwire", "swap") + "\n"  # appended to the stubs


@pytest.mark.slow
def test_stubs_that_swap_a_probe_earn_nothing_and_are_held(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "level1_manual.py").write_text((EXERCISES_DIR / "level1_manual.py").read_text() + SWAP)
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "level1_manual.py").write_text((SOLUTIONS_DIR / "level1_manual.py").read_text())
    result = run_cli("batch", tmp_path, "--out", tmp_path / "out", "--levels", "1", "--workers", "1")
    assert result.returncode == 0, result.stderr
    import json

    swapped = json.loads((tmp_path / "out" / "s.json").read_text())
    assert swapped["status"] == "flagged" and swapped["score"] == 0
    assert any(flag["why"].startswith("at run time:") and "PROBES['level1.device']" in flag["why"]
               for flag in swapped["flags"])
    honest = json.loads((tmp_path / "out" / "h.json").read_text())
    assert honest["status"] == "graded" and honest["score"] == level_points(1) and honest["flags"] == []
