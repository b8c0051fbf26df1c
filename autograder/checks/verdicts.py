"""Judges' tools: verdicts, and comparisons of probe data that explain what differs.

Everything here works on plain data (dicts, lists, numbers) produced by autograder.probe.tensors:
no judge ever touches an object the student's code made.
"""

import re
from dataclasses import dataclass

import numpy as np

# float32 comparisons. Reductions in a different order (x @ w against (x * w).sum(1)) differ
# in the last bits, so the tolerances sit a little above float32's epsilon (1.2e-7).
TOLERANCES = {
    "cpu": {"rtol": 1e-5, "atol": 1e-6},
    # GPU kernels may reduce in another order; TF32 is switched off for grading (see devices).
    "cuda": {"rtol": 1e-4, "atol": 1e-5},
    "mps": {"rtol": 1e-4, "atol": 1e-5},
    "meta": {"rtol": 0.0, "atol": 0.0},
}


def tolerance(device):
    return TOLERANCES.get(str(device).split(":")[0], TOLERANCES["cuda"])


# A float32 holds about 7 significant digits; printed through float64 (repr, a list's str) it shows
# 17, of which the last ten are noise: -0.31 reads -0.3100000023841858. Messages show 6.
SIGNIFICANT = 6
_FLOAT = re.compile(r"(?<![\w.])-?(\d+)\.(\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def number_text(x):
    """A number (or a list of them) as every message shows it: ints as they are, floats to 6
    significant digits, so that a float32 value reads -0.31 and not -0.3100000023841858."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.{SIGNIFICANT}g}"
    if isinstance(x, np.ndarray):
        return number_text(x.tolist())
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(number_text(v) for v in x) + "]"
    return str(x)


def round_numbers(text):
    """text with every float written with more than 7 significant digits (a float64 repr of a
    float32 value, a list of them printed whole) shown as number_text shows it. Deliberate formats
    (:.6g, :.7g) are left alone: they are already within what float32 holds."""
    def rounded(match):
        digits = (match.group(1) + match.group(2)).lstrip("0")
        return number_text(float(match.group())) if len(digits) > 7 else match.group()
    return _FLOAT.sub(rounded, text)


@dataclass
class Verdict:
    passed: bool
    message: str
    diagnosis: str = None
    fraction: float = None  # share of the check's points; defaults to 1 when passed, else 0

    def __post_init__(self):
        # every judge's message passes here, whatever formatted its numbers
        self.message = round_numbers(str(self.message))

    @property
    def share(self):
        if self.fraction is not None:
            return self.fraction
        return 1.0 if self.passed else 0.0


# The grader's own objects handed to student code, as a message names them: a student never sees the
# grader's modules or helper classes.
GRADER_OBJECTS = {
    "IndexData": "the grader's dataset",
    "LinearFixture": "the grader's model",
    "CountingSGD": "torch.optim.SGD",
    "WatchingSGD": "torch.optim.SGD",
    "RecordingLoss": "torch.nn.MSELoss",
}
# Scrubbing reads text a student controls, so every step is linear in its length: the text is cut
# first, and names are found by one regex that never backtracks (a dotted name, greedy, with nothing
# after it), then renamed part by part in Python.
MAX_SCRUB = 20_000
_DOTTED_NAME = re.compile(r"\w+(?:\.\w+)*")
_STUDENT_MODULE = re.compile(r"(?:submission|notebook)_level\d+(?:_\d+)?")  # the grader's name for theirs
_ADDRESS = re.compile(r" object at 0x[0-9a-f]+>")
_MARKERS = ("autograder", "_level", *GRADER_OBJECTS)


def _renamed(parts):
    """(the dotted name's parts as a student reads them, whether it begins with a grader object, whether it
    ends with one), or None when nothing in it is the grader's."""
    out, first, last, k = [], None, None, 0
    while k < len(parts):
        part = parts[k]
        if part == "autograder" and k + 1 < len(parts):
            j = next((i for i in range(k + 1, len(parts)) if parts[i] in GRADER_OBJECTS), None)
            kind = "code" if j is None else "object"
            out.append("the grader's code" if j is None else GRADER_OBJECTS[parts[j]])
            k = len(parts) if j is None else j + 1
        elif part in GRADER_OBJECTS:
            out.append(GRADER_OBJECTS[part])
            kind, k = "object", k + 1
        elif k + 1 < len(parts) and _STUDENT_MODULE.fullmatch(part):
            k += 1  # say "Wrapper", not the student module's path
            kind = "module"
        else:
            out.append(part)
            kind, k = "word", k + 1
        first = kind if first is None or first == "module" else first
        last = kind if kind != "module" else last
    if out == parts:
        return None
    return ".".join(out), first == "object", last == "object"


def scrub(text):
    """text with the grader's own names replaced by what they stand for."""
    text = str(text)
    if len(text) > MAX_SCRUB:
        text = text[:MAX_SCRUB - 3] + "..."
    pieces, done = [], 0
    for match in _DOTTED_NAME.finditer(text):
        start, end = match.span()
        if start < done:  # inside a suffix already replaced
            continue
        name = match.group()
        renamed = _renamed(name.split(".")) if any(marker in name for marker in _MARKERS) else None
        if renamed is None:
            continue
        words, object_first, object_last = renamed
        if object_last and text.startswith("()", end):
            end += 2
        elif object_last and (address := _ADDRESS.match(text, end)):
            end = address.end()
            if object_first and start - 1 >= done and text[start - 1] == "<":
                start -= 1  # "<...IndexData object at 0x7f...>" reads "the grader's dataset"
        pieces += [text[done:start], words]
        done = end
    return "".join(pieces) + text[done:]


class Problem(Exception):
    """Raised inside a judge to stop at the first thing wrong, with the message to report."""

    def __init__(self, message, diagnosis=None, fraction=0.0):
        message = scrub(message)
        super().__init__(message)
        self.verdict = Verdict(False, message, diagnosis, fraction)


def passed(message):
    return Verdict(True, message)


def require_entries(got, count, what):
    """Probe data must hold one entry per input the grader gave: a shorter list (an empty one
    passes every loop over it) is not a result."""
    if not isinstance(got, list) or len(got) != count:
        size = len(got) if isinstance(got, list) else type(got).__name__
        raise Problem(f"{what}: the grader asked about {count} inputs and got {size} answers back; "
                      "the probe's data was incomplete or replaced.", "malformed")
    return got


def shape_text(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def got_text(desc):
    """How a probed value reads in a message: 'a tensor of shape (3,)', 'a float', 'None'."""
    kind = desc.get("kind")
    if kind == "tensor":
        name = "an nn.Parameter" if desc.get("parameter") else "a tensor"
        return f"{name} of shape {shape_text(desc['shape'])}, dtype {desc['dtype']}, on {desc['device']}"
    if kind == "none":
        return "None"
    if kind in ("number", "bool"):
        value = desc["value"]
        return f"{desc.get('type', kind)} {number_text(value) if isinstance(value, (int, float)) else repr(value)}"
    if kind in ("tuple", "list"):
        return f"a {kind} of {len(desc['items'])} items"
    if kind == "size":
        return f"torch.Size({desc['value']})"
    if str(desc.get("type", "")).startswith("autograder."):
        return scrub(str(desc.get("type")))
    return scrub(f"{desc.get('type')} {desc.get('repr', '')}".strip())


def same_device(got, want):
    """'cuda:0' matches 'cuda'; a device index only matters when both name one."""
    got_type, _, got_index = str(got).partition(":")
    want_type, _, want_index = str(want).partition(":")
    return got_type == want_type and (not got_index or not want_index or got_index == want_index)


def require_tensor(desc, what, shape=None, device=None, dtype="float32"):
    """Stop with a message unless desc is a real tensor of the given shape, dtype and device."""
    if desc.get("kind") != "tensor":
        raise Problem(f"{what} should be a torch.Tensor; got {got_text(desc)}.", "not_a_tensor")
    if shape is not None and list(desc["shape"]) != list(shape):
        raise Problem(
            f"{what} should have shape {shape_text(shape)}; got shape {shape_text(desc['shape'])}.",
            "wrong_shape",
        )
    if dtype is not None and desc["dtype"] != dtype:
        raise Problem(
            f"{what} should have dtype {dtype}; got {desc['dtype']}. "
            "Create tensors as float32 (torch.randn, torch.ones and torch.tensor of floats are).",
            "wrong_dtype",
        )
    if device is not None and not same_device(desc["device"], device):
        raise Problem(
            f"{what} should be on device {device}; got {desc['device']}. Create it with "
            "device=... from the arguments (or the input's .device), or move it with .to(device).",
            "wrong_device",
        )
    return desc


def values(desc, what):
    """The values of a tensor description as a float64 array (stops when there are none)."""
    vals = desc.get("values")
    if vals is None:
        raise Problem(f"{what}: no values to compare (a meta tensor?)")
    return np.asarray(vals, dtype=np.float64)


def largest_error(got, want):
    """(index, got, want, abs error) at the element where got and want differ most."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    err = np.abs(got - want)
    err = np.where(np.isnan(err), np.inf, err)
    flat = int(np.argmax(err)) if err.size else 0
    index = np.unravel_index(flat, err.shape) if err.shape else ()
    return tuple(int(i) for i in index), got[index], want[index], err[index]


def close(got, want, device="cpu", scale=1.0):
    tol = tolerance(device)
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    return got.shape == want.shape and bool(
        np.all(np.isfinite(got)) and np.allclose(got, want, rtol=tol["rtol"], atol=tol["atol"] * scale)
    )


def _at(index):
    return f" at index {list(index)}" if index else ""


def mismatch_text(got, want, device="cpu", scale=1.0):
    """How got differs from want, as torch.testing.assert_close summarises it: how many elements are
    outside the tolerance out of how many, the greatest absolute difference (where, expected and got
    there) and the greatest relative one, each with what the tolerance allows. An element is within
    the tolerance when |got - want| <= atol + rtol * |want| (numpy's and torch's rule)."""
    tol = tolerance(device)
    atol, rtol = tol["atol"] * scale, tol["rtol"]
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    absolute = np.abs(got - want)
    absolute = np.where(np.isnan(absolute), np.inf, absolute)  # a NaN is as far off as can be
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(absolute == 0, 0.0, absolute / np.abs(want))
    outside = ~(absolute <= atol + rtol * np.abs(want))
    index, g, w, worst = largest_error(got, want)
    flat = int(np.argmax(relative)) if relative.size else 0
    rel_index = tuple(int(i) for i in np.unravel_index(flat, relative.shape)) if relative.shape else ()
    relative_text = (f"greatest relative difference {number_text(relative[rel_index])}"
                     f"{' at the same index' if rel_index == index and index else _at(rel_index)} "
                     f"(up to {number_text(rtol)} allowed)")
    absolute_text = (f"expected {number_text(w)}, got {number_text(g)}: absolute difference {number_text(worst)}"
                     f" (up to {number_text(atol)} allowed), relative {number_text(relative[rel_index])}"
                     f" (up to {number_text(rtol)} allowed)")
    if got.size <= 1:
        return absolute_text
    share = f"{int(outside.sum())} of {got.size} elements differ ({100 * outside.mean():.3g}%)"
    return (f"{share}; greatest absolute difference {number_text(worst)}{_at(index)} (expected {number_text(w)}, "
            f"got {number_text(g)}; up to {number_text(atol)} allowed); {relative_text}")


def difference_text(got, want, device="cpu", scale=1.0):
    """The mismatch summary every value comparison reports (see mismatch_text)."""
    return mismatch_text(got, want, device, scale)


def require_close(got, want, what, device="cpu", hint="", diagnosis="wrong_values", scale=1.0):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise Problem(f"{what}: expected shape {shape_text(want.shape)}, got {shape_text(got.shape)}.", "wrong_shape")
    if not np.all(np.isfinite(got)):
        bad = int((~np.isfinite(got)).sum())
        count = f" ({bad} of {got.size} elements)" if got.size > 1 else ""
        raise Problem(f"{what} contains NaN or infinity{count}. {hint}".strip(), "not_finite")
    if not close(got, want, device, scale):
        raise Problem(f"{what} differs from the expected values: {mismatch_text(got, want, device, scale)}. "
                      f"{hint}".strip(), diagnosis)


def ratio(got, want):
    """The common factor got/want when got is a scaled copy of want, else None."""
    got = np.asarray(got, dtype=np.float64).ravel()
    want = np.asarray(want, dtype=np.float64).ravel()
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return None
    mask = np.abs(want) > 1e-6
    if not mask.any():
        return None
    r = got[mask] / want[mask]
    k = float(np.median(r))
    if k != 0 and np.allclose(got, k * want, rtol=1e-4, atol=1e-6):
        return k
    return None
