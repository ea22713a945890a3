"""A function's summary from the shapes of its returns: what its callers see it do to ownership."""
from __future__ import annotations

from collections.abc import Sequence

from analyzer import cfg, ir
from analyzer.analysis.summaries import FunctionSummary, Resolver

from .records import record_roles
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
    out_kinds = {s.param_events.get(("out", i)) for s in shapes} - {None}
    if len(out_kinds) == 1 and (p.is_pointer or p.is_reference):
        return "out", str(out_kinds.pop())
    if not (p.is_pointer and p.pointer_depth >= 1) and not handle:
        return "", ""
    events = [s.param_events.get(i) for s in shapes]
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


def _writes(fn: ir.Function, resolver: Resolver) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(globals, field names) the function or its callees may assign, and whether it may write anything (a call
    through a pointer). A callee with a body but no summary writes nothing (its summary would say so)."""
    globals_: set[str] = set()
    fields: set[str] = set()
    unknown = False
    for e in cfg.events(fn):
        if isinstance(e, ir.Assign):
            if isinstance(e.dst, ir.Global):
                globals_.add(e.dst.usr or e.dst.name)
            elif isinstance(e.dst, ir.Field):
                fields.add(e.dst.name)
        elif isinstance(e, ir.Call):
            if not e.callee:
                unknown = True
            elif (s := resolver.summary_for(e)) is not None:
                globals_.update(s.writes_globals)
                fields.update(s.writes_fields)
                unknown |= s.writes_unknown
            elif e.callee_usr not in resolver.with_body and _passes_writable_param(e, fn):
                fields.add("*")  # memset(req, 0, ...): any field of what the caller gave us
    return tuple(sorted(globals_)), tuple(sorted(fields)), unknown


def _passes_writable_param(e: ir.Call, fn: ir.Function) -> bool:
    params = {p.name for p in fn.params}
    return any(not (i < len(e.arg_borrow) and e.arg_borrow[i]) and (r := ir.root_var(a)) is not None
               and r.name in params for i, a in enumerate(e.args))


def _pointee_roles(fn: ir.Function, shapes: Sequence[ReturnShape]) -> tuple[list[tuple[int, str]], list[int]]:
    """What a `T **` / `T &` parameter's callee does with the caller's pointer: releases it on every path, or
    only reads it (not stored, not passed on, not written with something new)."""
    releases: list[tuple[int, str]] = []
    borrows: list[int] = []
    for i, p in enumerate(fn.params):
        if not (p.pointer_depth >= 2 or p.is_reference or p.pointee_integer):
            continue
        events = [s.param_events.get(("deref", i)) for s in shapes]
        kind = _released_on_every_path(events)
        if kind:
            releases.append((i, kind))
        elif not any(ev is not None and ev != "null" for ev in events) and \
                not any(s.param_events.get(("out", i)) for s in shapes):
            borrows.append(i)
    return releases, borrows


def _out_values(outs: Sequence[tuple[int, str]], shapes: Sequence[ReturnShape], returns_pointer: bool = False
                ) -> tuple[tuple[int, ...], tuple[tuple[int, tuple[int, ...]], ...], bool]:
    """When every return that writes an out-parameter gives a known value: the known values, per out-parameter
    the ones it is written on (set only on success: `if (open_x(&p) != 0) return -1;` does not leak p; set only
    on failure: an error string), and whether other returns give values not known (they set no out-parameter). A
    function returning a pointer gives NULL (0) or something else (1): `if ((wl = attach(.., &cause)) == NULL)`."""
    def value(s: ReturnShape) -> int | None:
        if returns_pointer:
            return 0 if s.constant == 0 else 1
        return None if s.constant is None else int(s.constant)

    known = [(v, s) for s in shapes if (v := value(s)) is not None]
    unknown = [s for s in shapes if value(s) is None]
    if not outs or not known or any(s.param_events.get(("out", i)) for s in unknown for i, _ in outs):
        return (), (), False
    values = tuple(sorted({v for v, _ in known}))
    per_out = tuple((i, tuple(sorted({v for v, s in known if s.param_events.get(("out", i))}))) for i, _ in outs)
    return values, per_out, bool(unknown)


def _blind_outs(fn: ir.Function, outs: Sequence[tuple[int, str]], shapes: Sequence[ReturnShape],
                resolver: Resolver) -> tuple[int, ...]:
    """Out-parameters whose old value no path reads, tests, frees or passes on: `*out = fresh;` alone, or handing
    `out` itself only to callees that are blind to it too. What the caller's variable held before the call is lost
    whenever the callee writes it."""
    return tuple(i for i, _ in outs if all(s.param_events.get(("deref", i)) in (None, "written") for s in shapes)
                 and not _reads_pointee(fn, fn.params[i].name)
                 and not _passes_on_seeing(fn, fn.params[i].name, resolver))


# library functions that write a fresh block through their first argument without looking at what it held
# (getline does look: it reuses the buffer)
BLIND_OUT_WRITERS = frozenset({"asprintf", "vasprintf"})


def writes_out_blind(e: ir.Call, index: int, resolver: Resolver) -> bool:
    """The call writes argument `index`'s pointee without reading it first."""
    if index == 0 and e.callee in BLIND_OUT_WRITERS:
        return True
    summary = resolver.summary_for(e)
    return summary is not None and index in summary.out_overwrites


def _passes_on_seeing(fn: ir.Function, name: str, resolver: Resolver) -> bool:
    """`name` itself passed to a call that may read what it points to (not known to only overwrite it)."""
    for e in cfg.events(fn):
        if not isinstance(e, ir.Call):
            continue
        for j, a in enumerate(e.args):
            if isinstance(a, ir.Var) and a.name == name and not writes_out_blind(e, j, resolver):
                return True
    return False


def _reads_pointee(fn: ir.Function, name: str) -> bool:
    """Any use of `*name`'s value (`xrealloc(*buf, n)`, `if (*out)`, `(*out)->n`), a plain `*name = v` aside."""
    return any(isinstance(p, ir.Deref) and isinstance(p.base, ir.Var) and p.base.name == name
               for e in cfg.events(fn) for op in ir.read_operands(e) for p in ir.parts(op))


def _reallocates(fn: ir.Function, shapes: Sequence[ReturnShape], releases: Sequence[tuple[int, str]],
                 returns_owned: str) -> int:
    """A realloc-like wrapper: parameter i's block is moved into the returned one on some return (`return
    realloc(ptr, n)`, or a result tested and returned), and every other return gives NULL back (having kept or
    freed it): `p = my_realloc(p, n)` loses p when it fails. -1 when it is not one."""
    if not shapes:
        return -1
    for i, p in enumerate(fn.params):
        if not p.is_pointer:
            continue
        events = [s.param_events.get(i) for s in shapes]
        moved = [isinstance(ev, tuple) and ev[0] == "moved" for ev in events]
        consumed = [isinstance(ev, tuple) and ev[0] == "released" for ev in events]
        if not any(moved):
            if returns_owned or not any(consumed):
                continue
            # tested inside: consumed and a new block returned, or kept and NULL returned
            if all(c == bool(s.owned_kinds) and c != s.returns_constant
                   for c, s in zip(consumed, shapes, strict=True)):
                return i
            continue
        if all((m and s.owned_kinds) or (not m and s.returns_constant) for m, s in zip(moved, shapes, strict=True)):
            return i
    return -1


def _param_roles(fn: ir.Function, shapes: Sequence[ReturnShape]) -> tuple[list, list, list, list]:
    """Per parameter what every path does with it: (releases, outs, stores, borrows)."""
    releases: list[tuple[int, str]] = []
    outs: list[tuple[int, str]] = []
    stores: list[int] = []
    borrows: list[int] = []
    ignored = _ignored_params(fn, shapes)
    for i, p in enumerate(fn.params):
        role, kind = _param_role(p, i, shapes)
        if i in ignored and role in ("", "borrows"):
            role = "stores"
        if role == "out":
            outs.append((i, kind))
        elif role == "releases":
            releases.append((i, kind))
        elif role == "stores":
            stores.append(i)
        elif role == "borrows":
            borrows.append(i)
    return releases, outs, stores, borrows


def _ignored_params(fn: ir.Function, shapes: Sequence[ReturnShape]) -> set[int]:
    """The parameters of a stub: a body that does nothing but return a constant value (`UNUSED(fd); return
    NULL;`). Another configuration's body takes them (`connCreateAcceptedTLS(fd)` without TLS support), so the
    caller no longer owns what it passes (the quiet answer). A `void` body that seems empty may only update
    integers the IR does not model (`seen_ += r != nullptr;`): not a stub."""
    if not shapes or fn.opaque or fn.return_type.strip() in ("", "void"):
        return set()
    for e in cfg.events(fn):
        if not isinstance(e, (ir.Return, ir.Kill)) or \
                (isinstance(e, ir.Return) and e.value is not None and not isinstance(e.value, ir.Const)):
            return set()
    return set(range(len(fn.params)))


_INTEGER_WORDS = frozenset({"int", "long", "short", "unsigned", "signed", "intptr_t", "ssize_t", "SOCKET"})


def _may_hold_handle(p: ir.Param) -> bool:
    """A pointer, or an integer that may be a descriptor (`int fd`, `socket_t s`)."""
    if p.is_pointer:
        return True
    words = set(p.type.replace("const", " ").split())
    return not p.is_reference and bool(words) and (words <= _INTEGER_WORDS or p.type.strip().endswith("_t"))


def _untouched_handles(fn: ir.Function, shapes: Sequence[ReturnShape]) -> list[int]:
    """Integer parameters no path releases, stores or lets escape (`int check(int fd)` only reads fd)."""
    return [i for i, p in enumerate(fn.params) if not (p.is_pointer or p.is_reference)
            and all(s.param_events.get(i) is None for s in shapes)]


def _returned_arg(fn: ir.Function, shapes: Sequence[ReturnShape], borrows: list[int]) -> int:
    """The pointer or handle parameter every non-constant return gives back (`char *trim(char *s)`,
    `int check(int fd)`), or -1."""
    returned_params = {s.returned_params for s in shapes if not s.returns_constant}
    if len(returned_params) == 1:
        only = next(iter(returned_params))
        if len(only) == 1 and _may_hold_handle(fn.params[only[0]]) and only[0] in borrows:
            return only[0]
    return -1


def summarize(fn: ir.Function, shapes: Sequence[ReturnShape], truncated: bool, resolver: Resolver,
              keeps_copies: bool = False) -> FunctionSummary:
    """`keeps_copies`: the function stores owned blocks in fields or globals (what it hands out through an
    out-parameter may be one of them: `c->line = line; *key = line + 1;`)."""
    returns_owned, acquirer = _returned_resource(fn, shapes)
    releases, outs, stores, borrows = _param_roles(fn, shapes)
    returns_arg = _returned_arg(fn, shapes, borrows + _untouched_handles(fn, shapes))
    constants = {s.constant for s in shapes}
    return_values, out_on_values, returns_other = _out_values(outs, shapes, fn.return_type.rstrip().endswith("*"))
    releases_pointee, borrows_pointee = _pointee_roles(fn, shapes) if shapes else ([], [])
    writes_globals, writes_fields, writes_unknown = _writes(fn, resolver)
    reallocs_arg = _reallocates(fn, shapes, releases, returns_owned)
    records = record_roles(fn, shapes)
    if reallocs_arg >= 0 and not any(j == reallocs_arg for j, _ in releases):
        returns_owned = next(k for s in shapes for k in s.owned_kinds)
        acquirer = next((a for s in shapes for a in s.acquirers), "")
        stores = [i for i in stores if i != reallocs_arg]
    if reallocs_arg >= 0:
        releases = [(j, k) for j, k in releases if j != reallocs_arg]
    return FunctionSummary(fn.usr, fn.qualname, returns_owned, acquirer, tuple(releases), tuple(outs),
                           tuple(stores), tuple(borrows), declared_params=len(fn.params), returns_arg=returns_arg,
                           noreturn=not shapes and not truncated and fn.kind == "function",
                           # a method may be overridden: its callers cannot rely on this body's constant
                           returns_const=constants.pop() if len(constants) == 1 and not truncated
                           and fn.kind == "function" else None,
                           writes_globals=writes_globals, writes_fields=writes_fields, writes_unknown=writes_unknown,
                           releases_pointee=tuple(releases_pointee), borrows_pointee=tuple(borrows_pointee),
                           return_values=return_values, returns_other=returns_other, out_on_values=out_on_values,
                           reallocs_arg=reallocs_arg,
                           out_overwrites=() if keeps_copies else _blind_outs(fn, outs, shapes, resolver),
                           fills_record=records.fills, fills_on_success=records.fills_on_success,
                           empties_record=records.empties, detaches_record=records.detaches,
                           empties_members=tuple(sorted(frozenset.intersection(*(s.members_emptied for s in shapes))))
                           if shapes else ())
