"""The zygote: one warm interpreter per grading worker, inside a bubblewrap sandbox of its own, that
forks a fresh child for every student's check. It never runs student code.

Started by autograder.sandbox.zygote (the judge side) as `python -I -c BOOT` with one descriptor, a
Unix socket (SOCK_SEQPACKET) to the grader. It imports torch and the probe side's shared code (no
level's probes, no given piece: a child imports only its own check's), warms them, says hello and
then, for each message, forks. The grader sends a fork order with four descriptors of its own making:
the child's request and result channel (as a plain sandbox gets them), its stderr until the hello,
and a status socket.

Each fork is one process, made by clone(2) straight into new user, mount, PID, network, IPC and UTS
namespaces (one copy of the zygote's memory per check: a fork, then an unshare, then an init and its
child would be three). It is pid 1 of its PID namespace, so everything it starts dies with it, and
signals it sends itself from inside are ignored (a kernel's fault, an outside kill, the OOM killer
still end it). Before any student code, it:
  maps its uid, tells the grader its pid over the status socket (SCM_CREDENTIALS: the kernel
  translates it into the grader's PID namespace) and waits there until the grader has put it in the
  student's cgroups; mounts private tmpfs for /tmp, /dev/shm and home and a /proc of its own, and
  /dev/null over the files of the given pieces its check does not hand over (GIVEN); drops
  every capability, sets no_new_privs and a filter against new user namespaces; closes the status
  socket and every descriptor of the zygote's; then autograder.probe.child.serve: the request, the
  level files (sent as contents), the limits, hello, the steps.
The zygote sends the grader the child's exit status on the status socket when it reaps it. The zygote
is not dumpable: no ptrace, no /proc/<pid>/mem or fd listing reaches it, and no child's PID namespace
names it.
"""

import array
import gc
import glob
import json
import os
import select
import signal
import socket
import struct
import sys
import traceback

from autograder.probe import isolate
from autograder.probe.child import serve

HOME = "/home/student"
PROBE_DIR = os.path.dirname(os.path.abspath(__file__))
MAX_ORDER = 4096
FDS_PER_ORDER = 4


def boot_command(kit_parent, control_fd):
    return (f"import sys; sys.path.insert(0, {str(kit_parent)!r}); "
            f"from autograder.probe.zygote import main; main({int(control_fd)})")


def warm():
    """What every child would otherwise import and pay for: torch, torch._dynamo (an optimizer's
    first step and the meta device load it) and the probe side's shared code."""
    import torch  # heavy: the reason the zygote exists

    torch.set_num_threads(1)  # before any parallel region: no thread pool for a fork to break
    from autograder.probe import child, run  # noqa: F401  # heavy: torch; no level's probes

    child.warm_up()
    import nbformat  # noqa: F401  # heavy: a notebook's code is read in the child, under its limits

    gc.collect()
    gc.freeze()  # a fork's collector never walks (and so never copies) the zygote's objects


def receive(control):
    """(order, [fds]) or (None, []) when the grader closed the socket; a malformed order's descriptors
    are closed here (no later fork inherits them) and it raises ValueError."""
    fds = array.array("i")
    message, ancillary, _, _ = control.recvmsg(MAX_ORDER, socket.CMSG_SPACE(FDS_PER_ORDER * fds.itemsize))
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    if not message:
        return None, list(fds)
    try:
        return json.loads(message), list(fds)
    except ValueError:
        for fd in fds:
            os.close(fd)
        raise


def main(control_fd):
    errors = os.dup(2)
    try:
        isolate.prctl(isolate.PR_SET_DUMPABLE, 0)  # no ptrace, /proc/<pid>/mem or fd listing of the zygote
        control = socket.socket(fileno=control_fd)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):
            os.dup2(null, fd)
        os.close(null)
        warm()
        threads = len(os.listdir("/proc/self/task"))
        if threads != 1:  # a raw clone copies one thread: a lock another one held would stay held in every fork
            raise RuntimeError(f"the warm interpreter has {threads} threads; it forks only with one")
    except BaseException:  # before the hello, every failure is the grader's: its traceback goes to its log
        os.write(errors, traceback.format_exc().encode(errors="replace"))
        os._exit(1)
    control.send(b'{"hello": 1}')
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)  # bubblewrap's stderr is the grader's until the hello only
    os.close(null)
    os.close(errors)
    serve_orders(control)


def serve_orders(control):
    """Fork for every order until the grader closes the socket; send each child's exit status."""
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)  # a child's end wakes the select below
    signal.signal(signal.SIGCHLD, lambda *_: None)
    uid, gid = os.getuid(), os.getgid()
    children = {}  # pid -> status socket: where its exit status goes
    while True:
        ready, _, _ = select.select([control, wake_r], [], [])
        if wake_r in ready:
            while True:
                try:
                    if not os.read(wake_r, 512):
                        break
                except BlockingIOError:
                    break
        reap(children)
        if control not in ready:
            continue
        try:
            order, fds = receive(control)
        except (OSError, ValueError):  # a malformed order is the grader's bug: it sees the fork never start
            continue
        if order is None:
            os._exit(0)  # the grader is done with this zygote
        if len(fds) != FDS_PER_ORDER:
            for fd in fds:
                os.close(fd)
            continue
        request_fd, channel_fd, errors_fd, status_fd = fds
        status = socket.socket(fileno=status_fd)
        try:
            pid = isolate.clone(isolate.ALL_NAMESPACES)
        except OSError as error:  # the kernel refused: said to the grader, which turns the forks off
            try:
                os.write(errors_fd, f"clone: {error}\n".encode())
                status.send(b'{"exit": 75}')
            except OSError:  # the grader gave up on it already
                pass
            pid = None
        if pid == 0:
            inherited = [control, *children.values()]
            child(order, uid, gid, status, inherited, (wake_r, wake_w), request_fd, channel_fd, errors_fd)
        for fd in (request_fd, channel_fd, errors_fd):
            os.close(fd)
        if pid:
            children[pid] = status
        else:
            status.close()


def reap(children):
    """Send the status of every child that ended to its grader, and forget it."""
    while True:
        try:
            pid, code = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        status = children.pop(pid, None)
        if status is not None:
            try:
                status.send(json.dumps({"exit": os.waitstatus_to_exitcode(code)}).encode())
            except OSError:  # the grader already gave up on it
                pass
            status.close()


def child(order, uid, gid, status, inherited, wake, request_fd, channel_fd, errors_fd):
    """pid 1 of fresh namespaces: isolate, then serve the request; never returns."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for sock in inherited:  # no child holds the zygote's socket or a sibling's status
            sock.close()
        for fd in wake:
            os.close(fd)
        isolate.prctl(isolate.PR_SET_PDEATHSIG, signal.SIGKILL)  # the zygote's end ends every child
        # /proc/self of a process that is not dumpable belongs to root, whom an unprivileged grader's
        # namespaces do not map: dumpable while it writes its own maps (no student code has run yet)
        isolate.prctl(isolate.PR_SET_DUMPABLE, 1)
        isolate.map_user(uid, gid)
        isolate.prctl(isolate.PR_SET_DUMPABLE, 0)
        credentials = struct.pack("iII", os.getpid(), os.getuid(), os.getgid())
        status.sendmsg([b"pid"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, credentials)])
        if status.recv(16) != b"go":  # the grader could not cap this child: it never runs
            os._exit(71)
        # the Python folders a new tmpfs would cover (a virtual environment under /tmp): bound back
        kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in order["keep"]]
        isolate.mount(None, "/", None, isolate.MS_REC | isolate.MS_PRIVATE)  # nothing mounted here leaves
        isolate.private_tmpfs("/tmp", order["tmpfs_bytes"])
        isolate.private_tmpfs("/dev/shm", order["tmpfs_bytes"])
        isolate.private_tmpfs(HOME, order["home_bytes"])
        for path, fd in kept:
            os.makedirs(path, exist_ok=True)
            isolate.mount(f"/proc/self/fd/{fd}", path, None, isolate.MS_BIND | isolate.MS_REC)
            os.close(fd)
        for name in order["mask"]:  # the given pieces this check does not hand over: no file to import
            if name.isidentifier():
                compiled = glob.glob(os.path.join(PROBE_DIR, "__pycache__", f"{name}.*.pyc"))
                for path in [os.path.join(PROBE_DIR, f"{name}.py"), *compiled]:  # nor a .pyc to unmarshal
                    isolate.mount("/dev/null", path, None, isolate.MS_BIND)
        isolate.private_proc()
        isolate.drop_capabilities()
        if not isolate.forbid_user_namespaces():
            os._exit(73)  # without the filter a child could mount a tmpfs past every cap: never run one
        status.close()
        os.setsid()
        # dumpable again: an unprivileged grader's memory watch reads its descriptors, and nothing
        # outside its PID namespace can name it
        isolate.prctl(isolate.PR_SET_DUMPABLE, 1)
    except BaseException:  # before any student code: the grader's failure, said on its startup log
        os.write(errors_fd, traceback.format_exc().encode(errors="replace"))
        os._exit(70)
    try:
        serve(request_fd, channel_fd, errors_fd, receive_files=True)
    finally:
        os._exit(0)  # whatever happened, never back into the zygote's loop


if __name__ == "__main__":
    main(int(sys.argv[1]))
