"""bench/mutation_score.py: it makes mutants of a stub with stable ids, and grades them without
counting the unmutated reference as killed."""

import re

import pytest

from bench import mutation_score

pytestmark = pytest.mark.slow

ID = re.compile(r"^level1\.mse:[A-Za-z]+@\d+:\S+$")


def test_mutants_of_one_stub_have_stable_ids():
    first = mutation_score.generate(levels=[1], stubs=["level1.mse"])
    again = mutation_score.generate(levels=[1], stubs=["level1.mse"])
    assert len(first) >= 5
    assert [m.id for m in first] == [m.id for m in again]
    assert [m.source for m in first] == [m.source for m in again]
    assert len({m.id for m in first}) == len(first)  # one id per mutant
    assert all(ID.match(m.id) and m.stub == "level1.mse" for m in first)
    reference = mutation_score.reference_mutant(1).source
    assert all(m.source != reference for m in first)  # every mutant changes the file
    assert "level1.mse:BinOp@1:Sub->Add" in {m.id for m in first}  # (y + yhat) ** 2


def test_grading_a_few_mutants_leaves_the_reference_alive():
    result = mutation_score.run(levels=[1], stubs=["level1.mse"], limit=3, workers=1, timeout=120)
    (reference,) = result["references"]
    assert reference["id"] == "level1:reference"
    assert reference["verdict"] != "killed" and reference["lost"] == [] and reference["how"] is None
    mutants = result["mutants"]
    assert [m["id"] for m in mutants] == [m.id for m in mutation_score.generate([1], ["level1.mse"], 3)]
    assert all(m["verdict"] in {"killed", "other", "survived", "equivalent"} for m in mutants)
    # dropping the return makes mse() return None: the mse check must lose its points
    dropped = next(m for m in mutants if m["id"] == "level1.mse:Return@0:drop")
    assert dropped["verdict"] == "killed" and "level1.mse" in dropped["lost"]
    counts = mutation_score.tally(mutants)
    assert counts["mutants"] == 3 and 0 <= counts["score"] <= 1
