"""Level 5 checks (level5_builtins.py): nn.Linear, nn.MSELoss, train_step, training.

Judge side: each check's probe is autograder.probe.level5_builtins.PROBES[id]; the judges here
see only the plain data it sent back."""


from autograder.checks import optim_step, placement, regression
from autograder.checks.check import Check
from autograder.checks.schema import (  # the form of each probe's data
    Bool, Choice, DEVICE, LINEAR, MAX_NAME, Nullable, Record, STEPS, Scalar, Str, TRAIN,
)
from autograder.checks.verdicts import Problem, passed
from autograder.probe.inputs import CONVERGENCE_EPOCHS


def judge_make_model(got, want, ctx):
    if not got["is_linear"]:
        inner = got.get("inner")
        if isinstance(inner, dict):
            raise Problem(f"make_model() returned a {got['type']} wrapped around an nn.Linear("
                          f"{inner['in_features']}, {inner['out_features']}); return the layer itself: "
                          "nn.Linear(1, 1). The level's code and the grader read model.weight and model.bias, "
                          "which a wrapper does not have.", "not_linear")
        raise Problem(f"make_model() should return torch.nn.Linear(1, 1); got {got['type']}.", "not_linear")
    if (got["in_features"], got["out_features"]) != (1, 1):
        raise Problem(f"make_model() returned nn.Linear({got['in_features']}, {got['out_features']}); one "
                      "input feature and one output: nn.Linear(1, 1).", "wrong_features")
    if not got["bias"]:
        raise Problem("make_model() returned a layer without bias; the line's -1 is the bias: keep bias=True.",
                      "no_bias")
    dtypes = sorted({p.get("dtype") for p in got.get("parameters", [])} - {"float32"})
    if dtypes:
        raise Problem(f"make_model() returned a layer with {', '.join(map(str, dtypes))} parameters; the data are "
                      "float32, so model(x) fails with \"mat1 and mat2 must have the same dtype\". Keep the "
                      "default dtype: nn.Linear(1, 1), without .double() or dtype=torch.float64.", "wrong_dtype")
    return passed("nn.Linear(1, 1) with a bias")


def judge_make_loss(got, want, ctx):
    if not got["is_mse"]:
        raise Problem(f"make_loss() should return torch.nn.MSELoss(); got {got['type']}.", "not_mse_loss")
    if got["reduction"] != "mean":
        raise Problem(f"make_loss() uses reduction='{got['reduction']}'; the kit's loss is the mean: "
                      "nn.MSELoss() (reduction='mean').",
                      "sum_instead_of_mean" if got["reduction"] == "sum" else "wrong_reduction")
    return passed("nn.MSELoss with the mean reduction")


WHAT = "train_step(model, optimizer, loss_fn, x, y)"


def judge_train_step(got, want, ctx):
    return optim_step.judge_train_step(got, want, ctx, WHAT, names=("bias", "weight"), broadcast_hint=True)


def judge_train_step_loss(got, want, ctx):
    return optim_step.judge_returned_loss(got, want, ctx, WHAT, accept_broadcast=True)


def judge_train(got, want, ctx):
    return regression.judge_training(got, want, ctx,
                                     f"train(model, data, optimizer, loss_fn, epochs={CONVERGENCE_EPOCHS})",
                                     names=("bias", "weight"), accumulate_diagnosis="forgot_zero_grad")


def judge_device(got, want, ctx):
    return placement.judge_placement(got, tried=want)


CHECKS = [
    Check("level5.make_model", "nn.Linear(1, 1)", judge_make_model,
          points=3, stubs=("make_model",),
          schema=Choice(lambda value: type(value) is dict and value.get("is_linear") is True, {
True: Record({"type": Str(MAX_NAME), "is_linear": Bool(), **LINEAR}),
False: Record({"type": Str(MAX_NAME), "is_linear": Bool(), "inner": Nullable(Record(LINEAR))}),
    })),
    Check("level5.make_loss", "nn.MSELoss()", judge_make_loss,
          points=3, stubs=("make_loss",),
          schema=Record({"type": Str(MAX_NAME), "is_mse": Bool(), "reduction": Scalar()})),
    Check("level5.train_step", "same shapes, zero_grad, backward, one step", judge_train_step,
          points=7, stubs=("train_step",),
          schema=STEPS),
    Check("level5.train_step_loss", "train_step returns the loss before the step", judge_train_step_loss,
          points=2, stubs=("train_step",),
          schema=STEPS),
    Check("level5.train", "training nn.Linear reaches bias -1, weight 3", judge_train,
          points=4, stubs=("train",),
          schema=TRAIN),
    Check("level5.device", "train_step works on another device (meta)", judge_device,
          points=1, stubs=("train_step",),
          schema=DEVICE),
]
