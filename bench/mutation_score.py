"""How many small bugs in the reference do the checks catch? A mutation score (issue 13).

Every stub body in solutions/ (a `### BEGIN SOLUTION` .. `### END SOLUTION` block) is mutated one
change at a time with Python's ast: arithmetic and comparison operators swapped, numeric constants
moved (0->1, n->n+1, n->n-1, n->0), one statement dropped, one call argument or keyword dropped,
in place <-> out of place (`x -= y` <-> `x = x - y`, `.zero_()` <-> `= None`, `.sub_` <-> `.sub`),
`with torch.no_grad()` unwrapped, `.mean()` <-> `.sum()` and a few look-alike calls swapped
(randn/rand, ones/zeros, hstack/vstack, squeeze/unsqueeze), a trailing method call stripped
(`loss.item()` -> `loss`). Each mutant's level file is graded in-process (load_and_probe +
judge_level) in a worker process with a deadline, and counted as

    killed       it lost points on a check that owns the stub (the check's `.stubs` names it); a
                 mutant that fails to import, hangs past the deadline or kills its worker counts
                 here too (shown apart as import/timeout/crash)
    other        it lost points only on checks that do not own the stub
    survived     it lost no points
    equivalent   it survived and bench/mutation_equivalents.json says why it cannot be told apart
                 from the reference for any input the contract allows (excluded from the score)

score = killed / (mutants - equivalent). Mutant ids are stable as long as the solution is:
`<stub>:<AST node class>@<ordinal among that class, pre-order>:<change>`, e.g.
`level1.forward:BinOp@0:Mult->Add`.

    python bench/mutation_score.py [--levels 1 2] [--stubs level1.mse] [--limit N] [--workers 2]
                                   [--timeout 60] [--json OUT.json] [--list]
"""

import argparse
import ast
import copy
import json
import os
import sys
import tempfile
import textwrap
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.authoring.exercises import BEGIN, replace_stubs, stubs_of  # noqa: E402
from autograder.levels import LEVEL_FILES, LEVELS, SOLUTIONS_DIR  # noqa: E402

EQUIVALENTS_FILE = Path(__file__).resolve().parent / "mutation_equivalents.json"

ARITH = {ast.Add: "Add", ast.Sub: "Sub", ast.Mult: "Mult", ast.Div: "Div", ast.MatMult: "MatMult", ast.Pow: "Pow"}
COMPARE_SWAPS = {
    ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq], ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt, ast.GtE],
    ast.Gt: [ast.GtE, ast.Lt], ast.GtE: [ast.Gt, ast.LtE], ast.Is: [ast.IsNot], ast.IsNot: [ast.Is],
    ast.In: [ast.NotIn], ast.NotIn: [ast.In],
}
# methods with an in-place twin (x.sub(y) <-> x.sub_(y))
HAS_INPLACE = {"add", "sub", "mul", "div", "pow", "neg", "abs", "clamp", "squeeze", "unsqueeze", "fill",
               "sqrt", "exp", "t", "detach", "requires_grad", "copy", "uniform", "normal"}
# look-alike calls a student may write instead (method or torch.<name> function)
NAME_SWAPS = {"mean": "sum", "sum": "mean", "randn": "rand", "rand": "randn", "ones": "zeros",
              "zeros": "ones", "hstack": "vstack", "vstack": "hstack", "squeeze": "unsqueeze",
              "unsqueeze": "squeeze"}
GRAD_MODES = {"no_grad", "enable_grad", "inference_mode"}
MODULE_NAMES = {"torch", "nn", "np", "numpy", "optim", "F"}  # `torch.randn(...)` is not a method call to strip


# ---------------------------------------------------------------------------------------------- mutants

@dataclass
class Mutant:
    id: str  # "level1.forward:BinOp@0:Mult->Add"; "level1:reference" for the unmutated file
    level: int
    stub: str  # "level1.forward"
    description: str  # the mutated body, on one line
    source: str = field(repr=False)  # the whole mutated level file


def preorder(node):
    out = [node]
    for child in ast.iter_child_nodes(node):
        out.extend(preorder(child))
    return out


def parents_of(tree):
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def replace_node(parents, node, new):
    """Put `new` (a node, or a list of statements) where `node` is in its parent."""
    parent = parents[node]
    for name, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(v is node for v in value):
            i = next(i for i, v in enumerate(value) if v is node)
            new_list = new if isinstance(new, list) else [new]
            if not new_list and all(isinstance(v, ast.stmt) for v in value) and len(value) == 1:
                new_list = [ast.Pass()]
            value[i:i + 1] = new_list
            return
        if value is node:
            setattr(parent, name, new)
            return
    raise LookupError("node not found in its parent")


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def constant_changes(value):
    if isinstance(value, bool):
        return [not value]
    if not _number(value):
        return []
    out = []
    for new in (value + 1, value - 1, 1 if value == 0 else 0):
        new = type(value)(new)
        if new != value and new not in out:
            out.append(new)
    return out


def site_mutations(node, parents):
    """[(change, transform(copied node, copied parents))] for one node of a stub body."""
    out = []

    def rename(attr):
        def apply(n, _p):
            n.func.attr = attr
        return apply

    if isinstance(node, ast.BinOp) and type(node.op) in ARITH:
        for op, name in ARITH.items():
            if op is not type(node.op):
                out.append((f"{ARITH[type(node.op)]}->{name}", lambda n, _p, op=op: setattr(n, "op", op())))
    if isinstance(node, ast.AugAssign) and type(node.op) in ARITH:
        for op, name in ARITH.items():
            if op is not type(node.op):
                out.append((f"{ARITH[type(node.op)]}->{name}", lambda n, _p, op=op: setattr(n, "op", op())))

        def out_of_place(n, p):
            load = copy.deepcopy(n.target)
            load.ctx = ast.Load()
            replace_node(p, n, ast.Assign(targets=[n.target], value=ast.BinOp(load, n.op, n.value)))
        out.append(("inplace->outofplace", out_of_place))
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
        if isinstance(value, ast.BinOp) and ast.dump(value.left).replace("Load", "Store") == ast.dump(target):
            out.append(("outofplace->inplace",
                        lambda n, p: replace_node(p, n, ast.AugAssign(n.targets[0], n.value.op, n.value.right))))
        if isinstance(value, ast.Constant) and value.value is None and isinstance(target, ast.Attribute):
            def zero_(n, p):
                load = copy.deepcopy(n.targets[0])
                load.ctx = ast.Load()
                call = ast.Call(ast.Attribute(load, "zero_", ast.Load()), [], [])
                replace_node(p, n, ast.Expr(call))
            out.append(("None->zero_", zero_))
    if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "zero_" and not node.value.args):
        def to_none(n, p):
            target = copy.deepcopy(n.value.func.value)
            target.ctx = ast.Store()
            replace_node(p, n, ast.Assign(targets=[target], value=ast.Constant(None)))
        out.append(("zero_->None", to_none))
    if isinstance(node, ast.Compare):
        for j, op in enumerate(node.ops):
            for new in COMPARE_SWAPS.get(type(op), []):
                def swap(n, _p, j=j, new=new):
                    n.ops[j] = new()
                out.append((f"{type(op).__name__}->{new.__name__}", swap))
    if isinstance(node, ast.UnaryOp):
        out.append((f"drop-{type(node.op).__name__}", lambda n, p: replace_node(p, n, n.operand)))
    if isinstance(node, ast.Constant):
        for new in constant_changes(node.value):
            out.append((f"{node.value!r}->{new!r}", lambda n, _p, new=new: setattr(n, "value", new)))
    if isinstance(node, ast.Call):
        for j in range(len(node.args)):
            out.append((f"drop-arg{j}", lambda n, _p, j=j: n.args.pop(j)))
        for j, keyword in enumerate(node.keywords):
            out.append((f"drop-kw={keyword.arg}", lambda n, _p, j=j: n.keywords.pop(j)))
        func = node.func
        if isinstance(func, ast.Attribute):
            attr = func.attr
            if attr.endswith("_") and not attr.startswith("__"):
                out.append((f"{attr}->{attr[:-1]}", rename(attr[:-1])))
            if attr in HAS_INPLACE:
                out.append((f"{attr}->{attr}_", rename(attr + "_")))
            if attr in NAME_SWAPS:
                out.append((f"{attr}->{NAME_SWAPS[attr]}", rename(NAME_SWAPS[attr])))
            owner = func.value
            is_module = ((isinstance(owner, ast.Name) and owner.id in MODULE_NAMES)
                         or (isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name)
                             and owner.value.id in MODULE_NAMES))
            if not is_module and not isinstance(parents.get(node), ast.Expr):  # `a.m()` as a statement: a drop
                out.append((f"strip-.{attr}()", lambda n, p: replace_node(p, n, n.func.value)))
        elif isinstance(func, ast.Name) and func.id in NAME_SWAPS:
            def rename_name(n, _p, new=NAME_SWAPS[func.id]):
                n.func.id = new
            out.append((f"{func.id}->{NAME_SWAPS[func.id]}", rename_name))
    if isinstance(node, ast.With):
        for item in node.items:
            expr = item.context_expr
            func = expr.func if isinstance(expr, ast.Call) else expr
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in GRAD_MODES:
                out.append((f"unwrap-{name}", lambda n, p: replace_node(p, n, n.body)))
                break
    if isinstance(node, ast.stmt):
        out.append(("drop", lambda n, p: replace_node(p, n, [])))
    return out


def stub_bodies(source, level):
    """{stub id: dedented body} for every solution block of a level file."""
    lines = source.splitlines()
    bodies = {}
    for stub, _hint, first, last, _indent in stubs_of(source, level):
        begin = next(i for i in range(first, last) if lines[i].strip() == BEGIN)
        bodies[stub] = textwrap.dedent("\n".join(lines[begin + 1:last]))
    return bodies


def mutate_body(body):
    """[(change id, mutated body)] for one stub body, in a stable order, without duplicates."""
    tree = ast.parse(body)
    original = ast.unparse(tree)
    nodes = preorder(tree)
    ordinals, seen, out = {}, {original}, []
    for index, node in enumerate(nodes[1:], start=1):
        kind = type(node).__name__
        ordinal = ordinals.get(kind, 0)
        ordinals[kind] = ordinal + 1
        for change, transform in site_mutations(node, parents_of(tree)):
            mutant = copy.deepcopy(tree)
            mutant_nodes = preorder(mutant)
            transform(mutant_nodes[index], parents_of(mutant))
            code = ast.unparse(ast.fix_missing_locations(mutant))
            if code in seen:
                continue
            seen.add(code)
            out.append((f"{kind}@{ordinal}:{change}", code))
    return out


def reference_mutant(level):
    source = (SOLUTIONS_DIR / LEVEL_FILES[level]).read_text()
    return Mutant(f"level{level}:reference", level, f"level{level}", "(no mutation)", source)


def generate(levels=LEVELS, stubs=None, limit=None):
    """[Mutant] for the chosen levels (and stubs), at most `limit` per stub."""
    mutants = []
    for level in levels:
        source = (SOLUTIONS_DIR / LEVEL_FILES[level]).read_text()
        for stub, body in stub_bodies(source, level).items():
            if stubs and stub not in stubs:
                continue
            made = mutate_body(body)
            for change, code in made[:limit] if limit else made:
                description = " ; ".join(line.strip() for line in code.splitlines() if line.strip())
                mutants.append(Mutant(f"{stub}:{change}", level, stub, description,
                                      replace_stubs(source, level, {stub: code})))
    return mutants


def owners(stub):
    """Ids of the checks that own a stub ("level1.forward" -> level1.forward, level1.gradient, ...)."""
    from autograder.checks import checks_for_level

    level, _, name = stub.partition(".")
    checks = checks_for_level(int(level[len("level"):]))
    return {c.id for c in checks if name in c.stubs or not name}  # "level1" (the reference): every check


# ---------------------------------------------------------------------------------------------- grading

def _worker(conn, device, challenge, threads):
    """Grade level files sent over conn, one at a time: (key, level, source) -> (key, outcome)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # what mutants and probes print must not interleave with the table
    os.dup2(devnull, 2)
    import torch

    torch.set_num_threads(threads)
    from autograder.judge import judge_level
    from autograder.probe.run import load_and_probe

    conn.send(("ready", None))
    with tempfile.TemporaryDirectory(prefix="mutant_") as tmp:
        count = 0
        while True:
            job = conn.recv()
            if job is None:
                return
            key, level, source = job
            count += 1
            folder = Path(tmp) / str(count)
            folder.mkdir()
            path = folder / LEVEL_FILES[level]
            path.write_text(source)
            try:
                probed = load_and_probe(level, path, device, challenge)
                results = judge_level(level, probed, device, challenge)
                outcome = {"import_failed": "load_error" in probed,
                           "checks": {r.id: [r.points, r.max_points, bool(r.passed), r.diagnosis] for r in results}}
            except Exception as error:  # the grader itself failed on this mutant's data
                outcome = {"grader_error": f"{type(error).__name__}: {error}"}
            conn.send((key, outcome))


class Pool:
    """Workers that each grade one mutant at a time; a worker past its deadline is killed and replaced."""

    def __init__(self, workers, timeout, device, challenge, threads, startup=180):
        import multiprocessing

        self.ctx = multiprocessing.get_context("spawn")  # torch and fork do not mix
        self.args = (device, challenge, threads)
        self.timeout, self.startup = timeout, startup
        self.slots = [self._start() for _ in range(workers)]

    def _start(self):
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker, args=(child, *self.args), daemon=True)
        process.start()
        child.close()
        return {"process": process, "conn": parent, "job": None, "deadline": time.monotonic() + self.startup,
                "ready": False}

    def _stop(self, slot):
        slot["process"].kill()
        slot["process"].join()
        slot["conn"].close()

    def map(self, jobs, done):
        """Grade every (key, level, source); call done(key, outcome) as each one ends."""
        from multiprocessing.connection import wait

        queue = list(jobs)
        while queue or any(s["job"] for s in self.slots):
            for slot in self.slots:
                if slot["ready"] and slot["job"] is None and queue:
                    slot["job"] = queue.pop(0)
                    slot["deadline"] = time.monotonic() + self.timeout
                    slot["conn"].send(slot["job"])
            busy = [s for s in self.slots if s["job"] is not None or not s["ready"]]
            if not busy:
                continue
            now = time.monotonic()
            ready = wait([s["conn"] for s in busy], timeout=max(0.0, min(s["deadline"] for s in busy) - now))
            now = time.monotonic()
            for i, slot in enumerate(self.slots):
                if slot["conn"] in ready:
                    try:
                        key, outcome = slot["conn"].recv()
                    except (EOFError, OSError):  # the worker died: a mutant that crashes the process
                        if not slot["ready"]:
                            raise RuntimeError("a grading worker died while starting")
                        job = slot["job"]
                        self._stop(slot)
                        self.slots[i] = self._start()
                        done(job[0], {"crashed": True})
                        continue
                    if key == "ready":
                        slot["ready"] = True
                    else:
                        slot["job"] = None
                        done(key, outcome)
                elif slot in busy and now >= slot["deadline"]:
                    if not slot["ready"]:
                        raise RuntimeError("a grading worker did not start in time")
                    job = slot["job"]
                    self._stop(slot)
                    self.slots[i] = self._start()
                    done(job[0], {"timeout": True})

    def close(self):
        for slot in self.slots:
            try:
                slot["conn"].send(None)
            except OSError:
                pass
            slot["process"].join(timeout=10)
            if slot["process"].is_alive():
                self._stop(slot)


def classify(mutant, outcome, equivalents=None):
    """(verdict, lost check ids): verdict in killed / other / survived / equivalent / grader_error;
    how a killed mutant died is in outcome (import_failed, timeout, crashed)."""
    if outcome.get("timeout") or outcome.get("crashed"):
        return "killed", []
    if "grader_error" in outcome:
        return "grader_error", []
    lost = sorted(cid for cid, (points, max_points, passed, _d) in outcome["checks"].items()
                  if points < max_points or not passed)
    if outcome.get("import_failed"):
        return "killed", lost
    if set(lost) & owners(mutant.stub):
        return "killed", lost
    if lost:
        return "other", lost
    if equivalents and mutant.id in equivalents:
        return "equivalent", lost
    return "survived", lost


def how(outcome):
    for kind in ("import_failed", "timeout", "crashed"):
        if outcome.get(kind):
            return kind
    return None


def load_equivalents(path=EQUIVALENTS_FILE):
    if not Path(path).is_file():
        return {}
    return json.loads(Path(path).read_text())


def run(levels=LEVELS, stubs=None, limit=None, workers=2, timeout=60.0, device="cpu", challenge=0,
        equivalents=None, threads=1, progress=None, include_reference=True):
    """Grade the mutants; returns {"mutants": [record], "references": [record]}."""
    mutants = generate(levels, stubs, limit)
    graded_levels = sorted({m.level for m in mutants}) if stubs else sorted(levels)
    references = [reference_mutant(level) for level in graded_levels] if include_reference else []
    by_key = {m.id: m for m in [*references, *mutants]}
    records = {}

    def done(key, outcome):
        mutant = by_key[key]
        verdict, lost = classify(mutant, outcome, equivalents)
        records[key] = {**{k: v for k, v in asdict(mutant).items() if k != "source"},
                        "verdict": verdict, "how": how(outcome), "lost": lost,
                        "grader_error": outcome.get("grader_error")}
        if progress:
            progress(len(records), len(by_key), records[key])

    pool = Pool(workers, timeout, device, challenge, threads)
    try:
        pool.map([(m.id, m.level, m.source) for m in [*references, *mutants]], done)
    finally:
        pool.close()
    return {"mutants": [records[m.id] for m in mutants], "references": [records[m.id] for m in references]}


# ---------------------------------------------------------------------------------------------- report

def tally(records):
    counts = {"mutants": 0, "killed": 0, "import_failed": 0, "timeout": 0, "crashed": 0, "other": 0,
              "survived": 0, "equivalent": 0, "grader_error": 0}
    for r in records:
        counts["mutants"] += 1
        counts[r["verdict"]] += 1
        if r["how"]:
            counts[r["how"]] += 1
    counts["scored"] = counts["mutants"] - counts["equivalent"]
    counts["score"] = counts["killed"] / counts["scored"] if counts["scored"] else 1.0
    return counts


def report(result, equivalents, out=sys.stdout):
    records = result["mutants"]
    for ref in result["references"]:
        state = "passes every check" if not ref["lost"] and ref["verdict"] != "killed" else \
            f"LOSES POINTS ({', '.join(ref['lost']) or ref['how'] or ref['grader_error']})"
        print(f"reference level{ref['level']}: {state}", file=out)
    header = f"{'stub':40} {'mutants':>7} {'killed':>6} {'(imp/to/crash)':>14} {'other':>5} {'surv':>4} {'equiv':>5} {'score':>7}"
    print(header, file=out)

    def row(name, rs):
        c = tally(rs)
        print(f"{name:40} {c['mutants']:7} {c['killed']:6} {c['import_failed']:>6}/{c['timeout']}/{c['crashed']:<5} "
              f"{c['other']:5} {c['survived']:4} {c['equivalent']:5} {100 * c['score']:6.1f}%", file=out)

    for level in sorted({r["level"] for r in records}):
        in_level = [r for r in records if r["level"] == level]
        for stub in dict.fromkeys(r["stub"] for r in in_level):
            row(stub, [r for r in in_level if r["stub"] == stub])
        row(f"level{level} (all stubs)", in_level)
    row("TOTAL", records)
    total = tally(records)
    without_import = total["scored"] - total["import_failed"]
    print(f"\nscore: {total['killed']}/{total['scored']} non-equivalent mutants killed by an owning check = "
          f"{100 * total['score']:.1f}%  (import failures: {total['import_failed']}; without them "
          f"{total['killed'] - total['import_failed']}/{without_import} = "
          f"{100 * (total['killed'] - total['import_failed']) / max(1, without_import):.1f}%)", file=out)
    for title, verdict in (("survived (not equivalent)", "survived"), ("killed only by another check", "other"),
                           ("grader errors", "grader_error")):
        chosen = [r for r in records if r["verdict"] == verdict]
        if chosen:
            print(f"\n{title}:", file=out)
            for r in chosen:
                extra = f"  [lost: {', '.join(r['lost'])}]" if r["lost"] else ""
                extra += f"  [{r['grader_error']}]" if r["grader_error"] else ""
                print(f"  {r['id']}:  {r['description']}{extra}", file=out)
    contradicted = [r["id"] for r in records if r["id"] in equivalents and r["verdict"] not in ("equivalent",)]
    if contradicted:
        print("\nlisted as equivalent but not surviving (check the list): " + ", ".join(contradicted), file=out)
    all_ids = {m.id for m in generate()}
    stale = sorted(set(equivalents) - all_ids)
    if stale:
        print("\nequivalents that are no longer generated (stale ids): " + ", ".join(stale), file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS), choices=list(LEVELS))
    parser.add_argument("--stubs", nargs="+", help="only these stubs, e.g. level1.mse")
    parser.add_argument("--limit", type=int, help="the first N mutants of each stub (a quick run)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per mutant; past it, killed")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--challenge", type=int, default=0)
    parser.add_argument("--equivalents", default=str(EQUIVALENTS_FILE))
    parser.add_argument("--json", help="write every mutant's record here")
    parser.add_argument("--list", action="store_true", help="print the mutant ids and bodies, grade nothing")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    if args.list:
        for m in generate(args.levels, args.stubs, args.limit):
            print(f"{m.id}\t{m.description}")
        return 0
    equivalents = load_equivalents(args.equivalents)
    began = time.monotonic()

    def progress(n, total, record):
        if not args.quiet:
            print(f"[{n}/{total} {time.monotonic() - began:5.0f}s] {record['verdict']:9} {record['id']}",
                  file=sys.stderr, flush=True)

    result = run(args.levels, args.stubs, args.limit, args.workers, args.timeout, args.device, args.challenge,
                 equivalents, progress=progress)
    report(result, equivalents)
    print(f"\n{len(result['mutants'])} mutants in {time.monotonic() - began:.0f} s with {args.workers} worker(s)")
    if args.json:
        Path(args.json).write_text(json.dumps({**result, "total": tally(result["mutants"])}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
