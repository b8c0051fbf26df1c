"""A pytest plugin (entry point `pytest11`): the self-check's level markers, registered wherever the
kit is installed, so a copy of the exercises outside this repository runs with --strict-markers
and without unknown-marker warnings."""

from autograder.levels import LEVEL_TITLES


def pytest_configure(config):
    for level, title in LEVEL_TITLES.items():
        config.addinivalue_line("markers", f"level{level}: level {level}, {title}")
