"""The IR is plain frozen data: pickles, round-trips through JSON, and covers every event kind by hand."""
from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from analyzer import ir


def every_kind_module() -> ir.Module:
    L = ir.Loc("m.c", 3, 7)
    p, q = ir.Var("p"), ir.Var("$1")
    operands = (p, ir.Field(p, "buf", True), ir.Field(None, "m_"), ir.Global("g", "c:@g"), ir.Deref(p),
                ir.Index(p), ir.AddrOf(p), ir.Const("null", 0), ir.Const("int", -1), ir.Const("str"),
                ir.Arith("+", p, ir.Const("int", 1)), ir.Unknown("?"))
    events = (
        ir.Call(L, "malloc", (ir.Const("int", 8),), q, "c:@F@malloc", None, (True,)),
        ir.Call(L, "ns::C::m", operands, None, "c:@N@ns@S@C@F@m#", ir.Var("obj"), (False,) * len(operands),
                noreturn=False, is_ctor=True, discarded=True),
        ir.Assign(L, p, q), ir.Assume(L, p, "!=", 0), ir.Compare(L, p, ir.AddrOf(ir.Var("buf")), False),
        ir.Branch(L, True, "p != NULL"), ir.Use(L, p),
        ir.Relation(L, p, "<", ir.Var("n")), ir.Kill(L, ("p", "$1")), ir.Return(L, p), ir.Halt(L, "exit"),
    )
    blocks = (ir.Block(0, events[:5], (2,)), ir.Block(1), ir.Block(2, events[5:10], (1,)), ir.Block(3, events[10:]))
    fn = ir.Function("c:@F@f", "f", "f", L, 9, (ir.Param("p", "char *", True, False, 1),
                                                 ir.Param("r", "const T &", False, True, 0, True)),
                     blocks, 0, 1, "int", "method", "C", ("p", "s"), 2, ("s",))
    return ir.Module("m.c", (fn,), (ir.FuncDecl("c:@F@malloc", "malloc", "malloc", "void *", ("unsigned long",), L,
                                                 False, False, False, ("malloc",)),),
                     (ir.ClassDecl("c:@S@C", "C", L, (ir.FieldDecl("m_", "char *", True),), "c:@S@C@F@~C#"),),
                     (ir.TUDiagnostic("m.c", 1, "error", "'x.h' file not found"),), True, False, 0.25,
                     (ir.GlobalVar("c:@g", "g", 1, True, L),), ("c:@g",))


def test_every_ir_type_is_exercised():
    seen = set()

    def walk(obj):
        if dataclasses.is_dataclass(obj):
            seen.add(type(obj).__name__)
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name))
        elif isinstance(obj, tuple):
            for x in obj:
                walk(x)
    walk(every_kind_module())
    assert seen == set(ir._TYPES)


def test_pickle_round_trip():
    m = every_kind_module()
    assert pickle.loads(pickle.dumps(m)) == m


def test_json_round_trip_and_determinism():
    m = every_kind_module()
    text = ir.dumps(m)
    assert ir.loads(text) == m
    assert ir.dumps(ir.loads(text)) == text
    json.loads(text)  # plain JSON


def test_frozen():
    m = every_kind_module()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.functions[0].name = "g"  # type: ignore[misc]


def test_root_var():
    p = ir.Var("p")
    assert ir.root_var(ir.Field(ir.Index(ir.Deref(p)), "x")) == p
    assert ir.root_var(ir.Global("g")) is None
    assert ir.root_var(ir.Field(None, "m")) is None
