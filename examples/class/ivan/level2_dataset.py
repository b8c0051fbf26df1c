# %% [markdown]
# # Level 2: let a Dataset hold the data and a DataLoader cut the batches
#
# In level 1 the training loop knew everything about the data: the tensors `X` and `Y`, the
# index array, the shuffle, the split into batches. None of that is about learning.
#
# PyTorch splits this work in two:
#
# * a `Dataset` answers two questions: *how many examples are there?* (`__len__`) and
#   *what is example number i?* (`__getitem__`, one `(x, y)` pair);
# * a `DataLoader` asks the dataset those questions. It draws a random order of indices
#   each epoch, fetches the examples one by one, and stacks them into batch tensors.
#
# The loader only ever talks to the dataset through `len()` and `[i]`, so those two
# methods must keep their promises: `__len__` returns a plain `int`, and `__getitem__`
# returns an input and *its own* target.

# %%
import sys

import torch
from torch.utils.data import DataLoader, Dataset

# %% [markdown]
# ## The dataset

# %%
class RandomData(Dataset):
    """The level 1 data (a ones column, a normal column, y = -1 + 3x) behind the Dataset API."""

    def __init__(self, samples=1000, device="cpu"):
        raise NotImplementedError("level2.RandomData.__init__: self.X (samples, 2): a ones column, then a standard normal column, on `device`; self.Y from X's columns, as in level 1")

    def __getitem__(self, index):
        raise NotImplementedError('level2.RandomData.__getitem__: one example: row `index` of self.X and the target at the same index')

    def __len__(self):
        raise NotImplementedError('level2.RandomData.__len__: the number of examples, as a Python int (not a shape)')


# %% [markdown]
# ## The loader
#
# `shuffle=True` asks for a fresh random order every epoch. Passing a seeded
# `torch.Generator` makes that order reproducible, which the grader (and any experiment you
# want to repeat) relies on.

# %%
def make_loader(data, batch_size=10, shuffle=True, generator=None):
    """Return a DataLoader over data with the given batch size, shuffling and generator."""
    raise NotImplementedError('level2.make_loader: a torch.utils.data.DataLoader that passes on all three options')


# %% [markdown]
# ## The rest of level 1 (given)

# %%
def init_weights(num_parameters=2, device="cpu"):
    return torch.randn(num_parameters, device=device, requires_grad=True)


def forward(w, x):
    return (x * w).sum(dim=1)


def mse(y, yhat):
    return ((y - yhat) ** 2).mean()


def sgd_update(w, lr):
    with torch.no_grad():
        w -= lr * w.grad


def zero_grad(w):
    w.grad.zero_()


# %% [markdown]
# ## Training (given)
#
# Compare with level 1: no index array, no shuffle, no split. The loop just asks the
# loader for batches.

# %%
def train(data, w, lr=0.01, epochs=100, batch_size=10, seed=10):
    """Train w in place; return the mean batch loss of each epoch."""
    generator = torch.Generator().manual_seed(seed)
    loader = make_loader(data, batch_size=batch_size, shuffle=True, generator=generator)
    losses = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            cost = mse(y, forward(w, x))
            cost.backward()
            sgd_update(w, lr)
            zero_grad(w)
            total += cost.item()
            batches += 1
        losses.append(total / batches)
    return losses


def main(device="cpu"):
    torch.manual_seed(10)
    data = RandomData(device=device)
    w = init_weights(device=device)
    losses = train(data, w)
    print(f"final loss {losses[-1]:.3g}")
    print(w.detach().cpu().numpy())


if __name__ == "__main__":
    main(*sys.argv[1:2])
