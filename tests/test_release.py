"""python -m autograder release: what students receive holds no answer, installs outside this
repository, and its self-check gives the grader's verdicts."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.exercises import BEGIN, END
from autograder.levels import LEVEL_FILES, LEVELS, REPO_ROOT, SOLUTIONS_DIR

pytestmark = pytest.mark.slow


def release(out, *levels):
    done = subprocess.run([sys.executable, "-m", "autograder", "release", str(out), "--levels", *map(str, levels)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def solution_blocks(level):
    """The text of every solution block of a level file, whitespace-normalised."""
    text = (SOLUTIONS_DIR / LEVEL_FILES[level]).read_text()
    blocks = re.findall(rf"{re.escape(BEGIN)}\n(.*?)\n\s*{re.escape(END)}", text, re.S)
    return [" ".join(block.split()) for block in blocks if block.strip()]


def texts_under(folder):
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path, " ".join(path.read_text(errors="replace").split())


@pytest.mark.parametrize("level", LEVELS)
def test_a_release_of_level_n_holds_no_answer_to_level_n_or_later(tmp_path, level):
    out = release(tmp_path / "release", level)
    answers = [(n, block) for n in LEVELS if n >= level for block in solution_blocks(n)]
    assert len(answers) >= 3
    found = [(str(path.relative_to(out)), n, block[:60]) for path, text in texts_under(out)
             for n, block in answers if block in text]
    assert found == []
    assert not (out / "grader" / "autograder" / "solutions").exists()
    assert sorted(p.name for p in out.glob("level*.py")) == [LEVEL_FILES[level]]
    assert (out / "grader" / "autograder" / "reference_data" / f"level{level}.json").is_file()
    assert json.loads((out / "grader" / "autograder" / "assignment.json").read_text()) == {"levels": [level]}


def test_a_release_of_several_levels_says_what_it_gives_away(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograder", "release", str(tmp_path / "r"), "--levels", "1", "2"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "release one level at a time" in done.stderr
    again = subprocess.run([sys.executable, "-m", "autograder", "release", str(tmp_path / "r"), "--levels", "3"],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "not empty" in again.stderr


def fresh_venv(root, wheel_dir):
    """A new virtual environment outside the repository with the released grader installed from its
    wheel, and this environment's torch, numpy and pytest (not its editable kit) beside it."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # a plain path line: its .pth files (this checkout's editable kit among them) are not run
    Path(site, "dependencies.pth").write_text(ours + "\n")
    wheel = next(Path(wheel_dir).glob("*.whl"))
    import zipfile

    with zipfile.ZipFile(wheel) as archive:  # what pip does for a pure-Python wheel, without pip
        archive.extractall(site)
    return python


def test_the_release_installs_outside_the_repo_and_its_self_check_agrees_with_the_grader(tmp_path):
    out = release(tmp_path / "release", 1)
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(wheels), str(out / "grader")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    python = fresh_venv(tmp_path, wheels)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    where = subprocess.run([str(python), "-c", "import autograder, autograder.levels as l, autograder.assignment as a; "
                            "print(autograder.__file__); print(l.SOLUTIONS_DIR.exists()); print(a.default_levels())"],
                           cwd=out, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where[0].startswith(str(tmp_path / "venv")) and where[1] == "False", where
    assert where[2] == "(1,)", where  # the installed grader's assignment is the release's
    stubs = subprocess.run([str(python), "-m", "pytest", "-q"], cwd=out, env=env, capture_output=True, text=True,
                           timeout=600)
    assert stubs.returncode == 1 and "9 failed" in stubs.stdout, stubs.stdout[-3000:]
    assert "not implemented yet: level1.forward" in stubs.stdout
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "level1_manual.py").write_text((SOLUTIONS_DIR / "level1_manual.py").read_text())
    solved = subprocess.run([str(python), "-m", "pytest", "-q", "--submission", str(mine)], cwd=out, env=env,
                            capture_output=True, text=True, timeout=600)
    assert solved.returncode == 0 and "9 passed" in solved.stdout, solved.stdout[-3000:]
    # and the released grader refuses to pretend it can grade with fresh inputs
    graded = subprocess.run([str(python), "-m", "autograder", "grade", str(mine), "--no-sandbox"], cwd=out, env=env,
                            capture_output=True, text=True, timeout=300)
    assert graded.returncode == 2 and "instructor's kit" in graded.stderr, graded.stderr[-2000:]
