"""Level 1 checks (level1_manual.py): data, weights, forward, mse, the gradient, the manual update,
zero_grad, training.

Judge side: each check's probe is autograder.probe.level1_manual.PROBES[id]; the judges here
see only the plain data it sent back."""

import numpy as np

from autograder.checks import closed_form, placement, regression
from autograder.checks.check import Check
from autograder.checks.schema import (  # the form of each probe's data
    DEVICE, DRAWS, Described, ENTRIES, ListOf, NO_VALUES, Num, PREDICTION, Record, TRAIN, VALUES,
)
from autograder.checks.verdicts import (
    Problem,
    got_text,
    passed,
    ratio,
    require_close,
    require_entries,
    require_tensor,
    values,
)
from autograder.checks.weights import (
    judge_fresh_draws,
    judge_inputs_kept,
    judge_leaf_weights,
    judge_predictions,
    judge_standard_normal,
)
from autograder.probe import inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS
from autograder.probe.level1_manual import LRS


def judge_make_data(got, want, ctx):
    samples = ctx.inputs.data_samples()
    regression.judge_data(got["X"], got["Y"], samples, ctx.device, f"make_data(samples={samples})")
    require_tensor(got["default_X"], "make_data() with the default samples=1000: X", shape=(1000, 2))
    return passed("X is [ones, standard normal] and Y = -1 + 3x, float32, on the right device")


def judge_init_weights(got, want, ctx):
    n = ctx.inputs.weight_count()
    judge_leaf_weights(got["w"], (n,), ctx.device, f"init_weights(num_parameters={n})", got.get("meta"),
                       f"init_weights(num_parameters={n}, device='meta')")
    require_tensor(got["default"], "init_weights() with the default num_parameters=2", shape=(2,))
    judge_standard_normal(got.get("many"), f"init_weights(num_parameters={inputs.NORMAL_SAMPLE})")
    judge_fresh_draws(got.get("draws"), f"init_weights(num_parameters={n})")
    return passed("a random float32 leaf tensor with requires_grad=True, of the asked shape")


def judge_forward(got, want, ctx):
    judge_predictions(got, ctx, "forward(w, x)")
    return passed("one prediction per row, x @ w, differentiable")


def judge_mse(got, want, ctx):
    require_entries(got, len(ctx.inputs.probe_batches()), "mse(y, yhat)")
    for batch, loss in zip(ctx.inputs.probe_batches(), got):
        n = len(batch["y"])
        judge_inputs_kept(loss, f"mse(y, yhat) on a batch of {n}")
        if loss.get("kind") == "number":
            raise Problem(f"mse(y, yhat) on a batch of {n} returned {got_text(loss)}, a Python number: .item() or "
                          "float() turned the loss into a value autograd cannot differentiate, so backward() "
                          "has nothing to call. Return the tensor; the training loop takes .item() itself.",
                          "not_a_tensor")
        require_tensor(loss, f"mse(y, yhat) on a batch of {n}", shape=(), device=ctx.device)
        expected = closed_form.mse_value(batch)
        got_value = float(values(loss, "mse"))
        if n > 1 and not np.isclose(got_value, expected, rtol=1e-4) and np.isclose(
                got_value, closed_form.broadcast_mse_value(batch), rtol=1e-4, atol=1e-6):
            raise Problem(f"mse(y, yhat) on a batch of {n} (y and yhat both of shape ({n},)) gives the mean over the "
                          f"({n}, {n}) table of every prediction against every target: one of them was reshaped to "
                          f"({n}, 1) before the subtraction, and broadcasting did the rest. Subtract tensors of the "
                          "same shape: ((y - yhat) ** 2).mean().", "broadcasting")
        if expected > 1e-6 and not np.isclose(got_value, expected, rtol=1e-4) and np.isclose(
                got_value, np.sqrt(expected), rtol=1e-4, atol=1e-6):
            raise Problem(f"mse(y, yhat) on a batch of {n} is {got_value:.6g}, the square root of the mean squared "
                          f"error ({expected:.6g}): a root mean square error. The level's loss is the mean "
                          "itself, ((y - yhat) ** 2).mean(), without torch.sqrt.", "rmse")
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


def judge_gradient(got, want, ctx):
    regression.judge_gradients(got, ctx, "mse(y, forward(w, x)).backward()")
    regression.judge_gradients(want, ctx, "the reference")  # the reference's autograd agrees too
    return passed("w.grad equals -(2/n) X^T (y - Xw) and the reference's autograd result")


def judge_sgd_update(got, want, ctx):
    require_entries(got, len(LRS), "sgd_update(w, lr)")
    if sorted(run.get("lr") for run in got) != sorted(LRS):
        raise Problem("sgd_update: the probe's data was replaced (learning rates it was not given).", "malformed")
    for run in got:
        judge_one_update(run, ctx)
    return passed("w moved by exactly -lr * w.grad, in place, and is still a leaf that requires grad")


def judge_one_update(got, ctx):
    batch = ctx.inputs.probe_batches()[0]
    lr = got["lr"]
    if lr not in LRS:
        raise Problem("sgd_update: malformed probe data.")
    w, what = got["w"], f"sgd_update(w, lr={lr})"
    require_tensor(w, f"{what}: w", shape=(2,), device=ctx.device)
    before = np.asarray(batch["w"])
    grad = closed_form.gradient(batch["x"], batch["y"], batch["w"])
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


def judge_zero_grad(got, want, ctx):
    first, second = ctx.inputs.probe_batches()[0], ctx.inputs.probe_batches()[3]
    what = "zero_grad(w)"
    after = got["after"]
    if after.get("kind") != "tensor" or after.get("shape") != [2] or not np.allclose(values(after, "w"), first["w"]):
        raise Problem(f"{what} changed the values of w; it should only clear w.grad.", "changed_weights")
    expected = closed_form.gradient(second["x"], second["y"], first["w"])  # w itself is unchanged
    accumulated = expected + closed_form.gradient(first["x"], first["y"], first["w"])
    nxt = got["next"]
    require_tensor(nxt, f"after {what}, the next backward's w.grad", shape=(2,), device=ctx.device)
    if np.allclose(values(nxt, "w.grad"), accumulated, rtol=1e-4):
        raise Problem("Gradients accumulate: after zero_grad(w) and a second backward(), w.grad is the sum "
                      "of both batches' gradients. backward() adds into .grad, so zero_grad must clear it "
                      "(zero it in place with the tensor's zero_ method, or set it to None).", "gradients_accumulate")
    cleared = got["cleared"]
    if cleared.get("kind") not in ("tensor", "none") or (
            cleared.get("kind") == "tensor" and not np.allclose(values(cleared, "w.grad"), 0)):
        raise Problem(f"{what} left w.grad as {got_text(cleared)}; it should be zeros (zeroed in place) or "
                      "None (w.grad = None).", "grad_not_cleared")
    require_close(values(nxt, "w.grad"), expected, f"after {what}, the next backward's w.grad", ctx.device)
    return passed("the next backward() gives the single-batch gradient")


def judge_train(got, want, ctx):
    return regression.judge_training(got, want, ctx, f"train(X, Y, w, epochs={CONVERGENCE_EPOCHS})",
                                     batches=regression.seed_loop_batches(ctx.inputs.train_seed()))


def judge_device(got, want, ctx):
    return placement.judge_placement(got, tried=want)


CHECKS = [
    Check("level1.make_data", "data: ones column, normal x, Y = -1 + 3x", judge_make_data,
          points=3, stubs=("make_data",),
          schema=Record({"X": VALUES, "Y": VALUES, "default_X": NO_VALUES})),
    Check("level1.init_weights", "random leaf weights that require grad", judge_init_weights,
          points=2, stubs=("init_weights",),
          schema=Record({"w": VALUES, "grad": VALUES, "default": VALUES,
                         "meta": Described(values=False, error=True), "many": VALUES},
                        optional={"draws": DRAWS})),
    Check("level1.forward", "predictions x @ w of shape (batch,)", judge_forward,
          points=3, stubs=("forward",),
          schema=ListOf(PREDICTION, ENTRIES)),
    Check("level1.mse", "mean squared error, differentiable", judge_mse,
          points=3, stubs=("mse",),
          schema=ListOf(PREDICTION, ENTRIES)),
    Check("level1.gradient", "w.grad after backward equals the closed form", judge_gradient,
          points=3, stubs=("forward", "mse"),
          schema=ListOf(VALUES, ENTRIES)),
    Check("level1.sgd_update", "w -= lr * grad, in place, under no_grad", judge_sgd_update,
          points=4, stubs=("sgd_update",),
          schema=ListOf(Record({"lr": Num(), "w": VALUES, "grad": VALUES, "returned": NO_VALUES}), ENTRIES)),
    Check("level1.zero_grad", "the next backward gives one batch's gradient", judge_zero_grad,
          points=3, stubs=("zero_grad",),
          schema=Record({"before": VALUES, "after": VALUES, "cleared": VALUES, "next": VALUES,
                         "returned": NO_VALUES})),
    Check("level1.train", "training reaches (-1, 3)", judge_train,
          points=2, stubs=("train",),
          schema=TRAIN),
    Check("level1.device", "tensors stay on the inputs' device (meta)", judge_device,
          points=2, stubs=("make_data", "init_weights", "forward", "mse", "sgd_update", "zero_grad"),
          schema=DEVICE),
]
