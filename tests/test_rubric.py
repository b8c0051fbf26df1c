import ast
from pathlib import Path

from autograder.checks import all_checks, checks_for_level
from autograder.levels import LEVELS
from autograder.probe.registry import PROBES

PROBE_SIDE = Path(__file__).resolve().parent.parent / "autograder" / "probe"


def test_points_total_100_in_the_levels_shares():
    assert sum(check.points for check in all_checks().values()) == 100
    assert [sum(c.points for c in checks_for_level(level)) for level in LEVELS] == [25, 20, 15, 20, 20]


def test_check_ids_name_their_level_and_have_a_probe():
    for check_id, check in all_checks().items():
        assert check_id.startswith(f"level{check.level}.")
        assert check.title and check.stubs and check.points > 0
        assert check.probe is PROBES[check_id]
    assert set(PROBES) == set(all_checks())


def test_the_probe_side_imports_nothing_from_the_judge_side():
    """What a sandbox holds is autograder/probe alone: any import of the rest of the kit from there
    would either fail in the sandbox or hand student code the judges' closed forms."""
    outside = []
    for path in PROBE_SIDE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.startswith("autograder") and not name.startswith("autograder.probe"):
                    outside.append(f"{path.name}: {name}")
    assert outside == []


def test_no_level_module_imports_another_level():
    for side in ("checks", "probe"):
        for path in (PROBE_SIDE.parent / side).glob("level*.py"):
            text = path.read_text()
            others = [f"level{n}_" for n in LEVELS if not path.name.startswith(f"level{n}_")]
            assert not any(other in line for line in text.splitlines() if "import" in line for other in others), path
