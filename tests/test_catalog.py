"""The grader against a catalog of buggy submissions (each diagnosed) and correct variants (full marks)."""

import pytest

from autograder.checks.verdicts import GRADER_OBJECTS
from tests.catalog import CORRECT_VARIANTS, MISTAKES

# the grader's own modules and helper classes: a message about the student's code never shows them
GRADER_NAMES = ("autograder.", *GRADER_OBJECTS)


def summary(results):
    return "\n".join(f"{r.id}: {'pass' if r.passed else 'FAIL'} [{r.diagnosis}] {r.message}" for r in results.values())


@pytest.mark.parametrize("entry", MISTAKES, ids=[e.name for e in MISTAKES])
def test_mistake_is_diagnosed(entry, grade_entry):
    results = grade_entry(entry)
    failing = {i: r for i, r in results.items() if not r.passed}
    assert set(failing) == set(entry.expect), summary(results)
    for check_id, diagnosis in entry.expect.items():
        result = failing[check_id]
        if diagnosis is not None:
            assert result.diagnosis == diagnosis, summary(results)
        assert result.points < result.max_points
        assert len(result.message) > 40, result.message  # says what was checked and what went wrong
    for check_id, text in entry.says.items():
        assert text in results[check_id].message, summary(results)
    for result in results.values():
        if result.passed:
            assert result.points == result.max_points
        assert not any(name in result.message for name in GRADER_NAMES), summary(results)


@pytest.mark.parametrize("entry", CORRECT_VARIANTS, ids=[e.name for e in CORRECT_VARIANTS])
def test_correct_variant_keeps_full_marks(entry, grade_entry):
    results = grade_entry(entry)
    assert all(r.passed and r.points == r.max_points for r in results.values()), summary(results)


def test_a_train_run_is_replayed_step_by_step():
    """The train judge replays every recorded step: the reference's own run passes; the same run with
    one step off by 1e-4 (weights a forger would write without computing that step) fails at that
    step; a run that reports the sum of its batch losses fails on the loss."""
    import copy

    from autograder.checks import all_checks
    from autograder.judge import judge_check, reference_results

    check, challenge = all_checks()["level3.train"], 5
    reference = reference_results(3, "cpu", challenge)["level3.train"]
    assert judge_check(check, reference, reference, "cpu", challenge).passed

    forged = copy.deepcopy(reference)
    forged["data"]["steps"]["before"][2 * 250 + 1] += 1e-4  # the weights before step 251
    result = judge_check(check, forged, reference, "cpu", challenge)
    assert not result.passed and result.diagnosis == "wrong_step" and "step 250 " in result.message, result.message

    summed = copy.deepcopy(reference)
    for item in summed["data"]["losses"]["items"]:
        item["value"] *= 100
    result = judge_check(check, summed, reference, "cpu", challenge)
    assert not result.passed and result.diagnosis == "loss_mismatch", result.message
