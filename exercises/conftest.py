"""Options for the self-check: `pytest exercises [--submission DIR] [--device cpu|cuda|auto]`."""

from pathlib import Path

import pytest

from autograder.devices import resolve_device
from autograder.selfcheck import SelfCheck


def pytest_addoption(parser):
    group = parser.getgroup("autograder")
    group.addoption("--submission", default=None,
                    help="folder of level files to check (default: the exercises folder itself)")
    group.addoption("--device", default="cpu", help="cpu, cuda, mps or auto (default: cpu)")


@pytest.fixture(scope="session")
def selfcheck(request):
    config = request.config
    folder = config.getoption("--submission")
    folder = Path(config.invocation_params.dir, folder) if folder else Path(__file__).parent
    if not folder.is_dir():
        raise pytest.UsageError(f"--submission {folder}: no such folder")
    return SelfCheck(folder.resolve(), resolve_device(config.getoption("--device")))
