"""Level 1 (tensors and autograd by hand): make_data, init_weights, forward, mse, the gradient,
the manual update, zero_grad, train.

Probe side: runs beside the student's code and returns plain data; never judges."""

import torch

from autograder.probe import inputs, placement
from autograder.probe.inputs import CONVERGENCE_EPOCHS, TRAIN_BATCHES, TRAIN_LR
from autograder.probe.modules import Watch
from autograder.probe.tensors import (
    GradModeLog,
    as_tensor,
    describe,
    describe_losses,
    fresh_draws,
    grad_of,
    tensor_values,
)

TITLE = "tensors and autograd by hand"
CONTRACT = ("make_data", "init_weights", "forward", "mse", "sgd_update", "zero_grad", "train")  # the names a student writes in this level file

LRS = (0.1, 0.37)  # neither is the default 0.01: an update that ignores `lr` shows


def probe_make_data(student, ctx):
    X, Y = student.make_data(samples=inputs.data_samples(), device=ctx.device)
    default_X, _ = student.make_data(device=ctx.device)
    return {"X": describe(X), "Y": describe(Y), "default_X": describe(default_X, values=False)}


def probe_init_weights(student, ctx):
    n = inputs.weight_count()
    w = student.init_weights(num_parameters=n, device=ctx.device)
    return {"w": describe(w), "grad": grad_of(w), "default": describe(student.init_weights(device=ctx.device)),
            "meta": placement.created_on_meta(lambda: student.init_weights(num_parameters=n, device=placement.META)),
            "many": describe(student.init_weights(num_parameters=inputs.NORMAL_SAMPLE, device=ctx.device)),
            "draws": fresh_draws(lambda: student.init_weights(num_parameters=n, device=ctx.device), ctx.device)}


def probe_forward(student, ctx):
    results = []
    for batch in inputs.probe_batches():
        w, x = as_tensor(batch["w"], ctx.device, requires_grad=True), as_tensor(batch["x"], ctx.device)
        watch, log = Watch(x=x), GradModeLog()
        with log:
            yhat = student.forward(w, x)
        results.append({**describe(yhat), "changed": watch.changed(), "unrecorded": log.unrecorded})
    return results


def probe_mse(student, ctx):
    results = []
    for batch in inputs.probe_batches():
        y = as_tensor(batch["y"], ctx.device)
        yhat = as_tensor(inputs.predictions(batch).tolist(), ctx.device, requires_grad=True)
        watch = Watch(y=y, yhat=yhat)
        loss = student.mse(y, yhat)
        results.append({**describe(loss), "changed": watch.changed()})
    return results


def probe_gradient(student, ctx):
    results = []
    for batch in inputs.probe_batches():
        w = as_tensor(batch["w"], ctx.device, requires_grad=True)
        x, y = as_tensor(batch["x"], ctx.device), as_tensor(batch["y"], ctx.device)
        student.mse(y, student.forward(w, x)).backward()
        results.append(grad_of(w))
    return results


def populated_weights(batch, device):
    """A leaf w whose .grad holds the batch's gradient, as the training loop leaves it."""
    w = as_tensor(batch["w"], device, requires_grad=True)
    x, y = as_tensor(batch["x"], device), as_tensor(batch["y"], device)
    (((x * w).sum(dim=1) - y) ** 2).mean().backward()
    return w


def probe_sgd_update(student, ctx):
    batch = inputs.probe_batches()[0]
    runs = []
    for lr in LRS:
        w = populated_weights(batch, ctx.device)
        returned = student.sgd_update(w, lr)
        runs.append({"lr": lr, "w": describe(w), "grad": grad_of(w), "returned": describe(returned, values=False)})
    return runs


def probe_zero_grad(student, ctx):
    first, second = inputs.probe_batches()[0], inputs.probe_batches()[3]
    w = populated_weights(first, ctx.device)  # the loop calls zero_grad after a backward
    before = describe(w)
    returned = student.zero_grad(w)
    cleared = grad_of(w)
    x, y = as_tensor(second["x"], ctx.device), as_tensor(second["y"], ctx.device)
    (((x * w).sum(dim=1) - y) ** 2).mean().backward()
    return {"before": before, "after": describe(w), "cleared": cleared, "next": grad_of(w),
            "returned": describe(returned, values=False)}


def probe_train(student, ctx):
    from autograder.probe import fixtures, steps  # given: see GIVEN

    X, Y = fixtures.train_tensors(ctx.device)
    start = inputs.start_weights()
    w = as_tensor(start, ctx.device, requires_grad=True)
    record = steps.TrainingRecorder(lambda: tensor_values(w), len(Y))
    record.watch(w)  # the batches are the seed loop's, which the judge draws itself
    losses = student.train(X, Y, w, lr=TRAIN_LR, epochs=CONVERGENCE_EPOCHS, num_batches=TRAIN_BATCHES,
                           seed=inputs.train_seed())
    return {"weights": describe(w)["values"], "start": start, "losses": describe_losses(losses),
            "steps": record.data(with_indices=False)}


def probe_device(student, ctx):
    trial, meta = placement.Trial(), placement.META
    trial.run("make_data(samples=8, device='meta')", lambda: student.make_data(samples=8, device=meta), "X", "Y")
    trial.run("init_weights(device='meta')", lambda: student.init_weights(device=meta), "w")
    x, y = placement.meta_inputs()
    w = torch.randn(2, device=meta, requires_grad=True)
    trial.run("forward(w, x)", lambda: student.forward(w, x), "the prediction")
    trial.run("mse(y, yhat)", lambda: student.mse(y, (x * w).sum(dim=1)), "the loss")
    ((x * w).sum(dim=1) - y).pow(2).mean().backward()
    # in-place stubs: what is checked is w itself, whatever they return
    trial.run("sgd_update(w, lr)", lambda: (student.sgd_update(w, 0.1), w)[1], "w", produces=False)
    trial.run("zero_grad(w)", lambda: (student.zero_grad(w), w)[1], "w", produces=False)
    return trial.entries


# check id -> probe: the judge side declares each check under the same id
PROBES = {
    "level1.make_data": probe_make_data,
    "level1.init_weights": probe_init_weights,
    "level1.forward": probe_forward,
    "level1.mse": probe_mse,
    "level1.gradient": probe_gradient,
    "level1.sgd_update": probe_sgd_update,
    "level1.zero_grad": probe_zero_grad,
    "level1.train": probe_train,
    "level1.device": probe_device,
}

# check id -> the given-piece modules (autograder/probe/fixtures.py, given_model.py) its probe imports:
# a zygote's fork for a check masks every such module its check does not name
GIVEN = {"level1.train": ("fixtures",)}
