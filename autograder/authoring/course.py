"""Level files as notebooks: build the nbgrader course, and read a submitted notebook back as code.

The notebooks are generated from solutions/*.py (py:percent) with jupytext; nbgrader's cell
metadata (schema version 3) marks solution cells, read-only cells and grade cells. A grade
cell calls autograder.authoring.grade_cells.grade_cell with the notebook's namespace: no check logic lives
in a notebook. The course's nbgrader_config.py also teaches autograde that a grade cell whose hidden
tests were stripped for release is not a changed cell (HIDDEN_TESTS_CONFIG).
"""

from functools import lru_cache
from pathlib import Path

import nbformat

from autograder.authoring.exercises import BEGIN, stubs_of
from autograder.checks import checks_for_level
from autograder.levels import LEVEL_FILES, SOLUTIONS_DIR

SCHEMA_VERSION = 3
MAIN_GUARD = 'if __name__ == "__main__":'
RUN_CELL = "# Run the whole level: train from random weights and print what was learned.\nmain()\n"
COURSE_ID = "pytorch-abstractions"


def default_hidden(level):
    """Checks kept out of the students' notebooks until grading: the convergence run."""
    return [f"level{level}.train"]


def nbgrader_metadata(grade_id, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def grade_cell_source(check, hidden):
    """A grade cell's code. A hidden check's call sits in a BEGIN HIDDEN TESTS block, which nbgrader
    strips from the students' copy and puts back to autograde; the part left visible says which
    check is held back and what it is worth, in the student's notebook and in their feedback."""
    importer = "from autograder.authoring.grade_cells import grade_cell\n"
    call = f'grade_cell(globals(), "{check.id}")'
    header = f"# Check {check.id}: {check.title} ({check.points} points{'; hidden until grading' if hidden else ''})\n"
    if hidden:
        notice = f"hidden until grading: {check.id} ({check.points} points)"
        return f"{header}print({notice!r})\n### BEGIN HIDDEN TESTS\n{importer}{call}\n### END HIDDEN TESTS"
    return header + importer + call


def level_notebook(level, hidden=None, solutions_dir=SOLUTIONS_DIR):
    """The nbgrader source notebook of a level."""
    import jupytext  # optional: only building a course reads py:percent; a release's grader lacks it

    name = LEVEL_FILES[level].removesuffix(".py")
    hidden = default_hidden(level) if hidden is None else hidden
    text = (Path(solutions_dir) / LEVEL_FILES[level]).read_text()
    notebook = jupytext.reads(text, fmt="py:percent")
    cells = []
    for index, cell in enumerate(notebook.cells):
        source = cell.source
        if cell.cell_type == "code" and BEGIN in source:
            stubs = [stub.split(".", 1)[1] for stub, *_ in stubs_of(source, level)]
            grade_id = f"{name}-" + "-".join(s.replace(".", "_") for s in stubs)
            meta = nbgrader_metadata(grade_id, solution=True)
        else:
            meta = nbgrader_metadata(f"{name}-given-{index}", locked=True)
        run = cell.cell_type == "code" and MAIN_GUARD in source
        if run:  # a notebook runs the level in a cell of its own instead of the script's main guard
            source = source[: source.index(MAIN_GUARD)].rstrip() + "\n"
        new = (nbformat.v4.new_code_cell if cell.cell_type == "code" else nbformat.v4.new_markdown_cell)(source)
        new.metadata["nbgrader"] = meta
        cells.append(new)
        if run:
            cells.append(nbformat.v4.new_code_cell(RUN_CELL, metadata={"autograder": {"role": "run"}}))
    intro = nbformat.v4.new_markdown_cell(
        "## Checks\n\nEach cell below runs one of the grader's checks on the code above and prints its "
        "verdict; its value is the points it earned. The same checks run in `pytest exercises` and "
        "`python -m autograder grade`.")
    intro.metadata["nbgrader"] = nbgrader_metadata(f"{name}-checks-intro", locked=True)
    cells.append(intro)
    for check in checks_for_level(level):
        cell = nbformat.v4.new_code_cell(grade_cell_source(check, check.id in hidden))
        cell.metadata["nbgrader"] = nbgrader_metadata(check.id.replace(".", "-"), grade=True, locked=True,
                                                      points=check.points)
        cells.append(cell)
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out.metadata["language_info"] = {"name": "python"}
    nbformat.validate(out)
    return out


@lru_cache(maxsize=None)
def _given_cells(level, solutions_dir):
    cells = {}
    for cell in level_notebook(level, solutions_dir=solutions_dir).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("solution") and not meta.get("grade"):
            cells[meta["grade_id"]] = cell.source
    return cells


def given_cells(level, solutions_dir=SOLUTIONS_DIR):
    """{grade_id: source} of the level notebook's read-only code cells, as released: what
    nbgrader's autograde restores in a submission, so `batch` runs them the same way."""
    return dict(_given_cells(level, str(solutions_dir)))


CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError('fill in this stub: see the hint above')"
CONFIG = '''# nbgrader configuration written by `python -m autograder nbgrader build`.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course_id}"
# Training runs inside the notebooks: give each cell time on a slow machine.
c.ExecutePreprocessor.timeout = 600
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
# The grade cells import the kit; run them on: {device} (set AUTOGRADER_DEVICE to change it).
'''
# Without this, `nbgrader autograde` warns "Attribute 'checksum' for cell level1-train has changed!"
# for every submission: nbgrader records a grade cell's checksum with its hidden tests in, strips them
# from the released copy, and on autograde compares the student's (stripped) cell with that checksum
# before it puts the tests back. The warning then reads like tampering in an untouched notebook.
HIDDEN_TESTS_CONFIG = '''
# Autograde puts back the BEGIN HIDDEN TESTS block that the released copy of a grade cell lacks;
# nbgrader's OverwriteCells then warns "Attribute 'checksum' ... has changed!" for every student,
# though the cell is as released. This subclass logs that case at info level, and only that case:
# a cell that differs from its source in anything but its hidden tests gets nbgrader's warning.
try:
    import copy as _copy

    from nbgrader.converters import Autograde as _Autograde
    from nbgrader.preprocessors import ClearHiddenTests as _ClearHiddenTests, OverwriteCells as _OverwriteCells
    from nbgrader.utils import compute_checksum as _checksum, is_grade as _is_grade
except ImportError:  # not this nbgrader's layout: keep its own preprocessors (and the warning)
    pass
else:
    class OverwriteCellsKnowingHiddenTests(_OverwriteCells):
        def preprocess_cell(self, cell, resources, cell_index):
            self._as_released = self._only_hidden_tests_removed(cell)
            try:
                return super().preprocess_cell(cell, resources, cell_index)
            finally:
                self._as_released = False

        def _only_hidden_tests_removed(self, cell):
            try:
                if not _is_grade(cell):
                    return False
                source = self.gradebook.find_source_cell(cell.metadata.nbgrader["grade_id"], self.notebook_id,
                                                         self.assignment_id)
                released = _copy.deepcopy(cell)
                released.source = source.source
                if not _ClearHiddenTests(parent=self)._remove_hidden_test_region(released):
                    return False
                restored = _copy.deepcopy(cell)
                restored.source = source.source
                return cell.source == released.source and _checksum(restored) == source.checksum
            except Exception:  # any doubt: nbgrader's own check and warning decide
                return False

        def report_change(self, name, attr, old, new):
            if attr == "checksum" and getattr(self, "_as_released", False):
                self.log.info("Cell %s is as released; putting back its hidden tests", name)
                return
            super().report_change(name, attr, old, new)

    c.Autograde.sanitize_preprocessors = [
        OverwriteCellsKnowingHiddenTests if step is _OverwriteCells else step
        for step in _Autograde.class_traits()["sanitize_preprocessors"].default()]
'''


def build_course(course_dir, levels=None, hidden=None, device="cpu", solutions_dir=SOLUTIONS_DIR):
    """Write COURSE/nbgrader_config.py and COURSE/source/<level>/<level>.ipynb; return the notebooks."""
    course = Path(course_dir)
    levels = sorted(levels or LEVEL_FILES)
    names = [LEVEL_FILES[level].removesuffix(".py") for level in levels]
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(course_id=COURSE_ID, device=device, stub=CODE_STUB)
                                               + HIDDEN_TESTS_CONFIG)
    written = []
    for level, name in zip(levels, names):
        level_hidden = None if hidden is None else [h for h in hidden if h.startswith(f"level{level}.")]
        notebook = level_notebook(level, level_hidden, solutions_dir)
        path = course / "source" / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
        written.append(path)
    return written
