"""The per-function ownership graph (networkx): acquisitions, places, releases and escapes as nodes and edges."""
from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from analyzer import ir

from .state import Resource


def operand_text(op: ir.Operand | None) -> str:
    """The source-like spelling of a place: `p`, `s->buf`, `*out`, `v[]`, `&x`."""
    if isinstance(op, ir.Var):
        return op.name
    if isinstance(op, ir.Field):
        base = operand_text(op.base) + ("->" if op.arrow else ".") if op.base is not None else ""
        return base + op.name
    if isinstance(op, ir.Global):
        return op.name
    if isinstance(op, ir.Deref):
        return "*" + operand_text(op.base)
    if isinstance(op, ir.Index):
        return operand_text(op.base) + "[]"
    if isinstance(op, ir.AddrOf):
        return "&" + operand_text(op.base)
    return "?"


class OwnershipGraph:
    """Nodes are keyed by what they stand for, so every path of the analysis adds to one graph."""

    def __init__(self, fn: ir.Function, resources: Mapping[tuple, Resource]) -> None:
        self.graph: nx.DiGraph = nx.DiGraph()
        self.fn = fn
        self.resources = resources
        self.params = {p.name for p in fn.params}

    def node(self, nid: str, kind: str, label: str, line: int = 0) -> str:
        if nid not in self.graph:
            self.graph.add_node(nid, kind=kind, label=label, line=line)
        return nid

    def place(self, op: ir.Operand) -> str:
        if isinstance(op, ir.Var):
            if op.name in self.params:
                return self.node(f"param:{op.name}", "param", op.name)
            return self.node(f"var:{op.name}", "var" if not op.name.startswith("$") else "temp", op.name)
        if isinstance(op, ir.Field):
            label = (operand_text(op.base) + ("->" if op.arrow else ".") if op.base is not None else "this->") + \
                op.name
            return self.node(f"field:{label}", "field", label)
        if isinstance(op, ir.Global):
            return self.node(f"global:{op.name}", "global", op.name)
        if isinstance(op, ir.Deref):
            label = "*" + operand_text(op.base)
            return self.node(f"out:{label}", "out-param", label)
        if isinstance(op, ir.Index):
            label = operand_text(op.base) + "[]"
            return self.node(f"elem:{label}", "element", label)
        return self.node("unknown", "unknown", "?")

    def resource(self, rid: tuple) -> str:
        res = self.resources.get(rid)
        if rid[0] == "member":
            return self.node(f"field:this->{rid[1]}", "field", f"this->{rid[1]}")
        if rid[0] == "global" and res is None:  # what a static global held on entry (`pending`)
            name = rid[1].rsplit("@", 1)[-1]
            return self.node(f"global:{name}", "global", name)
        if res is None:
            return self.node(f"param#{rid[1]}", "param", self.fn.params[rid[1]].name)
        return f"acquire:{res.loc.line}:{res.loc.col}"

    def edge(self, a: str, b: str, kind: str | None, line: int | None = None) -> None:
        attrs: dict[str, object] = {}
        if kind is not None:
            attrs["kind"] = kind
        if line is not None:
            attrs["line"] = line
        self.graph.add_edge(a, b, **attrs)
