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
