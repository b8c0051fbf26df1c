"""Each level file runs as a script and prints the learned weights."""

import re
import subprocess
import sys

import pytest

from autograder.levels import LEVEL_FILES, SOLUTIONS_DIR


@pytest.mark.parametrize("name", LEVEL_FILES.values())
def test_solution_runs_as_a_script_and_learns_the_line(name):
    result = subprocess.run([sys.executable, str(SOLUTIONS_DIR / name)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", result.stdout.splitlines()[-1])]
    assert len(numbers) == 2 and abs(numbers[0] + 1) < 1e-3 and abs(numbers[1] - 3) < 1e-3, result.stdout
