"""The system calls that put one forked child of the zygote in a sandbox of its own, inside the
zygote's bubblewrap sandbox (autograder.probe.zygote). Python 3.11 has no mount and no fork into
new namespaces, so they are called through ctypes here; each call says what it is for. Linux only.

Nothing here imports torch: the zygote calls it in a child before any student code runs.
"""

import ctypes
import errno
import os
import platform
import struct

_libc = ctypes.CDLL(None, use_errno=True)

# clone(2) flags: each namespace the child gets a fresh one of
CLONE_NEWNS = 0x00020000  # mounts: its own /tmp, /dev/shm, home and /proc
CLONE_NEWUTS = 0x04000000  # host name
CLONE_NEWIPC = 0x08000000  # System V IPC and POSIX message queues of earlier children are not visible
CLONE_NEWUSER = 0x10000000  # its own uid map and capabilities, valid in its namespaces only
CLONE_NEWPID = 0x20000000  # its processes see no zygote, no sibling, no earlier child
CLONE_NEWNET = 0x40000000  # no network, and no abstract Unix socket of anyone else
ALL_NAMESPACES = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 1 << 18

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP, PR_CAPBSET_DROP = 1, 4, 22, 24
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
SECCOMP_MODE_FILTER = 2
LINUX_CAPABILITY_VERSION_3 = 0x20080522


def _check(result, what):
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


_with_gil = ctypes.PyDLL(None, use_errno=True)  # calls that must not let another thread run meanwhile
_with_gil.syscall.restype = ctypes.c_long
SIGCHLD = 17


def clone(flags):
    """fork(), straight into new namespaces: clone(2) with namespace flags, which os.fork cannot pass.
    The interpreter's own fork hooks run around it as os.fork runs them (PyOS_BeforeFork and the
    After ones); the caller is single-threaded (the zygote), as a raw clone requires. 0 in the child."""
    if platform.machine() not in _SYSCALLS:
        raise OSError(errno.ENOSYS, f"no clone(2) number known for {platform.machine()}")
    number = _SYSCALLS[platform.machine()][1]
    ctypes.pythonapi.PyOS_BeforeFork()
    pid = _with_gil.syscall(ctypes.c_long(number), ctypes.c_ulong(flags | SIGCHLD), ctypes.c_ulong(0),
                            ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
        return 0
    number = ctypes.get_errno()
    ctypes.pythonapi.PyOS_AfterFork_Parent()
    if pid < 0:
        raise OSError(number, f"clone: {os.strerror(number)}")
    return pid


def mount(source, target, fstype, flags=0, data=None):
    _check(_libc.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                       ctypes.c_ulong(flags), data.encode() if data else None), f"mount {target}")


def prctl(option, arg=0):
    _check(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
                       ctypes.c_ulong(0)), f"prctl {option}")


def map_user(uid, gid):
    """In a new user namespace: the child keeps its uid and gid (mapped to the zygote's), and can
    never call setgroups (required before an unprivileged gid map)."""
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def private_tmpfs(path, size, mode="0700"):
    """A fresh, size-capped tmpfs: nothing an earlier child wrote there is visible."""
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}")


def private_proc():
    """A /proc of the child's own PID namespace (call as its first process): other processes of the
    zygote's sandbox are not listed. Where the kernel refuses a new proc mount (bubblewrap's /proc
    has read-only parts over it), an empty read-only tmpfs hides /proc instead. True for a proc."""
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        return True
    except OSError:
        mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4096,mode=0555")
        return False


def drop_capabilities():
    """No capability left, none to regain: the bounding set emptied (no exec can grant one), the
    ambient set cleared, effective, permitted and inheritable zeroed, and no_new_privs set."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0:
            if ctypes.get_errno() == errno.EINVAL:  # past the kernel's last capability
                break
            _check(-1, f"drop capability {cap}")
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)  # absent before Linux 4.3: nothing to clear
    header = struct.pack("Ii", LINUX_CAPABILITY_VERSION_3, 0)
    data = bytes(24)  # two {effective, permitted, inheritable} words, all zero
    _check(_libc.capset(ctypes.c_char_p(header), ctypes.c_char_p(data)), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)


# seccomp: refuse a new user namespace (unshare or clone with CLONE_NEWUSER; clone3 says ENOSYS, so
# libc falls back to clone, whose flags a filter can read): a nested user namespace could mount a
# tmpfs of any size, outside every cap. And refuse the kernel's keyrings (add_key, request_key,
# keyctl): a session keyring outlives a fork and is shared by everything the grader started, a
# channel from one check, or one student, to the next. (arch audit number, clone, unshare, clone3,
# the keyring calls)
_SYSCALLS = {"x86_64": (0xC000003E, 56, 272, 435, (248, 249, 250)),
             "aarch64": (0xC00000B7, 220, 97, 435, (217, 218, 219))}
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000


def _bpf(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def forbid_user_namespaces():
    """Install the filter; False where this machine's architecture has no table above."""
    table = _SYSCALLS.get(platform.machine())
    if table is None:
        return False
    arch, clone, unshare_nr, clone3, keyrings = table
    refuse = _bpf(_RET, 0, 0, _ERRNO | errno.EPERM)
    program = [
        _bpf(_LD_ABS, 0, 0, 4),  # the architecture
        _bpf(_JEQ, 1, 0, arch),
        refuse,  # another ABI's calls: refused
        _bpf(_LD_ABS, 0, 0, 0),  # the call's number
        _bpf(_JGE, 0, 1, 0x40000000),  # x32 numbers on x86_64: refused
        refuse,
    ]
    for number in keyrings:
        program += [_bpf(_JEQ, 0, 1, number), refuse]
    program += [
        _bpf(_JEQ, 0, 1, clone3),
        _bpf(_RET, 0, 0, _ERRNO | errno.ENOSYS),
        _bpf(_JEQ, 1, 0, clone),
        _bpf(_JEQ, 0, 3, unshare_nr),
        _bpf(_LD_ABS, 0, 0, 16),  # the low word of the first argument: the flags of both calls
        _bpf(_JSET, 0, 1, CLONE_NEWUSER),
        refuse,
        _bpf(_RET, 0, 0, _ALLOW),
    ]
    code = b"".join(program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HxxxxxxQ", len(program), ctypes.addressof(buffer))
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.c_char_p(fprog), 0, 0), "seccomp")
    return True
