"""How many epochs the reference needs, from the grader's start (challenge 0), to come within 1e-3 of
(-1, 3): the measurement behind CONVERGENCE_EPOCHS. Prints one row per level."""

import time

import numpy as np
import torch

from autograder.checks.closed_form import TRUE_WEIGHTS
from autograder.checks.regression import CONVERGENCE_TOLERANCE
from autograder.judge import load_reference
from autograder.levels import LEVELS
from autograder.probe import inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS

MAX_EPOCHS = 15


def run_level(level):
    ref = load_reference(level)
    with inputs.challenge(0):
        start_weights = inputs.start_weights()
    start = torch.tensor(start_weights)
    torch.manual_seed(0)
    if level == 1:
        X, Y = ref.make_data(samples=1000)
        w = start.clone().requires_grad_()
        step = lambda epoch: ref.train(X, Y, w, epochs=1, seed=epoch)  # noqa: E731
        read = lambda: w.detach().numpy()  # noqa: E731
    elif level == 5:
        data = ref.RandomData(samples=1000)
        model = ref.make_model()
        with torch.no_grad():
            model.bias.fill_(start_weights[0])
            model.weight.fill_(start_weights[1])
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        step = lambda epoch: ref.train(model, data, optimizer, ref.make_loss(), epochs=1, seed=epoch)  # noqa: E731
        read = lambda: np.array([model.bias.item(), model.weight.item()])  # noqa: E731
    else:
        data = ref.RandomData(samples=1000)
        w = start.clone().requires_grad_()
        if level == 2:
            step = lambda epoch: ref.train(data, w, epochs=1, seed=epoch)  # noqa: E731
            read = lambda: w.detach().numpy()  # noqa: E731
        else:
            model = ref.CustomLinearModel(2)
            with torch.no_grad():
                model.w.copy_(start)
            if level == 3:
                step = lambda epoch: ref.train(model, data, epochs=1, seed=epoch)  # noqa: E731
            else:
                optimizer = ref.make_optimizer(model)
                step = lambda epoch: ref.train(model, data, optimizer, epochs=1, seed=epoch)  # noqa: E731
            read = lambda: model.w.detach().numpy()  # noqa: E731
    errors, began = [], time.perf_counter()
    for epoch in range(MAX_EPOCHS):
        step(epoch)
        errors.append(float(np.abs(read() - np.array(TRUE_WEIGHTS)).max()))
    seconds = (time.perf_counter() - began) / MAX_EPOCHS
    needed = next((i + 1 for i, e in enumerate(errors) if e < CONVERGENCE_TOLERANCE), None)
    return needed, errors, seconds


def main():
    print(f"{'level':>5} {'epochs to 1e-3':>15} {'error at ' + str(CONVERGENCE_EPOCHS):>14} {'s/epoch':>8}")
    for level in LEVELS:
        needed, errors, seconds = run_level(level)
        print(f"{level:>5} {needed!s:>15} {errors[CONVERGENCE_EPOCHS - 1]:>14.2e} {seconds:>8.3f}")


if __name__ == "__main__":
    main()
