"""The judge side's checks: what each one is worth, the stubs it covers, and how it judges.

A check is declared once (autograder.checks.check.Check), in the module named after the level file
it grades (checks/level1_manual.py grades level1_manual.py), with its points and the stubs it
covers. Its probe lives on the other side of the trust boundary under the same id
(autograder.probe.registry). A judge is a pure function of the student's probe data, the
reference's probe data for the same challenge, and a JudgeContext. No check knows which path called
it: pytest, the grade CLI, the batch grader or an nbgrader cell.
"""

import importlib
from functools import lru_cache

from autograder.checks.check import Check, JudgeContext  # noqa: F401 (the types, where checks are)
from autograder.levels import LEVEL_NAMES


@lru_cache(maxsize=None)
def _registry():
    # imported by name: a level's checks module is found from the level registry, not listed here
    modules = [importlib.import_module(f"autograder.checks.{name}") for name in LEVEL_NAMES.values()]
    return {check.id: check for module in modules for check in module.CHECKS}


def all_checks() -> dict:
    """{check id: Check}, every level, in the order a report lists them."""
    return dict(_registry())


def checks_for_level(level: int) -> list:
    return [check for check in _registry().values() if check.level == level]


def level_points(level: int) -> int:
    """The most a level's checks are worth together."""
    return sum(check.points for check in checks_for_level(level))
