"""Run the probes of one submission in a child process, with limits, and collect plain results.

The child (autograder.sandbox) reports each step as it starts and ends. When a step hangs past
its time limit the child's whole process group is killed; when the child dies, the step that
was running is marked with what happened, and a fresh child carries on with the steps left.
So a hang, a crash or an exit costs the student only the step where it happened.
"""

import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.checks import checks_for_level
from autograder.levels import LEVEL_FILES, REPO_ROOT, SOLUTIONS_DIR


@dataclass
class Limits:
    check_seconds: float = 60.0  # one probe (or one import); the slowest reference probe takes ~0.5 s
    startup_seconds: float = 120.0  # the child's own start: Python and torch imports
    memory_mb: int = 4096  # RLIMIT_DATA: caps the heap without breaking `import torch` as RLIMIT_AS does
    output_bytes: int = 4 * 2**20  # what the student may print, in all


def _limit_child(limits):
    def apply():
        data = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (data, data))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # printing past the cap fails, it does not kill
    return apply


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _exit_text(code):
    if code is None:
        return "was stopped"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    return f"exited with code {code}"


def step_ids(levels):
    ids = []
    for level in levels:
        ids.append(f"level{level}.import")
        ids.extend(check.id for check in checks_for_level(level))
    return ids


def probe_in_child(files, device, limits=None, solutions_dir=SOLUTIONS_DIR, python=sys.executable):
    """files: {level: path}. Returns {level: {check_id: result} or {"load_error": ...}} for those levels."""
    limits = limits or Limits()
    workdir = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        copies = {}
        for level, path in files.items():  # a private copy: the child never sees the original folder
            copies[level] = workdir / LEVEL_FILES[level]
            shutil.copyfile(path, copies[level])
        return _run(copies, device, limits, solutions_dir, python, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(copies, device, limits, solutions_dir, python, workdir):
    results, load_errors = {}, {}
    ids = step_ids(sorted(copies))
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), OMP_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1",
               PYTHONWARNINGS="ignore")
    for _attempt in range(len(ids) + 1):
        pending = [i for i in ids if i not in results and _level(i) not in load_errors]
        if not pending:
            break
        request = {"files": {str(k): str(v) for k, v in copies.items() if k not in load_errors},
                   "device": device, "solutions": str(solutions_dir), "skip": sorted(results)}
        before = len(results) + len(load_errors)
        current, diagnosis, what = _one_child(request, limits, python, workdir, env, results, load_errors)
        if current is None:
            if what and len(results) + len(load_errors) == before:  # died before any step: give up
                for step in pending:
                    results[step] = {"verdict": {"message": f"{step}: {what}.", "diagnosis": diagnosis}}
            continue
        if current.endswith(".import"):
            load_errors[_level(current)] = {"type": "ImportError", "message": f"while importing: {what}",
                                            "where": None}
        else:
            results[current] = {"verdict": {"message": f"{current}: {what}.", "diagnosis": diagnosis}}
    out = {}
    for level in copies:
        if level in load_errors:
            out[level] = {"load_error": load_errors[level]}
        else:
            out[level] = {c.id: results.get(c.id) for c in checks_for_level(level)}
    return out


def _level(step):
    return int(step.split(".")[0].removeprefix("level"))


def _one_child(request, limits, python, workdir, env, results, load_errors):
    """Run one child until it finishes, dies or overruns a step.

    Returns (the step that was running or None, diagnosis, what happened) ("", "" when it finished)."""
    read_fd, write_fd = os.pipe()
    with open(workdir / "output.txt", "ab") as output:
        proc = subprocess.Popen([python, "-m", "autograder.sandbox", str(write_fd)], stdin=subprocess.PIPE,
                                stdout=output, stderr=subprocess.STDOUT, pass_fds=(write_fd,), cwd=workdir,
                                env=env, start_new_session=True, preexec_fn=_limit_child(limits))
    os.close(write_fd)
    try:
        proc.stdin.write(json.dumps(request).encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    current, deadline, buffer, finished = None, time.monotonic() + limits.startup_seconds, b"", False
    try:
        while True:
            wait = deadline - time.monotonic()
            ready = select.select([read_fd], [], [], wait)[0] if wait > 0 else []
            if not ready:
                _kill_group(proc)
                seconds = limits.check_seconds if current else limits.startup_seconds
                return current, "timeout", f"timed out after {seconds:g} s (an endless loop or a long sleep?)"
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                event = json.loads(line)
                if "start" in event:
                    current, deadline = event["start"], time.monotonic() + limits.check_seconds
                elif "id" in event:
                    results[event["id"]] = event["result"]
                    current = None
                elif "load_error" in event:
                    load_errors[event["level"]] = event["load_error"]
                    current = None
                elif event.get("done"):
                    finished = True
    finally:
        os.close(read_fd)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    _kill_group(proc)  # also ends anything the student left running in the group
    if finished:
        return None, "", ""
    code = proc.returncode
    if code is not None and code < 0 and -code == signal.SIGKILL:
        return current, "killed", "the grading process was killed (SIGKILL): out of memory?"
    return current, "crashed", (f"the grading process {_exit_text(code)} here (sys.exit, os._exit or a "
                                "crash in this code?)")
