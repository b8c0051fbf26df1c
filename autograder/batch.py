"""Grade a whole class: every SUBMISSIONS/<student_id>/ folder, in parallel, nothing lost.

Each student's result is written to OUT/<student_id>.json (atomically) as soon as it is known,
so a batch killed halfway keeps every finished student and a rerun skips them (unless force).
grades.csv is rebuilt from those files at the end.
"""

import csv
import hashlib
import json
import os
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import UsageError
from autograder.feedback import write_class_report, write_feedback
from autograder.grade import (display_path, find_level_files, grade, new_challenge, not_graded_report,
                              require_sandbox)
from autograder.levels import LEVELS
from autograder.textsafe import for_csv
from autograder.judge import default_deadlines, fixed_deadlines, reference_results
from autograder.sandbox.runner import Limits, NotGraded, allow_sandboxes, kill_all

# Diagnoses that say nothing about a mistake: unfilled stubs and missing files.
NOT_MISTAKES = {None, "not_implemented", "missing_file", "import_failed"}
LIMIT_DIAGNOSES = {"timeout": "time limit", "killed": "memory limit", "out_of_memory": "memory limit",
                   "protocol": "channel limit"}


BatchError = UsageError  # the batch's own usage errors are usage errors like any other


@dataclass
class BatchResult:
    students: list
    graded: list = field(default_factory=list)
    not_graded: dict = field(default_factory=dict)  # student: why the grader could not grade them
    skipped: list = field(default_factory=list)
    hidden: list = field(default_factory=list)  # SUBMISSIONS/.name folders, never graded
    reports: dict = field(default_factory=dict)
    seconds: float = 0.0


MAX_ID = 100  # characters: OUT/.<id>.json.tmp must stay under the 255-byte file name limit


def student_id(name):
    """A folder name as a student id every output can hold: bytes that are not UTF-8 (kept by Python
    as lone surrogates) become backslash escapes; a very long name is cut, with a hash of the whole."""
    text = display_path(name)
    if len(text.encode()) <= MAX_ID:
        return text
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return text.encode()[:MAX_ID - 13].decode("utf-8", "ignore") + "-" + digest


def find_students(submissions, out=None):
    """({student id: folder}, [hidden folders skipped]) for SUBMISSIONS/<student>/ folders; an
    --out folder inside SUBMISSIONS is not a student."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise UsageError(f"{submissions}: no such folder")
    out = Path(out).resolve() if out is not None else None
    students, hidden = {}, []
    for path in sorted(submissions.iterdir()):
        if not path.is_dir() or (out is not None and path.resolve() == out):
            continue
        if path.name.startswith("."):
            hidden.append(student_id(path.name))
            continue
        key = student_id(path.name)
        if key in students:  # a literal backslash name and an escaped byte: both kept, told apart
            key = f"{key}-{hashlib.sha256(os.fsencode(path.name)).hexdigest()[:8]}"
        students[key] = path
    return students, hidden


def require_students(submissions, out):
    if not Path(submissions).is_dir():
        raise UsageError(f"{submissions}: no such folder")
    submissions, target = Path(submissions).resolve(), Path(out).resolve()
    if target == submissions:
        raise UsageError(f"--out {out}: the submissions folder itself; results would become students on a "
                         "rerun. Choose a folder beside it")
    for folder in submissions.iterdir():  # OUT may sit in SUBMISSIONS, but never in a submission
        if folder.is_dir() and (target == folder or folder in target.parents) and any(find_level_files(folder).values()):
            raise UsageError(f"--out {out}: inside the student folder {student_id(folder.name)}, which holds level "
                             "files; choose a folder outside every student's folder")
    folders, hidden = find_students(submissions, out)
    if not folders:
        raise UsageError(f"{submissions}: no student folders in it (expected SUBMISSIONS/<student_id>/ holding "
                         "level files)" + (f"; hidden folders skipped: {', '.join(hidden)}" if hidden else ""))
    return folders, hidden


def write_atomically(path, text):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def grade_one(folder, device, limits, deadlines, challenge):
    """A student's report; when the grader itself fails, a not-graded record instead of a score."""
    try:
        return grade(folder, device, limits, deadlines, challenge=challenge)
    except NotGraded as error:
        return not_graded_report(folder, device, str(error))
    except Exception as error:  # the grader's own bug: never a student's grade, never the batch's end
        return not_graded_report(folder, device, f"the grader failed ({type(error).__name__}: {error})")


def grade_locally(folders, students, workers, device, limits, deadlines, challenge):
    """Yield (student, report) as students finish, `workers` at a time on this machine."""

    def work(student):
        return student, grade_one(folders[student], device, limits, deadlines, challenge)

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for future in as_completed([pool.submit(work, student) for student in students]):
            yield future.result()
    except BaseException:  # Ctrl-C or an error: end every sandbox now, and let no queued student start
        pool.shutdown(wait=False, cancel_futures=True)
        kill_all()
        raise
    pool.shutdown()


def feedback_page(report, folder):
    """A student's feedback page; if it cannot be written, their grade stands and the batch goes on."""
    try:
        write_feedback(report, folder)
    except Exception as error:  # a page is a convenience: the JSON and grades.csv are the record
        import sys

        from autograder.textsafe import for_terminal

        print(for_terminal(f"feedback page for {folder.name} not written: {type(error).__name__}: {error}"),
              file=sys.stderr)


def is_graded(path):
    """True when OUT/<student>.json holds a grade (a not-graded record is graded again on a rerun)."""
    try:
        return json.loads(path.read_text()).get("status", "graded") == "graded"
    except (OSError, ValueError, AttributeError):
        return False


def run_batch(submissions, out, workers=2, limits=None, device="cpu", force=False, fixed_timeout=False,
              on_progress=None, dask=None):
    """Grade every student folder; on_progress(student_id, report) after each one.

    dask: a scheduler address; the jobs then run on that Dask cluster's workers."""
    submissions, out = Path(submissions), Path(out)
    folders, hidden = require_students(submissions, out)
    students = list(folders)
    grade_all = None
    if dask:
        from autograder.dask_backend import grade_on_cluster  # imports Dask only when asked for

        grade_all = grade_on_cluster(dask)
    out.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(out, 0o700)  # children run as other users: they must not read or write results
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


def write_grades_csv(path, students, reports):
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "score", "max_score", *[f"level{level}" for level in LEVELS], "status"])
        for student in students:
            report = reports.get(student)
            if report is None:
                continue
            if report.get("status", "graded") != "graded":  # no score: never a 0 the grader made up
                writer.writerow([for_csv(student), "", "", *["" for _ in LEVELS], "not graded"])
                continue
            levels = {lvl["level"]: lvl["score"] for lvl in report["levels"]}
            writer.writerow([for_csv(student), report["score"], report["max_score"],
                             *[levels[level] for level in LEVELS], "graded"])
    os.replace(tmp, path)


# Consequences of another mistake, not mistakes of their own: left out of "most common mistakes".
CONSEQUENCES = {"not_converged", "not_updated", "diverged", "bad_losses", "raised", "unjudgeable", "loss_curve_mismatch",
                "malformed"}


def summarize(reports):
    """Counts, mean and spread, the most common diagnosed mistakes, and who hit a limit."""
    scores = [report["score"] for report in reports.values()]
    mistakes, who, limits = Counter(), {}, []
    for student, report in sorted(reports.items()):
        seen_mistakes, seen_limits = set(), set()
        for check in report["checks"]:
            diagnosis = check.get("diagnosis")
            if diagnosis in LIMIT_DIAGNOSES:
                if check["message"] not in seen_limits:  # one import timeout fails every check of a level
                    seen_limits.add(check["message"])
                    step = f"level{check['level']}.import" if "while importing" in check["message"] else check["id"]
                    limits.append((student, step, LIMIT_DIAGNOSES[diagnosis]))
            elif diagnosis not in NOT_MISTAKES | CONSEQUENCES and diagnosis not in seen_mistakes:
                seen_mistakes.add(diagnosis)
                mistakes[diagnosis] += 1
                who.setdefault(diagnosis, []).append(student)
    return {
        "students": len(scores),
        "mean": statistics.fmean(scores) if scores else 0.0,
        "stdev": statistics.pstdev(scores) if scores else 0.0,
        "min": min(scores, default=0),
        "max": max(scores, default=0),
        "mistakes": [(key, count, who[key]) for key, count in mistakes.most_common()],
        "limits": limits,
    }
