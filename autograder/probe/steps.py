"""Probing one optimizer step (levels 4 and 5): two calls of the student's train_step on two
batches, with an SGD that records what it was asked to do. Judged by autograder.checks.optim_step."""


from autograder.probe.inputs import STEP_LR, step_batches
from autograder.probe.tensors import CountingSGD, WarningLog, describe


class WatchingSGD(CountingSGD):
    """CountingSGD that also records the weights when step() begins and ends: a change made anywhere
    else (a manual update beside step(), an optimizer of the student's own) shows as a difference."""

    def __init__(self, params, lr, read_weights):
        super().__init__(params, lr=lr)
        self.read_weights = read_weights

    def take_step(self, record):
        record["before"] = self.read_weights()
        super().take_step(record)
        record["after"] = self.read_weights()


def probe_steps(model, read_weights, call_train_step):
    """Run the student's train_step on the two batches with a recording SGD over model's parameters.

    read_weights() gives the weights as [bias, slope]; call_train_step(optimizer, batch) calls the
    student's train_step with that level's arguments."""
    params = list(model.parameters())
    optimizer = WatchingSGD(params, lr=STEP_LR, read_weights=read_weights)
    data = {"returned": [], "weights": [], "calls": [], "warnings": [], "started": []}
    for batch in step_batches():
        optimizer.calls = []
        data["started"].append(read_weights())
        with WarningLog() as log:
            returned = call_train_step(optimizer, batch)
        data["returned"].append(describe(returned, values=False))
        data["weights"].append(read_weights())
        data["calls"].append(optimizer.calls)
        data["warnings"] += log.messages()
    data["same_object"] = [id(p) for p in model.parameters()] == [id(p) for p in params]
    return data
