"""The judge side's checks: what each one is worth, the stubs it covers, and how it judges.

A check is declared once, in the module named after the level file it grades
(checks/level1_manual.py grades level1_manual.py), with its points, whether it is hidden from
students until grading, and the stubs it covers. Its probe lives on the other side of the trust
boundary under the same id (autograder.probe.registry). A judge is a pure function of the
student's probe data, the reference's probe data for the same challenge, and a JudgeContext. No
check knows which path called it: pytest, the grade CLI, the batch grader or an nbgrader cell.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

from autograder.probe.registry import PROBES, level_of


@dataclass(frozen=True)
class Check:
    id: str  # "level1.forward"
    title: str  # what is checked, in a few words
    judge: Callable[[Any, Any, "JudgeContext"], Any]  # (student data, reference data, ctx) -> Verdict
    points: int = 0
    stubs: tuple = field(default=())  # the contract names this check exercises, as the student writes them
    hidden: bool = False  # kept out of students' self-check and notebooks until grading

    @property
    def level(self) -> int:
        return level_of(self.id)

    @property
    def probe(self) -> Callable[[Any, Any], Any]:
        """(student module, ProbeContext) -> plain data: the probe side's function for this id."""
        return PROBES[self.id]


@dataclass
class JudgeContext:
    device: str
    challenge: int = 0


@lru_cache(maxsize=None)
def _registry():
    from autograder.checks import level1_manual, level2_dataset, level3_module, level4_optim, level5_builtins

    checks = [*level1_manual.CHECKS, *level2_dataset.CHECKS, *level3_module.CHECKS, *level4_optim.CHECKS,
              *level5_builtins.CHECKS]
    return {check.id: check for check in checks}


def all_checks() -> dict:
    """{check id: Check}, every level, in the order a report lists them."""
    return dict(_registry())


def checks_for_level(level: int) -> list:
    return [check for check in _registry().values() if check.level == level]
