"""Level 5 checks: nn.Linear, nn.MSELoss, train_step (the broadcasting trap), training."""

import torch
from torch import nn

from autograder import fixtures, linear, placement, steps
from autograder.checks import Check
from autograder.judging import Problem, passed
from autograder.levels import CONVERGENCE_EPOCHS
from autograder.probing import as_tensor, describe, describe_losses, type_name


def probe_make_model(student, ctx):
    model = student.make_model()
    data = {"type": type_name(model), "is_linear": type(model) is nn.Linear}
    if data["is_linear"]:
        data.update(in_features=model.in_features, out_features=model.out_features,
                    bias=model.bias is not None,
                    parameters=[describe(p, values=False) for p in model.parameters()])
    return data


def judge_make_model(got, want, ctx):
    if not got["is_linear"]:
        raise Problem(f"make_model() should return torch.nn.Linear(1, 1); got {got['type']}.", "not_linear")
    if (got["in_features"], got["out_features"]) != (1, 1):
        raise Problem(f"make_model() returned nn.Linear({got['in_features']}, {got['out_features']}); one "
                      "input feature and one output: nn.Linear(1, 1).", "wrong_features")
    if not got["bias"]:
        raise Problem("make_model() returned a layer without bias; the line's -1 is the bias: keep bias=True.",
                      "no_bias")
    return passed("nn.Linear(1, 1) with a bias")


def probe_make_loss(student, ctx):
    loss_fn = student.make_loss()
    return {"type": type_name(loss_fn), "is_mse": type(loss_fn) is nn.MSELoss,
            "reduction": getattr(loss_fn, "reduction", None)}


def judge_make_loss(got, want, ctx):
    if not got["is_mse"]:
        raise Problem(f"make_loss() should return torch.nn.MSELoss(); got {got['type']}.", "not_mse_loss")
    if got["reduction"] != "mean":
        raise Problem(f"make_loss() uses reduction='{got['reduction']}'; the kit's loss is the mean: "
                      "nn.MSELoss() (reduction='mean').",
                      "sum_instead_of_mean" if got["reduction"] == "sum" else "wrong_reduction")
    return passed("nn.MSELoss with the mean reduction")


def set_line(model, bias, weight, device):
    with torch.no_grad():
        model.bias.copy_(as_tensor([bias], device))
        model.weight.copy_(as_tensor([[weight]], device))


def line_of(model):
    return [describe(model.bias)["values"][0], describe(model.weight)["values"][0][0]]


def probe_train_step(student, ctx):
    model = nn.Linear(1, 1).to(ctx.device)
    set_line(model, *steps.step_start(), ctx.device)
    loss_fn = nn.MSELoss()

    def call(optimizer, batch):
        x = as_tensor([[row[1]] for row in batch["x"]], ctx.device)  # (n, 1): the feature, no ones column
        y = as_tensor(batch["y"], ctx.device)
        return student.train_step(model, optimizer, loss_fn, x, y)

    return steps.probe_steps(model, lambda: line_of(model), call)


WHAT = "train_step(model, optimizer, loss_fn, x, y)"


def judge_train_step(got, want, ctx):
    return steps.judge_train_step(got, want, ctx.device, WHAT, names=("bias", "weight"), broadcast_hint=True)


def judge_train_step_loss(got, want, ctx):
    return steps.judge_returned_loss(got, want, ctx.device, WHAT, level5=True)


def probe_train(student, ctx):
    model = student.make_model().to(ctx.device)
    start = linear.start_weights()
    set_line(model, *start, ctx.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    data = fixtures.train_dataset(ctx.device, ones_column=False)
    losses = student.train(model, data, optimizer, student.make_loss(), epochs=CONVERGENCE_EPOCHS,
                           seed=linear.train_seed())
    return {"weights": line_of(model), "start": start, "losses": describe_losses(losses)}


def judge_train(got, want, ctx):
    return linear.judge_convergence(got, want, ctx.device,
                                    f"train(model, data, optimizer, loss_fn, epochs={CONVERGENCE_EPOCHS})",
                                    names=("bias", "weight"))


class RecordingLoss(nn.MSELoss):
    """MSELoss that keeps the predictions it was given: proof that train_step ran on meta before
    its final loss.item(), which a meta tensor cannot answer."""

    def __init__(self):
        super().__init__()
        self.inputs = []

    def forward(self, input, target):
        self.inputs.append(input)
        return super().forward(input, target)


def probe_device(student, ctx):
    trial, meta = placement.Trial(), placement.META
    model = nn.Linear(1, 1).to(meta)
    x, y = torch.randn(4, 1, device=meta), torch.randn(4, device=meta)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def step():
        loss_fn = RecordingLoss()
        try:
            student.train_step(model, optimizer, loss_fn, x, y)
        except RuntimeError as error:
            if not loss_fn.inputs or not any(text in str(error) for text in placement.NO_DATA_ON_META):
                raise
        if not loss_fn.inputs:
            raise RuntimeError("train_step never called loss_fn")
        return loss_fn.inputs[-1]

    trial.run("train_step(model, optimizer, loss_fn, x, y)", step, "the predictions given to loss_fn")
    return trial.entries


def judge_device(got, want, ctx):
    return placement.judge_placement(got, tried=want)


CHECKS = [
    Check("level5.make_model", "nn.Linear(1, 1)", probe_make_model, judge_make_model),
    Check("level5.make_loss", "nn.MSELoss()", probe_make_loss, judge_make_loss),
    Check("level5.train_step", "same shapes, zero_grad, backward, one step", probe_train_step, judge_train_step),
    Check("level5.train_step_loss", "train_step returns the loss before the step", probe_train_step,
          judge_train_step_loss),
    Check("level5.train", "training nn.Linear reaches bias -1, weight 3", probe_train, judge_train),
    Check("level5.device", "train_step works on another device (meta)", probe_device, judge_device),
]
