"""Level 1 checks: data, weights, forward, mse, the gradient, the manual update, zero_grad, training."""

import numpy as np
import torch

from autograder import fixtures, linear, placement
from autograder.checks import Check
from autograder.judging import (Problem, got_text, passed, ratio, require_close, require_entries, require_tensor,
                                values)
from autograder.levels import CONVERGENCE_EPOCHS
from autograder.probing import as_tensor, describe, describe_losses, grad_of

LRS = (0.1, 0.37)  # neither is the default 0.01: an update that ignores `lr` shows


# --- make_data ---------------------------------------------------------------------------

def probe_make_data(student, ctx):
    X, Y = student.make_data(samples=linear.data_samples(), device=ctx.device)
    default_X, _ = student.make_data(device=ctx.device)
    return {"X": describe(X), "Y": describe(Y), "default_X": describe(default_X, values=False)}


def judge_make_data(got, want, ctx):
    samples = linear.data_samples()
    linear.judge_data(got["X"], got["Y"], samples, ctx.device, f"make_data(samples={samples})")
    require_tensor(got["default_X"], "make_data() with the default samples=1000: X", shape=(1000, 2))
    return passed("X is [ones, standard normal] and Y = -1 + 3x, float32, on the right device")


# --- init_weights ------------------------------------------------------------------------

def probe_init_weights(student, ctx):
    w = student.init_weights(num_parameters=linear.weight_count(), device=ctx.device)
    return {"w": describe(w), "grad": grad_of(w), "default": describe(student.init_weights(device=ctx.device))}


def judge_leaf_weights(w, shape, device, what):
    require_tensor(w, what, shape=shape, device=device)
    if not w["requires_grad"]:
        raise Problem(f"{what} must have requires_grad=True, or autograd will not compute its gradient.",
                      "no_requires_grad")
    if not w["is_leaf"]:
        raise Problem(f"{what} is not a leaf tensor (it was made by {w['grad_fn']}), so backward() will not "
                      "fill its .grad. Create it in one call, e.g. torch.randn(n, device=device, "
                      "requires_grad=True), rather than computing or moving it afterwards.", "not_leaf")
    vals = values(w, what)
    if np.allclose(vals, vals.flat[0]):
        raise Problem(f"{what} should start at random normal values; got all {vals.flat[0]:g}. "
                      "Use torch.randn.", "not_random")


def judge_init_weights(got, want, ctx):
    n = linear.weight_count()
    judge_leaf_weights(got["w"], (n,), ctx.device, f"init_weights(num_parameters={n})")
    require_tensor(got["default"], "init_weights() with the default num_parameters=2", shape=(2,))
    return passed("a random float32 leaf tensor with requires_grad=True, of the asked shape")


# --- forward -----------------------------------------------------------------------------

def probe_forward(student, ctx):
    results = []
    for batch in linear.probe_batches():
        w = as_tensor(batch["w"], ctx.device, requires_grad=True)
        results.append(describe(student.forward(w, as_tensor(batch["x"], ctx.device))))
    return results


def judge_predictions(got, device, what):
    require_entries(got, len(linear.probe_batches()), what)
    for batch, yhat in zip(linear.probe_batches(), got):
        n = len(batch["y"])
        if yhat.get("kind") == "tensor" and yhat["shape"] == [n, 2]:
            raise Problem(f"{what} on a batch of {n} returned shape ({n}, 2): the products x * w are "
                          "there but not added up. Sum along the features: .sum(dim=1).", "forgot_sum")
        if yhat.get("kind") == "tensor" and yhat["shape"] == [] and n > 1:
            raise Problem(f"{what} on a batch of {n} returned one number: .sum() without dim adds the "
                          "whole batch together. Use .sum(dim=1) for one prediction per row.", "summed_batch")
        require_tensor(yhat, f"{what} on a batch of {n}", shape=(n,), device=device)
        require_close(values(yhat, what), linear.predictions(batch), f"{what} on a batch of {n} (x @ w)",
                      device, "Each prediction is the dot product of one row of x with w.")
        if yhat["grad_fn"] is None:
            raise Problem(f"{what} returned a tensor autograd cannot trace back to w (no grad_fn): "
                          "did you use .detach(), .data, .numpy() or torch.tensor(...)?", "detached")


def judge_forward(got, want, ctx):
    judge_predictions(got, ctx.device, "forward(w, x)")
    return passed("one prediction per row, x @ w, differentiable")


# --- mse ---------------------------------------------------------------------------------

def probe_mse(student, ctx):
    results = []
    for batch in linear.probe_batches():
        y = as_tensor(batch["y"], ctx.device)
        yhat = as_tensor(linear.predictions(batch).tolist(), ctx.device, requires_grad=True)
        loss = student.mse(y, yhat)
        results.append(describe(loss))
    return results


def judge_mse(got, want, ctx):
    require_entries(got, len(linear.probe_batches()), "mse(y, yhat)")
    for batch, loss in zip(linear.probe_batches(), got):
        n = len(batch["y"])
        require_tensor(loss, f"mse(y, yhat) on a batch of {n}", shape=(), device=ctx.device)
        expected = linear.mse_value(batch)
        k = ratio(values(loss, "mse"), expected)
        hint, diagnosis = "", "wrong_values"
        if k is not None and n > 1 and abs(k - n) < 1e-3 * n:
            hint, diagnosis = ("It is the batch size times the mean: use .mean(), not .sum().",
                               "sum_instead_of_mean")
        require_close(values(loss, "mse"), expected, f"mse(y, yhat) on a batch of {n}", ctx.device, hint, diagnosis)
        if loss["grad_fn"] is None:
            raise Problem("mse returned a tensor autograd cannot differentiate (no grad_fn): keep it a "
                          "tensor computed from yhat; no .item(), float() or torch.tensor(...).", "detached")
    return passed("a differentiable scalar: the mean of the squared errors")


# --- gradient ----------------------------------------------------------------------------

def probe_gradient(student, ctx):
    results = []
    for batch in linear.probe_batches():
        w = as_tensor(batch["w"], ctx.device, requires_grad=True)
        x, y = as_tensor(batch["x"], ctx.device), as_tensor(batch["y"], ctx.device)
        student.mse(y, student.forward(w, x)).backward()
        results.append(grad_of(w))
    return results


def judge_gradient(got, want, ctx):
    linear.judge_gradients(got, ctx.device, "mse(y, forward(w, x)).backward()")
    linear.judge_gradients(want, ctx.device, "the reference")  # the reference's autograd agrees too
    return passed("w.grad equals -(2/n) X^T (y - Xw) and the reference's autograd result")


# --- sgd_update --------------------------------------------------------------------------

def populated_weights(batch, device):
    """A leaf w whose .grad holds the batch's gradient, as the training loop leaves it."""
    w = as_tensor(batch["w"], device, requires_grad=True)
    x, y = as_tensor(batch["x"], device), as_tensor(batch["y"], device)
    (((x * w).sum(dim=1) - y) ** 2).mean().backward()
    return w


def probe_sgd_update(student, ctx):
    batch = linear.probe_batches()[0]
    runs = []
    for lr in LRS:
        w = populated_weights(batch, ctx.device)
        returned = student.sgd_update(w, lr)
        runs.append({"lr": lr, "w": describe(w), "grad": grad_of(w), "returned": describe(returned, values=False)})
    return runs


def judge_sgd_update(got, want, ctx):
    require_entries(got, len(LRS), "sgd_update(w, lr)")
    if sorted(run.get("lr") for run in got) != sorted(LRS):
        raise Problem("sgd_update: the probe's data was replaced (learning rates it was not given).", "malformed")
    for run in got:
        judge_one_update(run, ctx)
    return passed("w moved by exactly -lr * w.grad, in place, and is still a leaf that requires grad")


def judge_one_update(got, ctx):
    batch = linear.probe_batches()[0]
    lr = got["lr"]
    if lr not in LRS:
        raise Problem("sgd_update: malformed probe data.")
    w, what = got["w"], f"sgd_update(w, lr={lr})"
    require_tensor(w, f"{what}: w", shape=(2,), device=ctx.device)
    before = np.asarray(batch["w"])
    grad = linear.gradient(batch["x"], batch["y"], batch["w"])
    after = values(w, "w")
    if np.allclose(after, before):
        if got["returned"].get("kind") == "tensor":
            cause = ("It returned a new tensor: `w = w - lr * w.grad` makes a new tensor and binds the local "
                     "name w to it, so the caller's w never changes (and the training loop ignores the "
                     "return value).")
        else:
            cause = ("If you wrote `w = w - lr * w.grad`: that makes a new tensor and binds the local name w to "
                     "it, so the caller's w never changes.")
        raise Problem(f"{what} did not update w: its values are still {before.tolist()}. {cause} Update in "
                      "place inside torch.no_grad(): `w -= lr * w.grad`.", "w_not_updated")
    if not w["is_leaf"] or w["grad_fn"] is not None:
        raise Problem(f"{what}: after the update w is no longer a leaf (grad_fn {w['grad_fn']}): autograd "
                      "recorded the update. Do it inside `with torch.no_grad():`.", "update_recorded")
    if not w["requires_grad"]:
        raise Problem(f"{what}: after the update w.requires_grad is False, so the next backward() cannot "
                      "compute its gradient. Keep w itself (update it in place) rather than a detached copy.",
                      "lost_requires_grad")
    step = after - before
    k = ratio(step, -lr * grad)
    hint, diagnosis = "", "wrong_update"
    if k is not None and abs(k + 1) < 1e-4:
        hint, diagnosis = "w moved up the gradient: subtract lr * w.grad, do not add it.", "wrong_sign"
    elif k is not None and k > 0 and not np.isclose(k, 1, rtol=1e-4):
        hint, diagnosis = (f"The step used a learning rate of {k * lr:.4g}, not the lr argument ({lr}).",
                           "ignored_lr")
    elif k is not None:
        hint = f"The step is {k:.3g}x -lr * w.grad."
    require_close(after, before - lr * grad, f"{what}: the new w (expected w - lr * w.grad)", ctx.device,
                  hint, diagnosis)


# --- zero_grad ---------------------------------------------------------------------------

def probe_zero_grad(student, ctx):
    first, second = linear.probe_batches()[0], linear.probe_batches()[3]
    w = populated_weights(first, ctx.device)  # the loop calls zero_grad after a backward
    before = describe(w)
    returned = student.zero_grad(w)
    cleared = grad_of(w)
    x, y = as_tensor(second["x"], ctx.device), as_tensor(second["y"], ctx.device)
    (((x * w).sum(dim=1) - y) ** 2).mean().backward()
    return {"before": before, "after": describe(w), "cleared": cleared, "next": grad_of(w),
            "returned": describe(returned, values=False)}


def judge_zero_grad(got, want, ctx):
    first, second = linear.probe_batches()[0], linear.probe_batches()[3]
    what = "zero_grad(w)"
    if got["after"].get("values") != got["before"].get("values"):
        raise Problem(f"{what} changed the values of w; it should only clear w.grad.", "changed_weights")
    expected = linear.gradient(second["x"], second["y"], first["w"])  # w itself is unchanged
    accumulated = expected + linear.gradient(first["x"], first["y"], first["w"])
    nxt = got["next"]
    require_tensor(nxt, f"after {what}, the next backward's w.grad", shape=(2,), device=ctx.device)
    if np.allclose(values(nxt, "w.grad"), accumulated, rtol=1e-4):
        raise Problem("Gradients accumulate: after zero_grad(w) and a second backward(), w.grad is the sum "
                      "of both batches' gradients. backward() adds into .grad, so zero_grad must clear it "
                      "(w.grad.zero_() or w.grad = None).", "gradients_accumulate")
    cleared = got["cleared"]
    if cleared.get("kind") not in ("tensor", "none") or (
            cleared.get("kind") == "tensor" and not np.allclose(values(cleared, "w.grad"), 0)):
        raise Problem(f"{what} left w.grad as {got_text(cleared)}; it should be zeros (w.grad.zero_()) or "
                      "None (w.grad = None).", "grad_not_cleared")
    require_close(values(nxt, "w.grad"), expected, f"after {what}, the next backward's w.grad", ctx.device)
    return passed("the next backward() gives the single-batch gradient")


# --- train (convergence) -----------------------------------------------------------------

def probe_train(student, ctx):
    X, Y = fixtures.train_tensors(ctx.device)
    start = linear.start_weights()
    w = as_tensor(start, ctx.device, requires_grad=True)
    losses = student.train(X, Y, w, lr=0.01, epochs=CONVERGENCE_EPOCHS, seed=linear.train_seed())
    return {"weights": describe(w)["values"], "start": start, "losses": describe_losses(losses)}


def judge_train(got, want, ctx):
    return linear.judge_convergence(got, want, ctx.device, f"train(X, Y, w, epochs={CONVERGENCE_EPOCHS})")


# --- device placement -------------------------------------------------------------------

def probe_device(student, ctx):
    trial, meta = placement.Trial(), placement.META
    trial.run("make_data(samples=8, device='meta')", lambda: student.make_data(samples=8, device=meta), "X", "Y")
    trial.run("init_weights(device='meta')", lambda: student.init_weights(device=meta), "w")
    x, y = placement.meta_inputs()
    w = torch.randn(2, device=meta, requires_grad=True)
    trial.run("forward(w, x)", lambda: student.forward(w, x), "the prediction")
    trial.run("mse(y, yhat)", lambda: student.mse(y, (x * w).sum(dim=1)), "the loss")
    ((x * w).sum(dim=1) - y).pow(2).mean().backward()
    trial.run("sgd_update(w, lr)", lambda: student.sgd_update(w, 0.1) or w, "w", produces=False)
    trial.run("zero_grad(w)", lambda: student.zero_grad(w) or w, "w", produces=False)
    return trial.entries


def judge_device(got, want, ctx):
    return placement.judge_placement(got, tried=want)


CHECKS = [
    Check("level1.make_data", "data: ones column, normal x, Y = -1 + 3x", probe_make_data, judge_make_data),
    Check("level1.init_weights", "random leaf weights that require grad", probe_init_weights, judge_init_weights),
    Check("level1.forward", "predictions x @ w of shape (batch,)", probe_forward, judge_forward),
    Check("level1.mse", "mean squared error, differentiable", probe_mse, judge_mse),
    Check("level1.gradient", "w.grad after backward equals the closed form", probe_gradient, judge_gradient),
    Check("level1.sgd_update", "w -= lr * grad, in place, under no_grad", probe_sgd_update, judge_sgd_update),
    Check("level1.zero_grad", "the next backward gives one batch's gradient", probe_zero_grad, judge_zero_grad),
    Check("level1.train", "training reaches (-1, 3)", probe_train, judge_train),
    Check("level1.device", "tensors stay on the inputs' device (meta)", probe_device, judge_device),
]
