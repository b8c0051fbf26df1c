"""Probe-side steps: import a level file, run one check's probe. Used inside the sandbox, and
in-process by the student's self-check and nbgrader's grade cells (their own code, their own
machine). Returns plain data only; judging happens elsewhere."""

import functools
import json
import os
import random
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from autograder.probe import inputs
from autograder.probe.loader import load_submission
from autograder.probe.registry import PROBES, level_of, probes_for_level
from autograder.probe.tensors import WarningLog, describe_exception


@dataclass
class ProbeContext:
    """What a probe gets besides the student's module: the device and the run's challenge (the
    seed of every probe input; see autograder.probe.inputs). Never the reference: it stays with the judge."""

    device: str
    challenge: int = 0


def prepare_comparisons():
    """Full float32 matmuls on GPUs: TF32 would round away digits the judges compare."""
    torch.set_float32_matmul_precision("highest")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def plain(data):
    """Round-trip through JSON: probes must return plain data, and in-process and sandboxed
    grading must see exactly the same thing."""
    return json.loads(json.dumps(data))


def seed_everything(seed=0):
    prepare_comparisons()
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def run_probe(probe, module, ctx, student_file=None):
    seed_everything()
    try:
        with WarningLog(), inputs.challenge(ctx.challenge):  # warnings must not reach stderr (nbgrader)
            return {"data": plain(probe(module, ctx))}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit and RecursionError from student code cost only this check
        return {"error": describe_exception(exc, student_file)}


def import_level(level, path, given=None):
    """(module, None) or (None, load_error). A notebook becomes code first, here, under the caller's limits."""
    path = Path(path)
    if path.suffix == ".ipynb":
        from autograder.probe.notebook_code import notebook_source

        try:
            code = notebook_source(path, given)
        except ValueError as error:
            return None, {"type": None, "message": str(error), "where": None, "plain": True}
        except Exception as error:  # anything a crafted notebook makes the reader raise
            return None, {"type": None, "message": f"{path.name} is not a readable notebook: "
                          f"{type(error).__name__}", "where": None, "plain": True}
        path = path.with_suffix(".py")
        path.write_text(code)
    try:
        with WarningLog():
            module = load_submission(path, level)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        return None, describe_exception(exc, str(path))
    borrowed = borrowed_names(module)
    if borrowed:
        return None, {"type": None, "where": None, "diagnosis": "borrowed_from_grader", "plain": True,
                      "message": f"{path.name}: {', '.join(borrowed)} come(s) from the grader's own code or "
                                 "call(s) it, not from this file. Write the stubs yourself; the grader's helpers "
                                 "are not answers."}
    return module, None


# The names of the student contract (see the README's table): none may be the grader's own object,
# nor reach one (through a wrapper, a closure, a default, a global its code reads, a method).
CONTRACT = ("make_data", "init_weights", "forward", "mse", "sgd_update", "zero_grad", "train", "RandomData",
            "make_loader", "CustomLinearModel", "make_optimizer", "train_step", "make_model", "make_loss")
KIT = str(Path(__file__).resolve().parent.parent)  # the autograder package
REACH_DEPTH = 8  # wrappers of wrappers: honest code nests none
CONTAINER_ITEMS = 100  # of a list or dict a stub's code reads: a hook table is small


def _from_kit(obj):
    try:
        if isinstance(obj, types.ModuleType):
            name = obj.__name__
            return isinstance(name, str) and (name == "autograder" or name.startswith("autograder."))
        module = getattr(obj, "__module__", None)
        if isinstance(module, str) and (module == "autograder" or module.startswith("autograder.")):
            return True
        code = getattr(obj, "__code__", None)
        filename = getattr(code, "co_filename", None)
        return isinstance(filename, str) and (filename == KIT or filename.startswith(KIT + os.sep))
    except Exception:  # an object whose attributes raise is not the grader's
        return False


def _names_read(code):
    """Every global or attribute name a code object (and the functions nested in it) reads."""
    names, stack, seen = set(), [code], set()
    while stack:
        code = stack.pop()
        if id(code) in seen:
            continue
        seen.add(id(code))
        names.update(code.co_names)
        stack += [const for const in code.co_consts if isinstance(const, types.CodeType)]
    return names


def _reaches_kit(obj, namespace, seen, depth=0):
    """Whether obj is, or through wrappers, closures, defaults, the globals its code reads
    (in the submission's own namespace) or a class's attributes leads to, the grader's code."""
    if id(obj) in seen or depth > REACH_DEPTH:
        return False
    seen.add(id(obj))
    if _from_kit(obj):
        return True
    try:
        parts = _parts(obj, namespace)
    except Exception:  # attributes that raise hide nothing this guard could follow
        return False
    return any(_reaches_kit(part, namespace, seen, depth + 1) for part in parts)


def _parts(obj, namespace):
    """The objects obj hands its calls to: what a wrapper wraps, what a function's code can reach."""
    if isinstance(obj, types.ModuleType):
        return []  # torch and the like: their own business; the grader's modules are caught above
    if isinstance(obj, type):
        own = [vars(base) for base in obj.__mro__ if vars(base).get("__module__") == namespace.get("__name__")]
        parts = [*obj.__mro__[1:]]
        for attributes in own:
            parts += list(attributes.values())
        return parts
    if isinstance(obj, functools.partial):
        return [obj.func, *obj.args, *obj.keywords.values()]
    if isinstance(obj, (staticmethod, classmethod)):
        return [obj.__func__]
    if isinstance(obj, property):
        return [obj.fget, obj.fset, obj.fdel]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return list(obj)[:CONTAINER_ITEMS]
    if isinstance(obj, dict):
        return [*list(obj.values())[:CONTAINER_ITEMS], *list(obj)[:CONTAINER_ITEMS]]
    if isinstance(obj, types.SimpleNamespace):
        return list(vars(obj).values())[:CONTAINER_ITEMS]
    if isinstance(obj, types.MethodType):
        return [obj.__func__, obj.__self__]
    if isinstance(obj, types.BuiltinMethodType):
        owner = getattr(obj, "__self__", None)
        return [] if owner is None or isinstance(owner, types.ModuleType) else [owner]
    if isinstance(obj, types.FunctionType):
        parts = [cell.cell_contents for cell in obj.__closure__ or () if _filled(cell)]
        parts += [*(obj.__defaults__ or ()), *(obj.__kwdefaults__ or {}).values()]
        wrapped = vars(obj).get("__wrapped__")
        if wrapped is not None:
            parts.append(wrapped)
        if obj.__globals__ is namespace:  # the submission's own code: what its globals hold
            parts += [namespace[name] for name in _names_read(obj.__code__) if name in namespace]
        return parts
    kind = type(obj)
    if kind.__module__ == namespace.get("__name__"):  # an instance of a class of the file's own
        return [kind, *getattr(obj, "__dict__", {}).values()]
    return []


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:  # an empty cell
        return False
    return True


def borrowed_names(module):
    """Contract names bound to the grader's functions or classes (or classes built on them), or
    reaching them through any wrapper."""
    namespace = vars(module)
    names = []
    for name in CONTRACT:
        obj = namespace.get(name)
        if obj is None:
            continue
        if _reaches_kit(obj, namespace, set()):
            names.append(name)
    return names


def run_steps(request, emit):
    """Run request["steps"] in order; emit({"id": step, "result": ...}) after each.

    Every level's steps start with its import step. An import step's result is {"data": None}
    or {"load_error": ...}; after a load error the level's other steps are not run (the parent
    knows and does not wait for them)."""
    ctx = ProbeContext(device=request["device"], challenge=int(request["challenge"]))
    modules, failed, shared = {}, set(), {}
    for step in request["steps"]:
        level = level_of(step)
        if level in failed:
            continue
        path = request["files"][str(level)]
        if step.endswith(".import"):
            module, error = import_level(level, path, (request.get("given") or {}).get(str(level)))
            if error is not None:
                failed.add(level)
                emit({"id": step, "result": {"load_error": error}})
                continue
            modules[level] = module
            emit({"id": step, "result": {"data": None}})
        else:  # the file the module ran from (a notebook's code, written here), for error lines
            student_file = getattr(modules[level], "__file__", None) or str(path)
            emit({"id": step, "result": run_shared(shared, PROBES[step], modules[level], ctx, student_file)})


def run_shared(shared, probe, module, ctx, student_file=None):
    """Checks that judge one probe's data two ways (forward and gradient, a step and its returned
    loss) run it once per module."""
    key = (id(module), probe)
    if key not in shared:
        shared[key] = run_probe(probe, module, ctx, student_file)
    return shared[key]


def load_and_probe(level: int, path, device: str, challenge: int = 0) -> dict:
    """In this process (the student's own code on their own machine, or the kit's tests): import
    the level file and run every probe. {"load_error": ...} or {check_id: result}."""
    module, error = import_level(level, path)
    if error is not None:
        return {"load_error": error}
    return probe_module(level, module, ProbeContext(device=device, challenge=challenge), str(path))


def probe_module(level, module, ctx, student_file=None):
    """{check_id: result} for every probe of the level, on an imported module."""
    shared = {}
    return {check_id: run_shared(shared, probe, module, ctx, student_file)
            for check_id, probe in probes_for_level(level).items()}
