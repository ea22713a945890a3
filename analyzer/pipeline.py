"""A scan, stage by stage: jobs -> IR (phase 1) -> program -> rules -> summaries and dataflow -> checks -> result."""
from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from . import __version__, ir
from .analysis.fixpoint import analyze_program
from .analysis.program import Program, merge_modules
from .analysis.reuse import FILE_NAME as RESULTS_FILE
from .analysis.reuse import ResultCache, ReuseStats
from .cache import CACHE_DIR_NAME, TUCache, analyzer_fingerprint
from .checks import run_checks
from .errors import InputError
from .findings import finalize
from .globs import PathGlobs
from .inference import Inference, infer
from .model import AnalysisResult, Diagnostic, RuleId, ScanStats
from .phase1 import Executor, Limits, Phase1Stats, collect_jobs, local_executor, lower_all, module_diagnostics
from .rules import RuleSet, build_ruleset, with_inferred
from .rules.arity import argument_out_of_range

__all__ = ["InputError", "Options", "Timings", "run"]

# progress(stage, done, total, item): stage "parse" counts TUs (item: the file just parsed), "analyze" functions
Progress = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...] = ()
    compile_commands: str | None = None
    rule_files: tuple[str, ...] = ()
    extra_flags: tuple[str, ...] = ()  # after `--`: every TU (a -std= of the other language is dropped)
    c_flags: tuple[str, ...] = ()  # C TUs only (--cflags)
    cxx_flags: tuple[str, ...] = ()  # C++ TUs only (--cxxflags)
    jobs: int = 0  # 0: one worker per core
    infer: bool = True
    cppcheck_cfgs: tuple[str, ...] = ()
    root: str | None = None
    timestamp: str = ""
    enabled_rules: tuple[RuleId, ...] | None = None  # None: every check
    limits: Limits = field(default_factory=Limits)  # phase 1: per-TU timeout, largest source file parsed
    exclude: tuple[str, ...] = ()  # git-style globs (relative to `root`, else the working folder): not scanned
    min_confidence: str = "medium"  # the lowest confidence of an inferred pair the scan uses: high | medium | low
    cache: bool = False  # reuse and keep phase-1 results in the incremental cache
    cache_dir: str | None = None  # None: .leakscan-cache beside the compile database, else in the scanned root
    executor: str = "local"  # local | dask
    scheduler: str | None = None  # dask: the scheduler's address (None: a LocalCluster on this machine)
    ship_sources: bool = False  # dask: send the sources with each task (workers do not share the file system)


@dataclass
class Timings:
    """Where a scan's time went (seconds) and the cache's use: filled in by `run` when given."""
    phase1: Phase1Stats = field(default_factory=Phase1Stats)
    merge: float = 0.0
    rules: float = 0.0  # rules files and inferred pairs
    analysis: float = 0.0  # summaries and dataflow over every function
    checks: float = 0.0
    functions: int = 0
    reuse: ReuseStats | None = None  # phase 2: results reused from the last scan
    total: float = 0.0  # the whole of `run`


def lower_program(options: Options, progress: Progress | None = None, timings: Timings | None = None
                  ) -> tuple[list[ir.Module], Program, list]:
    """Phase 1 and the merge: (modules, program, jobs). Raises InputError when there is nothing to scan."""
    timings = timings or Timings()
    jobs = collect_jobs(options.paths, options.compile_commands, options.extra_flags, options.c_flags,
                        options.cxx_flags)
    if options.exclude:
        excluded = PathGlobs(options.exclude, options.root or os.getcwd())
        jobs = [j for j in jobs if not excluded.matches(j.file)]
    if not jobs:
        raise InputError((options.paths or (options.compile_commands or '.',))[0], None,
                         "no C or C++ source files found")
    modules = lower_all(jobs, _executor(options, len(jobs)), options.limits,
                        (lambda done, total, item: progress("parse", done, total, item)) if progress else None,
                        _cache(options, jobs), options.executor != "local", timings.phase1)
    start = time.perf_counter()
    prog = merge_modules(modules)
    timings.merge = time.perf_counter() - start
    return modules, prog, jobs


def _executor(options: Options, count: int) -> Executor:
    workers = options.jobs or os.cpu_count() or 1
    if options.executor == "dask":
        from .cluster import dask_executor
        return dask_executor(options.scheduler, options.ship_sources, options.jobs or None)
    return local_executor(1 if options.jobs == 1 else max(2, min(workers, count)))


def cache_folder(options: Options, jobs: list) -> Path:
    """--cache-dir, else .leakscan-cache beside the compile database, else in the scanned root."""
    if options.cache_dir:
        return Path(options.cache_dir)
    if options.compile_commands:
        return Path(os.path.dirname(os.path.abspath(options.compile_commands))) / CACHE_DIR_NAME
    named = list(options.paths) or [j.file for j in jobs]
    return Path(options.root or common_root(named)) / CACHE_DIR_NAME


def _cache(options: Options, jobs: list) -> TUCache | None:
    if not options.cache:
        return None
    from .frontend.resource_dir import libclang
    return TUCache(cache_folder(options, jobs), analyzer_fingerprint(libclang().banner))


def _result_cache(options: Options, jobs: list) -> ResultCache | None:
    if not options.cache:
        return None
    from .frontend.resource_dir import libclang
    return ResultCache(cache_folder(options, jobs) / "phase2" / RESULTS_FILE,
                       analyzer_fingerprint(libclang().banner))


def program_rules(prog: Program, options: Options) -> tuple[RuleSet, Inference | None]:
    """The scan's rules: configured sources, then (unless --no-infer) the confident inferred pairs."""
    configured = build_ruleset(options.rule_files, options.cppcheck_cfgs, prog.decls.values())
    if not options.infer:
        return configured, None
    inference = infer(prog, configured)
    return with_inferred(configured, used_pairs(inference, options), inference.borrowers,
                         inference.summarized), inference


_CONFIDENCE_ORDER = ("high", "medium", "low")


def used_pairs(inference: Inference, options: Options) -> list:
    """The inferred pairs the scan uses: medium and above by default, `options.min_confidence` when given."""
    if options.min_confidence == "medium":
        return inference.confident()
    floor = _CONFIDENCE_ORDER.index(options.min_confidence)
    return [p for p in inference.pairs if _CONFIDENCE_ORDER.index(p.confidence) <= floor]


def run(options: Options, progress: Progress | None = None, timings: Timings | None = None) -> AnalysisResult:
    start = time.perf_counter()
    timings = timings if timings is not None else Timings()
    build_ruleset(options.rule_files, options.cppcheck_cfgs)  # a malformed rules file stops the scan before parsing
    modules, prog, jobs = lower_program(options, progress, timings)
    # the whole program's IR is long-lived: keep the cyclic collector from re-scanning it on every collection of
    # the dataflow's short-lived states (halves phase 2 on redis)
    gc.freeze()
    try:
        mark = time.perf_counter()
        rules, inference = program_rules(prog, options)
        rule_diags = [Diagnostic(w.path, w.line, w.message, "warning")
                      for w in argument_out_of_range(rules, prog.decls.values())]
        timings.rules, mark = time.perf_counter() - mark, time.perf_counter()
        reuse = _result_cache(options, jobs)
        analysis = analyze_program(prog, rules, options.infer, progress=(
            lambda done, total, item: progress("analyze", done, total, item)) if progress else None, reuse=reuse)
        timings.reuse = reuse.stats if reuse else None
        timings.analysis, mark = time.perf_counter() - mark, time.perf_counter()
        findings = finalize(run_checks(prog, analysis, options.enabled_rules))
        timings.checks = time.perf_counter() - mark
        timings.functions = len(prog.functions)
        graphs = {res.function.usr: nx.node_link_data(res.graph, edges="edges")
                  for res in analysis.results if res.graph.number_of_nodes()}
    finally:
        gc.unfreeze()
    timings.total = time.perf_counter() - start
    pairs = tuple(p.record() for p in used_pairs(inference, options)) if inference else ()
    stats = ScanStats(files=len({m.tu for m in modules}), tus=len(modules),
                      degraded_tus=sum(m.degraded for m in modules), failed_tus=sum(m.failed for m in modules),
                      functions=len(prog.functions),
                      seconds=round(time.perf_counter() - start, 3), rules=tuple(rules.files),
                      inferred_pairs=len(pairs), over_budget=sum(r.truncated for r in analysis.results))
    # URIs and fingerprints are relative to the folders the user named (a new file elsewhere must not move the root);
    # a compile database only names files
    named = list(options.paths) if options.paths and not options.compile_commands else [j.file for j in jobs]
    return AnalysisResult(root=options.root or common_root(named), findings=tuple(findings),
                          diagnostics=(*rule_diags, *module_diagnostics(modules)), stats=stats, pairs=pairs,
                          graphs=graphs, timestamp=options.timestamp, tool_version=__version__)



def common_root(paths: list[str]) -> str:
    if not paths:
        return os.getcwd()
    try:
        root = os.path.commonpath([os.path.abspath(p) for p in paths])
    except ValueError:
        return "/"
    return root if os.path.isdir(root) else os.path.dirname(root)
