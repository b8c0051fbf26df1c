"""Every diagnosis a check can give, in one table: its code, its title (a few words, for reports and
the class summary), the hint a feedback page shows where there is more to say, and its kind, which
tells the class summary what to count:

- "mistake": a mistake of the student's own, counted among the class's most frequent mistakes;
- "consequence": what another mistake caused (a run that did not converge): not counted again;
- "limit": a time, memory or channel limit was hit (listed apart in the class report);
- "unfinished": nothing to judge yet (a stub not filled, a file missing or not importable).

A hint gives the background of the mistake (why PyTorch behaves so), not the fix the message already
names: a page shows both side by side, and tests/test_diagnoses.py checks over the catalog of buggy
submissions that neither repeats the other. A test scans the judges for every code they give and
requires an entry here.
"""

from dataclasses import dataclass
from typing import Optional

KINDS = ("mistake", "consequence", "limit", "unfinished")


@dataclass(frozen=True)
class Diagnosis:
    code: str
    title: str
    hint: Optional[str] = None
    kind: str = "mistake"


TABLE = (
    Diagnosis("backward_on_number", "backward() on a number (.item() too early)",
              "Autograd's record lives in the tensors themselves (their grad_fn): a Python number carries none, so "
              "there is nothing to differentiate. Stay with tensors until backward(), and convert only what you "
              "report.",
              "mistake"),
    Diagnosis("backward_twice", "backward() twice through one graph", None, "mistake"),
    Diagnosis("bad_batch", "loader batches are not (x, y) pairs", None, "mistake"),
    Diagnosis("bad_losses", "train does not return one loss per epoch", None, "consequence"),
    Diagnosis("borrowed_from_grader", "grader code used as an answer", None, "mistake"),
    Diagnosis("broadcasting", "(batch, 1) predictions against (batch,) targets",
              "Broadcasting lines shapes up from the right and raises no error, so a loss over mismatched shapes "
              "averages batch x batch differences instead of batch ones. nn.MSELoss only warns and a hand-written "
              "mean says nothing: print the shapes when a loss behaves oddly.",
              "mistake"),
    Diagnosis("changed_weights", "the weights were changed", None, "mistake"),
    Diagnosis("columns_swapped", "ones column not first",
              "With the ones column first, X @ w is w[0] * 1 + w[1] * x: w[0] plays the intercept (-1) and w[1] the"
              " slope (3), as every later level expects.",
              "mistake"),
    Diagnosis("crashed", "the process running the code stopped",
              "The process running the code stopped: sys.exit, os._exit, or a crash inside this code.",
              "mistake"),
    Diagnosis("data_requires_grad", "the data require grad",
              "requires_grad=True marks what training learns (here only w), and everything computed from such a "
              "tensor is recorded too. Make data with plain factory calls (torch.randn, torch.ones) and leave "
              "requires_grad at its default, False.",
              "mistake"),
    Diagnosis("detached", "the graph to the weights was cut",
              "Autograd follows a chain of tensor operations from w to the loss; a step that leaves torch (a NumPy "
              "array, a Python number, a fresh torch.tensor) or runs with recording off ends the chain, and "
              "backward() has nothing to follow.",
              "mistake"),
    Diagnosis("diverged", "training diverged",
              "Steps that are too large overshoot the minimum, further each time; within a few epochs the numbers "
              "overflow float32 (about 3e38) and become infinity, then NaN.",
              "consequence"),
    Diagnosis("exited", "the code tried to exit", None, "mistake"),
    Diagnosis("forgot_sum", "products not summed over the features",
              "A prediction is a dot product, w[0] * 1 + w[1] * x: the element-wise products are only its terms. x "
              "@ w does both steps at once.",
              "mistake"),
    Diagnosis("forgot_zero_grad", "gradients never cleared (no zero_grad)",
              "Optimizers leave .grad as it is after step(), on purpose: gradients may be added up over several "
              "backward() calls before one step. Clearing them belongs to every training step.",
              "mistake"),
    Diagnosis("forward_no_grad", "prediction made under torch.no_grad()",
              "torch.no_grad() switches recording off for everything computed inside it, however deep in the calls:"
              " results made there have no grad_fn.",
              "mistake"),
    Diagnosis("grad_not_cleared", "zero_grad left the gradient", None, "mistake"),
    Diagnosis("gradients_accumulate", "gradients accumulate across steps",
              "PyTorch adds gradients up on purpose (several backward() calls can make up one large batch), so "
              "clearing them is the training loop's job, once per step.",
              "mistake"),
    Diagnosis("half_gradient", "gradient half the expected", None, "mistake"),
    Diagnosis("hstack_1d", "torch.hstack of 1-D tensors",
              "hstack joins along the second dimension only tensors that have one; a 1-D tensor has just the first,"
              " so 1-D pieces go end to end. Print X.shape after building X.",
              "mistake"),
    Diagnosis("ignored_batch_size", "batch_size ignored",
              "The DataLoader's own default is batch_size=1: an option left out is silently replaced by that "
              "default.",
              "mistake"),
    Diagnosis("ignored_generator", "generator not passed to the DataLoader",
              "Without the generator, the shuffle order depends on global random state, so no one can repeat a run "
              "(or a bug) by seeding it.",
              "mistake"),
    Diagnosis("ignored_lr", "learning rate ignored",
              "The caller picks the learning rate (the tests and the later levels use other values than the "
              "default), so the function must use what it is given.",
              "mistake"),
    Diagnosis("ignored_shuffle", "shuffle ignored", None, "mistake"),
    Diagnosis("import_failed", "the file could not be imported",
              "Importing runs the whole file from top to bottom: an error anywhere outside the functions (or a "
              "syntax error anywhere) stops every check of the level.",
              "unfinished"),
    Diagnosis("incomplete_epoch", "an epoch misses examples",
              "An epoch is one pass over the data: when the batch size does not divide the number of examples, the "
              "last batch is smaller, and it still counts.",
              "mistake"),
    Diagnosis("index_out_of_range", "an index past the end of the data",
              "len(data) is the DataLoader's only source for which indices exist: a count larger than the data "
              "sends it past the end, a smaller one leaves examples out.",
              "mistake"),
    Diagnosis("inplace_outside_no_grad", "in-place update while autograd records",
              "The update is bookkeeping, not part of the model: autograd must not record it, or it would have to "
              "differentiate through a change to the very tensor it computes gradients for.",
              "mistake"),
    Diagnosis("input_modified", "an input changed in place",
              "A stub must not overwrite the tensors it is given: the caller still needs them (the batch is used "
              "again, the targets are reported). In-place operations (x.mul_(w), x *= w, y.sub_(...)) write into "
              "the caller's tensor; x * w makes a new one.",
              "mistake"),
    Diagnosis("item_not_pair", "an item is not a pair (x, y)", None, "mistake"),
    Diagnosis("killed", "killed (memory limit)",
              "The process was killed, most often for using more memory than allowed.",
              "limit"),
    Diagnosis("len_counts_values", "__len__ counts values, not examples",
              "X.numel() (or X.view(-1)) counts every number of X; the DataLoader wants how many examples it may "
              "ask __getitem__ for.",
              "mistake"),
    Diagnosis("len_not_int", "__len__ does not return an int", None, "mistake"),
    Diagnosis("len_off_by_one", "__len__ off by one",
              "Python counts from 0, so the last of n rows has index n - 1, yet len() is still n: __len__ counts "
              "the examples, it does not give the last index.",
              "mistake"),
    Diagnosis("len_returns_shape", "__len__ returns a shape",
              "X.shape is a torch.Size, a tuple of every dimension; the number of examples is its first entry "
              "(X.shape[0]), or simply len(self.Y).",
              "mistake"),
    Diagnosis("len_wrong", "__len__ gives the wrong number", None, "mistake"),
    Diagnosis("loss_after_step", "loss reported after the step",
              "The loss reported for a batch describes the weights the batch was seen with; after step() they have "
              "changed, so the value would describe weights the batch never met.",
              "mistake"),
    Diagnosis("loss_mismatch", "reported epoch loss is not its batches' MSE", None, "mistake"),
    Diagnosis("lost_requires_grad", "requires_grad lost", None, "mistake"),
    Diagnosis("malformed", "probe data incomplete or replaced", None, "consequence"),
    Diagnosis("mismatched_pair", "x and y from different indices",
              "Row i of X and entry i of Y are one example; a pair taken from two indices teaches the model a "
              "relation that is not in the data.",
              "mistake"),
    Diagnosis("missing_attribute", "attribute missing", None, "mistake"),
    Diagnosis("missing_file", "level file missing", None, "unfinished"),
    Diagnosis("no_bias", "layer without a bias",
              "Without a bias the line must pass through the origin, and y = -1 + 3x does not: no weight can make "
              "up for it.",
              "mistake"),
    Diagnosis("no_gradient", "no gradient reaches w", None, "mistake"),
    Diagnosis("no_ones_column", "no ones column", None, "mistake"),
    Diagnosis("no_requires_grad", "weights without requires_grad",
              "Tensors start with requires_grad=False, so that data and intermediate results cost nothing; the "
              "weights are the one thing training has to ask gradients for.",
              "mistake"),
    Diagnosis("no_result", "no result came back", None, "mistake"),
    Diagnosis("no_super_init", "super().__init__() not called",
              "nn.Module.__init__ creates the tables where the module records its parameters, submodules and hooks;"
              " every attribute assignment and every call of the model reads them.",
              "mistake"),
    Diagnosis("not_a_loader", "not a DataLoader", None, "mistake"),
    Diagnosis("not_a_tensor", "not a tensor", None, "mistake"),
    Diagnosis("not_converged", "training did not converge",
              "Training ran but did not reach the true line: look at the failing checks above it, they usually say "
              "why.",
              "consequence"),
    Diagnosis("not_finite", "NaN or infinite values", None, "mistake"),
    Diagnosis("not_implemented", "stub not implemented yet",
              "This stub still raises NotImplementedError: replace that line with your code. Every check that needs"
              " the stub fails until then, so one filled stub can earn several checks.",
              "unfinished"),
    Diagnosis("not_leaf", "weights are not a leaf tensor",
              "Only leaf tensors (created directly, not computed) get .grad filled by backward(); a tensor computed"
              " from one, even by .to(device) or * 0.1, is an intermediate result whose gradient is passed on and "
              "not kept.",
              "mistake"),
    Diagnosis("not_linear", "not an nn.Linear", None, "mistake"),
    Diagnosis("not_model_params", "optimizer not over model.parameters()",
              "The optimizer changes exactly the tensor objects it was handed; copies (.clone(), torch.tensor(...))"
              " are new objects the model never reads.",
              "mistake"),
    Diagnosis("not_mse_loss", "not nn.MSELoss", None, "mistake"),
    Diagnosis("not_plain_sgd", "SGD options changed", None, "mistake"),
    Diagnosis("not_random", "weights not random", None, "mistake"),
    Diagnosis("not_registered", "weight not registered as a parameter", None, "mistake"),
    Diagnosis("not_sgd", "not torch.optim.SGD",
              "This level's optimizer is plain SGD, so its steps can be checked against gradient descent.",
              "mistake"),
    Diagnosis("not_shuffled", "batches not shuffled",
              "shuffle=True makes the DataLoader draw a new order of the examples every epoch.",
              "mistake"),
    Diagnosis("not_standard_normal", "x not standard normal",
              "The names differ by one letter: rand is uniform, randn is normal (n for normal).",
              "mistake"),
    Diagnosis("not_updated", "the updates never reach the weights", None, "consequence"),
    Diagnosis("nothing_ran", "nothing ran on another device", None, "mistake"),
    Diagnosis("out_of_memory", "memory limit",
              "The grader caps each submission's memory far above what this regression needs (the data are a few "
              "thousand numbers), so running out means some tensor grew far beyond the data's size.",
              "limit"),
    Diagnosis("pair_swapped", "__getitem__ returns (y, x)",
              "Every training loop unpacks a batch as `for x, y in loader`: the order of the pair is part of the "
              "contract, the input always first.",
              "mistake"),
    Diagnosis("parameter_replaced", "parameter replaced by a new object",
              "The optimizer keeps references to the parameter objects it was given. Replacing model.w with a new "
              "object leaves the optimizer updating the old one.",
              "mistake"),
    Diagnosis("parameter_too_early", "nn.Parameter used too early (level 3)",
              "Level 3 keeps w a plain tensor to show what nn.Parameter changes in level 4.",
              "mistake"),
    Diagnosis("plain_tensor_not_parameter", "plain tensor, not an nn.Parameter",
              "nn.Module registers an attribute only when it is an nn.Parameter (or a module): that registry is "
              "what parameters(), .to(device), state_dict() and the optimizer all read.",
              "mistake"),
    Diagnosis("protocol", "flooded the result channel", None, "limit"),
    Diagnosis("raised", "raised an exception", None, "consequence"),
    Diagnosis("recursion", "infinite recursion", None, "mistake"),
    Diagnosis("reseeds_rng", "a seed inside the function",
              "A random generator is global state: a seed inside a function silently decides the numbers of "
              "everything drawn after it, in code that never asked for it.",
              "mistake"),
    Diagnosis("returned_not_float", "loss not returned as a float", None, "mistake"),
    Diagnosis("returned_tensor", "loss returned as a tensor",
              "The contract fixes a float because callers add the losses up and plot them; a tensor would also "
              "carry its grad_fn, and with it the graph of the step, into every list it is kept in.",
              "mistake"),
    Diagnosis("rmse", "root mean square instead of the mean",
              "A square root rescales every gradient by a factor that depends on the loss itself, so the steps "
              "shrink or grow as training goes; the closed-form gradient -(2/n) X^T (y - Xw) is that of the plain "
              "mean of squares.",
              "mistake"),
    Diagnosis("scaled_gradient", "gradient scaled wrongly", None, "mistake"),
    Diagnosis("step_before_backward", "step() before backward()",
              "optimizer.step() reads .grad at the moment it is called: before backward() it finds no gradient of "
              "this batch (none at all, or the previous batch's).",
              "mistake"),
    Diagnosis("step_not_called", "optimizer.step() never called",
              "loss.backward() only computes gradients; optimizer.step() is what changes the parameters.",
              "mistake"),
    Diagnosis("step_twice", "step() more than once per batch",
              "step() applies whatever .grad holds each time it is called: a second call moves the parameters again"
              " by the same gradient.",
              "mistake"),
    Diagnosis("sum_instead_of_mean", "sum instead of mean",
              "A summed loss grows with the batch size, and so does every gradient: one learning rate can no "
              "longer fit batches of every size, and the last, smaller batch of an epoch gets a smaller step.",
              "mistake"),
    Diagnosis("summed_batch", "whole batch summed into one number",
              "Without dim, a reduction works over every element of the tensor; dim=1 reduces each row (over the "
              "features) and keeps one value per example.",
              "mistake"),
    Diagnosis("timeout", "time limit",
              "The code ran past the time limit: an endless loop, a long sleep, or far too much work.",
              "limit"),
    Diagnosis("unjudgeable", "values could not be checked", None, "consequence"),
    Diagnosis("unreadable_result", "the grader could not read this check's result",
              "What the check measured was not of the form the grader reads (wrong types, far too many values, "
              "shapes that disagree), so it was not judged. Code that follows the contract never gets this: look "
              "for a value far larger or stranger than the stub should return.",
              "mistake"),
    Diagnosis("update_recorded", "update recorded by autograd",
              "Outside torch.no_grad(), w - lr * w.grad is one more recorded operation: its result is a computed "
              "tensor with a grad_fn, not the leaf the next backward() fills.",
              "mistake"),
    Diagnosis("updated_outside_step", "parameters changed outside optimizer.step()",
              "The optimizer the training loop hands to train_step is the one place where the parameters change: it"
              " holds the learning rate and any state. A manual update, or a new optimizer built inside train_step,"
              " bypasses it.",
              "mistake"),
    Diagnosis("w_left_behind", "w left behind on another device",
              "model.to(device) walks the module's registry of parameters and buffers and moves what it finds "
              "there; nothing else moves with it (one of the things nn.Parameter changes in level 4).",
              "mistake"),
    Diagnosis("w_not_updated", "w rebound, not updated in place",
              "Assigning to a name inside a function only changes what that name refers to there; the caller keeps "
              "its reference to the old tensor. In-place operations (-=, .sub_()) change the one tensor everyone "
              "shares.",
              "mistake"),
    Diagnosis("whole_tensors", "__getitem__ returns the whole tensors",
              "The DataLoader builds each batch itself, calling __getitem__ once per index and stacking the "
              "answers: each call answers for a single example.",
              "mistake"),
    Diagnosis("wrong_defaults", "wrong default arguments", None, "mistake"),
    Diagnosis("wrong_device", "tensor on a fixed device",
              "Factory calls (torch.ones, torch.randn, torch.zeros, torch.tensor) create on the CPU unless told "
              "otherwise, so code that passes on a CPU-only laptop fails on a GPU (cuda, or mps on a Mac) as soon "
              "as tensors of two devices meet.",
              "mistake"),
    Diagnosis("wrong_dtype", "wrong dtype", None, "mistake"),
    Diagnosis("wrong_features", "wrong number of features", None, "mistake"),
    Diagnosis("wrong_gradient", "wrong gradient", None, "mistake"),
    Diagnosis("wrong_loss", "wrong loss value", None, "mistake"),
    Diagnosis("wrong_row", "item i is not row i", None, "mistake"),
    Diagnosis("wrong_shape", "wrong shape", None, "mistake"),
    Diagnosis("wrong_sign", "wrong sign",
              "The gradient points where the loss grows fastest; descent goes the other way, so adding it climbs "
              "the loss.",
              "mistake"),
    Diagnosis("wrong_step", "a training step is not the SGD step",
              "The grader replays the whole run: each step must be w <- w - lr * grad, where grad is the gradient "
              "of that batch's mean squared error at the weights the step started from. The pieces are also checked"
              " one by one on inputs of their own, so a failing loss or update check of this level names the "
              "culprit.",
              "consequence"),
    Diagnosis("wrong_step_count", "not one training step per batch",
              "Training makes one step per batch: one forward pass, one loss, one backward(), one update.",
              "consequence"),
    Diagnosis("wrong_targets", "targets not -1 + 3x", None, "mistake"),
    Diagnosis("wrong_values", "wrong values", None, "mistake"),
    Diagnosis("zero_grad_after_backward", "zero_grad() between backward() and step()",
              "Clearing the gradients between backward() and step() throws away the gradient step() was about to "
              "use.",
              "mistake"),)

DIAGNOSES = {diagnosis.code: diagnosis for diagnosis in TABLE}


def hint_for(code):
    diagnosis = DIAGNOSES.get(code)
    return diagnosis.hint if diagnosis else None


def title_for(code):
    """The title of a diagnosis; an unknown code is shown as itself."""
    diagnosis = DIAGNOSES.get(code)
    return diagnosis.title if diagnosis else str(code)


def kind_for(code):
    """The kind of a diagnosis (see KINDS); None (a passed check) and an unknown code are None."""
    diagnosis = DIAGNOSES.get(code)
    return diagnosis.kind if diagnosis else None


def codes_of(kind):
    """Every code of one kind, e.g. codes_of("limit") for the class report's limits section."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
    return frozenset(d.code for d in TABLE if d.kind == kind)
