"""What a check is: its id, points, the stubs it covers and its judge (see autograder.checks)."""

from dataclasses import dataclass, field
from typing import Any, Callable

from autograder.probe.inputs import Inputs
from autograder.probe.registry import PROBES, level_of


@dataclass(frozen=True)
class Check:
    id: str  # "level1.forward"
    title: str  # what is checked, in a few words
    judge: Callable[[Any, Any, "JudgeContext"], Any]  # (student data, reference data, ctx) -> Verdict
    points: int = 0
    stubs: tuple = field(default=())  # the contract names this check exercises, as the student writes them
    schema: Any = None  # the form of its probe's data (autograder.checks.schema), checked before judging

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

    @property
    def inputs(self) -> Inputs:
        """The inputs the probes were given for this challenge, to judge against."""
        return Inputs(self.challenge)
