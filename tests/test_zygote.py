"""The warm interpreter (autograder.probe.zygote), seen from inside its forks.

Level files run in real forks, with the grader as root and as an unprivileged user: one leaves every
trace it can in one check, and a later check of the same student, and a later student, report what
they find (nothing), what they can reach of the zygote (nothing: no /proc, no pid but their own and
their init's, no socket) and their own powers (no capability, no new user namespace, no mount). A
stub-only submission whose stubs call the given pieces of whatever check runs them earns no more
than the stubs, where one interpreter for all checks would pay it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from autograder.sandbox import zygote
from tests.sandbox_users import MODES, give_to, grading_as
from tests.student_code import snippet

pytestmark = pytest.mark.slow

REFERENCE = (SOLUTIONS_DIR / "level1_manual.py").read_text()
EXERCISES = REPO_ROOT / "exercises"

GRADER = f"import sys\nsys.path.insert(0, {str(REPO_ROOT)!r})\n" + """
import json, sys
from pathlib import Path
from autograder.config import Limits
from autograder.sandbox import zygote
from autograder.sandbox.runner import probe_sealed
limits = Limits(check_seconds=30, startup_seconds=120)
print(json.dumps({"results": [probe_sealed({1: Path(p)}, "cpu", limits, {}, challenge=1)[1] for p in sys.argv[1:]],
                  "off": zygote.unavailable()}))
"""

CLEAN = {"files": [], "tmp": [], "home": ["level1_manual.py"], "pids": [1], "pid": 1, "ppid": 0,
         "env": False, "fds": ["null", "pipe", "pipes:1"], "modules": False, "abstract": "refused", "unshare_user": "EPERM",
         "mount": "EPERM", "no_new_privs": 1, "keyring": "EPERM", "caps": [0, 0, 0, 0], "kill_init": "sent", "uid": 1000,
         "torch": {"seed": False, "dtype": "torch.float32", "grad": True, "threads": 1, "tensor_attr": False,
                   "matmul": 2.0, "hooks": 0, "mode": False}}


def seen(result, forks=True):
    message = result["level1.init_weights"]["error"]["message"]
    found = re.search(r"SEEN (\{.*\}) END", message)
    assert found, message
    found = json.loads(found.group(1))
    if not forks:
        return found
    # as root, bubblewrap's /proc has read-only parts over it and the kernel refuses a new one: the fork
    # gets an empty /proc instead of one of its own PID namespace
    assert found.pop("proc") in ([], ["1"]), found
    return found


def grade_in_forks(mode, *sources):
    with grading_as(mode) as (prefix, folder):
        paths = []
        for i, source in enumerate(sources):
            student = Path(folder) / f"student{i}"
            student.mkdir()
            (student / "level1_manual.py").write_text(source)
            paths.append(str(student / "level1_manual.py"))
        give_to(mode, folder)
        done = subprocess.run([*prefix, sys.executable, "-c", GRADER, *paths], cwd=folder, capture_output=True,
                              text=True, timeout=600, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert out["off"] is None, out["off"]  # the forks ran: nested namespaces work on this machine
    return out["results"]


@pytest.mark.parametrize("mode", MODES)
def test_nothing_of_an_earlier_check_or_student_is_visible(mode):
    leaves, looks = snippet("zygote", "leaves"), snippet("zygote", "looks")
    first, second = grade_in_forks(mode, f"{REFERENCE}\n\n{leaves}\n\n{looks}\n", f"{REFERENCE}\n\n{looks}\n")
    assert first["level1.make_data"] == second["level1.make_data"] or "data" in first["level1.make_data"]
    assert seen(first) == CLEAN  # a later check of the student who left the traces
    assert seen(second) == CLEAN  # the next student, forked from the same zygote
    # the traces were real: the leaving check itself answered, and its forward still passes after it
    assert "data" in first["level1.make_data"] and "data" in first["level1.forward"]


def test_the_traces_would_show_in_one_interpreter():
    """The same file with every check in one interpreter (the fallback): the traces show, so the test
    above can fail."""
    leaves, looks = snippet("zygote", "leaves"), snippet("zygote", "looks")
    env = dict(os.environ, AUTOGRADER_ZYGOTE="0")
    (first,) = grade_fresh(env, f"{REFERENCE}\n\n{leaves}\n\n{looks}\n")
    found = seen(first, forks=False)
    assert found["files"] and found["env"] and found["modules"] and found["torch"]["tensor_attr"], found


def grade_fresh(env, *sources, tmp=None):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, source in enumerate(sources):
            path = Path(folder) / f"student{i}" / "level1_manual.py"
            path.parent.mkdir()
            path.write_text(source)
            paths.append(str(path))
        done = subprocess.run([sys.executable, "-c", GRADER, *paths], capture_output=True, text=True, timeout=600,
                              env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert out["off"] == "AUTOGRADER_ZYGOTE=0"
    return out["results"]


def score(folder, levels, env):
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--levels", *map(str, levels),
                           "--json"], capture_output=True, text=True, timeout=600, cwd=REPO_ROOT, env=env)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    report = json.loads(done.stdout)
    return {check["id"]: check["points"] for check in report["checks"]}


def test_a_forward_that_borrows_the_given_model_earns_nothing_from_any_check(tmp_path):
    """An honest level 3 but for forward, which calls the given x @ w model, found among the process's
    objects, imported from the probe side or unmarshalled from its compiled copy: no fork holds it or
    can load it (the train check's fork has the data's pieces, not the model's), so forward, gradient
    and train all fail."""
    import py_compile

    from tests.catalog import mutate

    py_compile.compile(str(REPO_ROOT / "autograder" / "probe" / "given_model.py"))  # a compiled copy to find
    honest, borrowing = tmp_path / "honest", tmp_path / "borrowing"
    for folder in (honest, borrowing):
        folder.mkdir()
    (honest / "level3_module.py").write_text(mutate(3, {"level3.CustomLinearModel.forward": "raise NotImplementedError"}))
    (borrowing / "level3_module.py").write_text(mutate(3, {"level3.CustomLinearModel.forward":
                                                           snippet("zygote", "borrows_forward")}))
    forks = dict(os.environ, AUTOGRADER_ZYGOTE="1")
    baseline, borrowed = score(honest, (3,), forks), score(borrowing, (3,), forks)
    assert borrowed == baseline, (borrowed, baseline)
    assert borrowed["level3.train"] == 0 and borrowed["level3.forward"] == 0, borrowed
    # the test can fail: one interpreter for all checks lets the borrowing forward through
    shared = score(borrowing, (3,), dict(os.environ, AUTOGRADER_ZYGOTE="0"))
    assert shared["level3.forward"] > 0, shared


def test_stubs_that_borrow_given_pieces_earn_no_more_than_the_stubs(tmp_path):
    stubs, borrowing = tmp_path / "stubs", tmp_path / "borrowing"
    for folder in (stubs, borrowing):
        folder.mkdir()
    for name in ("level1_manual.py", "level3_module.py"):
        shutil.copy(EXERCISES / name, stubs / name)
    (borrowing / "level1_manual.py").write_text(snippet("zygote", "borrows"))
    (borrowing / "level3_module.py").write_text(snippet("zygote", "borrows_module"))
    forks = dict(os.environ, AUTOGRADER_ZYGOTE="1")
    baseline = score(stubs, (1, 3), forks)
    borrowed = score(borrowing, (1, 3), forks)
    assert sum(borrowed.values()) <= sum(baseline.values()), (borrowed, baseline)
    # one interpreter for every check, with nothing masked, would pay the borrowing
    shared = score(borrowing, (1, 3), dict(os.environ, AUTOGRADER_ZYGOTE="0"))
    assert shared["level1.forward"] > borrowed["level1.forward"], (shared, borrowed)


def test_the_isolation_line_names_the_forks():
    from autograder.config import Limits
    from autograder.grade import isolation_text

    text = isolation_text(Limits())
    assert ("warm interpreter" in text) == (zygote.unavailable() is None), text


def test_a_fork_that_cannot_isolate_turns_the_forks_off_and_says_why(monkeypatch, tmp_path):
    """The fallback: the first fork that cannot isolate itself (here: a Python folder it cannot
    keep) makes the run grade in fresh sandboxes, and the isolation line names the reason."""
    from autograder.config import Limits
    from autograder.grade import isolation_text
    from autograder.sandbox import jail, runner

    monkeypatch.setattr(zygote, "_refused", [])  # this process's verdict on the forks, restored after
    monkeypatch.setattr(jail, "covered_python_dirs", lambda: ["/no/such/python"])
    monkeypatch.setenv("AUTOGRADER_ZYGOTE", "1")
    level = tmp_path / "level1_manual.py"
    level.write_text(REFERENCE)
    results = runner.probe_sealed({1: level}, "cpu", Limits(startup_seconds=120), {}, challenge=1)[1]
    assert all("data" in result for result in results.values()), results  # graded all the same
    assert "could not isolate itself" in zygote.unavailable() and "/no/such/python" in zygote.unavailable()
    assert "a fresh interpreter for all its checks: its first process could not" in isolation_text(Limits())


def test_one_process_steps_import_each_level_once():
    from autograder.sandbox.runner import check_groups, steps_for

    steps = steps_for([1, 3])
    assert steps.count("level1.import") == 1 and steps.count("level3.import") == 1
    assert [s for s in steps if not s.endswith(".import")] == [s for g in check_groups([1, 3]) for s in g[1:]]
    assert ["level3.import", "level3.forward", "level3.gradient"] in check_groups([3])  # one probe, one fork
