"""Every input a probe hands to student code, made from the grading run's challenge.

The challenge is a random number the grader draws for each run: batches, starting weights, data
sizes, the training data and its seed all derive from it, so a submission cannot carry answers
computed in advance. This module holds inputs only: the answers (closed forms, the reference's
results) live on the judge side, in `autograder.checks`, which no sandbox holds.
"""

import contextlib
import contextvars
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

TRAIN_SAMPLES = 1000
# Epochs the convergence checks ask of `train`. Measured with bench/convergence_epochs.py: from
# the grader's fixed start every level's reference is within 1e-3 of (-1, 3) after 4 epochs and
# within 3e-6 after 7; an epoch costs about 0.02 s, so the margin is nearly free.
CONVERGENCE_EPOCHS = 7
TRAIN_LR = 0.01  # the learning rate every convergence run is given (level 5: the grader's SGD)
TRAIN_BATCHES = 100  # level 1's num_batches: batches of 10 rows, as the loaders of levels 2-5 cut them
NORMAL_SAMPLE = 400  # weights drawn at once to tell torch.randn from torch.rand
STEP_LR = 0.1  # the learning rate of the two recorded optimizer steps (levels 4 and 5)
STEP_BATCHES = (2, 3)  # indices into probe_batches() of those steps: a batch of 7, then one of 10

_challenge = contextvars.ContextVar("challenge", default=0)


@contextlib.contextmanager
def challenge(value):
    """Make every input below derive from value (per thread: batch workers grade side by side)."""
    token = _challenge.set(int(value) % 2**31)
    try:
        yield
    finally:
        _challenge.reset(token)


def current_challenge():
    return _challenge.get()


def _seed(challenge):
    """The challenge given, else the one the caller runs under (the probe side sets it once)."""
    return _challenge.get() if challenge is None else int(challenge) % 2**31


def _rng(offset, challenge=None):
    return np.random.RandomState((_seed(challenge) * 7 + offset) % 2**32)


def f32(array):
    """Values as float32 would hold them, as plain Python floats."""
    return np.asarray(array, dtype=np.float32).astype(np.float64).tolist()


def start_weights(challenge=None):
    """The start of every convergence run: far from (-1, 3), different for every challenge."""
    rng = _rng(1, challenge)
    return f32([rng.uniform(0.5, 1.5), rng.uniform(-1.5, -0.5)])


def data_samples(challenge=None):
    """How many rows the data checks ask for: 200 to 299, by challenge."""
    return 200 + int(_rng(6, challenge).randint(0, 100))


def weight_count(challenge=None):
    """num_parameters the weight checks ask for: 3 to 6, by challenge."""
    return 3 + int(_rng(7, challenge).randint(0, 4))


def train_seed(challenge=None):
    """The seed passed to the level's train(): it fixes the order of the batches."""
    return int(_rng(2, challenge).randint(1, 2**31 - 1))


def train_data(samples=TRAIN_SAMPLES, challenge=None):
    """The convergence run's data, made by the grader (never by a solution): X = [1, x], Y = -1 + 3x."""
    x = _rng(3, challenge).randn(samples).astype(np.float32)
    X = np.stack([np.ones(samples, dtype=np.float32), x], axis=1)
    Y = (-X[:, 0] + np.float32(3) * X[:, 1]).astype(np.float32)
    return X, Y


def probe_batches(challenge=None):
    """A hand-made batch and random ones (sizes 1, 7, 10) of this challenge: x (n, 2), y (n,), w (2,)."""
    return [dict(batch) for batch in _probe_batches(_seed(challenge))]


@lru_cache(maxsize=256)
def _probe_batches(seed):
    rng = np.random.RandomState((seed * 7 + 1234) % 2**32)
    # a hand-made batch (easy to follow in a message), at weights of this challenge
    batches = [{"x": [[1.0, 0.5], [1.0, -1.5], [1.0, 2.0]], "y": [0.5, -5.5, 5.0],
                "w": f32(np.round(rng.uniform(-1, 1, size=2), 2))}]
    for n in (1, 7, 10):
        x = np.hstack([np.ones((n, 1)), rng.randn(n, 1)])
        batches.append({"x": f32(x), "y": f32(2 * rng.randn(n)), "w": f32(rng.randn(2))})
    return batches


def step_start(challenge=None):
    """The weights [bias, slope] the two recorded steps start from: this challenge's, near (0.25, -0.75)."""
    return f32(np.asarray([0.25, -0.75]) + _rng(5, challenge).uniform(-0.2, 0.2, size=2))


def step_batches(challenge=None):
    batches = probe_batches(challenge)
    return [batches[i] for i in STEP_BATCHES]


def predictions(batch):
    """The predictions the mse probe hands the student's loss: x @ w of the batch (an input there)."""
    return np.asarray(batch["x"]) @ np.asarray(batch["w"])


@dataclass(frozen=True)
class Inputs:
    """One challenge's inputs, for code that is handed the challenge (the judges, through
    JudgeContext.inputs) rather than running under it as the probe side does."""

    challenge: int

    def start_weights(self):
        return start_weights(self.challenge)

    def data_samples(self):
        return data_samples(self.challenge)

    def weight_count(self):
        return weight_count(self.challenge)

    def train_seed(self):
        return train_seed(self.challenge)

    def train_data(self, samples=TRAIN_SAMPLES):
        return train_data(samples, self.challenge)

    def probe_batches(self):
        return probe_batches(self.challenge)

    def step_start(self):
        return step_start(self.challenge)

    def step_batches(self):
        return step_batches(self.challenge)
