"""Phase 2 over the whole program: every function analyzed bottom-up over the call graph's SCCs, callee summaries
first; recursive SCCs iterate to a fixed point (at most 4 rounds)."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from analyzer import cfg, ir
from analyzer.rules import RuleSet

from .callgraph import bottom_up_sccs
from .dataflow import FunctionResult, analyze_function
from .program import Program
from .reuse import ResultCache
from .summaries import FunctionSummary, Resolver

MAX_ROUNDS = 4


@dataclass(frozen=True)
class ProgramAnalysis:
    results: tuple[FunctionResult, ...]  # one per function, by USR order
    summaries: Mapping[str, FunctionSummary]  # the useful summaries, by USR
    resolver: Resolver  # rules + those summaries: how every call site was read


def _useful(s: FunctionSummary) -> bool:
    return bool(s.returns_owned or s.releases_args or s.acquires_out or s.stores_args or s.borrows_args
                or s.returns_const is not None or s.writes_globals or s.writes_fields or s.writes_unknown
                or s.releases_pointee or s.borrows_pointee or s.return_values or s.empties_members
                or s.returns_arg >= 0 or s.reallocs_arg >= 0 or s.fills_record or s.empties_record
                or s.detaches_record >= 0)


def file_of_static(usr: str) -> str:
    """'main.c' of a file-local global's USR (`c:main.c@pending`); '' for an external one (`c:@pending`)."""
    head, _, _ = usr.partition("@")
    return head[2:] if head.startswith("c:") else ""


def _mentions_global(fn: ir.Function, usrs: Collection[str]) -> bool:
    def named(op: ir.Operand | None) -> bool:
        return any(isinstance(p, ir.Global) and p.usr in usrs for p in ir.parts(op))

    for e in cfg.events(fn):
        if isinstance(e, ir.Assign) and (named(e.dst) or named(e.src)):
            return True
        if isinstance(e, ir.Call) and any(named(a) for a in e.args):
            return True
        if isinstance(e, (ir.Return, ir.Use, ir.Assume)) and named(e.value):
            return True
    return False


def _carriers(results: Iterable[FunctionResult], prog: Program) -> dict[str, tuple[str, str]]:
    """File-local globals (`static char *pending;`, address never taken) that some function leaves an owned
    resource in, all of one kind: global USR -> (kind, acquirer)."""
    stored: dict[str, set[tuple[str, str]]] = {}
    for res in results:
        for usr, _name, what, _loc in res.global_stores:
            if file_of_static(usr) and usr not in prog.addressed:
                stored.setdefault(usr, set()).add((what.kind, what.acquirer))
    return {usr: min(kinds) for usr, kinds in stored.items() if len({k for k, _ in kinds}) == 1}


def _analyzed(fn: ir.Function, resolver: Resolver, reuse: ResultCache | None) -> FunctionResult:
    if reuse is None:
        return analyze_function(fn, resolver)
    key = reuse.key(fn, resolver)
    if (res := reuse.get(key, fn)) is None:
        res = analyze_function(fn, resolver)
        reuse.put(key, res)
    return res


def analyze_program(prog: Program, rules: RuleSet, infer: bool = True,
                    known: Mapping[str, FunctionSummary] | None = None,
                    progress: Callable[[int, int, str], None] | None = None,
                    reuse: ResultCache | None = None) -> ProgramAnalysis:
    """`infer`: learn summaries from bodies (off: only rules decide what a call does). `progress(done, total,
    function)` after each function analyzed. `reuse`: the last scan's results, reused where nothing they depend on
    changed (and this scan's kept for the next)."""
    summaries: dict[str, FunctionSummary] = dict(known or {})
    # callers of a summary see it as soon as it is computed, through this read-only view
    values = MappingProxyType(prog.constant_globals())
    resolver = Resolver(rules, MappingProxyType(summaries), frozenset(prog.functions), values, prog.addressed,
                        overriders=prog.overriders)
    graph = prog.call_graph
    if reuse is not None:
        reuse.open(resolver, infer)
        reuse = reuse if reuse.enabled else None
    results: dict[str, FunctionResult] = {}
    step = 0
    for scc in bottom_up_sccs(graph):
        recursive = len(scc) > 1 or graph.has_edge(scc[0], scc[0])
        # a member is analyzed again only when the summary of a callee in its SCC changed since it last looked
        analyzed_at: dict[str, int] = {}
        changed_at: dict[str, int] = {}
        pending = scc
        for _ in range(MAX_ROUNDS if recursive else 1):
            for usr in pending:
                step += 1
                analyzed_at[usr] = step
                res = _analyzed(prog.functions[usr], resolver, reuse)
                results[usr] = res
                if progress:
                    progress(len(results), len(prog.functions), prog.functions[usr].qualname)
                if infer and res.summary is not None and _useful(res.summary) and summaries.get(usr) != res.summary:
                    summaries[usr] = res.summary
                    changed_at[usr] = step
            pending = [u for u in scc if any(changed_at.get(c, -1) >= analyzed_at[u] for c in graph.successors(u))]
            if not pending:
                break
    if infer and (carriers := _carriers(results.values(), prog)):
        # a second look at the functions that read or write a carrier, now that what the globals hold is known
        resolver = dataclasses.replace(resolver, carriers=MappingProxyType(carriers))
        files = {file_of_static(usr) for usr in carriers}
        for usr, fn in prog.functions.items():
            if os.path.basename(fn.loc.file) in files and _mentions_global(fn, carriers.keys()):
                results[usr] = analyze_function(fn, resolver)
    if reuse is not None:
        reuse.save()
    final = dict(summaries)
    return ProgramAnalysis(tuple(results[u] for u in sorted(results)), MappingProxyType(final),
                           dataclasses.replace(resolver, summaries=MappingProxyType(final)))
