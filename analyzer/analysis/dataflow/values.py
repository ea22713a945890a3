"""Value facts along a path: small integer intervals of tested variables; contradictions prune the path."""
from __future__ import annotations


class Infeasible(Exception):
    """The path being followed cannot happen (contradictory facts)."""


def _interval_ok(lo: float, hi: float, excl: frozenset) -> bool:
    return lo <= hi and not (lo == hi and lo in excl)


def constrain(fact: tuple | None, op: str, c: int) -> tuple:
    lo, hi, excl = fact if fact is not None else (float("-inf"), float("inf"), frozenset())
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
