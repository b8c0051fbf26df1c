"""The diagnosis table, and what a student reads beside a failed check: its message and the hint of its
diagnosis, which never repeat each other (over every buggy submission of the catalog)."""

import re

import pytest

from autograder.checks.diagnoses import DIAGNOSES, KINDS, TABLE, codes_of, hint_for, kind_for, title_for
from tests.catalog import MISTAKES

RUN = 5  # words in a row shared by a message and its hint: more than a shared term, a restated clause


def words(text):
    return re.findall(r"[\w.()\[\]=*/<>+-]+", text.lower().replace("'", " "))


def runs(text, n=RUN):
    found = words(text)
    return {" ".join(found[i:i + n]) for i in range(len(found) - n + 1)}


def sentences(text):
    """The sentences of a text, normalised (case, spacing), long enough to count as saying something."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z`(])", text.strip())
    return [" ".join(part.lower().split()).rstrip(".") for part in parts if len(part.split()) >= 3]


def repetitions(message, hint):
    """What message and hint say twice: one inside the other, a sentence twice, a clause in both."""
    found = []
    if hint and (hint in message or message in hint):
        found.append("one contains the other")
    said = sentences(message) + sentences(hint or "")
    found += [f"sentence twice: {s!r}" for s in sorted({s for s in said if said.count(s) > 1})]
    if hint:
        found += [f"clause in both: {run!r}" for run in sorted(runs(message) & runs(hint))]
    return found


def test_the_table_is_one_table_and_every_lookup_reads_it():
    codes = [d.code for d in TABLE]
    assert len(codes) == len(set(codes)) > 60
    assert DIAGNOSES == {d.code: d for d in TABLE}
    for entry in TABLE:
        assert entry.kind in KINDS, entry
        assert entry.title and entry.title != entry.code, entry
        assert title_for(entry.code) == entry.title and hint_for(entry.code) == entry.hint
        assert kind_for(entry.code) == entry.kind
    assert title_for("no_such_code") == "no_such_code" and hint_for("no_such_code") is None
    assert kind_for(None) is None
    assert {"timeout", "killed", "out_of_memory"} <= codes_of("limit")
    assert codes_of("unfinished") == {"not_implemented", "missing_file", "import_failed"}
    assert "sum_instead_of_mean" in codes_of("mistake") and "not_converged" in codes_of("consequence")
    with pytest.raises(ValueError, match="unknown kind"):
        codes_of("mistakes")


def test_the_class_summary_counts_what_the_table_calls_mistakes():
    from autograder.batch import summary

    # the summary's own sets, while it keeps them, say what the table says
    assert set(getattr(summary, "NOT_MISTAKES", {None})) - {None} <= codes_of("unfinished")
    assert set(getattr(summary, "LIMIT_DIAGNOSES", {})) <= codes_of("limit")
    assert set(getattr(summary, "CONSEQUENCES", set())) <= codes_of("consequence")


def test_hints_give_background_not_the_message_again():
    """A hint is shown beside every message of its diagnosis: each must stand on its own."""
    for entry in TABLE:
        if entry.hint:
            assert len(sentences(entry.hint)) == len(set(sentences(entry.hint))), entry
            assert entry.hint[-1] in ".)?", entry


def test_repetitions_are_found():
    """The detector itself: a restated hint, a repeated sentence and a shared clause are each caught."""
    assert repetitions("Use .mean(). The loss sums.", "Use .mean().") == ["one contains the other"]
    assert any("sentence twice" in r for r in repetitions("The loss is a sum here. Use the mean of it.",
                                                           "Averages differ. The loss is a sum here."))
    assert any("clause in both" in r for r in repetitions("Put the ones first, so that w[0] is the bias.",
                                                           "With the ones first so that w[0] is the bias, x @ w works."))
    assert repetitions("mse(y, yhat) is 47.85; expected 15.95.", hint_for("sum_instead_of_mean")) == []


@pytest.mark.parametrize("entry", MISTAKES, ids=[e.name for e in MISTAKES])
def test_message_and_hint_never_repeat_each_other(entry, grade_entry):
    results = grade_entry(entry)
    problems = {}
    for result in results.values():
        if result.passed:
            continue
        found = repetitions(result.message, hint_for(result.diagnosis))
        if found:
            problems[result.id] = (found, result.message, hint_for(result.diagnosis))
    assert problems == {}
