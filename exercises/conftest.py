"""The self-check's options: `pytest exercises [--submission DIR] [--device cpu|cuda|auto]`."""

from autograder.authoring.selfcheck_conftest import *  # noqa: F401,F403
