"""The given model: what an optimizer check hands the student's make_optimizer and train_step in place
of their own model (a working forward, x @ w). A piece of its own module, because it is the one given
piece that answers a stub (every forward): only the forks of the checks that hand it over can import
it (see fixtures.py and each level's GIVEN)."""

import torch

from autograder.probe.tensors import as_tensor


class LinearFixture(torch.nn.Module):
    """A module with one Parameter w and predictions x @ w: what an optimizer check needs to step."""

    def __init__(self, start, device):
        super().__init__()
        self.w = torch.nn.Parameter(as_tensor(start, device))

    def forward(self, x):
        return x @ self.w
