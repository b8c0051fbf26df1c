"""Level 5 (nn.Linear and nn.MSELoss): make_model, make_loss, train_step, train.

Probe side: runs beside the student's code and returns plain data; never judges."""

import torch
from torch import nn

from autograder.probe import inputs, placement
from autograder.probe.inputs import CONVERGENCE_EPOCHS, TRAIN_LR
from autograder.probe.tensors import as_tensor, describe, describe_losses, type_name

TITLE = "nn.Linear and nn.MSELoss"
CONTRACT = ("make_model", "make_loss", "train_step", "train")  # the names a student writes in this level file


def linear_inside(model):
    """The one nn.Linear inside a wrapper module (nn.Sequential, a module of the student's), or None."""
    if not isinstance(model, nn.Module):
        return None
    layers = [m for m in model.modules() if type(m) is nn.Linear]
    return layers[0] if len(layers) == 1 else None


def describe_linear(model):
    return {"in_features": model.in_features, "out_features": model.out_features, "bias": model.bias is not None,
            "parameters": [describe(p, values=False) for p in model.parameters()]}


def probe_make_model(student, ctx):
    model = student.make_model()
    data = {"type": type_name(model), "is_linear": type(model) is nn.Linear}
    if data["is_linear"]:
        data.update(describe_linear(model))
    else:
        inner = linear_inside(model)
        data["inner"] = describe_linear(inner) if inner is not None else None
    return data


def usable_model(model):
    """What train's check can train as the student's model: nn.Linear(1, 1) with a bias, float32."""
    return (type(model) is nn.Linear and model.in_features == 1 and model.out_features == 1
            and model.bias is not None and all(p.dtype == torch.float32 for p in model.parameters()))


def probe_make_loss(student, ctx):
    loss_fn = student.make_loss()
    return {"type": type_name(loss_fn), "is_mse": type(loss_fn) is nn.MSELoss,
            "reduction": getattr(loss_fn, "reduction", None)}


def set_line(model, bias, weight, device):
    with torch.no_grad():
        model.bias.copy_(as_tensor([bias], device))
        model.weight.copy_(as_tensor([[weight]], device))


def line_of(model):
    return [describe(model.bias)["values"][0], describe(model.weight)["values"][0][0]]


def probe_train_step(student, ctx):
    from autograder.probe import steps  # given: see GIVEN

    model = nn.Linear(1, 1).to(ctx.device)
    set_line(model, *inputs.step_start(), ctx.device)
    loss_fn = nn.MSELoss()

    def call(optimizer, batch):
        x = as_tensor([[row[1]] for row in batch["x"]], ctx.device)  # (n, 1): the feature, no ones column
        y = as_tensor(batch["y"], ctx.device)
        return student.train_step(model, optimizer, loss_fn, x, y)

    return steps.probe_steps(model, lambda: line_of(model), call)


def probe_train(student, ctx):
    from autograder.probe import fixtures, steps  # given: see GIVEN

    model = student.make_model()
    if not usable_model(model):  # make_model's mistake, judged there: train is judged on its own
        model = nn.Linear(1, 1)
    model = model.to(ctx.device)
    start = inputs.start_weights()
    set_line(model, *start, ctx.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=TRAIN_LR)
    record = steps.TrainingRecorder(lambda: line_of(model), inputs.TRAIN_SAMPLES)
    record.watch(model.weight)  # one hook per backward: bias and weight are read together
    data = fixtures.train_dataset(ctx.device, ones_column=False, record=record)
    with fixtures.loader_batches_read(student, record):
        losses = student.train(model, data, optimizer, student.make_loss(), epochs=CONVERGENCE_EPOCHS,
                               seed=inputs.train_seed())
    return {"weights": line_of(model), "start": start, "losses": describe_losses(losses), "steps": record.data()}


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
        # what shows that train_step ran on meta, whichever loss it computes (the loss_fn it was
        # given, or torch.nn.functional.mse_loss of its own): the model's output, the predictions
        # loss_fn saw, the gradients backward() left
        loss_fn, outputs = RecordingLoss(), []
        handle = model.register_forward_hook(lambda module, args, out: outputs.append(out))
        try:
            student.train_step(model, optimizer, loss_fn, x, y)
        except RuntimeError as error:  # the final loss.item(): a meta tensor has no value to give
            if not outputs or not any(text in str(error) for text in placement.NO_DATA_ON_META):
                raise
        finally:
            handle.remove()
        seen = (loss_fn.inputs[-1] if loss_fn.inputs else None, outputs[-1] if outputs else None,
                model.weight.grad, model.bias.grad)
        if all(t is None for t in seen):
            raise RuntimeError("train_step never called the model")
        return seen

    trial.run("train_step(model, optimizer, loss_fn, x, y)", step, "the predictions given to loss_fn",
              "the model's output", "model.weight.grad", "model.bias.grad")
    return trial.entries


# check id -> probe: the judge side declares each check under the same id
PROBES = {
    "level5.make_model": probe_make_model,
    "level5.make_loss": probe_make_loss,
    "level5.train_step": probe_train_step,
    "level5.train_step_loss": probe_train_step,
    "level5.train": probe_train,
    "level5.device": probe_device,
}

# check id -> the given-piece modules (autograder/probe/fixtures.py, given_model.py) its probe imports:
# a zygote's fork for a check masks every such module its check does not name
GIVEN = {"level5.train_step": ("fixtures",), "level5.train_step_loss": ("fixtures",), "level5.train": ("fixtures",)}
