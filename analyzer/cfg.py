"""Views of a function's CFG: its events in block order, and a networkx graph for reachability questions."""
from __future__ import annotations

import functools
from collections.abc import Iterator

import networkx as nx

from . import ir


def events(fn: ir.Function) -> Iterator[ir.Event]:
    for block in fn.blocks:
        yield from block.events


def located_events(fn: ir.Function) -> Iterator[tuple[int, int, ir.Event]]:
    """(block id, index in the block, event) for every event."""
    for block in fn.blocks:
        for i, e in enumerate(block.events):
            yield block.id, i, e


@functools.lru_cache(maxsize=256)
def digraph(fn: ir.Function) -> nx.DiGraph:
    """Blocks as nodes, control-flow edges as edges (ir.Function is frozen and hashable, so this is cached)."""
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_nodes_from(b.id for b in fn.blocks)
    graph.add_edges_from((b.id, s) for b in fn.blocks for s in b.succs)
    return graph


def events_after(fn: ir.Function, bid: int, index: int) -> Iterator[ir.Event]:
    """Events that may run after event `index` of block `bid` (the block again, whole, when it is in a loop)."""
    yield from fn.blocks[bid].events[index + 1:]
    graph = digraph(fn)
    later: set[int] = set()
    for s in graph.successors(bid):
        later.add(s)
        later |= nx.descendants(graph, s)
    for b in sorted(later):
        yield from fn.blocks[b].events


def counters(fn: ir.Function) -> frozenset[str]:
    """Locals only ever set to constants or stepped by constants (`for (i = 0; i < 3; i++)`, `n++`): the same
    values on every call, and a sign that survives forgetting the exact value. Parameters and locals whose address
    is taken are none."""
    steady: dict[str, bool] = {}
    for e in events(fn):
        if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var):
            name, src = e.dst.name, e.src
            ok = (isinstance(src, ir.Const) and src.value is not None) or (
                isinstance(src, ir.Arith) and isinstance(src.lhs, ir.Var) and src.lhs.name == name
                and isinstance(src.rhs, ir.Const) and src.rhs.value is not None)
            steady[name] = steady.get(name, True) and ok
        elif isinstance(e, ir.Call):
            for a in e.args:
                if isinstance(a, ir.AddrOf) and (r := ir.root_var(a)) is not None:
                    steady[r.name] = False
    params = {p.name for p in fn.params}
    return frozenset(k for k, ok in steady.items() if ok and k not in params)
