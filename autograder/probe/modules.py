"""Probe helpers for the levels that grade an nn.Module subclass (3 and 4)."""

import torch

from autograder.probe import inputs
from autograder.probe.tensors import GradModeLog, as_tensor, describe, grad_of, is_tensor


class Watch:
    """Copies of the inputs handed to a stub, to tell afterwards which ones it changed in place
    (x.mul_(w) gives the right predictions and overwrites the caller's batch)."""

    def __init__(self, **tensors):
        self.tensors = tensors
        self.copies = {name: (t.detach().clone(), t.requires_grad, t.grad_fn) for name, t in tensors.items()}

    def changed(self):
        out = []
        for name, t in self.tensors.items():
            copy, requires_grad, grad_fn = self.copies[name]
            same = (t.shape == copy.shape and t.dtype == copy.dtype and t.requires_grad == requires_grad
                    and t.grad_fn is grad_fn and bool(torch.equal(t.detach(), copy)))
            if not same:
                out.append(name)
        return out


def describe_weight(model):
    if not hasattr(model, "w"):
        return {"kind": "missing"}
    return describe(model.w)


def weight_of(model):
    """model.w, or None where it has none."""
    return getattr(model, "w", None)


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
        watch, log = Watch(x=x), GradModeLog()
        with log:
            yhat = model(x)
        predictions.append({**describe(yhat), "changed": watch.changed(), "unrecorded": log.unrecorded})
        if not (is_tensor(yhat) and not yhat.requires_grad):  # no graph at all: the judges say why
            ((yhat - y) ** 2).mean().backward()  # the reference mse, so only forward is being graded
        grads.append(grad_of(model.w))
    return {"predictions": predictions, "grads": grads}
