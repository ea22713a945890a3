"""Whole-program call graph; functions processed bottom-up by strongly connected components."""
from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from analyzer import ir


def overriders(functions: Mapping[str, ir.Function]) -> dict[str, tuple[str, ...]]:
    """Virtual method USR -> the analyzed methods that override it, directly or through an intermediate class."""
    direct: dict[str, set[str]] = {}
    for usr, fn in functions.items():
        for base in fn.overrides:
            direct.setdefault(base, set()).add(usr)
    out: dict[str, tuple[str, ...]] = {}
    for base in direct:
        seen: set[str] = set()
        todo = [base]
        while todo:
            for o in direct.get(todo.pop(), ()):
                if o not in seen:
                    seen.add(o)
                    todo.append(o)
        out[base] = tuple(sorted(seen))
    return out


def build_call_graph(functions: Mapping[str, ir.Function],
                     virtual: Mapping[str, tuple[str, ...]] | None = None) -> nx.DiGraph:
    """Caller -> callee over the analyzed functions; a virtual call also reaches every override of its callee."""
    virtual = overriders(functions) if virtual is None else virtual
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_nodes_from(functions)
    for usr, fn in functions.items():
        for block in fn.blocks:
            for e in block.events:
                if not isinstance(e, ir.Call):
                    continue
                if e.callee_usr in functions:
                    graph.add_edge(usr, e.callee_usr)
                for o in virtual.get(e.callee_usr, ()):
                    graph.add_edge(usr, o)
    return graph


def bottom_up_sccs(graph: nx.DiGraph) -> list[list[str]]:
    """SCCs ordered so that every callee's SCC comes before its callers'."""
    cond = nx.condensation(graph)
    order = list(reversed(list(nx.topological_sort(cond))))
    return [sorted(cond.nodes[n]["members"]) for n in order]
