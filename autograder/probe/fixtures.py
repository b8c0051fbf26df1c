"""Given pieces: objects the probes hand to student code in place of the reference's (datasets of the
grader's data, the loaders' recorders, SGDs that record their calls), made by the grader from the
run's challenge, never taken from a solution (no reference code enters a student's sandbox). The
model that predicts x @ w is in given_model.py.

Each is imported only inside the probe that hands it over (`# given:`), and each level's probe
module declares, in GIVEN, which checks hand over which of these modules: a zygote's fork for any
other check has the module's file masked (autograder.probe.zygote), so stubs that borrow a piece
another check hands over find nothing to borrow, however they look for it."""

from contextlib import contextmanager

import torch
from torch.utils.data import TensorDataset

from autograder.probe import inputs
from autograder.probe.tensors import as_tensor, describe, is_tensor


def train_tensors(device):
    """The convergence run's X (n, 2) = [1, x] and Y (n,), as float32 tensors on device."""
    X, Y = inputs.train_data()
    return (torch.tensor(X, dtype=torch.float32, device=device),
            torch.tensor(Y, dtype=torch.float32, device=device))


class RecordedData(TensorDataset):
    """A TensorDataset that tells a recorder which examples were asked for, in which order."""

    def __init__(self, record, *tensors):
        super().__init__(*tensors)
        self.record = record

    def __getitem__(self, index):
        self.record.fetch(index)
        return super().__getitem__(index)


def train_dataset(device, ones_column=True, record=None):
    """The convergence run's data as a Dataset: items (x of shape (2,) or (1,), y of shape ()).
    record: a steps.TrainingRecorder told of every example fetched."""
    X, Y = train_tensors(device)
    tensors = (X if ones_column else X[:, 1:], Y)
    return TensorDataset(*tensors) if record is None else RecordedData(record, *tensors)


def record_fetches(data, record):
    """Make the student's own Dataset instance tell record which examples were asked for: a subclass
    of its class, under the same name, whose item access reports and then defers to the student's."""
    cls = type(data)
    inside = []  # a __getitems__ of the student's that reads items one by one reports once

    def __getitem__(self, index):
        if not inside:
            record.fetch(index)
        return cls.__getitem__(self, index)

    namespace = {"__getitem__": __getitem__, "__module__": cls.__module__, "__qualname__": cls.__qualname__,
                 "__slots__": ()}  # the same layout as the student's class, so the instance can change class
    if callable(getattr(cls, "__getitems__", None)):  # a DataLoader fetches a whole batch through it
        def __getitems__(self, indices):
            record.fetch(list(indices))
            inside.append(True)
            try:
                return cls.__getitems__(self, indices)
            finally:
                inside.pop()

        namespace["__getitems__"] = __getitems__
    data.__class__ = type(cls.__name__, (cls,), namespace)
    return data


class LoaderBatches:
    """A loader that tells the recorder which examples each batch it yields holds, read off the batch's
    targets (the grader's targets are distinct values, so a target names its row): whatever dataset
    the loader reads (the student's, a TensorDataset of its tensors) and wherever it fetches (worker
    processes), the batch train receives is the one recorded."""

    def __init__(self, loader, record, rows):
        self.loader, self.record, self.rows = loader, record, rows

    def __iter__(self):
        for batch in self.loader:
            targets = batch[1] if type(batch) in (list, tuple) and len(batch) == 2 and is_tensor(batch[1]) else None
            if targets is not None:
                self.record.batch([self.rows.get(float(v), -1) for v in targets.detach().cpu().reshape(-1).tolist()])
            yield batch

    def __len__(self):
        return len(self.loader)

    def __getattr__(self, name):
        return getattr(self.loader, name)


@contextmanager
def loader_batches_read(module, record):
    """While train runs, the loaders the module's make_loader builds report their batches (LoaderBatches);
    a train that builds its loader another way is told of by the data itself."""
    original = vars(module).get("make_loader")
    if not callable(original):
        yield
        return
    _, Y = inputs.train_data()
    rows = {}
    for index, value in enumerate(torch.tensor(Y, dtype=torch.float32).tolist()):
        rows.setdefault(value, index)

    def make_loader(*args, **kwargs):
        return LoaderBatches(original(*args, **kwargs), record, rows)

    setattr(module, "make_loader", make_loader)
    try:
        yield
    finally:
        setattr(module, "make_loader", original)


class CountingSGD(torch.optim.SGD):
    """Plain SGD that records each zero_grad() and step() call and the gradients step() saw."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.calls = []

    def zero_grad(self, set_to_none=True):
        self.calls.append({"call": "zero_grad"})
        return super().zero_grad(set_to_none=set_to_none)

    def step(self, closure=None):
        loss = None
        if closure is not None:  # step(closure) runs the closure first: record what it leaves
            with torch.enable_grad():
                loss = closure()
        record = {"call": "step", "grads": [describe(p.grad) for group in self.param_groups for p in group["params"]]}
        self.calls.append(record)
        self.take_step(record)
        return loss

    def take_step(self, record):
        """The SGD step itself; a subclass may record more around it."""
        torch.optim.SGD.step(self)


class WatchingSGD(CountingSGD):
    """CountingSGD that also records the weights when step() begins and ends: a change made anywhere
    else (a manual update beside step(), an optimizer of the student's own) shows as a difference."""

    def __init__(self, params, lr, read_weights):
        super().__init__(params, lr=lr)
        self.read_weights = read_weights

    def take_step(self, record):
        record["before"] = self.read_weights()
        super().take_step(record)
        record["after"] = self.read_weights()
