"""OUT/grades.csv: one row per student, for a spreadsheet or an LMS import; a column per level of
the assignment, no other."""

import csv
import os

from autograder.levels import LEVELS
from autograder.output.textsafe import for_csv


def write_grades_csv(path, students, reports, levels=LEVELS):
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "score", "max_score", *[f"level{level}" for level in levels], "status"])
        for student in students:
            report = reports.get(student)
            if report is None:
                continue
            if report.get("status", "graded") != "graded":  # no score: never a 0 the grader made up
                status = "flagged" if report.get("status") == "flagged" else "not graded"  # flagged: held for review
                writer.writerow([for_csv(student), "", "", *["" for _ in levels], status])
                continue
            scores = {lvl["level"]: lvl["score"] for lvl in report["levels"]}
            writer.writerow([for_csv(student), report["score"], report["max_score"],
                             *[scores.get(level, "") for level in levels], "graded"])
    os.replace(tmp, path)
