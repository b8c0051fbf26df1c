"""Options for the self-check: `pytest exercises [--submission DIR] [--device cpu|cuda|auto]`."""

from pathlib import Path

import pytest

from autograder.authoring.pytest_plugin import SelfCheck
from autograder.devices import resolve_device


def pytest_addoption(parser):
    group = parser.getgroup("autograder")
    try:
        group.addoption("--submission", default=None,
                        help="folder of level files to check (default: the exercises folder itself)")
        group.addoption("--device", default="cpu", help="cpu, cuda, mps or auto (default: cpu)")
    except ValueError:  # a copy of this file in the --submission folder, collected as well: already added
        pass


def submission_folder(config):
    folder = config.getoption("--submission")
    return Path(config.invocation_params.dir, folder) if folder else Path(__file__).parent


def pytest_configure(config):
    """Bad options are one line and exit status 4, before any test runs."""
    folder = submission_folder(config)
    if not folder.is_dir():
        raise pytest.UsageError(f"--submission {config.getoption('--submission')}: no such folder")
    device = config.getoption("--device")
    if str(device).split(":")[0] == "meta":
        raise pytest.UsageError("--device meta: a device without data; check on cpu, cuda, mps or auto")
    try:
        resolve_device(device)
    except RuntimeError as error:
        raise pytest.UsageError(f"--device {device}: {error}") from None


@pytest.fixture(scope="session")
def selfcheck(request):
    config = request.config
    levels = sorted({int(mark.name[5:]) for item in request.session.items for mark in item.iter_markers()
                     if mark.name[:5] == "level" and mark.name[5:].isdigit()})
    return SelfCheck(submission_folder(config).resolve(), resolve_device(config.getoption("--device")), levels)
