"""The batch command's terminal side: a progress bar with an ETA on stderr, then the results on
stdout (the summary, every path in it as given), so that `batch ... > log` keeps the results and a
terminal still shows the bar. The grader's own failures (students it could not grade, exit 1) are
also named in one line on stderr."""

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from autograder.assignment import require_one_assignment, span
from autograder.batch.records import summary_lines
from autograder.batch.run import run_batch
from autograder.batch.students import find_students
from autograder.checks.diagnoses import title_for
from autograder.grade import isolation_text
from autograder.levels import LEVEL_FILES
from autograder.output.textsafe import for_terminal
from autograder.results import only_missing_files

SHOWN_MISTAKES = 8
SHOWN_FILES = 10


def run_with_progress(submissions, out, workers, limits, device, levels, force=False, only=None, dask=None,
                      fixed_timeout=False):
    """Grade a class with a progress bar (the options were checked by the caller)."""
    progress_console = Console(stderr=True)  # the bar: only where someone watches it
    console = Console(soft_wrap=True)  # the results, on stdout; a log gets whole lines, not 80 columns
    students = find_students(submissions, out)[0]
    require_one_assignment(out, students, levels, force)  # before the bar: a usage error is one line
    total = len(students)
    columns = [TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn()]
    with Progress(*columns, console=progress_console, transient=False) as progress:
        task = progress.add_task("grading", total=total, last="")

        def advance(student, report):
            text = (f"{student}: not graded" if report.get("status") == "not_graded"
                    else f"{student}: held for review" if report.get("status") == "flagged"
                    else f"{student}: {report['score']}/{report['max_score']}")
            progress.update(task, advance=1, last=escape(for_terminal(text)))

        result = run_batch(submissions, out, workers, limits, device, force, fixed_timeout=fixed_timeout,
                           on_progress=advance, dask=dask, levels=levels, only=only)
        progress.update(task, completed=total)
    print_summary(result, out, console, submissions)
    console.print(f"isolation: {isolation_text(limits, device)}", markup=False)
    if result.not_graded:  # the grader's failure, not a grade: said where errors go too
        names = sorted(result.not_graded)
        print(for_terminal(f"NOT GRADED: {len(names)} students, no score recorded (a rerun grades them): "
                           + "; ".join(f"{s}: {short(result.not_graded[s])}" for s in names[:SHOWN_FILES])
                           + ("; ..." if len(names) > SHOWN_FILES else "")), file=sys.stderr)
    return 1 if result.not_graded else 0


def short(text, most=160):
    text = " ".join(str(text).split())
    return text if len(text) <= most else text[:most - 3] + "..."


def print_summary(result, out, console, submissions="SUBMISSIONS"):
    out = Path(out)
    summary = result.summary
    skipped = (f", {len(result.skipped)} already graded and unchanged (kept; --force regrades everyone, --only ID "
               "those named)" if result.skipped else "")
    rate = f" in {result.seconds:.1f} s" if result.graded else ""
    levels = sorted({lvl["level"] for r in result.reports.values() for lvl in r["levels"]})
    about = f" for {span(levels)}" if levels else ""
    console.print(for_terminal(f"graded {len(result.graded)} students{about}{rate}{skipped}; "
                               f"results in {out / 'grades.csv'}, "
                               f"class report {out / 'report.html'}, feedback pages in {out / 'feedback'}/"),
                  markup=False)
    for line in summary_lines(result):  # what a rerun regraded, and why
        console.print(for_terminal(line), markup=False)
    empty = sorted(s for s, r in result.reports.items() if only_missing_files(r))
    if empty:
        console.print(for_terminal(f"no level file found for {len(empty)} students (scored 0): {', '.join(empty[:10])}"
                                   f"{', ...' if len(empty) > 10 else ''}; files belong directly in "
                                   f"{Path(submissions) / '<student>'}/, named {', '.join(LEVEL_FILES[n] for n in levels)} "
                                   "(each student's JSON file lists what their folder holds)"),
                      markup=False)
    renamed = [(s, f) for s, r in sorted(result.reports.items()) for f in r.get("files", []) if f.get("note")]
    if renamed:
        console.print(f"files graded under another name, or chosen among several ({len(renamed)}):", markup=False)
        for student, taken in renamed[:SHOWN_FILES]:
            console.print(for_terminal(f"  {student}: {taken['file']}: {taken['note']}"), markup=False)
        if len(renamed) > SHOWN_FILES:
            console.print(f"  and {len(renamed) - SHOWN_FILES} more (each student's JSON file lists its files)",
                          markup=False)
    if result.hidden:
        console.print(for_terminal(f"skipped hidden folders (names starting with '.'): {', '.join(result.hidden)}"),
                      markup=False)
    if result.flagged:
        console.print(f"HELD FOR REVIEW: {len(result.flagged)} students (their code reaches into the grader; no score "
                      "posted in grades.csv; each student's JSON file lists the lines):", markup=False, highlight=False)
        for student, report in sorted(result.flagged.items()):
            first = report["flags"][0]
            where = f"{first['file']}:{first['line']}" if first.get("line") else first["file"]
            more = f" (and {len(report['flags']) - 1} more)" if len(report["flags"]) > 1 else ""
            console.print(for_terminal(f"  {student}: {where}: {first['why']}{more}"), markup=False)
    if result.not_graded:
        console.print(f"NOT GRADED: {len(result.not_graded)} students (no score recorded; a rerun grades them):",
                      markup=False, highlight=False)
        for student, why in sorted(result.not_graded.items()):
            console.print(for_terminal(f"  {student}: {why}"), markup=False)
    console.print(f"scores: mean {summary['mean']:.1f}, sd {summary['stdev']:.1f}, "
                  f"min {summary['min']}, max {summary['max']} (of {summary['students']} students)")
    if summary["mistakes"]:
        console.print("most common mistakes:")
        for key, count, students in summary["mistakes"][:SHOWN_MISTAKES]:
            console.print(for_terminal(f"  {count} x {title_for(key)} [{key}] ({', '.join(students[:6])}"
                                       f"{', ...' if len(students) > 6 else ''})"), markup=False)
        more = len(summary["mistakes"]) - SHOWN_MISTAKES
        if more > 0:
            console.print(for_terminal(f"  and {more} more ({out / 'report.html'} lists them all)"), markup=False)
    if summary["limits"]:
        console.print("hit a limit:")
        for student, check_id, what in summary["limits"]:
            where = f"importing level {check_id[5]}" if check_id.endswith(".import") else check_id
            console.print(for_terminal(f"  {student}: {what} in {where}"), markup=False)
