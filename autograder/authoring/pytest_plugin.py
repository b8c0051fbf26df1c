"""The student's self-check under pytest: the grader's own probes and judges, run in-process."""

from functools import lru_cache
from pathlib import Path

import pytest

from autograder.checks import all_checks, checks_for_level
from autograder.judge import judge_level
from autograder.levels import LEVEL_FILES
from autograder.probe.run import load_and_probe
from autograder.results import number


class SelfCheck:
    def __init__(self, submission_dir, device):
        self.submission_dir = Path(submission_dir)
        self.device = device

    @lru_cache(maxsize=None)
    def results(self, level):
        path = self.submission_dir / LEVEL_FILES[level]
        probed = load_and_probe(level, path, self.device) if path.is_file() else None
        return {r.id: r for r in judge_level(level, probed, self.device)}

    def assert_passes(self, check_id):
        check = all_checks()[check_id]
        result = self.results(check.level)[check_id]
        if not result.passed:
            pytest.fail(f"{check_id} ({check.title}), {number(result.points)}/{result.max_points} points:\n"
                        f"{result.message}", pytrace=False)


def level_tests(level):
    """One test per check of the level, marked `levelN`, named after the check."""
    ids = [check.id for check in checks_for_level(level)]

    @getattr(pytest.mark, f"level{level}")
    @pytest.mark.parametrize("check_id", ids, ids=[i.split(".", 1)[1] for i in ids])
    def test(selfcheck, check_id):
        selfcheck.assert_passes(check_id)

    return test
