"""What each student's result was graded from, the probe data it was judged from, and who to regrade.

OUT/.probes/ is the grader's own folder (0700, files 0600): it holds the run's secret challenge,
so nothing in it is ever shown to a student. For each student, OUT/.probes/<id>.json:

    {"format": 1, "student": id, "report": sha256 of OUT/<id>.json as written,
     "graded_from": {"files": sha256, "levels": [..], "rubric": sha256, "kit": "0.1.0", "device": "cpu"},
     "held": false, "challenge": N, "probes": {level: probe data}, "judging": {levels, missing, files}}

A record belongs to the report whose digest it holds; one that does not (a crash between the two
writes, a hand-edited report) counts as no record. OUT/.probes/<id>.grading marks a student being
graded (see plan()); OUT/.probes/.class.json holds the ids of the last batch's class.
"""

import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from autograder import __version__
from autograder.checks import all_checks
from autograder.config import MAX_LEVEL_FILE
from autograder.errors import UsageError
from autograder.levels import LEVELS, SOLUTIONS_DIR
from autograder.output.files import write_atomically
from autograder.results import has_result

FOLDER = ".probes"
FORMAT = 1
CLASS = ".class.json"  # student ids never start with "." (such folders are skipped), so no record is named so
MAX_FILES = 200  # files of one student folder read for its digest; the rest count by name and size
MAX_READ = 64 * 2**20  # bytes of one student folder read for its digest, in all

NEW, NOT_GRADED, NO_RECORD = "new", "not graded before", "no record of what it was graded from"
FILES, RUBRIC, KIT, LEVELS_CHANGED, DEVICE = "files changed", "rubric changed", "kit changed", "levels changed", \
    "device changed"
FORCED, ONLY, RETRIED = "--force", "--only", "in progress when the grader stopped"
CHANGES = {"files": FILES, "rubric": RUBRIC, "kit": KIT, "levels": LEVELS_CHANGED, "device": DEVICE}
HELD = ("the grader stopped while judging this submission before; held for review (regrade with "
        "--only {student})")


def sha256(data) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()


def files_digest(folder) -> str:
    """Names and contents of a student's files (hidden ones and __pycache__ aside). Links are never
    followed (their target's name counts); reads are bounded, beyond that a file counts by its size."""
    folder, digest, budget, seen = Path(folder), hashlib.sha256(), MAX_READ, 0
    for root, dirs, names in os.walk(folder):  # os.walk does not follow links to folders
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(n for n in names if not n.startswith(".")):
            path = Path(root, name)
            digest.update(os.fsencode(path.relative_to(folder).as_posix()) + b"\0")
            try:
                if path.is_symlink():
                    digest.update(b"link\0" + os.fsencode(os.readlink(path)) + b"\0")
                    continue
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block the read: its kind counts
                    digest.update(f"special {stat.S_IFMT(info.st_mode)}\0".encode())
                    continue
                size = info.st_size
                digest.update(f"{size}\0".encode())
                seen += 1
                if seen > MAX_FILES or size > min(budget, MAX_LEVEL_FILE):  # the grader refuses such a file anyway
                    continue
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
                with os.fdopen(fd, "rb") as handle:  # swapped for a FIFO since lstat: O_NONBLOCK keeps it from blocking
                    data = handle.read(size + 1)
                budget -= len(data)
                digest.update(data + b"\0")
            except OSError as error:  # unreadable: its name and the error still count
                digest.update(f"unreadable {error.errno}\0".encode())
    return digest.hexdigest()


def rubric_digest(levels=LEVELS) -> str:
    """Every check of these levels, by id and points: what a score is out of."""
    return sha256(json.dumps([[c.id, c.points] for c in all_checks().values() if c.level in set(levels)]))


@lru_cache(maxsize=None)
def kit_version() -> str:
    """The kit's version and a digest of the code that decides a grade (the probes, the judges, the
    reference): a result graded by other grading code is regraded, whether or not the version moved."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    judging = [package / "judge.py", *[path for part in ("probe", "checks", "review")
                                       for path in sorted((package / part).rglob("*.py"))],
               *sorted(Path(SOLUTIONS_DIR).glob("*.py"))]
    for path in judging:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{__version__} ({digest.hexdigest()[:12]})"


def graded_from(folder, levels, device, rubric=None, kit=None) -> dict:
    return {"files": files_digest(folder), "levels": sorted(levels), "rubric": rubric or rubric_digest(levels),
            "kit": kit or kit_version(), "device": device}


# --- OUT/.probes/ ---------------------------------------------------------------------------------

def folder_of(out, create=False) -> Path:
    path = Path(out) / FOLDER
    if create:
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask; and an older folder is made private too
    return path


def write_private(path, text):
    """Whole or not at all, readable by the grader only."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report_text(report) -> str:
    return json.dumps(report, indent=2, allow_nan=False)


def write_result(out, student, report, source, challenge=None, judging=None, held=False):
    """OUT/<student>.json and its record. The record is written first and names the report's digest,
    so a crash between the two leaves a record that matches nothing, never a wrong one."""
    text = report_text(report)
    path = folder_of(out, create=True) / f"{student}.json"
    if has_result(report) or held:
        record = {"format": FORMAT, "student": student, "report": sha256(text), "graded_from": source, "held": held}
        if judging is not None:
            record.update(challenge=challenge, probes={str(k): v for k, v in judging["probed"].items()},
                          judging={"levels": list(judging["levels"]),
                                   "missing": {str(k): v for k, v in judging["missing"].items()},
                                   "files": judging["files"], "flags": list(judging.get("flags", []))})
        write_private(path, json.dumps(record))  # probe data may hold NaN: this file is read by Python only
    else:
        path.unlink(missing_ok=True)  # a not-graded result has nothing to rejudge
    write_atomically(Path(out) / f"{student}.json", text)


def load_record(out, student):
    """The record of OUT/<student>.json, or None when there is none that belongs to it."""
    try:
        record = json.loads((folder_of(out) / f"{student}.json").read_text())
        text = (Path(out) / f"{student}.json").read_text()
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("report") != sha256(text):
        return None
    return record


def judging_of(record):
    """What rejudge needs from a record: (challenge, {level: probe data}, {"levels", "missing", "files"})."""
    judging = record["judging"]
    probes = {int(level): data for level, data in record["probes"].items()}
    return record["challenge"], probes, {"levels": list(judging["levels"]), "files": judging["files"],
                                         "flags": list(judging.get("flags", [])),
                                         "missing": {int(k): v for k, v in judging["missing"].items()}}


def save_class(out, students):
    write_private(folder_of(out, create=True) / CLASS, json.dumps({"students": list(students)}))


def load_class(out):
    try:
        return list(json.loads((folder_of(out) / CLASS).read_text())["students"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- a student being graded -----------------------------------------------------------------------

def marker(out, student) -> Path:
    return folder_of(out) / f"{student}.grading"


def mark(out, student, alone=False):
    folder_of(out, create=True)
    write_private(marker(out, student), json.dumps({"alone": alone}))


def unmark(out, student):
    marker(out, student).unlink(missing_ok=True)


def marked(out) -> dict:
    """{student: graded alone?} for every student whose grading began and never ended."""
    found = {}
    folder = folder_of(out)
    for path in folder.glob("*.grading") if folder.is_dir() else ():
        try:
            found[path.name[: -len(".grading")]] = bool(json.loads(path.read_text()).get("alone"))
        except (OSError, ValueError, AttributeError):
            found[path.name[: -len(".grading")]] = False
    return found


# --- who to grade ---------------------------------------------------------------------------------

@dataclass
class Plan:
    """Who a run grades and why. A student whose grading was in progress when the grader stopped
    (a kill, a crash: the marker is still there) is graded again after everyone else, alone; if
    the grader stops again while grading them alone, the next run holds them for review instead."""
    todo: list = field(default_factory=list)  # graded first, `workers` at a time
    alone: list = field(default_factory=list)  # then each alone
    reasons: dict = field(default_factory=dict)  # {student: [why they are graded]}
    kept: list = field(default_factory=list)
    hold: list = field(default_factory=list)  # to be recorded as held for review now
    held: list = field(default_factory=list)  # held now or before, kept so
    behind: dict = field(default_factory=dict)  # --only: {kept student: [what changed]}


def why_regrade(out, student, source):
    """[what changed] since OUT/<student>.json was graded; [] when nothing did; None when the student
    is held for review and their files are the same."""
    path = Path(out) / f"{student}.json"
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError):
        return [NEW] if not path.exists() else [NO_RECORD]
    record = load_record(out, student)
    if record is not None and record.get("held"):
        return None if record["graded_from"].get("files") == source["files"] else [FILES]
    if not has_result(report):
        return [NOT_GRADED]
    if record is None:
        return [NO_RECORD]
    return [why for key, why in CHANGES.items() if record["graded_from"].get(key) != source[key]]


def require_known(students, only):
    unknown = [s for s in only if s not in students]
    if unknown:
        shown = ", ".join(sorted(students)[:10]) + (", ..." if len(students) > 10 else "")
        raise UsageError(f"--only {' '.join(unknown)}: no such student in the submissions folder (the ids are its "
                         f"folder names: {shown})")


def plan(out, students, sources, force=False, only=None) -> Plan:
    """sources: {student: graded_from(...)} as of now."""
    result, stopped = Plan(), marked(out)
    if only is not None:
        require_known(students, only)
    for student in students:
        asked = student in only if only is not None else force  # --only names exactly who, --force or not
        if student in stopped and stopped[student] and not asked:
            result.hold.append(student)
            result.held.append(student)
            continue
        if asked:
            why = [ONLY if only is not None else FORCED]
        else:
            why = why_regrade(out, student, sources[student])
            if why is None:
                result.held.append(student)
                continue
            if only is not None:
                if why:
                    result.behind[student] = why
                result.kept.append(student)
                continue
            if student in stopped:
                result.alone.append(student)
                result.reasons[student] = [RETRIED]
                continue
        if why:
            result.todo.append(student)
            result.reasons[student] = why
        else:
            result.kept.append(student)
    if only is not None:
        mixed = {s: why for s, why in result.behind.items() if set(why) & {RUBRIC, LEVELS_CHANGED, NO_RECORD}}
        if mixed:
            who = sorted(mixed)
            raise UsageError(f"--only: {len(who)} other students were graded under another rubric or levels "
                             f"({', '.join(who[:5])}{', ...' if len(who) > 5 else ''}); regrading some students "
                             "alone would mix two rubrics in grades.csv: run batch without --only (it regrades "
                             f"them), or python -m autograder rejudge {out} first")
    return result


def plan_for(folders, out, levels, device, force=False, only=None) -> Plan:
    """The plan of a run into OUT ({student: folder}), or the usage error it meets, before any grading."""
    rubric, kit = rubric_digest(levels), kit_version()
    sources = {s: graded_from(folder, levels, device, rubric, kit) for s, folder in folders.items()}
    return plan(out, list(folders), sources, force, only)


def summary_lines(result):
    """What a rerun did beyond the counts (result: a BatchResult): why each student was graded, who
    is held, who --only left behind."""
    lines, reasons, held, behind = [], result.reasons, result.held, result.behind
    rerun = result.skipped or held or any(whys != [NEW] for whys in reasons.values())
    if reasons and rerun:  # a first run grades everyone as new: nothing to say
        by_reason = {}
        for student, whys in sorted(reasons.items()):
            for why in whys:
                by_reason.setdefault(why, []).append(student)
        lines.append("graded because: " + "; ".join(f"{why}: {len(who)} ({', '.join(who[:6])}"
                                                     f"{', ...' if len(who) > 6 else ''})"
                                                     for why, who in by_reason.items()))
    if held:
        lines.append(f"held for review, not graded: {', '.join(held)} (the grader stopped while grading them alone; "
                     f"regrade with --only {' '.join(held)})")
    if behind:  # by what a plain rerun would regrade them for: new ones were never graded at all
        by_why = {}
        for student, whys in sorted(behind.items()):
            by_why.setdefault(whys[0], []).append(student)
        lines.append("not regraded (--only), though a rerun would grade them: " + "; ".join(
            f"{why}: {len(who)} ({', '.join(who[:10])}{', ...' if len(who) > 10 else ''})" for why, who in by_why.items()))
    return lines
