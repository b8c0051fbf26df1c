"""The judge side of the zygote (autograder.probe.zygote): warm interpreters, each in a bubblewrap
sandbox of its own, leased to one student's grading at a time and asked for a fresh fork for every
check.

A fork is handed the same descriptors a fresh sandbox gets (request, result channel, stderr until the
hello), plus a status socket: over it the fork tells its pid (translated by the kernel into this
process's PID namespace, SCM_CREDENTIALS) and waits until this process has put it in the student's
cgroups; the zygote sends its exit status there once it has reaped it. Forked is the handle the
runner holds in place of a Popen: kill() goes through a pidfd, so a pid the kernel reused is never
signalled.

Where a zygote's children cannot isolate themselves (no nested user namespaces, a kernel without
seccomp), the first refusal turns the zygote off for the process's life and says why
(unavailable()); the runner then starts a fresh sandbox per student, as before.
"""

import array
import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

from autograder.config import ZYGOTE_VARIABLE, zygote_wanted
from autograder.errors import NotGraded, UsageError
from autograder.sandbox import jail
from autograder.sandbox.processes import end_sandbox, register

REFUSED = {70: "its first process could not isolate itself", 71: "it was not capped",
           73: "no seccomp filter for this machine's architecture",
           75: "the kernel refused a process in new namespaces"}
_lock = threading.Lock()
_all = []  # every zygote this process started and has not closed
_idle = []  # started, and no grading holds them
MAX_IDLE = os.cpu_count() or 1
_refused = []  # why the zygote is off for this process (the first child that could not isolate)


class ForkFailed(NotGraded):
    """A fork the zygote did not start: the grader's failure, never the student's."""


class ForkRefused(ForkFailed):
    """The kernel makes no process in new namespaces here: the forks are off (fresh sandboxes)."""


def unavailable(device="cpu"):
    """None where students' checks run in zygote forks; else why they get fresh sandboxes."""
    if not zygote_wanted():
        return f"{ZYGOTE_VARIABLE}=0"
    if device != "cpu":
        return f"--device {device}: the zygote initialises no CUDA before forking"
    if _refused:
        return _refused[0]
    return jail.check_available()


def refuse(why):
    with _lock:
        if not _refused:
            _refused.append(why)


class Zygote:
    """A started zygote; ready() waits for its hello (once), so a zygote can start long before use."""

    def __init__(self):
        self.errors_r = None
        self.workdir = tempfile.mkdtemp(prefix="zygote-")
        jail.write_identity(self.workdir)
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        errors_r, errors_w = os.pipe()
        try:
            argv = jail.zygote_command(self.workdir, theirs.fileno())
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
            self.proc = register(lambda: subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors_w, env=env,
                pass_fds=(theirs.fileno(),), start_new_session=True, close_fds=True))
        finally:
            theirs.close()
            os.close(errors_w)
        self.errors_r, self.started = errors_r, time.monotonic()

    def ready(self, startup_seconds):
        if self.errors_r is None:
            return
        try:
            self._hello(max(0.0, startup_seconds - (time.monotonic() - self.started)), self.errors_r)
        except BaseException:
            self.close()
            raise
        os.close(self.errors_r)
        self.errors_r = None

    def _hello(self, seconds, errors_r):
        ready, _, _ = select.select([self.control], [], [], seconds)
        message = self.control.recv(64) if ready else b""
        if message != b'{"hello": 1}':
            os.set_blocking(errors_r, False)
            try:
                text = os.read(errors_r, 4000).decode(errors="replace").strip().splitlines()
            except BlockingIOError:
                text = []
            why = text[-1][:300] if text else ("no hello within %g s" % seconds if not ready else "no hello")
            raise ForkFailed(f"the grader could not start its warm interpreter ({why})")

    def alive(self):
        return self.proc.poll() is None

    def fork(self, order, request_r, channel_w, errors_w, startup_seconds):
        """A Forked child for these descriptors (the caller closes its copies), started but not yet let go."""
        status, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        status.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)  # before the child can write: its pid
        try:
            fds = array.array("i", [request_r, channel_w, errors_w, theirs.fileno()])
            # one message, whole: threads grading one student's checks at once share this zygote
            self.control.sendmsg([json.dumps(order).encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
        except OSError as error:
            status.close()
            raise ForkFailed(f"the warm interpreter took no order ({error})") from None
        finally:
            theirs.close()
        return Forked(status, startup_seconds)

    def close(self):
        if getattr(self, "closed", False):  # once: a second kill could reach a pid reused since
            return
        self.closed = True
        if self.errors_r is not None:
            os.close(self.errors_r)
            self.errors_r = None
        if not hasattr(self, "proc"):
            return
        end_sandbox(self.proc)
        self.control.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Forked:
    """One fork: pid (in this process's namespace), start(cgroup files), kill(), wait(), poll()."""

    CREDENTIALS = struct.Struct("iII")

    def __init__(self, status, seconds):
        self.status, self.code, self.pidfd = status, None, None
        try:
            self._handshake(seconds)
        except BaseException:
            self.close()
            raise

    def _handshake(self, seconds):
        ready, _, _ = select.select([self.status], [], [], seconds)
        if not ready:
            raise ForkFailed(f"the warm interpreter did not fork within {seconds:g} s")
        message, ancillary, _, _ = self.status.recvmsg(64, socket.CMSG_SPACE(self.CREDENTIALS.size))
        if message.startswith(b'{"exit"'):  # no child at all: the zygote says why it made none
            code = json.loads(message)["exit"]
            raise (ForkRefused if code in REFUSED else ForkFailed)(
                f"the warm interpreter made no fork ({REFUSED.get(code, f'exit {code}')})")
        pid = None
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(data) >= self.CREDENTIALS.size:
                pid = self.CREDENTIALS.unpack_from(data)[0]
        if message != b"pid" or not pid or pid <= 0:
            raise ForkFailed("the warm interpreter's fork did not say its pid")
        self.pid = pid
        try:
            self.pidfd = os.pidfd_open(pid)  # from now on, signals reach this process or none
        except OSError as error:  # Linux before 5.3, or the fork already gone
            raise ForkFailed(f"no pidfd for the warm interpreter's fork ({error})") from None

    def start(self, cgroup_files):
        """Put the fork in the student's cgroups, then let it isolate itself and run."""
        for path in cgroup_files:
            try:
                with open(path, "w") as f:
                    f.write(str(self.pid))
            except OSError as error:
                raise ForkFailed(f"could not put the fork in its cgroup ({error})") from None
        self.status.sendall(b"go")

    def kill(self):
        if self.code is None and self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)  # its namespace's init follows (pdeathsig)
            except OSError:
                pass

    def poll(self):
        return self.wait(0) if self.code is None else self.code

    def wait(self, timeout=None):
        if self.code is not None:
            return self.code
        deadline = None if timeout is None else time.monotonic() + timeout
        data = b""
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.status], [], [], left)
            if not ready:
                if timeout == 0:
                    return None
                raise subprocess.TimeoutExpired("zygote fork", timeout)
            chunk = self.status.recv(4096)
            if not chunk:
                break
            data += chunk
        try:
            self.code = int(json.loads(data)["exit"])
        except (ValueError, KeyError, TypeError):
            self.code = -signal.SIGKILL  # no status: the zygote ended before it could send one
        self.close()
        return self.code

    def refused(self):
        """Why this fork could not isolate itself, when its exit status says so (after wait())."""
        return REFUSED.get(self.code)

    def close(self):
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.status.close()  # a socket closes once, however often this is called


def prestart(count=1):
    """Start count zygotes now (without waiting for them): the gradings that begin next lease them."""
    try:
        if unavailable() is not None:
            return
    except UsageError:  # said by the command's own checks, before any grading
        return
    with _lock:  # never more idle ones than the pool keeps: a long-lived process calls this again and again
        for zygote in [z for z in _idle if not z.alive()]:
            _idle.remove(zygote)
            _forget(zygote)
        wanted = min(count, MAX_IDLE) - len(_idle)
    for _ in range(max(0, wanted)):
        try:
            zygote = Zygote()
        except (OSError, NotGraded):  # no harm: the grading that needs one starts its own, and says why
            return
        with _lock:
            _all.append(zygote)
            _idle.append(zygote)


@contextlib.contextmanager
def lease(startup_seconds):
    """A ready zygote for one student's grading: an idle one, or a new one. It goes back to the idle
    ones after (at most MAX_IDLE are kept; a zygote that died, or whose starting thread ended, is
    dropped), so a long-lived process (a test run, a Dask worker) holds a bounded number."""
    with _lock:
        while _idle and not _idle[-1].alive():
            _forget(_idle.pop())
        zygote = _idle.pop() if _idle else None
    if zygote is None:
        zygote = Zygote()
        with _lock:
            _all.append(zygote)
    try:
        zygote.ready(startup_seconds)
    except BaseException:
        with _lock:
            _forget(zygote)
        raise
    try:
        yield zygote
    finally:
        with _lock:
            keep = zygote.alive() and len(_idle) < MAX_IDLE
            if keep:
                _idle.append(zygote)
        if not keep:
            zygote.close()
            with _lock:
                _forget(zygote)


def _forget(zygote):
    if zygote in _all:
        _all.remove(zygote)
    zygote.close()


@atexit.register
def close_all():
    with _lock:
        zygotes = list(_all)
        _all.clear()
        _idle.clear()
    for zygote in zygotes:
        try:
            zygote.close()
        except OSError:  # already gone: nothing left to end
            pass
