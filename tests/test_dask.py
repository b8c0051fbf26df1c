"""batch --dask: the same outputs as a local batch on a LocalCluster, and no student lost when a
worker is killed mid-batch."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from autograder.levels import REPO_ROOT, SOLUTIONS_DIR
from tests.catalog import mutate

pytestmark = pytest.mark.slow


def make_class(root, students):
    for i in range(students):
        folder = root / f"s{i:02d}"
        folder.mkdir(parents=True)
        source = mutate(1, {"level1.zero_grad": "pass"}) if i % 2 else (SOLUTIONS_DIR / "level1_manual.py").read_text()
        (folder / "level1_manual.py").write_text(source)
        shutil.copy(SOLUTIONS_DIR / "level4_optim.py", folder)
    return root


def batch_command(submissions, out, *extra):
    return [sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out), "--timeout", "20", *extra]


def rows(out):
    with open(out / "grades.csv") as handle:
        return list(csv.reader(handle))


def graded_alike(out):
    """grades.csv without its graded_at column: two batches run at different times."""
    table = rows(out)
    when = table[0].index("graded_at")
    return [row[:when] + row[when + 1:] for row in table]


def report_of(path):
    report = json.loads(path.read_text())
    assert report.pop("graded_at")
    return report


@pytest.fixture(scope="session")  # built once per test process
def cluster():
    distributed = pytest.importorskip("distributed", reason='Dask is an optional extra: pip install -e ".[dask]"')
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()


def test_cluster_batch_matches_local_batch(cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_CHALLENGE", "424242")  # the same probe inputs in both batches
    local_cluster, _ = cluster
    submissions = make_class(tmp_path / "class", 4)
    local = subprocess.run(batch_command(submissions, tmp_path / "local"), cwd=REPO_ROOT, capture_output=True, text=True)
    assert local.returncode == 0, local.stderr
    remote = subprocess.run(batch_command(submissions, tmp_path / "dask", "--dask", local_cluster.scheduler_address),
                            cwd=REPO_ROOT, capture_output=True, text=True)
    assert remote.returncode == 0, remote.stderr
    assert graded_alike(tmp_path / "dask") == graded_alike(tmp_path / "local")
    for student in ("s00", "s01"):
        assert report_of(tmp_path / "dask" / f"{student}.json") == report_of(tmp_path / "local" / f"{student}.json")
    assert "graded 4 students" in remote.stdout


def test_a_worker_killed_mid_batch_loses_no_student(cluster, tmp_path):
    local_cluster, client = cluster
    submissions, out = make_class(tmp_path / "class", 8), tmp_path / "out"
    proc = subprocess.Popen(batch_command(submissions, out, "--dask", local_cluster.scheduler_address), cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(out.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    victim = sorted(client.run(os.getpid).values())[0]
    os.kill(victim, signal.SIGKILL)  # the nanny restarts it; its job must be run again elsewhere
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    table = rows(out)[1:]
    assert [row[0] for row in table] == [f"s{i:02d}" for i in range(8)]
    assert [row[1] for row in table] == ["45", "40"] * 4  # every student graded in full, none "failed"


def test_dask_missing_is_a_clear_error(tmp_path):
    code = ("import sys; sys.modules['distributed'] = None\n"
            "from autograder.cli import main\n"
            f"sys.exit(main(['batch', {str(tmp_path)!r}, '--out', {str(tmp_path / 'out')!r}, '--dask', 'tcp://127.0.0.1:1']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and 'pip install -e ".[dask]"' in result.stderr


def test_a_local_batch_imports_nothing_of_dask(tmp_path):
    submissions = make_class(tmp_path / "class", 1)
    code = ("import sys\n"
            "from autograder.cli import main\n"
            f"assert main(['batch', {str(submissions)!r}, '--out', {str(tmp_path / 'out')!r}]) == 0\n"
            "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')], 'dask imported'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_two_batches_on_one_scheduler_keep_their_own_results(cluster, tmp_path):
    local_cluster, _ = cluster
    right, wrong = tmp_path / "right", tmp_path / "wrong"
    for root, source in ((right, (SOLUTIONS_DIR / "level1_manual.py").read_text()),
                         (wrong, mutate(1, {"level1.forward": "return x * w"}))):
        for name in ("s1", "s2"):
            (root / name).mkdir(parents=True)
            (root / name / "level1_manual.py").write_text(source)
    runs = [subprocess.Popen(batch_command(root, tmp_path / f"out-{root.name}", "--dask",
                                           local_cluster.scheduler_address),
                             cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for root in (right, wrong)]
    assert [run.wait(timeout=600) for run in runs] == [0, 0]
    assert [row[1] for row in rows(tmp_path / "out-right")[1:]] == ["25", "25"]
    assert all(int(row[1]) < 25 for row in rows(tmp_path / "out-wrong")[1:])


def test_a_symlink_is_refused_on_the_cluster_too(cluster, tmp_path):
    local_cluster, _ = cluster
    secret = tmp_path / "secret.txt"
    secret.write_text("instructor secret token\n")
    (tmp_path / "class" / "eve").mkdir(parents=True)
    (tmp_path / "class" / "eve" / "level1_manual.py").symlink_to(secret)
    result = subprocess.run(batch_command(tmp_path / "class", tmp_path / "out", "--dask",
                                          local_cluster.scheduler_address), cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "eve.json").read_text()
    assert "symbolic link" in text and "secret token" not in text


def test_a_malformed_scheduler_address_is_a_usage_error(tmp_path):
    (tmp_path / "class").mkdir()
    result = subprocess.run(batch_command(tmp_path / "class", tmp_path / "out", "--dask", "http://127.0.0.1:1"),
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "cannot use this scheduler" in result.stderr
