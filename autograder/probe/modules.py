"""Probe helpers for the levels that grade an nn.Module subclass (3 and 4)."""

import torch

from autograder.probe import inputs
from autograder.probe.tensors import as_tensor, describe, grad_of


def describe_weight(model):
    if not hasattr(model, "w"):
        return {"kind": "missing"}
    return describe(model.w)


def bare_model(cls, w, parameter):
    """An instance of the student's class with the reference's weight, bypassing its __init__,
    so forward is graded on its own."""
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise TypeError(f"CustomLinearModel must be a subclass of torch.nn.Module; got {cls!r}")
    model = cls.__new__(cls)
    torch.nn.Module.__init__(model)
    model.w = torch.nn.Parameter(w) if parameter else w
    return model


def probe_module_forward(student, ctx, parameter=False):
    predictions, grads = [], []
    for batch in inputs.probe_batches():
        w = as_tensor(batch["w"], ctx.device, requires_grad=True)
        model = bare_model(student.CustomLinearModel, w, parameter)
        x, y = as_tensor(batch["x"], ctx.device), as_tensor(batch["y"], ctx.device)
        yhat = model(x)
        predictions.append(describe(yhat))
        ((yhat - y) ** 2).mean().backward()  # the reference mse, so only forward is being graded
        grads.append(grad_of(model.w))
    return {"predictions": predictions, "grads": grads}
