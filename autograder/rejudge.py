"""python -m autograder rejudge OUT: a batch's class scored again under the current rubric and judges.

The judges are pure functions of probe data; a batch keeps each student's (OUT/.probes/, with the
challenge it was made for). Rejudging computes the reference's data for those challenges here and
judges again: no student code runs, no sandbox starts. It rewrites every graded student's
OUT/<id>.json, feedback page, grades.csv and the class report, and says what changed.

Probe data is what the kit's probes measured when the batch ran: a change to a judge or to a
check's points is rejudged; a check added since (nothing probed it) needs a batch. A record keeps
the kit version it was probed by, so a new kit still regrades on the next batch.
"""

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignment import default_levels, levels_of
from autograder.batch import records
from autograder.batch.run import feedback_page, load_reports, publish
from autograder.checks import checks_for_level
from autograder.errors import UsageError
from autograder.grade import judge_report
from autograder.judge import reference_results
from autograder.output.textsafe import for_terminal
from autograder.results import has_result


@dataclass
class Rejudged:
    changed: dict = field(default_factory=dict)  # {student: (old report, new report, [check changes])}
    unchanged: list = field(default_factory=list)
    not_graded: list = field(default_factory=list)  # left as they were: a batch grades them
    unwritten: list = field(default_factory=list)  # outputs that could not be written, and why
    seconds: float = 0.0


def check_changes(old, new):
    """["level1.forward 4/4 -> 2/4", ...] for each check whose points, maximum or verdict changed."""
    def by_id(report):
        return {c["id"]: c for c in report["checks"]}

    before, after = by_id(old), by_id(new)
    changes = []
    for check_id in [*after, *(i for i in before if i not in after)]:
        a, b = before.get(check_id), after.get(check_id)
        if a is None:
            changes.append(f"{check_id} new: {b['points']}/{b['max_points']}")
        elif b is None:
            changes.append(f"{check_id} removed (was {a['points']}/{a['max_points']})")
        elif (a["points"], a["max_points"], a["passed"]) != (b["points"], b["max_points"], b["passed"]):
            verdict = "" if a["passed"] == b["passed"] else (", now passes" if b["passed"] else ", now fails")
            changes.append(f"{check_id} {a['points']}/{a['max_points']} -> {b['points']}/{b['max_points']}{verdict}")
    return changes


def load_class(out):
    """[(student, report, record)] of the last batch into OUT; a usage error for any other folder."""
    out = Path(out)
    students = records.load_class(out) if (out / records.FOLDER).is_dir() else None
    if students is None:
        raise UsageError(f"rejudge {out}: no probe records of a finished batch there ({records.FOLDER}/ holds "
                         "them); give the --out folder of a batch graded by this kit (one that was stopped: run it "
                         "again first)")
    found, unjudgeable = [], []
    for student in students:
        try:
            report = json.loads((out / f"{student}.json").read_text())
        except (OSError, ValueError):
            continue  # never written (the batch stopped first): a batch grades them
        record = records.load_record(out, student)
        graded = has_result(report)
        if graded and (record is None or "probes" not in record):
            unjudgeable.append(student)
        found.append((student, report, record if graded else None))
    if unjudgeable:  # their scores would stay under the old rubric beside everyone else's new ones
        raise UsageError(f"rejudge {out}: no probe data for {', '.join(unjudgeable[:5])}"
                         f"{', ...' if len(unjudgeable) > 5 else ''} (graded by an older kit, or their JSON file "
                         "was changed since); python -m autograder batch SUBMISSIONS --out OUT regrades them")
    return found


def unprobed_checks(found):
    """Ids of current checks that a probed level's data has no entry for (added since the batch)."""
    missing = set()
    for _, _, record in found:
        if record is None:
            continue
        _, probes, judging = records.judging_of(record)
        for level in judging["levels"]:
            data = probes.get(level)
            if isinstance(data, dict) and "load_error" not in data:
                missing.update(c.id for c in checks_for_level(level) if c.id not in data)
    return sorted(missing)


def rejudge(out) -> Rejudged:
    out, began = Path(out), time.monotonic()
    found = load_class(out)
    unprobed = unprobed_checks(found)
    if unprobed:
        raise UsageError(f"rejudge {out}: {', '.join(unprobed)} never probed these submissions (added since the "
                         "batch?); only a batch can run them: python -m autograder batch SUBMISSIONS --out OUT")
    result, levels = Rejudged(), None
    for student, report, record in found:
        if record is None:
            result.not_graded.append(student)
            continue
        challenge, probes, judging = records.judging_of(record)
        device, levels = report["device"], judging["levels"]
        for level in levels:  # computed once per challenge and device (cached), in this process
            try:
                reference_results(level, device, challenge)
            except UsageError:
                raise
            except Exception as error:
                raise UsageError(f"rejudge {out}: the reference cannot run on {device} here ({type(error).__name__}: "
                                 f"{error}); rejudge on a machine with that device") from None
        new = judge_report(report["submission"], device, challenge, report.get("isolation"), probed=probes,
                           graded_at=report.get("graded_at"), **judging).to_json()
        source = dict(record["graded_from"], rubric=records.rubric_digest(levels))  # the kit it was probed by stays
        records.write_result(out, student, new, source, challenge, dict(judging, probed=probes))
        feedback_page(new, out / "feedback" / student)
        changes = check_changes(report, new)
        if changes or (report["score"], report["max_score"]) != (new["score"], new["max_score"]):
            result.changed[student] = (report, new, changes)
        else:
            result.unchanged.append(student)
    students = [student for student, _, _ in found]
    everyone = load_reports(out, students)
    if levels is None:  # nobody graded: the assignment as the reports record it
        levels = next((levels_of(r) for r in everyone.values() if levels_of(r)), None) or default_levels()
    result.unwritten = publish(out, students, everyone, levels).unwritten
    result.seconds = time.monotonic() - began
    return result


def print_rejudged(result, out):
    for student, (old, new, changes) in sorted(result.changed.items()):
        print(for_terminal(f"{student}: {old['score']}/{old['max_score']} -> {new['score']}/{new['max_score']}"
                           + (f" ({'; '.join(changes)})" if changes else "")))
    if result.unchanged:
        print(for_terminal(f"unchanged: {len(result.unchanged)} students ({', '.join(result.unchanged[:10])}"
                           f"{', ...' if len(result.unchanged) > 10 else ''})"))
    if result.not_graded:
        print(for_terminal(f"not graded, left as they were (a batch grades them): {', '.join(result.not_graded)}"))
    rejudged = len(result.changed) + len(result.unchanged)
    print(for_terminal(f"rejudged {rejudged} students in {result.seconds:.1f} s under the current rubric, without "
                       f"running student code ({len(result.changed)} changed); rewrote their JSON files and feedback "
                       f"pages, {out}/grades.csv and {out}/report.html"))
