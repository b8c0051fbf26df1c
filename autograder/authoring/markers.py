"""A pytest plugin (entry point `pytest11`), active wherever the kit is installed: the self-check's
level markers and its two options, so a copy of the exercises outside this repository (a student
release) runs with --strict-markers, and `pytest --submission DIR` is understood before pytest
has found the conftest beside the tests."""

from autograder.levels import LEVEL_TITLES


def pytest_addoption(parser):
    group = parser.getgroup("autograder")
    try:
        group.addoption("--submission", default=None,
                        help="folder of level files to check (default: the folder of the test files)")
        group.addoption("--device", default="cpu", help="cpu, cuda, mps or auto (default: cpu)")
    except ValueError:  # already added: by this plugin, or by a conftest where the plugin is not installed
        pass


def pytest_configure(config):
    for level, title in LEVEL_TITLES.items():
        config.addinivalue_line("markers", f"level{level}: level {level}, {title}")
