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


@dataclass
class _Run:
    """One analysis of the program: the summaries learnt so far and every function's latest result."""
    prog: Program
    resolver: Resolver
    summaries: dict[str, FunctionSummary]
    infer: bool
    reuse: ResultCache | None
    progress: Callable[[int, int, str], None] | None
    results: dict[str, FunctionResult] = dataclasses.field(default_factory=dict)

    def scc(self, scc: list[str]) -> None:
        """A recursive SCC iterates; a member is analyzed again only when the summary of one of its callees in the
        SCC changed since it last looked (at most MAX_ROUNDS rounds)."""
        graph = self.prog.call_graph
        recursive = len(scc) > 1 or graph.has_edge(scc[0], scc[0])
        analyzed_at: dict[str, int] = {}
        changed_at: dict[str, int] = {}
        pending, step = scc, 0
        for _ in range(MAX_ROUNDS if recursive else 1):
            for usr in pending:
                step += 1
                analyzed_at[usr] = step
                if self.one(usr):
                    changed_at[usr] = step
            pending = [u for u in scc if any(changed_at.get(c, -1) >= analyzed_at[u] for c in graph.successors(u))]
            if not pending:
                break

    def one(self, usr: str) -> bool:
        """Analyze one function (or reuse its last result); True when its summary changed."""
        fn = self.prog.functions[usr]
        res = _analyzed(fn, self.resolver, self.reuse)
        self.results[usr] = res
        if self.progress:
            self.progress(len(self.results), len(self.prog.functions), fn.qualname)
        if self.infer and res.summary is not None and _useful(res.summary) and \
                self.summaries.get(usr) != res.summary:
            self.summaries[usr] = res.summary
            return True
        return False

    def second_look(self) -> None:
        """Again the functions that read or write a carrier, now that what the globals hold is known."""
        if not self.infer or not (carriers := _carriers(self.results.values(), self.prog)):
            return
        self.resolver = dataclasses.replace(self.resolver, carriers=MappingProxyType(carriers))
        files = {file_of_static(usr) for usr in carriers}
        for usr, fn in self.prog.functions.items():
            if os.path.basename(fn.loc.file) in files and _mentions_global(fn, carriers.keys()):
                self.results[usr] = _analyzed(fn, self.resolver, self.reuse)


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
    if reuse is not None:
        reuse.open(resolver, infer)
        reuse = reuse if reuse.enabled else None
    run = _Run(prog, resolver, summaries, infer, reuse, progress)
    for scc in bottom_up_sccs(prog.call_graph):
        run.scc(scc)
    run.second_look()
    if reuse is not None:
        reuse.save()
    results = run.results
    final = dict(summaries)
    return ProgramAnalysis(tuple(results[u] for u in sorted(results)), MappingProxyType(final),
                           dataclasses.replace(run.resolver, summaries=MappingProxyType(final)))
