"""The probe side: the program that runs inside a student's sandbox. It never judges.

Started as `python -I -c BOOT` by autograder.sandbox.runner (the judge side), with the request
(plain JSON) on stdin and the result channel on stdout. Before any student code runs it moves the channel to a
private descriptor, points stdin, stdout and stderr at /dev/null, takes its resource limits,
imports torch and the probes, and says hello. Then, for each step the grader asked for, in
order: import a level file (notebooks are turned into code here, under the sandbox's limits) or
run one probe, and send the plain result. Nothing the reference solution holds is in here.
"""

import json
import os
import resource
import signal
import sys

MAX_REQUEST = 1 * 2**20


def boot_command(kit_parent):
    """The -c program that starts main() with the kit importable from kit_parent, before anything else."""
    return (f"import sys; sys.path.insert(0, {str(kit_parent)!r}); "
            "from autograder.probe.child import main; main()")


def read_request():
    data = b""
    while len(data) <= MAX_REQUEST:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        data += chunk
    return json.loads(data[:MAX_REQUEST])


def take_channel():
    """The channel becomes a descriptor no child process inherits; 0, 1 and 2 lead nowhere."""
    channel = os.dup(1)  # os.dup makes it non-inheritable
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    sys.stdin = open(os.devnull)
    sys.stdout = open(os.devnull, "w")
    sys.stderr = open(os.devnull, "w")
    return channel


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
    import torch
    import torch._dynamo  # noqa: F401
    (torch.ones(2, device="meta") * 2).sum()


def main():
    from autograder.probe.protocol import write_frame

    errors = os.dup(2)  # until the hello, a failure is the grader's: it goes to the grader's log
    try:
        request = read_request()
        channel = take_channel()
        take_limits(request["limits"])
        os.chdir(request["workdir"])

        import torch

        from autograder.probe.run import run_steps

        torch.set_num_threads(1)  # tiny tensors, and the CPU is shared with classmates
        warm_up()
    except BaseException:
        import traceback

        os.write(errors, traceback.format_exc().encode(errors="replace"))
        os._exit(1)
    os.close(errors)
    write_frame(channel, {"hello": 1})
    run_steps(request, lambda event: write_frame(channel, event))
    write_frame(channel, {"done": True})
    os._exit(0)  # no interpreter teardown: student objects' __del__ must not run after the results
