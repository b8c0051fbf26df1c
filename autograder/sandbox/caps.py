"""Caps on a student's sandbox as a whole: memory, processes, CPU.

Where this process may write cgroup v1 controllers (root on most machines) every sandbox gets a
cgroup of its own: memory.limit_in_bytes for the whole student (all its processes together),
pids.max, and one CPU's worth of time (cpu.cfs_quota_us), so busy loops cannot slow classmates.
Where it may not (an unprivileged grader), the fallbacks are:
  memory     the grader sums, every 0.2 s, what the sandbox holds: the proportional memory (PSS)
             of its processes, the files behind their descriptors that live in memory (memfd,
             unlinked shared-memory files: once per file) and the use of its tmpfs mounts; it
             kills the sandbox past the cap (a burst shorter than that can exceed it), and each
             process also has RLIMIT_DATA at the cap;
  processes  RLIMIT_NPROC inside the sandbox's own user namespace (counts only its processes);
  CPU        not capped: processes are few (the cap above), and every step has a deadline.
"""

import os
import signal
import stat
import time
import uuid
from pathlib import Path

from autograder.config import MAX_LEVEL_FILE, PROCESSES, TMPFS_BYTES
from autograder.sandbox.jail import HOME

CGROUP_ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000
POLL_SECONDS = 0.2
TMPFS_MOUNTS = ("/tmp", "/dev/shm", HOME)  # the sandbox's size-capped tmpfs (autograder.sandbox.jail)
HOME_EXTRA = 6 * MAX_LEVEL_FILE  # the most a fork's home grows past TMPFS_BYTES: the level files it holds


def _end(proc):
    """SIGKILL the sandbox's first process and its process group: bwrap's pid 1 is in that group, and
    the PID namespace ends with it (killed while bwrap sets up, pid 1 would not follow its parent).
    A zygote's fork ends through its own handle (a pidfd: its pid may already be another process's);
    always True."""
    if getattr(proc, "pidfd", False) is not False:
        proc.kill()
        return True
    for send in (os.killpg, os.kill):
        try:
            send(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    return True


def _own_cgroup(controller):
    """This process's cgroup folder for a v1 controller, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = CGROUP_ROOT / controller / path.lstrip("/")
            return folder if folder.is_dir() else None
    return None


def _writable(folder):
    return folder is not None and os.access(folder, os.W_OK)


def cgroups_usable():
    return all(_writable(_own_cgroup(c)) for c in ("memory", "pids", "cpu"))


def describe():
    if cgroups_usable():
        failed = (f"; for {len(_cgroup_failures)} sandbox(es) the cgroups could not be made and the grader watched "
                  "memory instead, without a process or CPU cap" if _cgroup_failures else "")
        return "memory, processes and CPU capped per student by cgroups" + failed
    if os.geteuid() == 0:  # the sandbox's user maps to real root, which RLIMIT_NPROC does not bind
        return ("memory watched per student by the grader (sum of proportional memory) and RLIMIT_DATA per "
                "process; PROCESSES AND CPU NOT CAPPED (root without writable cgroup v1 controllers: run the "
                "grader as an unprivileged user there, where RLIMIT_NPROC holds)")
    return ("memory watched per student by the grader (sum of proportional memory) and RLIMIT_DATA per process, "
            "processes capped by RLIMIT_NPROC in the sandbox's user namespace, CPU not capped "
            "(no writable cgroups)")


class CgroupCaps:
    """One cgroup per controller for one sandbox; joined by the sandbox's first process."""

    def __init__(self, memory_mb):
        name = f"autograder-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.folders, self.kills_before = {}, 0
        try:
            for controller in ("memory", "pids", "cpu"):
                folder = _own_cgroup(controller) / name
                folder.mkdir()
                self.folders[controller] = folder
            limit = str(memory_mb * 2**20)
            memory = self.folders["memory"]
            (memory / "memory.limit_in_bytes").write_text(limit)
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():  # with swap accounting: swap counts toward the same cap
                try:
                    swap.write_text(limit)
                except OSError:
                    pass
            (self.folders["pids"] / "pids.max").write_text(str(PROCESSES))
            cpu = self.folders["cpu"]
            (cpu / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
            (cpu / "cpu.cfs_quota_us").write_text(str(CPU_PERIOD_US))  # one CPU
        except BaseException:
            self.close()
            raise

    def join_files(self):
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def _kills(self):
        try:
            control = (self.folders["memory"] / "memory.oom_control").read_text()
            kills = [line.split()[1] for line in control.splitlines() if line.startswith("oom_kill ")]
            return int(kills[0]) if kills else 0
        except (OSError, ValueError, KeyError):
            return 0

    def begin(self):
        """A new process in the same cgroups (a student's next fork): what to count its OOM kills
        from (pass it to memory_exceeded and watch)."""
        return self._kills()

    def memory_exceeded(self, since=None):
        """Whether the OOM killer struck in these cgroups (since a fork began, when given: a student's
        forks, one after another, share its cgroups)."""
        return self._kills() > (self.kills_before if since is None else since)

    def watch(self, proc, since=None):
        """The kernel enforces the caps; once its OOM killer has struck anywhere in the sandbox, end
        the whole sandbox (a killed helper must not leave a half-run step that scores). True then."""
        return self.memory_exceeded(since) and _end(proc)

    def close(self):
        """Kill whatever is left in the cgroups, then remove them."""
        for folder in self.folders.values():
            for _ in range(50):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                time.sleep(0.02)
        for folder in self.folders.values():
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def _descendants(pid):
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
                todo.extend(int(c) for c in children)
        except OSError:
            continue
    return found


def _pss(process):
    try:
        for line in Path(f"/proc/{process}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _sandbox_process(processes):
    """One of processes in a mount namespace other than ours (inside the sandbox), or None."""
    try:
        ours = os.readlink("/proc/self/ns/mnt")
    except OSError:
        return None
    for process in processes:
        try:
            if os.readlink(f"/proc/{process}/ns/mnt") != ours:
                return process
        except OSError:
            continue
    return None


def _tmpfs_bytes(process, devices):
    """Bytes used on the sandbox's tmpfs mounts, seen through process's root; adds their devices.
    Only mounts of the sandbox's tmpfs size count: while bwrap sets up, the same paths still lead
    to the machine's own filesystems."""
    total = 0
    for mount in TMPFS_MOUNTS:
        path = f"/proc/{process}/root{mount}"
        try:
            device, usage = os.stat(path).st_dev, os.statvfs(path)
        except OSError:
            continue
        size = usage.f_blocks * usage.f_frsize
        # a zygote's fork sizes its home for the level files too (autograder.sandbox.runner)
        ours = size == TMPFS_BYTES or (mount == HOME and TMPFS_BYTES < size <= TMPFS_BYTES + HOME_EXTRA)
        if ours and device not in devices:
            devices.add(device)
            total += (usage.f_blocks - usage.f_bfree) * usage.f_frsize
    return total


def _memory_files_bytes(process, skip_devices, seen):
    """Bytes of the in-memory files process holds open (memfd, unlinked shared-memory files) that
    no tmpfs mount counted, each file once across the sandbox (seen: (device, inode) pairs)."""
    total = 0
    folder = f"/proc/{process}/fd"
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        try:
            target = os.readlink(f"{folder}/{name}")
            if not (target.startswith("/memfd:") or target.endswith(" (deleted)")):
                continue
            info = os.stat(f"{folder}/{name}")  # the open file itself; stat never blocks, even on a pipe
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if stat.S_ISREG(info.st_mode) and info.st_dev not in skip_devices and key not in seen:
            seen.add(key)
            total += info.st_blocks * 512  # pages it holds (fallocate can hold them past st_size)
    return total


def held_bytes(pid):
    """The memory pid and all its descendants hold: shared pages split among their sharers (PSS:
    forked children share torch's pages with their parent, and must not count them twice), plus
    what no process maps: in-memory files behind descriptors, and the sandbox's tmpfs mounts."""
    processes = _descendants(pid)
    total = sum(_pss(process) for process in processes)
    devices = set()
    inside = _sandbox_process(processes)
    if inside is not None:  # without a sandbox, /tmp is the machine's own
        total += _tmpfs_bytes(inside, devices)
    seen = set()
    for process in processes:
        total += _memory_files_bytes(process, devices, seen)
    return total


class WatchedCaps:
    """The fallback: the grader polls the sandbox's memory (see the module's docstring)."""

    def __init__(self, memory_mb):
        self.limit = memory_mb * 2**20
        self.exceeded = False
        self._next = 0.0

    def join_files(self):
        return []

    def begin(self):
        """A student's next fork (one at a time under this watch: it sums one fork's processes)."""
        self.exceeded, self._next = False, 0.0

    def watch(self, proc, since=None):
        """Kill the sandbox when it holds more than the cap; True when it did."""
        now = time.monotonic()
        if now < self._next:
            return False
        held = held_bytes(proc.pid)
        # at most a fifth of a CPU for the watch, however many descriptors the sandbox holds
        self._next = now + max(POLL_SECONDS, 5 * (time.monotonic() - now))
        if held > self.limit:
            self.exceeded = True
            return _end(proc)
        return False

    def memory_exceeded(self, since=None):
        return self.exceeded

    def close(self):
        pass


_cgroup_failures = []  # sandboxes whose cgroups could not be made: watched instead, and said so


def make_caps(memory_mb):
    if cgroups_usable():
        try:
            return CgroupCaps(memory_mb)
        except OSError as error:
            _cgroup_failures.append(str(error))
    return WatchedCaps(memory_mb)


def process_memory_mb(caps, memory_mb):
    """RLIMIT_DATA for each process: only where no cgroup caps the whole sandbox."""
    return None if isinstance(caps, CgroupCaps) else memory_mb
