"""Judges shared by several levels: the data, the gradient against the closed form, convergence."""

import numpy as np

from autograder.checks.closed_form import TRUE_WEIGHTS, broadcast_gradient, gradient, mse_value
from autograder.checks.verdicts import (
    Problem,
    close,
    passed,
    ratio,
    require_close,
    require_entries,
    require_tensor,
    values,
)
from autograder.probe import inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS

CONVERGENCE_TOLERANCE = 1e-3
# Each epoch's loss of the student's run must match the reference run from the same start on the
# same data and order: correct variants differ by float32 rounding (about 1e-6 relative).
CURVE_RTOL, CURVE_ATOL = 1e-3, 1e-6


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
    require_tensor(X, f"{what} X", shape=(samples, 2), device=device)
    require_tensor(Y, f"{what} Y", shape=(samples,), device=device)
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


def judge_gradients(got, device, what):
    """got: a list, per probe batch, of describe(w.grad) after backward of the student's loss."""
    require_entries(got, len(inputs.probe_batches()), what)
    for batch, grad in zip(inputs.probe_batches(), got):
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


def judge_convergence(got, want, device, what, names=("w[0] (bias)", "w[1]")):
    """got/want: {"weights": [b, w], "losses": describe(list)}: near (-1, 3), final loss like the reference's."""
    losses = got["losses"]
    if losses.get("kind") == "list" and any(item.get("kind") == "tensor" for item in losses["items"]):
        raise Problem(f"{what} should return a list of floats (one loss per epoch); got a list of tensors. "
                      "Add up each batch's loss as a number, loss.item(): a tensor keeps its whole autograd "
                      "graph alive.", "bad_losses")
    if losses.get("kind") != "list" or not all(item.get("kind") == "number" for item in losses["items"]):
        raise Problem(f"{what} should return a list of floats (one loss per epoch); got "
                      f"{losses.get('type', losses.get('kind'))}.", "bad_losses")
    loss_values = [item["value"] for item in losses["items"]]
    if losses["length"] != CONVERGENCE_EPOCHS:
        raise Problem(f"{what} ran {CONVERGENCE_EPOCHS} epochs but returned {losses['length']} losses.", "bad_losses")
    weights = np.asarray(got["weights"], dtype=np.float64)
    start = np.asarray(got["start"], dtype=np.float64)
    if not np.all(np.isfinite(weights)) or not np.all(np.isfinite(loss_values)):
        raise Problem(f"{what}: training diverged (NaN or infinity) after {CONVERGENCE_EPOCHS} epochs. "
                      "A gradient that is too large (a sum instead of a mean) or a wrong update blows up.",
                      "diverged")
    if np.allclose(weights, start):
        raise Problem(f"{what}: after {CONVERGENCE_EPOCHS} epochs the weights are still the starting values "
                      f"{start.tolist()}: no update ever changed them. The check of the update step above "
                      "says why (an update that never runs or finds no gradient, or one that changes another "
                      "tensor than the one the model holds).", "not_updated")
    error = np.abs(weights - np.asarray(TRUE_WEIGHTS))
    if error.max() > CONVERGENCE_TOLERANCE:
        i = int(np.argmax(error))
        raise Problem(f"{what}: after {CONVERGENCE_EPOCHS} epochs from {start.tolist()}, {names[i]} is "
                      f"{weights[i]:.5g}; expected {TRUE_WEIGHTS[i]:g} within {CONVERGENCE_TOLERANCE:g} "
                      f"(the reference reaches {want['weights'][i]:.6g}). Learned {np.round(weights, 4).tolist()}.",
                      "not_converged")
    final, reference = loss_values[-1], want["losses"]["items"][-1]["value"]
    if final > 2 * reference + 1e-5:
        raise Problem(f"{what}: the last epoch's loss is {final:.3g}; the reference's is {reference:.3g}. "
                      "The weights are right but the reported loss is not the mean squared error of the batches.",
                      "loss_mismatch")
    reference_curve = np.asarray([item["value"] for item in want["losses"]["items"]], dtype=np.float64)
    curve = np.asarray(loss_values, dtype=np.float64)
    off = np.abs(curve - reference_curve) > CURVE_ATOL + CURVE_RTOL * np.abs(reference_curve)
    if off.any():
        epoch = int(np.argmax(off))
        raise Problem(f"{what}: the weights end near (-1, 3), but not along the reference run's path: epoch "
                      f"{epoch + 1}'s loss is {curve[epoch]:.6g}, the reference's {reference_curve[epoch]:.6g} "
                      "(same start, same data, same seed). One of the pieces train uses differs from the "
                      "reference: the loss, the size of each update (lr), the batch order (the seeded "
                      "generator), or the loss each step reports.", "loss_curve_mismatch")
    return passed(f"converged in {CONVERGENCE_EPOCHS} epochs to {np.round(weights, 5).tolist()}, "
                  f"final loss {final:.2g} (reference {reference:.2g})")
