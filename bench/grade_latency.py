"""How long one student waits: `python -m autograder grade` of the five reference levels against a bare
`python -c "import torch"` on the same machine, in one run; the same grade with a fresh sandbox per
student (AUTOGRADER_ZYGOTE=0, the fallback); and the self-check, per level.

    python bench/grade_latency.py [--repeat 3]

Prints the best of --repeat runs of each (the machine is shared: the best run is the least disturbed).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.levels import LEVELS, SOLUTIONS_DIR  # noqa: E402


def best(command, repeat, env=None):
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, **(env or {})))
        times.append(time.perf_counter() - began)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bare = best([sys.executable, "-c", "import torch"], args.repeat)
    grade = [sys.executable, "-m", "autograder", "grade", str(SOLUTIONS_DIR), "--json"]
    forks = best(grade, args.repeat, {"AUTOGRADER_ZYGOTE": "1"})
    fresh = best(grade, args.repeat, {"AUTOGRADER_ZYGOTE": "0"})
    print(f'python -c "import torch": {bare:.2f} s')
    print(f"grade, five levels, forks of a warm interpreter: {forks:.2f} s = {forks / bare:.1f}x the bare import")
    print(f"grade, five levels, a fresh sandbox (AUTOGRADER_ZYGOTE=0): {fresh:.2f} s = {fresh / bare:.1f}x")
    for level in LEVELS:
        seconds = best([sys.executable, "-m", "pytest", "exercises", "-q", "-p", "no:cacheprovider", "-m",
                        f"level{level}", "--submission", str(SOLUTIONS_DIR)], args.repeat)
        print(f"self-check, level {level} (pytest -m level{level}, the reference): {seconds:.2f} s")


if __name__ == "__main__":
    main()
