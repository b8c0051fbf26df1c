"""The child process that runs a student's code. It never judges.

It is forked from a warm fork server (autograder.preload: torch already imported), then, before
any student code runs: becomes the leader of a new session and process group, sends its output
to a capped file in its private working directory, takes its memory and file-size limits, and,
when the grader runs as root, drops to an unprivileged user of its own. It reports one event
per step on its pipe: {"start": id} before the step, {"id": id, "result": ...} after it, and
{"level": n, "load_error": ...} when a file does not import.
"""

import json
import os
import resource
import signal
import sys


class CappedWriter:
    """A text stream that keeps the first `cap` characters and silently drops the rest, so a
    student who prints megabytes loses nothing but the output. (Writing to the raw descriptor
    hits the RLIMIT_FSIZE cap instead.)"""

    def __init__(self, fd, cap):
        self._stream = open(fd, "w", buffering=1, closefd=False, errors="replace")
        self._left = cap

    def write(self, text):
        if self._left > 0:
            kept = text[: self._left]
            self._left -= len(kept)
            try:
                self._stream.write(kept if self._left > 0 else kept + "\n[output truncated]\n")
            except OSError:
                self._left = 0
        return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except OSError:
            pass

    def isatty(self):
        return False

    def fileno(self):
        return self._stream.fileno()


def confine(workdir, limits, uid):
    os.setsid()  # its own session and process group: killpg(0) reaches only itself
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    output = os.open(os.path.join(workdir, "output.txt"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(0, closefd=False)
    sys.stdout = CappedWriter(1, limits["output_bytes"] // 2)
    sys.stderr = CappedWriter(2, limits["output_bytes"] // 2)
    memory = limits["memory_mb"] * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))  # not RLIMIT_AS: it breaks torch
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["output_bytes"], limits["output_bytes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # printing past the cap fails; it does not kill
    os.chdir(workdir)
    os.environ.update(HOME=workdir, TMPDIR=workdir, OMP_NUM_THREADS="1")
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)  # from here it cannot signal the grader, its siblings, or write their files
        resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))


def child_main(conn, request):
    """The target of the forked child: confine, then probe every level file in the request."""
    confine(request["workdir"], request["limits"], request.get("uid"))
    import torch

    from autograder.checks import checks_for_level
    from autograder.runner import load_and_probe

    torch.set_num_threads(1)  # tiny tensors; workers run side by side

    def emit(event):
        conn.send_bytes(json.dumps(event).encode())

    skip = set(request.get("skip", []))
    for level_text, path in request["files"].items():
        level = int(level_text)
        if all(check.id in skip for check in checks_for_level(level)):
            continue  # every check of this level has its result from an earlier child
        load_and_probe(level, path, request["device"], request["solutions"], emit, skip)
    emit({"done": True})
    conn.close()
    os._exit(0)  # skip interpreter teardown: student objects' __del__ must not run after the results
