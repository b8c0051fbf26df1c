"""Level 3 checks (level3_module.py): CustomLinearModel with a plain tensor w (init, forward, gradient), training.

Judge side: each check's probe is autograder.probe.level3_module.PROBES[id]; the judges here
see only the plain data it sent back."""

from autograder.checks import placement, regression
from autograder.checks.check import Check
from autograder.checks.schema import (  # the form of each probe's data
    Bool, DEVICE, DRAWS, Described, MODULE_FORWARD, Record, TRAIN,
)
from autograder.checks.verdicts import Problem, passed
from autograder.checks.weights import (
    judge_fresh_draws,
    judge_leaf_weights,
    judge_model_weight,
    judge_predictions,
    judge_standard_normal,
)
from autograder.probe import inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS


def judge_init(got, want, ctx):
    n = ctx.inputs.weight_count()
    what = f"CustomLinearModel(num_parameters={n})"
    judge_model_weight(got, what)
    judge_leaf_weights(got["w"], (n,), ctx.device, f"{what}.w", got.get("meta"),
                       f"CustomLinearModel(num_parameters={n}, device='meta').w")
    if got["default"].get("shape") != [2]:
        raise Problem("CustomLinearModel() with the default num_parameters=2 should have w of shape (2,).",
                      "wrong_shape")
    judge_standard_normal(got.get("many"), f"CustomLinearModel(num_parameters={inputs.NORMAL_SAMPLE}).w")
    judge_fresh_draws(got.get("draws"), what)
    if got["w"]["parameter"]:
        raise Problem(f"{what}.w is an nn.Parameter. It works, but level 3 keeps w a plain tensor on "
                      "purpose: see for yourself that model.parameters() is then empty and that "
                      "model.to(device) leaves it behind. Level 4 makes it a Parameter.",
                      "parameter_too_early", fraction=0.5)
    return passed("w is a random float32 leaf tensor with requires_grad=True (a plain tensor, not a Parameter)")


def judge_forward(got, want, ctx):
    judge_predictions(got["predictions"], ctx, "model(x)")
    return passed("model(x) gives one prediction per row, x @ w, differentiable")


def judge_gradient(got, want, ctx):
    regression.judge_gradients(got["grads"], ctx, "mse(y, model(x)).backward()")
    return passed("model.w.grad equals -(2/n) X^T (y - Xw) after backward")


def judge_train(got, want, ctx):
    return regression.judge_training(got, want, ctx, f"train(model, data, epochs={CONVERGENCE_EPOCHS})")


def judge_device(got, want, ctx):
    return placement.judge_placement(got, level3=True, tried=want)


CHECKS = [
    Check("level3.init", "self.w: a random leaf tensor that requires grad", judge_init,
          points=3, stubs=("CustomLinearModel.__init__",),
          schema=Record({"w": Described(missing=True), "initialised": Bool(), "default": Described(missing=True),
                         "many": Described(missing=True), "meta": Described(values=False, error=True)},
                        optional={"draws": DRAWS})),
    Check("level3.forward", "model(x) gives x @ w of shape (batch,)", judge_forward,
          points=4, stubs=("CustomLinearModel.forward",),
          schema=MODULE_FORWARD),
    Check("level3.gradient", "model.w.grad after backward equals the closed form", judge_gradient,
          points=3, stubs=("CustomLinearModel.forward",),
          schema=MODULE_FORWARD),
    Check("level3.train", "training the module by hand reaches (-1, 3)", judge_train,
          points=3, stubs=("train",),
          schema=TRAIN),
    Check("level3.device", "w is created on the device argument (meta)", judge_device,
          points=2, stubs=("CustomLinearModel.__init__", "CustomLinearModel.forward"),
          schema=DEVICE),
]
