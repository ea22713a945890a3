"""Allocator variants: `void *sqlite3MallocZero(u64 n) { p = sqlite3Malloc(n); if (p) memset(p, 0, n); return p; }`
returns what a paired acquirer returned, so it pairs with that acquirer's releaser, whatever its name says. Only
variants of the same pointer type as their sources (or raw memory both): `widget *widget_new()` around `xmalloc` may
own more than `xfree` frees."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer import cfg, ir

from .behaviour import typed
from .bodies import RETURNS_FIRST, Bodies
from .roles import Roles
from .types import GENERIC_BASES


@dataclass(frozen=True, slots=True)
class Source:
    """A confident pair of the source acquirer: its releaser, released argument, kind and score."""
    acquirer: str
    releaser: str
    release_arg: int
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class Variant:
    decl: ir.FuncDecl
    sources: tuple[Source, ...]  # one per source acquirer, all with the same releaser and argument


def _same_type(source: tuple[str, int], variant: tuple[str, int]) -> bool:
    """The same pointer type, or raw memory both (`char *sqlite3DbStrDup` around `void *sqlite3DbMallocRaw`)."""
    return source == variant or (source[1] == variant[1] == 1 and source[0] in GENERIC_BASES
                                 and variant[0] in GENERIC_BASES)


def _returned_callees(fn: ir.Function) -> set[str] | None:
    """The callees whose results the returns give (NULL aside); None when a return gives anything else (a string
    literal, a field, a parameter) or no return gives a call's result."""
    rets = [e.value for e in cfg.events(fn) if isinstance(e, ir.Return)]
    returned = {v.name for v in rets if isinstance(v, ir.Var)}
    if not returned or any(not isinstance(v, ir.Var) and not (isinstance(v, ir.Const) and v.kind != "str"
                                                              and not v.value) for v in rets):
        return None
    callees = set()
    for e in cfg.events(fn):
        if isinstance(e, ir.Call) and e.result is not None and e.callee not in RETURNS_FIRST \
                and Bodies._aliases(fn, {e.result.name}) & returned:
            callees.add(e.callee)
    return callees or None


def variant_pairs(decls: Iterable[ir.FuncDecl], roles: Roles, paired: Mapping[str, list[Source]],
                  decl_of: Mapping[str, ir.FuncDecl]) -> list[Variant]:
    """Project functions, not yet acquirers, whose every return gives NULL or the fresh result of acquirers of one
    confident releaser (and the same type): one Variant per shared (releaser, argument)."""
    out = []
    for d in decls:
        fn = roles.functions.get(d.usr)
        if fn is None or not d.in_project or d.qualname in paired or typed(d, -1)[1] != 1 \
                or not roles.returns_fresh(d.usr):
            continue
        callees = _returned_callees(fn)
        if not callees or any(c not in paired or c not in decl_of or not _same_type(typed(decl_of[c], -1),
                                                                                  typed(d, -1)) for c in callees):
            continue
        common = set.intersection(*({(s.releaser, s.release_arg) for s in paired[c]} for c in callees))
        for releaser, arg in sorted(common):
            out.append(Variant(d, tuple(s for c in sorted(callees) for s in paired[c]
                                        if (s.releaser, s.release_arg) == (releaser, arg))))
    return out


@dataclass(frozen=True, slots=True)
class Delegate:
    decl: ir.FuncDecl  # the function the acquirer hands its out-parameter to
    out_arg: int  # ... at this position
    source: Source
    source_out: int  # the acquirer's own out-parameter


def _stores_through(fn: ir.Function, names: set[str]) -> list[ir.Operand]:
    return [e.src for e in cfg.events(fn) if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Deref)
            and isinstance(e.dst.base, ir.Var) and e.dst.base.name in names]


def _null(op: ir.Operand) -> bool:
    return isinstance(op, ir.Const) and op.kind != "str" and not op.value


def _fills_with_locals(fn: ir.Function, idx: int) -> bool:
    """The body stores through parameter `idx` only NULL or locals (not a parameter, a field, a global), at least
    one local: `*ppDb = db`."""
    params = {p.name for p in fn.params}
    stores = _stores_through(fn, Bodies._aliases(fn, {fn.params[idx].name}))
    return any(isinstance(s, ir.Var) for s in stores) and all(
        _null(s) or (isinstance(s, ir.Var) and s.name not in params) for s in stores)


def delegated_out_parameters(roles: Roles, pairs: Iterable[tuple[ir.FuncDecl, int, Source]],
                             decl_of_usr: Mapping[str, ir.FuncDecl]) -> list[Delegate]:
    """`int sqlite3_open(const char *z, sqlite3 **ppDb) { return openDatabase(z, ppDb, ..); }`: a confident
    out-parameter acquirer that stores nothing but NULL through its parameter and hands it to a function of the
    program at a parameter of the same `T **` type; that function, storing locals through it, is the constructor
    and pairs with the same releaser."""
    out = []
    for acq, k, src in pairs:
        fn = roles.functions.get(acq.usr)
        if fn is None or k >= len(fn.params):
            continue
        names = Bodies._aliases(fn, {fn.params[k].name})
        if not all(_null(s) for s in _stores_through(fn, names)):
            continue
        for e in cfg.events(fn):
            if not isinstance(e, ir.Call) or (callee := decl_of_usr.get(e.callee_usr)) is None \
                    or callee.usr == acq.usr or (body := roles.functions.get(callee.usr)) is None:
                continue
            for j, a in enumerate(e.args):
                if isinstance(a, ir.Var) and a.name in names and j < len(body.params) \
                        and typed(callee, j) == typed(acq, k) and _fills_with_locals(body, j):
                    out.append(Delegate(callee, j, src, k))
    return out
