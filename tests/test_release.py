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


def points(check_id):
    from autograder.checks import all_checks

    return all_checks()[check_id].points


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
    readme_says_how_to_run_and_check(out, [level])


def readme_says_how_to_run_and_check(out, levels):
    """The student README: the set-up of what the release ships, and each level's two commands."""
    from autograder.authoring.release import check_command, run_command

    readme = (out / "README.md").read_text()
    for line in ("python3 -m venv .venv", "source .venv/bin/activate", "pip install -r grader/requirements.txt",
                 "pip install ./grader", "No module named 'torch'"):
        assert line in readme, line
    assert (out / "grader" / "requirements.txt").read_text().startswith("torch==")
    for level in levels:
        assert f"    {run_command(level)}\n" in readme and f"    {check_command(level)}\n" in readme, level
        assert run_command(level) == f"python {LEVEL_FILES[level]}" and (out / LEVEL_FILES[level]).is_file()
    assert sum(f"## Level {n}:" in readme for n in LEVELS) == len(levels)


def test_a_release_of_several_levels_says_what_it_gives_away(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograder", "release", str(tmp_path / "r"), "--levels", "1", "2"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "release one level at a time" in done.stderr
    readme_says_how_to_run_and_check(tmp_path / "r", [1, 2])
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


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A release of level 1 and a fresh environment, outside the repository, with its grader installed."""
    root = tmp_path_factory.mktemp("released")
    out = release(root / "release", 1)
    wheels = root / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(wheels), str(out / "grader")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    python = fresh_venv(root, wheels)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root)}
    return out, python, env, root


def test_the_release_installs_outside_the_repo_and_its_self_check_agrees_with_the_grader(released, tmp_path):
    out, python, env, root = released
    where = subprocess.run([str(python), "-c", "import autograder, autograder.levels as l, autograder.assignment as a; "
                            "print(autograder.__file__); print(l.SOLUTIONS_DIR.exists()); print(a.default_levels())"],
                           cwd=out, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where[0].startswith(str(root / "venv")) and where[1] == "False", where
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


def test_the_readmes_run_command_works_in_the_environment(released, tmp_path):
    from autograder.authoring.release import run_command

    out, python, env, _ = released
    command = run_command(1).split()
    assert command[0] == "python"  # in the environment, `python` is its python
    stub = subprocess.run([str(python), *command[1:]], cwd=out, env=env, capture_output=True, text=True, timeout=120)
    assert stub.returncode == 1 and "NotImplementedError: level1.make_data" in stub.stderr, stub.stderr[-2000:]
    (tmp_path / LEVEL_FILES[1]).write_text((SOLUTIONS_DIR / LEVEL_FILES[1]).read_text())  # a solved copy
    solved = subprocess.run([str(python), *command[1:]], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert solved.returncode == 0, solved.stderr[-2000:]
    learned = [float(x) for x in solved.stdout.strip().splitlines()[-1].strip("[]").split()]
    assert learned == pytest.approx([-1, 3], abs=0.01), solved.stdout


def test_the_released_grader_runs_the_nbgrader_grade_cells(released, tmp_path):
    """A course's students' Jupyter holds the released grader only: their grade cells run on it."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    from autograder.authoring.course import level_notebook
    from autograder.authoring.grade_cells import WIDTH

    _, python, env, root = released
    spec = tmp_path / "kernels" / "released"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "released",
        "language": "python", "env": env}))

    def run(notebook):
        manager = KernelManager(kernel_name="released", kernel_spec_manager=KernelSpecManager(
            kernel_dirs=[str(spec.parent)]))
        nbclient.NotebookClient(notebook, km=manager, timeout=300, allow_errors=True,
                                resources={"metadata": {"path": str(tmp_path)}}).execute()
        grades = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
        return {c.metadata["nbgrader"]["grade_id"]: c.outputs for c in grades}

    def as_released(notebook):  # what nbgrader's generate_assignment leaves of the grade cells
        for cell in notebook.cells:
            cell.source = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", cell.source, flags=re.S)
        notebook.cells.insert(0, nbformat.v4.new_code_cell("import autograder; print(autograder.__file__)"))
        return notebook

    solved = as_released(level_notebook(1))
    outputs = run(solved)
    assert str(root / "venv") in solved.cells[0].outputs[0]["text"]  # the released grader, not this checkout
    text = {cell: "".join(o.get("text", "") for o in outs) for cell, outs in outputs.items()}
    assert not any(o.output_type == "error" for outs in outputs.values() for o in outs), outputs
    assert text["level1-train"].strip() == f"hidden until grading: level1.train ({points('level1.train')} points)"
    assert all(t.startswith(f"PASS {cell.replace('-', '.')}") for cell, t in text.items() if cell != "level1-train")
    broken = as_released(level_notebook(1))
    for cell in broken.cells:
        cell.source = cell.source.replace("return (x * w).sum(dim=1)", "return (x * w).sum()")
    failed = [o for o in run(broken)["level1-forward"] if o.output_type == "error"]
    assert len(failed) == 1 and failed[0].ename == "CheckFailed", failed
    shown = "\n".join(failed[0].traceback)
    assert shown.startswith(f"FAIL level1.forward (0/{points('level1.forward')}): "), shown
    assert "Traceback" not in shown and "site-packages" not in shown and str(REPO_ROOT) not in shown, shown
    assert max(map(len, shown.splitlines())) <= WIDTH, shown
