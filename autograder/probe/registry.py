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
GIVEN_MODULES = ("fixtures", "given_model")  # the probe side's modules of given pieces


def masked_pieces(steps):
    """The given-piece modules none of these steps' probes hands over (each level module's GIVEN): a
    zygote's fork for them masks their files, so no route can import them."""
    wanted = {name for step in steps if not step.endswith(".import")
              for name in getattr(LEVEL_PROBES[level_of(step)], "GIVEN", {}).get(step, ())}
    return [name for name in GIVEN_MODULES if name not in wanted]


def probes_for_level(level):
    return {check_id: probe for check_id, probe in PROBES.items() if level_of(check_id) == level}
