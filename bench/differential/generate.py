"""Random small C programs that acquire and release resources along input-dependent paths.

A program reads a few small integers from argv (each in 0..2, so every input vector can be run), and its functions
acquire memory (malloc, calloc, strdup, realloc, the program's own wrappers, create/destroy pairs over structs,
out-parameter constructors, generated functions returning owned pointers), FILE* and descriptors; they branch on
the inputs, loop a constant or input-dependent number of times, return early, `goto out` to a cleanup block,
`continue`/`break`, hand resources over to struct fields, globals, out-parameters and callers, and release them on
some paths only. Every statement is kept only if the may-analysis in `shapes` proves it safe on all paths, then
the whole program is run on every input by `interp` (a second safety net; also drops code no input reaches).

Nothing here knows what leakscan reports. The weights below describe plausible code, not leakscan's blind spots.
"""
from __future__ import annotations

import copy
import itertools
import random
from dataclasses import dataclass, field

from .interp import Coverage, UndefinedBehaviour, explore
from .program import (
    Acquire,
    Assign,
    BoolOp,
    Bound,
    Break,
    CallWorker,
    Cmp,
    Cond,
    Continue,
    Discard,
    Func,
    Goto,
    If,
    Loop,
    Move,
    NullCheck,
    OutAcquire,
    Program,
    Realloc,
    Release,
    Return,
    Stmt,
    Use,
    walk,
)
from .shapes import DANGLING, MOVED, NULL, Engine, State, join, sites_in

PREFIXES = ("qx", "dm", "kv", "zt", "ps", "mb", "lr", "wx", "ub", "hc", "rt", "sn")
NOUNS = ("buf", "blob", "msg", "node", "item", "frame", "slab", "vec")
VERBS = (("new", "free", "open"), ("create", "destroy", "make"), ("alloc", "release", "init"), ("new", "del", "load"))
WORKER_VERBS = ("run", "step", "handle", "process", "visit", "apply", "update", "scan", "merge", "emit", "fill",
                "prepare", "check", "route")
WORKER_NOUNS = ("cache", "queue", "index", "table", "batch", "record", "chunk", "request", "header", "segment",
                "entry", "field", "token", "page")
STRINGS = ('"alpha"', '"beta"', '"key"', '"value"', '"node"', '"x"', '"config"')
SIZES = ("8", "16", "24", "32", "64")

CLASS_WEIGHTS = {"heap": 50, "buf": 20, "ctx": 12, "file": 12, "fd": 8}
KIND_WEIGHTS = {
    "heap": {"malloc": 28, "calloc": 10, "strdup": 18, "wrap_strdup": 14, "wrap_xmalloc": 8, "indirect": 4,
             "worker_ret": 12, "worker_out": 6},
    "buf": {"pair_new": 50, "out_ctor": 25, "worker_ret": 15, "worker_out": 10},
    "ctx": {"ctx_new": 80, "worker_ret": 20},
    "file": {"fopen": 80, "worker_ret": 20},
    "fd": {"open": 100},
}
RELEASE_HOWS = {"heap": {"free": 70, "xfree": 12, "take": 12, "indirect_drop": 6}, "buf": {"pair_del": 1},
                "ctx": {"ctx_free": 1}, "file": {"fclose": 1}, "fd": {"close": 1}}
VAR_PREFIX = {"heap": "p", "buf": "b", "ctx": "cx", "file": "f", "fd": "fd"}
MAX_WORKERS = 5
MAX_CALL_DEPTH = 2
MAX_NEST = 3


@dataclass
class _Ctx:
    """Where the statement being generated sits."""
    loops: list[str] = field(default_factory=list)
    nest: int = 0
    branch: int = 0
    scopes: list[dict[str, str]] = field(default_factory=lambda: [{}])

    def inner(self, loop: str | None = None) -> _Ctx:
        return _Ctx(self.loops + ([loop] if loop else []), self.nest + 1, self.branch + 1, [*self.scopes, {}])


class Generator:
    def __init__(self, label: str) -> None:
        self.rng = random.Random(label)
        r = self.rng
        self.ids = itertools.count(1)
        self.site_ids = itertools.count(1)
        self.prog = Program(seed=label, prefix=r.choice(PREFIXES), noun=r.choice(NOUNS), verbs=r.choice(VERBS),
                            inputs=r.choice((2, 3, 3, 4)), funcs=[])
        # most destructors are complete; some forget a member (drawn apart, so the rest of the program stays put)
        self.prog.ctx_frees_extra = random.Random(f"{label}:ctx").random() < 0.7
        self.worker_names: set[str] = set()
        self.workers = 0

    # ---- small helpers ---------------------------------------------------------------------------------------
    def pick(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def nid(self) -> int:
        return next(self.ids)

    def cond(self, ctx: _Ctx) -> Cond:
        r = self.rng
        if ctx.loops and self.chance(0.25):
            var = r.choice(ctx.loops)
            c: Cond = Cmp(var, r.choice(("==", ">", "!=")), r.choice((0, 1)))
        else:
            op, value = r.choice((("==", 0), ("==", 1), ("==", 2), ("!=", 0), ("!=", 1), ("!=", 2), (">", 0),
                                  (">", 1), ("<", 1), ("<", 2)))
            c = Cmp(f"in[{r.randrange(self.prog.inputs)}]", op, value)
        if self.chance(0.15):
            other = Cmp(f"in[{r.randrange(self.prog.inputs)}]", r.choice(("==", "!=", ">")), r.choice((0, 1)))
            c = BoolOp(r.choice(("&&", "||")), c, other)
        return c

    def check(self, f: Func, st: State, stmts: list[Stmt], ctx: _Ctx) -> tuple[bool, State | None]:
        """Abstractly execute `stmts` from `st`: (safe on every path, state after or None without fall-through)."""
        eng = Engine(self.prog, f, loop_depth=len(ctx.loops), branch_depth=ctx.branch)
        out: State | None = st
        for s in stmts:
            if out is None:
                break
            out = eng.stmt(s, out)
        return not eng.problems, out

    def new_var(self, f: Func, cls: str, ctx: _Ctx | None = None) -> str:
        n = sum(1 for _ in self._all_names(f)) + 1
        name = f"{VAR_PREFIX[cls]}{n}"
        while name in set(self._all_names(f)):
            n += 1
            name = f"{VAR_PREFIX[cls]}{n}"
        if ctx is None:
            f.locals[name] = cls
        else:
            ctx.scopes[-1][name] = cls
            self._block_locals.setdefault(f.name, set()).add(name)
        return name

    def _all_names(self, f: Func):
        yield from f.locals
        yield from self._block_locals.get(f.name, ())

    _block_locals: dict[str, set[str]]

    def visible(self, f: Func, ctx: _Ctx) -> dict[str, str]:
        out = dict(f.locals)
        for scope in ctx.scopes[1:]:
            out.update(scope)
        if f.struct_local:
            out.update({"st.a": "heap", "st.b": "heap"})
        return out

    @staticmethod
    def owned(st: State, lv: str) -> bool:
        toks = st.get(lv, frozenset({NULL}))
        return bool(sites_in(toks)) and not toks & {DANGLING, MOVED}

    # ---- programs and functions ------------------------------------------------------------------------------
    def program(self) -> Program:
        self._block_locals = {}
        main = Func("main", "main")
        self.fill(main, call_depth=0)
        self.prog.funcs.append(main)
        return self.prog

    def fill(self, f: Func, call_depth: int) -> None:
        """Generate `f`'s body; retried from scratch (dropping workers made meanwhile) until it checks safe."""
        funcs_before, globals_before, workers_before = len(self.prog.funcs), dict(self.prog.globals), self.workers
        names_before = set(self.worker_names)
        for _attempt in range(8):
            f.body, f.locals, f.cleanup, f.struct_local, f.result = [], {}, [], False, None
            self._block_locals[f.name] = set()
            f.goto_style = f.proto in ("status", "out") and self.chance(0.35)
            if self._fill_once(f, call_depth):
                return
            del self.prog.funcs[funcs_before:]
            self.prog.globals = dict(globals_before)
            self.workers = workers_before
            self.worker_names = set(names_before)
        # fall back to the smallest function of that prototype
        f.body, f.locals, f.cleanup, f.struct_local, f.goto_style = [], {}, [], False, False
        if f.proto in ("ret", "out"):
            f.result = self.new_var(f, f.res_cls)
            kind = {"heap": "malloc", "buf": "pair_new", "ctx": "ctx_new", "file": "fopen"}[f.res_cls]
            f.body.append(self.acquire_stmt(f, f.result, f.res_cls, kind, call_depth, decl=False)[0])
            if f.proto == "ret":
                f.body.append(Return(self.nid(), f.result))
            else:
                f.body += [Move(self.nid(), "*out", f.result, f.res_cls, "out"), Return(self.nid(), "0")]
        elif f.proto == "status":
            f.body.append(Return(self.nid(), "0"))

    def _fill_once(self, f: Func, call_depth: int) -> bool:
        ctx = _Ctx()
        eng = Engine(self.prog, f)
        st = eng.initial()
        body: list[Stmt] = []
        if f.proto in ("ret", "out"):
            f.result = self.new_var(f, f.res_cls)
            stmts = self.act_acquire(f, st, ctx, call_depth, cls=f.res_cls, var=f.result)
            ok, out = self.check(f, st, stmts, ctx)
            if not ok or out is None:
                return False
            body += stmts
            st = out
        budget = self.rng.randint(4, 9) if f.proto == "main" else self.rng.randint(3, 7)
        stmts, st = self.block(f, st, ctx, budget, call_depth)
        body += stmts
        if st is not None and f.proto == "ctxfill" and not any(
                isinstance(s, Move) and s.kind == "field_param" for s in walk(body)):
            var = self.new_var(f, "heap")
            fill = [*self.acquire_stmt(f, var, "heap", self.rng.choice(("malloc", "strdup", "wrap_strdup")),
                                       call_depth, decl=False),
                    Move(self.nid(), f"c->{'extra' if self.chance(0.25) else 'name'}", var, "heap", "field_param")]
            ok, out = self.check(f, st, fill, ctx)
            if ok and out is not None:
                body += fill
                st = out
        if st is not None:
            body += self.epilogue(f, st, ctx)
        f.body = body
        if f.goto_style:
            self.choose_cleanup(f)
        final = Engine(self.prog, f)
        final.run_function()
        return not final.problems

    def choose_cleanup(self, f: Func) -> None:
        eng = Engine(self.prog, f)
        st = eng.block(f.body, eng.initial())
        at_out = st
        for g in eng.gotos:
            at_out = join(at_out, g)
        at_out = at_out or {}
        f.cleanup = [v for v in f.locals
                     if not at_out.get(v, frozenset({NULL})) & {DANGLING, MOVED} and self.chance(0.85)]

    def epilogue(self, f: Func, st: State, ctx: _Ctx) -> list[Stmt]:
        """Releases at the end (some forgotten), then the return that the prototype needs."""
        out: list[Stmt] = []
        keep_p = 0.8 if not f.goto_style else 0.2
        for lv, cls in self.visible(f, ctx).items():
            if lv == f.result or not self.owned(st, lv):
                continue
            if self.chance(keep_p):
                rel = self.release_stmt(f, st, lv, cls, ctx)
                ok, nxt = self.check(f, st, [rel], ctx)
                if ok and nxt is not None:
                    out.append(rel)
                    st = nxt
        if f.proto == "main":
            for g, cls in self.prog.globals.items():
                if self.chance(0.5):
                    out.append(Release(self.nid(), g, cls, "free" if cls == "heap" else "pair_del"))
            return out
        if f.proto == "ctxfill":
            return out
        if f.proto == "ret":
            return [*out, Return(self.nid(), f.result)]
        if f.proto == "out":
            if NULL in st.get(f.result, frozenset({NULL})):
                out.append(NullCheck(self.nid(), f.result, f.res_cls, [self.fail_exit(f, ctx)[-1]], False))
            out.append(Move(self.nid(), "*out", f.result, f.res_cls, "out", nullify_src=f.goto_style))
            return [*out, Assign(self.nid(), "rc", "0")] if f.goto_style else [*out, Return(self.nid(), "0")]
        return [*out, Assign(self.nid(), "rc", "0")] if f.goto_style else [*out, Return(self.nid(), "0")]

    # ---- blocks ----------------------------------------------------------------------------------------------
    def block(self, f: Func, st: State, ctx: _Ctx, budget: int, call_depth: int) -> tuple[list[Stmt], State | None]:
        stmts: list[Stmt] = []
        tries = 0
        while budget > 0 and tries < budget * 4:
            tries += 1
            new = self.action(f, st, ctx, call_depth)
            if not new:
                continue
            ok, out = self.check(f, st, new, ctx)
            if not ok:
                continue
            stmts += new
            budget -= 1
            if out is None:
                return stmts, None
            st = out
        return stmts, st

    def action(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        weights = {"acquire": 6, "release": 4, "use": 2, "if": 3, "exit": 2.5, "loop": 2, "move": 2,
                   "realloc": 1, "call": 1.5, "discard": 0.25}
        if f.proto == "main":
            weights["call"] = 4
        if ctx.nest >= MAX_NEST:
            weights["if"] = weights["loop"] = 0
        act = self.pick(weights)
        return getattr(self, f"act_{act}")(f, st, ctx, call_depth)

    # ---- actions ---------------------------------------------------------------------------------------------
    def act_acquire(self, f: Func, st: State, ctx: _Ctx, call_depth: int, cls: str | None = None,
                    var: str | None = None) -> list[Stmt]:
        cls = cls or self.pick(CLASS_WEIGHTS)
        kinds = dict(KIND_WEIGHTS[cls])
        if not self.can_make_worker(call_depth):
            kinds = {k: w for k, w in kinds.items() if not k.startswith("worker")}
        kind = self.pick(kinds)
        decl = False
        if var is None:
            same = [v for v, c in self.visible(f, ctx).items() if c == cls and "." not in v and v != f.result]
            if kind not in ("out_ctor", "worker_out") and ctx.nest and self.chance(0.35):
                var, decl = self.new_var(f, cls, ctx), True
            elif same and self.chance(0.3):
                var = self.rng.choice(same)
            else:
                var = self.new_var(f, cls)
        stmts = self.acquire_stmt(f, var, cls, kind, call_depth, decl, ctx)
        first = stmts[0]
        if isinstance(first, Acquire):
            check_p = 0.15 if kind == "wrap_xmalloc" else 0.7 if kind == "worker_ret" else 0.55
            if self.chance(check_p):
                ok, after = self.check(f, st, stmts, ctx)
                if ok and after is not None:
                    body = self.exit_body(f, after, ctx, release_p=0.65, allow_loop_exits=False, skip=var)
                    stmts.append(NullCheck(self.nid(), var, cls, body, failure_only=kind != "worker_ret"))
        if kind == "ctx_new" and self.chance(0.5):  # `c = ctx_new(); c->name = strdup(...);`
            member = self.new_var(f, "heap")
            stmts += [*self.acquire_stmt(f, member, "heap", self.rng.choice(("strdup", "wrap_strdup", "malloc")),
                                         call_depth, decl=False),
                      Move(self.nid(), f"{var}->{'extra' if self.chance(0.25) else 'name'}", member, "heap",
                           "field_heap", nullify_src=f.goto_style or self.chance(0.5))]
        return stmts

    def acquire_stmt(self, f: Func, var: str, cls: str, kind: str, call_depth: int, decl: bool,
                     ctx: _Ctx | None = None) -> list[Stmt]:
        p, n, (new, _dele, opn) = self.prog.prefix, self.prog.noun, self.prog.verbs
        site = next(self.site_ids)
        r = self.rng
        calls = {"malloc": ("malloc", (r.choice(SIZES),)), "calloc": ("calloc", (r.choice(("2", "4", "8")), "8")),
                 "strdup": ("strdup", (r.choice(STRINGS),)), "wrap_strdup": (f"{p}_strdup", (r.choice(STRINGS),)),
                 "wrap_xmalloc": (f"{p}_xmalloc", (r.choice(SIZES),)), "indirect": (f"{p}_ops.make",
                                                                                   (r.choice(STRINGS),)),
                 "pair_new": (f"{p}_{n}_{new}", (r.choice(SIZES),)), "ctx_new": (f"{p}_ctx_new", ()),
                 "fopen": ("fopen", ('"/dev/null"', '"r"')), "open": ("open", ('"/dev/null"', "O_RDONLY"))}
        if kind in calls:
            callee, args = calls[kind]
            return [Acquire(self.nid(), site, var, cls, kind, callee, args, decl)]
        if kind == "out_ctor":
            on_fail = None
            if ctx is not None and self.chance(0.75):
                on_fail = self.exit_body(f, None, ctx, release_p=0.65, allow_loop_exits=False, skip=var)
            return [OutAcquire(self.nid(), site, var, cls, kind, f"{p}_{n}_{opn}", (r.choice(SIZES),), on_fail,
                               failure_only=True)]
        worker = self.worker("ret" if kind == "worker_ret" else "out", cls, call_depth)
        if kind == "worker_ret":
            return [Acquire(self.nid(), site, var, cls, kind, worker, ("in",), decl)]
        on_fail = None
        if ctx is not None and self.chance(0.7):
            on_fail = self.exit_body(f, None, ctx, release_p=0.65, allow_loop_exits=False, skip=var)
        return [OutAcquire(self.nid(), site, var, cls, kind, worker, ("in",), on_fail, failure_only=False)]

    def release_stmt(self, f: Func, st: State, lv: str, cls: str, ctx: _Ctx) -> Release:
        toks = st.get(lv, frozenset({NULL}))
        how = self.pick(RELEASE_HOWS[cls])
        if how == "indirect_drop" and not self._uses_ops():
            how = "free"
        guard = (cls in ("file", "fd") and NULL in toks) or self.chance(0.3 if NULL in toks else 0.08)
        nullify = f.goto_style or "." in lv or self.chance(0.6 if ctx.loops else 0.35)
        return Release(self.nid(), lv, cls, how, guard, nullify)

    def _uses_ops(self) -> bool:
        return any(getattr(s, "kind", "") == "indirect" for fn in self.prog.funcs for s in walk(fn.body))

    def act_release(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        cands = [(lv, c) for lv, c in self.visible(f, ctx).items() if lv != f.result and self.owned(st, lv)]
        if not cands:
            return []
        lv, cls = self.rng.choice(cands)
        return [self.release_stmt(f, st, lv, cls, ctx)]

    def act_use(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        cands = [(lv, c) for lv, c in self.visible(f, ctx).items() if self.owned(st, lv) and "." not in lv]
        if not cands:
            return []
        lv, cls = self.rng.choice(cands)
        return [Use(self.nid(), lv, cls, guard=NULL in st[lv])]

    def act_if(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        inner = ctx.inner()
        then, _ = self.block(f, st, inner, self.rng.randint(1, 3), call_depth)
        if not then:
            return []
        els = None
        if self.chance(0.3):
            els, _ = self.block(f, st, ctx.inner(), self.rng.randint(1, 2), call_depth)
            els = els or None
        return [If(self.nid(), self.cond(ctx), then, els)]

    def exit_body(self, f: Func, st: State | None, ctx: _Ctx, release_p: float, allow_loop_exits: bool,
                  skip: str | None = None) -> list[Stmt]:
        """Leave the function (or the loop iteration), releasing each owned resource with probability release_p."""
        body: list[Stmt] = []
        loop_exit = allow_loop_exits and ctx.loops and self.chance(0.45)
        if st is not None and not (f.goto_style and not loop_exit):
            for lv, cls in self.visible(f, ctx).items():
                if lv in (skip, f.result) or not self.owned(st, lv):
                    continue
                if self.chance(release_p):
                    body.append(self.release_stmt(f, st, lv, cls, ctx))
        if loop_exit:
            return [*body, self.rng.choice((Continue, Break))(self.nid())]
        return body + self.fail_exit(f, ctx)

    def fail_exit(self, f: Func, ctx: _Ctx) -> list[Stmt]:
        if f.goto_style:
            return ([Assign(self.nid(), "rc", self.rng.choice(("-2", "1")))] if self.chance(0.4) else []) + \
                [Goto(self.nid())]
        value = {"main": "1", "status": "-1", "out": "-1", "ret": "NULL", "ctxfill": ""}[f.proto]
        return [Return(self.nid(), value)]

    def act_exit(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        body = self.exit_body(f, st, ctx, release_p=0.55, allow_loop_exits=True)
        return [If(self.nid(), self.cond(ctx), body)]

    def act_loop(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        r = self.rng
        var = "ijk"[len(ctx.loops)] if len(ctx.loops) < 3 else f"i{len(ctx.loops)}"
        kind = self.pick({"const": 5, "in": 3.5, "in+1": 1.5})
        bound = Bound(kind, r.randint(1, 3) if kind == "const" else r.randrange(self.prog.inputs))
        for _ in range(3):
            body, _ = self.block(f, st, ctx.inner(var), r.randint(1, 4), call_depth)
            if not body:
                continue
            loop = Loop(self.nid(), var, bound, body)
            if self.check(f, st, [loop], ctx)[0]:
                return [loop]
        return []

    def act_move(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        cands = [(lv, c) for lv, c in self.visible(f, ctx).items()
                 if lv != f.result and "." not in lv and self.owned(st, lv)]
        if not cands:
            return []
        lv, cls = self.rng.choice(cands)
        kinds = {"alias": 2}
        if cls == "heap":
            kinds["field_local"] = 3
            ctxs = [v for v, c in self.visible(f, ctx).items() if c == "ctx" and self.owned(st, v)
                    and NULL not in st[v]]
            if ctxs:
                kinds["field_heap"] = 6
            if f.proto == "ctxfill":
                kinds["field_param"] = 6
        if cls in ("heap", "buf"):
            kinds["global"] = 2
        kind = self.pick(kinds)
        nullify = f.goto_style or self.chance(0.5)
        if kind == "alias":
            dst = self.new_var(f, cls)
        elif kind == "field_local":
            f.struct_local = True
            dst = self.rng.choice(("st.a", "st.b"))
        elif kind == "field_heap":
            dst = f"{self.rng.choice(ctxs)}->{'extra' if self.chance(0.25) else 'name'}"
        elif kind == "field_param":
            dst = f"c->{'extra' if self.chance(0.25) else 'name'}"
        else:
            same = [g for g, c in self.prog.globals.items() if c == cls]
            if same and self.chance(0.5):
                dst = self.rng.choice(same)
            else:
                dst = f"g_{self.rng.choice(WORKER_NOUNS)}{len(self.prog.globals) + 1}"
                self.prog.globals[dst] = cls
        return [Move(self.nid(), dst, lv, cls, kind, nullify)]

    def act_realloc(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        cands = [lv for lv, c in self.visible(f, ctx).items()
                 if c == "heap" and "." not in lv and not st.get(lv, frozenset({NULL})) & {DANGLING, MOVED}]
        if not cands:
            return []
        var = self.rng.choice(cands)
        site = next(self.site_ids)
        size = self.rng.choice((48, 96, 128))
        if self.chance(0.5):
            return [Realloc(self.nid(), site, var, size)]
        tmp = self.new_var(f, "heap", ctx)
        ctx.scopes[-1].pop(tmp, None)  # the temporary is not a resource variable of its own
        body = self.exit_body(f, st, ctx, release_p=0.7, allow_loop_exits=False)
        return [Realloc(self.nid(), site, var, size, tmp, body)]

    def act_call(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        ctxs = [v for v, c in self.visible(f, ctx).items() if c == "ctx" and self.owned(st, v) and NULL not in st[v]]
        if ctxs and self.chance(0.5) and self.can_make_worker(call_depth, reuse=True):
            worker = self.worker("ctxfill", None, call_depth)
            return [CallWorker(self.nid(), worker, ("in", self.rng.choice(ctxs)), site=next(self.site_ids))]
        if not self.can_make_worker(call_depth, reuse=True):
            return []
        worker = self.worker("status", None, call_depth)
        on_fail = self.exit_body(f, st, ctx, release_p=0.6, allow_loop_exits=True) if self.chance(0.4) else None
        return [CallWorker(self.nid(), worker, ("in",), on_fail)]

    def act_discard(self, f: Func, st: State, ctx: _Ctx, call_depth: int) -> list[Stmt]:
        p = self.prog.prefix
        kind, callee, args = self.rng.choice((("malloc", "malloc", (self.rng.choice(SIZES),)),
                                             ("strdup", "strdup", (self.rng.choice(STRINGS),)),
                                             ("wrap_strdup", f"{p}_strdup", (self.rng.choice(STRINGS),))))
        return [Discard(self.nid(), next(self.site_ids), "heap", kind, callee, args)]

    # ---- workers ---------------------------------------------------------------------------------------------
    def can_make_worker(self, call_depth: int, reuse: bool = False) -> bool:
        return call_depth < MAX_CALL_DEPTH and (self.workers < MAX_WORKERS or (reuse and self.workers > 0))

    def worker(self, proto: str, res_cls: str | None, call_depth: int) -> str:
        done = [w for w in self.prog.funcs if w.proto == proto and w.res_cls == res_cls]
        if done and (self.workers >= MAX_WORKERS or self.chance(0.3)):
            return self.rng.choice(done).name
        self.workers += 1
        while True:
            name = f"{self.rng.choice(WORKER_VERBS)}_{self.rng.choice(WORKER_NOUNS)}"
            if name not in self.worker_names:
                break
        self.worker_names.add(name)
        w = Func(name, proto, res_cls)
        self.fill(w, call_depth + 1)
        self.prog.funcs.append(w)
        return name


# ---- dead code ---------------------------------------------------------------------------------------------------
def prune(stmts: list[Stmt], cov: Coverage) -> list[Stmt]:
    """Drop what no input reaches; inline an `if` whose condition is constant wherever it is reached."""
    out: list[Stmt] = []
    for s in stmts:
        if s.id not in cov.executed:
            continue
        if isinstance(s, If):
            then_taken, else_taken = (s.id, "then") in cov.arms, (s.id, "else") in cov.arms
            if not then_taken:
                out += prune(s.els or [], cov)
                continue
            if not else_taken:
                out += prune(s.then, cov)
                continue
            s.then = prune(s.then, cov)
            s.els = prune(s.els, cov) or None if s.els is not None else None
        elif isinstance(s, Loop):
            if (s.id, "body") not in cov.arms:
                continue
            s.body = prune(s.body, cov)
        elif isinstance(s, NullCheck) and not s.failure_only:
            if (s.id, "then") not in cov.arms:
                continue
            s.body = prune(s.body, cov)
        elif isinstance(s, (OutAcquire, CallWorker)) and s.on_fail is not None and not getattr(s, "failure_only",
                                                                                                 False):
            s.on_fail = prune(s.on_fail, cov) if (s.id, "fail") in cov.arms else None
        out.append(s)
    return out


def drop_uncalled(prog: Program) -> None:
    while True:
        called = {"main"}
        for f in prog.funcs:
            for s in walk(f.body):
                if isinstance(s, (Acquire, OutAcquire, CallWorker, Discard)):
                    called.add(s.callee)
        kept = [f for f in prog.funcs if f.name in called]
        if len(kept) == len(prog.funcs):
            break
        prog.funcs = kept
    used_globals = {getattr(s, a, None) for f in prog.funcs for s in walk(f.body) for a in ("dst", "lv")}
    prog.globals = {g: c for g, c in prog.globals.items() if g in used_globals}


def _names(s: Stmt) -> set[str]:
    out = set()
    for attr in ("dst", "var", "lv", "src", "value", "tmp"):
        v = getattr(s, attr, None)
        if isinstance(v, str):
            out.add(v.split("->")[0].split(".")[0])
    out.update(a.split("->")[0] for a in getattr(s, "args", ()))
    return out


def drop_unused_locals(prog: Program) -> None:
    """Declarations whose statements were pruned (or minimized) away."""
    for f in prog.funcs:
        used = set().union(*(_names(s) for s in walk(f.body))) if f.body else set()
        f.locals = {v: c for v, c in f.locals.items() if v in used or v == f.result}
        f.cleanup = [v for v in f.cleanup if v in f.locals]
        f.struct_local = f.struct_local and "st" in used


def finish(prog: Program) -> Coverage:
    """Run every input, drop dead code until none is left; raises UndefinedBehaviour for an unsafe program."""
    for _ in range(6):
        cov = explore(prog)
        before = [copy.deepcopy(f.body) for f in prog.funcs]
        for f in prog.funcs:
            last = f.body[-1] if f.body and isinstance(f.body[-1], Return) else None
            f.body = prune(f.body, cov)
            if last is not None and (not f.body or f.body[-1] is not last):
                f.body.append(last)  # a function that returns a value keeps its final return, reached or not
        drop_uncalled(prog)
        drop_unused_locals(prog)
        if [f.body for f in prog.funcs] == before[:len(prog.funcs)] and len(before) == len(prog.funcs):
            return cov
    return explore(prog)


def generate(seed: str | int, index: int) -> tuple[Program, Coverage]:
    """Program number `index` of the stream `seed`: the same pair always gives the same program."""
    last: Exception | None = None
    for attempt in range(10):
        prog = Generator(f"{seed}:{index}:{attempt}").program()
        try:
            cov = finish(prog)
        except UndefinedBehaviour as exc:
            last = exc
            continue
        return prog, cov
    raise RuntimeError(f"program {seed}:{index}: no safe program in 10 attempts ({last})")
