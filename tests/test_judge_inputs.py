"""The judges are handed the challenge (JudgeContext.inputs) and never read one from the
surroundings: the reference's own data, judged under its challenge while the ambient one is
another, passes every check."""

import pytest

from autograder.judge import judge_level, reference_results
from autograder.levels import LEVELS
from autograder.probe import inputs

CHALLENGE, ELSEWHERE = 20261201, 777


@pytest.mark.parametrize("level", LEVELS)
def test_judges_use_the_challenge_they_are_given(level):
    probed = reference_results(level, "cpu", CHALLENGE)
    with inputs.challenge(ELSEWHERE):  # what a judge reading the ambient challenge would see
        results = judge_level(level, probed, "cpu", CHALLENGE)
    assert [(r.id, r.message) for r in results if not r.passed] == []


def test_the_ambient_challenge_would_fail_them():
    """The test above can fail: judged under another challenge, the same data does not pass."""
    probed = reference_results(1, "cpu", CHALLENGE)
    results = judge_level(1, probed, "cpu", ELSEWHERE)
    assert any(not r.passed for r in results)


def test_inputs_of_a_challenge_are_those_made_under_it():
    given = inputs.Inputs(CHALLENGE)
    with inputs.challenge(CHALLENGE):
        assert given.probe_batches() == inputs.probe_batches()
        assert (given.data_samples(), given.weight_count(), given.train_seed(), given.step_start()) == (
            inputs.data_samples(), inputs.weight_count(), inputs.train_seed(), inputs.step_start())
        assert (given.train_data()[0] == inputs.train_data()[0]).all()
