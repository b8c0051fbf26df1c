"""The local backend: students graded `workers` at a time on this machine, each in its own sandbox."""

from concurrent.futures import ThreadPoolExecutor, as_completed

from autograder.batch.backend import ClassRun, Graded, OnStart
from autograder.batch.policy import grade_one
from autograder.sandbox.processes import kill_all


def local_backend(folders: dict, run: ClassRun, on_start: OnStart = None):
    """A Backend grading on this machine's threads; folders: {student: folder}."""

    def grade_all(students, at_once):
        def work(student):
            if on_start:
                on_start(student)
            probes = {}
            report = grade_one(folders[student], run, probes)
            return Graded(student, report, probes or None)

        pool = ThreadPoolExecutor(max_workers=at_once)
        try:
            for future in as_completed([pool.submit(work, student) for student in students]):
                yield future.result()
        except BaseException:  # Ctrl-C or an error: end every sandbox now, and let no queued student start
            pool.shutdown(wait=False, cancel_futures=True)
            kill_all()
            raise
        pool.shutdown()

    return grade_all
