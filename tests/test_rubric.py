import ast
from pathlib import Path

from autograder.checks import all_checks, checks_for_level
from autograder.levels import LEVELS
from autograder.probe.registry import PROBES

PROBE_SIDE = Path(__file__).resolve().parent.parent / "autograder" / "probe"


def test_points_total_100_in_the_levels_shares():
    # The one place the rubric's totals are pinned: every other test derives its totals from the checks'
    # declarations (level_points, all_checks), so changing a check's points is a change to this test alone.
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


def diagnosis_codes_in_source():
    """Every diagnosis code the judge side can give, read from the source (a code literal in the
    diagnosis position of Problem, Verdict, require_close, a charge or a result dict)."""
    positions = {"Problem": 1, "Verdict": 2, "CheckResult": 6, "charge": 1, "require_close": 5}
    codes = {}
    for path in PROBE_SIDE.parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            found = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                pos = positions.get(name)
                if pos is not None and len(node.args) > pos and isinstance(node.args[pos], ast.Constant):
                    found.append(node.args[pos].value)
                found += [kw.value.value for kw in node.keywords
                          if kw.arg == "diagnosis" and isinstance(kw.value, ast.Constant)]
            elif isinstance(node, ast.Dict):
                found += [v.value for k, v in zip(node.keys, node.values)
                          if isinstance(k, ast.Constant) and k.value == "diagnosis" and isinstance(v, ast.Constant)]
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
                last = node.value.elts[1]
                found += [last.value] if isinstance(last, ast.Constant) else []
            for code in found:
                if isinstance(code, str) and code:
                    codes.setdefault(code, path.name)
    return codes


def test_every_diagnosis_has_a_title():
    from autograder.checks.diagnoses import DIAGNOSES
    from autograder.checks.explain import KNOWN_ERRORS

    codes = diagnosis_codes_in_source()
    codes.update({code: "explain.py" for _, code, _ in KNOWN_ERRORS})
    assert len(codes) > 60  # the scan found the judges' codes
    missing = {code: where for code, where in codes.items() if code not in DIAGNOSES}
    assert missing == {}
    assert all(d.title and d.title != d.code for d in DIAGNOSES.values())
