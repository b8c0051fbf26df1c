"""Run the probes of one submission in a confined child process and collect plain results.

Children are forked from a fork server that has torch and the kit imported (autograder.preload),
so a child starts in milliseconds. The child reports each step as it starts and ends. When a
step overruns its time limit the child's process group is killed; when the child dies, the step
that was running is marked with what happened, and a fresh child carries on with the steps left.
So a hang, a crash or an exit costs the student only the step where it happened.

The parent reads raw bytes from the child (never pickles) and parses them as JSON.
"""

import contextlib
import fcntl
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.checks import checks_for_level
from autograder.levels import LEVEL_FILES, SOLUTIONS_DIR

UID_BASE = 61000  # children in machine slot k run as uid UID_BASE + k when the grader is root
MAX_MESSAGE = 8 * 2**20  # a single event larger than this is a flood, not a result


@dataclass
class Limits:
    check_seconds: float = 60.0  # one probe (or one import); the slowest reference probe takes ~0.2 s
    startup_seconds: float = 120.0  # the fork server's first start: Python, torch, the warm-up
    memory_mb: int = 4096  # RLIMIT_DATA: caps the heap without breaking `import torch` as RLIMIT_AS does
    output_bytes: int = 4 * 2**20  # what the student may print, in all


_context_lock = threading.Lock()
_context = None


def fork_context():
    """The forkserver context, preloading torch and the kit once for every child."""
    global _context
    with _context_lock:
        if _context is None:
            import torch

            # inherited by the fork server when it starts: warm up only where no CUDA device exists
            os.environ["AUTOGRADER_WARMUP"] = "0" if torch.cuda.is_available() else "1"
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(["autograder.preload"])
        return _context


def stop_fork_server():
    """Stop the fork server and wait for it, so its CPU time (and its children's) is accounted to us."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # CPython's own hook; absent elsewhere
    if stop is not None:
        stop()


def _kill_group(proc):
    for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
        try:
            kill()
        except (ProcessLookupError, PermissionError, AttributeError, ValueError):
            pass
    proc.join(10)


def step_ids(levels):
    ids = []
    for level in levels:
        ids.append(f"level{level}.import")
        ids.extend(check.id for check in checks_for_level(level))
    return ids


def _level(step):
    return int(step.split(".")[0].removeprefix("level"))


SLOT_DIR = Path(tempfile.gettempdir()) / f"autograder-slots-{os.geteuid()}"  # one per grading user
MAX_SLOTS = 4096


@contextlib.contextmanager
def machine_slot():
    """A slot no other grading process on this machine holds (a local batch, a Dask worker, a
    second batch): an exclusive lock on SLOT_DIR/<n>.lock, released when the student is done."""
    SLOT_DIR.mkdir(mode=0o700, exist_ok=True)
    for slot in range(MAX_SLOTS):
        handle = open(SLOT_DIR / f"{slot}.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield slot
        finally:
            handle.close()  # closing releases the lock
        return
    raise RuntimeError(f"all {MAX_SLOTS} grading slots of this machine are taken")


def probe_in_child(files, device, limits=None, solutions_dir=SOLUTIONS_DIR, deadlines=None):
    """files: {level: path}. Returns {level: {check_id: result} or {"load_error": ...}} for those levels.

    deadlines: optional {check_id: seconds} overriding limits.check_seconds per check. The child's
    user comes from a machine-wide slot."""
    with machine_slot() as machine:
        return _probe_in_child(files, device, limits, solutions_dir, machine, deadlines)


def _probe_in_child(files, device, limits, solutions_dir, slot, deadlines):
    from autograder.grade import linked

    limits = limits or Limits()
    # AUTOGRADER_SAME_USER=1 keeps children as the grader's user (a machine where other users
    # cannot reach the GPU or the Python installation): isolation then rests on permissions.
    drop = os.geteuid() == 0 and os.environ.get("AUTOGRADER_SAME_USER") != "1"
    uid = UID_BASE + slot if drop else None
    workdir = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        copies, unreadable = {}, {}
        for level, path in files.items():  # a private copy: the child never sees the original folder
            copies[level] = workdir / LEVEL_FILES[level]
            if linked(path):  # read as the grader, a link could expose any file on the machine
                unreadable[level] = {"type": None, "where": None,
                                     "message": f"{Path(path).name} is a symbolic link; submit the file itself"}
                del copies[level]
            elif Path(path).suffix == ".ipynb":  # the notebook's code, read here with nbformat
                from autograder.notebooks import notebook_source

                try:
                    copies[level].write_text(notebook_source(path))
                except ValueError as error:
                    unreadable[level] = {"type": None, "message": str(error), "where": None}
                    del copies[level]
            else:
                shutil.copyfile(path, copies[level])
        if uid is not None:
            for item in [workdir, *copies.values()]:
                os.chown(item, uid, uid)
        results = _run(copies, device, limits, solutions_dir, workdir, uid, deadlines or {}) if copies else {}
        return {**results, **{level: {"load_error": error} for level, error in unreadable.items()}}
    finally:
        if uid is not None:
            _kill_user(uid)  # whatever the student left running, even in a new session, dies here
        shutil.rmtree(workdir, ignore_errors=True)


def _kill_user(uid):
    """Kill every process of uid: a forked helper takes that uid and signals -1 (all it may)."""
    pid = os.fork()
    if pid == 0:  # only async-signal-safe calls until _exit: this process has threads
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)  # every process of uid but the helper itself
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _run(copies, device, limits, solutions_dir, workdir, uid, deadlines):
    results, load_errors = {}, {}
    ids = step_ids(sorted(copies))
    for _attempt in range(len(ids) + 1):
        pending = [i for i in ids if i not in results and _level(i) not in load_errors]
        if not pending:
            break
        request = {"files": {str(k): str(v) for k, v in copies.items() if k not in load_errors},
                   "device": device, "solutions": str(solutions_dir), "skip": sorted(results),
                   "workdir": str(workdir), "uid": uid,
                   "limits": {"memory_mb": limits.memory_mb, "output_bytes": limits.output_bytes}}
        before = len(results) + len(load_errors)
        current, diagnosis, what, hint = _one_child(request, limits, deadlines, results, load_errors)
        if current is None:
            if what and len(results) + len(load_errors) == before:  # died before any step: give up
                for step in pending:
                    results[step] = {"verdict": {"message": f"{step}: {what} {hint}.", "diagnosis": diagnosis}}
            continue
        if current.endswith(".import"):
            load_errors[_level(current)] = {"type": None, "message": f"{what} while importing it {hint}",
                                            "where": None, "diagnosis": diagnosis}
        else:
            results[current] = {"verdict": {"message": f"{current}: {what} while running this check {hint}.",
                                            "diagnosis": diagnosis}}
    out = {}
    for level in copies:
        if level in load_errors:
            out[level] = {"load_error": load_errors[level]}
        else:
            out[level] = {c.id: results.get(c.id) for c in checks_for_level(level)}
    return out


def _one_child(request, limits, deadlines, results, load_errors):
    """Run one child until it finishes, dies or overruns a step.

    Returns (the step that was running or None, diagnosis, what happened, likely cause); the last three
    are empty when it finished."""
    from autograder.sandbox import child_main

    context = fork_context()
    reader, writer = context.Pipe(duplex=False)
    proc = context.Process(target=child_main, args=(writer, request), daemon=True)
    proc.start()  # the first start also starts the fork server (a few seconds)
    writer.close()
    current, finished = None, False
    deadline = time.monotonic() + limits.startup_seconds
    try:
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0 or not reader.poll(wait):  # an end of file counts as readable
                _kill_group(proc)
                seconds = deadlines.get(current, limits.check_seconds) if current else limits.startup_seconds
                return current, "timeout", f"timed out after {seconds:g} s", "(an endless loop or a long sleep?)"
            try:
                raw = reader.recv_bytes(MAX_MESSAGE)
            except (EOFError, OSError):
                break
            try:
                event = json.loads(raw)
            except ValueError:
                continue  # not ours: a forged or torn message is ignored
            if not isinstance(event, dict):
                continue
            if "start" in event:
                current = str(event["start"])
                deadline = time.monotonic() + deadlines.get(current, limits.check_seconds)
            elif "id" in event:
                results[str(event["id"])] = event.get("result")
                current = None
            elif "load_error" in event:
                load_errors[event.get("level")] = event["load_error"]
                current = None
            elif event.get("done"):
                finished = True
    finally:
        reader.close()
    proc.join(10)
    code = proc.exitcode
    _kill_group(proc)  # also ends anything the student left running in the group
    if finished:
        return None, "", "", ""
    if code is not None and code < 0 and -code == signal.SIGKILL:
        return current, "killed", "the grading process was killed by SIGKILL", (
            "(out of memory, or the code killed its own process?)")
    return current, "crashed", f"the grading process {_exit_text(code)}", "(sys.exit, os._exit or a crash in this code?)"


def _exit_text(code):
    if code is None:
        return "stopped"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"

