"""Probing one optimizer step (levels 4 and 5): two calls of the student's train_step on two
batches, with an SGD that records what it was asked to do. Judged by autograder.checks.optim_step."""

from autograder.probe.inputs import STEP_LR, step_batches
from autograder.probe.tensors import CountingSGD, WarningLog, describe


def probe_steps(model, read_weights, call_train_step):
    """Run the student's train_step on the two batches with a recording SGD over model's parameters.

    read_weights() gives the weights as [bias, slope]; call_train_step(optimizer, batch) calls the
    student's train_step with that level's arguments."""
    params = list(model.parameters())
    optimizer = CountingSGD(params, lr=STEP_LR)
    data = {"returned": [], "weights": [], "calls": [], "warnings": []}
    for batch in step_batches():
        optimizer.calls = []
        with WarningLog() as log:
            returned = call_train_step(optimizer, batch)
        data["returned"].append(describe(returned, values=False))
        data["weights"].append(read_weights())
        data["calls"].append(optimizer.calls)
        data["warnings"] += log.messages()
    data["same_object"] = [id(p) for p in model.parameters()] == [id(p) for p in params]
    return data
