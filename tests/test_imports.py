"""The kit's modules import one way: no cycle (module- or function-level imports alike), and a
function-level import only for an optional or heavy dependency, said in a comment."""

import ast
import re
from pathlib import Path

import pytest

from autograder.levels import REPO_ROOT

PACKAGE = REPO_ROOT / "autograder"
REASON = re.compile(r"#\s*(optional|heavy|given)\b")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(module: str, node) -> list:
    """The kit's modules an import statement loads (a package's own __init__ counts only where a
    name is taken from it, not where a submodule is)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
            package = package[:len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    out = []
    for target in targets:
        while target not in MODULES and "." in target:
            target = target.rsplit(".", 1)[0]
        if target in MODULES and target != module:
            out.append(target)
    return out


def import_graph() -> dict:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[module] = {t for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                         for t in imported(module, node)}
    return graph


def cycles(graph) -> list:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def function_level_imports():
    for module, path in MODULES.items():
        lines = path.read_text().splitlines()
        for function in ast.walk(ast.parse("\n".join(lines), str(path))):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(function):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        said = lines[node.lineno - 1] + " " + (lines[node.lineno - 2] if node.lineno > 1 else "")
                        yield f"{path.relative_to(REPO_ROOT)}:{node.lineno}", said


def test_function_level_imports_say_why():
    unexplained = [where for where, said in function_level_imports() if not REASON.search(said)]
    assert unexplained == [], "import at the top, or say '# optional: ...' / '# heavy: ...' / '# given: ...' beside it"


# a dotted name of the kit in a docstring, a comment or the README
_NAMED = re.compile(r"\bautograder(?:\.[a-z_][a-z0-9_]*)+")
FILE_SUFFIXES = {"zip", "json", "csv", "html", "txt"}


def named_modules():
    texts = {str(p.relative_to(REPO_ROOT)): p.read_text() for p in MODULES.values()}
    texts["README.md"] = (REPO_ROOT / "README.md").read_text()
    for where, text in texts.items():
        for match in _NAMED.finditer(text):
            if match.group(0).rsplit(".", 1)[1] not in FILE_SUFFIXES:  # autograder.zip is a file
                yield where, match.group(0)


def exists(dotted: str) -> bool:
    """A module of the kit, or a name one of them defines at the top level."""
    if dotted in MODULES:
        return True
    module, _, name = dotted.rpartition(".")
    if module not in MODULES:
        return False
    tree = ast.parse(MODULES[module].read_text())
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.name == name:
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name) == name for a in node.names):
            return True
    return False


@pytest.mark.parametrize("dotted", ["autograder.nowhere", "autograder.checks.no_such_name"])
def test_a_stale_name_is_seen(dotted):
    assert not exists(dotted)


def test_docs_name_only_modules_that_exist():
    stale = sorted({f"{where}: {dotted}" for where, dotted in named_modules() if not exists(dotted)})
    assert stale == []
