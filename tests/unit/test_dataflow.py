"""The ownership dataflow on IR built by hand: no libclang, one CFG per behaviour."""
from __future__ import annotations

import time

import networkx as nx
import pytest

from analyzer import ir
from analyzer.analysis.dataflow import analyze_function
from analyzer.analysis.summaries import Resolver
from analyzer.rules import load_rules

F = "unit.c"
ENTRY, EXIT = 0, 1


def L(line: int, col: int = 1) -> ir.Loc:
    return ir.Loc(F, line, col)


def V(name: str) -> ir.Var:
    return ir.Var(name)


def call(line: int, callee: str, *args: ir.Operand, result: str | None = None, **kw) -> ir.Call:
    return ir.Call(L(line), callee, tuple(args), V(result) if result else None, **kw)


NEGATE = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def assume(line: int, var: str, op: str, const: int, taken: bool = True) -> tuple[ir.Event, ...]:
    """The edge on which `var op const` is `taken`, as the lowering emits it."""
    return (ir.Branch(L(line), taken, f"{var} {op} {const}"),
            ir.Assume(L(line), V(var), op if taken else NEGATE[op], const))


def function(blocks: dict[int, tuple[tuple[ir.Event, ...], tuple[int, ...]]], params: tuple[ir.Param, ...] = (),
             name: str = "f", return_type: str = "int") -> ir.Function:
    """Blocks by id (0 = entry, 1 = exit); the exit block is added when missing."""
    blocks = dict(blocks)
    blocks.setdefault(EXIT, ((), ()))
    n = max(blocks) + 1
    built = tuple(ir.Block(i, tuple(blocks.get(i, ((), ()))[0]), tuple(blocks.get(i, ((), ()))[1])) for i in range(n))
    return ir.Function(usr=f"c:@F@{name}", name=name, qualname=name, loc=L(1), end_line=99, params=params,
                       blocks=built, entry=ENTRY, exit=EXIT, return_type=return_type)


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_rules())


def defects(fn: ir.Function, resolver: Resolver) -> set[tuple[str, int, str]]:
    return {(d.rule_id, d.loc.line, d.var) for d in analyze_function(fn, resolver).defects}


def malloc_into(line: int, var: str) -> tuple[ir.Event, ...]:
    return (call(line, "malloc", ir.Const("int", 8), result="$1"), ir.Assign(L(line), V(var), V("$1")))


def test_leak_on_early_return(resolver):
    fn = function({
        0: (malloc_into(2, "p"), (2, 3)),
        2: ((*assume(3, "p", "==", 0), ir.Return(L(4), ir.Const("int", -1))), (EXIT,)),
        3: (assume(3, "p", "==", 0, taken=False), (4, 5)),
        4: ((ir.Branch(L(5), True, "n > 1"), ir.Return(L(6), ir.Const("int", -2))), (EXIT,)),
        5: ((ir.Branch(L(5), False, "n > 1"), call(7, "free", V("p")), ir.Return(L(8), ir.Const("int", 0))),
            (EXIT,)),
    })
    assert defects(fn, resolver) == {("resource-leak", 6, "p")}


def test_released_on_every_path_is_quiet(resolver):
    fn = function({
        0: (malloc_into(2, "p"), (2, 3)),
        2: ((call(3, "free", V("p")), ir.Return(L(3))), (EXIT,)),
        3: ((call(4, "free", V("p")), ir.Return(L(4))), (EXIT,)),
    })
    assert defects(fn, resolver) == set()


def test_overwrite_and_scope_exit(resolver):
    fn = function({0: (malloc_into(2, "p") + malloc_into(3, "p") + (ir.Kill(L(4), ("p",)), ir.Return(L(5))),
                       (EXIT,))})
    assert defects(fn, resolver) == {("leak-on-overwrite", 3, "p"), ("resource-leak", 4, "p")}


def test_realloc_onto_itself_is_overwrite_and_through_temporary_is_not(resolver):
    onto = function({0: ((*malloc_into(2, "p"),
                          call(3, "realloc", V("p"), ir.Const("int", 64), result="$2"),
                          ir.Assign(L(3), V("p"), V("$2")), call(4, "free", V("p")), ir.Return(L(5))), (EXIT,))})
    assert defects(onto, resolver) == {("leak-on-overwrite", 3, "p")}
    temp = function({
        0: ((*malloc_into(2, "p"), call(3, "realloc", V("p"), ir.Const("int", 64), result="$2"),
             ir.Assign(L(3), V("t"), V("$2"))), (2, 3)),
        2: ((*assume(4, "t", "==", 0), call(5, "free", V("p")), ir.Return(L(6))), (EXIT,)),
        3: ((*assume(4, "t", "==", 0, taken=False), call(7, "free", V("t")), ir.Return(L(8))), (EXIT,)),
    })
    assert defects(temp, resolver) == set()


def test_double_release_mismatch_use_after_release(resolver):
    fn = function({0: (
        (*malloc_into(2, "p"), call(3, "free", V("p")), ir.Use(L(4), V("p")), call(5, "free", V("p")),
         call(6, "new[]", result="$3"), ir.Assign(L(6), V("a"), V("$3")), call(7, "delete", V("a")),
         ir.Return(L(8))), (EXIT,))})
    assert defects(fn, resolver) == {("use-after-release", 4, "p"), ("double-release", 5, "p"),
                                     ("mismatched-release", 7, "a")}


def test_discarded_result(resolver):
    fn = function({0: ((call(2, "malloc", ir.Const("int", 8), result="$1", discarded=True), ir.Return(L(3))),
                       (EXIT,))})
    assert defects(fn, resolver) == {("unused-acquire", 2, "")}


def test_halt_ends_the_path(resolver):
    fn = function({
        0: (malloc_into(2, "p"), (2, 3)),
        2: ((ir.Branch(L(3), True, "bad"), call(3, "exit", ir.Const("int", 1), noreturn=True),
             ir.Halt(L(3), "exit")), ()),
        3: ((call(4, "free", V("p")), ir.Return(L(5))), (EXIT,)),
    })
    assert defects(fn, resolver) == set()


def test_descriptor_validity_is_negative(resolver):
    def opened(op: str, const: int) -> ir.Function:
        return function({
            0: ((call(2, "open", ir.Const("str"), result="$1"), ir.Assign(L(2), V("fd"), V("$1"))), (2, 3)),
            2: ((*assume(3, "fd", op, const), ir.Return(L(3), ir.Const("int", -1))), (EXIT,)),
            3: ((ir.Return(L(4), ir.Const("int", 0)),), (EXIT,)),  # the valid path leaks
        })
    for op, const in (("<", 0), ("==", -1), ("<=", -1)):
        assert defects(opened(op, const), resolver) == {("resource-leak", 4, "fd")}, (op, const)


def test_escapes_end_tracking_and_shape_the_summary(resolver):
    params = (ir.Param("out", "char **", True, False, 2), ir.Param("h", "struct h *", True, False, 1))
    fn = function({0: (
        (*malloc_into(2, "a"), ir.Assign(L(3), ir.Deref(V("out")), V("a")),
         *malloc_into(4, "b"), ir.Assign(L(5), ir.Field(V("h"), "buf", True), V("b")),
         *malloc_into(6, "c"), ir.Assign(L(7), ir.Global("g"), V("c")),
         *malloc_into(8, "d"), call(9, "unknown_sink", V("d")),
         *malloc_into(10, "e"), ir.Return(L(11), V("e"))), (EXIT,))}, params=params, return_type="char *")
    res = analyze_function(fn, resolver)
    assert res.defects == []
    assert res.summary.returns_owned == "malloc"
    assert res.summary.acquires_out == ((0, "malloc"),)
    graph = nx.node_link_graph(nx.node_link_data(res.graph, edges="edges"), edges="edges")
    kinds = {graph.nodes[n]["kind"] for n in graph}
    assert {"acquire", "out-param", "field", "global", "call", "return"} <= kinds


def test_borrowing_call_keeps_tracking(resolver):
    fn = function({0: ((*malloc_into(2, "p"), call(3, "strlen", V("p"), result="$2"),
                        call(4, "look", V("p"), arg_borrow=(True,)), ir.Return(L(5))), (EXIT,))})
    assert defects(fn, resolver) == {("resource-leak", 5, "p")}


def test_param_release_summary(resolver):
    params = (ir.Param("p", "char *", True, False, 1),)
    fn = function({
        0: ((), (2, 3)),
        2: ((*assume(2, "p", "==", 0), ir.Return(L(2))), (EXIT,)),
        3: ((*assume(2, "p", "==", 0, taken=False), call(3, "free", V("p")), ir.Return(L(4))), (EXIT,)),
    }, params=params, name="destroy", return_type="void")
    summary = analyze_function(fn, resolver).summary
    assert summary.releases_args == ((0, "malloc"),)


def test_loop_releasing_each_iteration_terminates_quietly(resolver):
    fn = function({
        0: ((), (2,)),
        2: ((), (3, 4)),  # loop head
        3: ((ir.Branch(L(3), True, "i < n"), *malloc_into(4, "q"), call(5, "free", V("q")),
             ir.Kill(L(6), ("q",))), (2,)),
        4: ((ir.Branch(L(3), False, "i < n"), ir.Return(L(7))), (EXIT,)),
    })
    assert defects(fn, resolver) == set()
    leaky = function({
        0: ((), (2,)),
        2: ((), (3, 4)),
        3: ((ir.Branch(L(3), True, "i < n"), *malloc_into(4, "q"), ir.Kill(L(6), ("q",))), (2,)),
        4: ((ir.Branch(L(3), False, "i < n"), ir.Return(L(7))), (EXIT,)),
    })
    assert defects(leaky, resolver) == {("resource-leak", 6, "q")}


def test_thirty_diamonds_stay_bounded(resolver):
    blocks: dict[int, tuple] = {0: (malloc_into(2, "p") + malloc_into(3, "q"), (2,))}
    nxt = 2
    for i in range(30):
        head, t, f = nxt, nxt + 1, nxt + 2
        join = nxt + 3
        blocks[head] = ((), (t, f))
        blocks[t] = ((ir.Branch(L(10 + i), True, f"v{i}"), ir.Assign(L(10 + i), V(f"x{i}"), ir.Const("int", i))),
                     (join,))
        blocks[f] = ((ir.Branch(L(10 + i), False, f"v{i}"),), (join,))
        nxt = join
    blocks[nxt] = ((call(50, "free", V("p")), ir.Return(L(51))), (EXIT,))
    fn = function(blocks)
    start = time.perf_counter()
    res = analyze_function(fn, resolver)
    assert time.perf_counter() - start < 5  # generous sanity bound; bench/scan_speed.py --many-ifs has the figure
    assert not res.truncated
    assert {(d.rule_id, d.loc.line, d.var) for d in res.defects} == {("resource-leak", 51, "q")}


def test_status_of_out_parameter_acquisition(resolver):
    # if (posix_memalign(&p, 64, n) != 0) return -1;  free(p) on the other path only
    fn = function({
        0: ((call(2, "posix_memalign", ir.AddrOf(V("p")), ir.Const("int", 64), ir.Const("int", 8), result="$1"),),
            (2, 3)),
        2: ((ir.Branch(L(2), True, "rc"), ir.Assume(L(2), V("$1"), "!=", 0), ir.Return(L(3))), (EXIT,)),
        3: ((ir.Branch(L(2), False, "rc"), ir.Assume(L(2), V("$1"), "==", 0), ir.Return(L(4))), (EXIT,)),
    })
    assert defects(fn, resolver) == {("resource-leak", 4, "p")}


def test_trail_orders_acquire_branch_exit(resolver):
    fn = function({
        0: (malloc_into(2, "p"), (2, 3)),
        2: ((*assume(3, "p", "!=", 0), ir.Return(L(4))), (EXIT,)),
        3: ((*assume(3, "p", "!=", 0, taken=False), ir.Return(L(5))), (EXIT,)),
    })
    (d,) = analyze_function(fn, resolver).defects
    assert [(s.kind, s.loc.line) for s in d.trail] == [("acquire", 2), ("branch", 3), ("exit", 4)]
