"""Judges shared by the levels that make weights and predictions (1, 3 and 4)."""

import numpy as np

from autograder.checks import closed_form
from autograder.checks.verdicts import Problem, require_close, require_entries, require_tensor, values
from autograder.probe import inputs


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


def judge_predictions(got, device, what):
    require_entries(got, len(inputs.probe_batches()), what)
    for batch, yhat in zip(inputs.probe_batches(), got):
        n = len(batch["y"])
        if yhat.get("kind") == "tensor" and yhat["shape"] == [n, 2]:
            raise Problem(f"{what} on a batch of {n} returned shape ({n}, 2): the products x * w are "
                          "there but not added up. Sum along the features: .sum(dim=1).", "forgot_sum")
        if yhat.get("kind") == "tensor" and yhat["shape"] == [] and n > 1:
            raise Problem(f"{what} on a batch of {n} returned one number: .sum() without dim adds the "
                          "whole batch together. Use .sum(dim=1) for one prediction per row.", "summed_batch")
        require_tensor(yhat, f"{what} on a batch of {n}", shape=(n,), device=device)
        require_close(values(yhat, what), closed_form.predictions(batch), f"{what} on a batch of {n} (x @ w)",
                      device, "Each prediction is the dot product of one row of x with w.")
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
