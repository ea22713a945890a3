"""Condition lowering: short-circuit branches, Branch/Assume/Compare edges, constant values."""
from __future__ import annotations

from clang.cindex import Cursor, CursorKind

from analyzer import ir

from .context import LoweringContext
from .cursors import (
    COMPARISONS,
    NEGATE,
    SWAP,
    _children,
    _is_integer,
    _is_pointer,
    _loc,
    _strip,
    _tokens,
    binary_operator,
    is_unsigned,
    opcodes,
    unary_operator,
)
from .fastc import arguments, expression_children, kind_name, referenced

# expressions worth handing to clang's constant evaluator (literals are read directly)
_EVALUATED = frozenset({"BINARY_OPERATOR", "UNARY_OPERATOR", "DECL_REF_EXPR", "CALL_EXPR", "CONDITIONAL_OPERATOR",
                        "CXX_BOOL_LITERAL_EXPR", "UNEXPOSED_EXPR"})


# `likely(x)` / `unlikely(x)` expand to these: the value is x
_BRANCH_HINTS = frozenset({"__builtin_expect", "__builtin_expect_with_probability"})


class CondLowerer(LoweringContext):
    """Part of FunctionLowerer: branch conditions as control flow."""

    # ---- conditions ----------------------------------------------------------------------
    def cond(self, c: Cursor, t: int, f: int) -> None:
        """Lower a branch condition, with short-circuit operators as control flow."""
        s = _strip(c)
        kind = kind_name(s)
        known = self.constant_condition(s)
        if known is not None:  # `if (5 == 5)`, `if (STATIC_CONST_FIVE == 5)`, `sizeof(int) > 2`: one edge only
            self.fn.edge(self.cur, t if known else f)
            self.cur = None
            return
        if kind == "BINARY_OPERATOR" and self._cond_binary(s, t, f):
            return
        if kind == "UNARY_OPERATOR":
            op, _ = unary_operator(s)
            if op == "!":
                self.cond(_children(s)[0], f, t)
                return
        if kind == "CALL_EXPR" and s.spelling in _BRANCH_HINTS and (args := arguments(s)):
            self.cond(args[0], t, f)  # `if (unlikely(!p))`: the hint's first argument is the condition
            return
        const = self.const_value(s)
        if const is not None:
            self.fn.edge(self.cur, t if const else f)
            self.cur = None
            return
        value = self.expr(c)
        self.branch_on_value(value, _loc(s), t, f, s)

    def _cond_binary(self, s: Cursor, t: int, f: int) -> bool:
        """`a && b`, `a || b`, bit tests and comparisons as edges; False: not one of those (nothing lowered)."""
        op = binary_operator(s)
        lhs, rhs = _children(s)[:2]
        if op in ("&&", "||"):
            mid = self.fn.new()
            self.cond(lhs, mid, f) if op == "&&" else self.cond(lhs, t, mid)
            self.cur = mid
            self.cond(rhs, t, f)
            return True
        if op == "&" and (masked := self.mask_test(s)) is not None:
            value, inverted = masked  # `if (flags & MASK)`, `if (~flags & BIT)`
            self.split(_loc(s), value, "==" if inverted else "!=", 0, t, f, s)
            return True
        if op not in COMPARISONS:
            return False
        lc, rc = self.const_value(rhs), self.const_value(lhs)
        if lc is not None or rc is not None:
            tested = lhs if lc is not None else rhs
            const = lc if lc is not None else rc
            assert const is not None
            oper = op if lc is not None else SWAP[op]
            masked = self.mask_test(tested)
            value = self.expr(tested) if masked is None else masked[0]
            if masked is not None and masked[1]:  # `(~flags & BIT) == 0` is `(flags & BIT) != 0`
                value, oper = (value, NEGATE[oper]) if const == 0 and oper in ("==", "!=") else \
                    (ir.Unknown("&"), oper)
            self.split(_loc(s), value, oper, const, t, f, s, self._assigned_from(tested), is_unsigned(tested.type))
            return True
        if op in ("==", "!=") and _is_pointer(lhs.type) and _is_pointer(rhs.type):
            a, b = self.expr(lhs), self.expr(rhs)
            self.split_compare(_loc(s), a, b, op == "==", t, f, s)
            return True
        if _is_integer(lhs.type) and _is_integer(rhs.type):
            a, b = self.expr(lhs), self.expr(rhs)
            unsigned = tuple(v for v, x in ((a, lhs), (b, rhs)) if is_unsigned(x.type))
            self.split_relation(_loc(s), a, op, b, t, f, s, unsigned)
            return True
        return False

    def mask_test(self, c: Cursor) -> tuple[ir.Operand, bool] | None:
        """`x & MASK` with a constant MASK, as `Arith('&', x, MASK)`: a bit test the value domain keys by x, so the
        same bit tested again takes the same branch. `~x & BIT` (one bit) is the same test inverted: (value, True).
        None (nothing lowered) for any other expression."""
        s = _strip(c)
        if kind_name(s) != "BINARY_OPERATOR" or binary_operator(s) != "&":
            return None
        lhs, rhs = _children(s)[:2]
        tested, mask = lhs, self.constant_condition(rhs)
        if mask is None:
            tested, mask = rhs, self.constant_condition(lhs)
        if not mask or not _is_integer(tested.type):
            return None
        inner = _strip(tested)
        inverted = kind_name(inner) == "UNARY_OPERATOR" and unary_operator(inner)[0] == "~" and \
            mask > 0 and mask & (mask - 1) == 0
        value = self.expr(_children(inner)[0] if inverted else tested)
        if isinstance(value, ir.Unknown):
            return ir.Unknown("&"), False
        return ir.Arith("&", value, ir.Const("int", mask)), inverted

    def branch_on_value(self, value: ir.Operand, loc: ir.Loc, t: int, f: int, c: Cursor) -> None:
        self.split(loc, value, "!=", 0, t, f, c, unsigned=is_unsigned(_strip(c).type))

    def split(self, loc: ir.Loc, value: ir.Operand, op: str, const: int, t: int, f: int, c: Cursor,
              also: ir.Operand | None = None, unsigned: bool = False) -> None:
        """Two edges, each assuming `value OP const` or its negation (and the same of `also`, which holds the
        same value: the source of `(b = a) == NULL`); an unsigned value is also never negative."""
        text = self.module.text(c)
        for target, oper, taken in ((t, op, True), (f, NEGATE[op], False)):
            edge = self.fn.new()
            self.fn.edge(self.cur, edge)
            self.fn.events[edge].append(ir.Branch(loc, taken, text))
            for v in (value, also):
                if v is not None and not isinstance(v, (ir.Unknown, ir.Const)):
                    self.fn.events[edge].append(ir.Assume(loc, v, oper, const))
            if unsigned:
                self._not_negative(edge, loc, (value,))
            self.fn.edge(edge, target)
        self.cur = None

    def _not_negative(self, edge: int, loc: ir.Loc, values: tuple[ir.Operand, ...]) -> None:
        """`size_t n`, `unsigned count`: tested, the value is also known to be >= 0 (`if (n) ... for (i = 0; i <
        n; i++)` runs the loop at least once)."""
        for v in values:
            if isinstance(v, (ir.Var, ir.Field, ir.Global)):
                self.fn.events[edge].append(ir.Assume(loc, v, ">=", 0))

    def _assigned_from(self, c: Cursor) -> ir.Operand | None:
        """`a` of a tested assignment `(b = a)` when a is a plain variable, else None."""
        s = _strip(c)
        if kind_name(s) != "BINARY_OPERATOR" or binary_operator(s) != "=":
            return None
        src = _strip(_children(s)[1])
        ref = referenced(src) if kind_name(src) == "DECL_REF_EXPR" else None
        if ref is None or kind_name(ref) not in ("VAR_DECL", "PARM_DECL"):
            return None
        value = self.expr(src)
        return value if isinstance(value, (ir.Var, ir.Global)) else None

    def split_compare(self, loc: ir.Loc, a: ir.Operand, b: ir.Operand, equal: bool, t: int, f: int,
                      c: Cursor) -> None:
        text = self.module.text(c)
        for target, taken in ((t, True), (f, False)):
            edge = self.fn.new()
            self.fn.edge(self.cur, edge)
            self.fn.events[edge].append(ir.Branch(loc, taken, text))
            self.fn.events[edge].append(ir.Compare(loc, a, b, equal == taken))
            self.fn.edge(edge, target)
        self.cur = None

    def split_relation(self, loc: ir.Loc, a: ir.Operand, op: str, b: ir.Operand, t: int, f: int,
                       c: Cursor, unsigned: tuple[ir.Operand, ...] = ()) -> None:
        text = self.module.text(c)
        for target, oper, taken in ((t, op, True), (f, NEGATE[op], False)):
            edge = self.fn.new()
            self.fn.edge(self.cur, edge)
            self.fn.events[edge].append(ir.Branch(loc, taken, text))
            self._not_negative(edge, loc, unsigned)
            self.fn.events[edge].append(ir.Relation(loc, a, oper, b))
            self.fn.edge(edge, target)
        self.cur = None

    def constant_condition(self, c: Cursor) -> int | None:
        """The value of a condition that is an integer constant expression, as clang evaluates it (literals, enum
        constants, sizeof, const variables with constant initializers, constexpr calls), or None."""
        s = _strip(c)
        if kind_name(s) not in _EVALUATED:
            return self.const_value(s)
        value = opcodes().integer(s)
        return value if isinstance(value, int) and not isinstance(value, bool) else self.const_value(s)

    def const_value(self, c: Cursor) -> int | None:
        """The integer value of a condition operand known at compile time (literals, enums, NULL), or None."""
        s = _strip(c)
        handler = getattr(self, "_const_" + kind_name(s), None)
        return handler(c, s) if handler is not None else None

    def _const_CXX_NULL_PTR_LITERAL_EXPR(self, c: Cursor, s: Cursor) -> int | None:
        return 0

    _const_GNU_NULL_EXPR = _const_CXX_NULL_PTR_LITERAL_EXPR

    def _const_INTEGER_LITERAL(self, c: Cursor, s: Cursor) -> int | None:
        value = self.module.int_literal(s)
        if value is None and _is_pointer(c.type):
            return 0  # `((void *)0)` expanded from NULL: macro expansions have no tokens
        return value

    def _const_CXX_BOOL_LITERAL_EXPR(self, c: Cursor, s: Cursor) -> int | None:
        toks = _tokens(s)
        return 1 if toks and toks[0].spelling == "true" else 0

    def _const_UNARY_OPERATOR(self, c: Cursor, s: Cursor) -> int | None:
        op, _ = unary_operator(s)
        kids = _children(s)
        if not op and kids and _strip(kids[0]).kind == CursorKind.INTEGER_LITERAL and _is_pointer(c.type):
            return -1  # `((void *) -1)` expanded from MAP_FAILED
        if op == "-" and kids:
            v = self.const_value(kids[0])
            return -v if v is not None else None
        return None

    def _const_DECL_REF_EXPR(self, c: Cursor, s: Cursor) -> int | None:
        ref = referenced(s)
        if ref is not None and kind_name(ref) == "ENUM_CONSTANT_DECL":
            return int(ref.enum_value)
        return None

    def _const_CSTYLE_CAST_EXPR(self, c: Cursor, s: Cursor) -> int | None:
        kids = expression_children(s)
        if not kids:
            return None
        value = self.const_value(kids[-1])
        if value is None and _is_pointer(s.type) and _strip(kids[-1]).kind == CursorKind.INTEGER_LITERAL:
            return 0  # `(void *)0` spelled through a macro (NULL): a null pointer constant
        return value

    _const_CXX_STATIC_CAST_EXPR = _const_CXX_REINTERPRET_CAST_EXPR = _const_PAREN_EXPR = _const_CSTYLE_CAST_EXPR
    _const_UNEXPOSED_EXPR = _const_CSTYLE_CAST_EXPR
