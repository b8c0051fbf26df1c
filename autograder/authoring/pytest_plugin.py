"""The student's self-check under pytest: the grader's own probes, deadlines and judges.

The student's code runs as the grader runs it, in a child process with the grader's per-check
time limits (no sandbox: it is the student's own code on their own machine), so a stub that
hangs is one check "timed out", code that exits or crashes costs the checks it reached, and
pytest itself always finishes and prints its summary.
"""

from functools import lru_cache
from pathlib import Path

import pytest

from autograder.checks import all_checks, checks_for_level
from autograder.config import Limits
from autograder.grade import level_file_in
from autograder.judge import default_deadlines, judge_level
from autograder.levels import LEVEL_FILES, LEVELS
from autograder.results import number
from autograder.sandbox.runner import NotGraded, probe_sealed

CHALLENGE = 0  # the self-check's inputs are fixed: the instructor's grade draws fresh ones


class SelfCheck:
    def __init__(self, submission_dir, device, levels=LEVELS):
        self.submission_dir = Path(submission_dir)
        self.device = device
        self.levels = tuple(levels)  # the levels whose checks this session runs (-m level2: level 2 only)

    @lru_cache(maxsize=None)
    def probed(self):
        """Every level file present, probed in one child process (a fresh one after a hang or a crash)."""
        files = {level: level_file_in(self.submission_dir, LEVEL_FILES[level]) for level in self.levels}
        files = {level: path for level, path in files.items() if path is not None}
        if not files:
            return {}
        try:
            return probe_sealed(files, self.device, Limits(sandbox=False), default_deadlines(self.device, CHALLENGE, sorted(files)),
                                CHALLENGE)
        except NotGraded as error:  # the checker itself could not run: say so, never a silent pass
            pytest.exit(f"the self-check could not run your code: {error}", returncode=3)

    @lru_cache(maxsize=None)
    def results(self, level):
        return {r.id: r for r in judge_level(level, self.probed().get(level), self.device, CHALLENGE)}

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
