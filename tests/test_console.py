"""The `autograder` console command is the same CLI as python -m autograder."""

import subprocess
import sys
from pathlib import Path

import pytest

from autograder import __version__

COMMAND = Path(sys.executable).parent / "autograder"


@pytest.mark.skipif(not COMMAND.is_file(), reason="the kit is not installed in this interpreter's environment")
def test_console_command_prints_the_version_and_the_usage():
    version = subprocess.run([str(COMMAND), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.split() == ["python", "-m", "autograder", __version__]
    wrong = subprocess.run([str(COMMAND), "grade", "/no/such/folder"], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "no such file or folder" in wrong.stderr


def test_the_version_is_the_package_version():
    import tomllib

    assert tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"][
        "version"] == __version__


def test_a_device_that_is_not_one_names_the_kits_choices():
    from autograder.levels import SOLUTIONS_DIR
    from tests.conftest import run_cli

    result = run_cli("grade", SOLUTIONS_DIR, "--device", "gpu")
    assert result.returncode == 2 and "give cpu, cuda, cuda:N, mps or auto" in result.stderr
    assert "ipu" not in result.stderr and "mkldnn" not in result.stderr


def test_the_grade_table_says_how_it_was_graded_and_each_untouched_stub_once():
    import io

    from rich.console import Console

    from autograder.grade import build_report
    from autograder.judge import judge_level
    from autograder.levels import EXERCISES_DIR
    from autograder.output.terminal import print_report
    from autograder.probe.run import load_and_probe

    probed = load_and_probe(1, EXERCISES_DIR / "level1_manual.py", "cpu")
    report = build_report("mine", "cpu", judge_level(1, probed, "cpu"), isolation="a test sandbox", levels=[1])
    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=400, color_system=None))
    out = buffer.getvalue()
    day, time = report["graded_at"].rstrip("Z").split("T")
    assert f"graded {day} {time} UTC; kit {__version__}; device cpu; isolation: a test sandbox; assignment level 1" in out
    assert out.count("forward (not started)") == 1 and out.count("not implemented yet:") == out.count("(not started)")
    assert "blocks 3 checks: level1.forward (3 points), level1.gradient (3 points), level1.train (2 points)" in out
    assert "blocks 1 check: level1.mse (3 points)" in out
    rows = [line for line in out.splitlines() if "FAIL" in line]
    assert len(rows) == 6  # one per stub, for the level's 9 checks
    assert "total: 0/25" in out
