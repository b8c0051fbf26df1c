"""The probe side: the program that runs inside a student's sandbox. It never judges.

Started as `python -I -c BOOT` by autograder.sandbox.runner (the judge side), with the request
(one frame of plain JSON) on one descriptor and the result channel on another (stdin and stdout
without a sandbox). Before any student code runs it moves both to private descriptors, points
stdin, stdout and stderr at /dev/null, reads the request, takes its resource limits, imports
torch and the probes, and says hello; it then waits for the grader to close the request pipe,
which the grader does once it has stopped reading the sandbox's stderr. Then, for each step the
grader asked for, in order: import a level file (notebooks are turned into code here, under the
sandbox's limits) or run one probe, and send the plain result. Nothing the reference solution
holds is in here.
"""

import fcntl
import json
import os
import resource
import signal
import struct
import sys
import traceback

from autograder.probe.protocol import HEADER, Seal, write_frame

MAX_REQUEST = 1 * 2**20
MAX_FILE = 64 * 2**20  # the grader sends at most its own cap (MAX_LEVEL_FILE)


def boot_command(kit_parent, request_fd=0, channel_fd=1):
    """The -c program that starts main() with the kit importable from kit_parent, before anything else."""
    return (f"import sys; sys.path.insert(0, {str(kit_parent)!r}); "
            f"from autograder.probe.child import main; main({int(request_fd)}, {int(channel_fd)})")


def _read_exactly(fd, count):
    data = b""
    while len(data) < count:
        chunk = os.read(fd, count - len(data))
        if not chunk:
            raise EOFError("the request ended early")
        data += chunk
    return data


def read_request(fd):
    (length,) = HEADER.unpack(_read_exactly(fd, HEADER.size))
    if length > MAX_REQUEST:
        raise ValueError(f"a request of {length} bytes")
    return json.loads(_read_exactly(fd, length))


def wait_for_start(fd):
    """Until the grader closes the request pipe: by then it reads nothing the sandbox writes but
    the result channel."""
    while os.read(fd, 4096):
        pass
    os.close(fd)


def take_descriptors(request_fd, channel_fd):
    """The request and the channel move to descriptors no child process inherits, and their
    originals are closed (reopened through /proc, they would lead to the grader's pipes); 0, 1 and
    2 lead nowhere. (request, channel)."""
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3) for fd in (request_fd, channel_fd)]  # not 0-2: see below
    for fd in {request_fd, channel_fd} - {0, 1, 2}:
        os.close(fd)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if null > 2:
        os.close(null)
    sys.stdin = open(os.devnull)
    sys.stdout = open(os.devnull, "w")
    sys.stderr = open(os.devnull, "w")
    return moved


def limit(kind, value):
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass  # a limit the platform refuses: the sandbox's own caps still hold


def take_limits(limits):
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_NOFILE, limits["open_files"])
    limit(resource.RLIMIT_FSIZE, limits["file_bytes"])
    if limits.get("processes"):  # per sandbox: it has a user namespace of its own
        limit(resource.RLIMIT_NPROC, limits["processes"])
    if limits.get("process_memory_mb"):  # where no cgroup caps the sandbox as a whole
        memory = limits["process_memory_mb"] * 2**20
        limit(resource.RLIMIT_DATA, memory)  # not RLIMIT_AS: it breaks `import torch`
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the cap fails; it does not kill


def warm_up():
    """Pay torch's one-time lazy imports before the hello, on the grader's clock rather than a
    check's: the first optimizer step and the first meta-device operation import torch._dynamo
    (about 1.5 s of CPU), which would otherwise eat into the deadline of whichever check came first."""
    import torch  # heavy: the caller decides when torch is imported (see main)
    import torch._dynamo  # noqa: F401  # heavy: the lazy import this pays for
    (torch.ones(2, device="meta") * 2).sum()


def main(request_fd=0, channel_fd=1):
    serve(request_fd, channel_fd, os.dup(2))  # until the hello, a failure is the grader's: it goes to its log


def serve(request_fd, channel_fd, errors, receive_files=False):
    """Read the request, take its limits, say hello, run the steps. errors: where a failure before the
    hello goes. receive_files: the level files' contents follow the request (a zygote's child, which
    has no view of the grader's folders) and are written into its home here, before any student code."""
    try:
        request_fd, channel = take_descriptors(request_fd, channel_fd)
        request = read_request(request_fd)
        if receive_files:
            write_files(request_fd, request["sent"])
        take_limits(request["limits"])
        os.chdir(request["workdir"])

        # heavy: torch and the probes are imported only now, under the limits just taken
        import torch

        from autograder.probe.run import run_steps  # heavy: imports torch

        torch.set_num_threads(1)  # tiny tensors, and the CPU is shared with classmates
        warm_up()
    except BaseException:  # before the hello, every failure is the grader's: its traceback goes to the log
        os.write(errors, traceback.format_exc().encode(errors="replace"))
        os._exit(1)
    os.close(errors)
    seal = Seal(bytes.fromhex(request.pop("key")))  # out of the request before any student code runs
    write_frame(channel, {"hello": 1}, seal)
    wait_for_start(request_fd)
    run_steps(request, lambda event: write_frame(channel, event, seal))
    write_frame(channel, {"done": True}, seal)
    os._exit(0)  # no interpreter teardown: student objects' __del__ must not run after the results


FILE_HEADER = struct.Struct(">Q")


def write_files(fd, paths):
    """The level files, sent after the request as a length and the bytes each, into read-only files."""
    for path in paths:
        (length,) = FILE_HEADER.unpack(_read_exactly(fd, FILE_HEADER.size))
        if length > MAX_FILE:
            raise ValueError(f"a level file of {length} bytes")
        data = _read_exactly(fd, length)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o444)
