"""The self-check's pytest options and fixture, shared by exercises/conftest.py and every
student release's conftest.py (each is one import of this module):
`pytest [--submission DIR] [--device cpu|cuda|auto]`; by default the level files checked are the
ones beside the test files."""

from pathlib import Path

import pytest

from autograder.authoring.markers import pytest_addoption  # noqa: F401 (a conftest hook, for a kit not installed)
from autograder.authoring.pytest_plugin import SelfCheck
from autograder.devices import resolve_device
from autograder.grade import level_file_in
from autograder.levels import LEVEL_FILES


def pytest_configure(config):
    """Bad options are one line and exit status 4, before any test runs."""
    folder = config.getoption("--submission")
    if folder:
        path = Path(config.invocation_params.dir, folder)
        if not path.is_dir():
            raise pytest.UsageError(f"--submission {folder}: no such folder")
        if not any(level_file_in(path, name) for name in LEVEL_FILES.values()):
            raise pytest.UsageError(f"--submission {folder}: no level files in it (expected "
                                    f"{', '.join(LEVEL_FILES.values())}, or the same names as .ipynb)")
    device = config.getoption("--device")
    if str(device).split(":")[0] == "meta":
        raise pytest.UsageError("--device meta: a device without data; check on cpu, cuda, mps or auto")
    try:
        resolve_device(device)
    except RuntimeError as error:
        raise pytest.UsageError(f"--device {device}: {error}") from None


SELFCHECK = pytest.StashKey()


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: after pytest's short summary, before its last line
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    result = yield
    selfcheck = config.stash.get(SELFCHECK, None)
    lines = selfcheck.summary_lines() if selfcheck is not None else []
    if lines:
        terminalreporter.write_sep("-", "self-check")
        for line in lines:
            terminalreporter.write_line(line, bold=line.startswith("self-check"))
    return result


@pytest.fixture(scope="session")
def selfcheck(request):
    config = request.config
    items = [item for item in request.session.items
             if any(mark.name[:5] == "level" and mark.name[5:].isdigit() for mark in item.iter_markers())]
    levels = sorted({int(mark.name[5:]) for item in items for mark in item.iter_markers()
                     if mark.name[:5] == "level" and mark.name[5:].isdigit()})
    folder = config.getoption("--submission")
    folder = Path(config.invocation_params.dir, folder) if folder else Path(str(items[0].path)).parent
    selfcheck = SelfCheck(folder.resolve(), resolve_device(config.getoption("--device")), levels)
    config.stash[SELFCHECK] = selfcheck  # for the session's last lines: the points it would earn
    return selfcheck
