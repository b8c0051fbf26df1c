"""An assignment is a set of levels, chosen once and honoured by every output.

The levels come from `--levels` where given; else from the record a kit built for one assignment
carries (a student release's grader, a Gradescope zip: autograder/assignment.json); else a single
level file is its own level and a folder is all five.
"""

import json
from pathlib import Path

from autograder.errors import UsageError
from autograder.results import has_result
from autograder.levels import LEVELS
from autograder.submission import level_of_name

RECORD = Path(__file__).resolve().parent / "assignment.json"


def parse_levels(values, option="--levels"):
    """The levels values name, sorted, each once; a usage error naming the valid ones otherwise."""
    if values is None:
        return None
    chosen = []
    for value in values:
        try:
            level = int(str(value).strip())
        except ValueError:
            level = None
        if level not in LEVELS:
            raise UsageError(f"{option} {' '.join(map(str, values))}: {value} is not a level; give one or more of "
                             f"{', '.join(map(str, LEVELS))}")
        chosen.append(level)
    if not chosen:
        raise UsageError(f"{option}: give one or more of {', '.join(map(str, LEVELS))}")
    return tuple(sorted(set(chosen)))


def record(package_dir, levels):
    """Write the record of an assignment into a copy of the autograder package."""
    path = Path(package_dir) / RECORD.name
    path.write_text(json.dumps({"levels": list(parse_levels(levels))}) + "\n")
    return path


def recorded_levels():
    """The levels this copy of the kit was built for, or None (the instructor's kit: any levels)."""
    if not RECORD.is_file():
        return None
    try:
        values = json.loads(RECORD.read_text())["levels"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{RECORD}: not a record of an assignment's levels (expected {{\"levels\": [1]}})") from None
    return parse_levels(values, option=str(RECORD))


def default_levels(given=None):
    """The levels a folder (or a class of them) is graded for."""
    return parse_levels(given) if given is not None else (recorded_levels() or LEVELS)


def levels_for(path, given=None):
    """The levels a grade of path is about; a single level file must be one of them."""
    path = Path(path)
    if path.is_file() or path.is_symlink():
        level = level_of_name(path.name)
        if given is None:
            return (level,) if level is not None else default_levels()
        levels = parse_levels(given)
        if level is not None and level not in levels:
            raise UsageError(f"{path}: the file of level {level}, which --levels {' '.join(map(str, levels))} "
                             "leaves out; grade its folder, or add the level")
        return levels
    return default_levels(given)


def levels_of(report):
    """The levels a report was graded for (a report of format 1 predates assignments: all five)."""
    assignment = report.get("assignment")
    if isinstance(assignment, dict) and isinstance(assignment.get("levels"), list):
        return tuple(assignment["levels"])
    if report.get("format", 1) == 1:
        return LEVELS
    return None


def span(levels):
    """levels as a reader says them: "level 1", "levels 1, 2 and 4"."""
    levels = list(levels)
    if len(levels) == 1:
        return f"level {levels[0]}"
    return f"levels {', '.join(map(str, levels[:-1]))} and {levels[-1]}"


def require_one_assignment(out, students, levels, force=False):
    """A rerun into OUT grades the levels OUT was graded for: a class's grades never mix two
    assignments (a rerun with other levels would keep the old students' scores beside new ones)."""
    if force:
        return
    others = {}
    for student in students:
        path = Path(out) / f"{student}.json"
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not has_result(report):
            continue  # a not-graded record is graded again anyway
        theirs = levels_of(report)
        if theirs != tuple(levels):
            others.setdefault(theirs, []).append(student)
    if others:
        theirs, who = max(others.items(), key=lambda item: len(item[1]))
        was = span(theirs) if theirs else "levels it does not record"
        raise UsageError(f"--out {out}: {len(who)} students there were graded for {was} ({', '.join(who[:3])}"
                         f"{', ...' if len(who) > 3 else ''}), this run is for {span(levels)}; pass the same "
                         "--levels, grade into a new --out, or pass --force to regrade everyone")
