"""The registry of checks and the rubric that gives each its points (100 in all).

A check is a probe (runs student code, returns plain data) and a judge (a pure function of
the student's probe data and the reference's). No check knows which path called it: pytest,
the grade CLI, the batch grader or an nbgrader cell.
"""

from dataclasses import dataclass
from typing import Any, Callable

# Points per check. Levels: 25 + 20 + 15 + 20 + 20 = 100.
RUBRIC = {
    "level1.make_data": 3,
    "level1.init_weights": 2,
    "level1.forward": 3,
    "level1.mse": 3,
    "level1.gradient": 3,
    "level1.sgd_update": 4,
    "level1.zero_grad": 3,
    "level1.train": 2,
    "level1.device": 2,
    "level2.dataset": 4,
    "level2.len": 3,
    "level2.getitem": 4,
    "level2.loader": 5,
    "level2.train": 3,
    "level2.device": 1,
    "level3.init": 3,
    "level3.forward": 4,
    "level3.gradient": 3,
    "level3.train": 3,
    "level3.device": 2,
    "level4.init": 4,
    "level4.forward": 3,
    "level4.make_optimizer": 3,
    "level4.train_step": 5,
    "level4.train_step_loss": 2,
    "level4.train": 2,
    "level4.device": 1,
    "level5.make_model": 3,
    "level5.make_loss": 3,
    "level5.train_step": 7,
    "level5.train_step_loss": 2,
    "level5.train": 4,
    "level5.device": 1,
}


@dataclass(frozen=True)
class Check:
    id: str  # "level1.forward"
    title: str  # what is checked, in a few words
    probe: Callable[[Any, Any], Any]  # (student module, ProbeContext) -> plain data
    judge: Callable[[Any, Any, Any], Any]  # (student data, reference data, JudgeContext) -> Verdict

    @property
    def level(self):
        return int(self.id.split(".")[0].removeprefix("level"))

    @property
    def points(self):
        return RUBRIC[self.id]


@dataclass
class ProbeContext:
    """What a probe gets besides the student's module: the device and the run's challenge (the
    seed of every probe input; see autograder.linear). Never the reference: it stays with the judge."""

    device: str
    challenge: int = 0


@dataclass
class JudgeContext:
    device: str
    challenge: int = 0


def all_checks():
    from autograder import level1, level2, level3, level4, level5

    checks = [*level1.CHECKS, *level2.CHECKS, *level3.CHECKS, *level4.CHECKS, *level5.CHECKS]
    return {check.id: check for check in checks}


def checks_for_level(level):
    return [check for check in all_checks().values() if check.level == level]
