"""Generate the student stubs in exercises/ from the reference files in solutions/.

Each `### BEGIN SOLUTION` .. `### END SOLUTION` block (nbgrader's markers), together with the
`# hint:` comment just above it, becomes one line:
    raise NotImplementedError("level1.forward: <the hint>")
The stub's name comes from the function or method that holds the block.

exercises/.generated (committed beside them) records a digest of each file as last written here.
Regenerating rewrites a file that still holds exactly that (stale only because solutions/ changed)
and refuses one that holds anything else, a filled stub or a note alike: someone edited it.
"""

import ast
import hashlib
import json
import re
import textwrap
from pathlib import Path

from autograder.levels import EXERCISES_DIR, LEVEL_FILES, SOLUTIONS_DIR

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HINT = re.compile(r"^\s*# hint:\s*(.*)$")


class MarkerError(ValueError):
    pass


def enclosing_names(source):
    """Map each line number to the qualified name of the innermost def that contains it."""
    names = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualname = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    for line in range(child.lineno, child.end_lineno + 1):
                        names[line] = qualname
                visit(child, qualname + ".")

    visit(ast.parse(source), "")
    return names


def stubs_of(source, level, file_name="solution"):
    """[(stub id, hint, first line index, last line index, indent)] for each marked block."""
    lines = source.splitlines()
    names = enclosing_names(source)
    blocks, start = [], None
    for i, line in enumerate(lines):
        if line.strip() == BEGIN:
            if start is not None:
                raise MarkerError(f"{file_name} line {i + 1}: {BEGIN} inside another solution block")
            start = i
        elif line.strip() == END:
            if start is None:
                raise MarkerError(f"{file_name} line {i + 1}: {END} without {BEGIN}")
            name = names.get(start + 1)
            if name is None:
                raise MarkerError(f"{file_name} line {start + 1}: a solution block must sit inside a function")
            hint_match = HINT.match(lines[start - 1]) if start else None
            first = start - 1 if hint_match else start
            hint = hint_match.group(1) if hint_match else "fill in this stub"
            indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
            blocks.append((f"level{level}.{name}", hint, first, i, indent))
            start = None
    if start is not None:
        raise MarkerError(f"{file_name} line {start + 1}: {BEGIN} is never closed")
    return blocks


def make_exercise(source, level, file_name="solution"):
    """The student's version of a solution file."""
    lines = source.splitlines()
    out, position = [], 0
    for stub, hint, first, last, indent in stubs_of(source, level, file_name):
        out.extend(lines[position:first])
        out.append(f"{indent}raise NotImplementedError({f'{stub}: {hint}'!r})")
        position = last + 1
    out.extend(lines[position:])
    return "\n".join(out) + "\n"


def replace_stubs(source, level, replacements):
    """source with the solution blocks of the given stubs ({"level1.forward": code}) replaced."""
    lines = source.splitlines()
    blocks = {stub: (first, last, indent) for stub, _, first, last, indent in stubs_of(source, level)}
    missing = set(replacements) - set(blocks)
    if missing:
        raise KeyError(f"no such stub in level {level}: {sorted(missing)}")
    for stub in sorted(replacements, key=lambda s: -blocks[s][0]):  # bottom-up keeps line numbers valid
        first, last, indent = blocks[stub]
        body = textwrap.indent(textwrap.dedent(replacements[stub]).strip("\n"), indent).splitlines()
        lines[first:last + 1] = body
    return "\n".join(lines) + "\n"


def planned(solutions_dir=SOLUTIONS_DIR, exercises_dir=EXERCISES_DIR):
    """{exercise path: text it should hold} for every level."""
    plan = {}
    for level, name in LEVEL_FILES.items():
        source = (Path(solutions_dir) / name).read_text()
        plan[Path(exercises_dir) / name] = make_exercise(source, level, name)
    return plan


MANIFEST = ".generated"


def digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def manifest_text(plan):
    """The manifest of a plan: {file name: digest of the text written}."""
    return json.dumps({"written by": "python -m autograder make-exercises",
                       "files": {path.name: digest(text) for path, text in sorted(plan.items())}}, indent=2) + "\n"


def last_written(exercises_dir):
    """{file name: digest} of what make-exercises last wrote there; {} without a readable manifest."""
    try:
        files = json.loads((Path(exercises_dir) / MANIFEST).read_text())["files"]
        return {str(name): str(value) for name, value in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def stale_files(solutions_dir=SOLUTIONS_DIR, exercises_dir=EXERCISES_DIR):
    """Files that differ from what make-exercises would write, its manifest included."""
    plan = planned(solutions_dir, exercises_dir)
    manifest = Path(exercises_dir) / MANIFEST
    stale = [path for path, text in plan.items() if not path.exists() or path.read_text() != text]
    if not manifest.is_file() or manifest.read_text() != manifest_text(plan):
        stale.append(manifest)
    return stale


def edited_files(solutions_dir=SOLUTIONS_DIR, exercises_dir=EXERCISES_DIR):
    """Exercise files that regenerating would change and that hold something make-exercises did not
    write (filled stubs, a note): neither the fresh text nor the text recorded in the manifest. With
    no manifest, nothing proves a differing file is the kit's own, so it counts as edited."""
    written, edited = last_written(exercises_dir), []
    for path, text in planned(solutions_dir, exercises_dir).items():
        if path.exists():
            current = path.read_text(errors="surrogateescape")
            if current != text and digest(current) != written.get(path.name):
                edited.append(path)
    return edited


def write_exercises(solutions_dir=SOLUTIONS_DIR, exercises_dir=EXERCISES_DIR):
    """Write every exercise that differs from its generation, and the manifest; the paths written."""
    plan, written = planned(solutions_dir, exercises_dir), []
    for path, text in plan.items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(path)
    manifest = Path(exercises_dir) / MANIFEST
    if not manifest.is_file() or manifest.read_text() != manifest_text(plan):
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text(manifest_text(plan))
        written.append(manifest)
    return written
