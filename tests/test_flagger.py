"""Reaching into the grader is flagged for review: the static flagger (autograder.review) and the
probe side's borrowed-name guard at import (autograder.probe.run.borrowed_names).

Honest code is never flagged: every catalog entry, the reference, the stubs, the example class
and the generated notebooks earn no flag. Every hostile file below earns a flag on exactly the
lines marked `# <-`, with a reason naming what it reached for."""

import ast
import json
import os
import sys
import textwrap
import time

import nbformat
import pytest

from autograder.levels import EXERCISES_DIR, LEVEL_FILES, REPO_ROOT, SOLUTIONS_DIR
from autograder.probe.run import CONTRACT, import_level
from autograder.review import Flag, flag_file, flag_submission, flagger, rules
from tests.catalog import CORRECT_VARIANTS, MISTAKES, mutate, source_of

STUBS = (EXERCISES_DIR / LEVEL_FILES[1]).read_text()
MARK = "# <-"


def honest_files(folder):
    """[path] of every honest file: catalog entries, reference, stubs, the example class, notebooks."""
    paths = []
    for index, entry in enumerate(MISTAKES + CORRECT_VARIANTS):
        path = folder / f"catalog{index}" / LEVEL_FILES[entry.level]
        path.parent.mkdir()
        path.write_text(source_of(entry))
        paths.append(path)
    for name in LEVEL_FILES.values():
        paths += [SOLUTIONS_DIR / name, EXERCISES_DIR / name]
    paths += sorted(p for p in (REPO_ROOT / "examples" / "class").rglob("*") if p.is_file())
    from autograder.authoring.course import level_notebook

    for level, name in LEVEL_FILES.items():
        path = folder / name.replace(".py", ".ipynb")
        nbformat.write(level_notebook(level), str(path))
        paths.append(path)
    return paths


def test_honest_code_is_never_flagged(tmp_path):
    paths = honest_files(tmp_path)
    assert len(paths) > len(MISTAKES + CORRECT_VARIANTS) + 50
    # the example class holds a file that exits the process and one that hangs: neither reaches the grader
    assert any("os._exit" in p.read_text() for p in paths if p.suffix == ".py")
    flags = flag_submission(dict(enumerate(paths)))  # one reader for all of them
    assert flags == [], "honest code flagged:\n" + "\n".join(f"{f.file}:{f.line}: {f.why}" for f in flags)


def test_the_grade_cells_are_the_graders_own_and_not_read(tmp_path):
    from autograder.authoring.course import level_notebook

    notebook = level_notebook(1)
    assert any("from autograder" in cell.source for cell in notebook.cells), "the grade cells import the kit"
    path = tmp_path / "level1_manual.ipynb"
    nbformat.write(notebook, str(path))
    assert flag_file(path) == []


# --- the attack corpus: one small hostile file per rule, modeled on the attacks of the review

ATTACKS = {
    "rebinds the stubs to the probe side's pieces": ("""
        def _hook():
            global make_model, make_loss  # <-
            from autograder.probe.given_model import LinearFixture  # <-
            make_model = lambda: LinearFixture([0.0, 0.0], "cpu")  # <-
        """, ["rebinds make_model", "grader's own code (autograder.probe.given_model", "LinearFixture, a piece"]),
    "the given pieces alone": ("""
        from autograder.probe.level5_builtins import RecordingLoss as make_loss  # <-
        """, ["autograder.probe.level5_builtins"]),
    "a given piece reached by name": ("""
        def sgd_update(w, lr):
            return CountingSGD([w], lr=lr).step()  # <-
        """, ["CountingSGD, a piece of the grader's own code (autograder/probe/fixtures.py)"]),
    "the registry's data": ("""
        import autograder.probe.registry as registry  # <-
        forward = registry.PROBES["level1.forward"]  # <-
        """, ["autograder.probe.registry"]),
    "reads the challenge from the stack": ("""
        import sys
        def _spy(*args):
            frame = sys._getframe(1)  # <-
            while frame is not None:
                seed = frame.f_locals.get("challenge")  # <-
                frame = frame.f_back  # <-
        """, ["sys._getframe()", "f_locals", "f_back"]),
    "frames through descriptors and computed keys": ("""
        def _callers():
            try:
                raise ValueError
            except ValueError as error:
                trace = error.__traceback__
            frame = vars(type(trace))["".join(["tb_", "frame"])].__get__(trace)  # <-
            names = type(frame).__dict__[str.join("", ["f_", "locals"])]  # <-
            return names
        """, ["descriptor by hand (__get__)", "vars() or __dict__) with a key built at run time"]),
    "a one-line stub of a grader helper": ("""
        import importlib
        def forward(w, x):
            return importlib.import_module("autograder.probe.tensors").as_tensor(x @ w, "cpu")  # <-
        """, ["autograder.probe.tensors"]),
    "a TorchFunctionMode that lies on detach()": ("""
        from torch.overrides import TorchFunctionMode  # <-
        class Liar(TorchFunctionMode):  # <-
            def __torch_function__(self, func, types, args=(), kwargs=None):  # <-
                return func(*args, **(kwargs or {}))
        """, ["torch.overrides", "TorchFunctionMode", "defines __torch_function__"]),
    "a dispatch mode": ("""
        from torch.utils._python_dispatch import TorchDispatchMode  # <-
        """, ["torch.utils._python_dispatch"]),
    "a tensor type of its own": ("""
        class Sneaky(torch.Tensor):  # <-
            @classmethod
            def __torch_dispatch__(cls, func, types, args=(), kwargs=None):  # <-
                return func(*args, **(kwargs or {}))
        """, ["subclass of torch.Tensor", "defines __torch_dispatch__"]),
    "gc": ("""
        import gc
        for obj in gc.get_objects():  # <-
            pass
        owners = gc.get_referrers(forward)  # <-
        """, ["gc.get_objects()", "gc.get_referrers()"]),
    "sys.modules": ("""
        mods = sys.modules  # <-
        inputs = mods["autograder.probe.inputs"]  # <-
        """, ["sys.modules", "sys.modules"]),
    "inspect's stack": ("""
        import inspect
        for info in inspect.stack():  # <-
            pass
        here = inspect.currentframe()  # <-
        """, ["inspect.stack()", "inspect.currentframe()"]),
    "a trace hook": ("""
        sys.settrace(lambda frame, event, arg: None)  # <-
        """, ["trace hook"]),
    "dunders": ("""
        forward.__globals__["mse"] = None  # <-
        everything = ().__class__.__base__.__subclasses__()  # <-
        __builtins__["print"] = None  # <-
        mse.__code__ = forward.__code__  # <-
        cells = forward.__closure__  # <-
        """, ["__globals__", "__subclasses__", "__builtins__", "__code__", "__closure__"]),
    "ctypes": ("""
        import ctypes  # <-
        ctypes.memmove(0, 0, 0)  # <-
        """, ["ctypes", "ctypes"]),
    "/proc": ("""
        channel = open("/proc/self/fd/3", "wb")  # <-
        import pathlib
        root = pathlib.Path("/") / "proc"  # <-
        """, ["/proc/self/fd/3", "'proc'"]),
    "descriptor writes": ("""
        import os
        os.write(3, b"x")  # <-
        os.dup2(1, 3)  # <-
        channel = open(3, "wb")  # <-
        other = os.fdopen(4, "w")  # <-
        """, ["os.write", "os.dup2", "open(<number>)", "os.fdopen"]),
    "assignments into torch and builtins": ("""
        import builtins
        import torch.nn.functional as F
        torch.nn.functional.mse_loss = lambda a, b: (a - b).abs().mean()  # <-
        F.mse_loss = None  # <-
        setattr(torch.Tensor, "detach", lambda self: self)  # <-
        builtins.print = None  # <-
        vars(torch)["randn"] = torch.zeros  # <-
        """, ["torch.nn.functional.mse_loss", "torch.nn.functional.mse_loss", "torch.Tensor.detach",
              "builtins.print", "torch.randn"]),
    "monkeypatching the loader": ("""
        import autograder.probe.loader as loader  # <-
        loader.load_submission = lambda path, level: None  # <-
        """, ["autograder.probe.loader", "grader's own code"]),
    "loading files by hand": ("""
        import importlib.util
        spec = importlib.util.spec_from_file_location("stolen", "/tmp/x.py")  # <-
        sys.meta_path.insert(0, None)  # <-
        module = importlib.util.module_from_spec(spec)  # <-
        """, ["spec_from_file_location", "meta_path", "importlib.util.module_from_spec"]),
    "names built at run time": ("""
        name = "mod" + "ules"
        table = getattr(sys, name)  # <-
        module = __import__(name)  # <-
        exec(name)  # <-
        value = eval(name)  # <-
        found = object.__getattribute__(sys, name)  # <-
        """, ["getattr() with a name", "__import__() with a name", "exec() with code", "eval() with code",
              "object.__getattribute__() with a name"]),
    "literal names folded": ("""
        table = getattr(sys, "mod" + "ules")  # <-
        frame = getattr(sys, "_getframe")(0)  # <-
        """, ["sys.modules", "sys._getframe()"]),
    "obfuscated names": ("""
        import base64
        gc_module = __import__(bytes([103, 99]).decode())  # <-
        text = base64.b64decode("Z2M=")  # <-
        joined = "".join(map(chr, [103, 99]))  # <-
        kit = importlib.import_module("redargotua"[::-1])  # <-
        """, ["bytes at run time", "base64.b64decode", "builtins.chr", "reverses"]),
    "the same reached around the rules": ("""
        import importlib, os, socket
        from sys import *
        table = modules  # <-
        again = importlib.sys.modules  # <-
        write = os.__dict__["write"]  # <-
        object.__setattr__(torch, "zeros", torch.ones)  # <-
        import functools
        frames = functools.reduce(getattr, ["_get" + "frame"], sys)  # <-
        text = "%c%c" % (103, 99)  # <-
        channel = socket.socket(fileno=3)  # <-
        """, ["sys.modules", "sys.modules", "os.write", "torch.zeros", "passes getattr()", "%c", "fileno="]),
    "code in an exec literal": ("""
        exec("import gc\\nfor o in gc.get_objects(): pass")  # <-
        """, ["gc.get_objects()"]),
    "a class swapped under the grader": ("""
        def train_step(model, optimizer, x, y):
            optimizer.__class__ = object  # <-
        """, ["__class__"]),
    "names passed by keyword, the kit's in capitals": ("""
        import importlib, inspect
        kit = importlib.import_module(name="AUTOGRADER".lower() + ".probe.fixtures")  # <-
        pieces = {key: value for key, value in vars(kit).items() if key.endswith("Fixture")}
        inputs = importlib.import_module(name="autograder.probe.inputs")  # <-
        package = "AutoGrader"  # <-
        table = inspect.getattr_static(obj=sys, attr=package)  # <-
        code = compile(source=package, filename="x", mode="exec")  # <-
        module = __import__(name=package)  # <-
        again = importlib.import_module(**{"name": package})  # <-
        pair = getattr(*(sys, package))  # <-
        parts = __import__("importlib", fromlist=[package])  # <-
        nearby = importlib.import_module(".fixtures", package=package)  # <-
        fetch = importlib.import_module  # <-
        found = list(map(importlib.import_module, [package]))  # <-
        """, ["import_module() with a name built at run time", "autograder.probe.inputs", "'AutoGrader'",
              "getattr_static() with a name", "compile() with code", "__import__() with a name",
              "import_module() with arguments", "getattr() with arguments", "__import__() with a name",
              "import_module() with a package", "passes importlib.import_module()",
              "passes importlib.import_module()"]),
    "the table of modules reached another way": ("""
        import builtins, importlib, inspect
        import pydoc  # <-
        table = sys.__dict__.get("modules")  # <-
        names = vars(builtins)  # <-
        found = pydoc.locate("json")  # <-
        home = inspect.getmodule(forward)  # <-
        seen = inspect.getclosurevars(forward)  # <-
        hidden = importlib.__dict__  # <-
        again = sys.__getattribute__("modules")  # <-
        table = importlib.sys.__getattribute__("mod" + "ules".upper().lower())  # <-
        torch.Tensor.__setattr__(torch.Tensor, "detach", None)  # <-
        """, ["pydoc", "sys.__dict__", "vars(builtins)", "pydoc.locate", "inspect.getmodule",
              "inspect.getclosurevars", "importlib.__dict__", "sys.modules", "__getattribute__() with a name",
              "torch.Tensor.detach"]),
    "the challenge's context variable": ("""
        import contextvars  # <-
        for var in contextvars.copy_context():  # <-
            pass
        from contextvars import copy_context  # <-
        import asyncio
        context = asyncio.current_task()._context  # <-
        """, ["contextvars", "copy_context", "contextvars", "_context"]),
    "torch's private hook tables": ("""
        def _unhook(model, x):
            model._forward_hooks.clear()  # <-
            for tensor in model.parameters():
                tensor._backward_hooks = None  # <-
            table = model.__dict__["_forward_pre_hooks"]  # <-
            return x._grad_fn  # <-
        from torch.nn.modules.module import _global_forward_hooks  # <-
        torch.nn.modules.module.register_module_forward_hook(lambda module, args, out: out)  # <-
        """, ["_forward_hooks", "_backward_hooks", "_forward_pre_hooks", "_grad_fn", "_global_forward_hooks",
              "register_module_forward_hook"]),
    "attributes read by a format string": ("""
        def _spy(frame, model):
            text = "{0.f_back.f_locals}".format(frame)  # <-
            more = "{0:{1.__globals__}}".format(1, forward)  # <-
            hooks = "{.__class__._forward_hooks}".format(model)  # <-
            return "{0.shape} {0!r:>{1}}".format(model, 10)
        """, ["f_back", "__globals__", "_forward_hooks"]),
    "the builtins module behind a builtin's __self__": ("""
        table = print.__self__  # <-
        loader = len.__self__.__import__("gc")  # <-
        name = "__self__"  # <-
        again = getattr(abs, "__self__")  # <-
        """, ["__self__", "__self__", "__self__", "__self__"]),
    "string annotations evaluated": ("""
        import typing
        def forward(w, x: "__import__('gc').get_objects()"):  # <-
            return x @ w
        hints = typing.get_type_hints(forward)  # <-
        from typing import get_type_hints  # <-
        value: "sys._getframe(0)" = 1  # <-
        """, ["string annotation", "typing.get_type_hints", "typing.get_type_hints", "string annotation"]),
    "an unpickler's names": ("""
        import io, pickle
        found = pickle.Unpickler(io.BytesIO(b"")).find_class("sys", "modules")  # <-
        loaded = pickle.loads(b"cos\\nsystem\\n.")  # <-
        again = pickle.load(io.BytesIO(bytes([99, 111, 115])))  # <-
        payload = b"\\x80\\x04\\x95"  # <-
        """, ["pickle.Unpickler", "pickle.loads", "pickle.load", "pickle in a bytes literal"]),
    "torch's private internals": ("""
        found = torch._utils._import_dotted_name("sys.modules")  # <-
        from torch._utils import _import_dotted_name  # <-
        import torch._dynamo  # <-
        """, ["torch._utils", "torch._utils", "torch._dynamo"]),
    "names resolved by configuration or patching": ("""
        import logging.config  # <-
        logging.config.dictConfig({"version": 1, "handlers": {"h": {"()": "sys.exit"}}})  # <-
        from logging.config import BaseConfigurator  # <-
        from unittest import mock  # <-
        mock.patch("torch.allclose", lambda *a, **k: True).start()  # <-
        import string
        field = string.Formatter().get_field("0.f_globals", [forward], {})  # <-
        """, ["logging.config", "logging.config", "logging.config", "unittest.mock", "unittest.mock",
              "Formatter"]),
    "the table of modules read, not asked": ("""
        found = sys.modules.get("torch")  # <-
        hidden = "x" in sys.modules and sys.modules  # <-
        """, ["sys.modules", "sys.modules"]),
    "hook tables torch names, also on self": ("""
        class M(torch.nn.Module):
            def clear(self):
                self._forward_hooks.clear()  # <-
                _backward_hooks = {}  # <-
        """, ["_forward_hooks", "_backward_hooks"]),
    "the random generators the probes seed": ("""
        import numpy as np
        import random
        np.random.seed = lambda seed: None  # <-
        random.seed = print  # <-
        setattr(sys, "excepthook", None)  # <-
        """, ["numpy.random.seed", "random.seed", "sys.excepthook"]),
}


def marked_lines(text):
    return [number for number, line in enumerate(text.splitlines(), 1) if line.rstrip().endswith(MARK)]


def attack_file(code):
    """The untouched stubs, then the attack: what a stub-only submission with hook code looks like."""
    return STUBS + "\n" + textwrap.dedent(code).lstrip("\n")


def test_every_rule_has_an_attack():
    rules_seen = {rule for rule, _ in rules.NAMES.values()} | {rule for _, rule, _ in rules.QUALIFIED}
    flagged = set()
    names = flagger.probe_names()
    for code, _ in ATTACKS.values():
        scan = rules.Scan(names)
        flagged |= {rule for _, rule in scan.run(ast.parse(attack_file(code)))}
    missing = rules_seen - flagged - {"code"}  # types.FunctionType: below, on its own
    assert not missing, f"rules without an attack in the corpus: {sorted(missing)}"


@pytest.mark.parametrize("name", ATTACKS)
def test_an_attack_is_flagged_on_its_lines(name):
    code, whys = ATTACKS[name]
    text = attack_file(code)
    expected = marked_lines(text)
    flags = rules.read_file("level1_manual.py", text.encode(), flagger.probe_names())
    by_line = {}
    for flag in flags:
        by_line.setdefault(flag["line"], []).append(flag["why"])
    assert sorted(by_line) == expected, f"{name}: flagged {by_line}, expected lines {expected}"
    for line, why in zip(expected, whys):
        assert any(why in text for text in by_line[line]), f"{name}, line {line}: {by_line[line]} lacks {why!r}"


def test_the_attack_corpus_through_the_api(tmp_path):
    """One reader for every attack file, as the grader calls it: each file flagged, each flag a Flag."""
    files = {}
    for index, (code, _) in enumerate(ATTACKS.values()):
        path = tmp_path / f"attack{index}" / "level1_manual.py"
        path.parent.mkdir()
        path.write_text(attack_file(code))
        files[index] = path
    flags = flag_submission(files)
    flagged = {(f.file, f.line) for f in flags}
    for index, path in files.items():
        assert all(("level1_manual.py", line) in flagged for line in marked_lines(path.read_text())), path
    assert all(isinstance(f, Flag) and f.why for f in flags)
    assert flags[0].to_json() == {"file": flags[0].file, "line": flags[0].line, "why": flags[0].why}
    assert json.loads(json.dumps([f.to_json() for f in flags]))[0].keys() == {"file", "line", "why"}


def test_a_function_built_from_raw_code_is_flagged():
    text = "import types\nf = types.FunctionType(compile('1', 'x', 'eval'), {})\n"
    whys = [flag["why"] for flag in rules.read_file("level1_manual.py", text.encode(), {})]
    assert any("builds a function from raw code" in why for why in whys), whys


def test_a_hidden_encoding_is_flagged_and_read_as_python_reads_it():
    # in UTF-7, "+AAo-" is a line break: the import hides in what a reader takes for a comment
    raw = b"# -*- coding: utf-7 -*-\n# nothing here +AAo-import autograder.probe.inputs\n"
    flags = rules.read_file("level1_manual.py", raw, {})
    assert [(f["line"], "utf-7" in f["why"] or "autograder.probe.inputs" in f["why"]) for f in flags] == \
        [(1, True), (3, True)], flags


def test_probe_names_come_from_the_probe_sides_own_definitions():
    names = flagger.probe_names()
    for given in ("LinearFixture", "RecordingLoss", "CountingSGD", "WatchingSGD", "IndexData", "TrainingRecorder",
                  "LoaderBatches"):
        assert given in names, f"{given} missing from {sorted(names)}"
    # plain words (Trial, Watch) and function names (train_data, start_weights) are any program's own:
    # its strings, dict keys and attributes collide with them; contract names are the student's
    assert not {"describe", "main", "encode", "plain", "Trial", "Watch", "train_data", "start_weights",
                "populated_weights", "load_submission", "weight_count", "data_samples"} & set(names)
    assert not set(CONTRACT) & set(names)


def test_names_a_file_defines_itself_are_its_own():
    text = STUBS + "\ndef train_data():\n    return 1\n\nvalue = train_data()\nx = torch.as_tensor([1.0])\n"
    assert rules.read_file("level1_manual.py", text.encode(), flagger.probe_names()) == []


def test_exit_calls_are_not_reaching_into_the_grader():
    text = "import os, sys\nos._exit(1)\nsys.exit(2)\nimport time\ntime.sleep(1)\n"
    assert rules.read_file("level3_module.py", text.encode(), flagger.probe_names()) == []


# --- notebooks


def notebook_with(*cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return notebook


def test_a_notebook_cell_is_flagged_with_its_cell_and_line(tmp_path):
    path = tmp_path / "level1_manual.ipynb"
    nbformat.write(notebook_with("import torch", "%matplotlib inline\nimport gc\nobjs = gc.get_objects()"), str(path))
    assert flag_file(path) == [Flag("level1_manual.ipynb:cell2", 3, "reads the grader's objects through "
                                                                    "gc.get_objects()")]


def test_a_notebooks_grade_cell_hides_nothing_that_runs(tmp_path):
    notebook = notebook_with("import sys\nmods = sys.modules")
    notebook.cells[0].metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "x", "points": 1}
    path = tmp_path / "level1_manual.ipynb"
    nbformat.write(notebook, str(path))
    assert flag_file(path) == []  # the grading never runs a grade cell
    notebook.cells[0].metadata["nbgrader"]["solution"] = True
    nbformat.write(notebook, str(path))
    assert [f.line for f in flag_file(path)] == [2]


def v3_notebook(*worksheets, **top):
    """A version 3 notebook: code cells ("input") in worksheets, as nbformat 3 wrote them."""
    sheets = [{"metadata": {}, "cells": [{"cell_type": "code", "input": source, "language": "python",
                                          "metadata": {}, "outputs": [], **extra} for source, extra in sheet]}
              for sheet in worksheets]
    return {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": sheets, **top}


def test_every_worksheet_of_a_version_3_notebook_is_read(tmp_path):
    from autograder.probe.notebook_code import notebook_source

    path = tmp_path / "level1_manual.ipynb"
    path.write_text(json.dumps(v3_notebook([("import torch", {})], [("import sys; M = sys.modules", {})])))
    assert "sys.modules" in notebook_source(path), "the grader runs the second worksheet"
    assert [(f.file, f.line) for f in flag_file(path)] == [("level1_manual.ipynb:cell2", 1)]


def test_a_notebook_is_read_where_its_version_says_the_code_is(tmp_path):
    from autograder.probe.notebook_code import notebook_source

    path = tmp_path / "level1_manual.ipynb"
    # version 3: the grader runs "input", not a decoy "source", nor a decoy top-level "cells"
    decoy = {"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": []}]}
    path.write_text(json.dumps(v3_notebook([("import gc\nobjs = gc.get_objects()", {"source": "y = 2"})], **decoy)))
    assert "gc.get_objects" in notebook_source(path)
    assert [(f.file, f.line) for f in flag_file(path)] == [("level1_manual.ipynb:cell1", 2)]
    # version 1 (no nbformat field): cells hold "code", and their metadata (a grade cell's) is dropped
    grade = {"nbgrader": {"grade": True, "solution": False, "grade_id": "x", "points": 1}}
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "code": "import sys\nM = sys.modules",
                                           "metadata": grade}]}))
    assert "sys.modules" in notebook_source(path)
    assert [(f.file, f.line) for f in flag_file(path)] == [("level1_manual.ipynb:cell1", 2)]


# --- bounds: one "unreadable" flag, never a crash or a stall


def unreadable(path):
    began = time.monotonic()
    flags = flag_file(path)
    assert time.monotonic() - began < flagger.READ_SECONDS + 5
    assert len(flags) == 1 and flags[0].why.startswith("unreadable: ") and flags[0].line is None, flags
    return flags[0].why


@pytest.mark.parametrize("name, content, why", [
    ("too large", "x = 1\n" * (flagger.MAX_SOURCE_BYTES // 6 + 1), "larger than"),
    ("deep unary", "x = " + "-" * 100000 + "1\n", "nested too deeply"),
    ("deep chain", "x = " + "+".join(["1"] * 100000) + "\n", "nested too deeply"),
    ("deep attributes", "x = a" + ".b" * 100000 + "\n", "nested too deeply"),
    ("undecodable", b"x = '\xff\xfe'\n", "not valid utf-8"),
    ("null bytes", b"x = 1\x00\n", "not Python text"),
    ("unknown encoding", b"# coding: no-such-codec\nx = 1\n", "encoding"),
])
def test_a_file_that_cannot_be_read_is_one_flag(tmp_path, name, content, why):
    path = tmp_path / "level1_manual.py"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert why in unreadable(path)


@pytest.mark.parametrize("name, content, why", [
    ("not json", "{", "not valid JSON"),
    ("deep json", "[" * 100000 + "]" * 100000, "nested too deeply"),
    ("no cells", "[1, 2]", "no cells"),
    ("too much code", json.dumps({"cells": [{"cell_type": "code", "source": "x = 1\n" * 50000}]}), "KiB of text"),
])
def test_a_notebook_that_cannot_be_read_is_one_flag(tmp_path, name, content, why):
    path = tmp_path / "level1_manual.ipynb"
    path.write_text(content)
    assert why in unreadable(path)


def test_a_syntax_error_is_no_flag(tmp_path):
    """A file that does not parse fails its import, which the grader already reports."""
    path = tmp_path / "level3_module.py"
    path.write_text("def forward(self, x)\n    return x\n")
    assert flag_file(path) == []


def test_a_fifo_is_not_waited_on(tmp_path):
    path = tmp_path / "level1_manual.py"
    os.mkfifo(path)
    assert "not a regular file" in unreadable(path)


def test_a_stalled_reader_is_cut_off_and_the_other_files_still_read(tmp_path, monkeypatch):
    stall, honest = tmp_path / "a" / "level1_manual.py", tmp_path / "b" / "level2_dataset.py"
    for path in (stall, honest):
        path.parent.mkdir()
    stall.write_text("x = 1\n")
    honest.write_text("import gc\ngc.get_objects()\n")
    real = flagger.run_child

    def slow_on_the_first(files, names):
        if files[0][1] == "level1_manual.py":  # a reader that never answers on this file
            monkeypatch.setattr(flagger, "CHILD", [sys.executable, "-c", "import time; time.sleep(60)"])
        else:
            monkeypatch.setattr(flagger, "CHILD", [sys.executable, "-I", str(flagger.RULES)])
        return real(files, names)

    monkeypatch.setattr(flagger, "READ_SECONDS", 2.0)
    monkeypatch.setattr(flagger, "run_child", slow_on_the_first)
    began = time.monotonic()
    flags = flag_submission({1: stall, 2: honest})
    assert time.monotonic() - began < 15
    assert [(f.file, f.line) for f in flags] == [("level1_manual.py", None), ("level2_dataset.py", 2)], flags
    assert "longer than 2 seconds" in flags[0].why


def test_a_reader_that_dies_makes_its_file_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "level1_manual.py"
    path.write_text("x = 1\n")
    monkeypatch.setattr(flagger, "CHILD", [sys.executable, "-c", "import os; os._exit(3)"])
    assert "exit status 3" in unreadable(path)


# --- the probe side's tripwire: contract names that reach the grader's code through a wrapper


def submission(tmp_path, code, level=1):
    path = tmp_path / LEVEL_FILES[level]
    path.write_text(mutate(level, {}) + "\n" + textwrap.dedent(code))
    return import_level(level, path)


WRAPPED = {
    "bound directly": "from autograder.probe.tensors import describe as forward",
    "partial": "import functools\nfrom autograder.probe import tensors\nforward = functools.partial(tensors.describe)",
    "lambda over a module": "from autograder.probe import tensors as t\nforward = lambda w, x: t.describe(x @ w)",
    "closure": ("from autograder.probe.level1_manual import populated_weights\n"
                "def wrap(helper):\n    def sgd_update(w, lr):\n        return helper(w, lr)\n    return sgd_update\n"
                "sgd_update = wrap(populated_weights)"),
    "default argument": ("from autograder.probe.tensors import describe\n"
                         "def forward(w, x, _helper=describe):\n    return _helper(x @ w)"),
    "a helper of its own in between": ("from autograder.probe.tensors import describe as _d\n"
                                       "def _mine(t):\n    return _d(t)\ndef forward(w, x):\n    return _mine(x @ w)"),
    "a bound method": "from autograder.probe.tensors import WarningLog\nforward = WarningLog().__enter__",
    "a hook table": ("from autograder.probe import fixtures\nHOOKS = {'data': fixtures.train_tensors}\n"
                     "def make_data(samples=1000, device='cpu'):\n    return HOOKS['data'](device)"),
    "functools.wraps": ("import functools\nfrom autograder.probe.tensors import describe\n"
                        "@functools.wraps(describe)\ndef forward(w, x):\n    return x @ w\n"
                        "forward.__wrapped__ = describe"),
}


@pytest.mark.parametrize("name", WRAPPED)
def test_a_grader_helper_behind_a_wrapper_is_refused(tmp_path, name):
    module, error = submission(tmp_path, WRAPPED[name])
    assert module is None and error["diagnosis"] == "borrowed_from_grader", (name, error)
    assert "level1_manual.py:" in error["message"] and "grader's own code" in error["message"]


def test_a_class_whose_methods_call_the_grader_is_refused(tmp_path):
    code = ("from autograder.probe.given_model import LinearFixture\n"
            "class CustomLinearModel(torch.nn.Module):\n    def __init__(self, num_parameters=2):\n"
            "        super().__init__()\n        self.inner = LinearFixture([0.0, 0.0], 'cpu')\n"
            "    def forward(self, x):\n        return self.inner(x)\n")
    module, error = submission(tmp_path, code, level=4)
    assert error and "CustomLinearModel" in error["message"], error
    code = ("from autograder.probe.fixtures import CountingSGD\n"
            "class Opt:\n    make = staticmethod(CountingSGD)\n"
            "def make_optimizer(model, lr=0.01):\n    return Opt.make(model.parameters(), lr=lr)\n")
    module, error = submission(tmp_path, code, level=4)
    assert error and "make_optimizer" in error["message"], error
    code = ("from autograder.probe import fixtures\n"
            "class RandomData(Dataset):\n    tensors = fixtures.train_tensors\n")
    module, error = submission(tmp_path, code, level=2)
    assert error and "RandomData" in error["message"], error
    code = "from autograder.probe.given_model import LinearFixture\nclass CustomLinearModel(LinearFixture):\n    pass\n"
    module, error = submission(tmp_path, code, level=3)
    assert error and "CustomLinearModel" in error["message"], error


def test_honest_files_import_with_the_tripwire_on(tmp_path):
    for folder in (SOLUTIONS_DIR, EXERCISES_DIR):
        for level, name in LEVEL_FILES.items():
            module, error = import_level(level, folder / name)
            assert error is None, (folder, level, error)
    for index, entry in enumerate(CORRECT_VARIANTS):
        path = tmp_path / f"v{index}" / LEVEL_FILES[entry.level]
        path.parent.mkdir()
        path.write_text(source_of(entry))
        module, error = import_level(entry.level, path)
        assert error is None, (entry.name, error)


def test_a_why_quoting_the_files_own_text_stays_one_clean_line():
    text = 'import autograder\nx = getattr(autograder, "\\x1b[2J\\n' + "y" * 1000 + '")\n'
    flags = rules.read_file("level1_manual.py", text.encode(), {})
    assert [f["line"] for f in flags] == [1, 2], flags
    assert all(why.isprintable() and len(why) <= 300 for why in (f["why"] for f in flags)), flags


HONEST_EXTRAS = """
import json
import logging
import os
import pickle
import random
import time
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
plt.rcParams["figure.figsize"] = (6, 4)
matplotlib.rcParams["lines.linewidth"] = 2
pd.options.display.max_rows = 10
pd.set_option("display.precision", 3)
np.set_printoptions(precision=3)
logging.basicConfig(level=logging.INFO)
torch.manual_seed(0)
np.random.seed(0)
random.seed(0)
torch.backends.cudnn.deterministic = True
torch.backends.cuda.matmul.allow_tf32 = False
torch.set_printoptions(precision=3)
device = "cuda" if torch.cuda.is_available() else "cpu"


class Settings:
    def __init__(self, **options):
        self.__dict__.update(options)

    def as_dict(self):
        return dict(vars(self))


def watch(model, w, loss):
    '''Hooks of its own, for the autograder's training run: public torch API, removed after.'''
    seen = []
    handle = model.register_forward_hook(lambda module, args, out: seen.append(out.shape))
    handle.remove()
    if w.grad_fn is None and loss.grad_fn is not None:
        seen.append(type(loss.grad_fn).__name__)
    return seen, Settings(lr=0.1).as_dict()


def report(losses, folder="runs"):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "losses.json"), "w") as handle:
        json.dump([float(x) for x in losses], handle)
    with open(os.path.join(folder, "losses.pkl"), "wb") as handle:
        pickle.dump(losses, handle)
    started = time.time()
    plt.plot(losses)
    plt.savefig(os.path.join(folder, "losses.png"))
    logging.info("plotted in %.2f s", time.time() - started)
    print(f"final loss {losses[-1]:.3g}", type(losses).__name__, getattr(losses, "shape", None))
    train_data = torch.as_tensor(losses)
    stacked = torch.stack([train_data, train_data])
    return stacked.sum().item(), sys.argv[1:]


# names the probe side also uses, as the student's own strings, keys and attributes
import argparse
import base64
import gzip
import importlib.util
import io


def sweep(dataset, losses, lr=0.1):
    parser = argparse.ArgumentParser()
    parser.add_argument("--train_data", default="data.csv")
    parser.add_argument("--weight_count", type=int, default=2)
    args = parser.parse_args([])
    config = {"train_data": args.train_data, "start_weights": [0.0] * args.weight_count}
    for i in range(3):
        print("Trial", i, "lr", lr)
    label = "Watch"
    return config, label, dataset.data_samples


def encoded_plot(losses, folder="runs"):
    buffer = io.BytesIO()
    plt.plot(losses)
    plt.savefig(buffer, format="png")
    image = base64.b64encode(buffer.getvalue()).decode("ascii")
    with open(os.path.join(folder, "losses.pkl"), "rb") as handle:
        cached = pickle.load(handle)
    with gzip.open(os.path.join(folder, "losses.json.gz"), "wt") as handle:
        json.dump(cached, handle)
    rule = chr(9472) * 40
    letters = [chr(65 + i) for i in range(3)]
    has_tqdm = importlib.util.find_spec("tqdm") is not None
    return image, rule, letters, has_tqdm


class Recorder:
    def __init__(self):
        self._hooks = []

    def add(self, module):
        self._hooks.append(module.register_forward_hook(lambda m, a, out: None))

    def close(self):
        for handle in self._hooks:
            handle.remove()
        self._hooks = []


class Tee:
    def __init__(self, path):
        self.file, self.stream = open(path, "a"), sys.stdout

    def write(self, text):
        self.file.write(text)
        return self.stream.write(text)

    def flush(self):
        self.file.flush()
        self.stream.flush()


def setup_logging(path="run.log"):
    in_colab = "google.colab" in sys.modules
    if "torch" in sys.modules and not in_colab:
        sys.stdout = Tee(path)
        sys.stderr = sys.stdout
    return in_colab


def typed(x: "torch.Tensor", n: "int | None" = None) -> "list[torch.Tensor]":
    return [x] * (n or 1)
"""


def test_what_students_add_around_the_stubs_is_not_flagged():
    """Seeds, torch's switches, plots, logs, files of their own, getattr with a literal name."""
    text = (SOLUTIONS_DIR / LEVEL_FILES[1]).read_text() + HONEST_EXTRAS
    assert rules.read_file("level1_manual.py", text.encode(), flagger.probe_names()) == []


def test_a_file_of_long_attribute_chains_is_read_in_linear_time():
    """x = a.b.b...b, 2000 attributes a chain, ~240 KB: the chains are flagged, cheaply."""
    body = "".join(f"    x{i} = a" + ".b" * 2000 + "\n" for i in range(58))
    text = "def f(a):\n" + body
    assert len(text) > 230_000
    began = time.process_time()
    flags = rules.read_file("level1_manual.py", text.encode(), {})
    assert time.process_time() - began < 2.0
    assert len(flags) == rules.MAX_FLAGS + 1 and all("chains more than" in f["why"] for f in flags[:-1]), flags[:3]
    short = "def f(a):\n    x = a" + ".b" * rules.MAX_CHAIN + "\n"
    assert rules.read_file("level1_manual.py", short.encode(), {}) == []
    # a long chain of + of strings too: only its outermost + is read
    text = "def f(a):\n" + "".join(f"    x{i} = " + '"a"' + ' + "a"' * 1500 + "\n" for i in range(26))
    began = time.process_time()
    assert rules.read_file("level1_manual.py", text.encode(), {}) == []
    assert time.process_time() - began < 2.0
    hidden = 'x = ("__glo" + "bals__") * 1\n'
    assert any("__globals__" in f["why"] for f in rules.read_file("level1_manual.py", hidden.encode(), {}))


def test_the_probe_names_are_read_once_whatever_the_threads(monkeypatch):
    """A batch flags students in worker threads; CPython 3.11's ast fails when two threads parse at once."""
    import threading

    from autograder.review import flagger

    monkeypatch.setattr(flagger, "_PROBE_NAMES", None)
    reads, errors = [], []
    real = flagger.probe_names

    def counted():
        reads.append(1)
        return real()

    monkeypatch.setattr(flagger, "probe_names", counted)

    def read():
        try:
            assert "LinearFixture" in flagger._probe_names()
        except Exception as error:  # noqa: BLE001 (any failure fails the test below)
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(reads) == 1
