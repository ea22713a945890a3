"""A C struct's pointer field that receives owned blocks but that no code ever hands to anything.

`ctx_free(c)` frees `c->name` and `c`, but `c->extra = strdup(..)` elsewhere: once the struct goes, so does the
only way to reach the block. Reported only when the evidence is plain: the field name belongs to one struct of the
program (no other struct or class has a field of that name), some code releases or passes on another field of that
struct (it has a destructor of sorts), and nothing anywhere reads the field except to test or dereference it — it
is never passed to a call, copied out, returned or stored elsewhere.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from analyzer import ir
from analyzer.analysis.dataflow import FunctionResult
from analyzer.analysis.program import Program
from analyzer.analysis.summaries import Resolver
from analyzer.model import Finding, PathEvent, RuleId

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


def handed_fields(functions: Iterable[ir.Function]) -> set[str]:
    """Names of fields whose value some code passes to a call, copies out, returns or stores elsewhere."""
    out: set[str] = set()
    for fn in functions:
        for b in fn.blocks:
            for e in b.events:
                if isinstance(e, ir.Call):
                    for a in e.args:
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


def _finding(res: FunctionResult, decl: ir.ClassDecl, field: str, what, loc: ir.Loc) -> Finding:
    fn = res.function
    path = (PathEvent(sloc(what.loc), f"{what.kind} acquired by {what.acquirer}()", "acquire"),
            PathEvent(sloc(loc), f"stored in field '{field}' of struct {decl.qualname}", "escape"),
            PathEvent(sloc(decl.loc), f"no code releases '{field}' of struct {decl.qualname}: the field is never "
                                      "passed to a call, copied out or returned", "exit"))
    return Finding(rule_id=RuleId.MEMBER_NOT_RELEASED, resource_kind=what.kind, function=fn.qualname, loc=sloc(loc),
                   acquire=sloc(what.loc), acquirer=what.acquirer, var=field, path=path, confidence="medium",
                   rule_source=what.source, function_usr=fn.usr, function_span=(fn.loc.line, fn.end_line))


@check(RuleId.MEMBER_NOT_RELEASED)
def forgotten_fields(ctx: CheckContext) -> Iterable[Finding]:
    functions = ctx.program.functions.values()
    fields = forgotten(ctx.program, handed_fields(functions), released_fields(functions, ctx.analysis.resolver))
    if not fields:
        return
    seen: set[tuple[str, ir.Loc, ir.Loc]] = set()
    for res in ctx.analysis.results:
        for _index, name, what, loc in res.field_stores:
            decl = fields.get(name)
            if decl is not None and loc not in res.unowned_stores and \
                    (key := (res.function.usr, loc, what.loc)) not in seen:
                seen.add(key)
                yield _finding(res, decl, name, what, loc)
