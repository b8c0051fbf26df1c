"""What a sandbox reaches through descriptors, and what it holds in memory, seen from inside.

Submissions run in the real sandbox, with the grader as root and as an unprivileged user: one
opens and writes every descriptor it can see in /proc (bwrap's pid 1's included), one hoards
memory in memfd files, which no process maps, under a memory cap. Plain sandboxes (no torch)
show what the grader's memory watch counts (tmpfs and memfd files, nothing of the machine's
while bwrap sets up) and that nothing but the capped tmpfs takes writes.
"""

import json
import os
import subprocess
import sys

import pytest

from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from autograder.sandbox import jail, runner
from tests.sandbox_users import MODES, give_to, grading_as

pytestmark = pytest.mark.slow

REFERENCE = (SOLUTIONS_DIR / "level1_manual.py").read_text()
MARK = "written-from-the-sandbox"

# this tree's kit, for every user (setpriv --reset-env drops PYTHONPATH)
THIS_KIT = f"import sys\nsys.path.insert(0, {str(REPO_ROOT)!r})\n"

# the grader: probe one level file in the sandbox, print the raw results and the isolation line
GRADER = THIS_KIT + """
import json, sys
from pathlib import Path
from autograder.config import Limits
from autograder.sandbox import caps
from autograder.sandbox.runner import probe_sealed
import os
os.environ["AUTOGRADER_ZYGOTE"] = sys.argv[3]  # setpriv --reset-env drops the environment
limits = Limits(check_seconds=30, startup_seconds=120, memory_mb=int(sys.argv[2]))
results = probe_sealed({1: Path(sys.argv[1])}, "cpu", limits, {}, challenge=1)[1]
print(json.dumps({"results": results, "isolation": caps.describe()}))
"""

# every /proc/PID/fd entry visible: opened for writing (without blocking on a pipe nobody reads)
# and written; its own channel (a pipe of its own process) is opened but not written
TRY_EVERY_DESCRIPTOR = f"""
import json, os, stat
me, seen, first, writable = os.getpid(), 0, {{}}, []
for pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int):
    try:
        fds = os.listdir(f"/proc/{{pid}}/fd")
    except OSError:
        continue
    for fd in fds:
        path = f"/proc/{{pid}}/fd/{{fd}}"
        try:
            target = os.readlink(path)
        except OSError:
            continue
        seen += 1
        if pid == "1":
            first[fd] = target
        try:
            out = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_APPEND)
        except OSError:
            continue
        try:
            own = int(pid) == me and stat.S_ISFIFO(os.fstat(out).st_mode)
            if not own:
                os.write(out, b"{MARK}\\n")
            writable.append(f"{{pid}}:{{fd}}:{{target}}" + (":own" if own else ""))
        except OSError:
            pass
        finally:
            os.close(out)
raise RuntimeError("REPORT" + json.dumps({{"me": me, "seen": seen, "pid1": first, "writable": writable}}))
"""

# 800 MB in memfd files no process maps: 16 MB a file, the most RLIMIT_FSIZE lets one hold
HOARD_MEMFD = """
import os, time
chunk, held = b"x" * 2**24, []
for _ in range(50):
    fd = os.memfd_create("hoard")
    os.write(fd, chunk)
    held.append(fd)
time.sleep(60)
"""


def at_import(code):
    return REFERENCE.replace("import torch\n", "import torch\n" + code + "\n", 1)


def grade_as(mode, level_text, memory_mb=1024, forks=True):
    """forks=False: a fresh sandbox per student (AUTOGRADER_ZYGOTE=0), the fallback where forks cannot isolate."""
    with grading_as(mode) as (prefix, folder):
        level = folder / "level1_manual.py"
        level.write_text(level_text)
        give_to(mode, folder)
        with open(folder / "grader.out", "w+") as out, open(folder / "grader.err", "w+") as err:
            done = subprocess.run([*prefix, sys.executable, "-c", GRADER, str(level), str(memory_mb),
                                   "1" if forks else "0"], cwd=folder,
                                  env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT)},
                                  stdout=out, stderr=err, timeout=300)
            out.seek(0), err.seek(0)
            printed, logged = out.read(), err.read()
        assert done.returncode == 0, logged[-3000:]
        # nothing of the grader's in that folder took a write: its logs, the submission
        assert level.read_text() == level_text
        touched = [p.name for p in folder.rglob("*") if p.is_file() and p != level and MARK.encode() in p.read_bytes()]
        assert touched == [], touched
    return json.loads(printed)


@pytest.mark.parametrize("mode", MODES)
def test_a_fork_reaches_only_its_own_descriptors(mode):
    """A zygote's fork is pid 1 of its own PID namespace, with a /proc of that namespace (its own
    descriptors: /dev/null and its result channel) or, where bubblewrap's /proc is not fully visible
    (as root), an empty one: never the zygote's or the grader's descriptors."""
    graded = grade_as(mode, at_import(TRY_EVERY_DESCRIPTOR))
    message = graded["results"]["load_error"]["message"]
    report = json.loads(message[message.index("REPORT") + len("REPORT"):])
    assert report["me"] == 1 and set(report["pid1"].values()) <= {"/dev/null"} | {
        w.split(":", 2)[2].removesuffix(":own") for w in report["writable"] if w.endswith(":own")}, report
    leaks = [w for w in report["writable"] if not (w.endswith(":/dev/null") or w.endswith(":own"))]
    assert leaks == [] and len([w for w in report["writable"] if w.endswith(":own")]) <= 1, report


@pytest.mark.parametrize("mode", MODES)
def test_no_descriptor_in_reach_leads_to_the_grader(mode):
    graded = grade_as(mode, at_import(TRY_EVERY_DESCRIPTOR), forks=False)
    message = graded["results"]["load_error"]["message"]
    assert "REPORT" in message, message
    report = json.loads(message[message.index("REPORT") + len("REPORT"):])
    assert report["seen"] > 0 and report["pid1"], report  # it saw bwrap's pid 1 and its descriptors
    # writable: /dev/null, and the child's own result channel (bounded by the protocol's budget)
    leaks = [w for w in report["writable"] if not (w.endswith(":/dev/null") or w.endswith(":own"))]
    assert leaks == [], report
    assert len([w for w in report["writable"] if w.endswith(":own")]) <= 1, report
    assert set(report["pid1"]) >= {"0", "1", "2"}, report
    assert report["pid1"]["0"] == report["pid1"]["1"] == "/dev/null", report
    assert report["pid1"]["2"].startswith("pipe:"), report  # bwrap's stderr: the grader closed its end at the hello


@pytest.mark.parametrize("mode", MODES)
def test_memory_in_memfd_files_counts_toward_the_cap(mode):
    graded = grade_as(mode, at_import(HOARD_MEMFD), memory_mb=512)
    if mode == "user":
        assert "memory watched" in graded["isolation"], graded["isolation"]  # the grader's watch, not a cgroup
    error = graded["results"]["load_error"]
    assert error.get("diagnosis") == "out_of_memory", error
    assert "memory limit (512 MB)" in error["message"], error


# a sandbox (no torch) that holds memory no process maps, once it reads a line: 48 MB each in
# /tmp, home and /dev/shm (unlinked, still open) and in three 16 MB memfd files
HOLDER = """
import os, sys
print("start", flush=True)
sys.stdin.readline()
chunk, held = b"x" * 2**24, []
for path in ("/tmp/a", "/home/student/b", "/dev/shm/c"):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    for _ in range(3):
        os.write(fd, chunk)
    held.append(fd)
os.unlink("/dev/shm/c")
for _ in range(3):
    fd = os.memfd_create("held")
    os.write(fd, chunk)
    held.append(fd)
del chunk
print("held", flush=True)
sys.stdin.readline()
"""

MEASURE = THIS_KIT + """
import json, subprocess, sys, tempfile
from autograder.sandbox import caps, jail
with tempfile.TemporaryDirectory() as workdir:
    jail.write_identity(workdir)
    argv = jail.command({}, workdir)
    argv = argv[: argv.index("--")] + ["--", sys.executable, "-I", "-c", sys.argv[1]]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "start\\n"
    before = caps.held_bytes(proc.pid)
    proc.stdin.write("\\n"); proc.stdin.flush()
    assert proc.stdout.readline() == "held\\n"
    after = caps.held_bytes(proc.pid)
    proc.stdin.write("\\n"); proc.stdin.flush()
    proc.wait(30)
print(json.dumps({"before": before, "after": after}))
"""


@pytest.mark.parametrize("mode", MODES)
def test_the_watch_counts_tmpfs_and_memfd_files_once(mode):
    with grading_as(mode) as (prefix, folder):
        give_to(mode, folder)
        done = subprocess.run([*prefix, sys.executable, "-c", MEASURE, HOLDER], cwd=folder, capture_output=True,
                              text=True, timeout=120,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    measured = json.loads(done.stdout)
    grew_mb = (measured["after"] - measured["before"]) / 2**20
    assert 4 * 48 - 8 <= grew_mb < 4 * 48 + 32, measured  # the unlinked /dev/shm file counted once, not twice


# a sandbox held while bwrap sets it up (--userns-block-fd, which --disable-userns excludes): its
# pid 1 is in a mount namespace of its own whose /tmp is still the machine's
DURING_SETUP = THIS_KIT + """
import json, os, re, subprocess, sys, tempfile, time
from autograder.sandbox import caps, jail
with tempfile.TemporaryDirectory() as workdir:
    jail.write_identity(workdir)
    argv = jail.command({}, workdir)
    argv = [a for a in argv[: argv.index("--")] if a != "--disable-userns"] + ["--", "/bin/true"]
    block_r, block_w = os.pipe()
    info_r, info_w = os.pipe()
    argv[1:1] = ["--userns-block-fd", str(block_r), "--info-fd", str(info_w)]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            pass_fds=(block_r, info_w), start_new_session=True)  # as the grader starts bwrap
    os.close(block_r), os.close(info_w)
    first = int(re.search(rb'"child-pid": (\\d+)', os.read(info_r, 4096)).group(1))  # bwrap's pid 1, here
    time.sleep(0.2)
    held, processes = caps.held_bytes(proc.pid), len(caps._descendants(proc.pid))
    caps._end(proc)  # what the watch does past the cap
    proc.wait()
    time.sleep(0.5)
    try:  # a zombie is dead, waiting for this machine's init to reap it
        left = open(f"/proc/{first}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        left = False
    if left:  # it would wait forever, before its mounts
        os.kill(first, 9)
print(json.dumps({"held": held, "processes": processes, "pid 1 left": left}))
"""


@pytest.mark.parametrize("mode", MODES)
def test_the_watch_counts_nothing_of_the_machine_while_bwrap_sets_up(mode):
    with grading_as(mode) as (prefix, folder):
        give_to(mode, folder)
        done = subprocess.run([*prefix, sys.executable, "-c", DURING_SETUP], cwd=folder, capture_output=True,
                              text=True, timeout=120,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    measured = json.loads(done.stdout)
    assert measured["processes"] == 2, measured  # bwrap and its pid 1, blocked before its mounts
    assert measured["held"] < 16 * 2**20, measured
    assert not measured["pid 1 left"], measured  # ending the sandbox then ends its pid 1 too


# what a sandbox could fill beyond the watch's view: bwrap's own tmpfs (/ and /dev, no size cap),
# or a tmpfs of its own mounted in a nested user namespace
ESCAPES = """
import ctypes, json, os
tried = {}
for folder in ("/", "/dev", "/etc", "/home", "/opt"):
    try:
        open(os.path.join(folder, "filler"), "w").close()
        tried[folder] = "written"
    except OSError as error:
        tried[folder] = error.strerror
libc = ctypes.CDLL(None, use_errno=True)
tried["unshare"] = "made" if libc.unshare(0x10000000 | 0x00020000) == 0 else os.strerror(ctypes.get_errno())
print(json.dumps(tried))
"""

RUN_IN_SANDBOX = THIS_KIT + """
import subprocess, sys, tempfile
from autograder.sandbox import jail
with tempfile.TemporaryDirectory() as workdir:
    jail.write_identity(workdir)
    argv = jail.command({}, workdir)
    argv = argv[: argv.index("--")] + ["--", sys.executable, "-I", "-c", sys.argv[1]]
    sys.stdout.write(subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60).stdout)
"""


@pytest.mark.parametrize("mode", MODES)
def test_only_its_capped_tmpfs_takes_writes(mode):
    with grading_as(mode) as (prefix, folder):
        give_to(mode, folder)
        done = subprocess.run([*prefix, sys.executable, "-c", RUN_IN_SANDBOX, ESCAPES], cwd=folder,
                              capture_output=True, text=True, timeout=120,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    tried = json.loads(done.stdout)
    assert "written" not in tried.values() and tried["unshare"] != "made", tried


def test_a_sandbox_that_fails_before_its_hello_says_why(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRADER_ZYGOTE", "0")  # a fresh sandbox's command line, broken on purpose
    real = jail.command
    monkeypatch.setattr(jail, "command", lambda *args, **kwargs: (
        lambda argv: argv[:1] + ["--ro-bind", "/no/such/source", "/x"] + argv[1:])(real(*args, **kwargs)))
    level = tmp_path / "level1_manual.py"
    level.write_text(REFERENCE)
    with pytest.raises(runner.NotGraded) as raised:
        runner.probe_sealed({1: level}, "cpu", runner.Limits(startup_seconds=60), {}, challenge=1)
    assert "the sandbox ended before starting (exit 1: bwrap: Can't find source path /no/such/source" \
        in str(raised.value), str(raised.value)
