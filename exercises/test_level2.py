"""Self-check for level 2 (level2_dataset.py): pytest exercises -m level2"""

from autograder.authoring.pytest_plugin import level_tests

test_level2 = level_tests(2)
