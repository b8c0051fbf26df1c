"""Level 3 (nn.Module with a plain tensor w): init, forward, gradient, train.

Probe side: runs beside the student's code and returns plain data; never judges."""

import torch

from autograder.probe import inputs, placement
from autograder.probe.inputs import CONVERGENCE_EPOCHS, TRAIN_LR
from autograder.probe.modules import bare_model, describe_weight, probe_module_forward, weight_of
from autograder.probe.tensors import as_tensor, describe, describe_losses, fresh_draws, is_tensor, tensor_values

TITLE = "nn.Module"
CONTRACT = ("CustomLinearModel", "train")  # the names a student writes in this level file


def probe_init(student, ctx):
    torch.manual_seed(2)
    model = student.CustomLinearModel(num_parameters=inputs.weight_count(), device=ctx.device)
    initialised = "_parameters" in vars(model)
    n = inputs.weight_count()
    return {"w": describe_weight(model), "initialised": initialised,
            "default": describe_weight(student.CustomLinearModel(device=ctx.device)),
            "many": describe_weight(student.CustomLinearModel(num_parameters=inputs.NORMAL_SAMPLE, device=ctx.device)),
            "meta": placement.created_on_meta(
                lambda: weight_of(student.CustomLinearModel(num_parameters=n, device=placement.META))),
            "draws": fresh_draws(lambda: weight_of(student.CustomLinearModel(num_parameters=n, device=ctx.device)),
                                 ctx.device)}


def probe_train(student, ctx):
    from autograder.probe import fixtures, steps  # given: see GIVEN

    model = student.CustomLinearModel(2, device=ctx.device)
    start = inputs.start_weights()
    w = getattr(model, "w", None)
    if is_tensor(w) and not (w.is_leaf and w.requires_grad and w.device.type == torch.device(ctx.device).type):
        # a w that only the CPU makes a leaf (created, then moved) is level3.init's mistake: train is
        # judged on a proper leaf, so every device gives the same verdicts
        model.w = as_tensor(start, ctx.device, requires_grad=True)
    with torch.no_grad():
        model.w.copy_(as_tensor(start, ctx.device))
    w = model.w
    record = steps.TrainingRecorder(lambda: tensor_values(w), inputs.TRAIN_SAMPLES)
    record.watch(w)
    data = fixtures.train_dataset(ctx.device, record=record)
    with fixtures.loader_batches_read(student, record):
        losses = student.train(model, data, lr=TRAIN_LR, epochs=CONVERGENCE_EPOCHS, seed=inputs.train_seed())
    return {"weights": describe(model.w)["values"], "start": start,
            "losses": describe_losses(losses), "steps": record.data()}


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

# check id -> the given-piece modules (autograder/probe/fixtures.py, given_model.py) its probe imports:
# a zygote's fork for a check masks every such module its check does not name
GIVEN = {"level3.train": ("fixtures",)}
