"""Every probe, by check id: what the sandbox runs for a step. The judge side declares its checks
under the same ids (autograder.checks); a test keeps the two lists equal."""

from autograder.probe import level1_manual, level2_dataset, level3_module, level4_optim, level5_builtins

PROBES = {**level1_manual.PROBES, **level2_dataset.PROBES, **level3_module.PROBES, **level4_optim.PROBES,
          **level5_builtins.PROBES}


def level_of(check_id):
    return int(check_id.split(".")[0].removeprefix("level"))


def probes_for_level(level):
    return {check_id: probe for check_id, probe in PROBES.items() if level_of(check_id) == level}
