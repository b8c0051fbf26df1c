"""The class: one student per SUBMISSIONS/<student_id>/ folder, with ids safe as file names."""

import hashlib
import os
from pathlib import Path

from autograder.errors import UsageError
from autograder.grade import display_path, find_level_files

MAX_ID = 100  # characters: OUT/.<id>.json.tmp must stay under the 255-byte file name limit


def student_id(name):
    """A folder name as a student id every output can hold: bytes that are not UTF-8 (kept by Python
    as lone surrogates) and control characters (a newline would forge lines of the summary) become
    backslash escapes; a very long name is cut, with a hash of the whole."""
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in display_path(name))
    if len(text.encode()) <= MAX_ID:
        return text
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return text.encode()[:MAX_ID - 13].decode("utf-8", "ignore") + "-" + digest


def find_students(submissions, out=None):
    """({student id: folder}, [hidden folders skipped]) for SUBMISSIONS/<student>/ folders; an
    --out folder inside SUBMISSIONS is not a student."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise UsageError(f"{submissions}: no such folder")
    out = Path(out).resolve() if out is not None else None
    students, hidden = {}, []
    for path in sorted(submissions.iterdir()):
        if not path.is_dir() or (out is not None and path.resolve() == out):
            continue
        if path.name.startswith("."):
            hidden.append(student_id(path.name))
            continue
        key = student_id(path.name)
        if key in students:  # a literal backslash name and an escaped byte: both kept, told apart
            key = f"{key}-{hashlib.sha256(os.fsencode(path.name)).hexdigest()[:8]}"
        students[key] = path
    return students, hidden


def require_students(submissions, out):
    if not Path(submissions).is_dir():
        raise UsageError(f"{submissions}: no such folder")
    submissions, target = Path(submissions).resolve(), Path(out).resolve()
    if target == submissions:
        raise UsageError(f"--out {out}: the submissions folder itself; results would become students on a "
                         "rerun. Choose a folder beside it")
    for folder in submissions.iterdir():  # OUT may sit in SUBMISSIONS, but never in a submission
        if folder.is_dir() and (target == folder or folder in target.parents) and any(find_level_files(folder).values()):
            raise UsageError(f"--out {out}: inside the student folder {student_id(folder.name)}, which holds level "
                             "files; choose a folder outside every student's folder")
    folders, hidden = find_students(submissions, out)
    if not folders:
        raise UsageError(f"{submissions}: no student folders in it (expected SUBMISSIONS/<student_id>/ holding "
                         "level files)" + (f"; hidden folders skipped: {', '.join(hidden)}" if hidden else ""))
    return folders, hidden
