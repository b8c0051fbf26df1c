"""The one failure policy both backends share: the grader's own failure is never a student's score.

A student's broken code costs its own checks (the sandbox and the judges see to that); what fails
around it (no sandbox, a crashed worker, a bug of the grader's) becomes a not-graded record with
the reason, which a rerun grades again, never a zero and never the end of the batch.
"""

from autograder.batch.backend import ClassRun
from autograder.errors import NotGraded
from autograder.grade import grade, not_graded_report


def grade_one(folder, run: ClassRun, probes=None):
    """A student's report for the run's levels; when the grader itself fails, a not-graded record
    instead of a score. probes: a dict that receives what a graded report was judged from."""
    try:
        return grade(folder, run.device, run.limits, run.deadlines, challenge=run.challenge, levels=run.levels,
                     probes=probes).to_json()  # what OUT/<student>.json holds
    except NotGraded as error:
        return not_graded_report(folder, run.device, str(error), run.levels)
    except Exception as error:  # the grader's own bug, recorded with its reason: never a grade, never the batch's end
        return not_graded_report(folder, run.device, f"the grader failed ({type(error).__name__}: {error})",
                                 run.levels)
