"""The challenge stays with the grader (autograder/judge.py's sealing, autograder/probe/inputs.py): no
message or loss curve shows it, however it is spelled."""

import math

from autograder.checks import all_checks


SECRET = 1_234_567_890  # a challenge of this run


def spellings(secret):
    return [str(secret), f"{secret:,}", f"{secret:_}", f"{secret:x}", f"{secret:#X}", f"{secret:#o}",
            f"{secret:#b}", f"00{secret}"]


def leaks(text, secret=SECRET):
    """The spellings of secret that text holds, and its digits however they are separated."""
    found = [form for form in spellings(secret) if form.lower() in text.lower()]
    digits = "".join(c for c in text if c.isdigit())
    return found + ([f"the digits of {secret}"] if str(secret) in digits else [])


def test_the_challenge_never_reaches_a_message():
    from autograder.judge import HIDDEN, judge_check, judge_level, reference_results
    from autograder.probe import inputs

    with inputs.challenge(SECRET):
        seed = inputs.train_seed()
    said = " ".join(f"seed={form}!" for form in spellings(SECRET)) + f" train seed {seed}"
    check = all_checks()["level1.mse"]
    reference = reference_results(1, "cpu", 0)["level1.mse"]
    raised = judge_check(check, {"error": {"type": "ValueError", "message": said, "where": None}}, reference, "cpu",
                         SECRET)
    assert HIDDEN in raised.message and not leaks(raised.message) and str(seed) not in raised.message, raised.message
    # a value's own repr, as a judge shows it
    length = judge_check(all_checks()["level2.len"], {"data": {"raw": {"kind": "other", "type": "str",
                                                                        "repr": f"'{SECRET}'"}, "rows": 3,
                                                               "bare": False}},
                         reference_results(2, "cpu", 0)["level2.len"], "cpu", SECRET)
    assert HIDDEN in length.message and not leaks(length.message), length.message
    # an import error, and the student's own line that raised it
    loaded = judge_level(1, {"load_error": {"type": "ImportError", "message": f"no {SECRET:#x}",
                                            "where": {"file": "level1_manual.py", "line": 3,
                                                      "code": f"raise ImportError({SECRET})"}}}, "cpu", SECRET)
    assert all(HIDDEN in r.message and not leaks(r.message) for r in loaded), loaded[0].message


def test_the_challenge_never_reaches_a_loss_curve():
    from autograder.judge import judge_check, reference_results

    reference = reference_results(1, "cpu", 0)["level1.train"]
    losses = reference["data"]["losses"]
    items = [{"kind": "number", "type": "float", "value": float(SECRET)}, *losses["items"][1:]]
    result = judge_check(all_checks()["level1.train"], {"data": {**reference["data"],
                                                                 "losses": {**losses, "items": items}}},
                         reference, "cpu", SECRET)
    assert math.isnan(result.curve[0]) and result.curve[1:] == [i["value"] for i in losses["items"][1:]]


def test_numbers_that_only_share_digits_with_the_challenge_are_kept():
    from autograder.judge import sealed, secrets_of

    text = f"batch of 7, loss 0.5, index 0, {SECRET}1, 9{SECRET}, {SECRET}.5e3 and 0x{SECRET:x}f"
    assert sealed(text, secrets_of(SECRET)) == text.replace(f"{SECRET}.5e3", "[hidden].5e3")
    assert sealed(f"seed {SECRET}", secrets_of(0)) == f"seed {SECRET}"  # challenge 0: the published inputs
