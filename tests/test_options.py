"""Options and paths (autograder/options.py, and the self-check's own): a bad value is one line and
exit status 2, before anything is graded."""

import shutil
import subprocess
import sys

import pytest

from autograder.cli import main
from autograder.levels import REPO_ROOT, SOLUTIONS_DIR


@pytest.mark.parametrize("argv, says", [
    (["grade", "solutions", "--timeout", "0"], "--timeout 0"),
    (["grade", "solutions", "--timeout", "-3"], "--timeout -3"),
    (["grade", "solutions", "--timeout", "nan"], "--timeout nan"),
    (["grade", "solutions", "--memory", "0"], "--memory 0"),
    (["grade", "solutions", "--device", "meta"], "--device meta"),
    (["grade", "examples/class"], "batch examples/class"),
    (["grade", "nowhere"], "no such file or folder"),
    (["grade", "solutions", "--feedback", "README.md"], "is a file"),
    (["grade", "solutions", "--gradescope", "nowhere/results.json"], "does not exist"),
    (["batch", "examples/class", "--out", "README.md"], "is a file"),
    (["batch", "examples/class", "--out", "x", "--timeout", "0"], "--timeout 0"),
    (["batch", "examples/class", "--out", "x", "--workers", "0"], "--workers"),
    (["nbgrader", "build", "README.md"], "is a file"),
])
def test_bad_options_are_one_line_and_exit_2(argv, says, capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1, err


def test_an_empty_class_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "class" / ".git").mkdir(parents=True)
    assert main(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 2
    assert "no student folders" in capsys.readouterr().err


@pytest.mark.parametrize("argv, says", [
    (["grade", "solutions", "--device", "xpu"], "cpu, cuda or mps"),
    (["grade", "solutions", "--timeout", "0.001"], "give at least"),
])
def test_devices_and_timeouts_the_kit_cannot_honour(argv, says, capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(argv) == 2
    assert says in capsys.readouterr().err


def test_out_among_the_students_is_a_usage_error(tmp_path, capsys):
    for name in ("ann", "bob"):
        (tmp_path / "class" / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS_DIR / "level1_manual.py", tmp_path / "class" / name)
    for out in (tmp_path / "class", tmp_path / "class" / "bob", tmp_path / "class" / "bob" / "results"):
        assert main(["batch", str(tmp_path / "class"), "--out", str(out)]) == 2
        assert "--out" in capsys.readouterr().err
    assert not (tmp_path / "class" / "bob" / "results").exists()


@pytest.mark.parametrize("args, says", [
    (["--device", "cuda"] if not __import__("torch").cuda.is_available() else ["--device", "nope"], "--device"),
    (["--submission", "nowhere"], "--submission nowhere: no such folder"),
])
def test_self_check_options_are_one_line(args, says):
    done = subprocess.run([sys.executable, "-m", "pytest", "exercises", "-q", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 4 and len(lines) <= 2 and says in lines[0], lines
