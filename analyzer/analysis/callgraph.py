"""Whole-program call graph; functions processed bottom-up by strongly connected components."""
from __future__ import annotations

import networkx as nx

from analyzer import ir


def build_call_graph(functions: dict[str, ir.Function]) -> nx.DiGraph:
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_nodes_from(functions)
    for usr, fn in functions.items():
        for block in fn.blocks:
            for e in block.events:
                if isinstance(e, ir.Call) and e.callee_usr in functions:
                    graph.add_edge(usr, e.callee_usr)
    return graph


def bottom_up_sccs(graph: nx.DiGraph) -> list[list[str]]:
    """SCCs ordered so that every callee's SCC comes before its callers'."""
    cond = nx.condensation(graph)
    order = list(reversed(list(nx.topological_sort(cond))))
    return [sorted(cond.nodes[n]["members"]) for n in order]
