"""Every probe's data has a schema, and the judges survive any data a sandbox can send: for each check,
the reference's own data mutated (wrong types, huge lists and strings, deep nesting, numbers no float
holds, shapes that disagree with their values, NaN) costs that check at most, fast, and never raises."""

import math
import time

import pytest

from autograder.checks import all_checks, schema
from autograder.checks.verdicts import Problem
from autograder.judge import judge_check, reference_results
from autograder.results import CheckResult

CHECKS = sorted(all_checks())
CHALLENGE = 0  # the reference's data, computed once per level (cached)


def reference_of(check_id):
    return reference_results(all_checks()[check_id].level, "cpu", CHALLENGE)[check_id]


def test_every_check_has_a_schema():
    assert [check_id for check_id, check in all_checks().items() if not isinstance(check.schema, schema.Schema)] == []


@pytest.mark.parametrize("check_id", CHECKS)
def test_the_references_own_data_is_readable(check_id):
    """A schema that refused honest data would cost every student the check: the reference's data is
    the measure (a probe that sends a new field needs it declared in its check's schema)."""
    schema.validate(all_checks()[check_id], reference_of(check_id)["data"])


# --- mutations ------------------------------------------------------------------------------------

def nodes(value, path=()):
    """(path, node) for the node and what it holds; of a long list, its first, second and last entry."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from nodes(item, (*path, key))
    elif isinstance(value, list):
        for i in sorted({0, 1, len(value) - 1} & set(range(len(value)))):
            yield from nodes(value[i], (*path, i))


def replaced(data, path, new):
    """data with the node at path replaced by new (a copy along the path only: the rest is shared)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[head] = replaced(copy.get(head) if isinstance(copy, dict) else copy[head], rest, new)
    return copy


def is_number(value):
    return type(value) in (int, float)


def nested(value, depth=45):
    for _ in range(depth):
        value = [value]
    return value


def refused_mutations(node):
    """What no schema accepts in place of node: each (name, replacement)."""
    if isinstance(node, (dict, list)):
        yield "a text in place of a container", "x"
    else:
        yield "an object in place of a value", {}
    if isinstance(node, list):
        yield "a list of 100,000 entries", [node[0] if node else 0] * 100_000
    if isinstance(node, str):
        yield "a text of 275,000 characters", "autograder." * 25_000
    if is_number(node):
        yield "an int too large for a float", 10**400
    yield "nesting 45 deep", nested(node)


def tensor_mutations(node):
    """A tensor description whose values disagree with its shape, or whose shape is enormous."""
    values, shape = node["values"], node["shape"]
    yield "a shape of (40000, 1)", {**node, "shape": [40000, 1]}
    yield "values for one row more", {**node, "shape": [shape[0] + 1, *shape[1:]] if shape else [1]}
    yield "ragged values", {**node, "values": [values, [values]] if shape else [[values], values]}


def mutations(data):
    """(path, what, mutated data) that the schema must refuse, then those it may accept (NaN where a
    float may be)."""
    refused, maybe = [], []
    for path, node in nodes(data):
        for what, new in refused_mutations(node):
            refused.append((path, what, replaced(data, path, new)))
        if isinstance(node, dict) and node.get("kind") == "tensor" and node.get("values") is not None:
            for what, new in tensor_mutations(node):
                refused.append((path, what, replaced(data, path, new)))
        if is_number(node):
            for nan in (math.nan, math.inf, -math.inf):
                maybe.append((path, f"{nan} in place of a number", replaced(data, path, nan)))
    return refused, maybe


CPU_SECONDS = 2.0  # per judgement; what they take is milliseconds: a safety bound, not a speed goal


def judged(check_id, data):
    began = time.process_time()
    result = judge_check(all_checks()[check_id], {"data": data}, reference_of(check_id), "cpu", CHALLENGE)
    seconds = time.process_time() - began
    assert isinstance(result, CheckResult) and seconds < CPU_SECONDS, (check_id, seconds)
    return result


@pytest.mark.parametrize("check_id", CHECKS)
def test_data_out_of_form_costs_its_check_and_nothing_else(check_id):
    data = reference_of(check_id)["data"]
    refused, maybe = mutations(data)
    assert refused and (maybe or check_id.endswith((".device", "make_loss")))
    for path, what, mutated in refused:
        result = judged(check_id, mutated)
        assert not result.passed and result.points == 0, (path, what, result.message)
        assert result.diagnosis == "unreadable_result", (path, what, result.message)
        assert "could not read this check's result" in result.message and len(result.message) < 2000
    for path, what, mutated in maybe:  # judged on their merits: a judge meets NaN and says what it means
        result = judged(check_id, mutated)
        assert result.diagnosis != "unjudgeable", (path, what, result.message)
    assert judged(check_id, data).passed  # the mutations above never touched the reference's own data


def test_the_message_says_where_the_data_went_wrong():
    data = reference_of("level1.make_data")["data"]
    with pytest.raises(Problem) as stopped:
        schema.validate(all_checks()["level1.make_data"], replaced(data, ("X", "values", 3), [1.0, 2.0, 3.0]))
    message = stopped.value.verdict.message
    assert "X.values[3]" in message and "shape [" in message, message


def test_a_tensor_may_not_claim_more_values_than_a_check_reads():
    huge = {"kind": "tensor", "parameter": False, "shape": [schema.MAX_VALUES + 1], "dtype": "float32",
            "device": "cpu", "requires_grad": False, "is_leaf": True, "grad_fn": None,
            "values": [0.0] * (schema.MAX_VALUES + 1)}
    data = {**reference_of("level1.init_weights")["data"], "many": huge}
    with pytest.raises(Problem, match="at most 4096"):
        schema.validate(all_checks()["level1.init_weights"], data)
    data["many"] = {**huge, "shape": [schema.MAX_VALUES], "values": [0.0] * schema.MAX_VALUES}
    schema.validate(all_checks()["level1.init_weights"], data)  # the bound itself is readable


def test_the_node_budget_bounds_a_check_however_its_lists_are_shaped():
    data = {**reference_of("level1.train")["data"], "later": [[0] * 1000 for _ in range(40)]}  # room for fields to come
    with pytest.raises(Problem, match="values in all"):
        schema.validate(all_checks()["level1.train"], data)
