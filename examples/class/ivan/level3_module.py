# %% [markdown]
# # Level 3: gather the weights and the prediction into an nn.Module
#
# In level 2 the weights `w` and the function `forward` lived side by side as loose pieces.
# A model is the two together: some state (the weights) and a rule that turns an input into
# a prediction using that state. `torch.nn.Module` is PyTorch's container for exactly that.
#
# Calling `model(x)` runs `model.forward(x)` (plus hooks PyTorch may add), so the training
# loop no longer needs to know how a prediction is computed.
#
# In this level the weight is still a **plain tensor** stored as an attribute. It works for
# prediction and for autograd, but the module does not know it is a weight:
#
# * `list(model.parameters())` is empty, so nothing that asks the module for its
#   parameters (an optimizer, for one) can find `w`;
# * `model.to(device)` moves parameters and buffers only, so a plain tensor stays where it
#   was created. That is why `__init__` takes a `device` argument here.
#
# Level 4 fixes both with `nn.Parameter`.

# %%
import sys

import torch
from torch.utils.data import DataLoader, Dataset

# %% [markdown]
# ## The model

# %%
class CustomLinearModel(torch.nn.Module):
    """A linear model whose weight is a plain leaf tensor (not yet an nn.Parameter)."""

    def __init__(self, num_parameters=2, device="cpu"):
        raise NotImplementedError('level3.CustomLinearModel.__init__: initialise nn.Module first (super().__init__()), then store a random leaf tensor that requires grad, on `device`, as self.w')

    def forward(self, x):
        raise NotImplementedError('level3.CustomLinearModel.forward: the level 1 prediction, using self.w: shape (batch,)')


# %% [markdown]
# ## Data and loss (given, from level 2)

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
# The loop calls the model instead of `forward(w, x)`, but still updates `model.w` by
# hand: the module cannot do it, because it does not know `w` is a weight.

# %%
def train(model, data, lr=0.01, epochs=100, batch_size=10, seed=10):
    """Train model.w in place; return the mean batch loss of each epoch."""
    generator = torch.Generator().manual_seed(seed)
    loader = make_loader(data, batch_size=batch_size, shuffle=True, generator=generator)
    losses = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            cost = mse(y, model(x))
            cost.backward()
            with torch.no_grad():
                model.w -= lr * model.w.grad
            model.w.grad = None
            total += cost.item()
            batches += 1
        losses.append(total / batches)
    return losses


def main(device="cpu"):
    torch.manual_seed(10)
    data = RandomData(device=device)
    model = CustomLinearModel(2, device=device)
    print("parameters the module knows about:", len(list(model.parameters())))
    losses = train(model, data)
    print(f"final loss {losses[-1]:.3g}")
    print(model.w.detach().cpu().numpy())


if __name__ == "__main__":
    main(*sys.argv[1:2])
