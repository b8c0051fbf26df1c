"""Probing training steps: one optimizer step (levels 4 and 5), two calls of the student's train_step
on two batches with an SGD that records what it was asked to do (judged by
autograder.checks.optim_step); and every step of a convergence run (judged by
autograder.checks.regression)."""

import operator

import numpy as np

from autograder.probe.inputs import STEP_LR, step_batches
from autograder.probe.tensors import WarningLog, describe, f32_floats, is_tensor, tensor_values


def probe_steps(model, read_weights, call_train_step):
    """Run the student's train_step on the two batches with a recording SGD over model's parameters.

    read_weights() gives the weights as [bias, slope]; call_train_step(optimizer, batch) calls the
    student's train_step with that level's arguments."""
    from autograder.probe.fixtures import WatchingSGD  # given: a train_step check's (see GIVEN)

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


# What a convergence run may record: an honest run takes CONVERGENCE_EPOCHS x 100 steps of 10
# examples; a run past these bounds is judged on its step count alone (the channel stays small).
MAX_RECORDED_STEPS = 1000
MAX_RECORDED_INDICES = 10_000


def flat_indices(index, rows):
    """The example indices one dataset access asked for (an int, a tensor, a list or a slice)."""
    if is_tensor(index):
        values = tensor_values(index)
        return [int(v) for v in np.ravel(values)] if values is not None else [-1]
    if type(index) in (list, tuple):
        return [i for item in index for i in flat_indices(item, rows)]
    if type(index) is slice:
        return list(range(*index.indices(rows)))
    try:
        return [operator.index(index)]
    except TypeError:
        return [-1]  # not an example index: the judge says so


class TrainingRecorder:
    """A convergence run, step by step, for the judge to replay: at each backward() that reaches the
    weights (their values then are still the ones before that step's update) the weights, and the
    examples drawn since the previous backward() (the batch the step used). Examples are told two
    ways: by the data as it hands them out, and by the loader's batches as train receives them (a
    loader over another dataset, or fetching in worker processes, never asks the data itself); the
    loader's word counts where it spoke."""

    def __init__(self, read_weights, rows):
        self.read_weights, self.rows = read_weights, rows
        self.steps, self.before, self.fetched, self.indices = 0, [], [], []
        self.from_data, self.from_loader = [], []

    def watch(self, tensor):
        if is_tensor(tensor) and tensor.requires_grad:
            tensor.register_hook(self.on_gradient)

    def on_gradient(self, grad):
        self.steps += 1
        drawn = self.from_loader or self.from_data
        if self.steps <= MAX_RECORDED_STEPS:
            self.before += f32_floats(self.read_weights())
            self.fetched.append(len(drawn))
            self.indices += drawn[:max(0, MAX_RECORDED_INDICES - len(self.indices))]
        self.from_data, self.from_loader = [], []

    def fetch(self, index):
        """The data handed out these examples."""
        if len(self.from_data) < MAX_RECORDED_INDICES:
            self.from_data += flat_indices(index, self.rows)

    def batch(self, indices):
        """A batch of the loader's reached train holding these examples."""
        if len(self.from_loader) < MAX_RECORDED_INDICES:
            self.from_loader += list(indices)

    def data(self, with_indices=True):
        out = {"steps": self.steps, "before": self.before}
        if with_indices:
            out.update(fetched=self.fetched, indices=self.indices)
        return out
