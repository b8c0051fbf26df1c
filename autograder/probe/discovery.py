"""Which levels exist: one probe module per level, named after the level file it probes
(probe/level1_manual.py probes level1_manual.py), declaring its TITLE and the CONTRACT names a
student writes in it.

These facts are read from the modules' source, without importing them (that would import torch):
the CLI, the level registry (autograder.levels) and the static reader (autograder.review) need them
long before any probe runs. Adding a level is adding its modules; no list names them.
"""

import ast
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import autograder.probe as probe_package  # this module's own package: already imported

LEVEL_MODULE = re.compile(r"level(\d+)_[a-z0-9_]+")
PROBE_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class LevelModule:
    number: int
    name: str  # "level1_manual": the level file's name, the probe and checks modules' names
    title: str  # "tensors and autograd by hand"
    contract: tuple  # the names a student writes in the level file


def _declared(path: Path, name: str):
    """A module-level NAME = <literal> of a source file, or None."""
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == name):
            return ast.literal_eval(node.value)
    return None


def level_modules(search=None) -> tuple:
    """Every level's probe module, by level number (search: the folders to look in; default: the
    probe package's own path, which a maintainer's test may extend with a throwaway level)."""
    return _level_modules(tuple(search) if search else None)  # one cache entry for f() and f(None)


@lru_cache(maxsize=None)
def _level_modules(search) -> tuple:
    found = {}
    for folder in search or _package_path():
        for info in pkgutil.iter_modules([folder]):
            match = LEVEL_MODULE.fullmatch(info.name)
            if not match:
                continue
            path = Path(folder) / f"{info.name}.py"
            title, contract = _declared(path, "TITLE"), _declared(path, "CONTRACT")
            if not isinstance(title, str) or not isinstance(contract, tuple):
                raise ImportError(f"{path}: a level's probe module declares TITLE = '...' and CONTRACT = (...)")
            number = int(match.group(1))
            if number in found:
                raise ImportError(f"{path}: level {number} already has a probe module ({found[number].name})")
            found[number] = LevelModule(number, info.name, title, contract)
    return tuple(found[number] for number in sorted(found))


def contract_names(search=None) -> tuple:
    """Every name a student writes in some level file, each once, in level order."""
    return tuple(dict.fromkeys(name for level in level_modules(search) for name in level.contract))


def _package_path() -> tuple:
    return tuple(probe_package.__path__)
