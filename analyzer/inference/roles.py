"""The roles a body plays for a resource, read from its CFG (no dataflow, no names): constructor (returns a fresh
object on every path that returns one), destructor (releases a parameter on every path), reference taker
(increments a count in a parameter and returns it) and out-parameter constructor (stores a fresh object through a
`T **` parameter). Behaviour-based pairs are built from these; names only rank them."""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from analyzer import cfg, ir
from analyzer.rules import RuleSet

from .bodies import RETURNS_FIRST, Bodies
from .names import RELEASE_VERBS, name_parts


def _is_count(op: ir.Operand, names: set[str]) -> bool:
    """`p->refcount`: a reference count in the parameter (not `node->count`, the number of its entries)."""
    return isinstance(op, ir.Field) and isinstance(op.base, ir.Var) and op.base.name in names \
        and "ref" in op.name.lower()


def _count_change(e: ir.Event, names: set[str], op: str) -> bool:
    """`p->refs++` / `--p->refs` (op '+' / '-') or an atomic add/sub on `&p->refs`."""
    if isinstance(e, ir.Assign) and _is_count(e.dst, names) and isinstance(e.src, ir.Arith) \
            and e.src.op == op and isinstance(e.dst, ir.Field) and isinstance(e.src.lhs, ir.Field) \
            and e.src.lhs.name == e.dst.name:
        return True
    if isinstance(e, ir.Call) and e.callee:
        low = e.callee.lower()
        words = ("add", "inc") if op == "+" else ("sub", "dec")
        if "atomic" in low or "interlocked" in low or low.startswith(("atomic", "__sync", "__atomic")):
            return any(w in low for w in words) and any(
                isinstance(a, ir.AddrOf) and _is_count(a.base, names) for a in e.args)
    return False


def _null(op: ir.Operand | None) -> bool:
    """NULL (or 0): not a string literal, whose value is unknown too."""
    return isinstance(op, ir.Const) and op.kind != "str" and not op.value


def _propagate(copies: list[tuple[str, ir.Operand]], fresh: set[str], other: set[str]) -> bool:
    """One round of copies: fresh flows through `a = b`, anything else taints; True if something changed."""
    changed = False
    for dst, src in copies:
        if dst in other:
            continue
        if isinstance(src, ir.Var) and src.name in fresh and src.name not in other:
            if dst not in fresh:
                fresh.add(dst)
                changed = True
        elif (isinstance(src, ir.Var) and src.name in other) or not (
                isinstance(src, ir.Var) or _null(src)):
            other.add(dst)
            changed = True
    return changed


@dataclass(frozen=True)
class Known:
    """Roles already settled elsewhere (the confident name pairs): calls to these count as acquiring/releasing."""
    acquirers: frozenset[str] = frozenset()  # return a fresh object
    fills: Mapping[str, frozenset[int]] = field(default_factory=dict)  # write one through these parameters
    releases: Mapping[str, frozenset[int]] = field(default_factory=dict)  # release these parameters


class Roles:
    """Memoized structural roles of the bodies in the scan."""

    def __init__(self, functions: Mapping[str, ir.Function], rules: RuleSet, bodies: Bodies | None = None,
                 known: Known | None = None):
        self.functions = functions
        self.rules = rules
        self.bodies = bodies or Bodies(functions, rules)
        self.known = known or Known()
        self._always: dict[tuple[str, int], bool] = {}
        self._fresh: dict[str, bool] = {}
        self._identity: dict[str, int | None] = {}
        self._out: dict[str, list[int]] = {}
        self._moves: dict[str, int | None] = {}

    # ---- releases -------------------------------------------------------------------------------------------

    def _release_call(self, e: ir.Call, j: int) -> bool:
        """The call releases its argument `j` on every path of the callee."""
        if e.callee in ("delete", "delete[]"):
            return True
        if not e.callee or self.rules.acquire_for(e.callee) or self.rules.realloc_for(e.callee):
            return False
        if any(r.arg == j for r in self.rules.releases_for(e.callee)) or j in self.known.releases.get(e.callee, ()):
            return True
        if e.callee_usr in self.functions:
            return self.releases_always(e.callee_usr, j)
        return name_parts(e.callee.rsplit("::", 1)[-1], RELEASE_VERBS) is not None and j == 0

    def releases_always(self, usr: str, idx: int) -> bool:
        """Every path from entry to exit releases parameter `idx`, finds it NULL, or (a reference count) decrements
        a count in it; and at least one path releases it. Loops before the release do not matter: `args_free`
        walks its list, then frees the head."""
        key = (usr, idx)
        if key in self._always:
            return self._always[key]
        self._always[key] = False  # recursion
        fn = self.functions.get(usr)
        verdict = False
        if fn is not None and idx < len(fn.params) and fn.params[idx].is_pointer:
            names = Bodies._aliases(fn, {fn.params[idx].name})
            # `o = getDecodedObject(o); ...; decrRefCount(o)` releases another reference, not the argument
            reassigned = any(isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and e.dst.name in names
                             and not (isinstance(e.src, ir.Var) and e.src.name in names) for e in cfg.events(fn))
            verdict = not reassigned and self._every_path_releases(fn, names)
        self._always[key] = verdict
        return verdict

    def _settles(self, e: ir.Event, names: set[str]) -> str:
        """'release', 'count', 'null', 'halt' when the event settles the parameter, '' when it does not."""
        if isinstance(e, ir.Call):
            if e.noreturn:
                return "halt"
            if any(isinstance(a, ir.Var) and a.name in names and self._release_call(e, j)
                   for j, a in enumerate(e.args)):
                return "release"
        if isinstance(e, ir.Halt):
            return "halt"
        if isinstance(e, ir.Assume) and isinstance(e.value, ir.Var) and e.value.name in names \
                and e.op == "==" and e.const == 0:
            return "null"
        return "count" if _count_change(e, names, "-") else ""

    def releasing_callees(self, usr: str, idx: int) -> set[str]:
        """The callees (USRs, '' for rules and operators) of the calls that release parameter `idx`."""
        fn = self.functions.get(usr)
        if fn is None or idx >= len(fn.params):
            return set()
        names = Bodies._aliases(fn, {fn.params[idx].name})
        return {e.callee_usr for e in cfg.events(fn) if isinstance(e, ir.Call) and self._settles(e, names) == "release"}

    def _block_ends_path(self, block: ir.Block, names: set[str]) -> str:
        return next((how for e in block.events if (how := self._settles(e, names))), "")

    def _every_path_releases(self, fn: ir.Function, names: set[str]) -> bool:
        ends = {self._settles(e, names) for e in cfg.events(fn)}
        if "release" not in ends:
            return False
        if "count" in ends:  # drops a reference, frees at zero: the paths that neither are shared objects
            return True
        seen = {fn.entry}
        todo = deque([fn.entry])
        while todo:
            block = fn.blocks[todo.popleft()]
            if self._block_ends_path(block, names):
                continue
            if not block.succs or block.id == fn.exit:
                return False
            for s in block.succs:
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return True

    # ---- constructors ---------------------------------------------------------------------------------------

    def _fresh_call(self, e: ir.Call) -> bool:
        if e.callee in ("new", "new[]") or self.rules.acquire_for(e.callee) or e.callee in self.known.acquirers:
            return True
        realloc = self.rules.realloc_for(e.callee) if e.callee else None
        if realloc is not None:  # realloc(NULL, n) is a malloc
            arg = e.args[realloc.arg] if realloc.arg < len(e.args) else None
            return isinstance(arg, ir.Const) and arg.value == 0
        return bool(e.callee_usr) and e.callee_usr in self.functions and self.returns_fresh(e.callee_usr)

    def _fresh_names(self, fn: ir.Function, seed: str = "") -> tuple[set[str], set[str]]:
        """(locals that only ever hold fresh objects or NULL, every local assigned anything else). `seed`: a
        parameter counted as fresh (what `moves_param` asks: is every return that parameter or its move?)."""
        fresh: set[str] = {seed} if seed else set()
        other: set[str] = set()
        copies: list[tuple[str, ir.Operand]] = []
        for e in cfg.events(fn):
            if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var):
                copies.append((e.dst.name, e.src))
            elif isinstance(e, ir.Call):
                self._call_defines(e, fresh, other, copies)
        other |= {p.name for p in fn.params if p.name != seed}
        while _propagate(copies, fresh, other):
            pass
        return fresh - other, other

    def _call_defines(self, e: ir.Call, fresh: set[str], other: set[str],
                      copies: list[tuple[str, ir.Operand]]) -> None:
        """What a call defines: locals filled through their address, and its result (fresh, a copy of the
        argument it moves, or anything else)."""
        for j, a in enumerate(e.args):  # `session_new(&session, ..)` fills `session`
            if isinstance(a, ir.AddrOf) and isinstance(a.base, ir.Var) and self._fills(e, j):
                fresh.add(a.base.name)
        if e.result is None:
            return
        k = self._moved_arg(e)
        if k is not None and k < len(e.args):  # `ptr = extend_to_usable(ptr, n)`, `s = sdscat(s, t)`
            copies.append((e.result.name, e.args[k]))
        else:
            (fresh if self._fresh_call(e) else other).add(e.result.name)

    def _moved_arg(self, e: ir.Call) -> int | None:
        """The argument whose object the call returns, moved or not: realloc(p, n), memcpy(d, ..), sdscat(s, t)."""
        realloc = self.rules.realloc_for(e.callee) if e.callee else None
        if realloc is not None:
            arg = e.args[realloc.arg] if realloc.arg < len(e.args) else None
            return None if isinstance(arg, ir.Const) else realloc.arg
        if e.callee_usr in self.functions:
            return self.moves_param(e.callee_usr)
        return 0 if e.callee.rsplit("::", 1)[-1] in RETURNS_FIRST else None

    def moves_param(self, usr: str) -> int | None:
        """The parameter every return returns, itself, moved (realloc) or replaced by a fresh object, when it is
        not simply fresh: `sds sdscatlen(sds s, ..)`, `extend_to_usable(ptr, size)`."""
        if usr in self._moves:
            return self._moves[usr]
        self._moves[usr] = None  # recursion
        fn = self.functions.get(usr)
        if fn is None:
            return None
        found = None
        rets = [e.value for e in cfg.events(fn) if isinstance(e, ir.Return)]
        plain = self._fresh_names(fn)[0] if rets else set()
        for i, p in enumerate(fn.params if rets else ()):
            if not p.is_pointer:
                continue
            owned, _ = self._fresh_names(fn, p.name)
            if all((isinstance(v, ir.Var) and v.name in owned) or _null(v)
                   for v in rets) and any(isinstance(v, ir.Var) and v.name not in plain for v in rets):
                found = i
                break
        self._moves[usr] = found
        return found

    def returns_fresh(self, usr: str) -> bool:
        """Every return returns NULL or an object fresh from an acquiring call (an allocator, a constructor),
        at least one returns such an object, and the body does not hand it elsewhere first (`publishes`)."""
        if usr in self._fresh:
            return self._fresh[usr]
        self._fresh[usr] = False  # recursion
        fn = self.functions.get(usr)
        verdict = False
        if fn is not None:
            fresh, _ = self._fresh_names(fn)
            rets = [e.value for e in cfg.events(fn) if isinstance(e, ir.Return)]
            verdict = any(isinstance(v, ir.Var) and v.name in fresh for v in rets) and all(
                (isinstance(v, ir.Var) and v.name in fresh) or _null(v)
                for v in rets) and self.bodies.publishes(usr) is None
        self._fresh[usr] = verdict
        return verdict

    def returns_param(self, usr: str) -> int | None:
        """The pointer parameter every return returns (`extend_to_usable(ptr, size)`, `msg_ref(m)`), if any."""
        if usr in self._identity:
            return self._identity[usr]
        fn = self.functions.get(usr)
        found = None
        if fn is not None:
            rets = [e.value for e in cfg.events(fn) if isinstance(e, ir.Return)]
            found = next((i for i, p in enumerate(fn.params) if rets and p.is_pointer and all(
                isinstance(v, ir.Var) and v.name in Bodies._aliases(fn, {p.name}) for v in rets)), None)
        self._identity[usr] = found
        return found

    def takes_reference(self, usr: str) -> int | None:
        """`msg *msg_ref(msg *m) { m->refs++; return m; }`: the parameter whose count it increments and returns."""
        k = self.returns_param(usr)
        fn = self.functions.get(usr)
        if k is None or fn is None:
            return None
        names = Bodies._aliases(fn, {fn.params[k].name})
        return k if any(_count_change(e, names, "+") for e in cfg.events(fn)) else None

    def fills_out(self, usr: str) -> list[int]:
        """Parameters `T **out` through which the body stores a fresh object (`*out = idx`), itself or by handing
        the parameter to a callee that does (`nghttp2_session_client_new` -> `session_new`)."""
        if usr in self._out:
            return self._out[usr]
        self._out[usr] = []  # recursion
        fn = self.functions.get(usr)
        if fn is None:
            return []
        out = []
        fresh = self._fresh_names(fn)[0]
        for i, p in enumerate(fn.params):
            if p.pointer_depth < 2:
                continue
            stores = [e.src for e in cfg.events(fn) if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Deref)
                      and isinstance(e.dst.base, ir.Var) and e.dst.base.name == p.name]
            filled = any(isinstance(s, ir.Var) and s.name in fresh for s in stores) or any(
                self._fills_through(e, p.name) for e in cfg.events(fn))
            if filled and all((isinstance(s, ir.Var) and s.name in fresh) or _null(s)
                              for s in stores):
                out.append(i)
        self._out[usr] = out
        return out

    def _fills(self, e: ir.Call, j: int) -> bool:
        return j in self.known.fills.get(e.callee, ()) or (
            e.callee_usr in self.functions and j in self.fills_out(e.callee_usr))

    def _fills_through(self, e: ir.Event, name: str) -> bool:
        return isinstance(e, ir.Call) and any(isinstance(a, ir.Var) and a.name == name and self._fills(e, j)
                                              for j, a in enumerate(e.args))
