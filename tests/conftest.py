import pytest

from autograder.judge import judge_level
from autograder.probe.run import load_and_probe
from tests.catalog import write_submission


@pytest.fixture
def grade_entry(tmp_path):
    """Grade a catalog entry's level in-process: {check id: CheckResult}."""

    def grade(entry, device="cpu"):
        path = write_submission(entry, tmp_path / entry.name.replace(" ", "_").replace("/", "_"))
        probed = load_and_probe(entry.level, path, device)
        return {r.id: r for r in judge_level(entry.level, probed, device)}

    return grade
