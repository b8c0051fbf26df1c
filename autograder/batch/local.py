"""The local backend: students graded `workers` at a time on this machine, each in its own sandbox."""

from concurrent.futures import ThreadPoolExecutor, as_completed

from autograder.batch.policy import grade_one
from autograder.sandbox.runner import kill_all


def grade_locally(folders, students, workers, device, limits, deadlines, challenge, levels=None, on_start=None):
    """Yield (student, report, probes) as students finish, `workers` at a time on this machine;
    on_start(student) as each one's grading begins (not while it waits for a worker)."""

    def work(student):
        if on_start:
            on_start(student)
        probes = {}
        report = grade_one(folders[student], device, limits, deadlines, challenge, levels, probes)
        return student, report, probes or None

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for future in as_completed([pool.submit(work, student) for student in students]):
            yield future.result()
    except BaseException:  # Ctrl-C or an error: end every sandbox now, and let no queued student start
        pool.shutdown(wait=False, cancel_futures=True)
        kill_all()
        raise
    pool.shutdown()
