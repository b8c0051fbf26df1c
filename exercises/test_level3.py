"""Self-check for level 3 (level3_module.py): pytest exercises -m level3"""

from autograder.authoring.pytest_plugin import level_tests

test_level3 = level_tests(3)
