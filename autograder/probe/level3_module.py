"""Level 3 (nn.Module with a plain tensor w): init, forward, gradient, train.

Probe side: runs beside the student's code and returns plain data; never judges."""

import torch

from autograder.probe import fixtures, inputs, placement
from autograder.probe.inputs import CONVERGENCE_EPOCHS
from autograder.probe.modules import bare_model, describe_weight, probe_module_forward
from autograder.probe.tensors import as_tensor, describe, describe_losses


def probe_init(student, ctx):
    torch.manual_seed(2)
    model = student.CustomLinearModel(num_parameters=inputs.weight_count(), device=ctx.device)
    initialised = "_parameters" in vars(model)
    return {"w": describe_weight(model), "initialised": initialised,
            "default": describe_weight(student.CustomLinearModel(device=ctx.device))}


def probe_train(student, ctx):
    model = student.CustomLinearModel(2, device=ctx.device)
    start = inputs.start_weights()
    with torch.no_grad():
        model.w.copy_(as_tensor(start, ctx.device))
    data = fixtures.train_dataset(ctx.device)
    losses = student.train(model, data, lr=0.01, epochs=CONVERGENCE_EPOCHS, seed=inputs.train_seed())
    return {"weights": describe(model.w)["values"], "start": start,
            "losses": describe_losses(losses)}


def probe_device(student, ctx):
    trial, meta = placement.Trial(), placement.META
    trial.run("CustomLinearModel(device='meta')", lambda: student.CustomLinearModel(device=meta).w, "model.w")
    x, _ = placement.meta_inputs()
    model = bare_model(student.CustomLinearModel, torch.randn(2, device=meta, requires_grad=True), False)
    trial.run("CustomLinearModel.forward", lambda: model(x), "the prediction")
    return trial.entries


# check id -> probe: the judge side declares each check under the same id
PROBES = {
    "level3.init": probe_init,
    "level3.forward": probe_module_forward,
    "level3.gradient": probe_module_forward,
    "level3.train": probe_train,
    "level3.device": probe_device,
}
