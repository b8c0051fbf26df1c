"""The command line's options, each checked once, before anything is graded: a bad value is a
UsageError that names the option (one line, exit status 2)."""

import math
import os
import tempfile
from pathlib import Path

from autograder.config import MAX_CHECK_SECONDS, MIN_MEMORY_MB, Limits
from autograder.devices import resolve_device
from autograder.errors import UsageError
from autograder.judge import reference_seconds, slowest_reference_check


def limits_from(timeout, memory, no_sandbox) -> Limits:
    """The grading limits from --timeout, --memory and --no-sandbox."""
    if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= MAX_CHECK_SECONDS):
        raise UsageError(f"--timeout {timeout:g}: give a positive number of seconds per check, at most "
                         f"{MAX_CHECK_SECONDS:g} (a longer limit lets one hanging submission hold a worker for hours)")
    if memory < MIN_MEMORY_MB:
        raise UsageError(f"--memory {memory}: a sandbox needs at least {MIN_MEMORY_MB} MB (torch alone "
                         "takes about 300 MB)")
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    if memory > physical:
        raise UsageError(f"--memory {memory}: more than this machine's {physical} MB of memory, which is no "
                         "limit at all; give at most that (the default is 4096)")
    limits = Limits(memory_mb=memory, sandbox=not no_sandbox)
    if timeout is not None:
        limits.check_seconds = timeout
    return limits


def check_timeout(seconds, device, levels=None):
    """--timeout below what the reference itself needs here would fail correct code (the
    reference's time is measured for the assignment's levels only)."""
    if seconds is None:
        return
    slowest = (max(max(reference_seconds(level, device).values()) for level in levels) if levels
               else slowest_reference_check(device))
    floor = max(1.0, 2 * slowest)
    if seconds < floor:
        raise UsageError(f"--timeout {seconds:g}: the reference itself takes up to "
                         f"{slowest:.2f} s for a check on this machine; give at least "
                         f"{floor:.1f} s, or leave --timeout out (50x the reference's time, at least 10 s)")


def writable_folder(value, option):
    """A folder that exists or can be made: not empty, not a file, not under a file, writable (tried
    for real: os.access says yes to root everywhere, /proc included)."""
    if not str(value).strip():
        raise UsageError(f"{option}: give a folder (an empty name would mean the current folder)")
    path = Path(value)
    for part in [path, *path.parents]:
        if part.exists():
            if not part.is_dir():
                raise UsageError(f"{option} {value}: {part} is a file, not a folder")
            try:
                Path(tempfile.mkdtemp(prefix=".write-test-", dir=part)).rmdir()
            except OSError:
                raise UsageError(f"{option} {value}: {part} is not writable") from None
            return path
    return path


def outside_submission(target, submission, option):
    """What the grader writes never lands in the submission it grades (it would overwrite or add to the
    student's files, and a later grade would read them)."""
    folder = Path(submission).resolve()
    folder = folder if folder.is_dir() else folder.parent
    where = Path(target).resolve()
    if where == folder or folder in where.parents:
        raise UsageError(f"{option} {target}: inside the submission being graded ({submission}); write it "
                         "somewhere outside the student's folder")
    return target


def writable_file(value, option):
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"{option} {value}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{option} {value}: the folder {path.parent} does not exist")
    return path


def device_from(name) -> str:
    """--device: cpu, cuda, cuda:N, mps or auto, resolved to a device this machine has."""
    if not str(name).strip():
        raise UsageError("--device: give cpu, cuda, mps or auto")
    if str(name).split(":")[0] == "meta":
        raise UsageError("--device meta: a device without data, which the grader uses itself for the "
                         "placement checks; grade on cpu, cuda, mps or auto")
    try:
        return resolve_device(name)
    except RuntimeError as error:
        if "Expected one of" in str(error):  # torch lists its internal device types, which grading has no use for
            raise UsageError(f"--device {name}: not a device; give cpu, cuda, cuda:N, mps or auto") from None
        raise UsageError(f"--device {name}: {error}") from None
