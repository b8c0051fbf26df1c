"""Flag submitted code that reaches into the grader or lies through torch, for an instructor's
review: a static read of every level file before it runs, in the trusted grading process.

The read itself (autograder.review.rules) runs in a child process of its own, under a deadline
and a memory cap, because it parses untrusted text: a file that is too large, too deeply nested
or not text becomes one "unreadable: ..." flag, never a crash or a stall of the grader."""

import ast
import base64
import builtins
import json
import keyword
import os
import re
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from autograder.review import rules

PROBE_DIR = Path(__file__).resolve().parent.parent / "probe"
RULES = Path(rules.__file__).resolve()
MAX_SOURCE_BYTES = 256 * 1024  # a level file: the reference's are about 5 KB
MAX_NOTEBOOK_BYTES = 16 * 2**20  # a notebook's outputs (plots) can be large; its code is capped below
READ_SECONDS = 10.0  # per round of the child; an honest file takes milliseconds
MAX_REPLY = 4 * 2**20
NOT_REGULAR = "it is not a regular file"  # a FIFO or device would stall the read
CHILD = [sys.executable, "-I", str(RULES)]  # -I: no PYTHON* variables, no user site, no current folder


@dataclass(frozen=True)
class Flag:
    """One line held for review: file (a notebook's cell as name:cellN), line (None: the whole
    file) and why, one sentence a teacher reads."""

    file: str
    line: Optional[int]
    why: str

    def to_json(self):
        return {"file": self.file, "line": self.line, "why": self.why}


def probe_names():
    """{name: "autograder/probe/<file>.py"} for the probe side's top-level classes whose names are
    the grader's own coinage (a compound like LinearFixture; single plain words such as `Trial` or
    `Watch`, and snake_case functions, are any program's)."""
    names = {}
    for path in sorted(PROBE_DIR.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and coined(node.name):
                names.setdefault(node.name, f"autograder/probe/{path.name}")
    return names


def coined(name):
    """A class name of two or more capitalised parts (LinearFixture, IndexData): what no honest file
    writes. Function names (populated_weights) are left out: a student's own strings, dict keys and
    attributes collide with them, and reaching them needs the grader's module, its own rule."""
    core = name.strip("_")
    return (re.fullmatch(r"(?:[A-Z][a-z0-9]+|[A-Z]{2,}(?![a-z])){2,}", core) is not None
            and not hasattr(builtins, name) and not keyword.iskeyword(name) and name not in rules.CONTRACT)


_PROBE_NAMES = None
# CPython 3.11's ast keeps its recursion depth in shared state: two threads of a batch parsing at
# once fail with "AST constructor recursion depth mismatch". The names are read once, by one thread.
_PROBE_NAMES_LOCK = threading.Lock()


def _probe_names():
    global _PROBE_NAMES
    with _PROBE_NAMES_LOCK:
        if _PROBE_NAMES is None:
            _PROBE_NAMES = probe_names()
    return _PROBE_NAMES


def flag_submission(files: dict) -> list:
    """files: {level: Path} of one student. Every Flag their files earn, in level order; [] for
    honest code."""
    found, readable = {}, []
    for level in sorted(files):
        path = Path(files[level])
        raw, problem = read_bounded(path)
        if problem:
            found[level] = [Flag(path.name, None, f"unreadable: {problem}")]
        else:
            readable.append((level, path.name, raw))
    found.update(read_in_child(readable))
    return [flag for level in sorted(files) for flag in found[level]]


def flag_file(path) -> list:
    return flag_submission({0: Path(path)})


def read_bounded(path):
    """(bytes, None) or (None, why the file was not read)."""
    limit = MAX_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_SOURCE_BYTES
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        return None, f"it could not be opened ({error.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, NOT_REGULAR
        if info.st_size > limit:
            return None, f"it is larger than {limit // 1024} KiB ({info.st_size // 1024} KiB), too large to read"
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        return None, f"it could not be read ({error.strerror})"
    finally:
        os.close(fd)
    if len(raw) > limit:
        return None, f"it is larger than {limit // 1024} KiB, too large to read"
    return raw, None


def read_in_child(files):
    """{key: [Flag]} for [(key, name, bytes)], read in a child process under READ_SECONDS a round:
    a file the child stalls or dies on is unreadable, and the rest are read again."""
    found = {}
    pending = list(files)
    names = _probe_names()
    while pending:
        replies, failure = run_child(pending, names)
        keys = {key for key, _, _ in pending}
        found.update((key, flags) for key, flags in replies.items() if key in keys)
        pending = [item for item in pending if item[0] not in found]
        if pending:  # the first unanswered file is the one the child could not finish
            key, name, _ = pending.pop(0)
            found[key] = [Flag(name, None, f"unreadable: {failure}")]
    return found


def run_child(files, names):
    """({key: [Flag]}, why the child stopped early) for one round."""
    request = json.dumps({"probe_names": names,
                          "files": [[key, name, base64.b64encode(raw).decode("ascii")] for key, name, raw in files]})
    try:
        done = subprocess.run(CHILD, input=request.encode(), capture_output=True, timeout=READ_SECONDS)
        out, failure = done.stdout, f"the reader stopped on it (exit status {done.returncode})"
    except subprocess.TimeoutExpired as expired:
        out, failure = expired.stdout or b"", f"reading it took longer than {READ_SECONDS:g} seconds"
    replies = {}
    for line in out[:MAX_REPLY].splitlines():
        try:
            reply = json.loads(line)
            replies[reply["key"]] = [Flag(str(f["file"]), f["line"] if isinstance(f["line"], int) else None,
                                          str(f["why"])) for f in reply["flags"]]
        except (ValueError, KeyError, TypeError):
            break  # a line cut short by the deadline
    return replies, failure

