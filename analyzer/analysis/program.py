"""The whole program: every TU's functions, declarations and classes, merged once (read-only afterwards)."""
from __future__ import annotations

import dataclasses
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
    origin: dict[str, str] = {}  # usr -> the TU its function came from
    for m in modules:
        for fn in m.functions:
            kept = functions.setdefault(fn.usr, fn)  # a header function from several TUs: once, by USR
            if kept is not fn and origin[fn.usr] == m.tu:
                _add_configuration_variant(functions, fn, kept)
            origin.setdefault(fn.usr, m.tu)
        for d in m.decls:
            old = decls.get(d.usr)
            if old is None or (d.has_body and not old.has_body):
                decls[d.usr] = d
        for c in m.classes:
            classes.setdefault(c.usr, c)
    return Program(MappingProxyType(functions), MappingProxyType(decls), MappingProxyType(classes),
                   build_call_graph(functions))


def _add_configuration_variant(functions: dict[str, ir.Function], fn: ir.Function, kept: ir.Function) -> None:
    """One file compiled in several configurations (-DDEBUG...) can lower a function differently: each distinct
    body is analyzed (calls still resolve to the first); identical findings merge in the pipeline."""
    if fn == kept:
        return
    n = 2
    while f"{fn.usr}#{n}" in functions:
        if functions[f"{fn.usr}#{n}"] == dataclasses.replace(fn, usr=f"{fn.usr}#{n}"):
            return
        n += 1
    functions[f"{fn.usr}#{n}"] = dataclasses.replace(fn, usr=f"{fn.usr}#{n}")
