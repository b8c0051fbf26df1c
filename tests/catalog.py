"""A catalog of student submissions: typical mistakes the grader must diagnose, and correct
variants it must accept with full marks.

Each entry replaces one stub's solution block in the reference file with other code. `expect`
maps every check that must fail to the diagnosis it must give (None: any diagnosis); every
other check of the level must pass. `says` maps a check to text its message must contain. No
message may show the grader's own names (its modules and helper classes).
"""

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder.authoring.exercises import replace_stubs
from autograder.levels import LEVEL_FILES, SOLUTIONS_DIR


@dataclass(frozen=True)
class Submission:
    name: str
    stub: str  # "level1.forward"
    code: str
    expect: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # more stubs replaced: {stub: code}
    says: dict = field(default_factory=dict)  # {check id: text its message must contain}
    edits: tuple = ()  # ((old, new), ...): given code outside the stubs changed, such as train's loop

    @property
    def level(self):
        return int(self.stub.split(".")[0].removeprefix("level"))


def mutate(level, replacements):
    """The reference level file with the solution blocks of the given stubs replaced."""
    return replace_stubs((SOLUTIONS_DIR / LEVEL_FILES[level]).read_text(), level, replacements)


def source_of(entry):
    """The entry's level file: the reference with its stubs replaced and its edits made."""
    text = mutate(entry.level, {entry.stub: entry.code, **entry.extra})
    for old, new in entry.edits:
        if text.count(old) != 1:
            raise ValueError(f"{entry.name}: the edit's text is not in the level file exactly once: {old!r}")
        text = text.replace(old, new)
    return text


def write_submission(entry, folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LEVEL_FILES[entry.level]
    path.write_text(source_of(entry))
    return path


MISTAKES = [
    # level 1
    Submission("forgot zero_grad", "level1.zero_grad", "pass",
               {"level1.zero_grad": "gradients_accumulate", "level1.train": None}),
    Submission("sum instead of mean", "level1.mse", "return ((y - yhat) ** 2).sum()",
               # with batches of 10 the larger steps still converge, but not along the reference run
               {"level1.mse": "sum_instead_of_mean", "level1.gradient": "sum_instead_of_mean",
                "level1.train": "wrong_step"}, says={"level1.train": "10x the SGD step"}),
    Submission("w = w - lr * w.grad", "level1.sgd_update", "w = w - lr * w.grad\nreturn w",
               {"level1.sgd_update": "w_not_updated", "level1.train": None}),
    Submission("in-place update outside no_grad", "level1.sgd_update", "w -= lr * w.grad",
               {"level1.sgd_update": "inplace_outside_no_grad", "level1.train": "inplace_outside_no_grad",
                "level1.device": "inplace_outside_no_grad"}),  # a stub that raises earns no device points
    Submission("update with the wrong sign", "level1.sgd_update", "with torch.no_grad():\n    w += lr * w.grad",
               {"level1.sgd_update": "wrong_sign", "level1.train": None}),
    Submission("update ignores lr", "level1.sgd_update", "with torch.no_grad():\n    w -= 0.01 * w.grad",
               {"level1.sgd_update": "ignored_lr"}),
    Submission("update with a fixed lr of 0.1", "level1.sgd_update", "with torch.no_grad():\n    w -= 0.1 * w.grad",
               {"level1.sgd_update": "ignored_lr", "level1.train": "wrong_step"}),
    Submission("every stub left empty", "level1.forward", "pass",
               {check: None for check in ("level1.make_data", "level1.init_weights", "level1.forward", "level1.mse",
                                          "level1.gradient", "level1.sgd_update", "level1.zero_grad", "level1.train")}
               | {"level1.device": "nothing_ran"},
               extra={stub: "pass" for stub in ("level1.make_data", "level1.init_weights", "level1.mse",
                                                "level1.sgd_update", "level1.zero_grad")}),
    Submission("forward returns a list", "level1.forward", "return (x * w).sum(dim=1).tolist()",
               {"level1.forward": "not_a_tensor", "level1.gradient": None, "level1.train": None}),
    Submission("forward forgets the sum", "level1.forward", "return x * w",
               {"level1.forward": "forgot_sum", "level1.gradient": None, "level1.train": None}),
    Submission("forward sums the whole batch", "level1.forward", "return (x * w).sum()",
               {"level1.forward": "summed_batch", "level1.gradient": None, "level1.train": None}),
    Submission("forward detaches", "level1.forward", "return torch.tensor((x * w).sum(dim=1).tolist())",
               {"level1.forward": "detached", "level1.gradient": "detached", "level1.train": "detached"}),
    Submission("mse returns NaN", "level1.mse", "return ((y - yhat) ** 2).mean() * float('nan')",
               {"level1.mse": "not_finite", "level1.gradient": "not_finite", "level1.train": "diverged"}),
    Submission("uniform instead of normal", "level1.make_data",
               """
               X = torch.hstack([torch.ones(samples, 1, device=device), torch.rand(samples, 1, device=device)])
               return X, -1 * X[:, 0] + 3 * X[:, 1]
               """, {"level1.make_data": "not_standard_normal"}),
    Submission("ones column last", "level1.make_data",
               """
               X = torch.hstack([torch.randn(samples, 1, device=device), torch.ones(samples, 1, device=device)])
               return X, -1 * X[:, 1] + 3 * X[:, 0]
               """, {"level1.make_data": "columns_swapped"}),
    Submission("weights not a leaf", "level1.init_weights",
               "return torch.randn(num_parameters, device=device, requires_grad=True) * 0.5",
               {"level1.init_weights": "not_leaf"}),
    Submission("weights without requires_grad", "level1.init_weights",
               "return torch.randn(num_parameters, device=device)",
               {"level1.init_weights": "no_requires_grad"}),
    # level 2
    Submission("__len__ returns a shape", "level2.RandomData.__len__", "return self.X.shape",
               {"level2.len": "len_returns_shape", "level2.train": "len_returns_shape"}),
    Submission("__len__ counts values", "level2.RandomData.__len__", "return self.X.numel()",
               {"level2.len": "len_counts_values", "level2.train": None}),
    Submission("__getitem__ mismatched pairs", "level2.RandomData.__getitem__",
               "return self.X[index], self.Y[index - 1]",
               {"level2.getitem": "mismatched_pair", "level2.train": "wrong_step"},
               says={"level2.train": "whether each x comes with its own y"}),
    Submission("loader ignores the generator", "level2.make_loader",
               "return DataLoader(data, batch_size=batch_size, shuffle=shuffle)",
               {"level2.loader": "ignored_generator"}),  # train's steps are right on the batches drawn
    Submission("loader with a generator of its own", "level2.make_loader",
               "return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=torch.Generator().manual_seed(42))",
               {"level2.loader": "ignored_generator"}),
    Submission("loader drops the last batch", "level2.make_loader",
               "return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator, drop_last=True)",
               {"level2.loader": "incomplete_epoch"}),
    Submission("loader never shuffles", "level2.make_loader",
               "return DataLoader(data, batch_size=batch_size, shuffle=False, generator=generator)",
               {"level2.loader": "not_shuffled"}),
    Submission("loader ignores batch_size", "level2.make_loader",
               "return DataLoader(data, batch_size=10, shuffle=shuffle, generator=generator)",
               {"level2.loader": "ignored_batch_size"}),
    # level 3
    Submission("no super().__init__()", "level3.CustomLinearModel.__init__",
               "self.w = torch.randn(num_parameters, device=device, requires_grad=True)",
               {"level3.init": "no_super_init", "level3.train": None}),
    Submission("forward sums the whole batch", "level3.CustomLinearModel.forward", "return (x * self.w).sum()",
               {"level3.forward": "summed_batch", "level3.gradient": None, "level3.train": None}),
    # level 4
    Submission("plain tensor instead of nn.Parameter", "level4.CustomLinearModel.__init__",
               "self.w = torch.randn(num_parameters, requires_grad=True)",
               {"level4.init": "plain_tensor_not_parameter", "level4.train": "plain_tensor_not_parameter",
                "level4.device": "plain_tensor_not_parameter"}),
    Submission("optimizer.step() never called", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y, model(x))
               loss.backward()
               return loss.item()
               """, {"level4.train_step": "step_not_called", "level4.train": "not_updated"}),
    Submission("optimizer.step() before backward()", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y, model(x))
               optimizer.step()
               loss.backward()
               return loss.item()
               """, {"level4.train_step": "step_before_backward", "level4.train": "not_updated"},
               says={"level4.train": "no update ever changed them"}),
    Submission("forgot optimizer.zero_grad()", "level4.train_step",
               """
               loss = mse(y, model(x))
               loss.backward()
               optimizer.step()
               return loss.item()
               """, {"level4.train_step": "forgot_zero_grad", "level4.train": None}),
    Submission("zero_grad between backward and step", "level4.train_step",
               """
               loss = mse(y, model(x))
               loss.backward()
               optimizer.zero_grad(set_to_none=False)
               optimizer.step()
               return loss.item()
               """, {"level4.train_step": "zero_grad_after_backward", "level4.train": "not_updated"}),
    Submission("step twice", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y, model(x))
               loss.backward()
               optimizer.step()
               optimizer.step()
               return loss.item()
               """, {"level4.train_step": "step_twice", "level4.train": "wrong_step"},
               says={"level4.train": "twice the SGD step"}),
    Submission("train_step returns a tensor", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y, model(x))
               loss.backward()
               optimizer.step()
               return loss
               """, {"level4.train_step_loss": "returned_tensor", "level4.train": "bad_losses"},
               says={"level4.train": "list of tensors"}),
    Submission("train_step returns the loss after the step", "level4.train_step",
               """
               optimizer.zero_grad()
               mse(y, model(x)).backward()
               optimizer.step()
               return mse(y, model(x)).item()
               """, {"level4.train_step_loss": "loss_after_step"}),  # each epoch's loss is still one of its batches'
    Submission("Adam instead of SGD", "level4.make_optimizer",
               "return torch.optim.Adam(model.parameters(), lr=lr)",
               {"level4.make_optimizer": "not_sgd", "level4.train": None}),
    Submission("optimizer ignores lr", "level4.make_optimizer",
               "return torch.optim.SGD(model.parameters(), lr=0.01)",
               {"level4.make_optimizer": "ignored_lr"}),
    Submission("optimizer over copies", "level4.make_optimizer",
               "return torch.optim.SGD([p.detach().clone().requires_grad_() for p in model.parameters()], lr=lr)",
               {"level4.make_optimizer": "not_model_params", "level4.train": "not_updated"}),
    # level 5
    Submission("predictions (n, 1) against targets (n,)", "level5.train_step",
               """
               optimizer.zero_grad()
               loss = loss_fn(model(x), y)
               loss.backward()
               optimizer.step()
               return loss.item()
               """, {"level5.train_step": "broadcasting", "level5.train": "broadcasting"}),
    Submission("MSELoss with reduction='sum'", "level5.make_loss", "return nn.MSELoss(reduction='sum')",
               {"level5.make_loss": "sum_instead_of_mean", "level5.train": "wrong_step"}),
    Submission("MSELoss with reduction='none'", "level5.make_loss", "return nn.MSELoss(reduction='none')",
               {"level5.make_loss": "wrong_reduction", "level5.train": None}),
    Submission("Linear without bias", "level5.make_model", "return nn.Linear(1, 1, bias=False)",
               {"level5.make_model": "no_bias"}),  # train is judged on the grader's layer: one mistake, one check
    Submission("Linear(1, 2)", "level5.make_model", "return nn.Linear(1, 2)",
               {"level5.make_model": "wrong_features"}),
    # device placement, caught on the meta device without a GPU
    Submission("make_data ignores device", "level1.make_data",
               """
               X = torch.hstack([torch.ones(samples, 1), torch.randn(samples, 1)])
               return X, -1 * X[:, 0] + 3 * X[:, 1]
               """, {"level1.device": "wrong_device"}),
    Submission("forward builds on the CPU", "level1.forward",
               """
               out = torch.zeros(len(x))
               for j in range(x.shape[1]):
                   out = out + x[:, j] * w[j]
               return out
               """, {"level1.device": "wrong_device"}),
    Submission("level 3 w ignores device", "level3.CustomLinearModel.__init__",
               "super().__init__()\nself.w = torch.randn(num_parameters, requires_grad=True)",
               {"level3.device": "w_left_behind"}),
    Submission("train_step makes a CPU tensor", "level5.train_step",
               """
               optimizer.zero_grad()
               yhat = torch.zeros(len(y)) + model(x).squeeze(1)
               loss = loss_fn(yhat, y)
               loss.backward()
               optimizer.step()
               return loss.item()
               """, {"level5.device": "wrong_device"}),
    Submission("level 5 forgot zero_grad", "level5.train_step",
               """
               loss = loss_fn(model(x).squeeze(1), y)
               loss.backward()
               optimizer.step()
               return loss.item()
               """, {"level5.train_step": "forgot_zero_grad", "level5.train": None}),
]

# grading precision (issue 13): the CPU gives the GPU's verdict, one mistake costs its own check, and
# every failure is a sentence that names what happened
PRECISION = [
    # created, then moved: a leaf on the CPU only because .to('cpu') returns the tensor itself
    Submission("init_weights moves a tensor that requires grad", "level1.init_weights",
               "return torch.randn(num_parameters, requires_grad=True).to(device)",
               {"level1.init_weights": "not_leaf"}, says={"level1.init_weights": "only by accident"}),
    Submission("level 3 w moved after requires_grad", "level3.CustomLinearModel.__init__",
               "super().__init__()\nself.w = torch.randn(num_parameters, requires_grad=True).to(device)",
               {"level3.init": "not_leaf"}, says={"level3.init": "only by accident"}),
    # broadcasting, named where it happens (not "wrong shape" and "Gradients are 0.2x")
    Submission("forward keeps a (batch, 1) shape", "level1.forward", "return (x * w).sum(dim=1, keepdim=True)",
               {"level1.forward": "broadcasting", "level1.gradient": "broadcasting", "level1.train": None},
               says={"level1.forward": "(batch, batch) table"}),
    Submission("mse reshapes y to (batch, 1)", "level1.mse", "return ((y.view(-1, 1) - yhat) ** 2).mean()",
               {"level1.mse": "broadcasting", "level1.gradient": "broadcasting", "level1.train": None}),
    Submission("level 4 forward returns (batch, 1)", "level4.CustomLinearModel.forward",
               "return x @ self.w.unsqueeze(1)",
               {"level4.forward": "broadcasting", "level4.train": None}),
    Submission("level 4 train_step unsqueezes y", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y.unsqueeze(1), model(x))
               loss.backward()
               optimizer.step()
               return loss.item()
               """, {"level4.train_step": "broadcasting", "level4.train": None}),
    # the caller's inputs overwritten: right predictions, a destroyed batch
    Submission("forward multiplies x in place", "level1.forward", "return x.mul_(w).sum(dim=1)",
               {"level1.forward": "input_modified"}),
    Submission("mse subtracts into y", "level1.mse", "return (y.sub_(yhat) ** 2).mean()",
               {"level1.mse": "input_modified"}),
    Submission("level 3 forward with x *= self.w", "level3.CustomLinearModel.forward",
               "x *= self.w\nreturn x.sum(dim=1)", {"level3.forward": "input_modified"}),
    Submission("level 4 forward multiplies x in place", "level4.CustomLinearModel.forward",
               "return x.mul_(self.w).sum(dim=1)", {"level4.forward": "input_modified"}),
    # parameters changed outside optimizer.step()
    Submission("manual update beside step()", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y, model(x))
               loss.backward()
               optimizer.step()
               with torch.no_grad():
                   model.w -= 0.1 * model.w.grad
               return loss.item()
               """, {"level4.train_step": "updated_outside_step", "level4.train": None}),
    Submission("manual update instead of step()", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y, model(x))
               loss.backward()
               with torch.no_grad():
                   model.w -= 0.1 * model.w.grad
               return loss.item()
               """, {"level4.train_step": "updated_outside_step", "level4.train": None},
               says={"level4.train_step": "never called step() on the optimizer it was given"}),
    Submission("a private optimizer inside train_step", "level4.train_step",
               """
               own = torch.optim.SGD(model.parameters(), lr=0.1)
               own.zero_grad()
               loss = mse(y, model(x))
               loss.backward()
               own.step()
               return loss.item()
               """, {"level4.train_step": "updated_outside_step", "level4.train": None}),
    Submission("level 5 manual update beside step()", "level5.train_step",
               """
               optimizer.zero_grad()
               loss = loss_fn(model(x).squeeze(1), y)
               loss.backward()
               with torch.no_grad():
                   for p in model.parameters():
                       p -= 0.01 * p.grad
               optimizer.step()
               return loss.item()
               """, {"level5.train_step": "updated_outside_step", "level5.train": None}),
    # every SGD option compared with its default
    Submission("init_weights draws with torch.rand", "level1.init_weights",
               "return torch.rand(num_parameters, device=device, requires_grad=True)",
               {"level1.init_weights": "not_standard_normal"},
               says={"level1.init_weights": "torch.rand"}),
    Submission("level 4 weight drawn with torch.rand", "level4.CustomLinearModel.__init__",
               "self.w = torch.nn.Parameter(torch.rand(num_parameters))",
               {"level4.init": "not_standard_normal"},
               says={"level4.init": "standard normal"}),
    Submission("SGD with maximize=True", "level4.make_optimizer",
               "return torch.optim.SGD(model.parameters(), lr=lr, maximize=True)",
               {"level4.make_optimizer": "not_plain_sgd", "level4.train": None},
               says={"level4.make_optimizer": "maximize=True"}),
    Submission("SGD with dampening", "level4.make_optimizer",
               "return torch.optim.SGD(model.parameters(), lr=lr, dampening=0.5)",
               {"level4.make_optimizer": "not_plain_sgd"}),
    # level 5: make_model's mistakes cost make_model only; train is still judged
    Submission("make_model in float64", "level5.make_model", "return nn.Linear(1, 1).double()",
               {"level5.make_model": "wrong_dtype"}),
    Submission("make_model wraps the layer in nn.Sequential", "level5.make_model",
               "return nn.Sequential(nn.Linear(1, 1))", {"level5.make_model": "not_linear"},
               says={"level5.make_model": "return the layer itself"}),
    Submission("make_model wraps the layer in a module of its own", "level5.make_model",
               """
               class Wrapper(nn.Module):
                   def __init__(self):
                       super().__init__()
                       self.layer = nn.Linear(1, 1)

                   def forward(self, x):
                       return self.layer(x)

               return Wrapper()
               """, {"level5.make_model": "not_linear"}),
    # a sentence where a raw exception used to be
    Submission(".item() before backward()", "level4.train_step",
               """
               optimizer.zero_grad()
               loss = mse(y, model(x)).item()
               loss.backward()
               optimizer.step()
               return loss
               """, {"level4.train_step": "backward_on_number", "level4.train_step_loss": "backward_on_number",
                     "level4.train": "backward_on_number"}, says={"level4.train_step": ".item()"}),
    Submission("mse returns .item()", "level1.mse", "return ((y - yhat) ** 2).mean().item()",
               {"level1.mse": "not_a_tensor", "level1.gradient": "backward_on_number",
                "level1.train": "backward_on_number"}, says={"level1.mse": ".item()"}),
    Submission("__getitem__ returns (y, x)", "level2.RandomData.__getitem__", "return self.Y[index], self.X[index]",
               {"level2.getitem": "pair_swapped", "level2.train": "pair_swapped"}),
    Submission("__getitem__ returns the whole tensors", "level2.RandomData.__getitem__", "return self.X, self.Y",
               {"level2.getitem": "whole_tensors", "level2.train": "whole_tensors"}),
    Submission("mse takes the square root", "level1.mse", "return torch.sqrt(((y - yhat) ** 2).mean())",
               {"level1.mse": "rmse", "level1.gradient": "rmse", "level1.train": None}),
    Submission("make_loader returns the dataset", "level2.make_loader", "return data",
               {"level2.loader": "not_a_loader", "level2.train": None},
               says={"level2.loader": "the dataset it was given"}),
    Submission("zero_grad makes a CPU tensor", "level1.zero_grad", "w.grad = torch.zeros(len(w))",
               {"level1.device": "wrong_device"}, says={"level1.device": "w.device"}),
]
MISTAKES += PRECISION

CORRECT_VARIANTS = [
    Submission("forward with x @ w", "level1.forward", "return x @ w"),
    Submission("forward with torch.matmul", "level1.forward", "return torch.matmul(x, w)"),
    Submission("mse with F.mse_loss", "level1.mse", "return torch.nn.functional.mse_loss(yhat, y)"),
    Submission("mse with torch.mean", "level1.mse", "return torch.mean(torch.square(yhat - y))"),
    Submission("zero_grad with w.grad = None", "level1.zero_grad", "w.grad = None"),
    Submission("zero_grad with w.grad.data.zero_()", "level1.zero_grad", "w.grad.data.zero_()"),
    Submission("w -= lr * w.grad under no_grad", "level1.sgd_update", "with torch.no_grad():\n    w -= lr * w.grad"),
    Submission("w.sub_ under no_grad", "level1.sgd_update", "with torch.no_grad():\n    w.sub_(lr * w.grad)"),
    Submission("w.data.sub_", "level1.sgd_update", "w.data.sub_(lr * w.grad)"),
    Submission("the blog's w.data = w.data - lr * w.grad.data", "level1.sgd_update",
               "w.data = w.data - lr * w.grad.data"),
    Submission("make_data with torch.cat", "level1.make_data",
               """
               X = torch.cat([torch.ones(samples, 1, device=device), torch.randn(samples, 1, device=device)], dim=1)
               return X, -X[:, 0] + 3 * X[:, 1]
               """),
    Submission("init_weights with requires_grad_()", "level1.init_weights",
               "return torch.randn(num_parameters, device=device).requires_grad_()"),
    Submission("__len__ as len(self.Y)", "level2.RandomData.__len__", "return len(self.Y)"),
    Submission("__len__ as self.X.shape[0]", "level2.RandomData.__len__", "return self.X.shape[0]"),
    Submission("__len__ from a stored count", "level2.RandomData.__len__", "return self.samples",
               extra={"level2.RandomData.__init__": """
                   self.samples = samples
                   self.X = torch.hstack([torch.ones(samples, 1, device=device), torch.randn(samples, 1, device=device)])
                   self.Y = -1 * self.X[:, 0] + 3 * self.X[:, 1]
               """}),
    Submission("__getitem__ with X[index, :]", "level2.RandomData.__getitem__",
               "return (self.X[index, :], self.Y[index])"),
    Submission("__getitem__ as a list", "level2.RandomData.__getitem__", "return [self.X[index], self.Y[index]]"),
    Submission("loader with positional arguments", "level2.make_loader",
               "return DataLoader(data, batch_size, shuffle, generator=generator)"),
    Submission("level 3 forward with @", "level3.CustomLinearModel.forward", "return x @ self.w"),
    Submission("level 4 Parameter with requires_grad=True", "level4.CustomLinearModel.__init__",
               "self.w = torch.nn.Parameter(torch.randn(num_parameters), requires_grad=True)"),
    Submission("level 4 model.zero_grad()", "level4.train_step",
               """
               model.zero_grad()
               loss = mse(y, model(x))
               loss.backward()
               optimizer.step()
               return loss.item()
               """),
    Submission("level 4 zero_grad(set_to_none=False)", "level4.train_step",
               """
               optimizer.zero_grad(set_to_none=False)
               loss = mse(y, model.forward(x))
               loss.backward()
               optimizer.step()
               return float(loss)
               """),
    Submission("level 4 optimizer.step(closure)", "level4.train_step",
               """
               def closure():
                   optimizer.zero_grad()
                   loss = mse(y, model(x))
                   loss.backward()
                   return loss
               return optimizer.step(closure).item()
               """),
    Submission("level 5 y.unsqueeze(1)", "level5.train_step",
               """
               optimizer.zero_grad()
               loss = loss_fn(model(x), y.unsqueeze(1))
               loss.backward()
               optimizer.step()
               return loss.item()
               """),
    Submission("level 5 view(-1)", "level5.train_step",
               """
               optimizer.zero_grad()
               loss = loss_fn(model(x).view(-1), y)
               loss.backward()
               optimizer.step()
               return loss.item()
               """),
    Submission("forward builds on the input's device", "level1.forward",
               """
               out = torch.zeros(len(x), device=x.device)
               for j in range(x.shape[1]):
                   out = out + x[:, j] * w[j]
               return out
               """),
    Submission("forward with torch.zeros_like", "level1.forward",
               "return torch.zeros_like(x[:, 0]) + (x * w).sum(dim=1)"),
    Submission("level 5 nn.Linear(in_features=1, out_features=1)", "level5.make_model",
               "return nn.Linear(in_features=1, out_features=1, bias=True)"),
    Submission("SGD with foreach=False", "level4.make_optimizer",
               "return torch.optim.SGD(model.parameters(), lr=lr, foreach=False)"),
    Submission("forward on a copy changed in place", "level1.forward", "x = x.clone()\nx *= w\nreturn x.sum(dim=1)"),
    Submission("init_weights moved, then requires_grad_()", "level1.init_weights",
               "return torch.randn(num_parameters).to(device).requires_grad_()"),
    Submission("level 3 w moved, then requires_grad_()", "level3.CustomLinearModel.__init__",
               "super().__init__()\nself.w = torch.randn(num_parameters).to(device).requires_grad_()"),
]


def reference_body(stub):
    """The reference's own code for a stub: for entries that change given code only (their edits)."""
    from autograder.authoring.exercises import stubs_of

    level = int(stub.split(".")[0].removeprefix("level"))
    lines = (SOLUTIONS_DIR / LEVEL_FILES[level]).read_text().splitlines()
    first, last = next((first, last) for name, _, first, last, _ in stubs_of("\n".join(lines), level) if name == stub)
    body = [line for line in lines[first:last + 1] if not line.strip().startswith(("### ", "# hint:"))]
    return textwrap.dedent("\n".join(body))


LAST_BATCH_LOSS = (("        losses.append(total / batches)", "        losses.append(cost.item())"),)
LAST_STEP_LOSS = (("        losses.append(total / batches)", "        losses.append(last)"),)

# grades follow the contract (the issue "A course's grades are right"): what the contract leaves open
# (how an epoch's loss is reported, how the loader draws its order, which loss train_step computes)
# never costs a point, and what it rules out is named
CONTRACT = [
    Submission("make_data X requires grad", "level1.make_data",
               """
               X = torch.hstack([torch.ones(samples, 1, device=device), torch.randn(samples, 1, device=device)])
               X.requires_grad_()
               return X, -1 * X[:, 0] + 3 * X[:, 1]
               """, {"level1.make_data": "data_requires_grad"}, says={"level1.make_data": "requires_grad=True"}),
    Submission("make_data Y computed with a tensor that requires grad", "level1.make_data",
               """
               X = torch.hstack([torch.ones(samples, 1, device=device), torch.randn(samples, 1, device=device)])
               line = torch.tensor([-1.0, 3.0], device=device, requires_grad=True)
               return X, X @ line
               """, {"level1.make_data": "data_requires_grad"}, says={"level1.make_data": "carries a graph"}),
    Submission("RandomData X requires grad", "level2.RandomData.__init__",
               """
               ones = torch.ones(samples, 1, device=device)
               self.X = torch.hstack([ones, torch.randn(samples, 1, device=device)]).requires_grad_()
               self.Y = -1 * self.X[:, 0] + 3 * self.X[:, 1]
               """, {"level2.dataset": "data_requires_grad"}),
    Submission("init_weights seeds torch", "level1.init_weights",
               """
               torch.manual_seed(0)
               return torch.randn(num_parameters, device=device, requires_grad=True)
               """, {"level1.init_weights": "reseeds_rng"}, says={"level1.init_weights": "torch.manual_seed"}),
    Submission("init_weights seeds torch after drawing", "level1.init_weights",
               """
               w = torch.randn(num_parameters, device=device, requires_grad=True)
               torch.manual_seed(0)
               return w
               """, {"level1.init_weights": "reseeds_rng"}, says={"level1.init_weights": "afterwards repeats"}),
    Submission("init_weights draws from a fixed generator", "level1.init_weights",
               "return torch.randn(num_parameters, generator=torch.Generator().manual_seed(0)).to(device).requires_grad_()",
               {"level1.init_weights": "reseeds_rng"}, says={"level1.init_weights": "generator of its own"}),
    Submission("level 3 w after a seed", "level3.CustomLinearModel.__init__",
               """
               super().__init__()
               torch.manual_seed(0)
               self.w = torch.randn(num_parameters, device=device, requires_grad=True)
               """, {"level3.init": "reseeds_rng"}),
    Submission("level 4 w after a seed", "level4.CustomLinearModel.__init__",
               """
               super().__init__()
               torch.manual_seed(0)
               self.w = torch.nn.Parameter(torch.randn(num_parameters))
               """, {"level4.init": "reseeds_rng"}),
    Submission("make_data hstacks 1-D tensors", "level1.make_data",
               """
               X = torch.hstack([torch.ones(samples, device=device), torch.randn(samples, device=device)])
               return X, -1 * X[:, 0] + 3 * X[:, 1]
               """, {"level1.make_data": "hstack_1d", "level1.device": "hstack_1d"},
               says={"level1.make_data": "torch.hstack"}),
    Submission("make_data hstacks 1-D tensors, Y from the vectors", "level1.make_data",
               """
               ones, x = torch.ones(samples, device=device), torch.randn(samples, device=device)
               return torch.hstack([ones, x]), -1 * ones + 3 * x
               """, {"level1.make_data": "hstack_1d"}, says={"level1.make_data": "end to end"}),
    Submission("RandomData hstacks 1-D tensors", "level2.RandomData.__init__",
               """
               ones, x = torch.ones(samples, device=device), torch.randn(samples, device=device)
               self.X = torch.hstack([ones, x])
               self.Y = -1 * ones + 3 * x
               """, {"level2.dataset": "hstack_1d"}),
    Submission("__len__ one short", "level2.RandomData.__len__", "return len(self.Y) - 1",
               {"level2.len": "len_off_by_one"}, says={"level2.len": "one fewer"}),
    Submission("__len__ one too many", "level2.RandomData.__len__", "return len(self.Y) + 1",
               {"level2.len": "len_off_by_one", "level2.train": "index_out_of_range"}, says={"level2.len": "one more"}),
    Submission("forward under torch.no_grad()", "level1.forward",
               "with torch.no_grad():\n    return (x * w).sum(dim=1)",
               {"level1.forward": "forward_no_grad", "level1.gradient": "detached", "level1.train": "detached"},
               says={"level1.forward": "torch.no_grad()", "level1.gradient": "torch.no_grad()"}),
    Submission("level 3 forward under torch.no_grad()", "level3.CustomLinearModel.forward",
               "with torch.no_grad():\n    return x @ self.w",
               {"level3.forward": "forward_no_grad", "level3.gradient": "no_gradient", "level3.train": "detached"}),
    Submission("level 4 forward under torch.no_grad()", "level4.CustomLinearModel.forward",
               "with torch.no_grad():\n    return x @ self.w",
               {"level4.forward": "forward_no_grad", "level4.train": "detached"}),
    # a stub that raises, whatever it raises, earns no device points
    Submission("forward raises ValueError", "level1.forward", "raise ValueError('not done yet')",
               {"level1.forward": "raised", "level1.gradient": "raised", "level1.train": "raised",
                "level1.device": "raised"}),
    Submission("level 5 train_step raises ValueError", "level5.train_step", "raise ValueError('not done yet')",
               {"level5.train_step": "raised", "level5.train_step_loss": "raised", "level5.train": "raised",
                "level5.device": "raised"}, says={"level5.device": "earns no device points"}),
    Submission("level 5 train_step left empty", "level5.train_step", "raise NotImplementedError()",
               {"level5.train_step": "not_implemented", "level5.train_step_loss": "not_implemented",
                "level5.train": "not_implemented", "level5.device": "not_implemented"}),
    # train reports what the contract rules out
    Submission("train reports the sum of the batch losses", "level1.forward", reference_body("level1.forward"),
               {"level1.train": "loss_mismatch"}, says={"level1.train": "sum of the batches' losses"},
               edits=(("        losses.append(total / num_batches)", "        losses.append(total)"),)),
    Submission("level 3 train runs backward twice a batch", "level3.CustomLinearModel.forward",
               reference_body("level3.CustomLinearModel.forward"), {"level3.train": "wrong_step_count"},
               edits=(("            cost.backward()\n", "            cost.backward(retain_graph=True)\n"
                       "            model.w.grad = None\n            cost.backward()\n"),)),
]
MISTAKES += CONTRACT

CORRECT_VARIANTS += [
    Submission("train reports each epoch's last batch loss", "level1.forward", reference_body("level1.forward"),
               edits=(("        losses.append(total / num_batches)", "        losses.append(cost.item())"),)),
    Submission("level 2 train reports the last batch loss", "level2.make_loader", reference_body("level2.make_loader"),
               edits=LAST_BATCH_LOSS),
    Submission("level 2 train reports the loss of all the data", "level2.make_loader",
               reference_body("level2.make_loader"),
               edits=(("        losses.append(total / batches)",
                       "        losses.append(mse(data.Y, forward(w, data.X)).item())"),)),
    Submission("level 3 train reports the last batch loss", "level3.CustomLinearModel.forward",
               reference_body("level3.CustomLinearModel.forward"), edits=LAST_BATCH_LOSS),
    Submission("level 3 train reports the first batch loss", "level3.CustomLinearModel.forward",
               reference_body("level3.CustomLinearModel.forward"),
               edits=(("        total, batches = 0.0, 0\n", "        total, batches, first = 0.0, 0, None\n"),
                      ("            total += cost.item()\n",
                       "            total += cost.item()\n            first = cost.item() if first is None else first\n"),
                      ("        losses.append(total / batches)", "        losses.append(first)"))),
    Submission("level 4 train reports the last batch loss", "level4.train_step", reference_body("level4.train_step"),
               edits=(("            total += train_step(model, optimizer, x, y)\n",
                       "            last = train_step(model, optimizer, x, y)\n            total += last\n"),
                      *LAST_STEP_LOSS)),
    Submission("level 5 train reports the last batch loss", "level5.train_step", reference_body("level5.train_step"),
               edits=(("            total += train_step(model, optimizer, loss_fn, x, y)\n",
                       "            last = train_step(model, optimizer, loss_fn, x, y)\n            total += last\n"),
                      *LAST_STEP_LOSS)),
    Submission("loader with an explicit RandomSampler", "level2.make_loader",
               """
               sampler = torch.utils.data.RandomSampler(data, generator=generator) if shuffle else None
               return DataLoader(data, batch_size=batch_size, sampler=sampler)
               """),
    Submission("loader with a RandomSampler and a BatchSampler", "level2.make_loader",
               """
               from torch.utils.data import BatchSampler, RandomSampler, SequentialSampler
               order = RandomSampler(data, generator=generator) if shuffle else SequentialSampler(data)
               return DataLoader(data, batch_sampler=BatchSampler(order, batch_size, drop_last=False))
               """),
    Submission("loader over a TensorDataset of the data's tensors", "level2.make_loader",
               # its batches never ask the student's dataset: the grader reads them off the batches train gets
               """
               from torch.utils.data import TensorDataset
               return DataLoader(TensorDataset(data.X, data.Y), batch_size=batch_size, shuffle=shuffle,
                                 generator=generator)
               """),
    Submission("loader whose sampler yields whole batches", "level2.make_loader",
               """
               from torch.utils.data import BatchSampler, RandomSampler, SequentialSampler
               order = RandomSampler(data, generator=generator) if shuffle else SequentialSampler(data)
               return DataLoader(data, sampler=BatchSampler(order, batch_size, drop_last=False), batch_size=None)
               """),
    Submission("loader with worker processes", "level2.make_loader",
               # the examples are fetched in other processes, where the dataset's own recording cannot report
               "return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator, num_workers=2)"),
    Submission("level 5 train_step with F.mse_loss", "level5.train_step",
               """
               optimizer.zero_grad()
               loss = torch.nn.functional.mse_loss(model(x).squeeze(1), y)
               loss.backward()
               optimizer.step()
               return loss.item()
               """),
    Submission("level 5 train_step takes .item() before backward", "level5.train_step",
               """
               optimizer.zero_grad()
               loss = torch.nn.functional.mse_loss(model(x).view(-1), y)
               value = loss.item()
               loss.backward()
               optimizer.step()
               return value
               """),
    Submission("init_weights with torch.normal", "level1.init_weights",
               "return torch.normal(0.0, 1.0, size=(num_parameters,), device=device, requires_grad=True)"),
    Submission("init_weights with normal_() in place", "level1.init_weights",
               "return torch.empty(num_parameters, device=device).normal_().requires_grad_()"),
    Submission("make_data with torch.stack", "level1.make_data",
               """
               X = torch.stack([torch.ones(samples, device=device), torch.randn(samples, device=device)], dim=1)
               return X, -1 * X[:, 0] + 3 * X[:, 1]
               """),
    Submission("make_data with torch.column_stack", "level1.make_data",
               """
               x = torch.randn(samples, device=device)
               return torch.column_stack([torch.ones_like(x), x]), -1 + 3 * x
               """),
    Submission("make_data filling a ones tensor in place", "level1.make_data",
               """
               X = torch.ones(samples, 2, device=device)
               X[:, 1].normal_()
               return X, X @ torch.tensor([-1.0, 3.0], device=device)
               """),
    Submission("RandomData with torch.stack", "level2.RandomData.__init__",
               """
               x = torch.randn(samples, device=device)
               self.X = torch.stack([torch.ones_like(x), x], dim=1)
               self.Y = -1 + 3 * x
               """),
]
