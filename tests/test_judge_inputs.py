"""The judges are handed the challenge (JudgeContext.inputs) and never read one from the
surroundings: the reference's own data, judged under its challenge while the ambient one is
another, passes every check. Run in a fresh interpreter: in-process tests elsewhere run student
code that may leave torch patched in this one."""

import json
import subprocess
import sys

from autograder.levels import LEVELS, REPO_ROOT
from autograder.probe import inputs

CHALLENGE, ELSEWHERE = 20261201, 777

JUDGE_EVERY_LEVEL = f"""
import json
from autograder.judge import judge_level, reference_results
from autograder.probe import inputs
failed = {{}}
for level in {list(LEVELS)!r}:
    probed = reference_results(level, "cpu", {CHALLENGE})
    with inputs.challenge({ELSEWHERE}):  # what a judge reading the ambient challenge would see
        judged = judge_level(level, probed, "cpu", {CHALLENGE})
    failed[level] = [[r.id, r.message] for r in judged if not r.passed]
    failed[str(level) + " elsewhere"] = len([r for r in judge_level(level, probed, "cpu", {ELSEWHERE})
                                             if not r.passed])
print(json.dumps(failed))
"""


def test_judges_use_the_challenge_they_are_given():
    ran = subprocess.run([sys.executable, "-c", JUDGE_EVERY_LEVEL], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=600)
    assert ran.returncode == 0, ran.stderr[-3000:]
    failed = json.loads(ran.stdout.splitlines()[-1])
    assert {level: failed[str(level)] for level in LEVELS} == {level: [] for level in LEVELS}
    # the test can fail: judged under another challenge, the same data does not pass
    assert failed["1 elsewhere"] > 0


def test_inputs_of_a_challenge_are_those_made_under_it():
    given = inputs.Inputs(CHALLENGE)
    with inputs.challenge(CHALLENGE):
        assert given.probe_batches() == inputs.probe_batches()
        assert (given.data_samples(), given.weight_count(), given.train_seed(), given.step_start()) == (
            inputs.data_samples(), inputs.weight_count(), inputs.train_seed(), inputs.step_start())
        assert (given.train_data()[0] == inputs.train_data()[0]).all()
