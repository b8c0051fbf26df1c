"""Level 4 checks: w as a registered nn.Parameter, forward, make_optimizer, train_step, training."""

import torch

from autograder import fixtures, linear, placement, steps
from autograder.checks import Check
from autograder.judging import Problem, passed, require_tensor
from autograder.level1 import judge_predictions
from autograder.level3 import describe_weight, judge_model_weight, probe_module_forward
from autograder.levels import CONVERGENCE_EPOCHS
from autograder.probing import as_tensor, describe, describe_losses, type_name


def probe_init(student, ctx):
    torch.manual_seed(3)
    model = student.CustomLinearModel(num_parameters=linear.weight_count())
    initialised = "_parameters" in vars(model)
    data = {"initialised": initialised, "w": describe_weight(model), "registered": False, "names": []}
    if initialised and hasattr(model, "w"):
        data["names"] = [name for name, _ in model.named_parameters()]
        data["registered"] = any(p is model.w for p in model.parameters())
        model.to(ctx.device)
        data["moved"] = describe(model.w, values=False)
    data["default"] = describe_weight(student.CustomLinearModel())
    return data


def judge_init(got, want, ctx):
    n = linear.weight_count()
    what = f"CustomLinearModel(num_parameters={n})"
    judge_model_weight(got, what)
    w = got["w"]
    if w.get("kind") == "tensor" and not w["parameter"]:
        raise Problem(f"{what}.w is a plain tensor, so model.parameters() is {got['names'] or 'empty'}: an "
                      "optimizer built from it has nothing to update (\"optimizer got an empty parameter "
                      "list\"). Wrap it: self.w = torch.nn.Parameter(torch.randn(num_parameters)).",
                      "plain_tensor_not_parameter")
    require_tensor(w, f"{what}.w", shape=(n,), device="cpu")
    if not got["registered"]:
        raise Problem(f"{what}.w is a Parameter but model.parameters() does not yield it (it holds "
                      f"{got['names']}). Assign it directly as an attribute: self.w = nn.Parameter(...).",
                      "not_registered")
    if not w["requires_grad"]:
        raise Problem(f"{what}.w has requires_grad=False; keep the Parameter's default (True).", "no_requires_grad")
    require_tensor(got["moved"], f"{what}.to('{ctx.device}').w", device=ctx.device)
    if got["default"].get("shape") != [2]:
        raise Problem("CustomLinearModel() with the default num_parameters=2 should have w of shape (2,).",
                      "wrong_shape")
    return passed("w is an nn.Parameter that model.parameters() yields and model.to() moves")


def probe_forward(student, ctx):
    return probe_module_forward(student, ctx, parameter=True)


def judge_forward(got, want, ctx):
    judge_predictions(got["predictions"], ctx.device, "model(x)")
    linear.judge_gradients(got["grads"], ctx.device, "mse(y, model(x)).backward()")
    return passed("model(x) gives x @ w of shape (batch,), and backward fills model.w.grad correctly")


def fixture_model(ctx):
    return fixtures.LinearFixture(steps.step_start(), ctx.device)


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
            })
        default = student.make_optimizer(model)
        data["default_lr"] = [float(g["lr"]) for g in default.param_groups]
    return data


def judge_make_optimizer(got, want, ctx):
    what = "make_optimizer(model, lr=0.05)"
    if not got["is_sgd"]:
        raise Problem(f"{what} should build torch.optim.SGD; got {got['type']}.", "not_sgd")
    held = [i for group in got["groups"] for i in group["params"]]
    if -1 in held:
        raise Problem(f"{what}: the optimizer holds tensors that are not the model's parameters (copies?), so "
                      "step() would change the copies, not the model. Pass model.parameters().", "not_model_params")
    if sorted(held) != [0]:
        raise Problem(f"{what}: the optimizer should hold each of the model's parameters once; it holds "
                      f"{len(held)} tensors.", "not_model_params")
    lrs = [group["lr"] for group in got["groups"]]
    if lrs != [0.05]:
        raise Problem(f"{what}: the optimizer's learning rate is {lrs[0]:g}, not the lr argument (0.05).",
                      "ignored_lr")
    if any(group["momentum"] or group["weight_decay"] for group in got["groups"]):
        raise Problem(f"{what}: use plain SGD (no momentum, no weight decay) so the steps match gradient "
                      "descent.", "not_plain_sgd")
    if got.get("default_lr") != [0.01]:
        raise Problem(f"make_optimizer(model) should default to lr=0.01; got {got.get('default_lr')}.",
                      "wrong_defaults")
    return passed("plain SGD over exactly the model's parameters, with the given lr")


def probe_train_step(student, ctx):
    model = fixture_model(ctx)

    def call(optimizer, batch):
        x, y = as_tensor(batch["x"], ctx.device), as_tensor(batch["y"], ctx.device)
        return student.train_step(model, optimizer, x, y)

    return steps.probe_steps(model, lambda: describe(model.w)["values"], call)


def judge_train_step(got, want, ctx):
    return steps.judge_train_step(got, want, ctx.device, "train_step(model, optimizer, x, y)")


def judge_train_step_loss(got, want, ctx):
    return steps.judge_returned_loss(got, want, ctx.device, "train_step(model, optimizer, x, y)")


def probe_train(student, ctx):
    model = student.CustomLinearModel(2).to(ctx.device)
    start = linear.start_weights()
    with torch.no_grad():
        model.w.copy_(as_tensor(start, ctx.device))
    optimizer = student.make_optimizer(model, lr=0.01)
    data = fixtures.train_dataset(ctx.device)
    losses = student.train(model, data, optimizer, epochs=CONVERGENCE_EPOCHS, seed=linear.train_seed())
    return {"weights": describe(model.w)["values"], "start": start,
            "losses": describe_losses(losses)}


def judge_train(got, want, ctx):
    return linear.judge_convergence(got, want, ctx.device,
                                    f"train(model, data, optimizer, epochs={CONVERGENCE_EPOCHS})")


def probe_device(student, ctx):
    trial, meta = placement.Trial(), placement.META
    trial.run("CustomLinearModel().to('meta')", lambda: student.CustomLinearModel().to(meta).w, "model.w")
    x, y = placement.meta_inputs()
    bare = fixtures.LinearFixture([0.0, 0.0], meta)
    trial.run("CustomLinearModel.forward", lambda: student.CustomLinearModel.forward(bare, x), "the prediction")
    optimizer = torch.optim.SGD(bare.parameters(), lr=0.1)
    trial.run("train_step(model, optimizer, x, y)", lambda: student.train_step(bare, optimizer, x, y) and bare.w,
              "model.w")
    return trial.entries


def judge_device(got, want, ctx):
    return placement.judge_placement(got, tried=want)


CHECKS = [
    Check("level4.init", "self.w is a registered nn.Parameter", probe_init, judge_init),
    Check("level4.forward", "model(x) and its gradient", probe_forward, judge_forward),
    Check("level4.make_optimizer", "SGD over model.parameters() with lr", probe_make_optimizer, judge_make_optimizer),
    Check("level4.train_step", "zero_grad, backward, one step, in place", probe_train_step, judge_train_step),
    Check("level4.train_step_loss", "train_step returns the loss before the step", probe_train_step,
          judge_train_step_loss),
    Check("level4.train", "training with the optimizer reaches (-1, 3)", probe_train, judge_train),
    Check("level4.device", "the model and train_step work on another device (meta)", probe_device, judge_device),
]
