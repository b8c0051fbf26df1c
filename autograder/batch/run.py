"""Grade a whole class: every SUBMISSIONS/<student_id>/ folder, in parallel, nothing lost.

Each student's result is written to OUT/<student_id>.json (atomically) as soon as it is known,
so a batch killed halfway keeps every finished student and a rerun skips them (unless force).
grades.csv is rebuilt from those files at the end.
"""

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from autograder.batch.local import grade_locally
from autograder.batch.students import require_students
from autograder.batch.summary import summarize
from autograder.config import Limits, new_challenge
from autograder.errors import UsageError
from autograder.grade import require_sandbox
from autograder.judge import default_deadlines, fixed_deadlines, reference_results
from autograder.levels import LEVELS
from autograder.output.files import write_atomically
from autograder.output.grades_csv import write_grades_csv
from autograder.output.html import write_class_report, write_feedback
from autograder.sandbox.runner import allow_sandboxes


@dataclass
class BatchResult:
    students: list
    graded: list = field(default_factory=list)
    not_graded: dict = field(default_factory=dict)  # student: why the grader could not grade them
    skipped: list = field(default_factory=list)
    hidden: list = field(default_factory=list)  # SUBMISSIONS/.name folders, never graded
    reports: dict = field(default_factory=dict)
    seconds: float = 0.0


def feedback_page(report, folder):
    """A student's feedback page; if it cannot be written, their grade stands and the batch goes on."""
    try:
        write_feedback(report, folder)
    except Exception as error:  # a page is a convenience: the JSON and grades.csv are the record
        import sys

        from autograder.output.textsafe import for_terminal

        print(for_terminal(f"feedback page for {folder.name} not written: {type(error).__name__}: {error}"),
              file=sys.stderr)


def is_graded(path):
    """True when OUT/<student>.json holds a grade (a not-graded record is graded again on a rerun)."""
    try:
        return json.loads(path.read_text()).get("status", "graded") == "graded"
    except (OSError, ValueError, AttributeError):
        return False


def run_batch(submissions, out, workers: int = 2, limits: Optional[Limits] = None, device: str = "cpu",
              force: bool = False, fixed_timeout: bool = False, on_progress: Optional[Callable] = None,
              dask: Optional[str] = None) -> BatchResult:
    """Grade every student folder; on_progress(student_id, report) after each one.

    dask: a scheduler address; the jobs then run on that Dask cluster's workers."""
    submissions, out = Path(submissions), Path(out)
    folders, hidden = require_students(submissions, out)
    students = list(folders)
    grade_all = None
    if dask:
        from autograder.batch.dask import grade_on_cluster  # imports Dask only when asked for

        grade_all = grade_on_cluster(dask)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        if created and os.geteuid() == 0:
            os.chmod(out, 0o700)  # a folder of the grader's own: results are not for other users
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"--out {out}: cannot write there ({error.strerror})") from None
    limits = limits or Limits()
    require_sandbox(limits)
    allow_sandboxes()
    challenge = new_challenge()  # one secret per batch: no submission can carry answers made in advance
    for level in LEVELS:  # the reference, once per batch, in this trusted process
        reference_results(level, device, challenge)
    deadlines = fixed_deadlines(limits.check_seconds) if fixed_timeout else default_deadlines(device, challenge)
    result = BatchResult(students=students, hidden=hidden)
    todo = []
    for student in students:
        if not force and is_graded(out / f"{student}.json"):
            result.skipped.append(student)
        else:
            todo.append(student)
    began = time.monotonic()
    if grade_all is None:
        finished = grade_locally(folders, todo, workers, device, limits, deadlines, challenge)
    else:
        finished = grade_all(folders, todo, device, limits, deadlines, challenge)
    for student, report in finished:
        write_atomically(out / f"{student}.json", json.dumps(report, indent=2, allow_nan=False))
        if report.get("status") == "not_graded":
            result.not_graded[student] = report.get("reason", "")
        else:
            feedback_page(report, out / "feedback" / student)
            result.graded.append(student)
        if on_progress:
            on_progress(student, report)
    result.seconds = time.monotonic() - began
    all_reports = load_reports(out, students)
    result.reports = {s: r for s, r in all_reports.items() if r.get("status", "graded") == "graded"}
    for student, report in all_reports.items():
        if student not in result.reports:
            result.not_graded.setdefault(student, report.get("reason", ""))
    write_grades_csv(out / "grades.csv", students, all_reports)
    for student in students:  # a student graded before feedback pages existed gets one now
        if student in result.reports and not (out / "feedback" / student / "index.html").is_file():
            feedback_page(result.reports[student], out / "feedback" / student)
    write_class_report(out, result.reports, summarize(result.reports))
    return result


def load_reports(out, students):
    reports = {}
    for student in students:
        path = Path(out) / f"{student}.json"
        if path.is_file():
            reports[student] = json.loads(path.read_text())
    return reports


