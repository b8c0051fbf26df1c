"""Which file of a submission is each level.

Students' tools rename files: Jupyter's "Make a copy" (level1_manual-Copy1.ipynb), a browser's
second download (level1_manual (1).py), an LMS's resubmission (level1_manual-1.py), a keyboard's
capitals (Level1_Manual.py). Such a near miss is graded as the level, and the report says so.

One file per level, by one rule (the first that exists wins; the others are named as ignored):
  1. the exact name, level1_manual.py
  2. the exact notebook, level1_manual.ipynb
  3. nbgrader's layout, level1_manual/level1_manual.ipynb
  4. near misses, .py before .ipynb, then in name order.
Modification times are not used: an unzip or a checkout sets them all alike. A trailing "_2" is
not a near miss: it reads as a version the student kept on purpose, not a copy a tool made.
A symbolic link is found like a file and then refused (see linked()).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from autograder.errors import UsageError
from autograder.levels import LEVEL_FILES

SUFFIXES = (".py", ".ipynb")
SHOWN_NAMES = 10  # a message lists at most this many of the files a folder holds
RULE = "one file per level: the exact .py, the exact .ipynb, nbgrader's folder, then near names in name order"

# What tools append to a name when they copy a file, and how the report says it.
COPY_MARKS = (
    (re.compile(r"-copy\d*$"), "a copy made by Jupyter"),
    (re.compile(r" ?\(\d+\)$"), "a duplicate download"),
    (re.compile(r"-\d+$"), "a resubmission's number"),
)
STEMS = {name.removesuffix(".py"): level for level, name in LEVEL_FILES.items()}


@dataclass(frozen=True)
class Candidate:
    level: int
    path: Path
    rank: tuple  # smaller is taken first
    why: Optional[str] = None  # how the name differs from the level's; None for an exact name


@dataclass
class Submission:
    """The files found for the assigned levels of one submission (a folder, or one level file)."""
    root: Path
    levels: tuple
    taken: dict = field(default_factory=dict)  # {level: Candidate}
    ignored: dict = field(default_factory=dict)  # {level: [Candidate]}
    others: list = field(default_factory=list)  # what else the folder holds (other levels' files too)

    def present(self) -> dict:
        return {level: candidate.path for level, candidate in self.taken.items()}

    def name(self, path) -> str:
        path = Path(path)
        return shown(path.relative_to(self.root).as_posix() if self.root in path.parents else path.name)

    def entries(self) -> list:
        """The report's "files": the file taken for each assigned level found, and why it was."""
        out = []
        for level in self.levels:
            if level not in self.taken:
                continue
            taken, ignored = self.taken[level], self.ignored.get(level, [])
            notes = []
            if taken.why:
                notes.append(f"taken as {canonical(level, taken.path)} ({taken.why})")
            if ignored:
                notes.append(f"ignored {', '.join(self.name(c.path) for c in ignored)} ({RULE})")
            out.append({"level": level, "file": self.name(taken.path), "note": "; ".join(notes) or None,
                        "ignored": [self.name(c.path) for c in ignored]})
        return out

    def missing_message(self, level) -> str:
        """The message of every check of an assigned level without a file."""
        message = f"file not found: {LEVEL_FILES[level]}"
        if self.others:
            shown = ", ".join(self.others[:SHOWN_NAMES])
            more = f" and {len(self.others) - SHOWN_NAMES} more" if len(self.others) > SHOWN_NAMES else ""
            message += f" (the submission holds {shown}{more}; name the file {LEVEL_FILES[level]})"
        return message


def shown(name):
    """A file name as text every output can hold (bytes that are not UTF-8 become backslash escapes)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def canonical(level, path):
    return LEVEL_FILES[level].removesuffix(".py") + Path(path).suffix.lower()


def near_miss(name):
    """(level, why) when name is a level file's name as a tool or a keyboard changed it, else None."""
    path = Path(name)
    suffix = path.suffix
    if suffix not in SUFFIXES and suffix.lower() != ".py":  # the sandbox knows a notebook by ".ipynb" alone
        return None
    stem, whys = path.name[: -len(suffix)].rstrip(), []
    while True:  # "level1_manual-Copy1 (1).ipynb" carries two marks
        for pattern, why in COPY_MARKS:
            match = pattern.search(stem.lower())
            if match:
                whys.insert(0, f"{why}, {stem[match.start():].strip()!r}")
                stem = stem[: match.start()].rstrip()
                break
        else:
            break
    level = STEMS.get(stem.lower())
    if level is None:
        return None
    if stem != stem.lower() or suffix != suffix.lower():
        whys.insert(0, "the name differs in case")
    return level, "; ".join(whys) or None


def level_of_name(name):
    """The level a file's name stands for, exact or a near miss; None for any other name."""
    found = near_miss(name)
    return found[0] if found else None


def exists(path):
    return path.is_file() or path.is_symlink()  # a link is found, then refused: see linked()


def natural(name):
    """A name's sort key with its numbers read as numbers: "(2)" before "(10)"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def candidates(folder):
    """{level: [Candidate, ...]} in the order of the rule, and the names of everything else."""
    folder = Path(folder)
    found, others = {}, []
    for stem, level in STEMS.items():
        for rank, path in enumerate((folder / f"{stem}.py", folder / f"{stem}.ipynb", folder / stem / f"{stem}.ipynb")):
            if exists(path):
                found.setdefault(level, []).append(Candidate(level, path, (rank, 0, natural(path.name))))
    exact = {c.path.name for cs in found.values() for c in cs}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name in exact or (entry.is_dir() and entry.name in STEMS):
            continue
        hit = near_miss(entry.name) if exists(entry) else None
        if hit is not None:
            level, why = hit
            suffix_rank = SUFFIXES.index(entry.suffix.lower())
            found.setdefault(level, []).append(Candidate(level, entry, (3, suffix_rank, natural(entry.name)), why))
        elif not entry.name.startswith((".", "__pycache__")):
            others.append(shown(entry.name) + ("/" if entry.is_dir() else ""))
    for level in found:
        found[level].sort(key=lambda c: c.rank)
    return found, others


def discover(path, levels) -> Submission:
    """The files of path for these levels: a folder's, by the rule above; or one level file."""
    path = Path(path)
    levels = tuple(levels)
    if path.is_dir():
        found, others = candidates(path)
        submission = Submission(path, levels)
        for level in levels:
            if level in found:
                submission.taken[level] = found[level][0]
                submission.ignored[level] = found[level][1:]
        unassigned = [submission.name(c.path) for level, cs in found.items() if level not in levels for c in cs]
        submission.others = sorted([*others, *unassigned])
        return submission
    if exists(path):
        hit = near_miss(path.name)
        if hit is None:
            raise UsageError(f"{path}: not a level file; expected one of {', '.join(LEVEL_FILES.values())} "
                             "(or the same names as .ipynb)")
        submission = Submission(path.parent, levels)
        if hit[0] in levels:
            submission.taken[hit[0]] = Candidate(hit[0], path, (0, 0, path.name), hit[1])
        return submission
    raise UsageError(f"{path}: no such file or folder")


def linked(path):
    """True when reading path would follow a symbolic link a student could have planted: the
    file itself, or nbgrader's assignment folder (student/level1_manual/) holding it."""
    path = Path(path)
    return path.is_symlink() or (path.parent.name == path.stem and path.parent.is_symlink())
