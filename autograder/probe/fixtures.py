"""Objects the probes hand to student code in place of the reference's: made by the grader from
the run's challenge, never taken from a solution (no reference code enters a student's sandbox)."""

import torch
from torch.utils.data import TensorDataset

from autograder.probe import inputs
from autograder.probe.tensors import as_tensor


def train_tensors(device):
    """The convergence run's X (n, 2) = [1, x] and Y (n,), as float32 tensors on device."""
    X, Y = inputs.train_data()
    return (torch.tensor(X, dtype=torch.float32, device=device),
            torch.tensor(Y, dtype=torch.float32, device=device))


def train_dataset(device, ones_column=True):
    """The convergence run's data as a Dataset: items (x of shape (2,) or (1,), y of shape ())."""
    X, Y = train_tensors(device)
    return TensorDataset(X if ones_column else X[:, 1:], Y)


class LinearFixture(torch.nn.Module):
    """A module with one Parameter w and predictions x @ w: what an optimizer check needs to step."""

    def __init__(self, start, device):
        super().__init__()
        self.w = torch.nn.Parameter(as_tensor(start, device))

    def forward(self, x):
        return x @ self.w
