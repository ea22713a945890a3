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

REASSIGNING_NAME = re.compile(r"(re(load|set|fresh|open|init|build|place)|update|swap|set|assign|replace)",
                              re.IGNORECASE)


def _calls_again(fn: ir.Function, callee: str) -> bool:
    """`fn` calls `callee` twice on the same object, or once inside a loop."""
    receivers: dict[str, int] = {}
    graph = cfg.digraph(fn)
    looping = {n for comp in nx.strongly_connected_components(graph) if len(comp) > 1 for n in comp}
    for block in fn.blocks:
        for e in block.events:
            if isinstance(e, ir.Call) and e.callee_usr == callee:
                if block.id in looping:
                    return True
                key = operand_text(e.receiver) if e.receiver is not None else ""
                receivers[key] = receivers.get(key, 0) + 1
                if receivers[key] >= 2:
                    return True
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
    assigners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for res in results:
        cls = res.function.class_name
        if not cls:
            continue
        for name, resource, _loc in res.member_stores:
            owning[cls].add(name)
            stored.setdefault((cls, name), resource)
        owning[cls].update(res.member_releases)
        if res.function.kind not in ("constructor", "destructor"):
            for name in res.member_assigns:
                assigners[(cls, name)].add(res.function.usr)
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
            again = live if live is not None else \
                len(assigners[(cls, field)]) >= 2 or bool(REASSIGNING_NAME.search(res.function.name))
            if field not in owning.get(cls, ()) or not again:
                continue
            origin = stored.get((cls, field))
            resource = dataclasses.replace(
                d.resource, kind=origin.kind if origin else "", acquirer=origin.acquirer if origin else "",
                loc=origin.loc if origin else d.loc, source=f"member:{origin.source if origin else ''}")
            kept.append(dataclasses.replace(d, resource=resource, var=field, member=field))
        out[res.function.usr] = tuple(kept)
    return out
