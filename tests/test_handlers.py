"""No silent `except Exception`: every broad handler in the kit re-raises, uses the error it caught
(to report it), or says in a comment on its line why swallowing it is right."""

import ast

from tests.test_imports import MODULES, REPO_ROOT

BROAD = {"Exception", "BaseException"}


def broad_handlers():
    for path in MODULES.values():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines), str(path))):
            if isinstance(node, ast.ExceptHandler) and (
                    node.type is None or (isinstance(node.type, ast.Name) and node.type.id in BROAD)):
                yield f"{path.relative_to(REPO_ROOT)}:{node.lineno}", node, lines[node.lineno - 1]


def accounted_for(node, line) -> bool:
    if "#" in line:
        return True
    body = ast.Module(body=node.body, type_ignores=[])
    if any(isinstance(n, ast.Raise) for n in ast.walk(body)):
        return True
    return node.name is not None and any(isinstance(n, ast.Name) and n.id == node.name for n in ast.walk(body))


def test_every_broad_handler_is_accounted_for():
    silent = [where for where, node, line in broad_handlers() if not accounted_for(node, line)]
    assert silent == []


def test_a_silent_handler_is_seen():
    (handler,) = [n for n in ast.walk(ast.parse("try:\n    f()\nexcept Exception:\n    pass\n"))
                  if isinstance(n, ast.ExceptHandler)]
    assert not accounted_for(handler, "except Exception:")
