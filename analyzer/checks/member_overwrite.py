"""Keep member overwrites only for members that own resources, and say what they own."""
from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

import networkx as nx

from analyzer import cfg, ir
from analyzer.analysis.dataflow import Defect, FunctionResult, Resource
from analyzer.analysis.dataflow.graph import operand_text
from analyzer.analysis.program import Program

REASSIGNING_NAME = re.compile(r"(re(load|set|fresh|open|init|build|place)|swap|replace)", re.IGNORECASE)
SETTER_NAME = re.compile(r"^(set|update|assign)_?(?P<what>\w+)$", re.IGNORECASE)


def _says_it_reassigns(method: str, member: str) -> bool:
    """`reload()`, `reset()`, `swap()`; or a setter of that very member (`set_data()` for `data_`): a name that
    says the method replaces what the object held. `set_local_address()` assigning `_s` says nothing of `_s`."""
    if REASSIGNING_NAME.search(method):
        return True
    m = SETTER_NAME.match(method)
    if not m:
        return False
    what = m.group("what").replace("_", "").lower()
    name = member.removeprefix("m_").strip("_").replace("_", "").lower()
    return len(name) >= 2 and (name in what or what in name)


def _calls_again(fn: ir.Function, callee: str) -> bool:
    """`fn` calls `callee` twice on the same object (one call reaches the other with the receiver's variable not
    assigned in between), or once inside a loop (on an object the loop does not replace)."""
    graph = cfg.digraph(fn)
    looping = {n for comp in nx.strongly_connected_components(graph) if len(comp) > 1 for n in comp}
    sites = [(block.id, i, e) for block in fn.blocks for i, e in enumerate(block.events)
             if isinstance(e, ir.Call) and e.callee_usr == callee]
    for bid, i, e in sites:
        root = ir.root_var(e.receiver) if e.receiver is not None else None
        if bid in looping and (root is None or not _assigned_in_loop(fn, graph, bid, root.name)):
            return True
        key = operand_text(e.receiver) if e.receiver is not None else ""
        others = {(b, j) for b, j, o in sites if (b, j) != (bid, i) and
                  (operand_text(o.receiver) if o.receiver is not None else "") == key}
        if others and _reaches(fn, bid, i, others, root.name if root is not None else None):
            return True
    return False


def _assigns(e: ir.Event, name: str) -> bool:
    return (isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and e.dst.name == name) or \
        (isinstance(e, ir.Call) and e.result is not None and e.result.name == name)


def _assigned_in_loop(fn: ir.Function, graph: nx.DiGraph, bid: int, name: str) -> bool:
    comp = next(c for c in nx.strongly_connected_components(graph) if bid in c)
    return any(_assigns(e, name) for b in comp for e in fn.blocks[b].events)


def _reaches(fn: ir.Function, bid: int, index: int, targets: set[tuple[int, int]], receiver: str | None) -> bool:
    """Some path from event `index` of block `bid` reaches one of `targets` without assigning `receiver`."""
    todo, seen = [(bid, index + 1)], set()
    while todo:
        b, start = todo.pop()
        stopped = False
        for j, e in enumerate(fn.blocks[b].events[start:], start):
            if (b, j) in targets:
                return True
            if receiver is not None and _assigns(e, receiver):
                stopped = True
                break
        if not stopped:
            for s in fn.blocks[b].succs:
                if s not in seen:
                    seen.add(s)
                    todo.append((s, 0))
    return False


def _liveness(prog: Program, fn: ir.Function) -> bool | None:
    """Can `fn` run on an object that already holds values? True: some code calls it twice on one object (or in
    a loop); False: only constructors call it (a fresh object), or only other methods of its class do, each once
    (`handshake()` picking one `handshake_v2()` to run: nothing shows the member was set before); None: the call
    graph does not tell."""
    if fn.usr not in prog.call_graph:
        return None
    callers = [prog.functions[u] for u in prog.call_graph.predecessors(fn.usr) if u in prog.functions]
    if not callers:
        return None
    if any(_calls_again(c, fn.usr) for c in callers):
        return True
    if all(c.class_name == fn.class_name and c.usr != fn.usr and c.kind != "destructor" for c in callers):
        return False
    return None


def _member_names(op: ir.Operand | None) -> set[str]:
    return {p.name for p in ir.parts(op) if isinstance(p, ir.Field) and p.base is None}


def _looked_at(e: ir.Event) -> set[str]:
    """Members whose value the event tests, copies out or returns (using it through `m_->f()` is not looking at
    whether it owned something)."""
    if isinstance(e, ir.Assign) and isinstance(e.src, ir.Field) and e.src.base is None:
        return {e.src.name}
    if isinstance(e, (ir.Assume, ir.Return)):
        return _member_names(e.value)
    if isinstance(e, ir.Compare):
        return _member_names(e.lhs) | _member_names(e.rhs)
    return set()


def _members_read(fn: ir.Function, assigned: set[str]) -> set[str]:
    """Of the members the method assigns, those it looks at before assigning them on some path (`if (m_) return;
    m_ = new T;`, `old_ = m_; m_ = new T;`), not after (`m_ = new T; assert(m_);`)."""
    if not assigned:
        return set()
    unassigned_in: dict[int, frozenset[str]] = {fn.entry: frozenset(assigned)}
    todo = [fn.entry]
    out: set[str] = set()
    while todo:
        bid = todo.pop()
        current = set(unassigned_in[bid])
        for e in fn.blocks[bid].events:
            out |= _looked_at(e) & current
            if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Field) and e.dst.base is None:
                current.discard(e.dst.name)
        for succ in fn.blocks[bid].succs:
            merged = unassigned_in.get(succ, frozenset()) | current
            if merged != unassigned_in.get(succ):
                unassigned_in[succ] = frozenset(merged)
                todo.append(succ)
    return out


def _only_constructors(prog: Program, fn: ir.Function) -> bool:
    callers = [prog.functions[u] for u in prog.call_graph.predecessors(fn.usr) if u in prog.functions] \
        if fn.usr in prog.call_graph else []
    return bool(callers) and all(c.kind == "constructor" and c.class_name == fn.class_name for c in callers)


def _born_owning(results: list[FunctionResult], prog: Program) -> set[tuple[str, str]]:
    """(class, member) pairs a constructor leaves owning a resource: stored by the constructor or by a method of
    the class it calls (`Reader() { init(); }`)."""
    stores = {r.function.usr: r for r in results}
    out: set[tuple[str, str]] = set()
    for ctor in (r.function for r in results if r.function.kind == "constructor"):
        todo, seen = [ctor.usr], {ctor.usr}
        while todo:
            usr = todo.pop()
            res = stores.get(usr)
            if res is None:
                continue
            out.update((ctor.class_name, name) for name, _r, _l in res.member_stores)
            for callee in prog.call_graph.successors(usr) if usr in prog.call_graph else ():
                fn = prog.functions.get(callee)
                if fn is not None and fn.class_name == ctor.class_name and callee not in seen:
                    seen.add(callee)
                    todo.append(callee)
    return out


def refine_member_overwrites(results: Iterable[FunctionResult],
                             prog: Program | None = None) -> Mapping[str, tuple[Defect, ...]]:
    """Every function's defects (by USR), with member overwrites kept only where they can leak.

    A member overwrite is reported when the member owns resources (someone stores an owned value in
    it or releases it) and the assignment can happen on a live object that already holds one: the method is
    called by another method of the class or twice on one object, or else the member is assigned by two or more
    methods or by a method whose name says it re-assigns (reload, reset...). A method only constructors call
    works on a fresh object: never reported."""
    results = list(results)
    owning: dict[str, set[str]] = defaultdict(set)
    stored: dict[tuple[str, str], Resource] = {}
    careful: dict[tuple[str, str], set[str]] = defaultdict(set)  # methods that look at it before assigning it
    for res in results:
        cls = res.function.class_name
        if not cls:
            continue
        for name, resource, _loc in res.member_stores:
            owning[cls].add(name)
            stored.setdefault((cls, name), resource)
        owning[cls].update(res.member_releases)
        if res.function.kind not in ("constructor", "destructor"):
            read = _members_read(res.function, set(res.member_assigns))
            for name in res.member_assigns:
                if name in read or name in res.member_releases:
                    careful[(cls, name)].add(res.function.usr)
    born_owning = _born_owning(results, prog) if prog is not None else set()
    out: dict[str, tuple[Defect, ...]] = {}
    for res in results:
        cls = res.function.class_name
        kept = []
        for d in res.defects:
            if d.resource.source != "member":
                kept.append(d)
                continue
            field = d.resource.rid[1]
            live = _liveness(prog, res.function) if prog is not None else None
            if not live and (cls, field) in born_owning and prog is not None and \
                    not _only_constructors(prog, res.function):
                live = True  # the constructor leaves the member owning: any later call overwrites that
            # no caller shows it: the method's name may (reload, reset...), or a sibling that assigns the member
            # and looks at its old value first (tests, releases or moves it); siblings that only assign it do not
            # (alternatives: one handshake_vN per object)
            again = live if live is not None else _says_it_reassigns(res.function.name, field) or \
                bool(careful[(cls, field)] - {res.function.usr})
            if field not in owning.get(cls, ()) or not again:
                continue
            origin = stored.get((cls, field))
            resource = dataclasses.replace(
                d.resource, kind=origin.kind if origin else "", acquirer=origin.acquirer if origin else "",
                loc=origin.loc if origin else d.loc, source=f"member:{origin.source if origin else ''}")
            kept.append(dataclasses.replace(d, resource=resource, var=field, member=field))
        out[res.function.usr] = tuple(kept)
    return out
