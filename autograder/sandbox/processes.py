"""The sandboxes this process has running, so that one call can end them all (Ctrl-C, or a batch
ending on an error) and no new one starts after it."""

import os
import signal
import subprocess
import threading

from autograder.errors import NotGraded

_live_lock = threading.Lock()
_live = set()
_stopping = threading.Event()


def kill_all():
    """End every sandbox this process started, and start no new one: a worker thread still grading
    sees NotGraded."""
    _stopping.set()
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        kill(proc)


def allow_sandboxes():
    """A new batch in this process may start sandboxes again."""
    _stopping.clear()


def kill(proc):
    if getattr(proc, "pidfd", False) is not False:  # a zygote's fork signals through its pidfd, by itself
        proc.kill()
        return
    for send in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
        try:
            send()
        except (ProcessLookupError, PermissionError, OSError):
            pass


def end_sandbox(proc):
    """Kill a sandbox (a Popen of bwrap, or a zygote's fork), reap it, and drop it from the live set."""
    kill(proc)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
    forget(proc)


def require_running():
    if _stopping.is_set():
        raise NotGraded("grading was stopped")


def register(start):
    """Start a sandbox with start() and keep it in the live set, unless grading is stopping (checked
    under the lock, so kill_all cannot miss it)."""
    with _live_lock:
        require_running()
        proc = start()
        _live.add(proc)
    return proc


def forget(proc):
    with _live_lock:
        _live.discard(proc)
