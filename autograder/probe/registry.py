"""Every probe, by check id: what the sandbox runs for a step. Each level's probe module
(autograder.probe.discovery finds them) holds a PROBES dict; the judge side declares its checks
under the same ids (autograder.checks), and a test keeps the two equal."""

import importlib

from autograder.probe.discovery import contract_names, level_modules
from autograder.probe.run import level_of  # noqa: F401  # one definition, for the judge side too

# imported by name: the level modules are found, not listed (see discovery)
LEVEL_PROBES = {level.number: importlib.import_module(f"autograder.probe.{level.name}") for level in level_modules()}
PROBES = {check_id: probe for module in LEVEL_PROBES.values() for check_id, probe in module.PROBES.items()}
CONTRACT = contract_names()


def probes_for_level(level):
    return {check_id: probe for check_id, probe in PROBES.items() if level_of(check_id) == level}
