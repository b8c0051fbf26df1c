"""Self-check for level 1 (level1_manual.py): pytest exercises -m level1"""

from autograder.authoring.pytest_plugin import level_tests

test_level1 = level_tests(1)
