"""The static read behind autograder.review.flagger: which lines of a submission reach into the
grader, or lie through torch. Standard library only, so that it runs as a script of its own in a
child process (see flagger.py), the bounded place where untrusted text is parsed.

A rule flags code, never style: every rule names something honest level code has no use for
(the grader's package, frames, gc, raw descriptors, torch's override machinery and private hook
tables, context variables, assignments into the namespaces the grader runs with, module namespaces
read whole, names built at run time for getattr/import/exec)."""

import ast
import base64
import builtins
import codecs
import io
import json
import re
import string
import sys
import tokenize

import _string

from autograder.probe.discovery import contract_names

MAX_FLAGS = 50  # per file: enough for review, bounded for the report
MAX_LITERAL_DEPTH = 2  # exec("...") of a literal is read too, this many levels down
NOTEBOOK_CELLS = 2000
MAX_CODE_CHARS = 256 * 1024  # of a notebook's code cells together, as for a level file

# The names of the student contract: rebinding one at run time (`global forward`) swaps a stub
# after the grader's import check.
CONTRACT = contract_names()

FRAMES = "reads the grader's call stack"
# Identifiers (names, attributes, imported names, strings equal to them) that honest level code
# never uses, whatever object they are read from: {name: (rule, why)}.
NAMES = {
    **{name: ("frames", f"{FRAMES} through a frame's {name}, into the grader's own functions")
       for name in ("f_back", "f_globals", "f_locals", "f_builtins", "tb_frame", "gi_frame", "cr_frame", "ag_frame")},
    "_getframe": ("frames", f"{FRAMES} through sys._getframe()"),
    "_current_frames": ("frames", f"{FRAMES} through sys._current_frames()"),
    "currentframe": ("frames", f"{FRAMES} through inspect.currentframe()"),
    "settrace": ("frames", "installs a trace hook (settrace), which sees every frame of the grader's code as it runs"),
    "setprofile": ("frames", "installs a profile hook (setprofile), which sees every frame of the grader's code"),
    "__globals__": ("dunder", "reaches into a function's module namespace (__globals__), where the grader's "
                              "objects can be read or replaced"),
    "__code__": ("dunder", "reads or replaces a function's compiled code (__code__)"),
    "__closure__": ("dunder", "reads the variables hidden in a function's closure (__closure__)"),
    "__subclasses__": ("dunder", "lists every class in the process through __subclasses__(), the grader's included"),
    "__builtins__": ("dunder", "reaches the built-in namespace (__builtins__) it shares with the grader"),
    "__self__": ("dunder", "reaches the object behind a bound built-in (__self__: print.__self__ is the builtins "
                           "module), which gives __import__, getattr, eval and exec under other names"),
    "find_class": ("loader", "resolves a module and name at run time (Unpickler.find_class), which reaches any "
                             "object of the process, the grader's included"),
    "get_field": ("dynamic", "resolves a field name at run time (Formatter.get_field), a getattr() in disguise"),
    "__get__": ("dynamic", "calls an attribute's descriptor by hand (__get__), a getattr() that no reader sees "
                           "the name of (a traceback's frame, a frame's locals)"),
    **{name: ("gc", f"reads the grader's objects through gc.{name}()")
       for name in ("get_objects", "get_referrers", "get_referents")},
    **{name: ("torch_mode", f"uses {name}, which can change what torch's own operations (detach(), the "
                            "grader's checks) report")
       for name in ("TorchFunctionMode", "TorchDispatchMode", "_python_dispatch")},
    **{name: ("torch_mode", f"defines {name}, which changes what torch's own operations report on its tensors")
       for name in ("__torch_function__", "__torch_dispatch__")},
    **{name: ("loader", f"changes or bypasses how Python imports modules ({name}), which can swap the grader's "
                        "own modules or load files outside the submission")
       for name in ("meta_path", "path_hooks", "path_importer_cache", "spec_from_file_location", "exec_module",
                    "SourceFileLoader")},
    "maketrans": ("obfuscation", "translates characters at run time (str.maketrans), a way to hide names from a "
                                 "reader"),
    "copy_context": ("context", "copies the context variables (contextvars.copy_context()), where the grader keeps "
                                "its run's secret challenge"),
    "_context": ("context", "reads a task's or callback's context (_context), where the grader keeps its run's "
                            "secret challenge"),
    "hooks_dict_ref": ("hooks", "reaches torch's private hook tables (hooks_dict_ref), where the grader's recorders "
                                "of forward() and backward() are kept"),
    **{name: ("hooks", f"installs a hook on every module or optimizer of the process ({name}), the grader's "
                       "included") for name in (
        "register_module_forward_hook", "register_module_forward_pre_hook", "register_module_backward_hook",
        "register_module_full_backward_hook", "register_module_full_backward_pre_hook",
        "register_module_buffer_registration_hook", "register_module_module_registration_hook",
        "register_module_parameter_registration_hook", "register_optimizer_step_pre_hook",
        "register_optimizer_step_post_hook")},
}
# torch's private hook tables (t._backward_hooks, model._forward_hooks, torch.nn.modules.module._global_forward_hooks)
# and a tensor's private graph node: where the grader's recorders live
HOOK_TABLE = re.compile(r"_(?:\w*_)?hooks(?:_\w*)?|_grad_fn")
# the names torch itself gives those tables: never the file's own, even on self (an nn.Module's own
# self._forward_hooks is where the grader's recorders of its forward() are kept)
TORCH_HOOK_TABLE = re.compile(r"_grad_fn|_\w*(?:forward|backward|state_dict|optimizer|grad|registration|global)"
                              r"\w*hooks\w*")
MAX_CHAIN = 50  # attributes in one dotted chain (a.b.c...): longer is no code a reader can check
HOOK_WHY = ("hooks", "reads or changes torch's private hook tables ({name}), where the grader's recorders of "
                     "forward() and backward() are kept")

# Qualified names (after following imports and aliases): (prefix, rule, why); {qn} is the name seen.
QUALIFIED = [
    ("sys.modules", "modules", "reads the table of loaded modules (sys.modules), where the grader's own modules "
                               "can be found and changed"),
    ("threading.settrace", "frames", NAMES["settrace"][1]),
    ("threading.setprofile", "frames", NAMES["setprofile"][1]),
    ("inspect.stack", "frames", f"{FRAMES} through inspect.stack()"),
    ("inspect.getmodule", "modules", "finds the module an object comes from (inspect.getmodule), the grader's own "
                                     "modules included"),
    ("inspect.getclosurevars", "dunder", "reads the module namespace and closure a function sees "
                                         "(inspect.getclosurevars), where the grader's objects can be read"),
    *[(name, "context", "uses the context variables ({qn}), where the grader keeps its run's secret challenge")
      for name in ("contextvars", "_contextvars")],
    ("inspect.trace", "frames", f"{FRAMES} through inspect.trace()"),
    ("inspect.getouterframes", "frames", f"{FRAMES} through inspect.getouterframes()"),
    ("inspect.getinnerframes", "frames", f"{FRAMES} through inspect.getinnerframes()"),
    ("traceback.walk_stack", "frames", f"{FRAMES} through traceback.walk_stack()"),
    ("traceback.walk_tb", "frames", f"{FRAMES} through traceback.walk_tb()"),
    ("gc.garbage", "gc", "reads the grader's objects through gc.garbage"),
    ("gc.callbacks", "gc", "hooks the garbage collector (gc.callbacks), which hands over the grader's objects"),
    *[(name, "ctypes", f"loads {name}, which reads and writes the process's memory directly, the grader's "
                       "included") for name in ("ctypes", "_ctypes", "cffi")],
    *[(f"{module}.{call}", "descriptor", f"uses a raw file descriptor ({module}.{call}), the kind of access that "
                                         "can forge the grader's result channel")
      for module in ("os", "posix", "nt") for call in ("write", "writev", "pwrite", "open", "fdopen", "dup", "dup2",
                                                       "sendfile", "openpty")],
    ("socket.fromfd", "descriptor", "uses a raw file descriptor (socket.fromfd), the kind of access that can "
                                    "forge the grader's result channel"),
    *[(name, "torch_mode", f"uses {name}, which can change what torch's own operations (detach(), the grader's "
                           "checks) report") for name in ("torch.overrides", "torch.library", "torch._C",
                                                          "torch.utils._python_dispatch", "torch._ops")],
    *[(name, "loader", "loads code by hand ({qn}) instead of importing it, the way files outside the submission "
                       "(the grader's, the reference) are reached")
      for name in ("importlib.util", "importlib.machinery", "importlib._bootstrap", "importlib._bootstrap_external",
                   "runpy", "zipimport", "pkgutil", "imp", "pydoc")],
    *[(name, "code", "builds a function from raw code ({qn}), which hides what it runs")
      for name in ("types.FunctionType", "types.CodeType", "types.LambdaType")],
    # decoding that can build names or code; encoding (base64.b64encode of a plot), compressed files of
    # the file's own (gzip.open) and pickle.load of its cached results build none
    *[(name, "obfuscation", "decodes text at run time ({qn}), a way to hide names from a reader")
      for name in ("builtins.bytes.fromhex", "builtins.bytearray.fromhex", "codecs.decode", "codecs.encode",
                   "codecs.getdecoder", "codecs.getincrementaldecoder", "codecs.iterdecode", "binascii.a2b_base64",
                   "binascii.a2b_hex", "binascii.unhexlify", "binascii.a2b_uu", "binascii.a2b_qp",
                   *[f"base64.{call}" for call in ("b64decode", "b32decode", "b32hexdecode", "b16decode", "a85decode",
                                                   "b85decode", "urlsafe_b64decode", "standard_b64decode",
                                                   "decodebytes", "decode", "z85decode")],
                   *[f"{module}.{call}" for module in ("zlib", "bz2", "lzma", "gzip")
                     for call in ("decompress", "decompressobj", "BZ2Decompressor", "LZMADecompressor")],
                   "marshal", "pickle.loads", "pickle.Unpickler", "pickle._Unpickler", "pickle._loads", "_pickle",
                   "dill", "cloudpickle", "copyreg")],
    ("typing.get_type_hints", "code", "evaluates the file's string annotations (typing.get_type_hints), an eval() "
                                      "in disguise"),
    ("inspect.get_annotations", "code", "evaluates the file's string annotations (inspect.get_annotations), an "
                                        "eval() in disguise"),
    *[(name, "code", "evaluates a string as a type ({qn}), an eval() in disguise")
      for name in ("typing.ForwardRef", "typing._eval_type", "typing.evaluate_forward_ref", "typing._type_check")],
    ("annotationlib", "code", "evaluates annotations ({qn}), an eval() in disguise"),
    ("logging.config", "loader", "configures logging from a dictionary or file ({qn}), which imports and calls "
                                 "objects named by dotted strings"),
    *[(name, "assign", "patches names by string ({qn}), which can replace functions inside torch or the grader")
      for name in ("unittest.mock", "mock")],
    *[(name, "dynamic", "resolves field names at run time ({qn}), a getattr() in disguise")
      for name in ("string.Formatter", "_string")],
]
# Read-only queries under a flagged prefix: importlib.util.find_spec("tqdm") asks whether a library is there
ALLOWED = ("importlib.util", "importlib.util.find_spec")
# torch's private names (torch._utils._import_dotted_name) reach its import and dispatch machinery; none
# is needed by level code
TORCH_PRIVATE = ("torch_private", "uses torch's private internals ({qn}), which reach its import and dispatch "
                                  "machinery and can change what torch reports")

# Calls whose argument at this position (or passed by one of these keywords) must be a literal: a
# computed one hides what they reach.
DYNAMIC = {"builtins.getattr": (1, ("name",)), "builtins.setattr": (1, ("name",)),
           "builtins.delattr": (1, ("name",)), "builtins.__import__": (0, ("name",)),
           "importlib.import_module": (0, ("name",)), "importlib.__import__": (0, ("name",)),
           "operator.attrgetter": (0, ("attr",)), "operator.methodcaller": (0, ("name",)),
           "builtins.object.__getattribute__": (1, ("name",)), "builtins.object.__setattr__": (1, ("name",)),
           "builtins.type.__setattr__": (1, ("name",)), "builtins.type.__getattribute__": (1, ("name",)),
           "inspect.getattr_static": (1, ("attr", "name")), "builtins.exec": (0, ("source", "code", "object")),
           "builtins.eval": (0, ("source", "expression", "code")), "builtins.compile": (0, ("source",))}
# More arguments of those calls that name what they reach: a module's fromlist, import_module's package
MORE_NAMES = {"builtins.__import__": (3, "fromlist"), "importlib.__import__": (3, "fromlist"),
              "importlib.import_module": (1, "package")}
SETTERS = ("builtins.setattr", "builtins.delattr", "builtins.object.__setattr__", "builtins.type.__setattr__")
# builtins that hide what they reach when passed around as values: reduce(getattr, names, sys)
HIDERS = ("getattr", "setattr", "delattr", "__import__", "exec", "eval", "compile")
IMPORTS = ("builtins.__import__", "importlib.import_module", "importlib.__import__")
CODE_RUNNERS = ("builtins.exec", "builtins.eval", "builtins.compile")
OPENERS = ("builtins.open", "io.open", "io.FileIO", "_io.FileIO", "_io.open")
SETTINGS = ("torch.backends",)  # torch's switches (cudnn.deterministic = True) are meant to be assigned
# The namespaces an assignment must leave alone: those the grader's own code runs with in the same process
# (torch, the interpreter's own modules, the random generators the probes seed, the kit). Other libraries'
# options (pd.options.display.max_rows = 10, plt.rcParams[...]) are the file's to set.
GUARDED = ("torch", "builtins", "sys", "gc", "importlib", "random", "_random", "numpy.random", "os", "posix", "io",
           "_io", "warnings", "_warnings", "contextvars", "_contextvars", "threading", "_thread", "inspect", "types",
           "struct", "signal", "traceback", "operator", "functools")
TENSOR_TYPES = ("torch.Tensor", "torch.nn.Parameter", "torch.nn.parameter.Parameter", "torch.nn.parameter.Buffer")
SAFE_ENCODINGS = {"utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-1", "iso8859-15", "cp1252"}
KIT_STRING = re.compile(r"autograder(?:\.[A-Za-z_]\w*)*|.*\bautograder(?:\.[A-Za-z_]|[/\\]).*", re.S | re.I)
PROC_STRING = re.compile(r"(?:/proc(?:/.*)?|proc|/dev/fd(?:/.*)?|/dev/std(?:in|out|err))", re.S)
BUILTIN_NAMES = frozenset(dir(builtins))
# Loads that unpickle: a pickle calls the callables it names (builtins.getattr, sys.modules.get), so one held
# in the file's own bytes is code in disguise; the file's own cached results (pickle.load(handle)) are not
UNPICKLERS = ("pickle.load", "_pickle.load", "torch.load", "numpy.load", "joblib.load")
PICKLE_BYTES = re.compile(rb"\x80[\x02-\x05]|\x93|(?:^|[\n(.0-9])[ci][A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n.*\.",
                          re.S)


def qualified_rule(qn):
    """The rule a dotted name falls under, also when reached through a module that re-exports
    another (importlib.sys.modules is sys.modules)."""
    if qn in ALLOWED:
        return None
    parts = qn.split(".")
    if len(parts) > MAX_CHAIN + 1:
        return None
    for start in range(len(parts)):
        tail = ".".join(parts[start:])
        for prefix, rule, why in QUALIFIED:
            if (tail == prefix or tail.startswith(prefix + ".")) and (start == 0 or "." in prefix):
                return rule, why.format(qn=qn)
    if parts[0] == "torch" and any(part.startswith("_") and not part.endswith("__") for part in parts[1:]):
        return TORCH_PRIVATE[0], TORCH_PRIVATE[1].format(qn=qn)
    return None


def literal_str(node):
    """The text of a string built from literals only ("a" + "b", "".join(["a", "b"]), f"ab"), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = []
        stack = [node]
        while stack:  # iteratively: a long chain of + must not recurse
            item = stack.pop()
            if isinstance(item, ast.BinOp) and isinstance(item.op, ast.Add):
                stack += [item.right, item.left]
            elif isinstance(item, ast.Constant) and isinstance(item.value, str):
                parts.append(item.value)
            else:
                return None
        return "".join(parts)
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
            and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple))
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.args[0].elts)):
        return node.func.value.value.join(e.value for e in node.args[0].elts)
    return None


def call_arg(node, index, names=()):
    """The argument of a call at this position or passed by one of these keywords, or None."""
    if index is not None and len(node.args) > index and not any(isinstance(a, ast.Starred)
                                                                 for a in node.args[:index + 1]):
        return node.args[index]
    for keyword_ in node.keywords:
        if keyword_.arg in names:
            return keyword_.value
    return None


def hidden_args(node, index):
    """*args at or before this position, or **kwargs: what the call is given is built at run time."""
    return (any(isinstance(a, ast.Starred) for a in node.args[:index + 1])
            or any(keyword_.arg is None for keyword_ in node.keywords))


def guarded(receiver):
    return any(receiver == name or receiver.startswith(name + ".") for name in GUARDED)


class Scan:
    """One parsed module's flags: {(line, rule): why}, first why per rule and line."""

    def __init__(self, probe_names, depth=0):
        self.probe_names = probe_names  # {name: "autograder/probe/<file>.py"}
        self.depth = depth
        self.flags = {}
        self.aliases = {}  # local name -> the dotted name it was imported as
        self.bound = set()  # names the file binds itself (its own, whatever the grader calls its pieces)
        self.star = []  # modules imported with *

    def flag(self, line, rule, why):
        self.flags.setdefault((line, rule), printable(why))

    def run(self, tree, line=None):
        """line: report every flag on this line (the exec() call a literal came from)."""
        nodes = list(ast.walk(tree))
        self.collect(nodes)
        parents = {}
        for node in nodes:
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in nodes:
            self.visit(node, parents.get(node), line)
        return self.flags

    # --- what the file binds and imports

    def collect(self, nodes):
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                for alias in node.names:
                    if alias.name != "*":
                        self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                    else:
                        self.star.append(node.module)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.bound.add(node.name)
            elif isinstance(node, ast.arg):
                self.bound.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.bound.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                self.bound.add(node.attr)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.bound.add(node.name)
        for node in nodes:  # g = gc, m = __import__("gc"), frame = sys._getframe: aliases too
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id not in self.aliases):
                qn = self.resolve(node.value)
                if qn and (isinstance(node.value, (ast.Name, ast.Call)) or is_kit(qn) or qualified_rule(qn)
                           or qn in DYNAMIC or qn.rsplit(".", 1)[-1] in NAMES):
                    self.aliases[node.targets[0].id] = qn
        # a name imported from another library is the file's to use; one imported from the kit is the grader's
        self.bound |= {name for name, qn in self.aliases.items() if not is_kit(qn)}
        self.bound -= {name for name, qn in self.aliases.items() if is_kit(qn)}

    def resolve(self, node):
        """The dotted name an expression stands for (torch.nn.functional.mse_loss), or None."""
        parts = []
        while True:
            if len(parts) > MAX_CHAIN:
                return None  # flagged on its own (visit), never walked whole
            if isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
                continue
            if isinstance(node, ast.Subscript) and self.namespace_of(node.value):
                key = literal_str(node.slice)
                if key is None:
                    return None
                parts.append(key)
                node = node.value.args[0] if isinstance(node.value, ast.Call) else node.value.value
                continue
            if isinstance(node, ast.Call) and (node.args or node.keywords):
                func = self.resolve_name(node.func)
                text = literal_str(call_arg(node, 0, ("name",)))
                if func == "builtins.getattr" and len(node.args) >= 2:
                    attr = literal_str(node.args[1])
                    if attr is None:
                        return None
                    parts.append(attr)
                    node = node.args[0]
                    continue
                if func in IMPORTS and text is not None:
                    base = text
                    break
                return None
            base = self.resolve_name(node)
            if base is None:
                return None
            break
        return ".".join([base, *reversed(parts)])

    def resolve_name(self, node):
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            if node.id in BUILTIN_NAMES and node.id not in self.bound:
                return f"builtins.{node.id}"
            for module in self.star:  # from sys import *: a name the file never binds is the module's
                if node.id not in self.bound and (is_kit(module) or qualified_rule(f"{module}.{node.id}")):
                    return f"{module}.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            attrs = []
            while isinstance(node, ast.Attribute):  # iteratively, and bounded: a.b.b... must not recurse
                attrs.append(node.attr)
                node = node.value
                if len(attrs) > MAX_CHAIN:
                    return None
            base = self.resolve_name(node) if isinstance(node, ast.Name) else None
            return ".".join([base, *reversed(attrs)]) if base else None
        return None

    # --- the rules

    def visit(self, node, parent, at):
        line = at or getattr(node, "lineno", None)
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.check_qualified(alias.name, line)
                self.check_identifier(alias.name.split(".")[-1], line, probe=False)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0:
                self.check_qualified(module, line)
            for alias in node.names:
                if alias.name != "*":
                    if node.level == 0:
                        self.check_qualified(f"{module}.{alias.name}", line)
                    self.check_identifier(alias.name, line, probe=not self.imported_from_elsewhere(module))
        elif isinstance(node, ast.Name):
            self.check_identifier(node.id, line, probe=isinstance(node.ctx, ast.Load) and node.id not in self.bound,
                                  own=node.id in self.bound)
            if (isinstance(node.ctx, ast.Load) and self.resolve_name(node) == "builtins.chr"
                    and not (isinstance(parent, ast.Call) and parent.func is node)):
                self.flag(line, "obfuscation", "passes builtins.chr around as a value (map(chr, codes)), which "
                                               "builds text from character codes, a way to hide names from a reader")
            if node.id == "autograder":
                self.flag(line, "kit", "uses the grader's own package (autograder)")
            if (node.id in HIDERS and isinstance(node.ctx, ast.Load) and node.id not in self.bound
                    and node.id not in self.aliases and not (isinstance(parent, ast.Call) and parent.func is node)):
                self.flag(line, "dynamic", f"passes {node.id}() around as a value, which hides what it reaches")
            if self.outermost(node, parent) and not self.membership(node, parent):
                self.check_qualified(self.resolve(node), line)
                self.check_passed(node, parent, line)
        elif isinstance(node, ast.Attribute) and self.long_chain(node):
            if not (isinstance(parent, ast.Attribute) and parent.value is node):
                self.flag(line, "obfuscation", f"chains more than {MAX_CHAIN} attributes (a.b.c...), more than a "
                                               "reader can check")
        elif isinstance(node, ast.Attribute):
            receiver = self.resolve(node.value)
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            self.check_identifier(node.attr, line, probe=receiver is None and node.attr not in self.bound,
                                  own=on_self or node.attr in self.bound)
            if node.attr == "autograder":
                self.flag(line, "kit", "uses the grader's own package (autograder)")
            if self.outermost(node, parent) and not self.membership(node, parent):
                self.check_qualified(self.resolve(node), line)
                self.check_passed(node, parent, line)
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self.check_assignment(receiver, node.attr, line)
                if node.attr == "__class__":
                    self.flag(line, "assign", "changes an object's class (x.__class__ = ...), so it behaves as "
                                              "another type while the grader checks it")
        elif isinstance(node, ast.Constant):
            self.check_text(node.value, line, statement=isinstance(parent, ast.Expr))
        elif isinstance(node, ast.BinOp) or isinstance(node, ast.JoinedStr):
            # the outermost + of a chain only: read at every level, a long chain costs its square
            text = None if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add) else literal_str(node)
            if text is not None:
                self.check_text(text, line)
            if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)
                    and isinstance(node.left.value, str) and "%c" in node.left.value):
                self.flag(line, "obfuscation", "builds text from character codes (%c), a way to hide names from a "
                                               "reader")
        elif isinstance(node, ast.FormattedValue):
            spec = node.format_spec
            if isinstance(spec, ast.JoinedStr) and any(isinstance(v, ast.Constant) and v.value == "c"
                                                       for v in spec.values):
                self.flag(line, "obfuscation", "builds text from character codes ({n:c}), a way to hide names from "
                                               "a reader")
        elif isinstance(node, ast.Call):
            self.check_call(node, parent, line)
        elif isinstance(node, ast.Subscript):
            self.check_subscript(node, line)
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                qn = self.resolve(base)
                if qn in TENSOR_TYPES:
                    self.flag(line, "torch_mode", f"defines a tensor type of its own (a subclass of {qn}), which "
                                                  "can change what torch's operations report")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.check_identifier(node.name, line, probe=False)
            arguments = node.args
            for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg,
                        arguments.kwarg):
                if arg is not None and arg.annotation is not None:
                    self.check_annotation(arg.annotation, getattr(arg, "lineno", line) if at is None else at)
            if node.returns is not None:
                self.check_annotation(node.returns, line)
        elif isinstance(node, ast.AnnAssign):
            self.check_annotation(node.annotation, line)
        elif isinstance(node, ast.Global):
            for name in node.names:
                if name in CONTRACT:
                    self.flag(line, "rebind", f"rebinds {name} from inside a function (global {name}), swapping "
                                              "the stub after the grader has checked the file")

    def long_chain(self, node):
        """More than MAX_CHAIN attributes below this one: counted in bounded steps, so that a file of
        long chains costs time linear in its length."""
        depth = 0
        while isinstance(node, ast.Attribute):
            depth += 1
            if depth > MAX_CHAIN:
                return True
            node = node.value
        return False

    def membership(self, node, parent):
        """"torch" in sys.modules: a yes-or-no question about the table, which hands over no module."""
        if not isinstance(parent, ast.Compare):
            return False
        for op, comparator in zip(parent.ops, parent.comparators):
            if comparator is node:
                return isinstance(op, (ast.In, ast.NotIn)) and self.resolve(node) == "sys.modules"
        return False

    def check_annotation(self, annotation, line):
        """def f(x: "...") : typing.get_type_hints() evaluates the string, so it is read as code, and
        a call (or lambda, comprehension, :=) in it is flagged: a type's name calls nothing."""
        for item in ast.walk(annotation):
            if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
                continue
            try:
                tree = ast.parse(item.value.strip(), mode="eval")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            if any(isinstance(part, (ast.Call, ast.Lambda, ast.NamedExpr, ast.ListComp, ast.SetComp, ast.DictComp,
                                     ast.GeneratorExp, ast.Await, ast.Yield, ast.YieldFrom))
                   for part in ast.walk(tree)):
                self.flag(line, "code", "holds code in a string annotation, which typing.get_type_hints() "
                                        "evaluates, an eval() in disguise")
            self.read_literal(item.value.strip(), line)

    def imported_from_elsewhere(self, module):
        """from torch import as_tensor: a name of another library, not the grader's."""
        return bool(module) and not is_kit(module)

    def outermost(self, node, parent):
        """The whole of a dotted chain, not its pieces: torch.overrides.X, not torch.overrides."""
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return False
        return not (isinstance(parent, ast.Call) and parent.args and parent.args[0] is node
                    and self.resolve_name(parent.func) == "builtins.getattr")

    def check_passed(self, node, parent, line):
        """importlib.import_module handed to map() or bound to a name of its own: what it reaches is
        decided elsewhere, at run time."""
        if not isinstance(node.ctx, ast.Load) or (isinstance(parent, ast.Call) and parent.func is node):
            return
        qn = self.resolve(node)
        if qn in DYNAMIC:
            self.flag(line, "dynamic", f"passes {qn.removeprefix('builtins.')}() around as a value, which hides "
                                       "what it reaches")

    def check_identifier(self, name, line, probe, own=False):
        """own: a name on self or bound by the file itself (self._hooks = []), whose hook-like names are
        its own unless torch gives its tables that name."""
        own = own or name in self.bound
        if name in NAMES:
            self.flag(line, *NAMES[name])
        if HOOK_TABLE.fullmatch(name) and not (own and not TORCH_HOOK_TABLE.fullmatch(name)):
            self.flag(line, HOOK_WHY[0], HOOK_WHY[1].format(name=name))
        if probe and name in self.probe_names:
            self.flag(line, "probe_name", f"uses {name}, a piece of the grader's own code "
                                          f"({self.probe_names[name]}), in place of code of its own")

    def check_qualified(self, qn, line):
        if not qn:
            return
        if is_kit(qn):
            self.flag(line, "kit", f"uses the grader's own code ({qn})")
            return
        parts = qn.split(".")
        if "__dict__" in parts[1:]:
            base = ".".join(parts[:parts.index("__dict__", 1)])
            self.flag(line, "namespace", f"reads {base}'s namespace ({base}.__dict__), where the grader's own "
                                         "modules and objects can be found and changed")
        found = qualified_rule(qn)
        if found:
            self.flag(line, *found)
        last = qn.rsplit(".", 1)[-1]
        if last in NAMES:
            self.flag(line, *NAMES[last])

    def check_text(self, value, line, statement=False):
        """statement: a string on its own (a docstring), which names nothing unless read back through
        __doc__, itself a name built at run time for whatever uses it."""
        if isinstance(value, bytes):
            if len(value) <= 4096 and PICKLE_BYTES.search(value):
                self.flag(line, "obfuscation", "holds a pickle in a bytes literal, which calls the callables it "
                                               "names when loaded, code in disguise")
            value = value.decode("latin-1")
        if not isinstance(value, str) or len(value) > 4096:
            return
        if KIT_STRING.fullmatch(value) or (not statement and "autograder" in value.lower()):
            self.flag(line, "kit", f"names the grader's own package in a string ({value[:80]!r})")
        if HOOK_TABLE.fullmatch(value) and not (value in self.bound and not TORCH_HOOK_TABLE.fullmatch(value)):
            self.flag(line, HOOK_WHY[0], HOOK_WHY[1].format(name=value))
        if PROC_STRING.fullmatch(value):
            self.flag(line, "proc", f"reads or writes {value[:80]!r}, where the process's descriptors and the "
                                    "grader's own files show")
        if value in NAMES:
            self.flag(line, *NAMES[value])
        for name in format_attributes(value):  # "{0.__globals__}".format(f) reads attributes too
            if name in NAMES:
                self.flag(line, *NAMES[name])
            if HOOK_TABLE.fullmatch(name):
                self.flag(line, HOOK_WHY[0], HOOK_WHY[1].format(name=name))
        if value in self.probe_names and value not in self.bound:
            self.flag(line, "probe_name", f"names {value}, a piece of the grader's own code "
                                          f"({self.probe_names[value]}), in a string")

    def check_assignment(self, receiver, attr, line):
        """receiver.attr = ..., where receiver is a module or class the file imported."""
        if receiver is None or any(receiver == s or receiver.startswith(s + ".") for s in SETTINGS):
            return
        if receiver == "sys" and attr in ("stdout", "stderr"):
            return  # sys.stdout = Tee(path): output copied to a log; the grader's channel is its own
        if is_kit(receiver):
            self.flag(line, "assign", f"replaces {receiver}.{attr} inside the grader's own code")
        elif not guarded(receiver):
            return  # another library's options: pd.options.display.max_rows = 10
        elif receiver.split(".")[0] == "builtins":
            self.flag(line, "assign", f"replaces {receiver}.{attr}, a built-in shared with the grader's code")
        else:
            self.flag(line, "assign", f"replaces {receiver}.{attr} inside {receiver.split('.')[0]}'s own namespace, "
                                      "so the grader's code would call the replacement too")

    def check_call(self, node, parent, line):
        func = self.resolve_name(node.func) or self.resolve(node.func)
        if func in DYNAMIC:
            self.check_dynamic(func, node, line)
        if (isinstance(node.func, ast.Attribute) and func not in DYNAMIC
                and node.func.attr in ("__getattribute__", "__getattr__", "__setattr__", "__delattr__")):
            self.check_method_access(node, line)
        if func == "builtins.vars" and node.args:
            namespace = self.resolve(node.args[0])
            if namespace:
                self.flag(line, "namespace", f"reads {namespace}'s namespace (vars({namespace})), where the "
                                             "grader's own modules and objects can be found and changed")
        if func in SETTERS and (node.args or node.keywords):
            attr = literal_str(call_arg(node, 1, ("name",)))
            self.check_assignment(self.resolve(call_arg(node, 0, ("obj", "object"))), attr or "<computed>", line)
        if func in OPENERS or func in ("os.fdopen",):
            first = node.args[0] if node.args else None
            if (isinstance(first, ast.Constant) and isinstance(first.value, int) and not isinstance(first.value, bool)) \
                    or any(k.arg in ("opener", "closefd") for k in node.keywords):
                self.flag(line, "descriptor", f"opens a raw file descriptor ({func.removeprefix('builtins.')}(<number>)), "
                                              "the kind of access that can forge the grader's result channel")
        for keyword_ in node.keywords:
            if keyword_.arg in ("fileno", "pass_fds"):
                self.flag(line, "descriptor", f"hands over raw file descriptors ({keyword_.arg}=), the kind of "
                                              "access that can forge the grader's result channel")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "decode":
            base = node.func.value
            if (isinstance(base, ast.Constant) and isinstance(base.value, bytes)) or (
                    isinstance(base, ast.Call) and (self.resolve_name(base.func) in ("builtins.bytes",
                                                                                     "builtins.bytearray")
                                                    or (isinstance(base.func, ast.Attribute)
                                                        and base.func.attr == "to_bytes"))):
                self.flag(line, "obfuscation", "decodes text from bytes at run time, a way to hide names from a reader")
        if func in UNPICKLERS and any(
                (isinstance(item, ast.Constant) and isinstance(item.value, bytes))
                or (isinstance(item, ast.Call) and (self.resolve_name(item.func) or "").rsplit(".", 1)[-1]
                    in ("bytes", "bytearray"))
                for arg in (*node.args, *(k.value for k in node.keywords)) for item in ast.walk(arg)):
            self.flag(line, "obfuscation", f"unpickles bytes built in the file ({func}), which calls whatever "
                                           "callables they name, code in disguise")
        if func == "builtins.reversed" and node.args and literal_str(node.args[0]) is not None:
            self.flag(line, "obfuscation", "reverses a string literal, a way to hide names from a reader")
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("update", "setdefault", "__setitem__"):
            namespace = self.namespace_of(node.func.value)
            if namespace:
                self.check_assignment(namespace, "<entries>", line)

    def check_method_access(self, node, line):
        """sys.__getattribute__("modules"): getattr() spelled as a method of what the file imported."""
        owner = self.resolve(node.func.value)
        if owner is None:
            return  # super().__getattr__(name) in a module of its own
        method = node.func.attr
        name = None if hidden_args(node, 1) else literal_str(call_arg(node, 0, ("name",)))
        if name is None and not hidden_args(node, 1) and len(node.args) >= 2 and literal_str(node.args[1]):
            # the unbound form, torch.Tensor.__setattr__(tensor, "detach", ...): the object comes first
            owner, name = self.resolve(node.args[0]) or owner, literal_str(node.args[1])
        if name is None:
            self.flag(line, "dynamic", f"calls {owner}.{method}() with a name built at run time, which hides what "
                                       "it reaches")
        elif method in ("__setattr__", "__delattr__"):
            self.check_assignment(owner, name, line)
        else:
            self.check_identifier(name, line, probe=True)
            self.check_qualified(f"{owner}.{name}", line)

    def check_dynamic(self, func, node, line):
        """A call of DYNAMIC: what it reaches must be named by literals, read here."""
        index, names = DYNAMIC[func]
        short = func.removeprefix("builtins.")
        if hidden_args(node, max(index, MORE_NAMES.get(func, (index,))[0])):
            self.flag(line, "dynamic", f"calls {short}() with arguments built at run time, which hides what it "
                                       "reaches")
            return
        first = call_arg(node, index, names)
        args = ([first] if first is not None else []) + (node.args[1:] if func == "operator.attrgetter" else [])
        texts = []
        for arg in args:
            text = literal_str(arg)
            if text is None:
                what = "code" if func in CODE_RUNNERS else "a name"
                self.flag(line, "dynamic", f"calls {short}() with {what} built at run time, which hides what it "
                                           "reaches")
            elif func in CODE_RUNNERS:
                self.read_literal(text, line)
            elif func in IMPORTS:
                self.check_qualified(text, line)
            elif func not in SETTERS:  # getattr and its likes; a setter's name is its assignment's
                texts.append(text)
        owner = None if func.startswith("operator.") else self.resolve(call_arg(node, 0, ("obj", "object")))
        for text in texts:
            for part in text.split("."):
                self.check_identifier(part, line, probe=True)
            if owner:
                self.check_qualified(f"{owner}.{text}", line)
        if func in MORE_NAMES:
            position, keyword_ = MORE_NAMES[func]
            more = call_arg(node, position, (keyword_,))
            if more is None or (isinstance(more, ast.Constant) and more.value is None):
                return
            if keyword_ == "fromlist":
                items = more.elts if isinstance(more, (ast.List, ast.Tuple)) else [more]
                module = literal_str(first)
                for item in items:
                    text = literal_str(item)
                    if text is None:
                        self.flag(line, "dynamic", f"calls {short}() with a name built at run time, which hides "
                                                   "what it reaches")
                        continue
                    self.check_identifier(text, line, probe=True)
                    if module is not None:
                        self.check_qualified(f"{module}.{text}", line)
            else:
                text = literal_str(more)
                if text is None:
                    self.flag(line, "dynamic", f"calls {short}() with a package built at run time, which hides "
                                               "what it reaches")
                else:
                    self.check_qualified(text, line)

    def namespace_of(self, node):
        """The module behind vars(module) or module.__dict__, or None."""
        if isinstance(node, ast.Call) and self.resolve_name(node.func) == "builtins.vars" and node.args:
            return self.resolve(node.args[0])
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return self.resolve(node.value)
        return None

    def is_namespace(self, node):
        """vars(x) or x.__dict__, of any object."""
        if isinstance(node, ast.Call) and self.resolve_name(node.func) == "builtins.vars" and node.args:
            return True
        return isinstance(node, ast.Attribute) and node.attr == "__dict__"

    def check_subscript(self, node, line):
        namespace = self.namespace_of(node.value)
        if namespace:
            key = literal_str(node.slice)
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                self.check_assignment(namespace, key or "<computed>", line)
            elif key is None:
                self.flag(line, "dynamic", f"reads {namespace}'s namespace with a key built at run time, which "
                                           "hides what it reaches")
        elif (self.is_namespace(node.value) and literal_str(node.slice) is None
              and not isinstance(node.slice, (ast.Constant, ast.Slice))):
            self.flag(line, "dynamic", "reads an object's attributes (vars() or __dict__) with a key built at run "
                                       "time, a getattr() that no reader sees the name of")
        if (literal_str(node.value) is not None and isinstance(node.slice, ast.Slice)
                and node.slice.step is not None):
            self.flag(line, "obfuscation", "reverses or scrambles a string literal, a way to hide names from a reader")

    def read_literal(self, text, line):
        """exec("...") of a literal: read what it runs, reported on the exec line."""
        if self.depth >= MAX_LITERAL_DEPTH:
            self.flag(line, "dynamic", "runs code hidden in a string inside a string (exec of exec)")
            return
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return
        inner = Scan(self.probe_names, self.depth + 1)
        inner.aliases, inner.bound, inner.star = dict(self.aliases), set(self.bound), list(self.star)  # it runs here
        for (_, rule), why in inner.run(tree, line).items():
            self.flag(line, rule, why)


def printable(text, limit=300):
    """A why may quote the file's own strings (getattr(torch, "...")): no control characters, bounded."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_attributes(text, limit=64):
    """The attribute names a format string reads from its arguments ("{0.f_back.f_locals}": f_back,
    f_locals), also in nested fields; [] for any other text."""
    if "{" not in text:
        return []
    names, pending = [], [text]
    while pending and len(names) < limit:
        try:
            fields = list(string.Formatter().parse(pending.pop()))
        except ValueError:
            continue
        for _, field, spec, _ in fields:
            if spec and "{" in spec:
                pending.append(spec)
            if not field:
                continue
            try:
                _, rest = _string.formatter_field_name_split(field)
                names += [str(key) for is_attribute, key in rest if is_attribute]
            except ValueError:
                continue
    return names


def is_kit(qn):
    return "autograder" in qn.lower().split(".")


# --- files


class Unreadable(Exception):
    """The file cannot be read for review: the message completes "unreadable: ..."."""


def scan_source(source, probe_names):
    """[(line, why)] for one module's text (str, or bytes decoded as Python would). A syntax
    error is no flag (the grader reports the import error); too deep a nesting is Unreadable."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    except (RecursionError, MemoryError):
        raise Unreadable("nested too deeply to read") from None
    except ValueError as error:  # null bytes
        raise Unreadable(f"not Python text ({error})") from None
    try:
        flags = Scan(probe_names).run(tree)
    except (RecursionError, MemoryError):
        raise Unreadable("nested too deeply to read") from None
    return sorted(((line, why) for (line, _), why in flags.items()), key=lambda f: (f[0] or 0, f[1]))


def read_python(raw, probe_names):
    """[(line, why)] for a level file's bytes: decoded as Python decodes it (its coding cookie)."""
    if b"\0" in raw:
        raise Unreadable("not Python text (it holds null bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        name = codecs.lookup(encoding).name
    except (SyntaxError, LookupError) as error:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable("its bytes are not valid utf-8 text") from None
        raise Unreadable(f"its text encoding cannot be read ({error})") from None
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        raise Unreadable(f"its bytes are not valid {encoding} text") from None
    flags = scan_source(raw, probe_names)
    if name not in SAFE_ENCODINGS:
        flags.insert(0, (1, f"declares the source encoding {encoding}, which can make Python run other text "
                            "than a reader sees"))
    return flags


def notebook_cells(raw):
    """[(cell number, source)] of the code cells a notebook's grading runs (as
    autograder.probe.notebook_code selects them: never grade cells nor the run cell)."""
    try:
        notebook = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable("its bytes are not valid UTF-8 text") from None
    except (RecursionError, MemoryError):
        raise Unreadable("nested too deeply to read") from None
    except ValueError:
        raise Unreadable("it is not a notebook (not valid JSON)") from None
    if not isinstance(notebook, dict):
        raise Unreadable("it is not a notebook (no cells)")
    # nbformat.read(as_version=4) takes a version 2 or 3 notebook's cells from every worksheet in turn
    # (the text of a code cell from "input"), a version 1 notebook's from "cells" (its text from "code",
    # its metadata dropped) and a version 4 one's from "cells" ("source"): every place is read, the one
    # the version names first, so that the cell numbers are the grader's
    sheets = notebook.get("worksheets")
    in_sheets = None
    if isinstance(sheets, list):
        in_sheets = []
        for sheet in sheets:
            if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list):
                in_sheets += sheet["cells"]
    top = notebook.get("cells") if isinstance(notebook.get("cells"), list) else None
    if top is None and in_sheets is None:
        raise Unreadable("it is not a notebook (no cells)")
    version = notebook.get("nbformat", 1)
    if version in (2, 3):
        cells = (in_sheets or []) + (top or [])
    else:
        cells = (top or []) + (in_sheets or [])
    if len(cells) > NOTEBOOK_CELLS:
        raise Unreadable(f"it has more than {NOTEBOOK_CELLS} cells")
    out = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        sources = []
        for field in ("source", "input", "code"):
            source = cell.get(field)
            if isinstance(source, list) and all(isinstance(part, str) for part in source):
                source = "".join(source)
            if isinstance(source, str) and source not in sources:
                sources.append(source)  # a field the reader refuses runs nothing
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        meta = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        role = metadata.get("autograder") if isinstance(metadata.get("autograder"), dict) else {}
        if version != 1 and ((meta.get("grade") and not meta.get("solution")) or role.get("role") == "run"):
            continue  # never run by the grading: the grader's own cells (a version 1 notebook's lose their metadata)
        out += [(number, source) for source in sources]
    if sum(len(source) for _, source in out) > MAX_CODE_CHARS:
        raise Unreadable(f"its code cells hold more than {MAX_CODE_CHARS // 1024} KiB of text, too much to read")
    return out


def ipython_transform():
    """IPython's own cell transform (magics become calls), as the notebook's grading applies it."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager  # optional: IPython, with Jupyter
    except ImportError:  # no IPython: the cells are read as plain Python
        return lambda source: source
    manager = TransformerManager()

    def transform(source):
        try:
            return manager.transform_cell(source)
        except Exception:  # a cell IPython cannot transform is read as the plain Python it holds
            return source
    return transform


def read_notebook(raw, probe_names, name):
    """[(file, line, why)] for a notebook: file is name:cellN, as the grader names a cell's lines."""
    transform = ipython_transform()
    flags = []
    for number, source in notebook_cells(raw):
        for line, why in scan_source(transform(source), probe_names):
            flags.append((f"{name}:cell{number}", line, why))
    return flags


def read_file(name, raw, probe_names):
    """[{"file", "line", "why"}] for one submitted file, at most MAX_FLAGS (+1 saying so)."""
    try:
        if name.endswith(".ipynb"):
            found = read_notebook(raw, probe_names, name)
        else:
            found = [(name, line, why) for line, why in read_python(raw, probe_names)]
    except Unreadable as error:
        return [{"file": name, "line": None, "why": f"unreadable: {error}"}]
    except (RecursionError, MemoryError):
        return [{"file": name, "line": None, "why": "unreadable: nested too deeply to read"}]
    flags = [{"file": file, "line": line, "why": why} for file, line, why in found[:MAX_FLAGS]]
    if len(found) > MAX_FLAGS:
        flags.append({"file": name, "line": None, "why": f"{len(found) - MAX_FLAGS} more flagged lines not listed"})
    return flags


def main():
    """Child process: stdin {"probe_names": {...}, "files": [[key, name, base64 bytes], ...]}; one
    JSON line per file on stdout, {"key": ..., "flags": [...]}, as each is read."""
    limit_memory()
    request = json.loads(sys.stdin.buffer.read())
    for key, name, data in request["files"]:
        flags = read_file(name, base64.b64decode(data), request["probe_names"])
        sys.stdout.write(json.dumps({"key": key, "flags": flags}) + "\n")
        sys.stdout.flush()


def limit_memory(limit=1 << 30):
    try:
        import resource  # optional: POSIX only
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # no such limit here (Windows, some macOS): the deadline still holds
        pass


if __name__ == "__main__":
    main()
