"""Student code that the tests grade, kept as readable files in tests/fixtures/students/.

One fixture file per test module (tests/test_hostile.py reads tests/fixtures/students/hostile.py).
A file holds named snippets as plain code sections: a section starts with a line
`# --- name ---` (or `# --- name: a note for the reader ---`, the note is not part of the code) and
runs to the next such line: notes for the reader go above the first section or in a header, since a
comment between sections is code of the snippet above it. A snippet is the section's text without the
blank lines at its ends and without a final newline, exactly what a test once wrote as a string. Snippets are sections, not
modules: a stub's body may `return` at the top of its section, and nothing imports these files.

A snippet that needs values known only at run time (a temporary path, a port) names them as
`{placeholders}`, filled by snippet(..., name=value); every other brace is the code's own.
"""

import re
from functools import lru_cache
from pathlib import Path

from autograder.levels import SOLUTIONS_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "students"
SECTION = re.compile(r"^# --- (\w+)(?:: .*)? ---$")


@lru_cache(maxsize=None)
def snippets(module):
    """{name: code} of tests/fixtures/students/<module>.py, in the file's order."""
    found, name, lines = {}, None, []
    for line in (FIXTURES / f"{module}.py").read_text().splitlines():
        header = SECTION.match(line)
        if header:
            if name is not None:
                found[name] = "\n".join(lines).strip("\n")
            name, lines = header.group(1), []
            if name in found:
                raise ValueError(f"{module}.py: two snippets named {name}")
        elif name is not None:
            lines.append(line)
    if name is not None:
        found[name] = "\n".join(lines).strip("\n")
    return found


def snippet(module, name, **values):
    """One snippet, its {placeholders} filled with str(value); a value with no placeholder is an error."""
    code = snippets(module)[name]
    for key, value in values.items():
        if "{" + key + "}" not in code:
            raise ValueError(f"{module}.py: snippet {name} has no {{{key}}}")
        code = code.replace("{" + key + "}", str(value))
    return code


def at_import(code):
    """The reference level 1 with `code` run when the file is imported (right after `import torch`)."""
    return (SOLUTIONS_DIR / "level1_manual.py").read_text().replace("import torch\n", "import torch\n" + code + "\n", 1)
