# %% [markdown]
# # Level 4: register the weight as an nn.Parameter and let torch.optim update it
#
# Gradient descent is only the simplest update rule; momentum, Adam and friends are others.
# `torch.optim` implements them once, for any model, on one condition: it must be handed the
# tensors to update. Modules hand them over through `model.parameters()`.
#
# Wrapping the weight in `nn.Parameter` and assigning it to an attribute of the module is
# what *registers* it. From then on:
#
# * `model.parameters()` yields it, so `torch.optim.SGD(model.parameters(), lr)` can keep a
#   reference to the very same tensor object;
# * `optimizer.step()` reads each parameter's `.grad` and changes the parameter **in
#   place**. It never returns anything: the model sees the new values because the optimizer
#   and the model hold the same object;
# * `optimizer.zero_grad()` clears the `.grad` of every parameter it holds;
# * `model.to(device)` moves it along with the module.
#
# The order inside one step matters: clear the old gradients, compute the loss, call
# `backward()` to fill `.grad`, and only then `step()`.

# %%
import sys

import torch
from torch.utils.data import DataLoader, Dataset

# %% [markdown]
# ## The model

# %%
class CustomLinearModel(torch.nn.Module):
    """A linear model whose weight is a registered nn.Parameter."""

    def __init__(self, num_parameters=2):
        super().__init__()
        raise NotImplementedError('level4.CustomLinearModel.__init__: wrap a random normal tensor in torch.nn.Parameter so the module registers it')

    def forward(self, x):
        raise NotImplementedError('level4.CustomLinearModel.forward: the same prediction as level 3: shape (batch,)')


# %% [markdown]
# ## The optimizer and one training step

# %%
def make_optimizer(model, lr=0.01):
    """Return plain SGD over the model's parameters with learning rate lr."""
    raise NotImplementedError("level4.make_optimizer: plain SGD over the model's parameters, with learning rate lr")


def train_step(model, optimizer, x, y):
    """One step on the batch (x, y); return the batch loss before the step, as a float."""
    raise NotImplementedError('level4.train_step: clear old gradients, predict, mse, backward, step; return the loss as a Python float')


# %% [markdown]
# ## Data and loss (given)

# %%
class RandomData(Dataset):
    def __init__(self, samples=1000, device="cpu"):
        ones = torch.ones(samples, 1, device=device)
        values = torch.randn(samples, 1, device=device)
        self.X = torch.hstack([ones, values])
        self.Y = -1 * self.X[:, 0] + 3 * self.X[:, 1]

    def __getitem__(self, index):
        return self.X[index], self.Y[index]

    def __len__(self):
        return len(self.Y)


def make_loader(data, batch_size=10, shuffle=True, generator=None):
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)


def mse(y, yhat):
    return ((y - yhat) ** 2).mean()


# %% [markdown]
# ## Training (given)
#
# No learning rate and no update formula in the loop any more: they belong to the
# optimizer.

# %%
def train(model, data, optimizer, epochs=100, batch_size=10, seed=10):
    """Train the model's parameters in place; return the mean batch loss of each epoch."""
    generator = torch.Generator().manual_seed(seed)
    loader = make_loader(data, batch_size=batch_size, shuffle=True, generator=generator)
    losses = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            total += train_step(model, optimizer, x, y)
            batches += 1
        losses.append(total / batches)
    return losses


def main(device="cpu"):
    torch.manual_seed(10)
    data = RandomData(device=device)
    model = CustomLinearModel(2).to(device)
    print("parameters the module knows about:", len(list(model.parameters())))
    optimizer = make_optimizer(model)
    losses = train(model, data, optimizer)
    print(f"final loss {losses[-1]:.3g}")
    print(model.w.detach().cpu().numpy())


if __name__ == "__main__":
    main(*sys.argv[1:2])
