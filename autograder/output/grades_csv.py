"""OUT/grades.csv: one row per student, for a spreadsheet or an LMS import; a column per level of
the assignment, no other.

The columns: student_id, score, max_score, levelN for each of the assignment's levels (that is
how the file says which levels it is about), status, then what each row was graded with, taken
from the student's report: graded_at (UTC, when the code ran), kit_version, device and isolation.
Those come last, so a reader that takes the first columns by position, or picks columns by name
(an LMS import maps student_id and score), reads the file as before. A row the grader could not
grade has no graded_at and no isolation: its code never ran.
"""

import csv
import os

from autograder.levels import LEVELS
from autograder.output.textsafe import for_csv

PROVENANCE = ("graded_at", "kit_version", "device", "isolation")


def header(levels=LEVELS):
    return ["student_id", "score", "max_score", *[f"level{level}" for level in levels], "status", *PROVENANCE]


def provenance(report):
    ran = report.get("status", "graded") in ("graded", "flagged")
    return [for_csv(report.get("graded_at") or "") if ran else "", for_csv(report.get("kit_version") or ""),
            for_csv(report.get("device") or ""), for_csv(report.get("isolation") or "") if ran else ""]


def write_grades_csv(path, students, reports, levels=LEVELS):
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(levels))
        for student in students:
            report = reports.get(student)
            if report is None:
                continue
            if report.get("status", "graded") != "graded":  # no score: never a 0 the grader made up
                status = "flagged" if report.get("status") == "flagged" else "not graded"  # flagged: held for review
                writer.writerow([for_csv(student), "", "", *["" for _ in levels], status, *provenance(report)])
                continue
            scores = {lvl["level"]: lvl["score"] for lvl in report["levels"]}
            writer.writerow([for_csv(student), report["score"], report["max_score"],
                             *[scores.get(level, "") for level in levels], "graded", *provenance(report)])
    os.replace(tmp, path)
