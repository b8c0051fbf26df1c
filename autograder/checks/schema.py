"""The form of every probe's data, checked before a judge computes on it.

A sandbox can send any JSON the channel lets through (256 KB a frame), and a judge indexes what it
gets, turns it into numpy arrays and compares arrays with each other. So a datum of the wrong type,
a tensor description whose values disagree with its shape, a list far longer than any probe makes,
or a number no float holds is stopped here, at a cost of that check only: validate(check_id, data)
raises Problem("... could not read this check's result ...", "unreadable_result").

Each check declares its schema (Check.schema, in its level's checks module), written from what the
probe of that id returns (autograder/probe/level*.py; tensor descriptions from
autograder.probe.tensors.describe); the forms several levels share are here. The
bounds sit far above honest data and far below what would cost the grader memory or time: no
array a judge meets holds more than MAX_VALUES numbers, and the arrays a judge sets against each other
(a student's weights against the start, or against the reference's) are a few numbers each, so no
broadcast between them can grow large.
"""

from autograder.checks.verdicts import Problem
from autograder.config import MAX_TEXT

# The largest tensor a probe describes with values is make_data's X, at most 299 x 2 = 598 values
# (init_weights' 400 draws come next): 4096 leaves a wrong-but-honest shape (X of 1000 x 2) readable.
MAX_VALUES = 4096
# Every value, list and dict of one check's data: a convergence run's, the largest, has about 9,000 (the
# probe keeps at most 10,000 example indices and 1,000 steps of it: 13,000 nodes in all).
MAX_NODES = 32768
MAX_INT = 2**63  # an int beyond int64 comes from no tensor and no len(); float() may not hold it
MAX_DIMS = 32  # the channel nests at most 40 deep, so no deeper tensor's values could arrive
MAX_NAME = 1000  # type names, reprs (the probe keeps 200 characters), devices, stub names
DESCRIBE_DEPTH = 4  # tuples of tuples a describe() can give back before the grader stops reading
PLAIN_DEPTH = 8


class Unreadable(Exception):
    """The datum at `at` is not of the form its schema declares."""

    def __init__(self, at, why):
        super().__init__(why)
        self.at, self.why = at, why


def where(at):
    """A path such as X.values[3] from the chain of (parent, key) pairs the checks pass down."""
    parts = []
    while at:
        at, key = at
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".") or "the result itself"


def _name(value):
    """A key or type the student chose, as a message may show it: short."""
    text = value if isinstance(value, str) else type(value).__name__
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


class Budget:
    """Nodes one check's data may still hold: bounds the time and memory of reading it."""

    def __init__(self, nodes=MAX_NODES):
        self.left = nodes

    def spend(self, at, count=1):
        self.left -= count
        if self.left < 0:
            raise Unreadable(at, f"more than {MAX_NODES} values in all")


class Schema:
    def check(self, value, at, budget):
        raise NotImplementedError


class Bool(Schema):
    def check(self, value, at, budget):
        budget.spend(at)
        if type(value) is not bool:
            raise Unreadable(at, f"expected true or false, got {_name(value)}")


class Int(Schema):
    def __init__(self, least=-MAX_INT, below=MAX_INT):
        self.least, self.below = least, below

    def check(self, value, at, budget):
        budget.spend(at)
        if type(value) is not int or not self.least <= value < self.below:
            raise Unreadable(at, f"expected an integer from {self.least} to {self.below - 1}")


def _number(value, at):
    # NaN and infinity are honest (a diverged run); an int no float64 holds is not
    if type(value) is float or (type(value) is int and -MAX_INT < value < MAX_INT):
        return
    raise Unreadable(at, "expected a number" if type(value) is not int else "an integer too large for a float")


class Num(Schema):
    def check(self, value, at, budget):
        budget.spend(at)
        _number(value, at)


class Str(Schema):
    def __init__(self, most=MAX_NAME):
        self.most = most

    def check(self, value, at, budget):
        budget.spend(at)
        if type(value) is not str:
            raise Unreadable(at, f"expected text, got {_name(value)}")
        if len(value) > self.most:
            raise Unreadable(at, f"text of {len(value)} characters (at most {self.most})")


class Const(Schema):
    def __init__(self, *values):
        self.values = values

    def check(self, value, at, budget):
        budget.spend(at)
        if type(value) is not str or value not in self.values:
            raise Unreadable(at, f"expected one of {', '.join(self.values)}")


class Nullable(Schema):
    def __init__(self, schema):
        self.schema = schema

    def check(self, value, at, budget):
        if value is None:
            budget.spend(at)
        else:
            self.schema.check(value, at, budget)


class Scalar(Schema):
    """One JSON scalar: null, true/false, a number or a short text."""

    def __init__(self, most=MAX_NAME):
        self.text = Str(most)

    def check(self, value, at, budget):
        if value is None or type(value) is bool:
            budget.spend(at)
        elif type(value) is str:
            self.text.check(value, at, budget)
        else:
            budget.spend(at)
            _number(value, at)


class ListOf(Schema):
    def __init__(self, item, most, least=0):
        self.item, self.most, self.least = item, most, least

    def check(self, value, at, budget):
        budget.spend(at)
        if type(value) is not list:
            raise Unreadable(at, f"expected a list, got {_name(value)}")
        if not self.least <= len(value) <= self.most:
            size = f"{self.least} to {self.most}" if self.least != self.most else f"{self.most}"
            raise Unreadable(at, f"a list of {len(value)} entries (expected {size})")
        for i, item in enumerate(value):
            self.item.check(item, (at, i), budget)


class Record(Schema):
    """A dict with these fields (every one of `fields`, any of `optional`); other keys only where
    `extra` says what they may hold."""

    def __init__(self, fields, optional=None, extra=None, extra_keys=8):
        self.fields, self.optional = dict(fields), dict(optional or {})
        self.extra, self.extra_keys = extra, extra_keys

    def check(self, value, at, budget):
        budget.spend(at)
        if type(value) is not dict:
            raise Unreadable(at, f"expected an object, got {_name(value)}")
        for key, schema in self.fields.items():
            if key not in value:
                raise Unreadable(at, f"no field {key!r}")
            schema.check(value[key], (at, key), budget)
        others = [key for key in value if key not in self.fields]
        unknown = 0
        for key in others:
            schema = self.optional.get(key)
            if schema is None:
                unknown += 1
                if self.extra is None or unknown > self.extra_keys or len(key) > 100:
                    raise Unreadable(at, f"an unexpected field {_name(key)}")
                schema = self.extra
            schema.check(value[key], (at, _name(key) if schema is self.extra else key), budget)


class MapOf(Schema):
    """A dict of up to `most` keys chosen by the student (an optimizer's options)."""

    def __init__(self, value, most, key_length=100):
        self.value, self.most, self.key_length = value, most, key_length

    def check(self, value, at, budget):
        budget.spend(at)
        if type(value) is not dict:
            raise Unreadable(at, f"expected an object, got {_name(value)}")
        if len(value) > self.most:
            raise Unreadable(at, f"an object of {len(value)} fields (at most {self.most})")
        for key, item in value.items():
            if len(key) > self.key_length:
                raise Unreadable(at, f"a field name of {len(key)} characters")
            self.value.check(item, (at, _name(key)), budget)


class Choice(Schema):
    """One of several forms, told apart by pick(value) (never by trying each: reading stays linear)."""

    def __init__(self, pick, options):
        self.pick, self.options = pick, options

    def check(self, value, at, budget):
        self.options[self.pick(value)].check(value, at, budget)


def _values(value, shape, depth, at, budget):
    """value must be nested lists exactly as deep and as long as shape says, numbers at the bottom."""
    if depth == len(shape):
        budget.spend(at)
        _number(value, at)
        return
    budget.spend(at)
    if type(value) is not list or len(value) != shape[depth]:
        raise Unreadable(at, f"values that do not agree with the shape {list(shape)}")
    for i, item in enumerate(value):
        _values(item, shape, depth + 1, (at, i), budget)


def _count(shape):
    count = 1
    for n in shape:
        count *= n
    return count


class Array(Schema):
    """Numbers, or nested lists of them as a tensor's tolist() gives: rectangular, at most `most`."""

    def __init__(self, most=MAX_VALUES):
        self.most = most

    def check(self, value, at, budget):
        shape, inner = [], value
        while type(inner) is list:
            if len(shape) == MAX_DIMS:
                raise Unreadable(at, f"lists nested more than {MAX_DIMS} deep")
            shape.append(len(inner))
            if not inner:
                break
            inner = inner[0]
        if _count(shape) > self.most:
            raise Unreadable(at, f"{_count(shape)} values (at most {self.most})")
        _values(value, shape, 0, at, budget)


class Plain(Schema):
    """Any JSON, bounded: data a judge does not read yet."""

    def __init__(self, depth=PLAIN_DEPTH):
        self.depth = depth
        self.text, self.scalar = Str(MAX_TEXT), Scalar()

    def check(self, value, at, budget, depth=0):
        if depth > self.depth:
            raise Unreadable(at, f"nested more than {self.depth} deep")
        if isinstance(value, dict):
            budget.spend(at)
            for key, item in value.items():
                if len(key) > 100:
                    raise Unreadable(at, f"a field name of {len(key)} characters")
                self.check(item, (at, _name(key)), budget, depth + 1)
        elif isinstance(value, list):
            budget.spend(at)
            for i, item in enumerate(value):
                self.check(item, (at, i), budget, depth + 1)
        elif type(value) is str:
            self.text.check(value, at, budget)
        else:
            self.scalar.check(value, at, budget)


# --- what autograder.probe.tensors.describe gives -------------------------------------------

SHAPE = ListOf(Int(0), MAX_DIMS)
WHERE = Record({"file": Str(MAX_TEXT), "line": Nullable(Int(0)), "code": Str(MAX_TEXT)},
               optional={"function": Str(MAX_NAME)})
# describe_exception: a probe's error, and an error a device trial or a meta-device call caught
ERROR = Record({"type": Nullable(Str(MAX_NAME)), "message": Str(MAX_TEXT), "where": Nullable(WHERE)},
               # the probe side's own finding that the code changed or borrowed the grader's pieces
               optional={"diagnosis": Const("borrowed_from_grader"), "plain": Bool()})


class _Walked(Schema):
    """A field its container reads itself (a tensor's values, against its shape)."""

    def check(self, value, at, budget):
        pass


class Tensor(Schema):
    """describe(tensor): with values (values=True) they must agree with the shape, at most `most`."""

    def __init__(self, values, most=MAX_VALUES, fields=None, optional=None):
        self.values, self.most = values, most
        self.record = Record({"kind": Const("tensor"), "parameter": Bool(), "shape": SHAPE, "dtype": Str(40),
                              "device": Str(100), "requires_grad": Bool(), "is_leaf": Bool(),
                              "grad_fn": Nullable(Str(MAX_NAME)), **(fields or {})},
                             optional={**(optional or {}), **({"values": _Walked()} if values else {})})

    def check(self, value, at, budget):
        self.record.check(value, at, budget)
        if not self.values:
            return
        if "values" not in value:
            raise Unreadable(at, "a tensor description without values")
        vals, shape = value["values"], value["shape"]
        if vals is None:  # a meta or complex tensor: there are none
            return
        if _count(shape) > self.most:
            raise Unreadable((at, "values"), f"a tensor of {_count(shape)} values (at most {self.most})")
        _values(vals, shape, 0, (at, "values"), budget)


class Described(Schema):
    """Whatever describe(obj, values) gives for an object the student's code returned. missing: also
    {"kind": "missing"} (an attribute that is not there); error: also {"kind": "error", "error": ...}
    (a call that raised); fields, optional: more fields the probe adds to the description (forward's
    "changed")."""

    def __init__(self, values=True, missing=False, error=False, fields=None, optional=None, depth=DESCRIBE_DEPTH):
        fields, optional = fields or {}, optional or {}
        self.kinds = {
            "tensor": Tensor(values, fields=fields, optional=optional),
            "none": Record(fields, optional),
            "bool": Record({"value": Bool(), **fields}, optional),
            "number": Record({"type": Str(MAX_NAME), "value": Num(), **fields}, optional),
            "size": Record({"value": SHAPE, **fields}, optional),
            "other": Record({"type": Str(MAX_NAME), "repr": Str(MAX_NAME), **fields}, optional),
        }
        if depth > 0:
            items = ListOf(Described(values, depth=depth - 1), 8)  # describe() lists at most 8 items
            self.kinds["tuple"] = self.kinds["list"] = Record({"items": items, **fields}, optional)
        if missing:
            self.kinds["missing"] = Record(fields, optional)
        if error:
            self.kinds["error"] = Record({"error": ERROR, **fields}, optional)
        kind = Const(*self.kinds)
        for name, schema in self.kinds.items():
            if name != "tensor":
                schema.fields = {"kind": kind, **schema.fields}

    def check(self, value, at, budget):
        kind = value.get("kind") if type(value) is dict else None
        schema = self.kinds.get(kind) if type(kind) is str else None
        if schema is None:
            raise Unreadable(at, "not a description of a value" if type(value) is not dict or kind is None
                             else f"a description of kind {_name(kind)}")
        schema.check(value, at, budget)


def _is_dict_with(key):
    return lambda value: type(value) is dict and key in value


# --- each check's data, as its probe sends it (autograder/probe/level*.py) -----------------------

VALUES, NO_VALUES = Described(values=True), Described(values=False)
# Watch: the inputs changed in place; GradModeLog: operations run while autograd was not recording
PREDICTION = Described(values=True, fields={"changed": ListOf(Str(MAX_NAME), 8)}, optional={"unrecorded": Int(0)})
# tensors.fresh_draws: the weights made after each of two seeds, and the draws that followed
DRAWS = ListOf(Record({"values": Nullable(ListOf(Num(), MAX_VALUES)), "after": ListOf(Num(), 64)}), 8)
ENTRIES = 16  # one per probe batch (4), learning rate (2) or item (3)
# A model's weights as values (None where they are on meta): two numbers, honestly; 64 keep any comparison
# with another array small, whatever shape the student gave them.
WEIGHTS = Nullable(Array(64))
START = ListOf(Num(), 2, least=2)  # inputs.start_weights(), as the probe sent it

MODULE_FORWARD = Record({"predictions": ListOf(PREDICTION, ENTRIES), "grads": ListOf(VALUES, ENTRIES)})

LOSSES = Choice(lambda value: type(value) is dict and value.get("kind") == "list", {
    # describe_losses: a list (at most 1000 described), anything else described without values
    True: Record({"kind": Const("list"), "length": Int(0), "items": ListOf(VALUES, 1000)}),
    False: NO_VALUES,
})
# steps.TrainingRecorder: the step count, the weights before each recorded step (the probe keeps 1000
# steps, 2 weights each; room for a student's w of 8), and for levels 2-5 the examples each step drew
# (the probe keeps 10,000 indices)
TRAIN_STEPS = Record({"steps": Int(0), "before": ListOf(Num(), 8000)},
                     optional={"fetched": ListOf(Int(0), 1000), "indices": ListOf(Int(), 10_000)}, extra=Plain())
# The convergence run; room for more fields that the judges do not read yet (bounded all the same).
TRAIN = Record({"weights": WEIGHTS, "start": START, "losses": LOSSES}, optional={"steps": TRAIN_STEPS},
               extra=Plain())

DEVICE = ListOf(Choice(_is_dict_with("error"), {
    True: Record({"stub": Str(MAX_NAME), "error": ERROR}),
    False: Record({"stub": Str(MAX_NAME), "devices": ListOf(Nullable(Str(MAX_NAME)), 16),
                   "names": ListOf(Str(MAX_NAME), 16), "produces": Bool()}),
}), 32)

CALLS = 256  # zero_grad/step calls in one train_step (honest: two)
STEPS = Record({  # autograder.probe.steps.probe_steps
    "returned": ListOf(NO_VALUES, ENTRIES),
    "weights": ListOf(WEIGHTS, ENTRIES),
    "started": ListOf(WEIGHTS, ENTRIES),
    "calls": ListOf(ListOf(Choice(lambda value: type(value) is dict and value.get("call") == "step", {
        True: Record({"call": Const("step"), "grads": ListOf(VALUES, 16)},
                     optional={"before": WEIGHTS, "after": WEIGHTS}),
        False: Record({"call": Const("zero_grad")}),
    }), CALLS), ENTRIES),
    "warnings": ListOf(Str(MAX_TEXT), 64),
    "same_object": Bool(),
})

EPOCH = Choice(_is_dict_with("bad"), {  # level2.read_epoch: the batches' shapes and indices
    True: Record({"bad": NO_VALUES}),
    False: ListOf(Record({"x_shape": SHAPE, "y": ListOf(Int(), 1024)}), 1024),
})

LINEAR = {"in_features": Int(), "out_features": Int(), "bias": Bool(), "parameters": ListOf(NO_VALUES, 64)}

OPTION = Scalar()
GROUP = Record({"lr": Num(), "momentum": Num(), "weight_decay": Num(), "params": ListOf(Int(), 64),
                "options": MapOf(OPTION, 64)})


UNREADABLE = ("The data this check's probe sent back is not of the form the grader reads (the types, sizes "
              "and shapes its probe gives), so it was not judged: the probe's data was replaced, or the code "
              "returned something far larger or stranger than the contract asks for.")


def _stop(check_id, bad):
    raise Problem(f"{check_id}: the grader could not read this check's result: {bad.why} (at {where(bad.at)}). "
                  f"{UNREADABLE}", "unreadable_result") from None


def validate(check, data):
    """Stop with an "unreadable_result" verdict unless data has the form the check's judge reads
    (its declared schema)."""
    try:
        check.schema.check(data, (), Budget())
    except Unreadable as bad:
        _stop(check.id, bad)


def validate_error(check_id, error):
    """The same for a probe that raised: the error report the explanation reads."""
    try:
        ERROR.check(error, (), Budget())
    except Unreadable as bad:
        _stop(check_id, bad)
