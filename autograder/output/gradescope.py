"""Gradescope's results.json for one student's report (tests[].name/score/max_score/status/output)."""

from autograder.checks.diagnoses import hint_for


def gradescope_results(report):
    """Gradescope's autograder results.json for one submission."""
    return {
        "score": report["score"],
        "output": f"Graded on {report['device']}: {report['score']}/{report['max_score']}.",
        "tests": [{"name": c["id"], "score": c["points"], "max_score": c["max_points"],
                   "status": "passed" if c["passed"] else "failed",
                   "output": c["message"] + (f"\n\nHint: {hint_for(c.get('diagnosis'))}"
                                             if not c["passed"] and hint_for(c.get("diagnosis")) else "")}
                  for c in report["checks"]],
    }
