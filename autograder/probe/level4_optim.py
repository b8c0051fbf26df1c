"""Level 4 (torch.optim and nn.Parameter): init, forward, make_optimizer, train_step, train.

Probe side: runs beside the student's code and returns plain data; never judges."""

import torch

from autograder.probe import inputs, placement
from autograder.probe.inputs import CONVERGENCE_EPOCHS, TRAIN_LR
from autograder.probe.modules import describe_weight, probe_module_forward, weight_of
from autograder.probe.tensors import as_tensor, describe, describe_losses, fresh_draws, tensor_values, type_name

TITLE = "torch.optim and nn.Parameter"
CONTRACT = ("CustomLinearModel", "make_optimizer", "train_step", "train")  # the names a student writes in this level file


def probe_init(student, ctx):
    torch.manual_seed(3)
    model = student.CustomLinearModel(num_parameters=inputs.weight_count())
    initialised = "_parameters" in vars(model)
    data = {"initialised": initialised, "w": describe_weight(model), "registered": False, "names": []}
    if initialised and hasattr(model, "w"):
        data["names"] = [name for name, _ in model.named_parameters()]
        data["registered"] = any(p is model.w for p in model.parameters())
        model.to(ctx.device)
        data["moved"] = describe(model.w, values=False)
    data["default"] = describe_weight(student.CustomLinearModel())
    data["many"] = describe_weight(student.CustomLinearModel(num_parameters=inputs.NORMAL_SAMPLE))
    data["draws"] = fresh_draws(lambda: weight_of(student.CustomLinearModel(num_parameters=inputs.weight_count())),
                                "cpu")
    return data


def probe_forward(student, ctx):
    return probe_module_forward(student, ctx, parameter=True)


def fixture_model(ctx):
    from autograder.probe import given_model  # given: see GIVEN

    return given_model.LinearFixture(inputs.step_start(), ctx.device)


def probe_make_optimizer(student, ctx):
    model = fixture_model(ctx)
    params = list(model.parameters())
    optimizer = student.make_optimizer(model, lr=0.05)
    data = {"type": type_name(optimizer), "is_sgd": type(optimizer) is torch.optim.SGD, "groups": []}
    if isinstance(optimizer, torch.optim.Optimizer):
        for group in optimizer.param_groups:
            data["groups"].append({
                "lr": float(group["lr"]), "momentum": float(group.get("momentum", 0)),
                "weight_decay": float(group.get("weight_decay", 0)),
                "params": [next((i for i, p in enumerate(params) if p is q), -1) for q in group["params"]],
                "options": {str(key): value for key, value in group.items()
                            if key != "params" and type(value) in (bool, int, float, str, type(None))},
            })
        default = student.make_optimizer(model)
        data["default_lr"] = [float(g["lr"]) for g in default.param_groups]
    return data


def probe_train_step(student, ctx):
    from autograder.probe import steps  # given: see GIVEN

    model = fixture_model(ctx)

    def call(optimizer, batch):
        x, y = as_tensor(batch["x"], ctx.device), as_tensor(batch["y"], ctx.device)
        return student.train_step(model, optimizer, x, y)

    return steps.probe_steps(model, lambda: describe(model.w)["values"], call)


def probe_train(student, ctx):
    from autograder.probe import fixtures, steps  # given: see GIVEN

    model = student.CustomLinearModel(2).to(ctx.device)
    start = inputs.start_weights()
    with torch.no_grad():
        model.w.copy_(as_tensor(start, ctx.device))
    optimizer = student.make_optimizer(model, lr=TRAIN_LR)
    w = model.w
    record = steps.TrainingRecorder(lambda: tensor_values(w), inputs.TRAIN_SAMPLES)
    record.watch(w)
    data = fixtures.train_dataset(ctx.device, record=record)
    with fixtures.loader_batches_read(student, record):
        losses = student.train(model, data, optimizer, epochs=CONVERGENCE_EPOCHS, seed=inputs.train_seed())
    return {"weights": describe(model.w)["values"], "start": start,
            "losses": describe_losses(losses), "steps": record.data()}


def probe_device(student, ctx):
    from autograder.probe import given_model  # given: see GIVEN

    trial, meta = placement.Trial(), placement.META
    trial.run("CustomLinearModel().to('meta')", lambda: student.CustomLinearModel().to(meta).w, "model.w")
    x, y = placement.meta_inputs()
    bare = given_model.LinearFixture([0.0, 0.0], meta)
    trial.run("CustomLinearModel.forward", lambda: student.CustomLinearModel.forward(bare, x), "the prediction")
    optimizer = torch.optim.SGD(bare.parameters(), lr=0.1)
    trial.run("train_step(model, optimizer, x, y)", lambda: (student.train_step(bare, optimizer, x, y), bare.w)[1],
              "model.w")
    return trial.entries


# check id -> probe: the judge side declares each check under the same id
PROBES = {
    "level4.init": probe_init,
    "level4.forward": probe_forward,
    "level4.make_optimizer": probe_make_optimizer,
    "level4.train_step": probe_train_step,
    "level4.train_step_loss": probe_train_step,
    "level4.train": probe_train,
    "level4.device": probe_device,
}

# check id -> the given-piece modules (autograder/probe/fixtures.py, given_model.py) its probe imports:
# a zygote's fork for a check masks every such module its check does not name
GIVEN = {"level4.make_optimizer": ("given_model",), "level4.train_step": ("given_model", "fixtures"),
         "level4.train_step_loss": ("given_model", "fixtures"), "level4.train": ("fixtures",),
         "level4.device": ("given_model",)}
