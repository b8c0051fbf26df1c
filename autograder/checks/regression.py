"""Judges shared by several levels: the data, the gradient against the closed form, training."""

import numpy as np

from autograder.checks.closed_form import TRUE_WEIGHTS, broadcast_gradient, gradient, mse_value
from autograder.checks.verdicts import (
    Problem,
    close,
    difference_text,
    passed,
    ratio,
    require_close,
    require_entries,
    require_tensor,
    tolerance,
    values,
)
from autograder.probe import inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS, TRAIN_BATCHES, TRAIN_LR, TRAIN_SAMPLES
from autograder.probe.steps import MAX_RECORDED_STEPS

CONVERGENCE_TOLERANCE = 1e-3
# An epoch's reported loss against the float64 losses of its batches at the recorded float32
# weights: float32 sums differ by about 1e-6 relative, and near convergence a squared error of a
# few float32 roundings (3 * 1.2e-7) is about 1e-13 however small the true loss.
LOSS_RTOL, LOSS_ATOL = 1e-3, 1e-8


def gradient_hint(got, want, batch_size):
    """Name the likely cause when a gradient is a scaled copy of the expected one."""
    k = ratio(got, want)
    if k is None:
        return "", "wrong_gradient"
    if batch_size > 1 and abs(k - batch_size) < 1e-3 * batch_size:
        return (f"Gradients are {batch_size:g}x the expected, the batch size: did you sum the squared "
                "errors instead of averaging them (.sum() instead of .mean())?"), "sum_instead_of_mean"
    if abs(k + 1) < 1e-4:
        return "The gradient has the wrong sign: is the error squared (y - yhat) ** 2?", "wrong_sign"
    if abs(k - 0.5) < 1e-4:
        return "Gradients are half the expected: is the error squared, not multiplied by 1/2?", "half_gradient"
    return f"Gradients are {k:.3g}x the expected.", "scaled_gradient"


def judge_data(X, Y, samples, device, what):
    """make_data / RandomData: X (samples, 2) = [1, normal], Y = -X0 + 3 X1, float32, on device."""
    if X.get("kind") == "tensor" and X.get("shape") == [2 * samples]:
        raise Problem(f"{what} X has shape ({2 * samples},), one long vector, not ({samples}, 2): torch.hstack of "
                      f"two tensors of shape ({samples},) puts them end to end. hstack joins columns only when "
                      f"each is already a column of shape ({samples}, 1): torch.ones(samples, 1) and "
                      "torch.randn(samples, 1) (or torch.stack([...], dim=1) of the two vectors).", "hstack_1d")
    require_tensor(X, f"{what} X", shape=(samples, 2), device=device)
    require_tensor(Y, f"{what} Y", shape=(samples,), device=device)
    for name, t in (("X", X), ("Y", Y)):
        if t["requires_grad"] or t["grad_fn"] is not None:
            graph = f" and carries a graph (grad_fn {t['grad_fn']})" if t["grad_fn"] else ""
            raise Problem(f"{what} {name} has requires_grad=True{graph}. The data are inputs, not weights: "
                          "autograd should track only w. Data that require grad make every batch, prediction "
                          "and loss part of a graph back to the data, and backward() spends its work on "
                          "gradients nobody uses. Build X and Y from plain tensors (no requires_grad, no "
                          ".requires_grad_()).", "data_requires_grad")
    x = values(X, f"{what} X")
    if np.allclose(x[:, 1], 1.0) and not np.allclose(x[:, 0], 1.0):
        raise Problem(f"{what}: the ones column is X[:, 1]; it should be the first column, X[:, 0], "
                      "so that w[0] is the bias. Put torch.ones first in torch.hstack.", "columns_swapped")
    if not np.allclose(x[:, 0], 1.0):
        raise Problem(f"{what}: X[:, 0] should be all ones (the bias feature); got values from "
                      f"{x[:, 0].min():.3g} to {x[:, 0].max():.3g}.", "no_ones_column")
    mean, std = float(x[:, 1].mean()), float(x[:, 1].std())
    # 5 standard errors for the mean; the std of n >= 200 normal draws (standard error 0.05) stays
    # inside 0.8..1.2 but for one run in millions.
    if abs(mean) > 5 / np.sqrt(samples) or not 0.8 < std < 1.2:
        cause = " Did you use torch.rand (uniform on [0, 1)) instead of torch.randn?" if 0.35 < mean < 0.65 else ""
        raise Problem(f"{what}: X[:, 1] should be drawn from a standard normal distribution "
                      f"(mean 0, std 1); got mean {mean:.3g}, std {std:.3g}.{cause}", "not_standard_normal")
    require_close(values(Y, f"{what} Y"), -x[:, 0] + 3 * x[:, 1], f"{what} Y = -1 * X[:, 0] + 3 * X[:, 1]",
                  device, "Compute Y from the columns of X, after building X.", "wrong_targets")


def judge_gradients(got, ctx, what):
    """got: a list, per probe batch, of describe(w.grad) after backward of the student's loss."""
    device, batches = ctx.device, ctx.inputs.probe_batches()
    require_entries(got, len(batches), what)
    for batch, grad in zip(batches, got):
        n = len(batch["y"])
        if grad.get("kind") == "none":
            raise Problem(f"{what}: after loss.backward(), w.grad is None (batch of {n}). The loss is not "
                          "connected to w: is w used in the prediction, without .detach(), .item() or "
                          "torch.tensor(...) in between?", "no_gradient")
        require_tensor(grad, f"{what}: w.grad", shape=(2,), device=device)
        want = gradient(batch["x"], batch["y"], batch["w"])
        got_grad = values(grad, "w.grad")
        if n > 1 and not close(got_grad, want, device) and close(
                got_grad, broadcast_gradient(batch["x"], batch["y"], batch["w"]), device):
            raise Problem(f"{what}: w.grad on a batch of {n} is the gradient of a loss between predictions of "
                          "shape (batch, 1) and targets of shape (batch,): broadcasting made a (batch, batch) "
                          "table of every prediction against every target, so each prediction was pulled toward "
                          "the mean of y. Give predictions and targets the same shape (batch,).", "broadcasting")
        k = ratio(got_grad, want)
        loss = mse_value(batch)
        if k is not None and loss > 1e-6 and not np.isclose(k, 1, rtol=1e-4) and np.isclose(
                k, 1 / (2 * np.sqrt(loss)), rtol=1e-3):
            raise Problem(f"{what}: w.grad on a batch of {n} is {k:.3g}x the expected, 1 / (2 sqrt(mse)): the "
                          "gradient of the square root of the mean squared error. The loss is the mean squared "
                          "error itself, without torch.sqrt.", "rmse")
        hint, diagnosis = gradient_hint(got_grad, want, n)
        require_close(values(grad, "w.grad"), want,
                      f"{what}: w.grad on a batch of {n} (expected -(2/n) X^T (y - X w))", device, hint, diagnosis)


def seed_loop_batches(seed, samples=TRAIN_SAMPLES, epochs=CONVERGENCE_EPOCHS, num_batches=TRAIN_BATCHES):
    """The batches level 1's train draws (the contract's seed loop): one RandomState(seed) for the run,
    each epoch a shuffle of the index, split into num_batches parts."""
    rng = np.random.RandomState(seed)
    index = np.arange(samples)
    batches = []
    for _ in range(epochs):
        rng.shuffle(index)
        batches += [part.copy() for part in np.array_split(index, num_batches)]
    return batches


def returned_losses(got, what):
    """The per-epoch losses train returned, as floats: a list of one number per epoch."""
    losses = got["losses"]
    if losses.get("kind") == "list" and any(item.get("kind") == "tensor" for item in losses["items"]):
        raise Problem(f"{what} should return a list of floats (one loss per epoch); got a list of tensors. "
                      "Add up each batch's loss as a number, loss.item(): a tensor keeps its whole autograd "
                      "graph alive.", "bad_losses")
    if losses.get("kind") != "list" or not all(item.get("kind") == "number" for item in losses["items"]):
        raise Problem(f"{what} should return a list of floats (one loss per epoch); got "
                      f"{losses.get('type', losses.get('kind'))}.", "bad_losses")
    if losses["length"] != CONVERGENCE_EPOCHS or len(losses["items"]) != CONVERGENCE_EPOCHS:
        raise Problem(f"{what} ran {CONVERGENCE_EPOCHS} epochs but returned {losses['length']} losses: one "
                      "per epoch.", "bad_losses")
    return np.asarray([float(item["value"]) for item in losses["items"]], dtype=np.float64)


def recorded_run(got, what, batches=None):
    """(weights before each step, shape (steps, 2); the examples of each step, as one index array and the
    offset where each step's examples start). batches: the steps' examples where the contract fixes
    them (level 1's seed loop); else the examples the data gave out before each step, as recorded."""
    record = got.get("steps")
    if not isinstance(record, dict) or not isinstance(record.get("steps"), int):
        raise Problem(f"{what}: the probe's record of the training steps is missing.", "malformed")
    count = record["steps"]
    if count == 0:
        raise Problem(f"{what} changed the weights, but no loss.backward() ever reached them: each step's "
                      "update must come from the gradient backward() leaves in the weights' .grad.",
                      "wrong_step_count")
    expected = len(batches) if batches is not None else None
    if expected is not None and count != expected:
        raise Problem(f"{what} ran backward() {count} times in {CONVERGENCE_EPOCHS} epochs; the seed loop "
                      f"makes one step per batch: {TRAIN_BATCHES} batches an epoch, {expected} in all. Does "
                      "each batch run backward() exactly once?", "wrong_step_count")
    if count > MAX_RECORDED_STEPS:
        raise Problem(f"{what} ran backward() {count} times in {CONVERGENCE_EPOCHS} epochs, more than one per "
                      f"batch ({TRAIN_SAMPLES} examples in batches of 10 make 100 batches an epoch): does each "
                      "batch run backward() exactly once?", "wrong_step_count")
    if count % CONVERGENCE_EPOCHS:
        raise Problem(f"{what} ran backward() {count} times in {CONVERGENCE_EPOCHS} epochs: not the same number "
                      "every epoch, as one step per batch makes.", "wrong_step_count")
    before = np.asarray(record["before"], dtype=np.float32).astype(np.float64)
    if before.size != 2 * count:
        raise Problem(f"{what}: the probe's record of the training steps is incomplete.", "malformed")
    before = before.reshape(count, 2)
    if batches is None:
        fetched = np.asarray(record.get("fetched", []), dtype=np.int64)
        flat = np.asarray(record.get("indices", []), dtype=np.int64)
        if len(fetched) != count or fetched.sum() != len(flat):
            raise Problem(f"{what}: the probe's record of the batches is incomplete.", "malformed")
        if np.any(fetched == 0):
            k = int(np.argmax(fetched == 0)) + 1
            raise Problem(f"{what}: step {k} ran backward() without a new batch from the loader: one backward() "
                          "per batch (is backward() called twice, or a loss of the previous batch reused?).",
                          "wrong_step_count")
        if np.any((flat < 0) | (flat >= TRAIN_SAMPLES)):
            raise Problem(f"{what}: the loader asked the dataset for an index outside 0..{TRAIN_SAMPLES - 1}.",
                          "malformed")
    else:
        fetched = np.asarray([len(b) for b in batches], dtype=np.int64)
        flat = np.concatenate(batches).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(fetched)[:-1]])
    return before, flat, starts, fetched


def point(w):
    return "(" + ", ".join(f"{v:.7g}" for v in w) + ")"


def step_hint(step, want_step, batch_size, lr):
    """Name the likely cause when a training step is not the SGD step."""
    k = ratio(step, want_step)
    if np.allclose(step, 0, rtol=0, atol=1e-12):
        return ("The weights did not move on this step: the update never reached the weights the loop holds "
                "(a new tensor bound to a local name, or an update of a copy)."), "wrong_step"
    if k is None:
        return ("It is not a multiple of the SGD step either: the gradient is not that of the mean squared error "
                "of this batch (look at the loss, the prediction, and whether each x comes with its own y)."), \
            "wrong_step"
    if abs(k + 1) < 1e-3:
        return "The step goes up the gradient: the update adds lr * grad instead of subtracting it.", "wrong_sign"
    if batch_size > 1 and abs(k - batch_size) < 1e-3 * batch_size:
        return (f"It is {batch_size:g}x the SGD step, the batch size: is the loss the sum of the squared errors "
                f"instead of their mean (.sum() instead of .mean())? A learning rate of {batch_size * lr:g} "
                f"instead of the lr argument ({lr:g}) would look the same: the checks of the loss and of the "
                "update say which."), "wrong_step"
    if abs(k - 2) < 2e-3:
        return ("It is twice the SGD step: were the weights updated twice for this batch (two steps, or a manual "
                "update beside the optimizer's)?"), "wrong_step"
    return (f"It is {k:.4g}x the SGD step: a learning rate other than the lr argument ({lr:g}), or a gradient "
            f"scaled by {k:.4g}."), "wrong_step"


def judge_training(got, want, ctx, what, names=("w[0] (bias)", "w[1]"), batches=None,
                   accumulate_diagnosis="gradients_accumulate"):
    """A convergence run, judged by replaying it: from the grader's start, every step must be one SGD
    step (lr TRAIN_LR, float64 closed form) on the examples that step drew, from the weights it started
    at; each epoch's reported loss one the contract allows (between the least and the largest loss of
    that epoch's batches); the weights at the end near (-1, 3). The batch order is the run's own: the
    seed fixes it only through the student's loader (level 1: through the contract's seed loop)."""
    device = ctx.device
    loss_values = returned_losses(got, what)
    weights = np.asarray(got["weights"], dtype=np.float64)
    start = np.asarray(got["start"], dtype=np.float64)
    if weights.shape != (2,) or start.shape != (2,):
        raise Problem(f"{what}: the probe's data was replaced (weights of another shape).", "malformed")
    if not np.all(np.isfinite(weights)) or not np.all(np.isfinite(loss_values)):
        raise Problem(f"{what}: training diverged (NaN or infinity) after {CONVERGENCE_EPOCHS} epochs. "
                      "A gradient that is too large (a sum instead of a mean) or a wrong update blows up.",
                      "diverged")
    if np.allclose(weights, start):
        raise Problem(f"{what}: after {CONVERGENCE_EPOCHS} epochs the weights are still the starting values "
                      f"{np.round(start, 3).tolist()}: no update ever changed them. The check of the update step above "
                      "says why (an update that never runs or finds no gradient, or one that changes another "
                      "tensor than the one the model holds).", "not_updated")
    before, flat, starts, sizes = recorded_run(got, what, batches)
    if not np.array_equal(before[0].astype(np.float32), start.astype(np.float32)):
        raise Problem(f"{what}: the first step started from {point(before[0])}, not from the weights train was "
                      f"given, {point(start)}: the weights changed before any gradient.", "wrong_step")
    X, Y = (np.asarray(a, dtype=np.float64) for a in ctx.inputs.train_data())
    points = np.vstack([before, weights])  # the weights before each step, then after the last
    step_of = np.repeat(np.arange(len(before)), sizes)
    x, y = X[flat], Y[flat]
    residual = y - np.sum(x * points[step_of], axis=1)
    gradients = -2.0 * np.add.reduceat(x * residual[:, None], starts, axis=0) / sizes[:, None]
    batch_losses = np.add.reduceat(residual ** 2, starts) / sizes
    expected = points[:-1] - TRAIN_LR * gradients
    tol = tolerance(device)
    ok = np.all(np.abs(points[1:] - expected) <= tol["atol"] + tol["rtol"] * np.abs(expected), axis=1)
    ok &= np.all(np.isfinite(points[1:]), axis=1)
    per_epoch = len(before) // CONVERGENCE_EPOCHS
    if not ok.all():
        k = int(np.argmax(~ok))
        w, after, want_w = points[k], points[k + 1], expected[k]
        rows = flat[starts[k]:starts[k] + sizes[k]]
        where = (f"{what}: step {k + 1} (epoch {k // per_epoch + 1}, batch {k % per_epoch + 1}, "
                 f"{sizes[k]} examples) moved the weights from {point(w)} to {point(after)}; one SGD step "
                 f"(lr={TRAIN_LR:g}) on the examples it drew gives {point(want_w)}")
        if sizes[k] > 1 and close(after, w - TRAIN_LR * broadcast_gradient(X[rows], Y[rows], w), device):
            raise Problem(f"{where}, and the step taken is the one of a loss between predictions of shape (batch, "
                          "1) and targets of shape (batch,): broadcasting compared every prediction with every "
                          "target. Give predictions and targets the same shape (batch,).", "broadcasting")
        if k and close(after, w - TRAIN_LR * gradients[:k + 1].sum(axis=0), device):
            raise Problem(f"{where}, and the step taken used the sum of the gradients of every batch so far: "
                          "gradients accumulate, because nothing clears .grad between steps (backward() adds "
                          "into it).", accumulate_diagnosis)
        hint, diagnosis = step_hint(after - w, want_w - w, int(sizes[k]), TRAIN_LR)
        raise Problem(f"{where} ({difference_text(after, want_w)}). {hint}", diagnosis)
    for epoch in range(CONVERGENCE_EPOCHS):
        first, last = epoch * per_epoch, (epoch + 1) * per_epoch
        allowed = np.concatenate([batch_losses[first:last],
                                  [full_loss(X, Y, points[first]), full_loss(X, Y, points[last])]])
        low, high = float(allowed.min()), float(allowed.max())
        slack = LOSS_RTOL * high + LOSS_ATOL
        reported = loss_values[epoch]
        if low - slack <= reported <= high + slack:
            continue
        mean = float(batch_losses[first:last].mean())
        cause = (f" It is {per_epoch} times their mean: the sum of the batches' losses, not divided by the number "
                 "of batches." if np.isclose(reported, per_epoch * mean, rtol=1e-3) else
                 f" It is {reported / mean:.3g} times their mean." if mean > 0 else "")
        raise Problem(f"{what}: epoch {epoch + 1}'s loss is {reported:.6g}, but the losses of that epoch's "
                      f"{per_epoch} batches (each the mean squared error of its batch, at the weights it was "
                      f"computed at) run from {batch_losses[first:last].min():.6g} to "
                      f"{batch_losses[first:last].max():.6g}.{cause} The loss of an epoch is the mean of its "
                      "batches' losses (or one batch's).", "loss_mismatch")
    error = np.abs(weights - np.asarray(TRUE_WEIGHTS))
    if error.max() > CONVERGENCE_TOLERANCE:
        i = int(np.argmax(error))
        reference = (want or {}).get("weights")
        reached = f" (the reference reaches {reference[i]:.6g})" if isinstance(reference, list) and len(reference) == 2 \
            else ""
        raise Problem(f"{what}: after {CONVERGENCE_EPOCHS} epochs from {np.round(start, 3).tolist()}, {names[i]} is "
                      f"{weights[i]:.5g}; expected {TRUE_WEIGHTS[i]:g} within {CONVERGENCE_TOLERANCE:g}"
                      f"{reached}. Learned {np.round(weights, 4).tolist()}.", "not_converged")
    return passed(f"every one of the {len(before)} steps is the SGD step on the batch it drew; converged in "
                  f"{CONVERGENCE_EPOCHS} epochs to {np.round(weights, 5).tolist()}, final loss "
                  f"{loss_values[-1]:.2g}")


def full_loss(X, Y, w):
    return float(np.mean((Y - X @ w) ** 2))
