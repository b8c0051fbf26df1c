"""Probe-side steps: import a level file, run one check's probe. Used inside the sandbox, and
in-process by the student's self-check and nbgrader's grade cells (their own code, their own
machine). Returns plain data only; judging happens elsewhere."""

import functools
import importlib
import json
import os
import random
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from autograder.probe import inputs
from autograder.probe.discovery import contract_names, level_modules
from autograder.probe.loader import load_submission
from autograder.probe.tensors import WarningLog, describe_exception, error_record


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
        from autograder.probe.notebook_code import notebook_source  # heavy: nbformat, for notebooks only

        try:
            code = notebook_source(path, given)
        except ValueError as error:
            return None, error_record(str(error), plain=True)
        except Exception as error:  # anything a crafted notebook makes the reader raise: said, not raised
            return None, error_record(f"{path.name} is not a readable notebook: {type(error).__name__}", plain=True)
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
        return None, error_record(f"{path.name}: {', '.join(borrowed)} come(s) from the grader's own code or "
                                  "call(s) it, not from this file. Write the stubs yourself; the grader's helpers "
                                  "are not answers.", diagnosis="borrowed_from_grader", plain=True)
    return module, None


def level_of(check_id):
    return int(check_id.split(".")[0].removeprefix("level"))


def level_probes(level):
    """{check id: probe} of one level, importing that level's probe module only: a zygote's fork for one
    check holds no other level's probes, and no given piece but its own (see the level modules)."""
    name = next(module.name for module in level_modules() if module.number == level)
    return importlib.import_module(f"autograder.probe.{name}").PROBES


CONTRACT = contract_names()
LAZY = ("steps", "fixtures", "given_model")  # what the probes import inside themselves (`# given:`)


# The names of the student contract (CONTRACT, see the README's table): none may be the grader's own
# object, nor reach one (through a wrapper, a closure, a default, a global its code reads, a method).
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


# The probe side's own state that changes as it runs (not a sign of tampering).
MUTABLE = {("autograder.probe.loader", "_counter")}


def _is_kit(name):
    return name == "autograder" or name.startswith("autograder.")


def settle_optimizers():
    """torch.optim wraps an Optimizer class's step() the first time one of its instances is made: let
    that happen to the probe side's optimizers before the fingerprint, or it would read as tampering."""
    param = torch.nn.Parameter(torch.zeros(1))
    for name, module in list(sys.modules.items()):
        if not _is_kit(name) or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and issubclass(value, torch.optim.Optimizer) and value.__module__ == name:
                try:
                    torch.optim.Optimizer.__init__(value.__new__(value), [param], {"lr": 0.1})
                except Exception:  # an optimizer that cannot be made so is simply not settled
                    pass


def grader_fingerprint():
    """{(module, name, part): identity} of the probe side as loaded: every name of every kit module,
    the entries of its dicts (the probe registry), the attributes of its classes and each function's
    code. Student code that swaps a probe, a fixture's method or an input constant changes it."""
    seen = {}
    for name, module in list(sys.modules.items()):
        if not _is_kit(name) or module is None:
            continue
        for key, value in list(vars(module).items()):
            if (name, key) in MUTABLE or key == "__warningregistry__":  # the warnings machinery's, per module
                continue
            seen[(name, key, "")] = (id(value), id(getattr(value, "__code__", None)))
            if type(value) is dict:
                for item, entry in list(value.items()):
                    seen[(name, key, f"[{item!r}]")] = (id(entry), id(getattr(entry, "__code__", None)))
            elif isinstance(value, type) and getattr(value, "__module__", None) == name:
                for item, entry in list(vars(value).items()):
                    seen[(name, key, f".{item}")] = (id(entry), id(getattr(entry, "__code__", None)))
    return seen


def tampered(before, now):
    """The first part of the probe side that student code changed, as text, or None. A kit module
    imported later (a lazy submodule, read from the read-only kit) is new as a whole, and its
    package gains its name; nothing else may be added."""
    for key, identity in before.items():
        if now.get(key) != identity:
            return "{}.{}{}".format(*key)
    loaded = {key[0] for key in before}
    for key in now.keys() - before.keys():
        module, name, part = key
        if module not in loaded:
            continue
        added = sys.modules.get(module)
        value = getattr(added, name, None) if not part else None
        if not (type(value) is types.ModuleType and _is_kit(value.__name__)):
            return "{}.{}{}".format(*key)
    return None


def tampering_error(path, what):
    return error_record(f"{Path(path).name} changed the grader's own code while it ran ({what}): the grader's "
                        "pieces are not answers. Write the stubs yourself.", diagnosis="borrowed_from_grader",
                        plain=True)


def run_steps(request, emit):
    """Run request["steps"] in order; emit({"id": step, "result": ...}) after each.

    Every level's steps start with its import step. An import step's result is {"data": None}
    or {"load_error": ...}; after a load error the level's other steps are not run (the parent
    knows and does not wait for them). The probe side is fingerprinted before any student code
    runs (kept in locals, out of a submission's reach) and checked after every step: once student
    code has changed it, every step left reports that instead of a result."""
    ctx = ProbeContext(device=request["device"], challenge=int(request["challenge"]))
    modules, failed, shared = {}, set(), {}
    probes = {}
    for level in sorted({level_of(step) for step in request["steps"]}):
        probes.update(level_probes(level))
    for name in LAZY:  # loaded before any student code, so the fingerprint covers them: a module planted
        try:  # in sys.modules under their names would change it (masked in this fork: not importable)
            importlib.import_module(f"autograder.probe.{name}")
        except ImportError:
            pass
    fingerprint, differs = grader_fingerprint, tampered  # before any student code
    settle_optimizers()
    before, changed = fingerprint(), None  # changed: what student code altered, once it has
    for step in request["steps"]:
        level = level_of(step)
        if level in failed:
            continue
        path = request["files"][str(level)]
        if changed is not None:  # an earlier step's code changed the grader: nothing after it is its own
            if step.endswith(".import"):
                failed.add(level)
                emit({"id": step, "result": {"load_error": tampering_error(path, changed)}})
            else:
                emit({"id": step, "result": {"error": tampering_error(path, changed)}})
            continue
        if step.endswith(".import"):
            module, error = import_level(level, path, (request.get("given") or {}).get(str(level)))
            changed = differs(before, fingerprint())
            if error is None and changed is not None:  # the file changed the grader as it was imported
                error = tampering_error(path, changed)
            if error is not None:
                failed.add(level)
                emit({"id": step, "result": {"load_error": error}})
                continue
            modules[level] = module
            emit({"id": step, "result": {"data": None}})
        else:  # the file the module ran from (a notebook's code, written here), for error lines
            student_file = getattr(modules[level], "__file__", None) or str(path)
            result = run_shared(shared, probes[step], modules[level], ctx, student_file)
            changed = differs(before, fingerprint())
            if changed is not None:  # this step's own stubs changed the grader: its result is not theirs
                result = {"error": tampering_error(path, changed)}
            emit({"id": step, "result": result})


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
            for check_id, probe in level_probes(level).items()}
