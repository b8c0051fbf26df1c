"""One table of every diagnosis a check can give: its title (a few words, for reports and the class
summary) and, where there is more to say, the hint a feedback page shows, in a student's words.
A test scans the judges for every code they give and requires an entry here."""

from dataclasses import dataclass
from typing import Optional

_HINTS = {
    "not_implemented": "This stub still raises NotImplementedError: replace that line with your code.",
    "sum_instead_of_mean": "The loss adds the squared errors up instead of averaging them, so every gradient "
                           "grows with the batch size and one learning rate no longer fits every batch. "
                           "Use .mean().",
    "gradients_accumulate": "backward() adds the new gradient to whatever .grad already holds. Without "
                            "clearing it, each step uses the sum of all the gradients so far.",
    "forgot_zero_grad": "backward() adds into .grad; the optimizer does not clear it for you. Call "
                        "optimizer.zero_grad() at the start of every step.",
    "backward_on_number": ".item() gives a Python number, which autograd cannot differentiate: call backward() "
                          "on the loss tensor, then take .item() of it for the value to report.",
    "pair_swapped": "The DataLoader hands the first item of each pair to the model: return (x, y), the input "
                    "first.",
    "whole_tensors": "__getitem__ answers for one example: row `index` of self.X and its target, not the whole "
                     "tensors.",
    "rmse": "The mean squared error stops at the mean: no square root. Its gradient is then -(2/n) X^T (y - Xw).",
    "w_not_updated": "`w = w - lr * w.grad` builds a new tensor and rebinds a local name; the tensor the "
                     "training loop holds never changes. Change w in place (w -= ...) under torch.no_grad().",
    "inplace_outside_no_grad": "Autograd records every operation on a tensor that requires grad, and it refuses "
                               "to record an in-place change to a leaf. The update is bookkeeping, not part of "
                               "the model: do it inside `with torch.no_grad():`.",
    "update_recorded": "The update was recorded by autograd, so w stopped being a leaf. Update under "
                       "torch.no_grad().",
    "not_leaf": "Only leaf tensors (created directly, not computed) get .grad filled by backward(). Create the "
                "weights in one call with requires_grad=True, on the right device.",
    "no_requires_grad": "Autograd only tracks tensors created with requires_grad=True.",
    "detached": "Something between the weights and the loss cut autograd's record: .detach(), .data, .item(), "
                ".numpy(), .tolist() or torch.tensor(...) on a computed value.",
    "forgot_sum": "x * w multiplies element by element; a prediction is the sum over the features of each row.",
    "summed_batch": ".sum() without a dimension adds up the whole batch. Sum over the features only: dim=1.",
    "len_returns_shape": "len(data) must be a number of examples (an int), not a shape. The DataLoader uses it "
                         "to know which indices exist.",
    "len_counts_values": "__len__ counts examples (rows), not the numbers in the tensor.",
    "mismatched_pair": "An input must come with its own target: use the same index for X and Y.",
    "ignored_generator": "Without the generator, the shuffle order depends on global random state and cannot "
                         "be repeated. Pass generator=generator to the DataLoader.",
    "not_shuffled": "shuffle=True makes the DataLoader draw a new order of the examples every epoch.",
    "ignored_batch_size": "Pass the batch_size argument on to the DataLoader.",
    "incomplete_epoch": "An epoch must visit every example once; keep the last, smaller batch (no drop_last).",
    "no_super_init": "nn.Module sets up its own bookkeeping in __init__; call super().__init__() first.",
    "plain_tensor_not_parameter": "A plain tensor attribute is invisible to the module: parameters() skips it, so "
                                  "the optimizer cannot update it and .to(device) does not move it. Wrap it in "
                                  "nn.Parameter.",
    "parameter_too_early": "Level 3 keeps w a plain tensor to show what nn.Parameter changes in level 4.",
    "w_left_behind": "model.to(device) moves parameters and buffers only; a plain tensor stays where it was "
                     "created. Create it on the `device` argument.",
    "step_not_called": "loss.backward() only computes gradients; optimizer.step() is what changes the parameters.",
    "step_before_backward": "optimizer.step() uses the gradients present when it is called. Call it after "
                            "loss.backward().",
    "zero_grad_after_backward": "Clearing the gradients between backward() and step() throws away the gradient "
                                "step() needed. Clear them before backward().",
    "updated_outside_step": "The optimizer the training loop hands to train_step is the one place where the "
                            "parameters change: it holds the learning rate and any state. A manual update, or a "
                            "new optimizer built inside train_step, bypasses it.",
    "step_twice": "One batch, one step: each call of optimizer.step() moves the parameters again.",
    "parameter_replaced": "The optimizer keeps references to the parameter objects it was given. Replacing "
                          "model.w with a new object leaves the optimizer updating the old one.",
    "returned_tensor": "Return loss.item(): a Python float. The tensor would keep the whole graph alive.",
    "loss_after_step": "Report the loss the batch had before the update: compute it before optimizer.step().",
    "broadcasting": "Predictions of shape (batch, 1) against targets of shape (batch,) broadcast to a "
                    "(batch, batch) table: every prediction is compared with every target. Make the shapes "
                    "equal (squeeze the predictions or unsqueeze the targets).",
    "not_sgd": "This level's optimizer is plain SGD, so its steps can be checked against gradient descent.",
    "not_model_params": "Build the optimizer from model.parameters(): the very tensors the model uses.",
    "ignored_lr": "Use the lr argument rather than a fixed learning rate.",
    "wrong_device": "A tensor created without device=... lands on the CPU. Follow the inputs: device=x.device, "
                    "torch.zeros_like(x), .to(x.device), or the `device` argument.",
    "not_standard_normal": "torch.rand draws from [0, 1); torch.randn draws from the standard normal.",
    "columns_swapped": "The ones column comes first, so that w[0] is the bias.",
    "diverged": "The loss grew until it became NaN or infinity: the steps are too large or go the wrong way.",
    "not_converged": "Training ran but did not reach the true line: look at the failing checks above it, they "
                     "usually say why.",
    "wrong_sign": "Gradient descent subtracts the gradient: w <- w - lr * grad.",
    "no_bias": "The -1 of the line is the layer's bias: keep bias=True.",
    "timeout": "The code ran past the time limit: an endless loop, a long sleep, or far too much work.",
    "crashed": "The process running the code stopped: sys.exit, os._exit, or a crash inside this code.",
    "killed": "The process was killed, most often for using more memory than allowed.",
    "out_of_memory": "The code asked for more memory than the grader allows: look for a tensor far larger than "
                     "the data.",
    "input_modified": "A stub must not overwrite the tensors it is given: the caller still needs them (the "
                      "batch is used again, the targets are reported). In-place operations (x.mul_(w), x *= w, "
                      "y.sub_(...)) write into the caller's tensor; x * w makes a new one.",
    "import_failed": "The file could not be imported, so none of its checks could run: fix the error first.",
    "wrong_step": "Each training step is w <- w - lr * grad, with grad the gradient of the batch's mean squared "
                  "error at the weights the step starts from. The message says by how much the step taken "
                  "differs; the checks of the loss and of the update show where.",
    "wrong_step_count": "Training makes one step per batch: one forward pass, one loss, one backward(), one update.",
    "data_requires_grad": "Only the weights need requires_grad=True. The data are inputs: created with "
                          "requires_grad (or computed from such a tensor) they drag a graph through every batch.",
    "reseeds_rng": "Seeding belongs to the caller (main seeds once): a torch.manual_seed inside a function makes "
                   "every call return the same numbers and resets the random stream of everything after it.",
    "hstack_1d": "torch.hstack joins tensors along their first dimension when they have one dimension: two "
                 "(n,) vectors become one (2n,) vector. Columns must have shape (n, 1), or use "
                 "torch.stack([...], dim=1).",
    "len_off_by_one": "len(data) is the number of examples, not the last index: for n rows it is n, and the "
                      "DataLoader draws the indices 0 .. n - 1.",
    "index_out_of_range": "The DataLoader asks for every index below len(data): __len__ must not count more "
                          "examples than the data hold.",
    "forward_no_grad": "torch.no_grad() switches autograd off for everything inside it. The update runs there; "
                       "the prediction must not, or the loss has no graph back to w.",
    "unreadable_result": "What the check measured was not of the form the grader reads (wrong types, far too many "
                         "values, shapes that disagree), so it was not judged. Code that follows the contract never "
                         "gets this: look for a value far larger or stranger than the stub should return.",
}

_TITLES = {
    "backward_on_number": "backward() on a number (.item() too early)",
    "backward_twice": "backward() twice through one graph",
    "bad_batch": "loader batches are not (x, y) pairs",
    "bad_losses": "train does not return one loss per epoch",
    "pair_swapped": "__getitem__ returns (y, x)",
    "whole_tensors": "__getitem__ returns the whole tensors",
    "rmse": "root mean square instead of the mean",
    "borrowed_from_grader": "grader code used as an answer",
    "broadcasting": "(batch, 1) predictions against (batch,) targets",
    "changed_weights": "the weights were changed",
    "columns_swapped": "ones column not first",
    "crashed": "the process running the code stopped",
    "detached": "the graph to the weights was cut",
    "diverged": "training diverged",
    "exited": "the code tried to exit",
    "forgot_sum": "products not summed over the features",
    "forgot_zero_grad": "gradients never cleared (no zero_grad)",
    "grad_not_cleared": "zero_grad left the gradient",
    "gradients_accumulate": "gradients accumulate across steps",
    "half_gradient": "gradient half the expected",
    "ignored_batch_size": "batch_size ignored",
    "ignored_generator": "generator not passed to the DataLoader",
    "ignored_lr": "learning rate ignored",
    "ignored_shuffle": "shuffle ignored",
    "import_failed": "the file could not be imported",
    "input_modified": "an input changed in place",
    "incomplete_epoch": "an epoch misses examples",
    "inplace_outside_no_grad": "in-place update while autograd records",
    "item_not_pair": "an item is not a pair (x, y)",
    "killed": "killed (memory limit)",
    "len_counts_values": "__len__ counts values, not examples",
    "len_not_int": "__len__ does not return an int",
    "len_returns_shape": "__len__ returns a shape",
    "len_wrong": "__len__ gives the wrong number",
    "loss_after_step": "loss reported after the step",
    "loss_mismatch": "reported epoch loss is not its batches' MSE",
    "lost_requires_grad": "requires_grad lost",
    "malformed": "probe data incomplete or replaced",
    "mismatched_pair": "x and y from different indices",
    "missing_attribute": "attribute missing",
    "missing_file": "level file missing",
    "no_bias": "layer without a bias",
    "no_gradient": "no gradient reaches w",
    "no_ones_column": "no ones column",
    "no_requires_grad": "weights without requires_grad",
    "no_result": "no result came back",
    "no_super_init": "super().__init__() not called",
    "not_a_loader": "not a DataLoader",
    "not_a_tensor": "not a tensor",
    "not_converged": "training did not converge",
    "not_finite": "NaN or infinite values",
    "not_implemented": "stub not implemented yet",
    "not_leaf": "weights are not a leaf tensor",
    "not_linear": "not an nn.Linear",
    "not_model_params": "optimizer not over model.parameters()",
    "not_mse_loss": "not nn.MSELoss",
    "not_plain_sgd": "SGD options changed",
    "not_random": "weights not random",
    "not_registered": "weight not registered as a parameter",
    "not_sgd": "not torch.optim.SGD",
    "not_shuffled": "batches not shuffled",
    "not_standard_normal": "x not standard normal",
    "not_updated": "the updates never reach the weights",
    "nothing_ran": "nothing ran on another device",
    "out_of_memory": "memory limit",
    "parameter_replaced": "parameter replaced by a new object",
    "parameter_too_early": "nn.Parameter used too early (level 3)",
    "plain_tensor_not_parameter": "plain tensor, not an nn.Parameter",
    "protocol": "flooded the result channel",
    "raised": "raised an exception",
    "recursion": "infinite recursion",
    "returned_not_float": "loss not returned as a float",
    "returned_tensor": "loss returned as a tensor",
    "scaled_gradient": "gradient scaled wrongly",
    "step_before_backward": "step() before backward()",
    "step_not_called": "optimizer.step() never called",
    "step_twice": "step() more than once per batch",
    "sum_instead_of_mean": "sum instead of mean",
    "summed_batch": "whole batch summed into one number",
    "timeout": "time limit",
    "unjudgeable": "values could not be checked",
    "unreadable_result": "the grader could not read this check's result",
    "update_recorded": "update recorded by autograd",
    "updated_outside_step": "parameters changed outside optimizer.step()",
    "w_left_behind": "w left behind on another device",
    "w_not_updated": "w rebound, not updated in place",
    "wrong_defaults": "wrong default arguments",
    "wrong_device": "tensor on a fixed device",
    "wrong_dtype": "wrong dtype",
    "wrong_features": "wrong number of features",
    "wrong_gradient": "wrong gradient",
    "wrong_loss": "wrong loss value",
    "wrong_shape": "wrong shape",
    "wrong_row": "item i is not row i",
    "wrong_sign": "wrong sign",
    "wrong_targets": "targets not -1 + 3x",
    "wrong_values": "wrong values",
    "zero_grad_after_backward": "zero_grad() between backward() and step()",
    "wrong_step": "a training step is not the SGD step",
    "wrong_step_count": "not one training step per batch",
    "data_requires_grad": "the data require grad",
    "reseeds_rng": "a seed inside the function",
    "hstack_1d": "torch.hstack of 1-D tensors",
    "len_off_by_one": "__len__ off by one",
    "index_out_of_range": "an index past the end of the data",
    "forward_no_grad": "prediction made under torch.no_grad()",
}


@dataclass(frozen=True)
class Diagnosis:
    code: str
    title: str
    hint: Optional[str] = None


DIAGNOSES = {code: Diagnosis(code, title, _HINTS.get(code)) for code, title in _TITLES.items()}


def hint_for(code):
    diagnosis = DIAGNOSES.get(code)
    return diagnosis.hint if diagnosis else None


def title_for(code):
    """The title of a diagnosis; an unknown code is shown as itself."""
    diagnosis = DIAGNOSES.get(code)
    return diagnosis.title if diagnosis else str(code)
