"""Does a student cost the same in a class of 10 as in a class of 1000? Seconds per student and
the grading process's own peak memory (VmHWM, sandboxes not included), by class size, in one run.

    python bench/batch_scaling.py [--sizes 10 100 1000] [--workers 2]

The classes mix the reference with the example class's typical mistakes (no hangs: a hang
costs its deadline, which says nothing about scaling).
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.batch_vs_nbgrader import make_class  # noqa: E402


def peak_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(folder, out, workers):
    """(wall seconds, the batch process's peak resident memory in MiB)."""
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out),
                             "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, peak_kib(proc.pid))
        time.sleep(0.2)
    if proc.returncode != 0:
        raise SystemExit(f"batch failed with exit status {proc.returncode}")
    return time.perf_counter() - began, peak / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            make_class(Path(tmp) / "class", size)
            wall, peak = run(Path(tmp) / "class", Path(tmp) / "out", args.workers)
        rows.append((size, wall / size, peak))
        print(f"{size:5d} students: {wall:7.1f} s, {wall / size:.2f} s/student, grader peak {peak:.0f} MiB",
              flush=True)
    base = rows[0]
    for size, per_student, peak in rows[1:]:
        print(f"{size} vs {base[0]}: {per_student / base[1]:.2f}x the time per student, "
              f"{peak / base[2]:.2f}x the grader's peak memory")


if __name__ == "__main__":
    main()
