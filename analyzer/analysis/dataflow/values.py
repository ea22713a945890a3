"""Value facts along a path: integer intervals of the places conditions test; contradictions prune the path.

A fact is keyed by what it reads: a local (`x`), a global (`g:<usr>`), a field (`f:s->flag`), a relation of two
of them, or a bit test (`flags & 4`: keyed as a relation of `flags` with `&4`, so it goes when flags changes).
Facts come from branch conditions (`if (x > 3)`: x in [4, inf) on the true edge), from assignments of known
values (constants, `i + 1` of a known `i`, a function whose every return is one constant) and from globals whose
value never changes. They are forgotten when something may write the place: an assignment, a call given its
address, or a call that may write that global or field. The same unknown condition tested twice therefore takes
the same branch both times.
"""
from __future__ import annotations

from collections.abc import Mapping

from analyzer import ir
from analyzer.analysis.dataflow.graph import operand_text

Interval = tuple[float, float, frozenset]  # (low, high, excluded values)
UNBOUNDED: Interval = (float("-inf"), float("inf"), frozenset())
NOT_NULL: Interval = (float("-inf"), float("inf"), frozenset({0}))
LIMIT = 64  # facts past this magnitude are dropped: a loop counter is not unrolled for ever


class Infeasible(Exception):
    """The path being followed cannot happen (contradictory facts)."""


def _interval_ok(lo: float, hi: float, excl: frozenset) -> bool:
    return lo <= hi and not (lo == hi and lo in excl)


def constrain(fact: Interval | None, op: str, c: int) -> Interval:
    lo, hi, excl = fact if fact is not None else UNBOUNDED
    if op == "==":
        lo, hi = max(lo, c), min(hi, c)
    elif op == "!=":
        excl = excl | {c}
    elif op == "<":
        hi = min(hi, c - 1)
    elif op == "<=":
        hi = min(hi, c)
    elif op == ">":
        lo = max(lo, c + 1)
    elif op == ">=":
        lo = max(lo, c)
    if not _interval_ok(lo, hi, excl):
        raise Infeasible
    return (lo, hi, excl)


def admits(fact: Interval | None, value: int) -> bool:
    """The value may hold on a path with this fact (no fact: anything may)."""
    return fact is None or (fact[0] <= value <= fact[1] and value not in fact[2])


def exactly(value: int) -> Interval:
    return (value, value, frozenset())


def fact_key(op: ir.Operand | None) -> str | None:
    """What a fact about `op` is keyed by, or None for values facts cannot be kept about."""
    if isinstance(op, ir.Var):
        return op.name
    if isinstance(op, ir.Global):
        return "g:" + (op.usr or op.name)
    if isinstance(op, ir.Field):
        return "f:" + (operand_text(op) if op.base is not None else "this->" + op.name)
    if isinstance(op, ir.Arith) and op.op == "&" and isinstance(op.rhs, ir.Const) and \
            (inner := fact_key(op.lhs)) is not None:
        return relation_key(inner, f"&{op.rhs.value}")
    return None


SWAP = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def relation_key(a: str, b: str) -> str:
    return f"r:{a}\x00{b}"


def related(key: str) -> tuple[str, str] | None:
    """The two keys a relation fact is about."""
    if not key.startswith("r:"):
        return None
    a, _, b = key[2:].partition("\x00")
    return a, b


def places(key: str) -> tuple[str, ...]:
    """The places a fact reads: itself, or both sides of a relation (a bit test reads one)."""
    pair = related(key)
    return (key,) if pair is None else tuple(k for k in pair if not k.startswith("&"))


def field_name(key: str) -> str | None:
    """The member name a field fact is about (`f:s->flag` -> 'flag')."""
    if not key.startswith("f:"):
        return None
    rest = key[2:]
    for sep in ("->", "."):
        rest = rest.rsplit(sep, 1)[-1]
    return rest


def field_root(key: str) -> str | None:
    """The local a field fact is rooted in (`f:s->a.b` -> 's')."""
    if not key.startswith("f:"):
        return None
    head = key[2:]
    for sep in ("->", ".", "[", "*"):
        head = head.split(sep, 1)[0]
    return head or None


def _bounded(fact: Interval | None) -> Interval | None:
    if fact is None:
        return None
    lo, hi, _ = fact
    if (lo != float("-inf") and abs(lo) > LIMIT) or (hi != float("inf") and abs(hi) > LIMIT):
        return None
    return fact


def evaluate(op: ir.Operand | None, facts: Mapping[str, Interval], known: Mapping[str, int]) -> Interval | None:
    """The interval of an integer expression on this path (None: unknown). `known` are constant globals by USR."""
    if isinstance(op, ir.Const):
        return exactly(op.value) if op.kind == "int" and op.value is not None else \
            exactly(0) if op.kind == "null" else None
    if isinstance(op, ir.Global) and (op.usr or op.name) in known:
        return exactly(known[op.usr or op.name])
    if isinstance(op, ir.AddrOf):
        return NOT_NULL  # `&x` is never NULL
    if isinstance(op, ir.Arith) and op.op in ("+", "-"):
        a, b = evaluate(op.lhs, facts, known), evaluate(op.rhs, facts, known)
        if a is None or b is None or b[0] != b[1]:
            return None
        shift = b[0] if op.op == "+" else -b[0]
        return _bounded((a[0] + shift, a[1] + shift, frozenset(x + shift for x in a[2])))
    key = fact_key(op)
    return facts.get(key) if key is not None else None
