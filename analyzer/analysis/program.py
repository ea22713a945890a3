"""The whole program: every TU's functions, declarations and classes, merged once (read-only afterwards)."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import networkx as nx

from analyzer import cfg, ir

from .callgraph import build_call_graph, overriders


@dataclass(frozen=True)
class Program:
    functions: Mapping[str, ir.Function]  # by USR
    decls: Mapping[str, ir.FuncDecl]  # by USR
    classes: Mapping[str, ir.ClassDecl]  # by USR
    call_graph: nx.DiGraph  # caller USR -> callee USR, over `functions`
    globals: Mapping[str, ir.GlobalVar] = field(default_factory=dict)  # by USR
    addressed: frozenset[str] = frozenset()  # globals whose address is taken (initializers or code)
    written: frozenset[str] = frozenset()  # globals some function assigns
    overriders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # virtual method -> its overrides

    def constant_globals(self) -> dict[str, int]:
        """USR -> value of integer globals whose value never changes: const ones, and those no code assigns or
        takes the address of (a plain `int globalTrue = 1;` set once in another file is one)."""
        return {usr: g.value for usr, g in self.globals.items() if g.value is not None
                and (g.const or (usr not in self.written and usr not in self.addressed))}


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
    globals_: dict[str, ir.GlobalVar] = {}
    addressed: set[str] = set()
    modules_targets: dict[str, set[tuple[str, str]]] = {}
    for m in modules:
        for pointer, usr, name in m.pointer_targets:
            modules_targets.setdefault(pointer, set()).add((usr, name))
        for g in m.globals:
            if g.usr not in globals_ or (globals_[g.usr].value is None and g.value is not None):
                globals_[g.usr] = g
        addressed.update(m.addressed)
    _resolve_pointer_calls(functions, modules_targets)
    written, taken = _global_writes(functions.values())
    virtual = overriders(functions)
    return Program(MappingProxyType(functions), MappingProxyType(decls), MappingProxyType(classes),
                   build_call_graph(functions, virtual), MappingProxyType(globals_), frozenset(addressed | taken),
                   frozenset(written), MappingProxyType(virtual))


def _resolve_pointer_calls(functions: dict[str, ir.Function], targets: dict[str, set[tuple[str, str]]]) -> None:
    """A call through a global function pointer or a struct field that every initializer and assignment in the
    program sets to one function (`lib_allocator.gmalloc = malloc`, `free_fn = free`) is a call of it."""
    known = {p: next(iter(t)) for p, t in targets.items() if len(t) == 1 and next(iter(t))[0] not in ("", "-")}
    if not known:
        return
    for usr, fn in list(functions.items()):
        if not any(isinstance(e, ir.Call) and e.callee_ref in known for b in fn.blocks for e in b.events):
            continue
        blocks = tuple(dataclasses.replace(b, events=tuple(
            dataclasses.replace(e, callee=known[e.callee_ref][1], callee_usr=known[e.callee_ref][0], receiver=None)
            if isinstance(e, ir.Call) and e.callee_ref in known else e for e in b.events)) for b in fn.blocks)
        functions[usr] = dataclasses.replace(fn, blocks=blocks)


def _addressed(op: ir.Operand | None, out: set[str]) -> None:
    while isinstance(op, (ir.Field, ir.Deref, ir.Index, ir.AddrOf)):
        if isinstance(op, ir.AddrOf):
            inner: ir.Operand | None = op.base
            while isinstance(inner, (ir.Field, ir.Index)):
                inner = inner.base
            if isinstance(inner, ir.Global):
                out.add(inner.usr or inner.name)
        op = op.base


def _global_writes(functions: Iterable[ir.Function]) -> tuple[set[str], set[str]]:
    """(globals assigned, globals whose address is taken) by the code."""
    written: set[str] = set()
    taken: set[str] = set()
    for fn in functions:
        for e in cfg.events(fn):
            if isinstance(e, ir.Assign):
                if isinstance(e.dst, ir.Global):
                    written.add(e.dst.usr or e.dst.name)
                _addressed(e.src, taken)
            elif isinstance(e, ir.Call):
                for a in (*e.args, e.receiver):
                    _addressed(a, taken)
            elif isinstance(e, ir.Return):
                _addressed(e.value, taken)
    return written, taken


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
