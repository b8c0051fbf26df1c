"""The student's self-check under pytest: the grader's own probes, deadlines and judges.

The student's code runs as the grader runs it, in a child process with the grader's per-check
time limits (no sandbox: it is the student's own code on their own machine), so a stub that
hangs is one check "timed out", code that exits or crashes costs the checks it reached, and
pytest itself always finishes and prints its summary.

Checks that one unfilled stub fails all together get its message once, under the first of them;
the others say which stub blocks them. The session ends with the points the code would earn.
"""

from functools import lru_cache
from pathlib import Path

import pytest

from autograder.checks import all_checks, checks_for_level
from autograder.checks.diagnoses import hint_for
from autograder.checks.explain import blocking_cause, group_blocked, points_text
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
        self.shown = {}  # a blocking cause: the id of the check whose failure showed its message
        self.judged = set()  # the levels whose checks ran: the summary's points are theirs
        self.hinted = set()  # diagnoses whose hint was shown: a hint is background, said once a session

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

    @lru_cache(maxsize=None)
    def groups(self, level):
        """{blocking cause: group} of the level (see explain.group_blocked)."""
        entries = group_blocked(self.results(level).values())
        return {blocking_cause(e["group"]["checks"][0])[0]: e["group"] for e in entries if "group" in e}

    def failure_text(self, check, result):
        head = f"{check.id} ({check.title}), {number(result.points)}/{result.max_points} points:\n"
        cause = blocking_cause(result)
        if cause is None:
            return head + result.message + self.hint_text(result.diagnosis)
        key, name = cause
        group = self.groups(check.level)[key]
        if key in self.shown:  # said once already, under the first check it failed
            what = "not implemented yet" if group["diagnosis"] == "not_implemented" else group["message"]
            return head + f"blocked by {name}: {what} (the message is under {self.shown[key]})"
        self.shown[key] = check.id
        text = head + group["message"]
        if len(group["checks"]) > 1:
            blocked = ", ".join(f"{c.id} ({points_text(c.max_points)})" for c in group["checks"])
            text += f"\nblocks {len(group['checks'])} checks: {blocked}"
        return text + self.hint_text(group["diagnosis"])

    def hint_text(self, diagnosis):
        hint = hint_for(diagnosis)
        if not hint or diagnosis in self.hinted:
            return ""
        self.hinted.add(diagnosis)
        return f"\nhint: {hint}"

    def assert_passes(self, check_id):
        check = all_checks()[check_id]
        result = self.results(check.level)[check_id]
        self.judged.add(check.level)
        if not result.passed:
            pytest.fail(self.failure_text(check, result), pytrace=False)

    def summary_lines(self):
        """What the session ends with: the points per level judged, the total over them, and the stubs
        not started yet (each with the checks and points it holds back)."""
        levels = [level for level in self.levels if level in self.judged]
        lines, got, most = [], 0, 0
        for level in levels:
            results = self.results(level).values()
            points, top = sum(r.points for r in results), sum(r.max_points for r in results)
            got, most = got + points, most + top
            lines.append(f"self-check: {number(points)}/{number(top)} points for level{level} (the grader runs the "
                         "same checks on fresh inputs)")
            stubs = [g for g in self.groups(level).values() if g["diagnosis"] == "not_implemented"]
            if stubs:
                lines.append("  not started yet: " + ", ".join(
                    f"{g['name']} ({len(g['checks'])} check{'s' if len(g['checks']) > 1 else ''}, "
                    f"{points_text(g['max_points'])})" for g in stubs))
        if len(levels) > 1:
            lines.append(f"self-check: {number(got)}/{number(most)} points in all for levels "
                         f"{', '.join(map(str, levels))}")
        return lines


def level_tests(level):
    """One test per check of the level, marked `levelN`, named after the check."""
    ids = [check.id for check in checks_for_level(level)]

    @getattr(pytest.mark, f"level{level}")
    @pytest.mark.parametrize("check_id", ids, ids=[i.split(".", 1)[1] for i in ids])
    def test(selfcheck, check_id):
        selfcheck.assert_passes(check_id)

    return test
