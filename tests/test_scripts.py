"""Each level file runs as a script and prints the learned weights; the README's commands, options
and steps agree with the command line, the requirements files, CI and the Gradescope zip."""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from autograder.cli import build_parser
from autograder.levels import LEVEL_FILES, REPO_ROOT, SOLUTIONS_DIR


@pytest.mark.parametrize("name", LEVEL_FILES.values())
def test_solution_runs_as_a_script_and_learns_the_line(name):
    result = subprocess.run([sys.executable, str(SOLUTIONS_DIR / name)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", result.stdout.splitlines()[-1])]
    assert len(numbers) == 2 and abs(numbers[0] + 1) < 1e-3 and abs(numbers[1] - 3) < 1e-3, result.stdout


# --- the README against the command line, the requirements files and CI ------------------------

README = REPO_ROOT / "README.md"
COMMANDS = ("nbgrader build", "make-exercises", "gradescope", "rejudge", "release", "grade", "batch")
COMMAND = "(" + "|".join(re.escape(c) for c in COMMANDS) + ")"
OPTION = r"(?<![\w-])--[a-z][a-z-]*"


def fenced(text):
    """(code blocks as lists of lines, the prose lines outside them)."""
    blocks, prose, inside = [], [], None
    for line in text.splitlines():
        if line.startswith("```"):
            if inside is None:
                inside = []
            else:
                blocks.append(inside)
                inside = None
            continue
        (prose if inside is None else inside).append(line)
    return blocks, prose


def section(text, heading):
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end != -1 else len(text)]


def mentioned_options(text):
    """{command: {--option}} for every option the text gives a command: on a code block's line that runs
    `python -m autograder COMMAND ...` (up to a comment or &&), and in an inline code span that starts
    with the command (`grade DIR --levels 1`, `python -m autograder batch ... --dask`)."""
    found = {}

    def add(command, rest):
        found.setdefault(command, set()).update(re.findall(OPTION, rest))

    blocks, prose = fenced(text)
    for line in (line for block in blocks for line in block):
        line = re.split(r"\s#\s|&&", line)[0]
        match = re.search(r"(?:-m autograder|^autograder)\s+" + COMMAND + r"(?![\w-])(.*)", line)
        if match:
            add(match.group(1), match.group(2))
    for span in re.findall(r"`([^`\n]+)`", "\n".join(prose)):
        match = re.match(r"(?:python -m autograder\s+)?" + COMMAND + r"(\s.*)$", span)
        if match:
            add(match.group(1), match.group(2))
    return found


def parser_of(command):
    def commands(parser):
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices

    words = command.split()
    parser = commands(build_parser())[words[0]]
    return commands(parser)[words[1]] if len(words) > 1 else parser


def options_of(command):
    return {option for action in parser_of(command)._actions if action.help != argparse.SUPPRESS
            for option in action.option_strings if option.startswith("--") and option != "--help"}


def unknown_options(text):
    return sorted((command, option) for command, options in mentioned_options(text).items()
                  for option in options - options_of(command))


def test_every_option_the_readme_gives_a_command_is_in_its_parser():
    text = README.read_text()
    found = mentioned_options(text)
    assert set(found) >= set(COMMANDS) - {"rejudge"}  # the rule finds each command's own synopsis
    assert found["batch"] >= {"--out", "--workers", "--timeout", "--memory", "--device", "--force", "--only",
                              "--dask", "--no-sandbox", "--levels"}
    assert unknown_options(text) == []
    documented = set(re.findall(OPTION, text))  # and no option of the command line goes unmentioned
    assert [(c, o) for c in COMMANDS for o in sorted(options_of(c)) if o not in documented] == []


def test_the_readme_rule_catches_an_option_that_does_not_exist():
    text = ("```bash\npython -m autograder batch S --out O --workers 2 --bogus  # --ignored-comment\n```\n"
            "Then `grade DIR --levels 1 --nope`, and `nbgrader build C --hidden x --strange`.\n"
            "```json\n{\"a\": 1}\n```\n`batch --dask`\n")
    assert unknown_options(text) == [("batch", "--bogus"), ("grade", "--nope"), ("nbgrader build", "--strange")]


def pins(path):
    """{name: version} of a requirements file, following its -r includes."""
    found = {}
    for line in Path(path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r"):
            found.update(pins(Path(path).parent / line[2:].strip()))
        elif line:
            name, sep, version = line.partition("==")
            assert sep and version and not re.search(r"[<>=!~;,\s]", version), f"{path}: not an exact pin: {line}"
            found[name.strip().lower().replace("_", "-")] = version
    return found


def names(requirements):
    return {re.split(r"[\[<>=!~ ]", r)[0].lower().replace("_", "-") for r in requirements}


JOB_ONLY = {"nbgrader", "notebook", "jupyter-server", "ipykernel", "nbconvert", "nbclient", "dask", "distributed",
            "pytest-xdist", "jsonschema"}


def test_each_job_has_its_own_exact_pins_and_grading_needs_none_of_the_others():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    grading = pins(REPO_ROOT / "requirements.txt")
    assert grading["torch"] == "2.13.0"
    assert set(grading) == names(project["dependencies"]) and not set(grading) & JOB_ONLY
    extras = project["optional-dependencies"]
    for job, extra in (("nbgrader", "nbgrader"), ("dask", "dask"), ("test", "test")):
        pinned = pins(REPO_ROOT / f"requirements-{job}.txt")
        assert pinned.items() >= grading.items(), job  # each job's file includes grading's, same versions
        assert names(extras[extra]) <= set(pinned), job
    test = pins(REPO_ROOT / "requirements-test.txt")
    assert test.items() >= pins(REPO_ROOT / "requirements-nbgrader.txt").items()
    assert test.items() >= pins(REPO_ROOT / "requirements-dask.txt").items()


def readme_commands():
    blocks, _ = fenced(section(README.read_text(), "## Two commands for a fresh machine"))
    commands = [block[0] for block in blocks if len(block) == 1 and block[0].startswith("python3 -m venv")]
    assert len(commands) == 2, "the section holds the two commands, one line each"
    return [[shlex.split(step) for step in command.split(" && ")] for command in commands]


def test_the_readmes_two_commands_set_up_and_run_one_job_each():
    grading, testing = readme_commands()
    for command in (grading, testing):
        assert command[0] == ["python3", "-m", "venv", ".venv"]
        assert command[1] == [".venv/bin/pip", "install", "torch==2.13.0"]  # the pinned build, before anything
    assert grading[2] == [".venv/bin/pip", "install", "-r", "requirements.txt"] and grading[3][-1] == "."
    assert grading[-1][:4] == [".venv/bin/python", "-m", "autograder", "batch"]
    assert testing[2] == [".venv/bin/pip", "install", "-r", "requirements-test.txt"]
    assert testing[-1][:3] == [".venv/bin/python", "-m", "pytest"]


def test_ci_installs_from_the_repos_files_and_runs_the_readmes_test_command():
    def as_ci(step):  # `.venv/bin/pip install X` is `.venv/bin/python -m pip install --quiet X` there
        if step[0] == ".venv/bin/pip":
            return [".venv/bin/python", "-m", "pip", step[1], "--quiet", *step[2:]]
        return step

    ci = [shlex.split(line, comments=True) for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    ci = [line for line in ci if line and line[0] in ("python3", ".venv/bin/python")]
    ci = [line for line in ci if "--upgrade" not in line]  # pip's own upgrade
    assert ci == [as_ci(step) for step in readme_commands()[1]]


BLOCKED = ("nbgrader", "notebook", "jupyter_server", "ipykernel", "nbconvert", "nbclient", "dask", "distributed")


@pytest.mark.slow  # grades a level in a child process
def test_the_grading_path_imports_no_nbgrader_jupyter_or_dask():
    """Every module of the kit imports, and a level file grades, where none of those can be imported."""
    code = (f"import sys\nfor name in {BLOCKED!r}:\n    sys.modules[name] = None  # import fails as if missing\n"
            "import importlib, pkgutil, autograder\n"
            "for module in pkgutil.walk_packages(autograder.__path__, 'autograder.'):\n"
            "    if module.name != 'autograder.__main__':\n"
            "        importlib.import_module(module.name)\n"
            "from autograder.cli import main\n"
            f"sys.exit(main(['grade', {str(SOLUTIONS_DIR / 'level1_manual.py')!r}, '--json']))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert '"score": 25' in done.stdout


def test_the_gradescope_setup_installs_the_cpu_torch_first_then_the_rest_without_its_pin(tmp_path):
    from autograder.output.gradescope import SETUP_SH

    calls = tmp_path / "calls"
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "pip3").write_text(f'#!/bin/sh\necho "$@" >> {calls}\nfor a in "$@"; do case "$a" in '
                                f'*.txt) cat "$a" >> {calls};; esac; done\n')
    (shims / "pip3").chmod(0o755)
    source = tmp_path / "source"
    source.mkdir()
    (source / "requirements.txt").write_text("torch==2.13.0+cpu\nnumpy==2.4.6\n")
    script = (SETUP_SH % {"torch": "2.13.0"}).replace("/autograder/source", str(source))
    done = subprocess.run(["bash", "-c", script], env={"PATH": f"{shims}:/usr/bin:/bin"}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    said = calls.read_text().splitlines()
    assert said[0] == "install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0"
    assert said[1].startswith("install -r ") and said[2:] == ["numpy==2.4.6"]  # torch's +cpu pin never reaches PyPI


@pytest.mark.slow
def test_the_readmes_steps_run_the_gradescope_zip_locally(tmp_path):
    """The README's Gradescope steps, as written, from a folder laid out like the repository."""
    blocks, _ = fenced(section(README.read_text(), "## For instructors: Gradescope"))
    steps = next(block for block in blocks if any("AUTOGRADER_ROOT" in line for line in block))
    (tmp_path / "solutions").symlink_to(SOLUTIONS_DIR)
    venv = str(Path(sys.executable).parent)  # .venv/bin is this interpreter's (the sandbox binds its real path)
    script = "set -e\n" + re.sub(r"(\$PWD/)?\.venv/bin", lambda _: venv, "\n".join(steps)) + '\necho; echo "GS=$GS"\n'
    assert script.count(venv) == 3  # steps 1, 2 and 4 name the environment
    env = {key: value for key, value in os.environ.items() if key not in ("AUTOGRADER_ROOT", "PYTHONPATH")}
    env["TMPDIR"] = str(tmp_path)  # mktemp -d: Gradescope's root in here, removed with it
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    gs = Path(done.stdout.strip().splitlines()[-1].removeprefix("GS="))
    assert tmp_path in gs.parents
    results = json.loads((gs / "results" / "results.json").read_text())
    assert results["score"] == 25, results.get("output")
    assert {t["name"].split(".")[0] for t in results["tests"]} == {"level1"}
    assert json.loads((gs / "results" / "report.json").read_text())["max_score"] == 25
    assert (gs / "results" / "errors.txt").is_file() and '"score": 25' in done.stdout  # step 5 shows it
