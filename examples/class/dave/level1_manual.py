# %% [markdown]
# # Level 1: linear regression with nothing but tensors and autograd
#
# We want a machine to discover the line y = -1 + 3x from examples. Instead of keeping the
# bias apart, we give every example a constant first feature equal to 1: then the bias is
# just the first weight, and the whole model is one dot product `x . w` with `w = (-1, 3)`
# as the answer we hope to find.
#
# In this level you do every job yourself. PyTorch only does two things for you: it stores
# numbers in tensors, and it remembers how a result was computed so that `backward()` can
# fill in gradients. Watch for the two side effects this level is about:
#
# * `loss.backward()` does not return the gradient. It **adds** it into `w.grad`.
# * Updating `w` must change the tensor the rest of the program holds, and must not itself
#   become part of the next gradient computation.

# %%
import sys

import numpy as np
import torch

# %% [markdown]
# ## The data
#
# `X` has one row per example and two columns: the constant 1 (the bias feature) and a value
# drawn from a standard normal distribution. `Y` is computed exactly from the line, with no
# noise, so a correct program can recover the weights to many decimals.

# %%
def make_data(samples=1000, device="cpu"):
    """Return X of shape (samples, 2), first column ones, and Y = -X[:, 0] + 3 X[:, 1]."""
    # hint: a ones column first, then a standard normal column (torch.randn), joined with torch.hstack on `device`; Y follows from X's columns
    ### BEGIN SOLUTION
    ones = torch.ones(samples, 1, device=device)
    values = torch.randn(samples, 1, device=device)
    X = torch.hstack([ones, values])
    Y = -1 * X[:, 0] + 3 * X[:, 1]
    return X, Y
    ### END SOLUTION


# %% [markdown]
# ## The weights
#
# The weights start at random values. Autograd only tracks tensors that ask for it, so the
# weight tensor must be created with `requires_grad=True`. Because we create it directly
# (not as the result of an operation), it is a *leaf*: the tensor whose `.grad` autograd
# fills.

# %%
def init_weights(num_parameters=2, device="cpu"):
    """Return a random normal leaf tensor of shape (num_parameters,) that requires grad."""
    # hint: random normal values, created on `device` as a leaf tensor that autograd tracks (requires_grad)
    ### BEGIN SOLUTION
    return torch.randn(num_parameters, device=device, requires_grad=True)
    ### END SOLUTION


# %% [markdown]
# ## Prediction and loss
#
# A prediction is the dot product of each row with the weights: a batch of shape
# (batch, 2) gives predictions of shape (batch,). The loss is the mean of the squared
# errors. Taking the *mean* (not the sum) keeps the size of the gradient independent of
# the batch size, so the same learning rate works for any batch.

# %%
def forward(w, x):
    """Predict one value per row of x: returns shape (batch,)."""
    # hint: one dot product per row of x with w, giving shape (batch,)
    ### BEGIN SOLUTION
    return (x * w).sum(dim=1)
    ### END SOLUTION


def mse(y, yhat):
    """Mean of the squared differences between targets y and predictions yhat (a scalar)."""
    # hint: the mean (not the sum) of the squared differences, kept as a tensor
    ### BEGIN SOLUTION
    return ((y - yhat) ** 2).mean()
    ### END SOLUTION


# %% [markdown]
# ## The update, by hand
#
# Gradient descent moves each weight a small step against its gradient:
# `w <- w - lr * w.grad`. Two traps hide here:
#
# * Writing `w = w - lr * w.grad` makes a *new* tensor and binds a local name to it; the
#   caller's `w` never changes. The update has to happen **in place**.
# * An in-place change to a leaf that requires grad would itself be recorded by autograd,
#   and PyTorch refuses it. Wrapping the update in `torch.no_grad()` tells autograd that
#   this arithmetic is bookkeeping, not part of the model.

# %%
def sgd_update(w, lr):
    """Move w one step against its gradient, in place and unseen by autograd."""
    # hint: change w in place by -lr * w.grad while autograd is not recording (torch.no_grad)
    ### BEGIN SOLUTION
    with torch.no_grad():
        w -= lr * w.grad
    ### END SOLUTION


# %% [markdown]
# Since `backward()` adds into `w.grad`, the gradient of the last batch is still there
# when the next batch's `backward()` runs. Unless we clear it, each step would use the sum
# of every gradient so far.

# %%
def zero_grad(w):
    """Clear w.grad so the next backward() starts from nothing."""
    # hint: backward() adds into w.grad: clear it (zero it in place, or set it to None)
    ### BEGIN SOLUTION
    w.grad.zero_()
    ### END SOLUTION


# %% [markdown]
# ## Training (given)
#
# Each epoch shuffles the row indices with numpy and cuts them into `num_batches` equal
# batches (100 batches of 10 rows for 1000 samples). Every batch runs the same four steps:
# predict, measure, differentiate, update and clear.

# %%
def train(X, Y, w, lr=0.01, epochs=100, num_batches=100, seed=10):
    """Train w in place; return the mean batch loss of each epoch."""
    rng = np.random.RandomState(seed)
    idx = np.arange(len(X))
    losses = []
    for _ in range(epochs):
        rng.shuffle(idx)
        total = 0.0
        for batch in np.array_split(idx, num_batches):
            x, y = X[batch], Y[batch]
            cost = mse(y, forward(w, x))
            cost.backward()  # adds d(cost)/dw into w.grad
            sgd_update(w, lr)
            zero_grad(w)
            total += cost.item()
        losses.append(total / num_batches)
    return losses


def main(device="cpu"):
    torch.manual_seed(10)
    X, Y = make_data(device=device)
    w = init_weights(device=device)
    losses = train(X, Y, w)
    print(f"final loss {losses[-1]:.3g}")
    # detach: printing must not keep the graph alive; the answer should be close to [-1, 3]
    print(w.detach().cpu().numpy())


if __name__ == "__main__":
    main(*sys.argv[1:2])
