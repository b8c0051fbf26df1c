"""Level 4 checks (level4_optim.py): nn.Parameter, make_optimizer, train_step, training.

Judge side: each check's probe is autograder.probe.level4_optim.PROBES[id]; the judges here
see only the plain data it sent back."""


from autograder.checks import optim_step, placement, regression
from autograder.checks.check import Check
from autograder.checks.schema import (  # the form of each probe's data
    Bool, DEVICE, DRAWS, Described, GROUP, ListOf, MAX_NAME, MODULE_FORWARD, NO_VALUES, Num, Record, STEPS,
    Str, TRAIN,
)
from autograder.checks.verdicts import Problem, passed, require_tensor
from autograder.checks.weights import judge_fresh_draws, judge_model_weight, judge_predictions, judge_standard_normal
from autograder.probe import inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS


def judge_init(got, want, ctx):
    n = ctx.inputs.weight_count()
    what = f"CustomLinearModel(num_parameters={n})"
    judge_model_weight(got, what)
    w = got["w"]
    if w.get("kind") == "tensor" and not w["parameter"]:
        raise Problem(f"{what}.w is a plain tensor, so model.parameters() is {got['names'] or 'empty'}: an "
                      "optimizer built from it has nothing to update (\"optimizer got an empty parameter "
                      "list\"). Wrap the random tensor in torch.nn.Parameter as you assign it to self.w.",
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
    judge_standard_normal(got.get("many"), f"CustomLinearModel(num_parameters={inputs.NORMAL_SAMPLE}).w")
    judge_fresh_draws(got.get("draws"), what)
    return passed("w is an nn.Parameter that model.parameters() yields and model.to() moves")


def judge_forward(got, want, ctx):
    judge_predictions(got["predictions"], ctx, "model(x)")
    regression.judge_gradients(got["grads"], ctx, "mse(y, model(x)).backward()")
    return passed("model(x) gives x @ w of shape (batch,), and backward fills model.w.grad correctly")


# options that choose how SGD computes (an implementation), never what a step does
IMPLEMENTATION_OPTIONS = ("lr", "foreach", "fused", "differentiable", "capturable")


def changed_options(groups, defaults):
    """(option, value) for every option of the student's groups that differs from plain SGD's (the
    reference's) default, or that plain SGD does not have."""
    changed = []
    for group in groups:
        for key, value in sorted((group.get("options") or {}).items()):
            if key in IMPLEMENTATION_OPTIONS or (key, value) in changed:
                continue
            if key not in defaults or defaults[key] != value:
                changed.append((key, value))
    return changed


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
    changed = changed_options(got["groups"], want["groups"][0].get("options", {}))
    if changed:
        shown = ", ".join(f"{key}={value!r}" for key, value in changed)
        why = (" maximize=True climbs the gradient: every step makes the loss larger."
               if any(key == "maximize" for key, _ in changed) else "")
        raise Problem(f"{what}: the optimizer was built with {shown}; plain SGD keeps every option at its default "
                      f"so that each step is exactly w - lr * grad.{why} Pass only the parameters and lr.",
                      "not_plain_sgd")
    if got.get("default_lr") != [0.01]:
        raise Problem(f"make_optimizer(model) should default to lr=0.01; got {got.get('default_lr')}.",
                      "wrong_defaults")
    return passed("plain SGD over exactly the model's parameters, with the given lr")


def judge_train_step(got, want, ctx):
    return optim_step.judge_train_step(got, want, ctx, "train_step(model, optimizer, x, y)",
                                       broadcast_hint=True,
                                       fix="model(x) and y both have shape (batch,) here: reshape neither.")


def judge_train_step_loss(got, want, ctx):
    return optim_step.judge_returned_loss(got, want, ctx, "train_step(model, optimizer, x, y)",
                                          accept_broadcast=True)


def judge_train(got, want, ctx):
    return regression.judge_training(got, want, ctx,
                                     f"train(model, data, optimizer, epochs={CONVERGENCE_EPOCHS})",
                                     accumulate_diagnosis="forgot_zero_grad")


def judge_device(got, want, ctx):
    return placement.judge_placement(got, tried=want)


CHECKS = [
    Check("level4.init", "self.w is a registered nn.Parameter", judge_init,
          points=4, stubs=("CustomLinearModel.__init__",),
          schema=Record({"initialised": Bool(), "w": Described(missing=True), "registered": Bool(),
                         "names": ListOf(Str(MAX_NAME), 64), "default": Described(missing=True),
                         "many": Described(missing=True)}, optional={"moved": NO_VALUES, "draws": DRAWS})),
    Check("level4.forward", "model(x) and its gradient", judge_forward,
          points=3, stubs=("CustomLinearModel.forward",),
          schema=MODULE_FORWARD),
    Check("level4.make_optimizer", "SGD over model.parameters() with lr", judge_make_optimizer,
          points=3, stubs=("make_optimizer",),
          schema=Record({"type": Str(MAX_NAME), "is_sgd": Bool(), "groups": ListOf(GROUP, 64)},
                        optional={"default_lr": ListOf(Num(), 64)})),
    Check("level4.train_step", "zero_grad, backward, one step, in place", judge_train_step,
          points=5, stubs=("train_step",),
          schema=STEPS),
    Check("level4.train_step_loss", "train_step returns the loss before the step", judge_train_step_loss,
          points=2, stubs=("train_step",),
          schema=STEPS),
    Check("level4.train", "training with the optimizer reaches (-1, 3)", judge_train,
          points=2, stubs=("train",),
          schema=TRAIN),
    Check("level4.device", "the model and train_step work on another device (meta)", judge_device,
          points=1, stubs=("CustomLinearModel.__init__", "CustomLinearModel.forward", "train_step"),
          schema=DEVICE),
]
