"""Grade the reference and a few catalogued mistakes on cuda and on cpu; time each level on both.

Run by scripts/gpu-check.sh on a machine with a CUDA device."""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from autograder.judge import judge_level, reference_results  # noqa: E402
from autograder.levels import LEVEL_FILES, SOLUTIONS_DIR  # noqa: E402
from autograder.probe.run import load_and_probe  # noqa: E402
from tests.catalog import MISTAKES, write_submission  # noqa: E402

SHOWN = ["sum instead of mean", "forgot zero_grad", "plain tensor instead of nn.Parameter",
         "predictions (n, 1) against targets (n,)", "forward builds on the CPU", "level 3 w ignores device",
         "train_step makes a CPU tensor"]


def score(level, path, device):
    began = time.perf_counter()
    results = judge_level(level, load_and_probe(level, path, device), device)
    seconds = time.perf_counter() - began
    return sum(r.points for r in results), sum(r.max_points for r in results), seconds, results


def main():
    devices = ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    print(f"torch {torch.__version__}; cuda: {torch.cuda.get_device_name(0) if 'cuda' in devices else 'none'}")
    for device in devices:  # the reference values, once per device, outside the timings
        for level in LEVEL_FILES:
            reference_results(level, device)
    print("\nreference solutions, per level (score, seconds to probe and judge):")
    for level, name in LEVEL_FILES.items():
        row = []
        for device in devices:
            got, most, seconds, _ = score(level, SOLUTIONS_DIR / name, device)
            row.append(f"{device} {got:g}/{most} in {seconds:.2f} s")
        print(f"  level {level}: " + "; ".join(row))
    print("\ncatalogued mistakes (level score on each device, failing checks on the last):")
    with tempfile.TemporaryDirectory() as tmp:
        for entry in [e for e in MISTAKES if e.name in SHOWN]:
            path = write_submission(entry, Path(tmp) / entry.name.replace(" ", "_"))
            row, failing = [], []
            for device in devices:
                got, most, _, results = score(entry.level, path, device)
                row.append(f"{device} {got:g}/{most}")
                failing = [f"{r.id}[{r.diagnosis}]" for r in results if not r.passed]
            print(f"  {entry.name}: " + "; ".join(row) + "  " + ", ".join(failing))


if __name__ == "__main__":
    main()
