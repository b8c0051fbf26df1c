"""What each diagnosed mistake means, in a student's words: the hint a feedback page shows."""

HINTS = {
    "not_implemented": "This stub still raises NotImplementedError: replace that line with your code.",
    "sum_instead_of_mean": "The loss adds the squared errors up instead of averaging them, so every gradient "
                           "grows with the batch size and one learning rate no longer fits every batch. "
                           "Use .mean().",
    "gradients_accumulate": "backward() adds the new gradient to whatever .grad already holds. Without "
                            "clearing it, each step uses the sum of all the gradients so far.",
    "forgot_zero_grad": "backward() adds into .grad; the optimizer does not clear it for you. Call "
                        "optimizer.zero_grad() at the start of every step.",
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
    "import_failed": "The file could not be imported, so none of its checks could run: fix the error first.",
}


def hint_for(diagnosis):
    return HINTS.get(diagnosis)
