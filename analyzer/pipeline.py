"""The two-phase scan: lower every TU (parallel), then summarise bottom-up and check every function."""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import gc
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from . import ir
from .attributes import apply_attribute_rules
from .callgraph import bottom_up_sccs, build_call_graph
from .checks import to_findings
from .member_overwrite import refine_member_overwrites
from .members import member_findings
from .model import AnalysisResult, Diagnostic, Finding, ScanStats
from .ownership import FunctionResult, analyze_function
from .pairs import apply_inferred_pairs
from .rules import RuleSet, load_rules
from .summaries import FunctionSummary, Resolver

log = logging.getLogger(__name__)


class InputError(Exception):
    """Bad input that stops the scan before it starts (one line, names the file)."""


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...] = ()
    compile_commands: str | None = None
    rule_files: tuple[str, ...] = ()
    extra_flags: tuple[str, ...] = ()
    jobs: int = 0  # 0: one worker per core
    infer: bool = True
    cppcheck_cfgs: tuple[str, ...] = ()
    root: str | None = None
    timestamp: str = ""


def collect_jobs(options: Options) -> list:
    from .frontend.compdb import CompileDbError, jobs_from_paths, load_compile_commands
    try:
        if options.compile_commands:
            jobs = load_compile_commands(options.compile_commands)
            if options.paths:
                wanted = [os.path.abspath(p) for p in options.paths]
                jobs = [j for j in jobs if any(j.file == w or j.file.startswith(w.rstrip("/") + "/") for w in wanted)]
            if options.extra_flags:
                jobs = [dataclasses.replace(j, args=j.args + tuple(options.extra_flags)) for j in jobs]
            return jobs
    except CompileDbError as exc:
        raise InputError(str(exc)) from None
    jobs, missing = jobs_from_paths(list(options.paths), list(options.extra_flags))
    if missing:
        raise InputError(f"{missing[0]}: no such file or directory")
    return jobs


def _lower_job(job) -> ir.Module:
    from .frontend.tu import parse_and_lower
    return parse_and_lower(job)


def lower_all(jobs: list, workers: int, progress: Callable[[int, int], None] | None = None) -> list[ir.Module]:
    """Phase 1 in worker processes; a TU that crashes libclang is marked failed, the rest go on."""
    if workers <= 1:  # in-process only when asked for (-j1): a libclang crash would take the scan with it
        modules = []
        for n, job in enumerate(jobs):
            modules.append(_lower_job(job) if len(jobs) > 0 else None)
            if progress:
                progress(n + 1, len(jobs))
        return modules
    results: dict[int, ir.Module] = {}
    pending = list(range(len(jobs)))
    isolate = False
    while pending:
        batch = pending if not isolate else pending[:1]
        failed: list[int] = []
        with cf.ProcessPoolExecutor(max_workers=1 if isolate else workers) as pool:
            futures = {pool.submit(_lower_job, jobs[i]): i for i in batch}
            for fut in cf.as_completed(futures):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                    if progress:
                        progress(len(results), len(jobs))
                except cf.process.BrokenProcessPool:
                    failed.append(i)
                except Exception as exc:  # a bug in the lowering of this TU: keep scanning the others
                    log.debug("lowering %s failed", jobs[i].file, exc_info=True)
                    results[i] = ir.Module(jobs[i].file, diagnostics=(ir.TUDiagnostic(
                        jobs[i].file, 0, "error", f"internal error while lowering: {type(exc).__name__}: {exc}"),),
                        failed=True)
        done = set(results)
        if isolate and batch[0] not in done:
            results[batch[0]] = ir.Module(jobs[batch[0]].file, diagnostics=(ir.TUDiagnostic(
                jobs[batch[0]].file, 0, "error", "libclang crashed while parsing this file"),), failed=True)
        pending = [i for i in pending if i not in results]
        if failed:
            isolate = True  # find the culprit: one TU per fresh process
    return [results[i] for i in range(len(jobs))]


@dataclass
class Program:
    functions: dict[str, ir.Function] = field(default_factory=dict)
    decls: dict[str, ir.FuncDecl] = field(default_factory=dict)
    classes: dict[str, ir.ClassDecl] = field(default_factory=dict)


def merge_modules(modules: list[ir.Module]) -> Program:
    prog = Program()
    origin: dict[str, str] = {}  # usr -> the TU its function came from
    for m in modules:
        for fn in m.functions:
            kept = prog.functions.setdefault(fn.usr, fn)  # a header function from several TUs: once, by USR
            if kept is not fn:
                _add_configuration_variant(prog, fn, kept, same_file=origin[fn.usr] == m.tu)
            origin.setdefault(fn.usr, m.tu)
        for d in m.decls:
            old = prog.decls.get(d.usr)
            if old is None or (d.has_body and not old.has_body):
                prog.decls[d.usr] = d
        for c in m.classes:
            prog.classes.setdefault(c.usr, c)
    return prog


def _add_configuration_variant(prog: Program, fn: ir.Function, kept: ir.Function, same_file: bool) -> None:
    """One file compiled in several configurations (-DDEBUG...) can lower a function differently: each distinct
    body is analyzed (calls still resolve to the first); identical findings merge in finalize()."""
    if not same_file or fn == kept:
        return
    n = 2
    while f"{fn.usr}#{n}" in prog.functions:
        if prog.functions[f"{fn.usr}#{n}"] == dataclasses.replace(fn, usr=f"{fn.usr}#{n}"):
            return
        n += 1
    prog.functions[f"{fn.usr}#{n}"] = dataclasses.replace(fn, usr=f"{fn.usr}#{n}")


def analyze_program(prog: Program, rules: RuleSet, infer: bool = True,
                    extra_summaries: dict[str, FunctionSummary] | None = None) -> tuple[list[FunctionResult], Resolver]:
    resolver = Resolver(rules, dict(extra_summaries or {}), set(prog.functions))
    graph = build_call_graph(prog.functions)
    results: dict[str, FunctionResult] = {}
    for scc in bottom_up_sccs(graph):
        recursive = len(scc) > 1 or graph.has_edge(scc[0], scc[0])
        for _ in range(4 if recursive else 1):
            changed = False
            for usr in scc:
                res = analyze_function(prog.functions[usr], resolver)
                results[usr] = res
                if infer and res.summary is not None and _useful(res.summary):
                    if resolver.summaries.get(usr) != res.summary:
                        resolver.summaries[usr] = res.summary
                        changed = True
            if not changed:
                break
    return [results[u] for u in sorted(results)], resolver


def _useful(s: FunctionSummary) -> bool:
    return bool(s.returns_owned or s.releases_args or s.acquires_out or s.stores_args or s.borrows_args)


def _snippet_reader() -> Callable[[str, int], str]:
    cache: dict[str, list[str]] = {}

    def read(path: str, line: int) -> str:
        if path not in cache:
            try:
                cache[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                cache[path] = []
        lines = cache[path]
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return read


def finalize(findings: list[Finding]) -> list[Finding]:
    read = _snippet_reader()
    out = {}
    for f in findings:
        f = dataclasses.replace(f, snippet=read(f.loc.file, f.loc.line),
                                acquire_snippet=read(f.acquire.file, f.acquire.line) if f.acquire else "")
        key = (f.rule_id, f.loc.file, f.loc.line, f.loc.col, f.acquire.line if f.acquire else 0, f.var)
        out.setdefault(key, f)
    return sorted(out.values(), key=Finding.sort_key)


def module_diagnostics(modules: list[ir.Module]) -> list[Diagnostic]:
    diags = []
    for m in modules:
        if m.failed:
            first = m.diagnostics[0] if m.diagnostics else None
            diags.append(Diagnostic(m.tu, first.line if first else 0, first.message if first else "failed",
                                    "error"))
        elif m.degraded:
            errors = [d for d in m.diagnostics if d.severity in ("error", "fatal")]
            first = errors[0] if errors else m.diagnostics[0]
            diags.append(Diagnostic(first.file or m.tu, first.line,
                                    f"translation unit {os.path.basename(m.tu)} degraded ({len(errors)} "
                                    f"error(s), analyzed what parsed): {first.message}", "warning"))
    return diags


def common_root(paths: list[str]) -> str:
    if not paths:
        return os.getcwd()
    try:
        root = os.path.commonpath([os.path.abspath(p) for p in paths])
    except ValueError:
        return "/"
    return root if os.path.isdir(root) else os.path.dirname(root)


def run(options: Options, progress: Callable[[int, int], None] | None = None) -> AnalysisResult:
    start = time.perf_counter()
    rules = load_rules(list(options.rule_files))
    if options.cppcheck_cfgs:
        from .cppcheck_cfg import load_cppcheck_cfg  # raises RuleError on a malformed file
        for path in options.cppcheck_cfgs:
            load_cppcheck_cfg(path, rules)
    jobs = collect_jobs(options)
    if not jobs:
        raise InputError(f"{(options.paths or (options.compile_commands or '.',))[0]}: no C or C++ source files found")
    workers = options.jobs or os.cpu_count() or 1
    modules = lower_all(jobs, 1 if options.jobs == 1 else max(2, min(workers, len(jobs))), progress)
    prog = merge_modules(modules)
    # the whole program's IR is long-lived: keep the cyclic collector from re-scanning it on every collection of
    # the dataflow's short-lived states (halves phase 2 on redis)
    gc.freeze()
    pairs: list[dict] = []
    # ownership attributes are configuration written by the library's authors: applied even with --no-infer
    apply_attribute_rules(prog.decls.values(), rules)
    if options.infer:
        pairs = apply_inferred_pairs(prog, rules)
    results, resolver = analyze_program(prog, rules, options.infer)
    refine_member_overwrites(results)
    findings: list[Finding] = []
    graphs = {}
    for res in results:
        findings.extend(to_findings(res, resolver))
        if res.graph.number_of_nodes():
            graphs[res.function.usr] = nx.node_link_data(res.graph, edges="edges")
    findings.extend(member_findings(prog, results, resolver))
    findings = finalize(findings)
    files = {m.tu for m in modules}
    stats = ScanStats(files=len(files), tus=len(modules), degraded_tus=sum(m.degraded for m in modules),
                      failed_tus=sum(m.failed for m in modules), functions=len(prog.functions),
                      seconds=round(time.perf_counter() - start, 3), rules=tuple(rules.files),
                      inferred_pairs=len(pairs))
    gc.unfreeze()
    from . import __version__
    # URIs and fingerprints are relative to the folders the user named (a new file elsewhere must not move the root);
    # a compile database only names files
    named = list(options.paths) if options.paths and not options.compile_commands else [j.file for j in jobs]
    return AnalysisResult(root=options.root or common_root(named), findings=tuple(findings),
                          diagnostics=tuple(module_diagnostics(modules)), stats=stats, pairs=tuple(pairs),
                          graphs=graphs, timestamp=options.timestamp, tool_version=__version__)
