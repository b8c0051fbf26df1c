"""Import a level file (a student's, or in the grading process the reference) as a module of its own name."""

import importlib.util
import sys
from pathlib import Path


def load_module(path, module_name):
    """Execute the file at path as a fresh module; exceptions (SyntaxError included) propagate."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


_counter = 0


def load_submission(path, level):
    global _counter
    _counter += 1  # a new name each time: two submissions in one process never share a module
    return load_module(path, f"submission_level{level}_{_counter}")
