"""Which functions read and which assign each global and each field name, computed in one pass over the program.

The stored-again check follows one place at a time; asking every function's every event about every place made the
check quadratic (three minutes on redis). This index answers the same questions from sets.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import networkx as nx

from analyzer import ir
from analyzer.analysis.program import Program

_Names = frozenset[str]
_Node = TypeVar("_Node", str, int)
_NONE: _Names = frozenset()


class PlaceUses:
    """Per event: the globals (USRs) and field names it reads; per place: the functions reading or assigning it."""

    def __init__(self, prog: Program) -> None:
        self._read_globals: dict[int, _Names] = {}
        self._read_fields: dict[int, _Names] = {}
        self.global_readers: dict[str, set[str]] = {}
        self.global_writers: dict[str, set[str]] = {}
        self.field_readers: dict[str, set[str]] = {}
        self.field_writers: dict[str, set[str]] = {}
        for usr, fn in prog.functions.items():
            for b in fn.blocks:
                for e in b.events:
                    self._index(usr, e)

    def _index(self, usr: str, e: ir.Event) -> None:
        globals_read: set[str] = set()
        fields_read: set[str] = set()
        for op in ir.read_operands(e):
            for p in ir.parts(op):
                if isinstance(p, ir.Global):
                    globals_read.add(p.usr)
                elif isinstance(p, ir.Field):
                    fields_read.add(p.name)
        if globals_read:
            self._read_globals[id(e)] = frozenset(globals_read)
            for g in globals_read:
                self.global_readers.setdefault(g, set()).add(usr)
        if fields_read:
            self._read_fields[id(e)] = frozenset(fields_read)
            for f in fields_read:
                self.field_readers.setdefault(f, set()).add(usr)
        if isinstance(e, ir.Assign):
            if isinstance(e.dst, ir.Global):
                self.global_writers.setdefault(e.dst.usr, set()).add(usr)
            elif isinstance(e.dst, ir.Field):
                self.field_writers.setdefault(e.dst.name, set()).add(usr)

    def reads_global(self, e: ir.Event, usr: str) -> bool:
        return usr in self._read_globals.get(id(e), _NONE)

    def reads_field(self, e: ir.Event, name: str) -> bool:
        return name in self._read_fields.get(id(e), _NONE)


def ancestors_of_any(graph: nx.DiGraph, nodes: Iterable[_Node]) -> set[_Node]:
    """Every node with a path to one of `nodes` (the nodes themselves not included unless on such a path)."""
    out: set[_Node] = set()
    todo = [n for n in nodes if n in graph]
    while todo:
        for pred in graph.predecessors(todo.pop()):
            if pred not in out:
                out.add(pred)
                todo.append(pred)
    return out
