"""Run the batch's per-student jobs on a Dask cluster (`batch --dask`; distributed is imported only then).

A job carries the student's files as contents, so workers need no shared filesystem. On the
worker it writes them to a private folder and grades exactly as a local batch does: the
student's code in a confined child process, the judges in the worker's own process (trusted).
The report comes back to the client, which writes the outputs. A job whose worker dies is
rerun elsewhere by Dask; a job that fails twice becomes a result that says so.
"""

import os
import tempfile
import threading
import uuid
from pathlib import Path

from autograder.batch.backend import ClassRun, Graded, OnStart
from autograder.batch.policy import grade_one
from autograder.config import CLUSTER_ATTEMPTS
from autograder.errors import DaskUnavailable, UsageError
from autograder.grade import not_graded_report, require_sandbox
from autograder.submission import candidates, linked

EXTRA_HINT = 'batch --dask needs Dask\'s distributed scheduler: pip install -e ".[dask]"'


def connect(address, seconds=30):
    """A client of the scheduler at address. Waits at most `seconds`, also for a server that
    accepts the connection but never speaks Dask (the dashboard's port, say)."""
    try:
        from distributed import Client  # optional: the [dask] extra
    except ImportError:
        raise DaskUnavailable(EXTRA_HINT) from None
    outcome = {}

    def attempt():
        try:
            outcome["client"] = Client(address, timeout=f"{seconds}s")
        except BaseException as error:  # reported to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(seconds + 5)
    if "client" in outcome:
        return outcome["client"]
    error = outcome.get("error")
    raise ConnectionError(f"no Dask scheduler answered at {address} within {seconds} s"
                          + (f" ({type(error).__name__}: {error})" if error else ""))


def student_files(folder):
    """{relative path: text} of every candidate for a level (the worker chooses among them by the
    same rule, and its report names those ignored), to travel inside the job; None for a symbolic
    link, which is never read here (it becomes a link again on the worker, refused there)."""
    folder = Path(folder)
    found, _ = candidates(folder)
    return {str(c.path.relative_to(folder)): None if linked(c.path) else c.path.read_text(errors="replace")
            for level_candidates in found.values() for c in level_candidates}


def grade_job(student, submission, files, run: ClassRun):
    """Runs on a Dask worker: (the report for one student, what it was judged from), or (a
    not-graded record, None) if the worker cannot grade: no sandbox there, say."""
    try:
        require_sandbox(run.limits)
    except UsageError as error:
        return not_graded_report(submission, run.device, f"on worker: {error}", run.levels), None
    with tempfile.TemporaryDirectory(prefix="dask-job-") as folder:
        for relative, text in files.items():
            path = Path(folder, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            if text is None:
                path.symlink_to(os.devnull)
            else:
                path.write_text(text)
        probes = {}
        report = grade_one(Path(folder), run, probes)
        report["submission"] = submission
        return report, probes or None


def dask_backend(address, folders: dict, run: ClassRun, on_start: OnStart = None):
    """A Backend grading on the Dask cluster at address (connected now); folders: {student: folder}.
    on_start is told as each job is handed to the cluster."""
    client = connect(address)

    def grade_all(students, at_once):
        from distributed import as_completed  # optional: the [dask] extra

        def submit(student):
            folder = folders[student]
            if on_start and attempts[student] == 1:
                on_start(student)
            return client.submit(grade_job, student, str(folder), student_files(folder), run,
                                 key=f"grade-{batch_id}-{student}-{attempts[student]}")

        batch_id = uuid.uuid4().hex  # keys of their own: two batches on one scheduler never share a job
        attempts = {student: 1 for student in students}
        futures = {}
        for student in students:
            futures[submit(student)] = student  # Dask runs as many at once as its workers hold
        pending = as_completed(list(futures))
        try:
            for future in pending:
                student = futures.pop(future)
                try:
                    report, probes = future.result()
                except Exception as error:  # the job failed (a worker died more often than Dask retries)
                    if attempts[student] < CLUSTER_ATTEMPTS:
                        attempts[student] += 1
                        retry = submit(student)
                        futures[retry] = student
                        pending.add(retry)
                        continue
                    report = not_graded_report(folders[student], run.device,
                                               f"grading failed {CLUSTER_ATTEMPTS} times on the cluster "
                                               f"({type(error).__name__}: {error})", run.levels)
                    probes = None
                yield Graded(student, report, probes)
        finally:
            client.close()

    return grade_all
