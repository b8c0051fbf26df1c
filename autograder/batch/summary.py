"""The class at a glance: counts, spread, the most common diagnosed mistakes, who hit a limit."""

import statistics
from collections import Counter

# Diagnoses that say nothing about a mistake: unfilled stubs and missing files.
NOT_MISTAKES = {None, "not_implemented", "missing_file", "import_failed"}
LIMIT_DIAGNOSES = {"timeout": "time limit", "killed": "memory limit", "out_of_memory": "memory limit",
                   "protocol": "channel limit"}


# Consequences of another mistake, not mistakes of their own: left out of "most common mistakes".
CONSEQUENCES = {"not_converged", "not_updated", "diverged", "bad_losses", "raised", "unjudgeable", "wrong_step",
                "wrong_step_count", "malformed"}


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
