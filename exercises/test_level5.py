"""Self-check for level 5 (level5_builtins.py): pytest exercises -m level5"""

from autograder.authoring.pytest_plugin import level_tests

test_level5 = level_tests(5)
