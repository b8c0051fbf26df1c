"""Tools for probes: run student code and turn what comes back into plain data.

Probes run where the student's code runs (the same process under pytest, a sandbox
under the grader). They never judge: they report types, shapes, flags and raw values as
lists, numbers and strings, and the judges in the trusted process decide.
"""

import traceback
import warnings

import numpy as np
import torch

# Bound before any student code is imported, so a submission that patches these names on
# the torch module cannot change what the probe reports.
_Tensor = torch.Tensor
_Parameter = torch.nn.Parameter
_tolist = torch.Tensor.tolist
_detach = torch.Tensor.detach
_to = torch.Tensor.to
_repr = repr
_type = type

MAX_REPR = 200


def type_name(obj):
    t = _type(obj)
    module = getattr(t, "__module__", "") or ""
    name = getattr(t, "__qualname__", "?")
    return name if module == "builtins" else f"{module}.{name}"


def short_repr(obj):
    try:
        text = _repr(obj)
    except Exception as exc:  # a lying __repr__ is the student's problem, not the probe's
        text = f"<repr failed: {_type(exc).__name__}>"
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 3] + "..."


def is_tensor(obj):
    """True only for real tensors and Parameters: subclasses could lie about their values."""
    return _type(obj) is _Tensor or _type(obj) is _Parameter


def tensor_values(t):
    """The values of a real tensor as nested lists of Python floats (None on meta)."""
    if t.device.type == "meta":
        return None
    return _tolist(_to(_to(_detach(t), "cpu"), torch.float64))  # to the CPU first: mps has no float64


def describe(obj, values=True):
    """Plain data about obj: for a tensor its type, shape, dtype, device, autograd flags and values."""
    if is_tensor(obj):
        info = {
            "kind": "tensor",
            "parameter": _type(obj) is _Parameter,
            "shape": [int(n) for n in obj.shape],
            "dtype": str(obj.dtype).replace("torch.", ""),
            "device": str(obj.device),
            "requires_grad": bool(obj.requires_grad),
            "is_leaf": bool(obj.is_leaf),
            "grad_fn": _type(obj.grad_fn).__name__ if obj.grad_fn is not None else None,
        }
        if values:
            info["values"] = None if obj.dtype.is_complex else tensor_values(obj)
        return info
    if obj is None:
        return {"kind": "none"}
    if _type(obj) is bool:
        return {"kind": "bool", "value": obj}
    if _type(obj) in (int, float):
        return {"kind": "number", "type": _type(obj).__name__, "value": obj}
    if _type(obj) in (np.float32, np.float64, np.int64, np.int32):
        return {"kind": "number", "type": type_name(obj), "value": obj.item()}
    if _type(obj) in (tuple, list) and len(obj) <= 8:
        return {"kind": _type(obj).__name__, "items": [describe(item, values) for item in obj]}
    if _type(obj) is torch.Size:
        return {"kind": "size", "value": [int(n) for n in obj]}
    return {"kind": "other", "type": type_name(obj), "repr": short_repr(obj)}


def grad_of(t):
    """describe(t.grad) for a real tensor t."""
    return describe(t.grad) if is_tensor(t) else {"kind": "none"}


def error_record(message, type=None, where=None, diagnosis=None, plain=False) -> dict:
    """A load or probe error as both sides read it (the judge side's schema: checks.schema.ERROR):
    the exception's type name, the message, the student's line, and a diagnosis the probe side may
    give itself; plain: the message is the kit's own sentence, shown as it is."""
    record = {"type": type, "message": message, "where": where}
    if diagnosis is not None:
        record["diagnosis"] = diagnosis
    if plain:
        record["plain"] = True
    return record


def describe_exception(exc, student_file=None):
    """The exception's type and message, and the student's own line where it was raised."""
    where = None
    frames = traceback.extract_tb(exc.__traceback__)
    if isinstance(exc, SyntaxError) and exc.lineno:
        where = {"file": str(exc.filename), "line": exc.lineno, "code": (exc.text or "").strip()}
    else:
        for frame in frames:
            if student_file and (frame.filename == str(student_file)
                                 or frame.filename.startswith(f"{student_file}:cell")):
                where = {"file": frame.filename, "line": frame.lineno, "code": (frame.line or "").strip(),
                         "function": frame.name}
    message = str(exc)
    if len(message) > 600:
        message = message[:597] + "..."
    return error_record(message, _type(exc).__name__, where)


class WarningLog:
    """Record warnings raised while a probe runs (students see them in the message instead)."""

    def __enter__(self):
        self._ctx = warnings.catch_warnings(record=True)
        self.records = self._ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        return False

    def messages(self):
        seen = []
        for record in self.records:
            text = f"{record.category.__name__}: {record.message}"
            if text not in seen:
                seen.append(text[:400])
        return seen[:5]


def as_tensor(values, device, requires_grad=False):
    t = torch.tensor(values, dtype=torch.float32, device=device)
    return t.requires_grad_(requires_grad)


def describe_losses(losses, limit=1000):
    """A training run's list of per-epoch losses (any other return value is described as is)."""
    if _type(losses) is not list:
        return describe(losses, values=False)
    return {"kind": "list", "length": len(losses), "items": [describe(v) for v in losses[:limit]]}


def f32_floats(values):
    """Values a float32 tensor held, as floats of 9 significant digits: enough to give back the
    very same float32 numbers, in about half the characters of their float64 spelling."""
    return [float(f"{v:.9g}") for v in values]


class GradModeLog(torch.overrides.TorchFunctionMode):
    """Count the torch operations a stub runs while autograd is not recording (inside
    torch.no_grad()): a prediction made there has no graph back to the weights."""

    def __init__(self):
        super().__init__()
        self.unrecorded = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if not torch.is_grad_enabled() and "grad_enabled" not in getattr(func, "__name__", ""):
            self.unrecorded += 1
        return func(*args, **(kwargs or {}))


def flat_values(obj):
    """A real tensor's values as a flat list of floats; None for anything else (or on meta)."""
    values = tensor_values(obj) if is_tensor(obj) else None
    return None if values is None else [float(v) for v in np.ravel(values)]


def fresh_draws(make, device, read=flat_values, seeds=(11, 12), probe_size=4):
    """What make() does to torch's global random state: called once after each of two different
    seeds, it should give different values (fresh draws), and the caller's next draws should differ
    too (a reseed inside make() would make both repeat). read(result): the values as a flat list."""
    runs = []
    for seed in seeds:
        torch.manual_seed(seed)
        values = read(make())
        after = torch.randn(probe_size, device=device)
        runs.append({"values": values, "after": np.ravel(tensor_values(after)).tolist()})
    return runs
