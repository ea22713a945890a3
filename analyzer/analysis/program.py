"""The whole program: every TU's functions, declarations and classes, merged once (read-only afterwards)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import networkx as nx

from analyzer import ir

from .callgraph import build_call_graph


@dataclass(frozen=True)
class Program:
    functions: Mapping[str, ir.Function]  # by USR
    decls: Mapping[str, ir.FuncDecl]  # by USR
    classes: Mapping[str, ir.ClassDecl]  # by USR
    call_graph: nx.DiGraph  # caller USR -> callee USR, over `functions`


def merge_modules(modules: Iterable[ir.Module]) -> Program:
    functions: dict[str, ir.Function] = {}
    decls: dict[str, ir.FuncDecl] = {}
    classes: dict[str, ir.ClassDecl] = {}
    for m in modules:
        for fn in m.functions:
            functions.setdefault(fn.usr, fn)  # a header function from several TUs: once, by USR
        for d in m.decls:
            old = decls.get(d.usr)
            if old is None or (d.has_body and not old.has_body):
                decls[d.usr] = d
        for c in m.classes:
            classes.setdefault(c.usr, c)
    return Program(MappingProxyType(functions), MappingProxyType(decls), MappingProxyType(classes),
                   build_call_graph(functions))
