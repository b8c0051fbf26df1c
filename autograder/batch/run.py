"""Grade a whole class: every SUBMISSIONS/<student_id>/ folder, in parallel, nothing lost.

Each student's result is written to OUT/<student_id>.json (atomically) as soon as it is known,
so a batch killed halfway keeps every finished student. A rerun grades exactly the students whose
result no longer matches what it was graded from (see autograder.batch.records), or those named
by only, or everyone with force. grades.csv is rebuilt from those files at the end.
"""

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from autograder.assignment import default_levels, require_one_assignment
from autograder.batch import records
from autograder.batch.backend import ClassRun
from autograder.batch.dask import dask_backend
from autograder.batch.local import local_backend
from autograder.batch.students import require_students
from autograder.batch.summary import summarize
from autograder.config import Limits, new_challenge
from autograder.errors import UsageError
from autograder.grade import not_graded_report, require_sandbox
from autograder.judge import default_deadlines, fixed_deadlines, reference_results
from autograder.output.grades_csv import write_grades_csv
from autograder.output.html import write_class_report, write_feedback
from autograder.output.textsafe import for_terminal
from autograder.results import is_posted
from autograder.sandbox.runner import allow_sandboxes


@dataclass
class BatchResult:
    students: list
    graded: list = field(default_factory=list)
    not_graded: dict = field(default_factory=dict)  # student: why the grader could not grade them
    skipped: list = field(default_factory=list)  # kept as graded before: nothing they were graded from changed
    reasons: dict = field(default_factory=dict)  # student: [why they were graded this time]
    held: list = field(default_factory=list)  # held for review (see records.Plan), not graded
    behind: dict = field(default_factory=dict)  # only: kept students whose files changed
    hidden: list = field(default_factory=list)  # SUBMISSIONS/.name folders, never graded
    reports: dict = field(default_factory=dict)  # the grades to post
    flagged: dict = field(default_factory=dict)  # student: report held for review (code that reaches the grader)
    summary: dict = field(default_factory=dict)  # the posted grades' summary (autograder.batch.summary)
    unwritten: list = field(default_factory=list)  # outputs that could not be written, and why
    seconds: float = 0.0


def feedback_page(report, folder):
    """A student's feedback page; if it cannot be written, their grade stands and the batch goes on."""
    try:
        write_feedback(report, folder)
    except Exception as error:  # a page is a convenience: the JSON and grades.csv are the record
        print(for_terminal(f"feedback page for {folder.name} not written: {type(error).__name__}: {error}"),
              file=sys.stderr)


def run_batch(submissions, out, workers: int = 2, limits: Optional[Limits] = None, device: str = "cpu",
              force: bool = False, fixed_timeout: bool = False, on_progress: Optional[Callable] = None,
              dask: Optional[str] = None, levels=None, only: Optional[list] = None) -> BatchResult:
    """Grade every student folder; on_progress(student_id, report) after each one.

    dask: a scheduler address; the jobs then run on that Dask cluster's workers. levels: the
    assignment's (default: see autograder.assignment); OUT holds one assignment's grades. only:
    the ids of the students to regrade (the others are kept)."""
    submissions, out = Path(submissions), Path(out)
    folders, hidden = require_students(submissions, out)
    students = list(folders)
    levels = default_levels(levels)
    require_one_assignment(out, students, levels, force)
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
    for level in levels:  # the reference, once per batch, in this trusted process
        reference_results(level, device, challenge)
    deadlines = (fixed_deadlines(limits.check_seconds) if fixed_timeout
                 else default_deadlines(device, challenge, levels))
    run = ClassRun(device, limits, tuple(levels), challenge, deadlines)
    result = BatchResult(students=students, hidden=hidden)
    rubric, kit = records.rubric_digest(levels), records.kit_version()
    sources = {s: records.graded_from(folders[s], levels, device, rubric, kit) for s in students}
    plan = records.plan(out, students, sources, force, only)
    result.reasons, result.held, result.behind = plan.reasons, plan.held, plan.behind
    result.skipped = [s for s in plan.kept if s not in plan.behind]  # "unchanged": --only's others are told apart
    for student in plan.hold:
        why = records.HELD.format(student=student)
        records.write_result(out, student, not_graded_report(folders[student], device, why, levels), sources[student],
                             held=True)
        records.unmark(out, student)
    started = set()

    def on_start(student):  # a marker while a student is graded: see records.Plan
        started.add(student)
        records.mark(out, student, alone=student in plan.alone)

    backend = dask_backend(dask, folders, run, on_start) if dask else local_backend(folders, run, on_start)
    began, fresh = time.monotonic(), {}
    try:
        for student, report, probes in in_turn(backend, plan, workers):
            fresh[student] = report
            records.write_result(out, student, report, sources[student], challenge, probes)
            records.unmark(out, student)
            if report.get("status") == "not_graded":
                result.not_graded[student] = report.get("reason", "")
            else:
                feedback_page(report, out / "feedback" / student)
                result.graded.append(student)
            if on_progress:
                on_progress(student, report)
    except KeyboardInterrupt:  # stopped on purpose: the students in progress are not suspects
        for student in started:
            records.unmark(out, student)
        raise
    result.seconds = time.monotonic() - began
    records.save_class(out, students)
    all_reports = {**load_reports(out, [s for s in students if s not in fresh]), **fresh}  # the kept ones from OUT
    all_reports = {s: all_reports[s] for s in students if s in all_reports}
    published = publish(out, students, all_reports, levels)
    result.reports, result.flagged = published.posted, published.flagged
    result.summary, result.unwritten = published.summary, published.unwritten
    for student, report in all_reports.items():
        if student not in result.reports and student not in result.flagged:
            result.not_graded.setdefault(student, report.get("reason", ""))
    return result


@dataclass
class Published:
    posted: dict  # {student: report}: the grades to post
    flagged: dict  # {student: report}: held for review
    summary: dict  # autograder.batch.summary.summarize of the posted grades, computed once
    unwritten: list = field(default_factory=list)  # what could not be written, and why


def publish(out, students, reports, levels) -> Published:
    """grades.csv, any missing feedback page and the class report, from every student's report (a
    batch's, or a rejudge's): the grades to post and those held for review, told apart here once.
    grades.csv is the record, so a failure to write it stops here; the class report is a view of
    it, so a failure there is said (Published.unwritten) and the grades stand."""
    posted = {s: r for s, r in reports.items() if is_posted(r)}
    flagged = {s: r for s, r in reports.items() if r.get("status") == "flagged"}
    not_graded = {s: r for s, r in reports.items() if r.get("status") == "not_graded"}
    published = Published(posted, flagged, summarize(posted))
    write_grades_csv(out / "grades.csv", students, reports, levels)
    for student in students:  # a student graded before feedback pages existed gets one now
        if (student in posted or student in flagged) and not (out / "feedback" / student / "index.html").is_file():
            feedback_page(reports[student], out / "feedback" / student)
    try:
        write_class_report(out, posted, published.summary, levels, flagged, not_graded)
    except OSError as error:
        published.unwritten.append(f"{out / 'report.html'}: not written ({error.strerror})")
        print(for_terminal(f"error: class report {published.unwritten[-1]}"), file=sys.stderr)
    return published


def in_turn(backend, plan, workers):
    """(student, report, probes) for the plan's students: the first ones `workers` at a time, then
    each one in progress when the grader last stopped, alone (one of them may be why it stopped)."""
    yield from backend(plan.todo, workers)
    for student in plan.alone:
        yield from backend([student], 1)


def load_reports(out, students):
    reports = {}
    for student in students:
        path = Path(out) / f"{student}.json"
        if path.is_file():
            reports[student] = json.loads(path.read_text())
    return reports


