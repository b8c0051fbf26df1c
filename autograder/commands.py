"""What each command of the CLI does, given its parsed options (autograder.cli parses them): check
the options once, configure a run, hand the result to the renderers. Nothing below calls back here."""

import json
import sys
from pathlib import Path

from autograder.assignment import default_levels, levels_for, parse_levels
from autograder.authoring.course import build_course
from autograder.authoring.exercises import edited_files, stale_files, write_exercises
from autograder.authoring.release import write_release
from autograder.batch.dask import connect
from autograder.batch.records import plan_for
from autograder.batch.students import require_students
from autograder.checks import all_checks
from autograder.errors import DaskUnavailable, NotGraded, UsageError
from autograder.grade import grade, require_level_files, require_sandbox
from autograder.judge import fixed_deadlines
from autograder.levels import SOLUTIONS_DIR
from autograder.options import (check_timeout, device_from, limits_from, outside_submission, writable_file,
                                writable_folder)
from autograder.output.gradescope import build_autograder_zip, gradescope_results
from autograder.output.html import write_feedback
from autograder.output.terminal import print_report
from autograder.output.terminal_batch import run_with_progress
from autograder.rejudge import print_rejudged, rejudge


def grade_command(args):
    device = device_from(args.device)
    levels = levels_for(args.path, args.levels)
    require_level_files(args.path, levels)
    if args.feedback:
        outside_submission(writable_folder(args.feedback, "--feedback"), args.path, "--feedback")
    if args.gradescope:
        outside_submission(writable_file(args.gradescope, "--gradescope"), args.path, "--gradescope")
    try:
        limits = limits_from(args.timeout, args.memory, args.no_sandbox)
        require_sandbox(limits)
        check_timeout(args.timeout, device, levels)
        report = grade(args.path, device, limits, deadlines=fixed_deadlines(args.timeout) if args.timeout else None,
                       levels=levels).to_json()  # the renderers below read the report's public form
    except NotGraded as error:
        print(f"not graded: {error}", file=sys.stderr)
        return 1
    unwritten = []  # the grade is printed all the same; the exit status says a file is missing
    if args.feedback:
        try:
            write_feedback(report, args.feedback)
        except OSError as error:
            unwritten.append(f"--feedback {args.feedback}: not written ({error.strerror})")
    if args.gradescope:
        try:
            Path(args.gradescope).write_text(json.dumps(gradescope_results(report), indent=2))
        except OSError as error:
            unwritten.append(f"--gradescope {args.gradescope}: not written ({error.strerror})")
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False))
    else:
        print_report(report)
    for line in unwritten:
        print(f"error: {line}", file=sys.stderr)
    return 1 if unwritten else 0


def batch_command(args):
    if args.dask:
        try:  # fail fast, before any grading, when Dask is missing or the scheduler is unreachable
            connect(args.dask).close()
        except DaskUnavailable as error:
            raise UsageError(str(error)) from None
        except (OSError, ValueError, TypeError, TimeoutError) as error:  # unreachable, malformed, not a scheduler
            raise UsageError(f"--dask {args.dask}: cannot use this scheduler ({error})") from None
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers}: give at least 1 (students graded at once)")
    device = device_from(args.device)
    levels = default_levels(args.levels)
    writable_folder(args.out, "--out")
    limits = limits_from(args.timeout, args.memory, args.no_sandbox)
    require_sandbox(limits)
    folders, _ = require_students(args.submissions, args.out)
    if args.only:  # an unknown id, or a regrade that would mix two rubrics: one line, before any grading
        plan_for(folders, args.out, levels, device, args.force, args.only)
    check_timeout(args.timeout, device, levels)
    return run_with_progress(args.submissions, args.out, args.workers, limits, device, levels, force=args.force,
                             only=args.only, dask=args.dask, fixed_timeout=args.timeout is not None)


def rejudge_command(args):
    result = rejudge(args.out)
    print_rejudged(result, args.out)
    return 1 if result.unwritten else 0


def make_exercises_command(args):
    if not Path(args.solutions).is_dir():
        raise UsageError(f"make-exercises --solutions {args.solutions}: no such folder")
    if args.check:
        stale = stale_files(args.solutions, args.exercises)
        for path in stale:
            print(f"stale: {path} (run python -m autograder make-exercises)")
        return 1 if stale else 0
    edited = edited_files(args.solutions, args.exercises)
    if edited and not args.force:
        raise UsageError("these exercise files were edited since make-exercises wrote them (filled stubs, notes: "
                         f"regenerating would erase that): {', '.join(str(p) for p in edited)}; keep a copy, then "
                         "pass --force to overwrite them")
    for path in write_exercises(args.solutions, args.exercises):
        print(f"wrote {path}")
    return 0


def nbgrader_command(args):
    unknown = sorted(set(args.hidden or []) - set(all_checks()))
    if unknown:
        raise UsageError(f"--hidden: no such check: {', '.join(unknown)}")
    if not str(args.course).strip():
        raise UsageError("nbgrader build: give the course folder to write")
    course = writable_folder(args.course, "nbgrader build")
    if (course / "nbgrader_config.py").exists() and not args.force:
        raise UsageError(f"nbgrader build {args.course}: a course is already there; --force rewrites its "
                         "nbgrader_config.py and source notebooks (your edits to them are lost)")
    try:
        written = build_course(course, parse_levels(args.levels) if args.levels else None, args.hidden)
    except OSError as error:
        raise UsageError(f"nbgrader build {args.course}: cannot write {error.filename or course} "
                         f"({error.strerror})") from None
    for path in written:
        print(f"wrote {path}")
    print(f"next: cd {args.course} && nbgrader generate_assignment <level> (see the README's instructor section)")
    return 0


def gradescope_command(args):
    path = writable_file(args.zip, "gradescope")
    if path.suffix != ".zip":
        raise UsageError(f"gradescope {args.zip}: give a file name ending in .zip")
    build_autograder_zip(path, SOLUTIONS_DIR, allow_unsealed=args.allow_unsealed, levels=default_levels(args.levels))
    print(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")
    return 0


def release_command(args):
    levels = parse_levels(args.levels)
    out = writable_folder(args.out, "release")
    write_release(out, levels)
    if len(levels) > 1:
        print(f"note: {', '.join(f'level{n}' for n in levels[1:])} file(s) hold the earlier "
              "levels' answers as given code; release one level at a time to keep them back", file=sys.stderr)
    print(f"wrote {out}: give students the whole folder (see its README.md)")
    return 0


COMMANDS = {"gradescope": gradescope_command, "release": release_command, "nbgrader": nbgrader_command,
            "grade": grade_command, "batch": batch_command, "rejudge": rejudge_command,
            "make-exercises": make_exercises_command}
