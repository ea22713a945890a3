"""A place set again while it still owns what an earlier call stored in it.

`static char *g_last; void remember(void) { g_last = strdup(..); }` called in a loop, or twice in a row, loses the
previous block on every call but the first; so does `void fill(struct ctx *c) { c->name = strdup(..); }` run twice
on one object. The dataflow sees one function at a time; this check follows the callers: from each point that may
store an owned resource into the place (a direct store, or a call that reaches a function storing it), along the
caller's control flow, to a second such point with nothing in between that could look at the place (read it, free
it, test it, reset it, or, for a field, give the variable another object). Functions that read the place at all
(lazy initialisation, `free(g); g = x;`) and functions guarded by a once-flag are never store points: the quiet
answer.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx

from analyzer import cfg, ir
from analyzer.analysis.dataflow import Defect, FunctionResult, Resource, TrailStep
from analyzer.analysis.dataflow.graph import operand_text
from analyzer.analysis.fixpoint import file_of_static
from analyzer.analysis.program import Program
from analyzer.model import Finding, RuleId

from .paths import defect_finding
from .place_uses import PlaceUses, ancestors_of_any
from .registry import CheckContext, check


@dataclass(frozen=True)
class _Store:
    function: str  # USR of the storing function
    resource: Resource
    loc: ir.Loc


def _is_store_to(e: ir.Event, usr: str) -> bool:
    return isinstance(e, ir.Assign) and isinstance(e.dst, ir.Global) and e.dst.usr == usr


def _once_guarded(fn: ir.Function) -> bool:
    """`if (!inited) { ...; inited = 1; }`: the function tests a global it also sets, so its stores may run once."""
    tested = {e.value.usr for b in fn.blocks for e in b.events if isinstance(e, ir.Assume)
              and isinstance(e.value, ir.Global)}
    return any(isinstance(e, ir.Assign) and isinstance(e.dst, ir.Global) and e.dst.usr in tested
               for b in fn.blocks for e in b.events)


class _Flow:
    """Store points, overwrite points and look points of one place across the program: a file-static global
    (`key` is ''), or a field of objects held by pointer (`key`: the variable holding the object in the function at
    hand).

    `stores`: every owned store into the place; `callee_stores`: those a caller cannot see (made in a callee's
    body on its behalf). A function that assigns the place without ever looking at it is a *blind writer*: a call
    of it overwrites what the place held, and stores a new block when it is one of `callee_stores`. Any direct
    assignment overwrites; an owned one stores."""

    def __init__(self, prog: Program, stores: list[_Store], callee_stores: list[_Store], reads, is_store,
                 readers: set[str], writers: set[str]) -> None:
        """`readers` and `writers`: the functions with an event that `reads` the place, or `is_store` into it."""
        self.prog = prog
        self.reads = reads
        self.is_store = is_store
        self.blind_writers = {u for u in writers - readers if not _once_guarded(prog.functions[u])}
        self.lookers = readers | (writers - self.blind_writers)
        self.lookers |= ancestors_of_any(prog.call_graph, self.lookers)
        self.blind_writers -= self.lookers
        self._split_writers(callee_stores)
        self.owned_at = {(s.function, s.loc) for s in stores}
        self.stores: dict[tuple[str, ir.Loc], list[_Store]] = {}
        for s in stores:  # one store may store what several acquisitions made (`g = p;` in a loop)
            known = self.stores.setdefault((s.function, s.loc), [])
            if all(k.resource.loc != s.resource.loc for k in known):
                known.append(s)
        self.stores_of: dict[str, list[_Store]] = {}
        for s in callee_stores:
            if s.function in self.blind:
                self.stores_of.setdefault(s.function, []).append(s)

    def _split_writers(self, callee_stores: list[_Store]) -> None:
        """A callee overwrites for sure when it assigns the place on its main path (`blind_writers`); under
        conditions that read only its parameters (`guarded`), a call with the same arguments as the one that stored
        takes the same branches again. `blind`: those of either kind that store an owned block."""
        prog, is_store = self.prog, self.is_store
        owned = {(s.function, s.loc) for s in callee_stores}

        def stores(u: str):
            return lambda e: (u, getattr(e, "loc", None)) in owned

        main = {u for u in self.blind_writers if _on_main_path(prog, prog.functions[u], is_store)}
        self.guarded = {u for u in self.blind_writers - main if _param_guarded(prog, prog.functions[u], is_store)}
        self.blind_writers = main
        self.blind = {u for u in self.blind_writers | self.guarded if _on_main_path(prog, prog.functions[u], stores(u))
                      or _param_guarded(prog, prog.functions[u], stores(u))}

    def looks(self, fn: ir.Function, e: ir.Event, key: str) -> bool:
        """The event may read, release or hand on what the place holds (or the key's object changes)."""
        if self.reads(e):
            return True
        if isinstance(e, ir.Call):
            if not e.callee_usr and not e.callee:
                return True  # through a pointer: could be anything
            return e.callee_usr in self.lookers
        return False

    def key_of(self, fn: ir.Function, e: ir.Event) -> str | None:
        """The key when `e` stores an owned block into the place, else None."""
        raise NotImplementedError

    def overwrite_key(self, fn: ir.Function, e: ir.Event) -> str | None:
        """The key when `e` overwrites the place (with anything), else None."""
        raise NotImplementedError

    def stores_at(self, fn: ir.Function, e: ir.Event) -> list[_Store]:
        """What a store point stores: the direct store itself, or the blind stores the call reaches."""
        if isinstance(e, ir.Assign):
            return self.stores.get((fn.usr, e.loc), [])
        assert isinstance(e, ir.Call)
        reach = {e.callee_usr} | nx.descendants(self.prog.call_graph, e.callee_usr)
        return [s for u in sorted(reach & self.blind) for s in self.stores_of[u]]

    def _pairs(self, fn: ir.Function) -> Iterator[tuple[ir.Event, ir.Event]]:
        """(store point, a later store point of the same key) on some path with no look point in between.

        Paths are followed from the function's entry with the integer constants of its locals, so a loop that runs
        once (`for (i = 0; i < 1; i++)`) does not come round again."""
        work: deque[tuple[int, int, _Env, _Armed]] = deque([(fn.entry, 0, frozenset(), frozenset())])
        seen: set[tuple[int, _Env, _Armed]] = set()
        per_block: dict[int, int] = {}
        while work and len(seen) < _MAX_STATES:
            bid, start, env, armed = work.popleft()
            if start == 0:
                if (bid, env, armed) in seen:
                    continue
                seen.add((bid, env, armed))
                per_block[bid] = per_block.get(bid, 0) + 1
                if per_block[bid] > _WIDEN_AFTER:
                    env = frozenset()  # a loop counting past what we care to follow
            alive = True
            for e in fn.blocks[bid].events[start:]:
                env, alive = _step_constants(env, e)
                if not alive or isinstance(e, ir.Halt):
                    alive = False
                    break
                if armed:
                    over = self.overwrite_key(fn, e)
                    hits = {a for a in armed if self.overwrites(a, over, e)}
                    for _, first in sorted(hits, key=lambda a: (a[0], a[1].loc.file, a[1].loc.line, a[1].loc.col)):
                        yield first, e
                    armed = armed - hits
                if armed and isinstance(e, ir.Return):
                    self.returned(fn, e, armed)
                armed = self.carried(e, frozenset(a for a in armed if not self.looks(fn, e, a[0])))
                if (key := self.key_of(fn, e)) is not None:
                    armed = armed | {(key, e)}
            if alive:
                for s in fn.blocks[bid].succs:
                    work.append((s, 0, env, armed))

    def overwrites(self, armed: tuple[str, ir.Event], over: str | None, e: ir.Event) -> bool:
        """`e`, which overwrites places of key `over` (None: none), overwrites what the armed store point stored."""
        return over is not None and armed[0] == over

    def returned(self, fn: ir.Function, e: ir.Return, armed: _Armed) -> None:
        """`fn` returns while the places of `armed` hold what it stored."""

    def carried(self, e: ir.Event, armed: _Armed) -> _Armed:
        """`armed` after `e` (a copy of the key's variable carries the object)."""
        return armed

    def callers(self) -> set[str]:
        """Functions with store points."""
        out = {f for f, _ in self.stores}
        for u in self.blind:
            out |= set(self.prog.call_graph.predecessors(u))
        return out

    def repeated(self) -> Iterator[tuple[_Store, ir.Function, ir.Event]]:
        """(store that is overwritten, function where it happens again, the event that does it)."""
        done: set[tuple[str, ir.Loc, ir.Loc]] = set()
        for caller in sorted(self.callers()):
            fn = self.prog.functions.get(caller)
            if fn is None:
                continue
            for first, again in self._pairs(fn):
                for store in self.stores_at(fn, first):
                    if (key := (store.function, store.loc, store.resource.loc)) not in done:
                        done.add(key)
                        yield store, fn, again


_Env = frozenset  # of (local name, int value)
_Armed = frozenset  # of (key, the store point holding the place)
_MAX_STATES = 4000
_WIDEN_AFTER = 12


def _step_constants(env: frozenset, e: ir.Event) -> tuple[frozenset, bool]:
    """Integer constants of locals after `e`, and False when `e` assumes something they contradict."""
    if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var):
        values = dict(env)
        values.pop(e.dst.name, None)
        src = e.src
        if isinstance(src, ir.Const) and src.value is not None and src.kind == "int":
            values[e.dst.name] = src.value
        elif isinstance(src, ir.Arith) and src.op in ("+", "-") and isinstance(src.lhs, ir.Var) and \
                isinstance(src.rhs, ir.Const) and src.rhs.value is not None and src.lhs.name in dict(env):
            old = dict(env)[src.lhs.name]
            values[e.dst.name] = old + src.rhs.value if src.op == "+" else old - src.rhs.value
        return frozenset(values.items()), True
    if isinstance(e, ir.Assume) and isinstance(e.value, ir.Var):
        value = dict(env).get(e.value.name)
        if value is not None and not _holds(value, e.op, e.const):
            return env, False
        return env, True
    if isinstance(e, ir.Call) and any(isinstance(a, ir.AddrOf) for a in e.args):
        taken = {r.name for a in e.args if isinstance(a, ir.AddrOf) and (r := ir.root_var(a)) is not None}
        return frozenset((k, v) for k, v in env if k not in taken), True
    return env, True


def _holds(value: int, op: str, const: int) -> bool:
    return {"==": value == const, "!=": value != const, "<": value < const, "<=": value <= const,
            ">": value > const, ">=": value >= const}.get(op, True)


class _GlobalFlow(_Flow):
    """A file-static global: a call stores into it (or overwrites it) when it reaches a blind writer through any
    chain of callees that do not look at it."""

    def __init__(self, prog: Program, uses: PlaceUses, usr: str, stores: list[_Store]) -> None:
        self.usr = usr
        # any mention of the global but being the destination of an assignment looks at its value
        super().__init__(prog, stores, stores, lambda e: uses.reads_global(e, usr), lambda e: _is_store_to(e, usr),
                         uses.global_readers.get(usr, set()), uses.global_writers.get(usr, set()))
        self.storers = _callers_of(prog, self.blind, self.lookers)
        self.overwriters = _callers_of(prog, self.blind_writers, self.lookers)

    def callers(self) -> set[str]:
        graph = self.prog.call_graph
        return super().callers() | self.storers | {c for u in self.storers for c in graph.predecessors(u)}

    def key_of(self, fn: ir.Function, e: ir.Event) -> str | None:
        if _is_store_to(e, self.usr):
            return "" if (fn.usr, e.loc) in self.owned_at else None
        return "" if isinstance(e, ir.Call) and e.callee_usr in self.storers else None

    def overwrite_key(self, fn: ir.Function, e: ir.Event) -> str | None:
        if _is_store_to(e, self.usr):
            return ""
        return "" if isinstance(e, ir.Call) and e.callee_usr in self.overwriters else None

    def overwrites(self, armed: tuple[str, ir.Event], over: str | None, e: ir.Event) -> bool:
        key, first = armed
        if over == "":
            return True
        # the same call again, its arguments unchanged: a store under conditions on its parameters repeats
        return key == "" and isinstance(e, ir.Call) and isinstance(first, ir.Call) and \
            e.callee_usr == first.callee_usr and e.callee_usr in self.guarded and e.args == first.args

    def carried(self, e: ir.Event, armed: _Armed) -> _Armed:
        """A store point whose arguments may have changed since cannot be repeated by the same call."""
        return frozenset(("~", first) if key == "" and isinstance(first, ir.Call) and
                         _may_change(self.prog, e, first.args) else (key, first) for key, first in armed)


def _callers_of(prog: Program, usrs: set[str], lookers: set[str]) -> set[str]:
    """`usrs` and every function that may call one of them, transitively, but the lookers (the storing callee
    itself must store on its main path; its callers may call it under any condition)."""
    return (set(usrs) | ancestors_of_any(prog.call_graph, usrs)) - (lookers - usrs)


def _failure_tests(prog: Program, fn: ir.Function) -> dict[str, tuple[tuple[str, int], ...]]:
    """Variables holding a call's result -> the tests that mean the call failed: NULL or negative for a pointer or
    an unknown callee, non-zero or negative for one returning an integer status, false for a `bool`."""
    out: dict[str, tuple[tuple[str, int], ...]] = {}
    for b in fn.blocks:
        for e in b.events:
            if isinstance(e, ir.Call) and e.result:
                callee = prog.functions.get(e.callee_usr)
                rtype = callee.return_type if callee is not None else ""
                if not rtype or "*" in rtype or rtype in ("bool", "_Bool"):
                    out[e.result.name] = (("==", 0), ("<", 0))
                else:
                    out[e.result.name] = (("!=", 0), ("<", 0))
            elif isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and isinstance(e.src, ir.Var) \
                    and e.src.name in out:
                out[e.dst.name] = out[e.src.name]
    return out


def _without_failure_branches(prog: Program, fn: ir.Function) -> nx.DiGraph:
    """The CFG without the branches taken when a call failed (`p = strdup(..); if (!p) goto out;` joins the last
    return through the cleanup label: it is still a special case, not the main path)."""
    tests = _failure_tests(prog, fn)
    failing = {b.id for b in fn.blocks if any(
        isinstance(e, ir.Assume) and isinstance(e.value, ir.Var) and (e.op, e.const) in tests.get(e.value.name, ())
        for e in b.events)}
    graph = cfg.digraph(fn)
    if not failing:
        return graph
    graph = graph.copy()
    graph.remove_edges_from([(u, v) for u, v in graph.edges if v in failing])
    return graph


def _on_main_path(prog: Program, fn: ir.Function, matches) -> bool:
    """Some event `matches` in a block every path from the entry to the function's last `return` goes through
    (early returns are the function's special cases; the last one ends its main path)."""
    returns = [(e.loc.line, e.loc.col, b.id) for b in fn.blocks for e in b.events if isinstance(e, ir.Return)]
    if not returns:
        return False
    graph = _without_failure_branches(prog, fn)
    last = max(returns)[2]
    try:
        idom = nx.immediate_dominators(graph, fn.entry)
    except nx.NetworkXError:
        return False
    if last != fn.entry and last not in idom:
        return False  # unreachable
    node = last
    while True:
        if any(matches(e) for e in fn.blocks[node].events):
            return True
        if node == fn.entry or idom.get(node, node) == node:
            return False
        node = idom[node]


def _param_guarded(prog: Program, fn: ir.Function, matches) -> bool:
    """Some event `matches`, and every condition on a path to it reads only parameters and what they point to, or
    tests a call's result: whether it runs depends on the arguments (and on calls succeeding) alone."""
    params = {p.name for p in fn.params} | cfg.counters(fn)
    results = _failure_tests(prog, fn)  # whether a call succeeded: either way, the same again
    graph = _without_failure_branches(prog, fn)
    targets = {b.id for b in fn.blocks if any(matches(e) for e in b.events)}
    if not targets or fn.entry not in graph:
        return False
    reach = set(nx.descendants(graph, fn.entry)) | {fn.entry}
    before = set(targets) | ancestors_of_any(graph, targets)
    for bid in before & reach:
        for e in fn.blocks[bid].events:
            if isinstance(e, ir.Assume) and not (isinstance(e.value, ir.Var) and e.value.name in results) and not all(
                    isinstance(p, ir.Const) or ((r := ir.root_var(p)) is not None and r.name in params)
                    for p in ir.parts(e.value) if not isinstance(p, (ir.Arith,))):
                return False
    return bool(targets & reach)


def _may_change(prog: Program, e: ir.Event, args: tuple) -> bool:
    """`e` may change what a call with `args` sees: it assigns one of their variables or what they point to, or
    passes one to a callee that may write through it."""
    roots = {r.name for a in args for p in ir.parts(a) if (r := ir.root_var(p)) is not None}
    if not roots:
        return False
    if isinstance(e, ir.Assign):
        return (r := ir.root_var(e.dst)) is not None and r.name in roots
    if isinstance(e, ir.Call):
        callee = prog.functions.get(e.callee_usr)
        for i, a in enumerate(e.args):
            if (r := ir.root_var(a)) is None or r.name not in roots:
                continue
            if isinstance(a, ir.AddrOf) or callee is None or i >= len(callee.params) or \
                    (callee.params[i].is_pointer and not callee.params[i].pointee_const):
                return True
    return False


def _is_field_store(e: ir.Event, name: str) -> bool:
    return isinstance(e, ir.Assign) and isinstance(e.dst, ir.Field) and e.dst.name == name


class _FieldFlow(_Flow):
    """`v->name = x;` then `fill(v)` whose body sets `c->name = strdup(..)` (or twice the same call): one object,
    the field stored twice. Only direct calls of a blind writer count, with the object in a plain variable."""

    def __init__(self, prog: Program, uses: PlaceUses, field_name: str, stores: list[tuple[int, _Store]]) -> None:
        self.field_name = field_name
        super().__init__(prog, [s for _, s in stores], [s for i, s in stores if i >= 0],
                         lambda e: uses.reads_field(e, field_name), lambda e: _is_field_store(e, field_name),
                         uses.field_readers.get(field_name, set()), uses.field_writers.get(field_name, set()))
        self.param_of = {u: i for u in self.blind_writers
                         if (i := _written_param(prog.functions[u], field_name)) is not None}
        # functions returning an object whose field they filled (`c = ctx_new(); c->name = strdup(..); return c;`)
        self.fillers: dict[str, list[_Store]] = {}
        for _ in range(2):  # a filler calling a filler
            for caller in sorted(self.callers()):
                for _pair in self._pairs(prog.functions[caller]):
                    pass

    def returned(self, fn: ir.Function, e: ir.Return, armed: _Armed) -> None:
        if not isinstance(e.value, ir.Var) or fn.usr in self.lookers:
            return
        stores = self.fillers.setdefault(fn.usr, [])
        for key, first in armed:
            if key == e.value.name:
                stores.extend(s for s in self.stores_at(fn, first) if s not in stores)

    def carried(self, e: ir.Event, armed: _Armed) -> _Armed:
        if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and isinstance(e.src, ir.Var):
            src, dst = e.src.name, e.dst.name
            return armed | {(dst, first) for key, first in armed if key == src}
        return armed

    def callers(self) -> set[str]:
        out = super().callers()
        for u in self.fillers:
            out |= set(self.prog.call_graph.predecessors(u))
        return out

    def _object(self, e: ir.Event, writers: set[str]) -> str | None:
        """The variable whose object `e` assigns the field of: directly, or by calling one of `writers`."""
        if _is_field_store(e, self.field_name):
            holder = e.dst.base  # type: ignore[union-attr]
            return holder.name if isinstance(holder, ir.Var) else None
        if isinstance(e, ir.Call) and e.callee_usr in writers and (i := self.param_of.get(e.callee_usr)) is not None \
                and i < len(e.args) and isinstance(e.args[i], ir.Var):
            return e.args[i].name  # type: ignore[union-attr]
        return None

    def key_of(self, fn: ir.Function, e: ir.Event) -> str | None:
        if isinstance(e, ir.Assign) and (fn.usr, e.loc) not in self.owned_at:
            return None
        if isinstance(e, ir.Call) and self.fillers.get(e.callee_usr) and e.result is not None:
            return e.result.name
        return self._object(e, self.blind)

    def overwrite_key(self, fn: ir.Function, e: ir.Event) -> str | None:
        return self._object(e, self.blind_writers)

    def looks(self, fn: ir.Function, e: ir.Event, key: str) -> bool:
        if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and e.dst.name == key:
            return True  # another object from here on
        if isinstance(e, ir.Call) and e.result is not None and e.result.name == key:
            return True
        return super().looks(fn, e, key)

    def stores_at(self, fn: ir.Function, e: ir.Event) -> list[_Store]:
        if isinstance(e, ir.Call):
            return self.stores_of.get(e.callee_usr) or self.fillers.get(e.callee_usr, [])
        return super().stores_at(fn, e)


def _written_param(fn: ir.Function, field_name: str) -> int | None:
    """The parameter whose object `fn` assigns the field of."""
    params = {p.name: i for i, p in enumerate(fn.params)}
    for b in fn.blocks:
        for e in b.events:
            if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Field) and e.dst.name == field_name and \
                    isinstance(e.dst.base, ir.Var) and e.dst.base.name in params:
                return params[e.dst.base.name]
    return None


def field_stores(results: Iterable[FunctionResult]) -> dict[str, list[tuple[int, _Store]]]:
    """Field name -> (parameter index, the owned store into that field of a parameter's object)."""
    out: dict[str, list[tuple[int, _Store]]] = {}
    for res in results:
        for index, name, what, loc in res.field_stores:
            if loc not in res.unowned_stores:
                out.setdefault(name, []).append((index, _Store(res.function.usr, what, loc)))
    return out


def global_stores(results: Iterable[FunctionResult]) -> dict[str, tuple[str, list[_Store]]]:
    """File-static global USR -> (name, the owned stores into it)."""
    out: dict[str, tuple[str, list[_Store]]] = {}
    for res in results:
        for usr, name, what, loc in res.global_stores:
            if file_of_static(usr) and loc not in res.unowned_stores:
                out.setdefault(usr, (name, []))[1].append(_Store(res.function.usr, what, loc))
    return out


def _call_text(fn: ir.Function, e: ir.Event) -> str:
    if isinstance(e, ir.Call):
        return f"{e.callee}() is called again in {fn.qualname}() at line {e.loc.line}"
    return f"'{fn.qualname}()' stores into it again at line {e.loc.line}"


def _finding(ctx: CheckContext, store: _Store, where: ir.Function, again: ir.Event, place: str) -> Finding:
    """The finding about `store`'s block, lost when `again` stores into the same place."""
    res = next(r for r in ctx.analysis.results if r.function.usr == store.function)
    what = store.resource
    var = operand_text(dst) if (dst := _store_dst(res.function, store)) is not None else place
    place = place or f"'{var}'"
    trail: tuple[TrailStep, ...] = (TrailStep(what.loc, "acquire", f"{what.kind} acquired by {what.acquirer}()"),
                                     TrailStep(store.loc, "escape", f"stored in {place}"))
    if where.usr == store.function:  # stored and stored over in this function: the second store is the leak
        how = f"{again.callee}() stores into it" if isinstance(again, ir.Call) else "stored over"
        trail += (TrailStep(again.loc, "overwrite", f"{how} while it still owns the block stored at line "
                                                    f"{store.loc.line}"),)
        at = again.loc
    else:
        trail += (TrailStep(again.loc, "note", f"{_call_text(where, again)} with nothing releasing {place} in "
                                               "between"),
                  TrailStep(store.loc, "overwrite", f"{place} is overwritten while it still owns the block an "
                                                    "earlier call stored"))
        at = store.loc
    defect = Defect(RuleId.LEAK_ON_OVERWRITE.value, what, at, var, trail)
    return defect_finding(defect, res.function, ctx.analysis.resolver, res.truncated)


def _store_dst(fn: ir.Function, store: _Store) -> ir.Operand | None:
    return next((e.dst for b in fn.blocks for e in b.events if isinstance(e, ir.Assign) and e.loc == store.loc), None)


@check(RuleId.LEAK_ON_OVERWRITE)
def stored_again(ctx: CheckContext) -> Iterable[Finding]:
    """Globals and fields of callers' objects set again while they still own the earlier value."""
    prog = ctx.program
    uses = PlaceUses(prog)
    for usr, (name, stores) in sorted(global_stores(ctx.analysis.results).items()):
        if usr not in prog.addressed:
            for store, where, again in _GlobalFlow(prog, uses, usr, stores).repeated():
                yield _finding(ctx, store, where, again, f"static '{name}'")
    for field_name, fstores in sorted(field_stores(ctx.analysis.results).items()):
        for store, where, again in _FieldFlow(prog, uses, field_name, fstores).repeated():
            yield _finding(ctx, store, where, again, "")
