"""Judges shared by the levels that make weights and predictions (1, 3 and 4)."""

import numpy as np

from autograder.checks import closed_form
from autograder.checks.verdicts import Problem, require_close, require_entries, require_tensor, values
from autograder.probe import inputs

BROADCASTING = ("Nothing fails when the two meet: y - yhat broadcasts a (batch,) and a (batch, 1) tensor to a "
                "(batch, batch) table of every prediction against every target, so the loss and its gradient "
                "are silently wrong.")
MOVED = ("ToCopyBackward0", "CopyBackwards")  # what autograd records for .to(device), .cuda(), .copy_()


def judge_leaf_weights(w, shape, device, what, meta=None, meta_call=None):
    """w: the weights made on the grading device. meta: the same stub's weights made on the meta
    device (meta_call: how it was called), which shows what any device but the CPU would give."""
    require_tensor(w, what, shape=shape, device=device)
    if not w["requires_grad"]:
        raise Problem(f"{what} must have requires_grad=True, or autograd will not compute its gradient.",
                      "no_requires_grad")
    if not w["is_leaf"]:
        moved = " (created, then moved to the device)" if w["grad_fn"] in MOVED else ""
        raise Problem(f"{what} is not a leaf tensor (it was made by {w['grad_fn']}{moved}), so backward() will "
                      "not fill its .grad. Create it in one call, e.g. torch.randn(n, device=device, "
                      "requires_grad=True), rather than computing or moving it afterwards.", "not_leaf")
    judge_leaf_elsewhere(meta, meta_call)
    vals = values(w, what)
    if np.allclose(vals, vals.flat[0]):
        raise Problem(f"{what} should start at random normal values; got all {vals.flat[0]:g}. "
                      "Use torch.randn.", "not_random")


def judge_leaf_elsewhere(meta, call):
    """The weights made on the meta device must be a leaf that requires grad too: on the CPU a tensor
    created with requires_grad=True and then moved (.to(device)) is a leaf only because .to('cpu')
    returns the same tensor; on a GPU it is a copy autograd recorded, and backward() never fills its
    .grad. The meta device shows that on every machine, so a CPU run gives the GPU's verdict."""
    if not meta or meta.get("kind") != "tensor" or meta.get("device") != "meta":
        return  # raised, or not on meta: the device check reports it
    if meta["requires_grad"] and meta["is_leaf"]:
        return
    if meta["requires_grad"]:  # a computed tensor
        moved = meta["grad_fn"] in MOVED
        cause = ("it was created with requires_grad=True and then moved with .to(device): on the CPU .to('cpu') "
                 "returns the very same tensor, so it is a leaf there only by accident; on any other device "
                 "(a GPU) .to() makes a copy that autograd records" if moved else
                 f"it was computed from another tensor ({meta['grad_fn']})")
        raise Problem(f"{call} gives a tensor that is not a leaf: {cause}. backward() will not fill its .grad, "
                      "and training cannot change it. Create it in one call on the device: torch.randn(n, "
                      "device=device, requires_grad=True).", "not_leaf")
    raise Problem(f"{call} gives a tensor that does not require grad (on the CPU it does): the flag was set "
                  "on a tensor the device move left behind. Create it on the device with requires_grad=True: "
                  "torch.randn(n, device=device, requires_grad=True).", "no_requires_grad")


def judge_inputs_kept(result, what):
    """result["changed"]: the inputs the stub changed in place (x.mul_(w), y.sub_(yhat), x[:] = ...)."""
    changed = result.get("changed") if isinstance(result, dict) else None
    if changed:
        names = " and ".join(str(name) for name in changed)
        raise Problem(f"{what} changed its input {names} in place: the caller's tensor no longer holds the "
                      "values it passed (an in-place operation such as x.mul_(w), x *= w or y.sub_(...)). Compute "
                      "new tensors instead (x * w) and leave the inputs as they came.", "input_modified")


def judge_predictions(got, ctx, what):
    device, batches = ctx.device, ctx.inputs.probe_batches()
    require_entries(got, len(batches), what)
    for batch, yhat in zip(batches, got):
        n = len(batch["y"])
        judge_inputs_kept(yhat, f"{what} on a batch of {n}")
        if yhat.get("kind") == "tensor" and yhat["shape"] == [n, 2]:
            raise Problem(f"{what} on a batch of {n} returned shape ({n}, 2): the products x * w are "
                          "there but not added up. Sum along the features: .sum(dim=1).", "forgot_sum")
        if yhat.get("kind") == "tensor" and yhat["shape"] == [] and n > 1:
            raise Problem(f"{what} on a batch of {n} returned one number: .sum() without dim adds the "
                          "whole batch together. Use .sum(dim=1) for one prediction per row.", "summed_batch")
        if yhat.get("kind") == "tensor" and yhat["shape"] == [n, 1]:
            raise Problem(f"{what} on a batch of {n} returned shape ({n}, 1); the targets y have shape ({n},). "
                          f"{BROADCASTING} Return one number per row, shape (batch,): (x * w).sum(dim=1), "
                          "or x @ w with w of shape (2,).", "broadcasting")
        require_tensor(yhat, f"{what} on a batch of {n}", shape=(n,), device=device)
        require_close(values(yhat, what), closed_form.predictions(batch), f"{what} on a batch of {n} (x @ w)",
                      device, "Each prediction is the dot product of one row of x with w.")
        if yhat["grad_fn"] is None and yhat.get("unrecorded"):
            raise Problem(f"{what} computed its prediction while autograd was not recording (inside "
                          "torch.no_grad()), so the prediction has no grad_fn and backward() cannot reach w. "
                          "torch.no_grad() belongs around the weight update, not around the prediction: "
                          "compute the prediction outside it.", "forward_no_grad")
        if yhat["grad_fn"] is None:
            raise Problem(f"{what} returned a tensor autograd cannot trace back to w (no grad_fn): "
                          "did you use .detach(), .data, .numpy() or torch.tensor(...)?", "detached")


def judge_model_weight(got, what):
    """Stop unless the module was initialised and has a weight w."""
    if not got["initialised"]:
        raise Problem(f"{what}: nn.Module.__init__ was never run. Call super().__init__() first in "
                      "__init__, before setting attributes.", "no_super_init")
    if got["w"]["kind"] == "missing":
        raise Problem(f"{what} has no attribute w: __init__ must set self.w.", "missing_attribute")


def judge_standard_normal(many, what):
    """Weights start at standard normal draws (torch.randn): with NORMAL_SAMPLE of them, a uniform
    [0, 1) start (torch.rand) or a scaled one shows in the mean and spread (5 standard errors)."""
    if not isinstance(many, dict) or many.get("kind") != "tensor" or many.get("values") is None:
        return  # the shape checks above already judged what came back
    vals = np.asarray(values(many, what), dtype=np.float64).ravel()
    if len(vals) != inputs.NORMAL_SAMPLE:
        raise Problem(f"{what} gave {len(vals)} values; asked for {inputs.NORMAL_SAMPLE}.", "wrong_shape")
    mean, std = float(vals.mean()), float(vals.std())
    if abs(mean) > 5 / np.sqrt(len(vals)) or not 0.8 < std < 1.2:
        cause = " torch.rand draws from [0, 1); torch.randn from the standard normal." if vals.min() >= 0 else ""
        raise Problem(f"{what}: the starting weights should be standard normal draws (mean 0, std 1); "
                      f"{len(vals)} of them have mean {mean:.3g} and std {std:.3g}.{cause}", "not_standard_normal")


def judge_fresh_draws(runs, what):
    """runs: the stub called after each of two different seeds of torch's global generator (see
    autograder.probe.tensors.fresh_draws). Its weights must be fresh draws from the caller's random
    stream, and the caller's stream must go on as the caller seeded it: a torch.manual_seed inside the
    stub gives the same weights on every call and resets the caller's generator."""
    if not isinstance(runs, list) or len(runs) != 2 or not all(isinstance(r, dict) for r in runs):
        return  # raised, or no tensor: the shape checks above judged what came back
    first, second = runs
    if first.get("values") is None:
        return
    same_weights, same_after = first["values"] == second.get("values"), first.get("after") == second.get("after")
    if not same_weights and same_after:
        raise Problem(f"{what} draws fresh weights but then leaves torch's random generator in the same state "
                      "whatever the caller had seeded: it reseeds the global generator (a torch.manual_seed "
                      "inside it?), so every random number the caller draws afterwards repeats from run to run "
                      "and call to call. Remove the seed from the function: the caller seeds once.", "reseeds_rng")
    if not same_weights:
        return
    if same_after:
        raise Problem(f"{what} gives the same weights whatever the caller's random state, and leaves torch's "
                      "random generator in the same state every time: it reseeds the global generator (a "
                      "torch.manual_seed inside it?). Every call should draw fresh weights, and the caller "
                      "seeds once (as main does) and keeps its random stream: remove the seed from the "
                      "function.", "reseeds_rng")
    raise Problem(f"{what} gives the same weights on every call, whatever the caller's random state: it draws "
                  "from a generator of its own, seeded the same way each time. Draw from torch's global "
                  "generator (torch.randn without generator=), which the caller seeds.", "reseeds_rng")
