"""Level 3 checks: CustomLinearModel with a plain tensor w (init, forward, gradient), training."""

import torch

from autograder import fixtures, linear, placement
from autograder.checks import Check
from autograder.judging import Problem, passed
from autograder.level1 import judge_leaf_weights, judge_predictions
from autograder.levels import CONVERGENCE_EPOCHS
from autograder.probing import as_tensor, describe, describe_losses, grad_of


def describe_weight(model):
    if not hasattr(model, "w"):
        return {"kind": "missing"}
    return describe(model.w)


def probe_init(student, ctx):
    torch.manual_seed(2)
    model = student.CustomLinearModel(num_parameters=linear.weight_count(), device=ctx.device)
    initialised = "_parameters" in vars(model)
    return {"w": describe_weight(model), "initialised": initialised,
            "default": describe_weight(student.CustomLinearModel(device=ctx.device))}


def judge_model_weight(got, what):
    """Stop unless the module was initialised and has a weight w."""
    if not got["initialised"]:
        raise Problem(f"{what}: nn.Module.__init__ was never run. Call super().__init__() first in "
                      "__init__, before setting attributes.", "no_super_init")
    if got["w"]["kind"] == "missing":
        raise Problem(f"{what} has no attribute w: __init__ must set self.w.", "missing_attribute")


def judge_init(got, want, ctx):
    n = linear.weight_count()
    what = f"CustomLinearModel(num_parameters={n})"
    judge_model_weight(got, what)
    judge_leaf_weights(got["w"], (n,), ctx.device, f"{what}.w")
    if got["default"].get("shape") != [2]:
        raise Problem("CustomLinearModel() with the default num_parameters=2 should have w of shape (2,).",
                      "wrong_shape")
    if got["w"]["parameter"]:
        raise Problem(f"{what}.w is an nn.Parameter. It works, but level 3 keeps w a plain tensor on "
                      "purpose: see for yourself that model.parameters() is then empty and that "
                      "model.to(device) leaves it behind. Level 4 makes it a Parameter.",
                      "parameter_too_early", fraction=0.5)
    return passed("w is a random float32 leaf tensor with requires_grad=True (a plain tensor, not a Parameter)")


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
    for batch in linear.probe_batches():
        w = as_tensor(batch["w"], ctx.device, requires_grad=True)
        model = bare_model(student.CustomLinearModel, w, parameter)
        x, y = as_tensor(batch["x"], ctx.device), as_tensor(batch["y"], ctx.device)
        yhat = model(x)
        predictions.append(describe(yhat))
        ((yhat - y) ** 2).mean().backward()  # the reference mse, so only forward is being graded
        grads.append(grad_of(model.w))
    return {"predictions": predictions, "grads": grads}


def judge_forward(got, want, ctx):
    judge_predictions(got["predictions"], ctx.device, "model(x)")
    return passed("model(x) gives one prediction per row, x @ w, differentiable")


def judge_gradient(got, want, ctx):
    linear.judge_gradients(got["grads"], ctx.device, "mse(y, model(x)).backward()")
    return passed("model.w.grad equals -(2/n) X^T (y - Xw) after backward")


def probe_train(student, ctx):
    model = student.CustomLinearModel(2, device=ctx.device)
    start = linear.start_weights()
    with torch.no_grad():
        model.w.copy_(as_tensor(start, ctx.device))
    data = fixtures.train_dataset(ctx.device)
    losses = student.train(model, data, lr=0.01, epochs=CONVERGENCE_EPOCHS, seed=linear.train_seed())
    return {"weights": describe(model.w)["values"], "start": start,
            "losses": describe_losses(losses)}


def judge_train(got, want, ctx):
    return linear.judge_convergence(got, want, ctx.device, f"train(model, data, epochs={CONVERGENCE_EPOCHS})")


def probe_device(student, ctx):
    trial, meta = placement.Trial(), placement.META
    trial.run("CustomLinearModel(device='meta')", lambda: student.CustomLinearModel(device=meta).w, "model.w")
    x, _ = placement.meta_inputs()
    model = bare_model(student.CustomLinearModel, torch.randn(2, device=meta, requires_grad=True), False)
    trial.run("CustomLinearModel.forward", lambda: model(x), "the prediction")
    return trial.entries


def judge_device(got, want, ctx):
    return placement.judge_placement(got, level3=True, tried=want)


CHECKS = [
    Check("level3.init", "self.w: a random leaf tensor that requires grad", probe_init, judge_init),
    Check("level3.forward", "model(x) gives x @ w of shape (batch,)", probe_module_forward, judge_forward),
    Check("level3.gradient", "model.w.grad after backward equals the closed form", probe_module_forward,
          judge_gradient),
    Check("level3.train", "training the module by hand reaches (-1, 3)", probe_train, judge_train),
    Check("level3.device", "w is created on the device argument (meta)", probe_device, judge_device),
]
