"""Integer handles (file descriptors, sockets): the project's functions that return a new one and those that release
one, read from their bodies. `int uv__socket(..)` returns what socket() returned, or a negative error; `int
uv__close(int fd)` ends in close() (or syscall(SYS_close, fd)) on every path. The handle's kind is the builtin
kind of the call that made it ('fd'), so callers test it the builtin way (negative: invalid)."""
from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer import cfg, ir
from analyzer.analysis.summaries import closes_descriptor
from analyzer.rules import RuleSet

from .bodies import Bodies
from .roles import _propagate
from .types import pointer

INTEGER_TYPES = frozenset({"int", "long", "long int"})
_NOT_A_STATUS = (ir.Field, ir.Global, ir.Deref, ir.Index, ir.AddrOf)


def integer(ctype: str) -> bool:
    base, depth = pointer(ctype)
    return depth == 0 and base in INTEGER_TYPES


def _invalid(e: ir.Event, names: set[str]) -> bool:
    """On this edge a handle in `names` is negative (`fd < 0`, `fd == -1`)."""
    return isinstance(e, ir.Assume) and isinstance(e.value, ir.Var) and e.value.name in names and (
        (e.op == "<" and e.const <= 0) or (e.op in ("==", "<=") and e.const < 0))


def _returns_with_invalid(fn: ir.Function, names: set[str]) -> list[tuple[ir.Return, frozenset[str]]]:
    """Each return with the handles of `names` known invalid on every path to it (a must-analysis)."""
    preds: dict[int, list[int]] = defaultdict(list)
    for b in fn.blocks:
        for s in b.succs:
            preds[s].append(b.id)
    out: dict[int, frozenset[str]] = {}
    found: dict[int, list[tuple[ir.Return, frozenset[str]]]] = {}
    todo = deque([fn.entry])
    while todo:
        bid = todo.popleft()
        known = [out[p] for p in preds[bid] if p in out]
        state = set(frozenset.intersection(*known)) if known and bid != fn.entry else set()
        rets = []
        for e in fn.blocks[bid].events:
            if _invalid(e, names):
                state.add(e.value.name)  # type: ignore[union-attr]
            elif isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var):
                state.discard(e.dst.name)
            elif isinstance(e, ir.Call) and e.result is not None:
                state.discard(e.result.name)
            elif isinstance(e, ir.Return):
                rets.append((e, frozenset(state)))
        found[bid] = rets
        if out.get(bid) != (new := frozenset(state)):
            out[bid] = new
            todo.extend(fn.blocks[bid].succs)
    return [r for rets in found.values() for r in rets]


def _statuses_otherwise(fn: ir.Function, rets: list[ir.Operand | None], fresh: set[str],
                        copies: list[tuple[str, ir.Operand]]) -> bool:
    """Every return that does not give a fresh handle gives an error status: a constant <= 0, `-errno`, a local
    holding a call's status; not `c->fd` or a parameter (another handle may come back)."""
    params = {p.name for p in fn.params}
    held = params | {d for d, src in copies if isinstance(src, _NOT_A_STATUS) or (isinstance(src, ir.Var)
                                                                                   and src.name in params)}
    for v in rets:
        if isinstance(v, ir.Var) and v.name in fresh:
            continue
        if v is None or isinstance(v, _NOT_A_STATUS) or (isinstance(v, ir.Var) and v.name in held) or (
                isinstance(v, ir.Const) and v.value is not None and v.value > 0):
            return False
    return True


class Handles:
    """Memoized handle roles of the bodies in the scan: the kind ('fd') a function returns fresh or releases."""

    def __init__(self, functions: Mapping[str, ir.Function], rules: RuleSet, bodies: Bodies | None = None):
        self.functions = functions
        self.rules = rules
        self.bodies = bodies or Bodies(functions, rules)
        self._fresh: dict[str, str] = {}
        self._released: dict[tuple[str, int], str] = {}

    def _handle_kind(self, kind: str) -> bool:
        k = self.rules.kinds.get(kind)
        return k is not None and k.invalid == "negative"

    # ---- constructors ---------------------------------------------------------------------------------------

    def _acquired_kind(self, e: ir.Call) -> str:
        acq = self.rules.acquire_for(e.callee) if e.callee else None
        if acq is not None:
            return acq.kind if acq.out_arg is None and self._handle_kind(acq.kind) else ""
        return self.returns_fresh(e.callee_usr) if e.callee_usr in self.functions else ""

    def returns_fresh(self, usr: str) -> str:
        """The kind of the new handle every successful return returns: some return gives a local that only ever
        holds handles fresh from acquiring calls, every other one an error status (a constant <= 0, `-errno`, a
        local holding a call's status), and the body keeps no copy of the handle. '' otherwise."""
        if usr in self._fresh:
            return self._fresh[usr]
        self._fresh[usr] = ""  # recursion
        fn = self.functions.get(usr)
        kind = self._fresh_kind(fn) if fn is not None and integer(fn.return_type) else ""
        self._fresh[usr] = kind
        return kind

    def _fresh_kind(self, fn: ir.Function) -> str:
        fresh, kinds, copies = self._fresh_locals(fn)
        # `if (fd < 0) return fd;` returns an error, not a handle
        if len(kinds) != 1 or not any(isinstance(r.value, ir.Var) and r.value.name in fresh - invalid
                                      for r, invalid in _returns_with_invalid(fn, fresh)):
            return ""
        rets = [e.value for e in cfg.events(fn) if isinstance(e, ir.Return)]
        if not _statuses_otherwise(fn, rets, fresh, copies):
            return ""
        return "" if self.bodies.keeper(fn, Bodies._aliases(fn, fresh)) is not None else kinds.pop()

    def _fresh_locals(self, fn: ir.Function) -> tuple[set[str], set[str], list[tuple[str, ir.Operand]]]:
        """(locals that only hold handles fresh from acquiring calls, their kinds, every copy into a local)."""
        fresh: set[str] = set()
        kinds: set[str] = set()
        other = {p.name for p in fn.params}
        copies: list[tuple[str, ir.Operand]] = []
        for e in cfg.events(fn):
            if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var):
                copies.append((e.dst.name, e.src))
            elif isinstance(e, ir.Call) and e.result is not None:
                kind = self._acquired_kind(e)
                (fresh if kind else other).add(e.result.name)
                if kind:
                    kinds.add(kind)
        while _propagate(copies, fresh, other):
            pass
        return fresh - other, kinds, copies

    # ---- destructors ----------------------------------------------------------------------------------------

    def _release_kind(self, e: ir.Call, j: int) -> str:
        if e.callee == "syscall" and j == 1 and closes_descriptor(e):
            return next((r.kind for r in self.rules.releases_for("close")), "")
        rels = [r.kind for r in self.rules.releases_for(e.callee) if r.arg == j and self._handle_kind(r.kind)] \
            if e.callee else []
        if rels:
            return rels[0]
        return self.releases(e.callee_usr, j) if e.callee_usr in self.functions else ""

    def releases(self, usr: str, idx: int) -> str:
        """The kind of handle the integer parameter `idx` is released as on every path (or found invalid, or the
        path halts), with at least one release; '' otherwise."""
        key = (usr, idx)
        if key in self._released:
            return self._released[key]
        self._released[key] = ""  # recursion
        fn = self.functions.get(usr)
        kind = ""
        if fn is not None and idx < len(fn.params) and integer(fn.params[idx].type):
            names = Bodies._aliases(fn, {fn.params[idx].name})
            reassigned = any(isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and e.dst.name in names
                             and not (isinstance(e.src, ir.Var) and e.src.name in names) for e in cfg.events(fn))
            kind = "" if reassigned else self._every_path_releases(fn, names)
        self._released[key] = kind
        return kind

    def _settles(self, e: ir.Event, names: set[str], kinds: set[str]) -> bool:
        if isinstance(e, ir.Halt) or (isinstance(e, ir.Call) and e.noreturn):
            return True
        if isinstance(e, ir.Call):
            found = {k for j, a in enumerate(e.args) if isinstance(a, ir.Var) and a.name in names
                     and (k := self._release_kind(e, j))}
            kinds |= found
            return bool(found)
        return _invalid(e, names)

    def _every_path_releases(self, fn: ir.Function, names: set[str]) -> str:
        kinds: set[str] = set()
        seen = {fn.entry}
        todo = deque([fn.entry])
        while todo:
            block = fn.blocks[todo.popleft()]
            if any(self._settles(e, names, kinds) for e in block.events):
                continue
            if not block.succs or block.id == fn.exit:
                return ""
            for s in block.succs:
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return kinds.pop() if len(kinds) == 1 else ""

    def releasing_callees(self, usr: str, idx: int) -> set[str]:
        """The callees (USRs) of the calls that release parameter `idx` as a handle."""
        fn = self.functions.get(usr)
        if fn is None or idx >= len(fn.params):
            return set()
        names = Bodies._aliases(fn, {fn.params[idx].name})
        return {e.callee_usr for e in cfg.events(fn) if isinstance(e, ir.Call) and any(
            isinstance(a, ir.Var) and a.name in names and self._release_kind(e, j) for j, a in enumerate(e.args))}


@dataclass(frozen=True, slots=True)
class HandlePair:
    acquirer: ir.FuncDecl
    releaser: ir.FuncDecl
    kind: str
    wrapped: bool  # another releaser of the kind releases through this one: the project's close is the outer one


def handle_pairs(decls: Iterable[ir.FuncDecl], handles: Handles) -> list[HandlePair]:
    """Every project function returning a fresh handle, with every one releasing its first parameter as a handle of
    the same kind."""
    acquirers: list[tuple[ir.FuncDecl, str]] = []
    releasers: list[tuple[ir.FuncDecl, str]] = []
    for d in decls:
        if not d.in_project or d.usr not in handles.functions:
            continue
        if integer(d.return_type) and (kind := handles.returns_fresh(d.usr)):
            acquirers.append((d, kind))
        if d.param_types and integer(d.param_types[0]) and (kind := handles.releases(d.usr, 0)):
            releasers.append((d, kind))
    usrs = {d.usr for d, _ in releasers}
    inner = {u for d, _ in releasers for u in handles.releasing_callees(d.usr, 0) & usrs if u != d.usr}
    return [HandlePair(a, r, kind, r.usr in inner) for a, kind in acquirers for r, rkind in releasers
            if rkind == kind and a.usr != r.usr]
