"""Feedback pages for students, the class report for instructors, and Gradescope's results format.

Pages are rendered with Jinja2 from autograder/output/templates/ and are self-contained: plots are
PNG files made with matplotlib's Agg backend and embedded as base64, so a page opens offline.
"""

import base64
import io
import json
import math
import statistics
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg  # files only, never a window
from matplotlib.figure import Figure

from autograder.assignment import span
from autograder.checks.diagnoses import hint_for, title_for
from autograder.checks.explain import group_blocked, points_text
from autograder.levels import LEVEL_FILES
from autograder.output.files import write_atomically
from autograder.output.gradescope import gradescope_results
from autograder.output.terminal import about
from autograder.results import number, only_missing_files

FAILING = "#c62828"  # the pages' colour of a failing verdict, in the plots too

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))


def new_axes(width, height):
    """A figure of its own (no pyplot state), with fixed margins: a layout engine would render twice."""
    figure = Figure(figsize=(width, height), dpi=90)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(left=0.15, right=0.97, bottom=0.16, top=0.9)
    return figure, figure.add_subplot()


def png_bytes(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def loss_curve_png(level, student, reference, failing=None):
    """The per-epoch loss of the student's convergence run against the reference's, log scale.
    failing: the id of the level's training check when it failed. A wrong run can lie below the
    reference (a summed loss is larger, but other mistakes make it smaller) and look better than
    it is, so the plot of a failing check says so in its title and legend, in red."""
    return _loss_curve_png(level, tuple(student or ()), tuple(reference), failing)


@lru_cache(maxsize=512)  # every student whose run matches the reference's shares one drawing
def _loss_curve_png(level, student, reference, failing):
    figure, axes = new_axes(5.5, 3.2)
    epochs = range(1, len(reference) + 1)
    if student:  # non-positive or non-finite losses cannot sit on a log axis: left as gaps
        finite = [v if v is not None and 0 < v < float("inf") else float("nan") for v in student]
        label = f"your code: FAILING {failing}" if failing else "your code"
        axes.plot(range(1, len(finite) + 1), finite, marker="o", color="#d62728", label=label)
    axes.plot(epochs, reference, marker=".", linestyle="--", color="#555555", label="reference")
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("mean batch loss (log scale)")
    if failing:
        title = "FAILING check, do not trust the curve" if student else "FAILING check, no run of yours to draw"
        axes.set_title(f"Level {level}: {title}", color=FAILING, fontweight="bold")
    else:
        axes.set_title(f"Level {level}: training from the grader's start")
    legend = axes.legend(loc="lower left")
    if failing and student:
        legend.get_texts()[0].set_color(FAILING)  # the student's line is drawn, and so listed, first
    axes.grid(True, alpha=0.3)
    return png_bytes(figure)


def score_bins(max_score):
    """Bin edges from 0 to max_score (an assignment of one level is out of 25, of five out of 100):
    at most 10 bins of a round width, the last edge max_score itself so that full marks are counted."""
    top = max(1, math.ceil(max_score))
    width = next(w for w in (1, 2, 5, 10, 20, 25, 50, top) if top / w <= 10)
    edges = list(range(0, top + 1, width))
    return edges if edges[-1] == top else [*edges, top]


def histogram_png(scores, max_score):
    figure, axes = new_axes(6, 3)
    axes.hist(scores, bins=score_bins(max_score), color="#4c78a8", edgecolor="white")  # last bin closed
    axes.set_xlabel(f"total score (out of {max_score:g})")
    axes.set_ylabel("students")
    axes.set_title("Score distribution")
    return png_bytes(figure)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def check_rows(checks, hinted):
    """A level's table rows: a failed check with the hint for its diagnosis, and one row per
    unfilled stub (or missing file) for every check it fails, listing them with their points.
    hinted: the diagnoses whose hint the page already shows (a hint is background, shown once:
    beside the first check it explains)."""
    def hint(diagnosis):
        if diagnosis in hinted or not hint_for(diagnosis):
            return None
        hinted.add(diagnosis)
        return hint_for(diagnosis)

    rows = []
    for entry in group_blocked(checks):
        if "check" in entry:
            check = entry["check"]
            rows.append(dict(check, hint=None if check["passed"] else hint(check.get("diagnosis")), blocks=None))
            continue
        group = entry["group"]
        stub = group["diagnosis"] == "not_implemented"
        rows.append({"id": group["label"] if stub else "every check", "passed": False, "message": group["brief"],
                     "points": number(group["points"]), "max_points": number(group["max_points"]),
                     "hint": hint(group["diagnosis"]),
                     "blocks": [{"id": c["id"], "points_text": points_text(c["max_points"])} for c in group["checks"]]})
    return rows


def write_feedback(report, folder):
    """folder/index.html (self-contained), folder/loss_levelN.png and folder/results.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    curves = {c["level"]: c for c in report.get("curves", [])}
    files = {f["level"]: f for f in report.get("files", [])}
    levels, hinted = [], set()
    for level in report["levels"]:
        level_number = level["level"]
        mine = [c for c in report["checks"] if c["level"] == level_number]
        curve = train = None
        if level_number in curves and curves[level_number]["reference"]:
            train = next((c for c in mine if c["id"].endswith(".train")), None)
            failing = train["id"] if train is not None and not train["passed"] else None
            data = loss_curve_png(level_number, curves[level_number]["student"], curves[level_number]["reference"], failing)
            (folder / f"loss_level{level_number}.png").write_bytes(data)
            curve = b64(data)
        taken = files.get(level_number, {})
        levels.append(dict(level, file=LEVEL_FILES[level_number], taken=taken.get("file"), note=taken.get("note"),
                           checks=check_rows(mine, hinted), curve=curve, train=train,
                           ran=bool(curves.get(level_number, {}).get("student"))))
    # the folder's name only: the instructor's paths are not the student's business
    html = TEMPLATES.get_template("feedback.html").render(report=report, name=Path(report["submission"]).name,
                                                          levels=levels, about=about(report))
    (folder / "index.html").write_text(html)
    (folder / "results.json").write_text(json.dumps(gradescope_results(report), indent=2))
    return folder / "index.html"


def class_about(reports, levels):
    """The class report's line on how it was graded: the span of dates, and each kit version, device
    and isolation that graded someone (one each, for a batch graded in one go)."""
    def each(key):
        return sorted({str(r.get(key)) for r in reports if r.get(key)}) or ["unknown"]
    dates = [str(r["graded_at"]) for r in reports if r.get("graded_at")]
    when = "unknown"
    if dates:
        first, last = (d.replace("T", " ").replace("Z", " UTC") for d in (min(dates), max(dates)))
        when = first if first == last else f"{first} to {last}"
    return [("graded", when), ("kit", ", ".join(each("kit_version"))), ("device", ", ".join(each("device"))),
            ("isolation", "; ".join(each("isolation"))), ("assignment", span(levels) if levels else "levels unknown")]


def write_class_report(out, reports, summary, levels=None, flagged=None, not_graded=None):
    """OUT/report.html for the instructor, and OUT/class/all_students_gradescope.json (each student's
    Gradescope results, keyed by student: not itself a Gradescope file). OUT/class/ is a folder, so
    no student's OUT/<id>.json can ever be mistaken for it. reports: the grades to post; flagged:
    {student: report} held for review, listed apart and left out of every statistic; not_graded:
    {student: report} the grader could not grade, listed with the reason. Students whose folder held no level file are listed apart too (their 0 counts)."""
    flagged = flagged or {}
    out = Path(out)
    not_graded = not_graded or {}
    students = sorted(reports)
    max_score = max((r["max_score"] for r in reports.values()), default=100)
    scored = {s: {lvl["level"]: lvl for lvl in reports[s]["levels"]} for s in students}
    if levels is None:  # the assignment's: every report of a batch holds the same levels
        levels = sorted({level for by_level in scored.values() for level in by_level}) or list(LEVEL_FILES)
    level_rows = []
    for level in levels:
        rows = [scored[s][level] for s in students if level in scored[s]]
        scores = [row["score"] for row in rows]
        most = rows[0]["max_score"] if rows else 0
        level_rows.append({"level": level, "max_score": most, "mean": statistics.fmean(scores) if scores else 0,
                           "full": sum(score == most for score in scores) / len(scores) if scores else 0})
    passes = {}
    for student in students:
        for check in reports[student]["checks"]:
            passes.setdefault(check["id"], []).append(check["passed"])
    checks = [{"id": check_id, "rate": sum(values) / len(values)} for check_id, values in passes.items()]
    mistakes = [{"name": name, "title": title_for(name), "count": count, "students": who}
                for name, count, who in summary["mistakes"]]

    def link(student):
        return f"feedback/{quote(student)}/index.html"  # a folder name may hold spaces, '#' or '?'


    missing = [s for s in students if only_missing_files(reports[s])]
    html = TEMPLATES.get_template("class_report.html").render(
        about=class_about([*reports.values(), *flagged.values(), *not_graded.values()], levels),
        not_graded=[{"id": s, "reason": not_graded[s].get("reason") or "no reason recorded"} for s in sorted(not_graded)],
        missing=missing, level_files=[LEVEL_FILES[level] for level in levels if level in LEVEL_FILES],
        summary=summary, max_score=max_score, histogram=b64(histogram_png([reports[s]["score"] for s in students],
                                                                           max_score)),
        levels=level_rows, checks=checks, mistakes=mistakes, limits=summary["limits"], link=link,
        flagged=[{"id": s, "score": flagged[s]["score"], "max_score": flagged[s]["max_score"],
                  "flags": flagged[s]["flags"]} for s in sorted(flagged)],
        students=[{"id": s, "score": reports[s]["score"], "missing": s in missing,
                   "levels": [scored[s][level]["score"] if level in scored[s] else "" for level in levels]}
                  for s in students])
    write_atomically(out / "report.html", html)
    (out / "class").mkdir(exist_ok=True)
    write_atomically(out / "class" / "all_students_gradescope.json", json.dumps(
        {"format": "one Gradescope results object per student",
         "students": {s: gradescope_results(r) for s, r in sorted({**reports, **flagged}.items())}}, indent=2))
    return out / "report.html"
