"""A function's summary from the shapes of its returns: what its callers see it do to ownership."""
from __future__ import annotations

from collections.abc import Sequence

from analyzer import ir
from analyzer.analysis.summaries import FunctionSummary

from .state import ReturnShape


def _returned_resource(fn: ir.Function, shapes: Sequence[ReturnShape]) -> tuple[str, str]:
    """(kind, acquirer) of the owned resource every return hands over, or ('', '')."""
    if not shapes or not (fn.return_type.rstrip().endswith("*") or any(s.owned_kinds for s in shapes)):
        return "", ""
    owned_kinds = {k for s in shapes for k in s.owned_kinds}
    borrowed = any(s.borrowed and not s.owned_kinds for s in shapes)
    if len(owned_kinds) != 1 or borrowed:
        return "", ""
    return owned_kinds.pop(), next((a for s in shapes for a in s.acquirers), "")


def _released_on_every_path(events: list) -> str:
    """The one kind a parameter is released as on every return that did not find it NULL, or ''."""
    relevant = [ev for ev in events if ev != "null"]
    released = [ev for ev in relevant if isinstance(ev, tuple) and ev[0] == "released"]
    if not relevant or len(released) != len(relevant):
        return ""
    kinds = {ev[1] for ev in released}
    return kinds.pop() if len(kinds) == 1 else ""


def _param_role(p: ir.Param, i: int, shapes: Sequence[ReturnShape]) -> tuple[str, str]:
    """('out', kind) | ('releases', kind) | ('stores', '') | ('borrows', '') | ('', '') for parameter i."""
    handle = not (p.is_pointer or p.is_reference)
    if not (p.is_pointer and p.pointer_depth >= 1) and not handle:
        return "", ""
    events = [s.param_events.get(i) for s in shapes]
    out_kinds = {s.param_events.get(("out", i)) for s in shapes} - {None}
    if len(out_kinds) == 1:
        return "out", str(out_kinds.pop())
    kind = _released_on_every_path(events)
    if kind:
        return "releases", kind
    if any(ev == "stored" for ev in events) or any(isinstance(ev, tuple) for ev in events) or \
            (handle and any(ev == "escaped" for ev in events)):  # `conn->fd = fd; return conn;`
        # stored, or released on some paths only (`close(fd)` on an error path): the caller
        # can no longer tell whether it still owns the resource, so ownership moves (quiet)
        return "stores", ""
    if not handle and p.pointer_depth == 1 and not any(ev == "escaped" for ev in events):
        # only a tracked parameter can be shown to be borrowed (a `T **` vector is not tracked)
        return "borrows", ""
    return "", ""


def summarize(fn: ir.Function, shapes: Sequence[ReturnShape], truncated: bool) -> FunctionSummary:
    returns_owned, acquirer = _returned_resource(fn, shapes)
    releases: list[tuple[int, str]] = []
    outs: list[tuple[int, str]] = []
    stores: list[int] = []
    borrows: list[int] = []
    for i, p in enumerate(fn.params):
        role, kind = _param_role(p, i, shapes)
        if role == "out":
            outs.append((i, kind))
        elif role == "releases":
            releases.append((i, kind))
        elif role == "stores":
            stores.append(i)
        elif role == "borrows":
            borrows.append(i)
    returned_params = {s.returned_params for s in shapes if not s.returns_constant}
    returns_arg = -1
    if len(returned_params) == 1:
        only = next(iter(returned_params))
        if len(only) == 1 and fn.params[only[0]].is_pointer and only[0] in borrows:
            returns_arg = only[0]
    return FunctionSummary(fn.usr, fn.qualname, returns_owned, acquirer, tuple(releases), tuple(outs),
                           tuple(stores), tuple(borrows), returns_arg=returns_arg,
                           noreturn=not shapes and not truncated and fn.kind == "function")
