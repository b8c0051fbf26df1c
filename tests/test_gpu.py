"""The same checks on a CUDA device (marker gpu; skipped without one). scripts/gpu-check.sh runs these."""

import json
import subprocess
import sys

import pytest
import torch

from autograder.checks import all_checks
from autograder.judge import judge_level
from autograder.levels import LEVEL_FILES, REPO_ROOT, SOLUTIONS_DIR
from autograder.probe.run import load_and_probe
from tests.catalog import CORRECT_VARIANTS, MISTAKES

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]

DEVICE_MISTAKES = [e for e in MISTAKES if "wrong_device" in e.expect.values() or "w_left_behind" in e.expect.values()]


@pytest.mark.parametrize("level", sorted(LEVEL_FILES))
def test_reference_scores_full_marks_on_cuda(level):
    probed = load_and_probe(level, SOLUTIONS_DIR / LEVEL_FILES[level], "cuda")
    results = judge_level(level, probed, "cuda")
    assert all(r.passed for r in results), [(r.id, r.message) for r in results if not r.passed]


@pytest.mark.parametrize("entry", CORRECT_VARIANTS, ids=[e.name for e in CORRECT_VARIANTS])
def test_correct_variants_keep_full_marks_on_cuda(entry, grade_entry):
    results = grade_entry(entry, device="cuda")
    assert all(r.passed for r in results.values()), [(r.id, r.message) for r in results.values() if not r.passed]


@pytest.mark.parametrize("entry", DEVICE_MISTAKES, ids=[e.name for e in DEVICE_MISTAKES])
def test_device_mistakes_lose_points_on_cuda(entry, grade_entry):
    results = grade_entry(entry, device="cuda")
    failing = [r for r in results.values() if not r.passed]
    assert failing, "a device mistake must cost points on cuda"
    assert any(r.diagnosis in ("wrong_device", "w_left_behind") for r in failing), [
        (r.id, r.diagnosis, r.message) for r in failing]


def test_grade_cli_on_cuda_in_child_processes():
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", "solutions", "--device", "cuda", "--json"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["device"] == "cuda"
    assert report["score"] == sum(c.points for c in all_checks().values()), [
        (c["id"], c["message"]) for c in report["checks"] if not c["passed"]]
