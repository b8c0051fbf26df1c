"""What a class is graded under, and the one shape both backends (this machine's threads, a Dask
cluster) give results back in.

A ClassRun is made once per batch, after every option was checked: the device, limits, levels,
deadlines and the batch's secret challenge, handed explicitly to every student's grading. A
backend is any callable (students, at_once) -> iterator of Graded, in the order students finish.
"""

from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple, Optional, Protocol

from autograder.config import Limits


@dataclass(frozen=True)
class ClassRun:
    device: str
    limits: Limits
    levels: tuple
    challenge: int  # the secret every probe input derives from: one per batch
    deadlines: dict = field(default_factory=dict)  # {check id: seconds}


class Graded(NamedTuple):
    student: str
    report: dict  # the report's public JSON form (autograder.results.Report.to_json)
    probes: Optional[dict]  # what it was judged from (None when not graded): rejudge keeps it


class Backend(Protocol):
    def __call__(self, students: list, at_once: int) -> Iterator[Graded]: ...


OnStart = Optional[Callable[[str], None]]  # told as a student's grading begins (not while it waits)
