"""The generator's own small language: a program is functions of structured statements over resources.

The generator builds this tree, `interp` runs it concretely (safety, dead code, hand-outs), `shapes` tags it,
`render` prints it as C. Statement ids are stable across deletions, so the minimizer can remove nodes and still
name the same acquisition sites.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Resource classes and whether LeakSanitizer can see a lost one: heap blocks yes; FILE* and descriptors no (glibc
# keeps every open FILE on its own list, so it stays reachable; a descriptor is no heap block at all).
LSAN_VISIBLE = {"heap": True, "buf": True, "ctx": True, "file": False, "fd": False}


@dataclass(frozen=True)
class Cmp:
    """`in[k] OP value` or `counter OP value`."""
    lhs: str  # "in[2]" or a loop counter name
    op: str
    value: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "&&" | "||"
    left: Cond
    right: Cond


Cond = Cmp | BoolOp


@dataclass(frozen=True)
class Bound:
    """Loop trip count: a constant, `in[k]`, or `in[k] + 1`."""
    kind: str  # "const" | "in" | "in+1"
    value: int


@dataclass
class Stmt:
    id: int


@dataclass
class Acquire(Stmt):
    """`dst = call(args);` (or a declaration with that initializer when `decl`)."""
    site: int
    dst: str
    cls: str
    kind: str
    callee: str
    args: tuple[str, ...] = ()
    decl: bool = False


@dataclass
class OutAcquire(Stmt):
    """`callee(args..., &var)` returning a status; `on_fail` runs when it is non-zero (None: status ignored)."""
    site: int
    var: str
    cls: str
    kind: str  # out_ctor | worker_out
    callee: str
    args: tuple[str, ...] = ()
    on_fail: list[Stmt] | None = None
    failure_only: bool = False  # the status is non-zero only when an allocation fails


@dataclass
class Discard(Stmt):
    """An acquiring call whose result is dropped."""
    site: int
    cls: str
    kind: str
    callee: str
    args: tuple[str, ...] = ()


@dataclass
class Realloc(Stmt):
    """`var = realloc(var, size)` (self form) or `T *tmp = realloc(var, size); if (!tmp) {on_fail} var = tmp;`."""
    site: int
    var: str
    size: int
    tmp: str | None = None
    on_fail: list[Stmt] | None = None


@dataclass
class NullCheck(Stmt):
    """`if (!var) { body }` (`if (var < 0)` for descriptors)."""
    var: str
    cls: str
    body: list[Stmt]
    failure_only: bool


@dataclass
class Release(Stmt):
    lv: str
    cls: str
    how: str  # free | xfree | take | pair_del | ctx_free | fclose | close | indirect_drop
    guard: bool = False
    nullify: bool = False


@dataclass
class Use(Stmt):
    lv: str
    cls: str
    guard: bool = False


@dataclass
class Move(Stmt):
    """`dst = src;` handing the resource over (to a field, a global, the out-parameter, an alias)."""
    dst: str
    src: str
    cls: str
    kind: str  # field_local | field_heap | field_param | global | out | alias
    nullify_src: bool = False


@dataclass
class If(Stmt):
    cond: Cond
    then: list[Stmt]
    els: list[Stmt] | None = None


@dataclass
class Loop(Stmt):
    var: str
    bound: Bound
    body: list[Stmt]


@dataclass
class Return(Stmt):
    value: str  # C expression: "0", "-1", "NULL", a variable, "rc"


@dataclass
class Goto(Stmt):
    pass


@dataclass
class Continue(Stmt):
    pass


@dataclass
class Break(Stmt):
    pass


@dataclass
class Assign(Stmt):
    var: str
    value: str


@dataclass
class CallWorker(Stmt):
    """A call of a generated worker: `(void)w(in);`, `if (w(in) != 0) {...}`, or `w(in, ctx);` (ctxfill), whose
    line is then a site: objects the callee stores into the context were handed over through it."""
    callee: str
    args: tuple[str, ...] = ()
    on_fail: list[Stmt] | None = None
    site: int | None = None


@dataclass
class Func:
    name: str
    proto: str  # status | ret | out | ctxfill | main
    res_cls: str | None = None  # class returned (ret) or handed out (out)
    body: list[Stmt] = field(default_factory=list)
    locals: dict[str, str] = field(default_factory=dict)  # variable -> class, declared at the top (NULL / -1)
    struct_local: bool = False  # declares `struct P_pair st = {0};`
    goto_style: bool = False
    cleanup: list[str] = field(default_factory=list)  # released after `out:`, in this order
    result: str | None = None  # the variable returned (ret) or stored into *out (out)


@dataclass
class Program:
    seed: str
    prefix: str
    noun: str
    verbs: tuple[str, str, str]  # (new, delete, open)
    inputs: int  # argv values, each in 0..DOMAIN-1
    funcs: list[Func]  # callees first, main last
    globals: dict[str, str] = field(default_factory=dict)
    ctx_frees_extra: bool = True  # False: the context's destructor forgets its `extra` member

    def func(self, name: str) -> Func:
        return next(f for f in self.funcs if f.name == name)


DOMAIN = 3


def walk(stmts: list[Stmt] | None):
    """Every statement, depth first, in source order."""
    for s in stmts or ():
        yield s
        for child in children(s):
            yield from walk(child)


def children(s: Stmt) -> list[list[Stmt]]:
    if isinstance(s, If):
        return [s.then] + ([s.els] if s.els is not None else [])
    if isinstance(s, Loop):
        return [s.body]
    if isinstance(s, (NullCheck,)):
        return [s.body]
    if isinstance(s, (OutAcquire, CallWorker)) and s.on_fail is not None:
        return [s.on_fail]
    if isinstance(s, Realloc) and s.on_fail is not None:
        return [s.on_fail]
    return []
