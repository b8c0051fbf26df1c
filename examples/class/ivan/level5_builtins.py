# %% [markdown]
# # Level 5: use the library's own layer and loss
#
# Levels 1 to 4 built every piece a linear regression needs. PyTorch ships them ready-made:
#
# * `nn.Linear(in_features, out_features)` holds a weight matrix and a bias vector as
#   registered parameters and computes `x @ weight.T + bias`. The bias is built in, so the
#   data no longer needs a column of ones: each example is a single number, x of shape (1,).
# * `nn.MSELoss()` is the mean squared error as a module, called as `loss_fn(prediction,
#   target)`.
#
# One trap comes with them. `nn.Linear(1, 1)` maps a batch of shape (batch, 1) to
# predictions of shape (batch, 1), while the targets have shape (batch,). Subtracting a
# (batch,) tensor from a (batch, 1) tensor does not fail: broadcasting silently builds a
# (batch, batch) table of every prediction against every target, and the "mean squared
# error" becomes the mean over that table. Training then runs, the loss goes down, and the
# weights are wrong. Always bring predictions and targets to the same shape first.

# %%
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

# %% [markdown]
# ## Data (given): one feature, no ones column

# %%
class RandomData(Dataset):
    """x of shape (1,) from a standard normal, y = -1 + 3x of shape ()."""

    def __init__(self, samples=1000, device="cpu"):
        self.X = torch.randn(samples, 1, device=device)
        self.Y = -1 + 3 * self.X[:, 0]

    def __getitem__(self, index):
        return self.X[index], self.Y[index]

    def __len__(self):
        return len(self.Y)


def make_loader(data, batch_size=10, shuffle=True, generator=None):
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


# %% [markdown]
# ## Model, loss and one step

# %%
def make_model():
    """Return a linear layer with one input feature and one output."""
    raise NotImplementedError('level5.make_model: a linear layer with 1 input feature and 1 output')


def make_loss():
    """Return the mean squared error loss module."""
    raise NotImplementedError("level5.make_loss: the library's mean squared error module")


def train_step(model, optimizer, loss_fn, x, y):
    """One step on the batch (x, y); return the batch loss before the step, as a float."""
    raise NotImplementedError('level5.train_step: as in level 4, but model(x) has shape (batch, 1) and y has shape (batch,): make them match before the loss')


# %% [markdown]
# ## Training (given)

# %%
def train(model, data, optimizer, loss_fn, epochs=100, batch_size=10, seed=10):
    """Train the model's parameters in place; return the mean batch loss of each epoch."""
    generator = torch.Generator().manual_seed(seed)
    loader = make_loader(data, batch_size=batch_size, shuffle=True, generator=generator)
    losses = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            total += train_step(model, optimizer, loss_fn, x, y)
            batches += 1
        losses.append(total / batches)
    return losses


def main(device="cpu"):
    torch.manual_seed(10)
    data = RandomData(device=device)
    model = make_model().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    losses = train(model, data, optimizer, make_loss())
    print(f"final loss {losses[-1]:.3g}")
    print("bias", model.bias.item(), "weight", model.weight.item())


if __name__ == "__main__":
    main(*sys.argv[1:2])
