"""The lowering context of one function: its block builder, scopes, jump targets and locals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from clang.cindex import Cursor

from analyzer import ir

from .cursors import _is_handle_array, _is_plain_record

if TYPE_CHECKING:
    from .lower import ModuleLowerer


class _Fn:
    """Mutable builder for one function's blocks."""

    def __init__(self) -> None:
        self.events: list[list[ir.Event]] = []
        self.succs: list[list[int]] = []
        self.entered: set[int] = set()  # blocks some edge leads to: reachability in O(1), not a scan of all edges

    def new(self) -> int:
        self.events.append([])
        self.succs.append([])
        return len(self.events) - 1

    def edge(self, a: int | None, b: int) -> None:
        if a is not None and b not in self.succs[a]:
            self.succs[a].append(b)
            self.entered.add(b)

    def freeze(self) -> tuple[ir.Block, ...]:
        return tuple(ir.Block(i, tuple(ev), tuple(s))
                     for i, (ev, s) in enumerate(zip(self.events, self.succs, strict=True)))


@dataclass
class SwitchContext:
    dispatch: int  # the block that jumps to the cases
    value: int | None = None  # the controlling expression's value when it is a constant (`switch (6)`)
    matches_a_case: bool = False  # that value is one of the case labels
    operand: ir.Operand | None = None  # what the cases test, when the dataflow can assume on it
    text: str = ""  # the controlling expression as written
    case_values: tuple[int, ...] = ()  # the known constants of its cases


class LoweringContext:
    """The state shared by the statement, condition and expression lowerers of one function, and the
    operations they call on each other (implemented by StmtLowerer, CondLowerer and ExprLowerer)."""

    def __init__(self, module: ModuleLowerer, cursor: Cursor, qualname: str, kind: str):
        self.module = module
        self.cursor = cursor
        self.qualname = qualname
        self.kind = kind
        self.fn = _Fn()
        self.entry = self.fn.new()
        self.exit = self.fn.new()
        self.cur: int | None = self.entry
        self.tmp = 0
        self.scopes: list[list[str]] = [[]]
        self.loops: list[tuple[int, int, int]] = []  # (continue target, break target, scope depth)
        self.breaks: list[tuple[int, int]] = []  # (break target, scope depth)
        self.switches: list[SwitchContext] = []
        self.labels: dict[str, int] = {}
        self.locals: dict[Cursor, str] = {}
        self.aliases: dict[Cursor, ir.Operand] = {}  # reference locals: the place they name (`T &r = x;`)
        self.local_names: list[str] = []
        self.record_locals: list[str] = []  # locals that are plain structs: their fields are places of their own
        self.opaque = 0
        self.lambdas: list[Cursor] = []

    # ---- helpers ---------------------------------------------------------------------------
    def emit(self, event: ir.Event) -> None:
        if self.cur is not None:
            self.fn.events[self.cur].append(event)

    def temp(self) -> ir.Var:
        self.tmp += 1
        return ir.Var(f"${self.tmp}")

    def goto_new(self) -> int:
        b = self.fn.new()
        self.fn.edge(self.cur, b)
        self.cur = b
        return b

    def declare(self, decl: Cursor) -> str:
        key = decl  # cursors hash and compare by declaration (two variables from one macro share a location)
        if key in self.locals:
            return self.locals[key]
        name = decl.spelling or f"$anon{len(self.locals)}"
        if name in self.local_names:
            name = f"{name}#{decl.location.line}"
        self.locals[key] = name
        self.local_names.append(name)
        if _is_plain_record(decl.type) or _is_handle_array(decl.type):
            self.record_locals.append(name)
        if self.scopes:
            self.scopes[-1].append(name)
        return name

    def lookup(self, decl: Cursor) -> str | None:
        return self.locals.get(decl)

    def kill_scopes(self, depth: int, loc: ir.Loc) -> None:
        names = [n for scope in self.scopes[depth:] for n in scope]
        if names:
            self.emit(ir.Kill(loc, tuple(names)))

    def fn_reachable(self, block: int) -> bool:
        return block in self.fn.entered

    # ---- implemented by the lowerers ------------------------------------------------------------
    def stmt(self, c: Cursor) -> None:
        raise NotImplementedError

    def expr(self, c: Cursor, discarded: bool = False) -> ir.Operand:
        raise NotImplementedError

    def cond(self, c: Cursor, t: int, f: int) -> None:
        raise NotImplementedError

    def call(self, c: Cursor, receiver: ir.Operand | None, discarded: bool) -> ir.Operand:
        raise NotImplementedError

    def var_decl(self, d: Cursor) -> None:
        raise NotImplementedError

    def const_value(self, c: Cursor) -> int | None:
        raise NotImplementedError

    def constant_condition(self, c: Cursor) -> int | None:
        raise NotImplementedError

    def branch_on_value(self, value: ir.Operand, loc: ir.Loc, t: int, f: int, c: Cursor) -> None:
        raise NotImplementedError
