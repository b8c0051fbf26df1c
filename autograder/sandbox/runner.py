"""The judge side of the boundary: run one student's probes in sandboxes (a fork of this thread's
zygote per check, see autograder.sandbox.zygote; else a fresh sandbox per student) and collect
plain, bounded results, on a schedule this process sets.

The parent knows the steps it asked for and their order. Each step's clock starts when the
previous step's result arrived (or when the sandbox said hello, before any student code ran):
nothing the child sends can extend it. A result must answer the step that is due, or the sandbox
is ended. When a step overruns, or the sandbox dies or floods, that step is charged and a fresh
sandbox carries on with the steps left. A sandbox that fails before its hello never ran student
code: that is the grader's failure, retried, and reported as "not graded", never as a score.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from autograder.authoring.course import given_cells as released_cells
from autograder.checks import checks_for_level
from autograder.config import INFRA_ATTEMPTS, MAX_LEVEL_FILE, MAX_TEXT, PROCESSES, TMPFS_BYTES, Limits
from autograder.levels import LEVEL_FILES, SOLUTIONS_DIR
from autograder.probe.child import FILE_HEADER, boot_command
from autograder.probe.protocol import Budget, ForgedFrame, FrameReader, ProtocolError, Seal, encode
from autograder.probe.registry import PROBES, level_of, masked_pieces
from autograder.probe.tensors import error_record
from autograder.errors import NotGraded
from autograder.sandbox import caps, jail, zygote
from autograder.sandbox.processes import allow_sandboxes, end_sandbox, kill, kill_all, register, require_running  # noqa: F401
from autograder.submission import linked  # the same test the submission's discovery uses


def steps_for(levels, done=()):
    """Every step of these levels not in done, in order, for one process; each level's import first."""
    steps = []
    for group in check_groups(levels, done):
        steps += group[1:] if steps and group[0] in steps else group
    return steps


def check_groups(levels, done=()):
    """The steps of these levels not in done, as one list per process of a zygote: a level's import,
    then the checks that share one probe (forward and gradient judge one probe's data)."""
    groups = []
    for level in sorted(levels):
        by_probe = {}
        for check in checks_for_level(level):
            if check.id not in done:
                by_probe.setdefault(PROBES[check.id], []).append(check.id)
        groups += [[f"level{level}.import", *checks] for checks in by_probe.values()]
    return groups


def _text(value, limit=MAX_TEXT):
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


NOT_STARTED = object()  # what a sandbox's attempt returns when it failed before any student code ran
SANDBOX_DIAGNOSES = {"borrowed_from_grader"}  # the only diagnosis the probe side gives itself


def clean_error(error):
    """A load or probe error as the judges expect it, whatever the child sent."""
    if not isinstance(error, dict):
        return error_record("malformed error report")
    where = error.get("where")
    if isinstance(where, dict):
        line = where.get("line")
        line = line if type(line) is int and 0 <= line < 10**9 else None  # not a bool, not 4,000 digits
        where = {"file": _text(where.get("file"), 300), "line": line,
                 "code": _text(where.get("code"), 300), "function": _text(where.get("function"), 100)}
    else:
        where = None
    kind = error.get("type")
    diagnosis = error.get("diagnosis")
    # any other code would be the student's word for their own grade; a list or a dict would not even
    # hash, and `in` a set would raise here, in the grader
    return error_record(_text(error.get("message")), _text(kind, 100) if kind is not None else None, where,
                        diagnosis if isinstance(diagnosis, str) and diagnosis in SANDBOX_DIAGNOSES else None,
                        error.get("plain") is True)


def clean_result(result):
    if not isinstance(result, dict):
        raise ProtocolError("a result that is not an object")
    if "error" in result:
        return {"error": clean_error(result["error"])}
    if "data" in result:
        return {"data": result["data"]}
    raise ProtocolError("a result with neither data nor error")


def given_cells(level):
    """{grade_id: source} of a level notebook's read-only cells as released (none without the reference)."""
    if not (Path(SOLUTIONS_DIR) / LEVEL_FILES[level]).is_file():  # a student release: cells run as submitted
        return {}
    return released_cells(level)


def probe_sealed(files: dict, device: str, limits: Optional[Limits] = None, deadlines: Optional[dict] = None,
                 challenge: int = 0) -> dict:
    """files: {level: path}. {level: {check_id: result} or {"load_error": ...}}; raises NotGraded.
    A student's checks run one after another: each fork alone in the student's caps, so a check that
    breaks them costs that check only."""
    limits = limits or Limits()
    deadlines = deadlines or {}
    workdir = Path(tempfile.mkdtemp(prefix="grade-"))  # 0700: the grader's own
    try:
        home, homes, unreadable = workdir / "home", {}, {}
        home.mkdir()
        for level, path in files.items():  # a private copy: the sandbox never sees the original folder
            if linked(path):  # read as the grader, a link could expose any file on the machine
                unreadable[level] = error_record(f"{Path(path).name} is a symbolic link; submit the file itself")
                continue
            size = Path(path).stat().st_size
            if size > MAX_LEVEL_FILE:  # read by the grader: a huge (or sparse) file must not fill its disk
                unreadable[level] = error_record(f"{Path(path).name} is {size / 2**20:.0f} MB; a level file may be at "
                                                 f"most {MAX_LEVEL_FILE // 2**20} MB (clear the notebook's outputs?)")
                continue
            name = LEVEL_FILES[level] if Path(path).suffix != ".ipynb" else LEVEL_FILES[level].replace(".py", ".ipynb")
            shutil.copyfile(path, home / name)
            homes[level] = name
        jail.write_identity(workdir)
        results = Attempts(homes, home, workdir, device, limits, deadlines, challenge).run() if homes else {}
        return {**results, **{level: {"load_error": error} for level, error in unreadable.items()}}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)



class Attempts:
    """The steps of one student, over as many sandboxes as crashes make necessary."""

    def __init__(self, homes, home, workdir, device, limits, deadlines, challenge):
        self.homes, self.home, self.workdir = homes, home, workdir
        self.device, self.limits, self.deadlines, self.challenge = device, limits, deadlines, challenge
        self.results, self.load_errors, self.budget = {}, {}, Budget()
        self.infra_failures = []
        self.child_fds = (0, 1)  # the child's request and channel descriptors, chosen per attempt
        # a zygote's fork per check where the machine allows it (see autograder.sandbox.zygote)
        self.forks = limits.sandbox and zygote.unavailable(device) is None
        self.forker = None  # the zygote this student's grading leased
        self.caps_ = None  # one set of cgroups for all of a student's forks: its caps are the student's

    def seconds(self, step):
        return self.deadlines.get(step, self.limits.check_seconds)

    def run(self):
        try:
            if not self.forks:
                return self._run()
            try:
                with zygote.lease(self.limits.startup_seconds) as self.forker:
                    return self._run()
            except zygote.ForkFailed as error:  # no warm interpreter at all: fresh sandboxes from now on
                zygote.refuse(str(error))
                self.forks = False
                return self._run()
        finally:
            if self.caps_ is not None:
                self.caps_.close()

    def _run(self):
        while True:
            levels = [level for level in self.homes if level not in self.load_errors]
            groups = check_groups(levels, set(self.results))
            if not groups:
                break
            steps = groups[0] if self.forks else steps_for(levels, set(self.results))
            if self.budget.left <= 0:  # the student's own sandboxes spent it: their steps, not our failure
                for step in steps:
                    if not step.endswith(".import"):
                        self.charge(step, "protocol", f"sent the grader more than {self.budget.total // 2**20} MiB",
                                    "(output written to the grader's channel?)")
                continue
            self.attempt(steps)
        out = {}
        for level in self.homes:
            if level in self.load_errors:
                out[level] = {"load_error": self.load_errors[level]}
            else:
                out[level] = {c.id: self.results.get(c.id) for c in checks_for_level(level)}
        return out

    def argv(self, caps_):
        if self.limits.sandbox:
            argv = jail.command({name: self.home / name for name in self.homes.values()}, self.workdir, self.device,
                                *self.child_fds)
        else:  # the instructor's explicit choice: a plain child process, no namespaces
            argv = [sys.executable, "-I", "-c", boot_command(jail.kit_package().parent, *self.child_fds)]
        joins = caps_.join_files()
        if joins:  # join the cgroups before bwrap starts, so nothing it starts escapes them
            script = ('n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 97; shift; n=$((n-1)); done; '
                      'exec "$@"')
            argv = ["/bin/sh", "-c", script, "sh", str(len(joins)), *joins, *argv]
        return argv

    def request(self, steps, caps_, homes=None):
        homes = self.homes if homes is None else homes
        where = jail.HOME if self.limits.sandbox else str(self.home)
        given = {str(level): given_cells(level) for level, name in homes.items() if name.endswith(".ipynb")}
        key = Seal.new_key()  # a new one for each sandbox: frames that lack its seal are forged
        return {"key": key, "files": {str(level): f"{where}/{name}" for level, name in homes.items()},
                "given": given, "sent": [f"{where}/{name}" for name in homes.values()],
                "steps": steps, "device": self.device, "challenge": self.challenge, "workdir": where,
                "limits": {"open_files": self.limits.open_files, "file_bytes": self.limits.file_bytes,
                           # without a sandbox the limit would count every process of the user
                           "processes": PROCESSES if self.limits.sandbox else None,
                           "process_memory_mb": caps.process_memory_mb(caps_, self.limits.memory_mb)}}

    def attempt(self, steps):
        if self.forks:
            return self.attempt_in_fork(steps)
        require_running()
        caps_ = caps.make_caps(self.limits.memory_mb)
        pipes = _Pipes()
        proc = None
        try:
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
            if self.limits.sandbox:  # bwrap's own 0, 1 and 2 stay open in its pid 1, which student code can reach
                self.child_fds = (pipes.request_r, pipes.channel_w)
                stdio = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "pass_fds": self.child_fds}
            else:
                env.update(HOME=str(self.home), TMPDIR=str(self.home), OMP_NUM_THREADS="1",
                           PYTHONDONTWRITEBYTECODE="1")
                self.child_fds = (0, 1)
                stdio = {"stdin": pipes.request_r, "stdout": pipes.channel_w}
            proc = register(lambda: subprocess.Popen(self.argv(caps_), stderr=pipes.errors_w, cwd=self.home,
                                                     env=env, start_new_session=True, close_fds=True, **stdio))
            pipes.close_child_ends()
            request = self.request(steps, caps_)
            pipes.send(encode(request))
            self.follow(proc, steps, caps_, pipes, request["key"])
        finally:
            if proc is not None:
                end_sandbox(proc)
            pipes.close()
            caps_.close()

    def attempt_in_fork(self, steps):
        """The steps in a fresh fork of the student's zygote, sent only the level files they read."""
        require_running()
        homes = {level: name for level, name in self.homes.items() if level in {level_of(s) for s in steps}}
        contents = {name: (self.home / name).read_bytes() for name in homes.values()}
        if self.caps_ is None:
            self.caps_ = caps.make_caps(self.limits.memory_mb)
        self.run_fork(steps, homes, contents, self.caps_, self.caps_.begin())

    def run_fork(self, steps, homes, contents, caps_, since):
        pipes = _Pipes()
        proc = None
        try:
            order = {"tmpfs_bytes": TMPFS_BYTES, "home_bytes": TMPFS_BYTES + sum(map(len, contents.values())),
                     "keep": jail.covered_python_dirs(), "mask": masked_pieces(steps)}
            try:
                proc = self.forker.fork(order, pipes.request_r, pipes.channel_w, pipes.errors_w,
                                        self.limits.startup_seconds)
                register(lambda: proc)  # after the handshake: the registry's lock is never held while it waits
                pipes.close_child_ends()
                proc.start(caps_.join_files())
            except zygote.ForkRefused as error:  # this kernel makes no process in new namespaces here
                zygote.refuse(str(error))
                self.forks = False
                return NOT_STARTED
            except zygote.ForkFailed as error:
                return self.infra(str(error))
            request = self.request(steps, caps_, homes)
            payload = encode(request)
            for name in homes.values():
                payload += FILE_HEADER.pack(len(contents[name])) + contents[name]
            pipes.send(payload)
            proc.since = since  # what the student's caps had seen when this fork began (see follow)
            outcome = self.follow(proc, steps, caps_, pipes, request["key"])
            if outcome is NOT_STARTED and proc.poll() in zygote.REFUSED:
                # this machine's kernel let the fork start but not isolate itself: fresh sandboxes from now on
                zygote.refuse(f"{zygote.REFUSED[proc.code]}: {self.infra_failures.pop()}")
                self.forks = False
        finally:
            if proc is not None:
                end_sandbox(proc)
            pipes.close()

    def follow(self, proc, steps, caps_, pipes, key):
        reader, errors = FrameReader(pipes.channel_r, self.budget, Seal(bytes.fromhex(key))), pipes.errors

        def tick():
            caps_.watch(proc, getattr(proc, "since", None))
            errors.drain()

        deadline = time.monotonic() + self.limits.startup_seconds
        hello = False
        pending = list(steps)
        while pending:
            try:
                event = reader.read(deadline, tick)
            except TimeoutError:
                if not hello:
                    return self.infra(f"the sandbox did not start within {self.limits.startup_seconds:g} s")
                return self.charge(pending[0], "timeout", f"timed out after {self.seconds(pending[0]):.3g} s",
                                   "(an endless loop or a long sleep?)")
            except ForgedFrame:
                if not hello:  # student code had not run yet: the grader's own failure
                    return self.infra("the sandbox sent an unsealed message before starting")
                return self.charge(pending[0], "borrowed_from_grader", "wrote a message on the grader's result "
                                   "channel that the grader's probe did not send", "(code in this file writes to "
                                   "the grader's descriptors to forge its results)")
            except ProtocolError as error:
                if not hello and self.budget.left > 0:
                    return self.infra(f"the sandbox sent {error} before starting")
                if not hello:
                    return None  # the budget ran out on an earlier sandbox's messages: run() charges the rest
                return self.charge(pending[0], "protocol", f"sent the grader {error}",
                                   "(output written to the grader's channel?)")
            if event is None:  # end of file: the sandbox ended
                try:
                    code = proc.wait(5)
                except subprocess.TimeoutExpired:
                    code = None
                if self.forks and hello and self.forker is not None and not self.forker.alive():
                    # the zygote ended (no student code reaches it): its forks died with it, not of their checks
                    return self.infra("the warm interpreter ended while a check ran")
                if not hello:
                    errors.drain()
                    line = errors.last_line()
                    return self.infra(f"the sandbox ended before starting (exit {code}"
                                      + (f": {line}" if line else "") + ")")
                if caps_.memory_exceeded(getattr(proc, "since", None)):
                    return self.charge(pending[0], "out_of_memory",
                                       f"used more than the memory limit ({self.limits.memory_mb} MB)",
                                       "(a huge tensor, or data kept growing?)")
                if _signal_of(code) == signal.SIGKILL:  # no cgroup saw the memory: the kernel, or os.kill
                    return self.charge(pending[0], "killed", f"the grading process {_exit_text(code)}",
                                       "(more memory than the machine could give, or os.kill in this code?)")
                return self.charge(pending[0], "crashed", f"the grading process {_exit_text(code)}",
                                   "(sys.exit, os._exit, os.kill or a crash in this code?)")
            if not hello:
                if event != {"hello": 1}:
                    return self.infra("the sandbox spoke before starting")
                hello = True
                pipes.start()
            elif event.get("id") != pending[0] or "result" not in event:
                return self.charge(pending[0], "protocol", "sent the grader a result it did not ask for",
                                   "(output written to the grader's channel?)")
            else:
                step = pending.pop(0)
                try:
                    self.record(step, event["result"], pending)
                except ProtocolError as error:
                    return self.charge(step, "protocol", f"sent the grader {error}",
                                       "(output written to the grader's channel?)")
            if pending:
                deadline = time.monotonic() + self.seconds(pending[0])

    def record(self, step, result, pending):
        level = level_of(step)
        if step.endswith(".import"):
            if isinstance(result, dict) and "load_error" in result:
                self.load_errors[level] = clean_error(result["load_error"])
                pending[:] = [s for s in pending if level_of(s) != level]
            elif result != {"data": None}:
                raise ProtocolError("an import result it did not expect")
            return
        self.results[step] = clean_result(result)

    def charge(self, step, diagnosis, what, hint):
        """The step that was running when the sandbox misbehaved costs its points (and only them)."""
        if step.endswith(".import"):
            self.load_errors[level_of(step)] = error_record(f"{what} while importing it {hint}", diagnosis=diagnosis)
        else:
            self.results[step] = {"verdict": {"message": f"{step}: {what} while running this check {hint}.",
                                              "diagnosis": diagnosis}}

    def infra(self, why):
        """The grader's own failure before any student code ran; NOT_STARTED (or NotGraded, after
        INFRA_ATTEMPTS of them)."""
        self.infra_failures.append(why)
        if len(self.infra_failures) >= INFRA_ATTEMPTS:
            raise NotGraded(f"the grader could not start a sandbox ({why})")
        return NOT_STARTED


class _Pipes:
    """One sandbox's three pipes: the request (grader to child), the result channel and bwrap's
    stderr (child to grader). The child's ends are closed here once it has started."""

    def __init__(self):
        self.request_r, self.request_w = os.pipe()
        self.channel_r, self.channel_w = os.pipe()
        errors_r, self.errors_w = os.pipe()
        self.errors = StartupErrors(errors_r)

    def _close(self, *names):
        for name in names:
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                os.close(fd)

    def close_child_ends(self):
        self._close("request_r", "channel_w", "errors_w")

    def send(self, data):
        """The whole request; a child that died early is seen by follow()."""
        try:
            while data:
                data = data[os.write(self.request_w, data):]
        except OSError:
            pass

    def start(self):
        """At the hello: stop reading stderr (later writes there fail with EPIPE), then let the
        child run student code (it waits for the request pipe's end of file)."""
        self.errors.close()
        self._close("request_w")

    def close(self):
        self.close_child_ends()
        self._close("request_w", "channel_r")
        self.errors.close()


class StartupErrors:
    """bwrap's stderr (and the child's until its hello), read without blocking until the hello, at
    most LIMIT bytes, then closed: anything in the sandbox that writes there later gets EPIPE."""

    LIMIT = 4000

    def __init__(self, fd):
        self.fd, self.data = fd, bytearray()
        os.set_blocking(fd, False)

    def drain(self):
        while self.fd is not None and len(self.data) < self.LIMIT:
            try:
                chunk = os.read(self.fd, self.LIMIT - len(self.data))
            except BlockingIOError:
                return
            if not chunk:
                return
            self.data += chunk

    def last_line(self):
        lines = self.data.decode(errors="replace").strip().splitlines()
        return lines[-1][:300] if lines else ""

    def close(self):
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


def _signal_of(code):
    """The signal that ended a process, from its exit status (bwrap reports one as 128 + its number)."""
    if code is None:
        return None
    if code > 128 and code - 128 < 65:
        return code - 128
    return -code if code < 0 else None


def _exit_text(code):
    if code is None:
        return "stopped"
    number = _signal_of(code)
    if number is not None:
        try:
            return f"was killed by {signal.Signals(number).name}"
        except ValueError:
            return f"was killed by signal {number}"
    return f"exited with code {code}"

