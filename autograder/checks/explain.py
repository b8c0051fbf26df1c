"""Turn an exception a student's code raised into a message that says where and the likely cause,
and group the checks that fail for one and the same reason (an unfilled stub, a missing file), so
that a report says it once."""

import re

from autograder.checks.verdicts import Verdict, scrub

# (text found in the exception message, diagnosis, what to tell the student)
KNOWN_ERRORS = [
    ("can't allocate memory", "out_of_memory",
     "The code asked for more memory than the grader allows a submission: look for a tensor far "
     "larger than the data (a (batch, batch) table, a size computed from the wrong variable)."),
    ("a leaf Variable that requires grad is being used in an in-place operation", "inplace_outside_no_grad",
     "An in-place change to w (w -= ..., w.sub_(...)) was made while autograd was recording. w is a leaf "
     "that requires grad, and PyTorch refuses to record an in-place change to it. Do the update inside "
     "`with torch.no_grad():`."),
    ("does not require grad and does not have a grad_fn", "detached",
     "backward() was called on a value autograd cannot trace back to the weights: something between w "
     "and the loss cut the graph (.detach(), .data, .item(), .numpy() or torch.tensor(...), or a prediction "
     "computed inside torch.no_grad())."),
    ("too many indices for tensor of dimension 1", "hstack_1d",
     "A tensor of one dimension was indexed with two (X[:, 0]). If X was built with torch.hstack from two "
     "tensors of shape (samples,), hstack put them end to end into one vector of shape (2 * samples,): give "
     "each column the shape (samples, 1) (torch.ones(samples, 1), torch.randn(samples, 1)), or use "
     "torch.stack([...], dim=1)."),
    ("is out of bounds for dimension 0", "index_out_of_range",
     "An example past the end of the data was asked for: the DataLoader draws the indices 0 .. len(data) - 1, "
     "so __len__ must return exactly the number of rows (len(self.Y), with no + 1)."),
    ("optimizer got an empty parameter list", "plain_tensor_not_parameter",
     "model.parameters() is empty: the weight is a plain tensor, invisible to the module. Wrap it in "
     "torch.nn.Parameter so the module registers it."),
    ("cannot be interpreted as an integer", "len_returns_shape",
     "len() got something that is not an int: does __len__ return a shape (X.shape or X.size()) instead "
     "of the number of examples?"),
    ("is not on the expected device", "wrong_device",
     "A tensor was created on a fixed device instead of the device of the inputs: create it with "
     "device=x.device, torch.zeros_like(x), or move it with .to(x.device)."),
    ("Expected all tensors to be on the same device", "wrong_device",
     "Tensors on different devices met in one operation: create each tensor on the device you were given "
     "(the device argument, or the input's .device)."),
    ("object has no attribute 'backward'", "backward_on_number",
     "backward() was called on a Python number: .item() (or float()) turns the loss into a plain number that "
     "autograd knows nothing about. Call loss.backward() on the loss tensor, and use .item() only for the value "
     "you return or print."),
    ("Trying to backward through the graph a second time", "backward_twice",
     "backward() ran twice through the same graph: compute a fresh loss for each backward()."),
    ("cannot assign parameters before Module.__init__() call", "no_super_init",
     "Call super().__init__() at the start of __init__, before assigning self.w."),
    ("before Module.__init__() call", "no_super_init",
     "Call super().__init__() at the start of __init__, before assigning attributes."),
    ("object has no attribute '_", "no_super_init",
     "nn.Module's own attributes are missing: did __init__ call super().__init__()?"),
]


def where_text(error, with_code=True):
    where = error.get("where")
    if not where:
        return ""
    function = f", in {where['function']}" if where.get("function") else ""
    code = f": {where['code']}" if where.get("code") and with_code else ""
    name = str(where["file"]).replace("\\", "/").rsplit("/", 1)[-1]
    name, _, cell = name.partition(":cell")
    place = f"{name.removesuffix('.py')} notebook cell {cell}, line" if cell else f"{name} line"
    return f" ({place} {where['line']}{function}{code})"


def explain_error(check, error):
    """The verdict for a check whose probe raised."""
    kind, message = error["type"], error["message"]
    if error.get("diagnosis") == "borrowed_from_grader":  # the probe side saw the grader's code changed
        return Verdict(False, f"{check.id}: {message}", "borrowed_from_grader")
    at = where_text(error)
    if kind == "NotImplementedError":
        # a bare NotImplementedError (nbgrader's stubs) is named after the function that raised it
        named = message or (error.get("where") or {}).get("function") or check.id
        return Verdict(False, f"not implemented yet: {named}{where_text(error, False)}", "not_implemented")
    if kind == "RecursionError":
        return Verdict(False, f"{check.id}: infinite recursion (RecursionError){at}. A method that calls "
                       "itself, e.g. self.w inside a property named w, or len(self) inside __len__?", "recursion")
    if kind == "MemoryError":
        return Verdict(False, f"{check.id}: ran out of memory (MemoryError){at}. The grader limits the memory "
                       "a submission may use.", "out_of_memory")
    if kind in ("SystemExit", "KeyboardInterrupt"):
        return Verdict(False, f"{check.id}: the code tried to exit the program ({kind}){at}; remove the "
                       "exit call.", "exited")
    message = scrub(message)
    for text, diagnosis, advice in KNOWN_ERRORS:
        if text in message:
            return Verdict(False, f"{check.id} raised {kind}: {message.splitlines()[0]}{at}. {advice}", diagnosis)
    return Verdict(False, f"{check.id} raised {kind}: {message.splitlines()[0] if message else ''}{at}",
                   "raised")


# Grouping reads the messages explain_error and the device check write: "not implemented yet: WHAT",
# WHAT the stub's own NotImplementedError text ("level1.forward: <hint>", the kit's stubs) and, where
# the probe saw the raise, " (FILE line N, in FUNCTION)".
_UNFILLED = re.compile(r"not implemented yet: (?P<what>.*?)(?P<where> \((?P<place>[^()]*? line \d+)"
                       r"(?:, in (?P<function>[\w.<>]+))?\))?", re.S)
_KIT_STUB = re.compile(r"level\d+\.[A-Za-z_][\w.]*(?=:|$)")
GROUPED = ("not_implemented", "missing_file", "import_failed")


def points_text(points):
    """"3 points", "1 point", "0.5 points": points as a list of blocked checks shows them."""
    value = round(float(points), 2)
    value = int(value) if value == int(value) else value
    return f"{value} point{'' if value == 1 else 's'}"


def _field(check, name):
    return check.get(name) if isinstance(check, dict) else getattr(check, name, None)


def blocking_cause(check):
    """(key, name) of what failed this check when the same cause fails others too: the unfilled
    stub that raised NotImplementedError ("level1.forward"), or the level file that is missing or
    did not import; None for a check that passed or failed on its own."""
    diagnosis, message = _field(check, "diagnosis"), str(_field(check, "message") or "")
    if _field(check, "passed") or diagnosis not in GROUPED:
        return None
    level = _field(check, "level")
    if diagnosis != "not_implemented":  # every check of the level has the same message
        return (level, diagnosis, message), message.split(": ", 1)[-1] if diagnosis == "missing_file" else "import"
    match = _UNFILLED.fullmatch(message.strip())
    if not match:
        return (level, diagnosis, message), message
    what = match.group("what").strip()
    stub = _KIT_STUB.match(what)
    if stub:  # the kit's stubs name themselves
        return (level, diagnosis, stub.group()), stub.group()
    if match.group("place"):  # one raise statement is one stub, whatever its text says
        return (level, diagnosis, match.group("place")), match.group("function") or match.group("place")
    return (level, diagnosis, what), what


def group_blocked(checks):
    """The checks in report order, with those failed by the same blocking cause gathered into one
    entry: [{"check": c} | {"group": {"name", "diagnosis", "message", "checks", "points",
    "max_points"}}]. A group stands where its first check stood; its message is the most
    telling of its checks' (the one that says where the stub raised)."""
    entries, groups = [], {}
    for check in checks:
        cause = blocking_cause(check)
        if cause is None:
            entries.append({"check": check})
            continue
        key, name = cause
        if key not in groups:
            # the row is the stub's, not a check's: "make_data (not started)", not "level1.make_data"
            short = name.split(".", 1)[1] if name.startswith(f"level{_field(check, 'level')}.") else name
            groups[key] = {"name": name, "label": f"{short} (not started)", "diagnosis": _field(check, "diagnosis"),
                           "message": "", "brief": "", "checks": [], "points": 0, "max_points": 0}
            entries.append({"group": groups[key]})
        group = groups[key]
        group["checks"].append(check)
        group["points"] += _field(check, "points") or 0
        group["max_points"] += _field(check, "max_points") or 0
        message = str(_field(check, "message") or "")
        if len(message) > len(group["message"]):
            group["message"] = message
            # under its label the stub need not be named again: "not implemented yet: a ones column..."
            group["brief"] = message.replace(f"not implemented yet: {name}: ", "not implemented yet: ", 1)
    return entries
