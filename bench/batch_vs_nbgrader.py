"""Throughput of `autograder batch` against a baseline, measured in one run on the same class.

Baselines: nbgrader's autograde on the same five-level submissions as notebooks (an nbgrader
course built by the kit, when nbgrader is installed), and a plain loop of
`python -m autograder grade` (one process per student, as a shell script would do it).

    python bench/batch_vs_nbgrader.py [--students 16] [--workers 2] [--nbgrader-students 3]

Prints seconds per student for each, the ratios, and the CPU seconds per student of the batch.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.levels import LEVEL_FILES, SOLUTIONS_DIR  # noqa: E402


def make_class(folder, students):
    """Five-level submissions: the reference, and the example class's mistakes that do not hang."""
    examples = ROOT / "examples" / "class"
    sources = [examples / name for name in ("alice", "bob", "carol", "dave", "heidi", "ivan")]
    for i in range(students):
        target = folder / f"student{i:03d}"
        source = sources[i % len(sources)]
        target.mkdir(parents=True)
        for name in LEVEL_FILES.values():
            shutil.copy((source / name) if (source / name).exists() else SOLUTIONS_DIR / name, target / name)


def timed(command, env=None):
    """(wall seconds, CPU seconds of the command and all it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=None if env is None else dict(os.environ, **env))
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def nbgrader_class(tmp, students):
    """An nbgrader course with `students` submissions of the five reference notebooks, released
    and ready to autograde; None when nbgrader is not installed."""
    nbgrader = Path(sys.executable).parent / "nbgrader"
    if not nbgrader.exists():
        return None
    import nbformat

    from autograder.authoring.course import build_course

    course = tmp / "course"
    for path in build_course(course):
        name = path.stem
        subprocess.run([str(nbgrader), "generate_assignment", name, "--force"], cwd=course, env=nb_env(),
                       check=True, capture_output=True)
        for i in range(students):
            folder = course / "submitted" / f"student{i:03d}" / name
            folder.mkdir(parents=True)
            nbformat.write(nbformat.read(str(path), as_version=4), str(folder / f"{name}.ipynb"))
    return course


def nb_env():
    import os

    return dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", PYTHONPATH=str(ROOT))


def autograde_seconds(course):
    began = time.perf_counter()
    for name in LEVEL_FILES.values():
        subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", name.removesuffix(".py"),
                        "--create"], cwd=course, env=nb_env(), check=True, capture_output=True)
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=16, help="students in the batch-vs-loop class")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--loop-students", type=int, default=2, help="students timed in the grade loop")
    parser.add_argument("--nbgrader-students", type=int, default=3, help="students autograded by nbgrader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        course = nbgrader_class(tmp, args.nbgrader_students)
        if course is None:
            print("nbgrader autograde: not measured (nbgrader is not installed)")
        else:
            n = args.nbgrader_students
            nb = autograde_seconds(course) / n
            wall, cpu = timed([sys.executable, "-m", "autograder", "batch", str(course / "submitted"), "--out",
                               str(tmp / "nb-out"), "--workers", str(args.workers)])
            print(f"the same {n} five-level notebook submissions: nbgrader autograde {nb:.2f} s/student, "
                  f"batch {wall / n:.2f} s/student ({nb / (wall / n):.1f}x)")
        make_class(tmp / "class", args.students)
        wall, cpu = timed([sys.executable, "-m", "autograder", "batch", str(tmp / "class"), "--out",
                           str(tmp / "out"), "--workers", str(args.workers)])
        batch = wall / args.students
        print(f"batch ({args.workers} workers): {args.students} students in {wall:.1f} s = {batch:.2f} s/student; "
              f"CPU {cpu / args.students:.2f} s/student (forks of warm interpreters, the reference included)")
        fresh, _ = timed([sys.executable, "-m", "autograder", "batch", str(tmp / "class"), "--out",
                          str(tmp / "out-fresh"), "--workers", str(args.workers)], {"AUTOGRADER_ZYGOTE": "0"})
        print(f"batch, a fresh sandbox per student (AUTOGRADER_ZYGOTE=0): {fresh / args.students:.2f} s/student; "
              f"the forks are {fresh / wall:.2f}x faster")
        loop_wall = 0.0
        for i in range(args.loop_students):
            w, _ = timed([sys.executable, "-m", "autograder", "grade", str(tmp / "class" / f"student{i:03d}"),
                          "--json"])
            loop_wall += w
        loop = loop_wall / args.loop_students
        print(f"grade loop (one process per student): {loop:.2f} s/student; batch is {loop / batch:.1f}x faster")
        if course is not None:
            print(f"batch against nbgrader on the larger class: {nb / batch:.1f}x the throughput")


if __name__ == "__main__":
    main()
