"""A submitted notebook read back as code, inside the student's sandbox (under its limits): its
solution, given and scratch cells, each run on its own, never its grade cells nor the cell that
runs the whole training."""

from pathlib import Path

import nbformat


def notebook_source(path, given=None):
    """The code a submitted notebook defines, as a module's text: its solution, given and scratch
    cells, each run on its own, never its grade cells nor the cell that runs the whole training.
    given: {grade_id: source} of the read-only cells as released; an edited one is run as released,
    as nbgrader's autograde restores it. Raises ValueError when the file is not a readable notebook."""
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as exc:
        raise ValueError(f"{Path(path).name} is not a readable notebook: {exc}") from None
    try:
        return cells_source(notebook, given or {})
    except Exception as exc:  # a hand-edited notebook can hold anything: its level fails, not the grader
        raise ValueError(f"{Path(path).name} is not a readable notebook: {type(exc).__name__}: {exc}") from None


# The module a notebook becomes runs each cell on its own, as a kernel does: a cell that raises
# is reported and skipped (nbgrader executes with allow_errors), and IPython's own syntax
# (magics, !shell, help?) has become calls of a get_ipython() that does nothing.
PRELUDE = """\
class _NoIPython:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def get_ipython():
    return _NoIPython()


def display(*objects, **kwargs):
    for obj in objects:
        print(repr(obj))


def _autograder_run_cells(cells, namespace, path):
    for number, source in cells:
        try:
            exec(compile(source, f"{path}:cell{number}", "exec"), namespace)
        except Exception as error:
            print(f"notebook cell {number} raised {type(error).__name__}: {error}")


"""


def cells_source(notebook, given=None):
    try:
        from IPython.core.inputtransformer2 import TransformerManager  # optional: IPython, with Jupyter
    except ImportError:  # no IPython here: plain Python cells still work
        def transform(source):
            return source
    else:
        transform = TransformerManager().transform_cell
    cells = []
    for number, cell in enumerate(notebook.cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        source = "".join(source) if isinstance(source, list) else source
        if not isinstance(source, str):
            raise ValueError(f"cell {number} has no source text")
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        meta = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        role = metadata.get("autograder") if isinstance(metadata.get("autograder"), dict) else {}
        if meta.get("grade") and not meta.get("solution"):
            continue  # grade cells never run: they are the grader's
        grade_id = meta.get("grade_id")
        if meta.get("locked") and not meta.get("solution") and isinstance(grade_id, str) and grade_id in (given or {}):
            source = given[grade_id]  # a read-only cell runs as released, edited or not
        if role.get("role") == "run":
            continue  # the cell that trains the whole level
        cells.append((number, transform(source)))
    return PRELUDE + f"_autograder_run_cells({cells!r}, globals(), __file__)\n"
