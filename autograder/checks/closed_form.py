"""The regression's closed forms: what correct code computes for the grader's inputs. Judge side
only: no sandbox holds this module."""

import numpy as np

from autograder.probe import inputs

TRUE_WEIGHTS = (-1.0, 3.0)


def predictions(batch):
    return np.asarray(batch["x"]) @ np.asarray(batch["w"])


def mse_value(batch, yhat=None):
    yhat = predictions(batch) if yhat is None else np.asarray(yhat)
    return float(np.mean((np.asarray(batch["y"]) - yhat) ** 2))


def gradient(x, y, w):
    """Closed-form gradient of the mean squared error: -(2/n) X^T (y - X w)."""
    x, y, w = (np.asarray(a, dtype=np.float64) for a in (x, y, w))
    return -(2.0 / len(y)) * x.T @ (y - x @ w)


def sgd_step(x, y, w, lr):
    return np.asarray(w) - lr * gradient(x, y, w)


def expected_weights(given, batch_gradient=None):
    """The weights after each of the two reference SGD steps on the given challenge's inputs
    (probe.inputs.Inputs)."""
    batch_gradient = batch_gradient or gradient
    w = np.asarray(given.step_start(), dtype=np.float64)
    out = []
    for batch in given.step_batches():
        w = w - inputs.STEP_LR * batch_gradient(batch["x"], batch["y"], w)
        out.append(w)
    return out


def broadcast_gradient(x, y, w):
    """The gradient when predictions (n, 1) meet targets (n,): the loss averages an (n, n) table
    of every prediction against every target, which pulls each prediction toward mean(y)."""
    y = np.full(len(y), np.mean(y))
    return gradient(x, y, w)


def broadcast_mse_value(batch, yhat=None):
    """The 'mean squared error' of an (n, 1) against an (n,) tensor: the mean over the (n, n) table of
    every prediction against every target, var(y) + mean((mean(y) - yhat) ** 2)."""
    yhat = predictions(batch) if yhat is None else np.asarray(yhat)
    y = np.asarray(batch["y"], dtype=np.float64)
    return float(np.var(y) + np.mean((np.mean(y) - yhat) ** 2))


def accumulating_gradient(given):
    """The second step's gradient when the first batch's gradient was never cleared."""
    first, second = given.step_batches()
    w1 = expected_weights(given)[0]
    return gradient(first["x"], first["y"], given.step_start()) + gradient(second["x"], second["y"], w1)
