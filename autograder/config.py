"""Every limit, deadline and environment variable of the grader, in one place.

`Limits` is what an instructor sets per run (the CLI's --timeout, --memory, --no-sandbox); the
constants below are fixed caps the sandbox applies to every student. The README's
"Configuration" table lists the same names. Limits on the wire format itself (frame size, bytes
per student) live with the protocol, autograder/probe/protocol.py, which both sides share.
"""

import os
import secrets
from dataclasses import dataclass

from autograder.errors import UsageError


@dataclass
class Limits:
    check_seconds: float = 60.0  # one probe when no per-check deadline is given (--timeout sets it)
    startup_seconds: float = 90.0  # a sandbox's start: Python and torch, before any student code
    memory_mb: int = 4096  # the whole sandbox, all its processes (--memory)
    file_bytes: int = 16 * 2**20  # the largest file student code may write
    open_files: int = 256
    sandbox: bool = True  # False only with the instructor's explicit --no-sandbox


# Per-check deadlines: DEADLINE_FACTOR times the reference's own time on this machine, at least
# MIN_CHECK_SECONDS; importing a level file gets IMPORT_SECONDS (a --timeout never shortens it).
DEADLINE_FACTOR = 50.0
MIN_CHECK_SECONDS = 10.0
IMPORT_SECONDS = 20.0
MAX_CHECK_SECONDS = 3600.0  # the most --timeout may give one check
MIN_MEMORY_MB = 512  # torch alone takes about 300 MB

# Fixed caps of every sandbox.
PROCESSES = 64  # tasks per sandbox (threads count too: torch starts a few per process)
TMPFS_BYTES = 64 * 2**20  # what a student may write, in /tmp, /dev/shm and home, each
MAX_LEVEL_FILE = 20 * 2**20  # bytes; a notebook with its outputs is a few MB
MAX_TEXT = 2000  # characters kept of any text a student's sandbox sends
INFRA_ATTEMPTS = 3  # sandboxes that fail before their hello, per student, before "not graded"
CLUSTER_ATTEMPTS = 2  # Dask jobs per student before "not graded"

# Environment variables the kit reads.
CHALLENGE_VARIABLE = "AUTOGRADER_CHALLENGE"
DEVICE_VARIABLE = "AUTOGRADER_DEVICE"
ZYGOTE_VARIABLE = "AUTOGRADER_ZYGOTE"
ENVIRONMENT = {
    CHALLENGE_VARIABLE: "fixes the secret every probe input derives from, to reproduce a run exactly "
                        "(keep the value secret: it makes the inputs predictable)",
    DEVICE_VARIABLE: "the device nbgrader's grade cells check on (default cpu)",
    ZYGOTE_VARIABLE: "0: a fresh sandbox per student instead of forks of a warm interpreter per check "
                     "(slower; the same isolation but for the process per check)",
}


def new_challenge() -> int:
    """A fresh secret for one grading run: every probe input derives from it (autograder.probe.inputs).
    AUTOGRADER_CHALLENGE=N fixes it."""
    fixed = os.environ.get(CHALLENGE_VARIABLE, "").strip()
    if fixed:
        try:
            return int(fixed) % 2**31
        except ValueError:
            raise UsageError(f"{CHALLENGE_VARIABLE}={fixed[:40]!r}{'...' if len(fixed) > 40 else ''}: not an "
                             "integer (of at most 4000 digits)") from None
    return secrets.randbelow(2**31)


def zygote_wanted() -> bool:
    """AUTOGRADER_ZYGOTE: 1 (or unset) for forks of a warm interpreter per check, 0 for a fresh sandbox
    per student; anything else is a usage error, said before any grading."""
    value = os.environ.get(ZYGOTE_VARIABLE, "1").strip()
    if value not in ("0", "1"):
        raise UsageError(f"{ZYGOTE_VARIABLE}={value[:40]!r}: give 1 (forks of a warm interpreter, the default) "
                         "or 0 (a fresh sandbox per student)")
    return value == "1"


def grade_cell_device() -> str:
    return os.environ.get(DEVICE_VARIABLE, "cpu")


def check_deadlines(reference_seconds: dict) -> dict:
    """{check id: seconds} from the reference's own time per check."""
    return {check_id: max(MIN_CHECK_SECONDS, DEADLINE_FACTOR * seconds)
            for check_id, seconds in reference_seconds.items()}


def import_deadlines(levels, seconds: float = IMPORT_SECONDS) -> dict:
    return {f"level{level}.import": max(IMPORT_SECONDS, seconds) for level in levels}
