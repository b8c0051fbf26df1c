"""Level 2 (Dataset and DataLoader): RandomData, make_loader, train.

Probe side: runs beside the student's code and returns plain data; never judges."""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from autograder.probe import inputs, placement
from autograder.probe.inputs import CONVERGENCE_EPOCHS, TRAIN_LR
from autograder.probe.tensors import as_tensor, describe, describe_losses, is_tensor, tensor_values

TITLE = "Dataset and DataLoader"
CONTRACT = ("RandomData", "make_loader", "train")  # the names a student writes in this level file


def item_indices(samples):
    return (0, 7, samples - 1)


LOADER_SAMPLES, LOADER_BATCH, LOADER_SEED = 50, 8, 3


def describe_attribute(obj, name, values=True):
    if not hasattr(obj, name):
        return {"kind": "missing"}
    return describe(getattr(obj, name), values)


def dataset_instance(student, ctx):
    """The student's RandomData holding the grader's data (the first data_samples() rows of the
    challenge's training data), so that __len__ and __getitem__ are judged against values the
    judge knows; if its __init__ fails, a bare instance holding the same tensors."""
    from autograder.probe import fixtures  # given: see GIVEN

    torch.manual_seed(0)
    X, Y = fixtures.train_tensors(ctx.device)
    X, Y = X[:inputs.data_samples()], Y[:inputs.data_samples()]
    try:
        data = student.RandomData(samples=inputs.data_samples(), device=ctx.device)
        bare = False
    except Exception:  # a failing __init__ is judged by level2.dataset; here the data is set directly (bare)
        data, bare = object.__new__(student.RandomData), True
    data.X, data.Y = X, Y
    return data, bare


def probe_dataset(student, ctx):
    data = student.RandomData(samples=inputs.data_samples(), device=ctx.device)
    default = student.RandomData(device=ctx.device)
    return {"X": describe_attribute(data, "X"), "Y": describe_attribute(data, "Y"),
            "default_X": describe_attribute(default, "X", values=False)}


def probe_len(student, ctx):
    data, bare = dataset_instance(student, ctx)
    raw = type(data).__len__(data)  # what __len__ returns, before len() accepts or rejects it
    return {"raw": describe(raw, values=False), "rows": int(data.X.shape[0]), "bare": bare}


def probe_getitem(student, ctx):
    data, bare = dataset_instance(student, ctx)
    items = []
    for index in item_indices(int(data.X.shape[0])):
        items.append({"index": index, "item": describe(type(data).__getitem__(data, index)),
                      "x": describe(data.X[index]), "y": describe(data.Y[index])})
    return {"items": items, "bare": bare}


class IndexData(Dataset):
    """Item i is ([1, i], i): the batches a loader yields tell which indices it drew."""

    def __init__(self, samples, device):
        index = torch.arange(samples, dtype=torch.float32, device=device)
        self.rows = torch.stack([torch.ones_like(index), index, index], dim=1)  # [1, i | i]
        self.X, self.Y = self.rows[:, :2], self.rows[:, 2]  # what a student's dataset would hold

    def __getitem__(self, i):
        row = self.rows[i]
        if row.dim() == 2:  # a list of indices at once (a loader whose sampler yields whole batches)
            return row[:, :2], row[:, 2]
        return row[:2], row[2]

    def __len__(self):
        return self.rows.shape[0]


def read_epoch(loader):
    batches = []
    for batch in loader:
        if type(batch) in (list, tuple) and len(batch) == 2 and is_tensor(batch[0]) and is_tensor(batch[1]):
            batches.append({"x_shape": [int(n) for n in batch[0].shape],
                            "y": [int(round(v)) for v in np.ravel(tensor_values(batch[1]))]})
        else:
            return {"bad": describe(batch, values=False)}
    return batches


def probe_loader(student, ctx):
    data = IndexData(LOADER_SAMPLES, ctx.device)

    def loader(**kwargs):
        return student.make_loader(data, **kwargs)

    seed = LOADER_SEED + inputs.current_challenge() % 10_000
    seeded = loader(batch_size=LOADER_BATCH, shuffle=True, generator=torch.Generator().manual_seed(seed))
    again = loader(batch_size=LOADER_BATCH, shuffle=True, generator=torch.Generator().manual_seed(seed))
    other = loader(batch_size=LOADER_BATCH, shuffle=True, generator=torch.Generator().manual_seed(seed + 1))
    torch.manual_seed(0)
    return {
        "other_seed": read_epoch(other),
        "is_loader": isinstance(seeded, DataLoader),
        "returned_data": seeded is data,
        "type": describe(seeded, values=False),
        "epochs": [read_epoch(seeded), read_epoch(seeded)],
        "again": read_epoch(again),
        "ordered": read_epoch(loader(batch_size=10, shuffle=False)),
        "default": read_epoch(loader()),
    }


def probe_train(student, ctx):
    from autograder.probe import fixtures, steps  # given: see GIVEN

    torch.manual_seed(0)
    data = student.RandomData(samples=inputs.TRAIN_SAMPLES, device=ctx.device)
    data.X, data.Y = fixtures.train_tensors(ctx.device)  # the student's Dataset, on the grader's data
    item = type(data).__getitem__(data, 0)
    pair = type(item) in (tuple, list) and len(item) == 2 and all(is_tensor(t) for t in item)
    if not (pair and list(item[0].shape) == [2] and list(item[1].shape) == []):
        # batches that forward and mse cannot take: say why, not the error they would raise
        return {"bad_item": describe(item, values=False)}
    start = inputs.start_weights()
    w = as_tensor(start, ctx.device, requires_grad=True)
    record = steps.TrainingRecorder(lambda: tensor_values(w), inputs.TRAIN_SAMPLES)
    record.watch(w)
    fixtures.record_fetches(data, record)  # which examples each step drew, whatever loader drew them
    with fixtures.loader_batches_read(student, record):
        losses = student.train(data, w, lr=TRAIN_LR, epochs=CONVERGENCE_EPOCHS, seed=inputs.train_seed())
    return {"weights": describe(w)["values"], "start": start, "losses": describe_losses(losses),
            "steps": record.data()}


def probe_device(student, ctx):
    trial, meta = placement.Trial(), placement.META
    trial.run("RandomData(samples=8, device='meta')",
                     lambda: (lambda d: (d.X, d.Y))(student.RandomData(samples=8, device=meta)), "self.X", "self.Y")
    bare = object.__new__(student.RandomData)
    bare.X, bare.Y = placement.meta_inputs(8)
    trial.run("RandomData.__getitem__", lambda: tuple(type(bare).__getitem__(bare, 3)), "x", "y")
    loader_data = IndexData(8, meta)
    trial.run("make_loader(data)", lambda: tuple(next(iter(student.make_loader(
        loader_data, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))))), "x", "y")
    return trial.entries


# check id -> probe: the judge side declares each check under the same id
PROBES = {
    "level2.dataset": probe_dataset,
    "level2.len": probe_len,
    "level2.getitem": probe_getitem,
    "level2.loader": probe_loader,
    "level2.train": probe_train,
    "level2.device": probe_device,
}

# check id -> the given-piece modules (autograder/probe/fixtures.py, given_model.py) its probe imports:
# a zygote's fork for a check masks every such module its check does not name
GIVEN = {"level2.len": ("fixtures",), "level2.getitem": ("fixtures",), "level2.train": ("fixtures",)}
