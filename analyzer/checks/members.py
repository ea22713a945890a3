"""member-not-released: owned resources stored in members (or member containers) that no destructor releases."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from analyzer import cfg, ir
from analyzer.analysis.dataflow import FunctionResult, Resource
from analyzer.analysis.program import Program
from analyzer.analysis.summaries import Resolver
from analyzer.model import Finding, PathEvent, RuleId, SourceLoc

from .paths import sloc
from .registry import CheckContext, check

# Methods of standard containers that copy their argument into the container.
INSERTERS = frozenset({"push_back", "emplace_back", "push_front", "emplace_front", "insert", "emplace",
                       "emplace_hint", "try_emplace", "insert_or_assign", "push"})
# Reading an element out of a member container: the value is one of its elements.
ELEMENT_READERS = frozenset({"back", "front", "at", "top", "operator[]", "begin", "rbegin", "find", "cbegin",
                             "lower_bound", "upper_bound", "second"})
ALL_CONTAINERS = "*"  # a range-for over an unknown range releases the elements of some member container


@dataclass(frozen=True, slots=True)
class MemberStore:
    cls: str
    member: str
    resource: Resource
    loc: ir.Loc
    function: ir.Function
    container: bool = False


def _method_name(callee: str) -> str:
    return callee.rsplit("::", 1)[-1]


def _member_of(op: ir.Operand | None) -> str | None:
    """'m' for `this->m`, `this->m[i]`, `*this->m`; None otherwise."""
    while isinstance(op, (ir.Index, ir.Deref)):
        op = op.base
    if isinstance(op, ir.Field) and op.base is None:
        return op.name
    return None


# ---- what members receive ------------------------------------------------------------------

def _acquired_vars(fn: ir.Function, resolver: Resolver) -> dict[str, Resource]:
    """Variables that hold the result of an acquiring call somewhere in `fn` (flow-insensitive)."""
    out: dict[str, Resource] = {}
    for e in cfg.events(fn):
        if isinstance(e, ir.Call) and e.result is not None and e.receiver is None:
            effect = resolver.effect(e)
            if effect.acquire_kind and effect.acquire_out is None:
                out[e.result.name] = Resource(("site", e.loc.line, e.loc.col), effect.acquire_kind,
                                              effect.acquirer or e.callee, e.loc, effect.source)
    changed = True
    while changed:  # copies: `p = $1`, `q = p`
        changed = False
        for e in cfg.events(fn):
            if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and isinstance(e.src, ir.Var) \
                    and e.src.name in out and e.dst.name not in out:
                out[e.dst.name] = out[e.src.name]
                changed = True
    return out


def _container_stores(fn: ir.Function, resolver: Resolver) -> list[tuple[str, Resource, ir.Loc]]:
    """`m.push_back(p)`, `m.insert(p)`, `m[k] = p` with p an owned raw pointer of this function."""
    owned = _acquired_vars(fn, resolver)
    out = []
    for e in cfg.events(fn):
        if isinstance(e, ir.Call) and _method_name(e.callee) in INSERTERS:
            member = _member_of(e.receiver)
            if member is None:
                continue
            for a in e.args:
                if isinstance(a, ir.Var) and a.name in owned:
                    out.append((member, owned[a.name], e.loc))
        elif isinstance(e, ir.Assign) and isinstance(e.dst, ir.Index) and isinstance(e.src, ir.Var) \
                and e.src.name in owned:
            member = _member_of(e.dst)
            if member is not None:
                out.append((member, owned[e.src.name], e.loc))
    return out


def _released_later(fn: ir.Function, store: ir.Loc, member: str, resolver: Resolver) -> bool:
    """A store followed, in the same function, by a release of the member: a transient owner."""
    for bid, i, e in cfg.located_events(fn):
        if e.loc != store or not isinstance(e, (ir.Assign, ir.Call)):
            continue
        for later in cfg.events_after(fn, bid, i):
            if isinstance(later, ir.Call) and any(_member_of(a) == member for a in resolver.released_args(later)):
                return True
    return False


def collect_stores(prog: Program, results: Sequence[FunctionResult], resolver: Resolver) -> list[MemberStore]:
    stores: list[MemberStore] = []
    for res in results:
        fn = res.function
        if not fn.class_name or fn.kind == "destructor":
            continue
        seen: set[tuple[str, int, int]] = set()
        for member, resource, loc in res.member_stores:
            key = (member, loc.line, loc.col)
            if key in seen or _released_later(fn, loc, member, resolver):
                continue
            seen.add(key)
            stores.append(MemberStore(fn.class_name, member, resource, loc, fn))
        for member, resource, loc in _container_stores(fn, resolver):
            key = (member, loc.line, loc.col)
            if key not in seen:
                seen.add(key)
                stores.append(MemberStore(fn.class_name, member, resource, loc, fn, container=True))
    return stores


# ---- what destructors release -------------------------------------------------------------

def _element_sources(fn: ir.Function) -> dict[str, str]:
    """Local variables holding an element of a member container: var -> member (or ALL_CONTAINERS)."""
    out: dict[str, str] = {}
    temps: dict[str, str] = {}
    for e in cfg.events(fn):
        if isinstance(e, ir.Call) and e.result is not None and _method_name(e.callee) in ELEMENT_READERS:
            member = _member_of(e.receiver)
            if member is not None:
                temps[e.result.name] = member
    changed = True
    while changed:
        changed = False
        for e in cfg.events(fn):
            if not isinstance(e, ir.Assign) or not isinstance(e.dst, ir.Var) or e.dst.name in out:
                continue
            src = e.src
            member = None
            if isinstance(src, ir.Unknown) and src.text == "range element":
                member = ALL_CONTAINERS
            elif isinstance(src, ir.Index):
                member = _member_of(src)
            elif isinstance(src, ir.Var):
                member = temps.get(src.name) or out.get(src.name)
            elif isinstance(src, ir.Field) and isinstance(src.base, ir.Var):
                member = out.get(src.base.name)  # `kv.second`, `it->second`
            if member is not None:
                out[e.dst.name] = member
                changed = True
    return out


def _root_var(op: ir.Operand) -> str | None:
    var = ir.root_var(op)
    return var.name if var is not None else None


def _handed_over_args(call: ir.Call, resolver: Resolver) -> list[ir.Operand]:
    """Arguments given to a call that may take them (no rule or summary says it only borrows):
    `mem_->Unref()` whose body may `delete this`, `destroy_helper(m_)` with no body in the scan."""
    effect = resolver.effect(call)
    if effect.borrows_all or effect.acquire_kind or effect.releases:
        return []
    return [a for i, a in enumerate(call.args)
            if not (i < len(call.arg_borrow) and call.arg_borrow[i]) and i not in effect.borrows]


def released_members(fn: ir.Function, result: FunctionResult | None, resolver: Resolver) -> tuple[set[str], set[str]]:
    """(members released directly, member containers whose elements are released) by `fn` itself."""
    direct = set(result.member_releases) if result is not None else set()
    elements: set[str] = set()
    element_vars = _element_sources(fn)
    for e in cfg.events(fn):
        if not isinstance(e, ir.Call):
            continue
        for a in resolver.released_args(e) + _handed_over_args(e, resolver):
            member = _member_of(a)
            root = _root_var(a)
            if member is not None:
                (elements if isinstance(a, ir.Index) else direct).add(member)
            elif root is not None and root in element_vars:
                elements.add(element_vars[root])
        member = _member_of(e.receiver)
        if member is not None and _method_name(e.callee) in ("reset", "release_all", "clear_and_dispose"):
            direct.add(member)
    return direct, elements


class _Destructors:
    """What each class's destructor releases, itself or through the functions it calls (memoized)."""

    def __init__(self, prog: Program, results: Sequence[FunctionResult], resolver: Resolver) -> None:
        self.prog = prog
        self.resolver = resolver
        self.by_usr = {r.function.usr: r for r in results}
        self.classes = {c.qualname: c for c in prog.classes.values()}
        self.dtors: dict[str, ir.Function] = {}
        for fn in prog.functions.values():
            if fn.kind == "destructor" and fn.class_name:
                self.dtors.setdefault(fn.class_name, fn)
        self.owners: dict[str, set[str]] = defaultdict(set)  # member name -> classes declaring it
        for c in self.classes.values():
            for f in c.fields:
                self.owners[f.name].add(c.qualname)
        self._cache: dict[str, tuple[set[str], set[str]]] = {}

    def releases_of(self, cls: str) -> tuple[set[str], set[str]] | None:
        """(members released, member containers whose elements are released); None when it cannot be judged."""
        if cls in self._cache:
            return self._cache[cls]
        dtor = self.dtors.get(cls)
        if dtor is None:
            decl = self.classes.get(cls)
            if decl is None or decl.destructor_usr:
                return None  # not seen, or declared with a body outside the scan: cannot judge
            self._cache[cls] = (set(), set())
            return self._cache[cls]
        direct: set[str] = set()
        elements: set[str] = set()
        graph = self.prog.call_graph
        for usr in {dtor.usr} | (nx.descendants(graph, dtor.usr) if dtor.usr in graph else set()):
            d, el = released_members(self.prog.functions[usr], self.by_usr.get(usr), self.resolver)
            direct |= d
            elements |= el
        self._cache[cls] = (direct, elements)
        return self._cache[cls]

    def releases(self, s: MemberStore) -> bool | None:
        """The store's member is released by its class's destructor (or a base class's); None: cannot tell."""
        declared = {f.name for f in getattr(self.classes.get(s.cls), "fields", ())}
        # a member inherited from a base class: the base's destructor may release it
        candidates = [s.cls] if s.member in declared else [s.cls, *sorted(self.owners.get(s.member, set()) - {s.cls})]
        verdicts = [self.releases_of(c) for c in candidates]
        if any(v is None for v in verdicts):
            return None
        released = False
        for direct, elements in (v for v in verdicts if v is not None):
            if s.container:
                released |= s.member in elements or ALL_CONTAINERS in elements or s.member in direct
            else:
                released |= s.member in direct
        return released


def _released_by_other_methods(results: Sequence[FunctionResult], resolver: Resolver) -> set[tuple[str, str]]:
    """(class, member) pairs that some non-destructor method releases."""
    out: set[tuple[str, str]] = set()
    for r in results:
        if r.function.class_name and r.function.kind != "destructor":
            d, el = released_members(r.function, r, resolver)
            out.update((r.function.class_name, m) for m in d | el)
    return out


def _fields_released_anywhere(prog: Program, resolver: Resolver) -> set[str]:
    """`delete rep_->filter_block` in another class's destructor: fields released through some object."""
    out: set[str] = set()
    for fn in prog.functions.values():
        for e in cfg.events(fn):
            if isinstance(e, ir.Call):
                out.update(a.name for a in resolver.released_args(e)
                           if isinstance(a, ir.Field) and a.base is not None)
    return out


def member_findings(prog: Program, results: Sequence[FunctionResult], resolver: Resolver) -> list[Finding]:
    """One `member-not-released` per member receiving owned resources that the class's destructor, or a function
    it calls, never releases, at the end of that destructor (per store for a class without one). Classes whose
    destructor has no body in the scan are skipped."""
    stores = collect_stores(prog, results, resolver)
    if not stores:
        return []
    dtors = _Destructors(prog, results, resolver)
    others = _released_by_other_methods(results, resolver)
    released_anywhere = _fields_released_anywhere(prog, resolver)
    unreleased: dict[tuple[str, str, bool], list[MemberStore]] = defaultdict(list)
    for s in stores:
        if s.cls not in dtors.dtors and s.member in released_anywhere:
            continue  # a class without a destructor whose owner releases the member from outside
        if dtors.releases(s) is False:
            unreleased[(s.cls, s.member, s.container)].append(s)
    findings = []
    for (cls, member, _container), found in unreleased.items():
        dtor, elsewhere = dtors.dtors.get(cls), (cls, member) in others
        if dtor is not None:  # one finding, where the release goes, with every store on its path
            findings.append(_finding(found, dtor, None, resolver, elsewhere))
        else:
            findings.extend(_finding([s], None, dtors.classes.get(cls), resolver, elsewhere) for s in found)
    return findings


def _finding(stores: Sequence[MemberStore], dtor: ir.Function | None, decl: ir.ClassDecl | None,
             resolver: Resolver, released_elsewhere: bool) -> Finding:
    """At the end of the destructor that should release the member (stores as path notes), or, for a class
    without a destructor, at the store."""
    s = stores[0]
    res = s.resource
    what = "the elements of member container" if s.container else "member"
    stored = f"stored in member container '{s.member}'" if s.container else f"stored in member '{s.member}'"
    path = [PathEvent(sloc(res.loc), f"{res.kind} acquired by {res.acquirer}()", "acquire"),
            PathEvent(sloc(s.loc), f"{stored} by {s.function.qualname}()", "escape")]
    path += [PathEvent(sloc(o.loc), f"also {stored} by {o.function.qualname}()", "escape") for o in stores[1:]]
    if dtor is not None:
        end = SourceLoc(dtor.loc.file, dtor.end_line, 1)
        path.append(PathEvent(end, f"destructor {dtor.qualname}() never releases {what} '{s.member}'", "exit"))
        fn, loc = dtor, end
    else:
        if decl is not None:
            path.append(PathEvent(SourceLoc(decl.loc.file, decl.loc.line, decl.loc.col),
                                  f"{decl.qualname} has no destructor: {what} '{s.member}' is never released", "exit"))
        fn, loc = s.function, sloc(s.loc)
    return Finding(
        rule_id=RuleId.MEMBER_NOT_RELEASED, resource_kind=res.kind, function=fn.qualname, loc=loc,
        acquire=sloc(res.loc), acquirer=res.acquirer, var=s.member, expected=resolver.expected_release(res.kind),
        path=tuple(path), confidence="medium" if released_elsewhere else "high", rule_source=res.source,
        function_usr=fn.usr, function_span=(fn.loc.line, fn.end_line))


@check(RuleId.MEMBER_NOT_RELEASED)
def members_not_released(ctx: CheckContext) -> Iterable[Finding]:
    return member_findings(ctx.program, ctx.analysis.results, ctx.analysis.resolver)
