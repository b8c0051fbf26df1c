"""python -m autograder {grade, batch, rejudge, gradescope, nbgrader build, make-exercises}."""

import argparse
import json
import os
import sys
from pathlib import Path

from autograder import __version__
from autograder.errors import UsageError
from autograder.levels import EXERCISES_DIR, SOLUTIONS_DIR


LEVELS_HELP = ("the assignment's levels: only these are scored and reported (default: all five for a folder, "
               "the file's own level for one level file)")


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description="Grade the five-level PyTorch linear regression kit.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a folder of level files, or one level file")
    grade.add_argument("path", help="a folder holding any of level1_manual.py .. level5_builtins.py, or one of them")
    grade.add_argument("--device", default="cpu", help="cpu, cuda, mps, or auto (cuda, then mps, then cpu)")
    grade.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    grade.add_argument("--timeout", type=float, default=None,
                       help="seconds per check (default: 50x the reference's time, at least 10 s)")
    grade.add_argument("--memory", type=int, default=4096, help="memory limit of the student's whole sandbox (all its processes together), MB")
    grade.add_argument("--feedback", metavar="DIR", help="also write a feedback page (DIR/index.html)")
    grade.add_argument("--gradescope", metavar="FILE", help="also write Gradescope's results.json to FILE")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run student code without isolation (only for code you trust; the output says so)")
    grade.add_argument("--levels", nargs="+", metavar="N", help=LEVELS_HELP)

    batch = commands.add_parser("batch", help="grade every SUBMISSIONS/<student_id>/ folder in parallel")
    batch.add_argument("submissions", help="a folder with one sub-folder of level files per student")
    batch.add_argument("--out", required=True, help="where grades.csv and <student_id>.json go")
    batch.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="students graded at once")
    batch.add_argument("--timeout", type=float, default=None,
                       help="seconds per check (default: 50x the reference's time, at least 10 s)")
    batch.add_argument("--memory", type=int, default=4096, help="memory limit of each student's whole sandbox (all its processes together), MB")
    batch.add_argument("--device", default="cpu", help="cpu, cuda, mps, or auto")
    batch.add_argument("--force", action="store_true", help="grade everyone again, changed or not")
    batch.add_argument("--only", nargs="+", metavar="ID",
                       help="regrade these students only (their folder names); the others are kept")
    batch.add_argument("--dask", metavar="ADDRESS", help="run the jobs on a Dask cluster (tcp://HOST:8786)")
    batch.add_argument("--no-sandbox", action="store_true",
                       help="run student code without isolation (only for code you trust; the output says so)")
    batch.add_argument("--levels", nargs="+", metavar="N", help=LEVELS_HELP)

    again = commands.add_parser("rejudge", help="score a batch's class again under the current rubric, from the "
                                                "probe data it kept (no student code runs)")
    again.add_argument("out", help="the --out folder of a batch")

    course = commands.add_parser("nbgrader", help="the levels as an nbgrader course")
    course_commands = course.add_subparsers(dest="nbgrader_command", required=True)
    build = course_commands.add_parser("build", help="write COURSE/nbgrader_config.py and source/<level>/<level>.ipynb")
    build.add_argument("course", help="the course directory to write (created if missing)")
    build.add_argument("--levels", type=int, nargs="+", choices=[1, 2, 3, 4, 5], help="default: all five")
    build.add_argument("--force", action="store_true", help="rewrite a course already built there")
    build.add_argument("--hidden", nargs="*", default=None,
                       help="check ids to hide in BEGIN HIDDEN TESTS blocks (default: each level's train check)")

    scope = commands.add_parser("gradescope", help="build Gradescope's autograder zip (setup.sh, run_autograder, kit)")
    scope.add_argument("zip", help="the zip file to write, e.g. autograder.zip")
    scope.add_argument("--allow-unsealed", action="store_true",
                       help="where Gradescope's container cannot start a sandbox, grade without one (student code "
                            "can then read the reference in that container); default: such a run grades nothing")
    scope.add_argument("--levels", nargs="+", metavar="N",
                       help="the assignment's levels, the only ones the zip grades (default: all five)")

    release = commands.add_parser("release", help="what students receive: stubs, self-check, a grader without answers")
    release.add_argument("out", help="a new folder to write the release into")
    release.add_argument("--levels", nargs="+", required=True, metavar="N",
                         help="the levels to release; release one level at a time (a level file holds the "
                              "earlier levels' answers as given code)")

    make = commands.add_parser("make-exercises", help="regenerate exercises/level*.py from solutions/")
    make.add_argument("--check", action="store_true", help="exit 1, naming the stale files, instead of writing")
    make.add_argument("--force", action="store_true",
                      help="overwrite exercise files edited since make-exercises wrote them (filled stubs, notes)")
    make.add_argument("--solutions", default=str(SOLUTIONS_DIR), help=argparse.SUPPRESS)
    make.add_argument("--exercises", default=str(EXERCISES_DIR), help=argparse.SUPPRESS)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # every sandbox is already ended; finished students are kept in OUT
        from autograder.sandbox.runner import kill_all

        kill_all()
        print("interrupted: every sandbox was stopped; results already written are kept (a rerun resumes)",
              file=sys.stderr)
        return 130


def limits_from(args):
    """The grading limits from the options, each checked before anything is graded."""
    import math

    from autograder.config import MAX_CHECK_SECONDS, MIN_MEMORY_MB, Limits

    if args.timeout is not None and not (math.isfinite(args.timeout) and 0 < args.timeout <= MAX_CHECK_SECONDS):
        raise UsageError(f"--timeout {args.timeout:g}: give a positive number of seconds per check, at most "
                         f"{MAX_CHECK_SECONDS:g} (a longer limit lets one hanging submission hold a worker for hours)")
    if args.memory < MIN_MEMORY_MB:
        raise UsageError(f"--memory {args.memory}: a sandbox needs at least {MIN_MEMORY_MB} MB (torch alone "
                         "takes about 300 MB)")
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    if args.memory > physical:
        raise UsageError(f"--memory {args.memory}: more than this machine's {physical} MB of memory, which is no "
                         "limit at all; give at most that (the default is 4096)")
    limits = Limits(memory_mb=args.memory, sandbox=not args.no_sandbox)
    if args.timeout is not None:
        limits.check_seconds = args.timeout
    return limits


def check_timeout(seconds, device, levels=None):
    """--timeout below what the reference itself needs here would fail correct code (the
    reference's time is measured for the assignment's levels only)."""
    if seconds is None:
        return
    from autograder.judge import reference_seconds, slowest_reference_check

    slowest = (max(max(reference_seconds(level, device).values()) for level in levels) if levels
               else slowest_reference_check(device))
    floor = max(1.0, 2 * slowest)
    if seconds < floor:
        raise UsageError(f"--timeout {seconds:g}: the reference itself takes up to "
                         f"{slowest:.2f} s for a check on this machine; give at least "
                         f"{floor:.1f} s, or leave --timeout out (50x the reference's time, at least 10 s)")


def writable_folder(value, option):
    """A folder that exists or can be made: not empty, not a file, not under a file, writable (tried
    for real: os.access says yes to root everywhere, /proc included)."""
    import tempfile

    if not str(value).strip():
        raise UsageError(f"{option}: give a folder (an empty name would mean the current folder)")
    path = Path(value)
    for part in [path, *path.parents]:
        if part.exists():
            if not part.is_dir():
                raise UsageError(f"{option} {value}: {part} is a file, not a folder")
            try:
                Path(tempfile.mkdtemp(prefix=".write-test-", dir=part)).rmdir()
            except OSError:
                raise UsageError(f"{option} {value}: {part} is not writable") from None
            return path
    return path


def outside_submission(target, submission, option):
    """What the grader writes never lands in the submission it grades (it would overwrite or add to the
    student's files, and a later grade would read them)."""
    folder = Path(submission).resolve()
    folder = folder if folder.is_dir() else folder.parent
    where = Path(target).resolve()
    if where == folder or folder in where.parents:
        raise UsageError(f"{option} {target}: inside the submission being graded ({submission}); write it "
                         "somewhere outside the student's folder")
    return target


def writable_file(value, option):
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"{option} {value}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{option} {value}: the folder {path.parent} does not exist")
    return path


def run_grade(args):
    from autograder.assignment import levels_for
    from autograder.grade import NotGraded, grade, require_level_files, require_sandbox
    from autograder.judge import fixed_deadlines

    device = resolve(args.device)
    levels = levels_for(args.path, args.levels)
    require_level_files(args.path, levels)
    if args.feedback:
        outside_submission(writable_folder(args.feedback, "--feedback"), args.path, "--feedback")
    if args.gradescope:
        outside_submission(writable_file(args.gradescope, "--gradescope"), args.path, "--gradescope")
    try:
        limits = limits_from(args)
        require_sandbox(limits)
        check_timeout(args.timeout, device, levels)
        report = grade(args.path, device, limits, deadlines=fixed_deadlines(args.timeout) if args.timeout else None,
                       levels=levels)
    except NotGraded as error:
        print(f"not graded: {error}", file=sys.stderr)
        return 1
    if args.feedback:
        from autograder.output.html import write_feedback

        try:
            write_feedback(report, args.feedback)
        except OSError as error:  # the grade is printed below all the same
            print(f"error: --feedback {args.feedback}: not written ({error.strerror})", file=sys.stderr)
    if args.gradescope:
        from autograder.output.gradescope import gradescope_results

        try:
            Path(args.gradescope).write_text(json.dumps(gradescope_results(report), indent=2))
        except OSError as error:  # the grade is printed below all the same
            print(f"error: --gradescope {args.gradescope}: not written ({error.strerror})", file=sys.stderr)
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False))
    else:
        from autograder.output.terminal import print_report

        print_report(report)
    return 0


def run_batch(args):
    from autograder.output.terminal_batch import run_with_progress

    if args.dask:
        from autograder.batch.dask import DaskUnavailable, connect

        try:  # fail fast, before any grading, when Dask is missing or the scheduler is unreachable
            connect(args.dask).close()
        except DaskUnavailable as error:
            raise UsageError(str(error)) from None
        except Exception as error:  # unreachable, a malformed address, or not a Dask scheduler
            raise UsageError(f"--dask {args.dask}: cannot use this scheduler ({error})") from None
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    device = resolve(args.device)
    from autograder.assignment import default_levels
    from autograder.batch.students import require_students
    from autograder.grade import require_sandbox

    levels = default_levels(args.levels)
    writable_folder(args.out, "--out")
    limits = limits_from(args)
    require_sandbox(limits)
    folders, _ = require_students(args.submissions, args.out)
    if args.only:  # an unknown id, or a regrade that would mix two rubrics: one line, before any grading
        from autograder.batch.records import plan_for

        plan_for(folders, args.out, levels, device, args.force, args.only)
    check_timeout(args.timeout, device, levels)
    return run_with_progress(args.submissions, args.out, args.workers, limits, device, levels, force=args.force,
                             only=args.only, dask=args.dask, fixed_timeout=args.timeout is not None)


def run_rejudge(args):
    from autograder.rejudge import print_rejudged, rejudge

    print_rejudged(rejudge(args.out), args.out)
    return 0


def resolve(name):
    from autograder.devices import resolve_device

    if not str(name).strip():
        raise UsageError("--device: give cpu, cuda, mps or auto")
    if str(name).split(":")[0] == "meta":
        raise UsageError("--device meta: a device without data, which the grader uses itself for the "
                         "placement checks; grade on cpu, cuda, mps or auto")
    try:
        return resolve_device(name)
    except RuntimeError as error:
        if "Expected one of" in str(error):  # torch lists its internal device types, which grading has no use for
            raise UsageError(f"--device {name}: not a device; give cpu, cuda, cuda:N, mps or auto") from None
        raise UsageError(f"--device {name}: {error}") from None


def run_make_exercises(args):
    from autograder.authoring.exercises import stale_files, write_exercises

    if not Path(args.solutions).is_dir():
        raise UsageError(f"make-exercises --solutions {args.solutions}: no such folder")
    if args.check:
        stale = stale_files(args.solutions, args.exercises)
        for path in stale:
            print(f"stale: {path} (run python -m autograder make-exercises)")
        return 1 if stale else 0
    from autograder.authoring.exercises import edited_files

    edited = edited_files(args.solutions, args.exercises)
    if edited and not args.force:
        raise UsageError("these exercise files were edited since make-exercises wrote them (filled stubs, notes: "
                         f"regenerating would erase that): {', '.join(str(p) for p in edited)}; keep a copy, then "
                         "pass --force to overwrite them")
    for path in write_exercises(args.solutions, args.exercises):
        print(f"wrote {path}")
    return 0


def run_nbgrader(args):
    from autograder.authoring.course import build_course
    from autograder.checks import all_checks

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
        written = build_course(course, args.levels, args.hidden)
    except OSError as error:
        raise UsageError(f"nbgrader build {args.course}: cannot write {error.filename or course} "
                         f"({error.strerror})") from None
    for path in written:
        print(f"wrote {path}")
    print(f"next: cd {args.course} && nbgrader generate_assignment <level> (see the README's instructor section)")
    return 0


def run_gradescope(args):
    from autograder.output.gradescope import build_autograder_zip

    path = writable_file(args.zip, "gradescope")
    if path.suffix != ".zip":
        raise UsageError(f"gradescope {args.zip}: give a file name ending in .zip")
    from autograder.assignment import default_levels

    build_autograder_zip(path, SOLUTIONS_DIR, allow_unsealed=args.allow_unsealed, levels=default_levels(args.levels))
    print(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")
    return 0


def run_release(args):
    from autograder.assignment import parse_levels
    from autograder.authoring.release import write_release

    levels = parse_levels(args.levels)
    out = writable_folder(args.out, "release")
    write_release(out, levels)
    if len(levels) > 1:
        print(f"note: {', '.join(f'level{n}' for n in levels[1:])} file(s) hold the earlier "
              "levels' answers as given code; release one level at a time to keep them back", file=sys.stderr)
    print(f"wrote {out}: give students the whole folder (see its README.md)")
    return 0


COMMANDS = {"gradescope": run_gradescope, "release": run_release, "nbgrader": run_nbgrader, "grade": run_grade,
            "batch": run_batch, "rejudge": run_rejudge, "make-exercises": run_make_exercises}
