"""python -m autograder {grade, batch, rejudge, gradescope, nbgrader build, make-exercises}."""

import argparse
import os
import sys

from autograder import __version__
from autograder.errors import UsageError
from autograder.levels import EXERCISES_DIR, LEVELS, SOLUTIONS_DIR, levels_in_words
from autograder.sandbox.processes import kill_all


LEVELS_HELP = (f"the assignment's levels: only these are scored and reported (default: {levels_in_words()} for a "
               "folder, the file's own level for one level file)")


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description=f"Grade the {len(LEVELS)}-level PyTorch linear regression kit.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a folder of level files, or one level file")
    grade.add_argument("path", help="a folder holding any of level1_manual.py .. level5_builtins.py, or one of them")
    grade.add_argument("--device", default="cpu", help="cpu, cuda, mps, or auto (cuda, then mps, then cpu)")
    grade.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    grade.add_argument("--timeout", type=float, default=None,
                       help="seconds per check, at least 1 s and twice the reference's slowest check here (default: 50x "
                            "the reference's time, at least 10 s); importing a file keeps at least 20 s")
    grade.add_argument("--memory", type=int, default=4096, help="memory limit of the student's whole sandbox (all its processes together), MB "
                            "(default: 4096, at least 512)")
    grade.add_argument("--feedback", metavar="DIR", help="also write a feedback page (DIR/index.html)")
    grade.add_argument("--gradescope", metavar="FILE", help="also write Gradescope's results.json to FILE")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run student code without isolation (only for code you trust; the output says so)")
    grade.add_argument("--levels", nargs="+", metavar="N", help=LEVELS_HELP)

    batch = commands.add_parser("batch", help="grade every SUBMISSIONS/<student_id>/ folder in parallel")
    batch.add_argument("submissions", help="a folder with one sub-folder of level files per student")
    batch.add_argument("--out", required=True,
                       help="where grades.csv, <student_id>.json, feedback/ and report.html go (made 0700 when "
                            "created by root; OUT/.probes is always 0700)")
    batch.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="students graded at once (default: one per CPU)")
    batch.add_argument("--timeout", type=float, default=None,
                       help="seconds per check, at least 1 s and twice the reference's slowest check here (default: 50x "
                            "the reference's time, at least 10 s); importing a file keeps at least 20 s")
    batch.add_argument("--memory", type=int, default=4096, help="memory limit of each student's whole sandbox (all its processes together), MB "
                            "(default: 4096, at least 512)")
    batch.add_argument("--device", default="cpu", help="cpu, cuda, mps, or auto (cuda, then mps, then cpu)")
    batch.add_argument("--force", action="store_true", help="grade everyone again, changed or not (default: only the students who are new, "
                       "not graded yet, or whose files, rubric, kit or device changed)")
    batch.add_argument("--only", nargs="+", metavar="ID",
                       help="regrade these students only (their folder names); the others are kept, --force or not")
    batch.add_argument("--dask", metavar="ADDRESS", help="run the jobs on a Dask cluster (tcp://HOST:8786; needs the [dask] extra)")
    batch.add_argument("--no-sandbox", action="store_true",
                       help="run student code without isolation (only for code you trust; the output says so)")
    batch.add_argument("--levels", nargs="+", metavar="N",
                       help=f"the assignment's levels: only these are graded and reported (default: "
                            f"{levels_in_words()}); a rerun into the same --out must give the same levels")

    again = commands.add_parser("rejudge", help="score a batch's class again under the current rubric, from the "
                                                "probe data it kept (no student code runs)")
    again.add_argument("out", help="the --out folder of a batch")

    course = commands.add_parser("nbgrader", help="the levels as an nbgrader course")
    course_commands = course.add_subparsers(dest="nbgrader_command", required=True)
    build = course_commands.add_parser("build", help="write COURSE/nbgrader_config.py and source/<level>/<level>.ipynb")
    build.add_argument("course", help="the course directory to write (created if missing)")
    build.add_argument("--levels", nargs="+", metavar="N",
                       help=f"the levels to write a notebook for (default: {levels_in_words()})")
    build.add_argument("--force", action="store_true", help="rewrite a course already built there")
    build.add_argument("--hidden", nargs="*", default=None,
                       help="check ids to hide in BEGIN HIDDEN TESTS blocks, instead of the default (each level's train "
                            "check); --hidden alone hides none")

    scope = commands.add_parser("gradescope", help="build Gradescope's autograder zip (setup.sh, run_autograder, kit)")
    scope.add_argument("zip", help="the zip file to write, e.g. autograder.zip")
    scope.add_argument("--allow-unsealed", action="store_true",
                       help="where Gradescope's container cannot start a sandbox, grade without one (student code "
                            "can then read the reference in that container); default: such a run grades nothing")
    scope.add_argument("--levels", nargs="+", metavar="N",
                       help=f"the assignment's levels, the only ones the zip grades (default: {levels_in_words()})")

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


def warm_up_zygotes(args):
    """Start the warm interpreters a grading command will fork from now, while this process imports
    torch and computes the reference: their start is most of a small grading's time."""
    if args.command not in ("grade", "batch") or args.no_sandbox or getattr(args, "dask", None):
        return
    if (args.device or "cpu") != "cpu":
        return
    from autograder.sandbox import zygote  # optional: grading commands only; imports no torch

    zygote.prestart(getattr(args, "workers", 1))


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)  # --help, --version and bad syntax end here, before torch is imported
    warm_up_zygotes(args)
    from autograder.commands import COMMANDS  # heavy: torch, matplotlib; only once a command runs

    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # every sandbox is already ended; finished students are kept in OUT
        kill_all()
        print("interrupted: every sandbox was stopped; results already written are kept (a rerun resumes)",
              file=sys.stderr)
        return 130
