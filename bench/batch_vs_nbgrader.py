"""Throughput of `autograder batch` against a baseline, measured in one run on the same class.

Baselines: nbgrader's autograde on the same submissions as notebooks (when nbgrader is
installed and the kit's nbgrader bridge is present), and a plain loop of
`python -m autograder grade` (one process per student, as a shell script would do it).

    python bench/batch_vs_nbgrader.py [--students 16] [--workers 2]

Prints seconds per student for each, the ratios, and the CPU seconds per student of the batch.
"""

import argparse
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


def timed(command):
    """(wall seconds, CPU seconds of the command and all it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def nbgrader_baseline(folder, students):
    try:
        from autograder.nbgrader_bench import autograde_seconds
    except ImportError:
        return None
    return autograde_seconds(folder, students)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--loop-students", type=int, default=4, help="students timed in the grade loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_class(tmp / "class", args.students)
        wall, cpu = timed([sys.executable, "-m", "autograder", "batch", str(tmp / "class"), "--out",
                           str(tmp / "out"), "--workers", str(args.workers)])
        batch = wall / args.students
        print(f"batch ({args.workers} workers): {args.students} students in {wall:.1f} s = {batch:.2f} s/student; "
              f"CPU {cpu / args.students:.2f} s/student (fork server start and reference included)")
        loop_wall = 0.0
        for i in range(args.loop_students):
            w, _ = timed([sys.executable, "-m", "autograder", "grade", str(tmp / "class" / f"student{i:03d}"),
                          "--json"])
            loop_wall += w
        loop = loop_wall / args.loop_students
        print(f"grade loop (one process per student): {loop:.2f} s/student; batch is {loop / batch:.1f}x faster")
        nb = nbgrader_baseline(tmp / "class", min(args.students, 2))
        if nb is None:
            print("nbgrader autograde: not measured (nbgrader or the kit's nbgrader bridge is not installed)")
        else:
            print(f"nbgrader autograde: {nb:.2f} s/student; batch is {nb / batch:.1f}x faster")


if __name__ == "__main__":
    main()
