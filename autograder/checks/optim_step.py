"""Judging one optimizer step (levels 4 and 5) from what autograder.probe.steps recorded.

Weights are compared as [bias, slope], which is w for level 4 and (bias, weight) for level 5,
so one closed form serves both: features [1, x], gradient -(2/n) X^T (y - X w).
"""

import numpy as np

from autograder.checks.closed_form import accumulating_gradient, broadcast_gradient, expected_weights, mse_value
from autograder.checks.regression import gradient_hint
from autograder.checks.verdicts import Problem, close, got_text, passed, require_close, require_entries
from autograder.probe.inputs import STEP_BATCHES, STEP_LR


def judge_calls(calls, call_number, start=None, end=None):
    """Diagnose the order of zero_grad/step calls that the recording SGD saw during one train_step.
    start, end: the weights when the call began and when it returned."""
    steps = [c for c in calls if c["call"] == "step"]
    where = f"train_step call {call_number}"
    moved = start is not None and end is not None and start != end
    if not steps and moved:
        raise Problem(f"{where} never called step() on the optimizer it was given, yet the parameters changed "
                      f"(from {np.round(start, 5).tolist()} to {np.round(end, 5).tolist()}): they were updated another way, by hand or by an optimizer built "
                      "inside train_step. Use the optimizer passed in (the training loop chose its learning rate "
                      "and keeps its state): optimizer.step().", "updated_outside_step")
    if not steps:
        raise Problem(f"{where} never called optimizer.step(), so the parameters did not change. After "
                      "loss.backward(), call optimizer.step().", "step_not_called")
    if len(steps) > 1:
        raise Problem(f"{where} called optimizer.step() {len(steps)} times; one step per batch.", "step_twice")
    before, after = steps[0].get("before"), steps[0].get("after")
    if start is not None and before is not None and (before != start or (end is not None and end != after)):
        when = "before" if before != start else "after"
        raise Problem(f"{where} changed the parameters {when} optimizer.step() as well: besides the optimizer's "
                      "step, something else updated them (a manual update such as `w -= lr * w.grad`, or a "
                      "second optimizer), so every batch moved them twice. Let optimizer.step() be the only "
                      "update.", "updated_outside_step")
    grads = steps[0]["grads"]
    if all(g.get("kind") == "none" for g in grads):
        raise Problem(f"{where}: when optimizer.step() ran, the parameters had no gradient: step() was called "
                      "before loss.backward() (or zero_grad() came between them). Order: zero_grad, loss, "
                      "backward, step.", "step_before_backward")
    if all(g.get("kind") == "tensor" and not np.any(g.get("values")) for g in grads):
        raise Problem(f"{where}: when optimizer.step() ran, every gradient was zero: zero_grad() was called "
                      "between backward() and step(). Clear gradients before backward() instead.",
                      "zero_grad_after_backward")


SAME_SHAPE = "Give both the same shape: model(x).squeeze(1) (or y.unsqueeze(1))."


def judge_train_step(got, want, ctx, what, names=("w[0]", "w[1]"), broadcast_hint=False, fix=SAME_SHAPE):
    device = ctx.device
    for key in ("calls", "weights", "returned"):
        require_entries(got[key], len(STEP_BATCHES), what)
    if not got["same_object"]:
        raise Problem(f"{what} replaced the model's parameter with a new object; the optimizer still holds "
                      "the old one. Let optimizer.step() change the parameters in place.", "parameter_replaced")
    started = got.get("started") or [None] * len(STEP_BATCHES)
    require_entries(started, len(STEP_BATCHES), what)
    for number, (calls, start, end) in enumerate(zip(got["calls"], started, got["weights"]), 1):
        judge_calls(calls, number, start, end)
    expected = expected_weights(ctx.inputs)
    for number, (weights, want_w) in enumerate(zip(got["weights"], expected), 1):
        weights = np.asarray(weights, dtype=np.float64)
        if close(weights, want_w, device):
            continue
        if broadcast_hint and close(weights, expected_weights(ctx.inputs, broadcast_gradient)[number - 1], device):
            warning = f" PyTorch warned: {got['warnings'][0]}" if got.get("warnings") else ""
            raise Problem(f"{what}: the update matches a loss between predictions of shape (batch, 1) and "
                          "targets of shape (batch,). Broadcasting turned them into a (batch, batch) table, "
                          f"so every prediction was compared with every target. {fix}{warning}", "broadcasting")
        if number == 2:
            accumulated = expected[0] - STEP_LR * accumulating_gradient(ctx.inputs)
            if close(weights, accumulated, device):
                raise Problem(f"{what}: the second step used the sum of both batches' gradients: gradients "
                              "accumulate across calls. Call optimizer.zero_grad() before loss.backward().",
                              "forgot_zero_grad")
        start = np.asarray(ctx.inputs.step_start() if number == 1 else expected[0])
        batch_size = len(ctx.inputs.step_batches()[number - 1]["y"])
        hint, diagnosis = gradient_hint(weights - start, want_w - start, batch_size)
        require_close(weights, want_w, f"{what}: {', '.join(names)} after SGD step {number} (lr={STEP_LR})",
                      device, hint, diagnosis)
    return passed("each call clears the gradients, runs backward and steps once; the parameters change in "
                  "place by exactly the SGD step")


def judge_returned_loss(got, want, ctx, what, accept_broadcast=False):
    """The returned value must be the loss at the weights the call started from (whatever they were:
    a wrong update is train_step's mistake, not this check's)."""
    for key in ("weights", "returned"):
        require_entries(got[key], len(STEP_BATCHES), what)
    starts = [ctx.inputs.step_start(), *got["weights"][:-1]]
    for number, (returned, batch, w, after_w) in enumerate(
            zip(got["returned"], ctx.inputs.step_batches(), starts, got["weights"]), 1):
        if returned.get("kind") == "tensor":
            raise Problem(f"{what} returned {got_text(returned)}; return a Python float: loss.item(). (A tensor "
                          "keeps the whole autograd graph alive.)", "returned_tensor")
        if returned.get("kind") != "number":
            raise Problem(f"{what} should return the batch loss as a float; got {got_text(returned)}.",
                          "returned_not_float")
        before = mse_value({"x": batch["x"], "y": batch["y"], "w": w})
        accepted = [before]
        if accept_broadcast:  # the (batch, batch) broadcasting loss is train_step's mistake, judged there
            mean_y = [float(np.mean(batch["y"]))] * len(batch["y"])
            accepted.append(mse_value({"x": batch["x"], "y": mean_y, "w": w}) + float(np.var(batch["y"])))
        if any(np.isclose(returned["value"], a, rtol=1e-4, atol=1e-6) for a in accepted):
            continue
        after = mse_value({"x": batch["x"], "y": batch["y"], "w": after_w})
        if np.isclose(returned["value"], after, rtol=1e-4, atol=1e-6):
            raise Problem(f"{what} returned the loss after the step ({after:.5g}); return the loss computed "
                          f"before optimizer.step() ({before:.5g}).", "loss_after_step")
        raise Problem(f"{what} call {number} returned {returned['value']:.5g}; the batch's loss before the "
                      f"step is {before:.5g}.", "wrong_loss")
    return passed("returns the batch loss before the step, as a float")
