"""Run the grader as root and as an unprivileged user, for the tests of sealed grading.

CI runs as root: the unprivileged runs use a system user made here (useradd) and setpriv. The
Python installation must be reachable by that user: where it lies under /root (pyenv), /root is
made traversable (0711, never readable) while the test runs and restored after it.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

USER = "kit-grader-test"
MODES = ["root", "user"]


def _ensure_user():
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        if not shutil.which("useradd"):
            pytest.skip("no useradd to create an unprivileged user")
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER], check=True)
        return pwd.getpwnam(USER)


@contextlib.contextmanager
def _reachable_python(uid):
    """Make the interpreter's folders traversable for uid while the block runs (restored after)."""
    changed = []
    for path in {Path(sys.executable).resolve(), Path(sys.executable).absolute()}:
        for folder in path.parents:
            mode = folder.stat().st_mode & 0o777
            if not mode & 0o001:
                os.chmod(folder, mode | 0o001)
                changed.append((folder, mode))
    try:
        yield
    finally:
        for folder, mode in reversed(changed):
            os.chmod(folder, mode)


@contextlib.contextmanager
def grading_as(mode):
    """(argv prefix, a private folder that user may write) for running the grader in this mode."""
    euid = os.geteuid()
    if mode == "root" and euid != 0:
        pytest.skip("needs root")
    if mode == "root" or euid != 0:  # as root, or already unprivileged: run as ourselves
        with _scratch(f"sealed-{mode}-") as folder:
            yield [], folder
        return
    if not shutil.which("setpriv"):
        pytest.skip("no setpriv to run as another user")
    user = _ensure_user()
    with _scratch("sealed-user-", user) as folder, _reachable_python(user.pw_uid):
        yield ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
               "--reset-env"], folder


def processes_with(marker):
    """Process ids whose command line holds marker (bytes)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:
            continue
    return found


@contextlib.contextmanager
def _scratch(prefix, owner=None):
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def give_to(mode, *paths):
    """Let the grading user own the files it must read and write."""
    if mode != "user" or os.geteuid() != 0:
        return
    user = pwd.getpwnam(USER)
    for path in paths:
        for item in [Path(path), *Path(path).rglob("*")]:
            os.chown(item, user.pw_uid, user.pw_gid)
