"""Self-check for level 4 (level4_optim.py): pytest exercises -m level4"""

from autograder.authoring.pytest_plugin import level_tests

test_level4 = level_tests(4)
