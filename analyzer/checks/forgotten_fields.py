"""A C struct's pointer field that receives owned blocks but that the struct's release function never releases.

`ctx_free(c)` frees `c->name` and `c`, but `c->extra = strdup(..)` elsewhere: once the struct goes, so does the
only way to reach the block. Reported only when the evidence is plain: the field name belongs to one struct of the
program (no other struct or class has a field of that name), and either
* nothing anywhere reads the field except to test or dereference it (never passed to a call, copied out, returned
  or stored elsewhere) while some code releases or passes on another field of that struct; or
* a release function of the struct (`conn_free(struct conn *c)` frees its argument on every path) never reaches
  the field, and the only code that hands the field on also stores into it (`free(c->buf); c->buf = strdup(..)`
  replaces it: no other function releases it before the struct goes).
With a release function, the finding is at its end, where the release belongs; else at the store.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

import networkx as nx

from analyzer import ir
from analyzer.analysis.dataflow import FunctionResult
from analyzer.analysis.program import Program
from analyzer.analysis.summaries import FunctionSummary, Resolver
from analyzer.model import Finding, PathEvent, RuleId, SourceLoc

from .paths import sloc
from .registry import CheckContext, check


def _field_names(op: object) -> Iterator[str]:
    """Fields whose value the operand carries (`c->a`, `&c->a`, `c->a + 1`), not those only dereferenced on the
    way (`c->a->b` carries b)."""
    while isinstance(op, (ir.AddrOf, ir.Arith)):
        if isinstance(op, ir.Arith):
            yield from _field_names(op.lhs)
            op = op.rhs
            continue
        op = op.base
    if isinstance(op, ir.Field):
        yield op.name


def handed_fields(functions: Iterable[ir.Function], resolver: Resolver | None = None) -> set[str]:
    """Names of fields whose value some code passes to a call, copies out, returns or stores elsewhere (with a
    resolver: except to a call that releases it)."""
    out: set[str] = set()
    for fn in functions:
        for b in fn.blocks:
            for e in b.events:
                if isinstance(e, ir.Call):
                    released = {id(a) for a in resolver.released_args(e)} if resolver is not None else set()
                    for a in e.args:
                        if id(a) not in released:
                            out.update(_field_names(a))
                    if e.receiver is not None:
                        out.update(_field_names(e.receiver))
                elif isinstance(e, ir.Assign):
                    out.update(_field_names(e.src))
                elif isinstance(e, ir.Return) and e.value is not None:
                    out.update(_field_names(e.value))
    return out


def released_fields(functions: Iterable[ir.Function], resolver: Resolver) -> set[str]:
    """Names of fields some code releases (`free(c->name)`, `dm_pack_del(c->pack)`)."""
    out: set[str] = set()
    for fn in functions:
        for b in fn.blocks:
            for e in b.events:
                if isinstance(e, ir.Call) and e.callee:
                    for i, _kind in resolver.effect(e).releases:
                        if i < len(e.args):
                            out.update(_field_names(e.args[i]))
    return out


def forgotten(prog: Program, handed: set[str], released: set[str]) -> dict[str, ir.ClassDecl]:
    """Field name -> its struct, for pointer fields nothing hands on in a struct some code releases other fields
    of (its destructor forgot one)."""
    counts = Counter(f.name for c in prog.classes.values() for f in c.fields)
    out: dict[str, ir.ClassDecl] = {}
    for decl in prog.classes.values():
        if decl.destructor_usr:
            continue  # a class: the member checks own it
        unique = [f for f in decl.fields if counts[f.name] == 1]
        if not any(f.name in released and f.is_pointer for f in unique):
            continue  # no sign of code that releases this struct's fields
        for f in unique:
            if f.is_pointer and f.name not in handed:
                out[f.name] = decl
    return out


def _struct_name(type_spelling: str) -> str:
    """'conn' of `struct conn *`, `const struct conn *`, `conn *`."""
    words = [w for w in type_spelling.replace("*", " ").split() if w not in ("struct", "const", "volatile")]
    return words[0] if len(words) == 1 else ""


def release_functions(prog: Program, summaries: Mapping[str, FunctionSummary]) -> dict[str, ir.Function]:
    """Struct name -> the function (with a body) that frees a `struct S *` argument on every path."""
    out: dict[str, ir.Function] = {}
    for usr, summary in sorted(summaries.items()):
        fn = prog.functions.get(usr)
        if fn is None or fn.class_name:
            continue
        for i, _kind in summary.releases_args:
            if i < len(fn.params) and (name := _struct_name(fn.params[i].type)):
                out.setdefault(name, fn)
    return out


def forgotten_by_release(prog: Program, releasers: Mapping[str, ir.Function], storers: Mapping[str, set[str]],
                         resolver: Resolver) -> dict[str, tuple[ir.ClassDecl, ir.Function]]:
    """Field name -> (its struct, the struct's release function) for pointer fields the release function never
    reaches while no function hands it on but to release it where it also stores into it (a replace)."""
    counts = Counter(f.name for c in prog.classes.values() for f in c.fields)
    handed = {u: handed_fields([fn]) for u, fn in prog.functions.items()}  # per function, computed once
    graph = prog.call_graph
    out: dict[str, tuple[ir.ClassDecl, ir.Function]] = {}
    for decl in prog.classes.values():
        release = releasers.get(decl.qualname)
        if decl.destructor_usr or release is None:
            continue
        candidates = [f.name for f in decl.fields if f.is_pointer and counts[f.name] == 1 and f.name in storers]
        if not candidates:
            continue
        reach = {release.usr} | (nx.descendants(graph, release.usr) if release.usr in graph else set())
        reached = set().union(*(handed.get(u, ()) for u in reach))
        for name in candidates:
            elsewhere = any(name in fields for u, fields in handed.items() if u not in storers[name])
            replacing = [prog.functions[u] for u in storers[name] if u in prog.functions]
            if name not in reached and not elsewhere and name not in handed_fields(replacing, resolver):
                out[name] = (decl, release)
    return out


def _finding(res: FunctionResult, decl: ir.ClassDecl, field: str, what, loc: ir.Loc,
             release: ir.Function | None) -> Finding:
    fn = res.function
    stored = PathEvent(sloc(loc), f"stored in field '{field}' of struct {decl.qualname} by {fn.qualname}()",
                       "escape")
    acquired = PathEvent(sloc(what.loc), f"{what.kind} acquired by {what.acquirer}()", "acquire")
    if release is not None:
        end = SourceLoc(release.loc.file, release.end_line, 1)
        path = (acquired, stored, PathEvent(end, f"{release.qualname}() releases struct {decl.qualname} but never "
                                                 f"its field '{field}'", "exit"))
        owner, at = release, end
    else:
        path = (acquired, stored, PathEvent(sloc(decl.loc), f"no code releases '{field}' of struct {decl.qualname}: "
                                                            "the field is never passed to a call, copied out or "
                                                            "returned", "exit"))
        owner, at = fn, sloc(loc)
    return Finding(rule_id=RuleId.MEMBER_NOT_RELEASED, resource_kind=what.kind, function=owner.qualname, loc=at,
                   acquire=sloc(what.loc), acquirer=what.acquirer, var=field, path=path, confidence="medium",
                   rule_source=what.source, function_usr=owner.usr, function_span=(owner.loc.line, owner.end_line))


@check(RuleId.MEMBER_NOT_RELEASED)
def forgotten_fields(ctx: CheckContext) -> Iterable[Finding]:
    functions = ctx.program.functions.values()
    stores = [(res, name, what, loc) for res in ctx.analysis.results
              for _index, name, what, loc in res.field_stores if loc not in res.unowned_stores]
    storers: dict[str, set[str]] = {}
    for res, name, _what, _loc in stores:
        storers.setdefault(name, set()).add(res.function.usr)
    releasers = release_functions(ctx.program, ctx.analysis.summaries)
    by_release = forgotten_by_release(ctx.program, releasers, storers, ctx.analysis.resolver) if releasers else {}
    fields = forgotten(ctx.program, handed_fields(functions), released_fields(functions, ctx.analysis.resolver))
    seen: set[tuple] = set()
    for res, name, what, loc in stores:
        release: ir.Function | None
        if name in by_release:
            decl, release = by_release[name]
            key: tuple = (decl.qualname, name)  # one finding per field, at the release function
        elif name in fields:
            decl, release = fields[name], releasers.get(fields[name].qualname)
            key = (release.usr, name) if release is not None else (res.function.usr, loc, what.loc)
        else:
            continue
        if key not in seen:
            seen.add(key)
            yield _finding(res, decl, name, what, loc, release)
