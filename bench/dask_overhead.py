"""Students per minute: the local worker pool against a Dask LocalCluster on the same machine,
the same class graded both ways in one run (the cost of going through the engine).

    python bench/dask_overhead.py [--students 24] [--workers 2]
"""

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from batch_vs_nbgrader import make_class  # noqa: E402


def timed_batch(submissions, out, *extra):
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out), *extra],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_class(tmp / "class", args.students)
        local = timed_batch(tmp / "class", tmp / "local", "--workers", str(args.workers))
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            remote = timed_batch(tmp / "class", tmp / "dask", "--dask", cluster.scheduler_address)
        same = grades_without_dates(tmp / "local") == grades_without_dates(tmp / "dask")
    per_minute = lambda seconds: 60 * args.students / seconds  # noqa: E731
    print(f"local pool ({args.workers} workers): {per_minute(local):.0f} students/minute ({local:.1f} s)")
    print(f"Dask LocalCluster ({args.workers} workers): {per_minute(remote):.0f} students/minute ({remote:.1f} s)")
    print(f"engine overhead: {remote / local:.2f}x the local time; same grades.csv: {same}")


def grades_without_dates(out):
    """grades.csv's rows less graded_at (when each ran differs between two runs, nothing else may)."""
    with open(out / "grades.csv", newline="") as stream:
        return [{k: v for k, v in row.items() if k != "graded_at"} for row in csv.DictReader(stream)]


if __name__ == "__main__":
    main()
