"""Level 2 checks (level2_dataset.py): RandomData (__init__, __len__, __getitem__), make_loader, training.

Judge side: each check's probe is autograder.probe.level2_dataset.PROBES[id]; the judges here
see only the plain data it sent back."""

import numpy as np

from autograder.checks import placement, regression
from autograder.checks.check import Check
from autograder.checks.schema import (  # the form of each probe's data
    Bool, Choice, DEVICE, Described, ENTRIES, EPOCH, Int, ListOf, NO_VALUES, Record, TRAIN, VALUES,
    _is_dict_with,
)
from autograder.checks.verdicts import Problem, got_text, passed, require_close, require_entries, require_tensor, values
from autograder.probe import inputs
from autograder.probe.inputs import CONVERGENCE_EPOCHS
from autograder.probe.level2_dataset import LOADER_BATCH, LOADER_SAMPLES, item_indices


def judge_dataset(got, want, ctx):
    for name in ("X", "Y"):
        if got[name]["kind"] == "missing":
            raise Problem(f"RandomData.__init__ must store the data as self.{name}; the object has no "
                          f"attribute {name}.", "missing_attribute")
    samples = ctx.inputs.data_samples()
    regression.judge_data(got["X"], got["Y"], samples, ctx.device, f"RandomData(samples={samples})")
    require_tensor(got["default_X"], "RandomData() with the default samples=1000: self.X", shape=(1000, 2))
    return passed("self.X is [ones, standard normal] and self.Y = -1 + 3x")


def judge_len(got, want, ctx):
    raw, rows = got["raw"], ctx.inputs.data_samples()  # the probe's dataset holds that many of the grader's rows
    if raw["kind"] == "size" or raw["kind"] in ("tuple", "list"):
        raise Problem(f"__len__ returned {got_text(raw)}, a shape. The DataLoader calls len(data) and needs "
                      f"the number of examples as an int ({rows}): count the rows of self.Y (or of self.X).",
                      "len_returns_shape")
    if raw["kind"] == "tensor":
        raise Problem(f"__len__ returned {got_text(raw)}; it must be a Python int: the number of rows of self.Y.",
                      "len_not_int")
    if raw["kind"] != "number" or raw["type"] != "int":
        raise Problem(f"__len__ must return an int; got {got_text(raw)}.", "len_not_int")
    if raw["value"] == 2 * rows:
        raise Problem(f"__len__ returned {raw['value']}, the number of values in X (rows x columns); it "
                      f"should count examples (rows): {rows}, the length of self.Y.", "len_counts_values")
    if abs(raw["value"] - rows) == 1:
        fewer = raw["value"] < rows
        raise Problem(f"__len__ returned {raw['value']}, one {'fewer' if fewer else 'more'} than the {rows} "
                      "examples the dataset holds. The DataLoader draws the indices 0 .. len(data) - 1, so "
                      + ("the last example is never used" if fewer else f"it asks for example {rows}, which does "
                         "not exist") + f": return the count itself, len(self.Y), with no "
                      f"{'- 1' if fewer else '+ 1'}.", "len_off_by_one")
    if raw["value"] != rows:
        raise Problem(f"__len__ returned {raw['value']}; the dataset holds {rows} examples.", "len_wrong")
    return passed(f"an int equal to the number of examples ({rows})")


def item_shape_problem(item, what, index):
    """Name the common wrong items: (y, x), and (self.X, self.Y) whole."""
    if item.get("kind") not in ("tuple", "list") or len(item["items"]) != 2:
        return
    shapes = [t.get("shape") if t.get("kind") == "tensor" else None for t in item["items"]]
    if shapes == [[], [2]]:
        raise Problem(f"{what} returned (y, x): a target of shape () first, then an input of shape (2,). The "
                      "DataLoader passes the first of each pair to the model as x: return (self.X[index], "
                      "self.Y[index]).", "pair_swapped")
    if shapes[0] is not None and shapes[1] is not None and len(shapes[0]) == 2 and shapes[0][1] == 2 \
            and shapes[1] == shapes[0][:1] and shapes[0][0] > 1:
        raise Problem(f"{what} returned the whole tensors (x of shape {tuple(shapes[0])}, y of shape "
                      f"{tuple(shapes[1])}) instead of example {index}: index them, (self.X[index], "
                      "self.Y[index]).", "whole_tensors")


def judge_getitem(got, want, ctx):
    require_entries(got["items"], len(item_indices(ctx.inputs.data_samples())), "data[i]")
    if [entry.get("index") for entry in got["items"]] != list(item_indices(ctx.inputs.data_samples())):
        raise Problem("data[i]: the probe's data was replaced (indices it was not given).", "malformed")
    for entry in got["items"]:
        index, item = entry["index"], entry["item"]
        what = f"data[{index}]"
        if item["kind"] not in ("tuple", "list") or len(item["items"]) != 2:
            raise Problem(f"{what} should be a pair (x, y); got {got_text(item)}.", "item_not_pair")
        item_shape_problem(item, what, index)
        x, y = item["items"]
        require_tensor(x, f"{what}[0], the input x", shape=(2,), device=ctx.device)
        require_tensor(y, f"{what}[1], the target y", shape=(), device=ctx.device)
        xv, yv = values(x, "x"), float(values(y, "y"))
        X, Y = ctx.inputs.train_data()  # the rows the probe's dataset holds: the judge's own copy
        require_close(xv, X[index], f"{what}[0] (expected self.X[{index}])", ctx.device,
                      "Return row `index` of self.X.", "wrong_row")
        if not np.isclose(yv, -xv[0] + 3 * xv[1], rtol=1e-5, atol=1e-5):
            raise Problem(f"{what} returned a mismatched pair: x = {np.round(xv, 4).tolist()} has target "
                          f"{-xv[0] + 3 * xv[1]:.4g} but y = {yv:.4g}. x and y must come from the same index: "
                          "(self.X[index], self.Y[index]).", "mismatched_pair")
        require_close(yv, float(Y[index]), f"{what}[1] (expected self.Y[{index}])", ctx.device)
    return passed("(self.X[i], self.Y[i]) pairs of shapes (2,) and ()")


def epoch_order(epoch, what):
    if isinstance(epoch, dict):
        raise Problem(f"{what}: each batch should be a pair (x, y) of tensors; got {got_text(epoch['bad'])}.",
                      "bad_batch")
    return [i for batch in epoch for i in batch["y"]]


def judge_loader(got, want, ctx):
    what = f"make_loader(data, batch_size={LOADER_BATCH}, shuffle=True, generator=seeded)"
    if got.get("returned_data"):
        raise Problem("make_loader returned the dataset it was given, unchanged; it should wrap it in a "
                      "torch.utils.data.DataLoader: DataLoader(data, batch_size=batch_size, shuffle=shuffle, "
                      "generator=generator).", "not_a_loader")
    if not got["is_loader"]:
        raise Problem(f"make_loader should return a torch.utils.data.DataLoader; got {got_text(got['type'])}.",
                      "not_a_loader")
    everything = list(range(LOADER_SAMPLES))
    epochs = [epoch_order(epoch, what) for epoch in got["epochs"]]
    sizes = [len(batch["y"]) for batch in got["epochs"][0]]
    expected_sizes = [LOADER_BATCH] * (LOADER_SAMPLES // LOADER_BATCH) + [LOADER_SAMPLES % LOADER_BATCH]
    if sizes[:-1] and sizes[0] != LOADER_BATCH:
        raise Problem(f"{what} yields batches of {sizes[0]}; it should use the batch_size argument "
                      f"({LOADER_BATCH}).", "ignored_batch_size")
    for number, order in enumerate(epochs, 1):
        if sorted(order) != everything:
            missing = sorted(set(everything) - set(order))
            raise Problem(f"{what}: epoch {number} should give every one of the {LOADER_SAMPLES} examples "
                          f"exactly once; {len(order)} came, missing {missing[:10]}. Do not drop the last "
                          "partial batch or sample with replacement.", "incomplete_epoch")
    if sizes != expected_sizes:
        raise Problem(f"{what}: batch sizes {sizes}; expected {expected_sizes}.", "ignored_batch_size")
    for batch in got["epochs"][0]:
        if batch["x_shape"] != [len(batch["y"]), 2]:
            raise Problem(f"{what}: a batch's x has shape {batch['x_shape']}; expected "
                          f"[{len(batch['y'])}, 2].", "bad_batch")
    if epochs[0] == everything or epochs[0] == epochs[1]:
        raise Problem(f"{what}: the order does not change between epochs ({epochs[0][:8]} ...). Pass "
                      "shuffle on to the DataLoader.", "not_shuffled")
    if epoch_order(got["again"], what) != epochs[0]:
        raise Problem(f"{what}: two loaders built with generators of the same seed give different orders: "
                      "pass the generator argument on to the DataLoader (generator=generator).",
                      "ignored_generator")
    if epoch_order(got["other_seed"], what) == epochs[0]:
        raise Problem(f"{what}: generators with different seeds give the same order, so the order does not "
                      "come from the generator argument: pass generator=generator to the DataLoader.",
                      "ignored_generator")
    if epoch_order(got["ordered"], what) != everything:
        raise Problem("make_loader(data, batch_size=10, shuffle=False) should keep the dataset's order; it "
                      "shuffled. Pass shuffle=shuffle to the DataLoader.", "ignored_shuffle")
    default = got["default"]
    default_order = epoch_order(default, "make_loader(data)")
    if [len(b["y"]) for b in default][:1] != [10] or default_order == everything:
        raise Problem("make_loader(data) with its defaults should give shuffled batches of 10.", "wrong_defaults")
    return passed("batches of the asked size, every index once per epoch, shuffled, reproducible with a seed")


def judge_train(got, want, ctx):
    if "bad_item" in got:
        what = "train(data, w): data[0]"
        item_shape_problem(got["bad_item"], what, 0)
        if got["bad_item"].get("kind") not in ("tuple", "list") or len(got["bad_item"]["items"]) != 2:
            raise Problem(f"{what} should be a pair (x, y); got {got_text(got['bad_item'])}, so the loader's "
                          "batches cannot be split into inputs and targets.", "item_not_pair")
        shapes = ", ".join(got_text(t) for t in got["bad_item"]["items"])
        raise Problem(f"{what} gives ({shapes}); the loop needs x of shape (2,) and y of shape (), so the "
                      "loader's batches do not fit forward and mse. See the __getitem__ check.", "bad_batch")
    return regression.judge_training(got, want, ctx, f"train(data, w, epochs={CONVERGENCE_EPOCHS})")


def judge_device(got, want, ctx):
    return placement.judge_placement(got, tried=want)


CHECKS = [
    Check("level2.dataset", "RandomData stores X and Y", judge_dataset,
          points=4, stubs=("RandomData.__init__",),
          schema=Record({"X": Described(missing=True), "Y": Described(missing=True),
                         "default_X": Described(values=False, missing=True)})),
    Check("level2.len", "__len__ returns the number of examples", judge_len,
          points=3, stubs=("RandomData.__len__",),
          schema=Record({"raw": NO_VALUES, "rows": Int(), "bare": Bool()})),
    Check("level2.getitem", "__getitem__ returns matching (x, y)", judge_getitem,
          points=4, stubs=("RandomData.__getitem__",),
          schema=Record({"items": ListOf(Record({"index": Int(), "item": VALUES, "x": VALUES, "y": VALUES}),
                                         ENTRIES), "bare": Bool()})),
    Check("level2.loader", "make_loader batches, covers, shuffles, reproduces", judge_loader,
          points=5, stubs=("make_loader",),
          schema=Record({"other_seed": EPOCH, "is_loader": Bool(), "returned_data": Bool(), "type": NO_VALUES,
                         "epochs": ListOf(EPOCH, 2, least=2), "again": EPOCH, "ordered": EPOCH,
                         "default": EPOCH})),
    Check("level2.train", "training with the loader reaches (-1, 3)", judge_train,
          points=3, stubs=("train",),
          schema=Choice(_is_dict_with("bad_item"), {True: Record({"bad_item": NO_VALUES}), False: TRAIN})),
    Check("level2.device", "the dataset and loader keep the asked device (meta)", judge_device,
          points=1, stubs=("RandomData.__init__", "RandomData.__getitem__", "make_loader"),
          schema=DEVICE),
]
