"""Typed results: what grading produces, from one check to a student's whole report.

A Report becomes the JSON of `grade --json` and of OUT/<student_id>.json through to_json(); the
shape is the JSON Schema shipped beside it (autograder/output/report.schema.json), which the
tests validate every kind of report against.
"""

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from autograder import __version__
from autograder.levels import LEVELS

# bumped when a field changes meaning or disappears. 2: scores, levels and checks are the
# assignment's levels only (1: a folder always listed all five); "assignment" and "files" added.
REPORT_FORMAT = 2


def number(x) -> float:
    """Points as a report shows them: at most two decimals, an int when whole."""
    x = round(float(x), 2)
    return int(x) if x == int(x) else x


def now_utc() -> str:
    """When a submission's code was run, as every report, page and grades.csv shows it."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def finite_or_none(values):
    """JSON has no NaN or infinity: such values become null."""
    if values is None:
        return None
    return [v if math.isfinite(v) else None for v in values]


@dataclass
class CheckResult:
    id: str
    level: int
    points: float
    max_points: int
    passed: bool
    message: str
    diagnosis: Optional[str] = None
    curve: Optional[list] = None  # the per-epoch losses of the student's convergence run (train checks)
    reference_curve: Optional[list] = None


@dataclass
class LevelScore:
    level: int
    score: float
    max_score: float


@dataclass
class Curve:
    level: int
    student: Optional[list]
    reference: list


@dataclass
class Report:
    submission: str
    device: str
    status: str = "graded"  # "flagged": graded, held for review (flags); "not_graded": the grader failed
    assignment: Optional[list] = None  # the levels graded, which every score and list is about
    isolation: Optional[str] = None
    score: Optional[float] = None  # None when not graded: never a zero the grader made up
    max_score: Optional[float] = None
    levels: list = field(default_factory=list)  # [LevelScore]
    files: list = field(default_factory=list)  # [{level, file, note, ignored}]: the file taken per level
    flags: list = field(default_factory=list)  # [{file, line, why}]: code that reaches into the grader
    checks: list = field(default_factory=list)  # [CheckResult]
    curves: list = field(default_factory=list)  # [Curve]
    reason: Optional[str] = None  # why it was not graded
    graded_at: str = field(default_factory=now_utc)  # when its code ran (a rejudge keeps it)
    kit_version: str = __version__

    @classmethod
    def graded(cls, submission, device, results, isolation=None, assignment=None, files=(), flags=(),
               graded_at=None) -> "Report":
        assignment = sorted(assignment) if assignment is not None else sorted({r.level for r in results})
        levels = []
        for level in assignment:
            mine = [r for r in results if r.level == level]
            levels.append(LevelScore(level, number(sum(r.points for r in mine)),
                                     number(sum(r.max_points for r in mine))))
        return cls(submission=submission, device=device, isolation=isolation, assignment=assignment,
                   status="flagged" if flags else "graded", flags=[dict(flag) for flag in flags],
                   files=[dict(entry) for entry in files], score=number(sum(r.points for r in results)),
                   max_score=number(sum(r.max_points for r in results)),
                   levels=levels, checks=list(results),
                   curves=[Curve(r.level, finite_or_none(r.curve), r.reference_curve)
                           for r in results if r.id.endswith(".train") and r.reference_curve],
                   **({"graded_at": graded_at} if graded_at else {}))

    @classmethod
    def not_graded(cls, submission, device, why, assignment=None) -> "Report":
        return cls(submission=submission, device=device, status="not_graded", reason=str(why)[:500],
                   assignment=sorted(assignment) if assignment is not None else None)

    def to_json(self) -> dict:
        """The public format: plain JSON types only, in a fixed key order."""
        out = {"format": REPORT_FORMAT, "submission": self.submission, "status": self.status,
               "graded_at": self.graded_at, "kit_version": self.kit_version}
        if self.status in ("graded", "flagged"):
            out["isolation"] = self.isolation
        else:
            out["reason"] = self.reason
        out.update(device=self.device,
                   assignment={"levels": list(self.assignment)} if self.assignment is not None else None,
                   score=self.score, max_score=self.max_score,
                   levels=[asdict(level) for level in self.levels],
                   files=[{"level": f["level"], "file": f["file"], "note": f.get("note"),
                           "ignored": list(f.get("ignored", []))} for f in self.files],
                   flags=[{"file": f["file"], "line": f.get("line"), "why": f["why"]} for f in self.flags],
                   checks=[{"id": r.id, "level": r.level, "points": number(r.points), "max_points": r.max_points,
                            "passed": r.passed, "message": r.message, "diagnosis": r.diagnosis} for r in self.checks],
                   # the loss per epoch of the grader's convergence run of each level, the student's and the reference's
                   curves=[asdict(curve) for curve in self.curves])
        return out


def only_missing_files(report) -> bool:
    """Every check failed because no level file was found: nothing of the student's was graded."""
    return bool(report.get("checks")) and all(c.get("diagnosis") == "missing_file" for c in report["checks"])


def has_result(report) -> bool:
    """A report holds a grading result: graded, or graded and held for review (flagged)."""
    return isinstance(report, dict) and report.get("status", "graded") in ("graded", "flagged")


def is_posted(report) -> bool:
    """A grade to post: graded, and not held for review."""
    return isinstance(report, dict) and report.get("status", "graded") == "graded"


def report_schema() -> dict:
    """The JSON Schema of Report.to_json(), shipped with the package, its level numbers those of the
    level registry."""
    schema = json.loads((Path(__file__).parent / "output" / "report.schema.json").read_text())
    schema["$defs"]["level"] = {"enum": list(LEVELS), "description": schema["$defs"]["level"]["description"]}
    return schema
