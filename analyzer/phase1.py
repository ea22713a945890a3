"""Phase 1: compile jobs from a database or folders, each TU parsed and lowered to IR in a worker process."""
from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import ir
from .cache import CacheStats, TUCache
from .errors import InputError
from .frontend.compdb import CompileJob, flags_for, jobs_from_paths, load_compile_commands
from .frontend.parsed import Parsed
from .gcpause import collector_paused
from .model import Diagnostic
from .sourcetext import display
from .workers import Done, Outcome, run_jobs

# progress(done, total, the file just finished ('' at the start))
Progress = Callable[[int, int, str], None]

log = logging.getLogger(__name__)


def collect_jobs(paths: Sequence[str], compile_commands: str | None, extra_flags: Sequence[str] = (),
                 c_flags: Sequence[str] = (), cxx_flags: Sequence[str] = ()) -> list[CompileJob]:
    """The TUs to scan: the database's entries (those under `paths` when given), else every source under `paths`,
    with the extra flags that fit each TU's language. Raises InputError (CompileDbError) on a broken database or
    a path that does not exist."""
    if compile_commands:
        jobs = load_compile_commands(compile_commands)
        if paths:
            wanted = [os.path.abspath(p) for p in paths]
            jobs = [j for j in jobs if any(j.file == w or j.file.startswith(w.rstrip("/") + "/") for w in wanted)]
    else:
        jobs, missing = jobs_from_paths(list(paths), [])
        if missing:
            raise InputError(missing[0], None, "no such file or directory")
    if not (extra_flags or c_flags or cxx_flags):
        return jobs
    out: list[CompileJob] = []
    dropped: set[tuple[str, str]] = set()
    for j in jobs:
        flags, wrong = flags_for(j, extra_flags, c_flags, cxx_flags)
        dropped.update((flag, "C++" if j.is_cxx else "C") for flag in wrong)
        out.append(dataclasses.replace(j, args=j.args + flags))
    for flag, lang in sorted(dropped):
        log.warning("note: %s does not fit %s; not passed to the %s TUs (use --cflags/--cxxflags)", flag, lang, lang)
    return out


@dataclass(frozen=True)
class Task:
    """One TU for a worker: the job; `self_contained` (a result kept in the cache or made on another machine must
    not lean on header functions a worker lowered for an earlier TU); `sources`, contents shipped to a machine that
    cannot read the files (path, bytes)."""
    job: CompileJob
    self_contained: bool = False
    sources: tuple[tuple[str, bytes], ...] = ()


def lower_task(task: Task) -> Parsed:
    from .frontend.tu import parse_with_includes
    return parse_with_includes(task.job, dict(task.sources) if task.sources else None, task.self_contained)


def _failed(job: CompileJob, message: str) -> ir.Module:
    return ir.Module(job.file, diagnostics=(ir.TUDiagnostic(job.file, 0, "error", message),), failed=True)


# ---- phase 1 in worker processes: crash and hang isolation, size limit ----------------------------------------
# A TU whose worker crashes or overruns the per-TU timeout is marked failed and named; the others are unaffected.

DEFAULT_TU_TIMEOUT = 600.0  # seconds; the slowest real TU we know (a 9 MB amalgamation) takes well under this
DEFAULT_MAX_SOURCE_BYTES = 20 << 20  # generated sources larger than this are skipped with a diagnostic


@dataclass(frozen=True)
class Limits:
    tu_timeout: float = DEFAULT_TU_TIMEOUT  # 0: none
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES  # 0: none


def _too_large(job: CompileJob, limit: int) -> ir.Module | None:
    try:
        size = os.stat(job.file).st_size
    except OSError:
        return None  # the worker says why it cannot be read
    if not limit or size <= limit:
        return None
    return _failed(job, f"skipped: {size / (1 << 20):.1f} MiB is over the size limit of "
                        f"{limit / (1 << 20):g} MiB (--max-file-size)")


def outcome_module(job: CompileJob, outcome: Outcome, limits: Limits) -> Parsed:
    """What a worker's outcome means for its TU: its result, or a failed module saying why."""
    if isinstance(outcome, Done):
        return outcome.value
    if outcome.reason == "timeout":
        return Parsed(_failed(job, f"timed out: parsing took longer than {limits.tu_timeout:g} s (--tu-timeout)"))
    if outcome.reason == "crashed":
        return Parsed(_failed(job, "libclang crashed while parsing this file"))
    # a bug in the lowering of this TU: keep scanning the others
    return Parsed(_failed(job, f"internal error while lowering: {outcome.message}"))


# Runs the tasks and calls back with (index, outcome) as each ends: in worker processes, in-process or on a cluster.
Executor = Callable[[Sequence[Task], Limits, Callable[[int, Outcome], None]], None]


def local_executor(workers: int) -> Executor:
    """Worker processes on this machine; in-process when asked for one (-j1: no crash isolation, no timeout)."""
    def run(tasks: Sequence[Task], limits: Limits, record: Callable[[int, Outcome], None]) -> None:
        if workers <= 1:
            for k, task in enumerate(tasks):
                record(k, Done(lower_task(task)))
            return
        with collector_paused():  # the modules received from the workers are long-lived and acyclic
            run_jobs(lower_task, tasks, workers, limits.tu_timeout, record)
    return run


@dataclass
class Phase1Stats:
    """Where phase 1's time went, summed over TUs (worker time, not wall time), and the cache's use."""
    clang_seconds: float = 0.0
    lower_seconds: float = 0.0
    wall_seconds: float = 0.0
    cache: CacheStats | None = None
    parsed: list[str] = field(default_factory=list)  # the TUs parsed in this scan (not from the cache), in order


def lower_all(jobs: Sequence[CompileJob], executor: Executor, limits: Limits = Limits(),
              progress: Progress | None = None, cache: TUCache | None = None,
              self_contained: bool = False, stats: Phase1Stats | None = None) -> list[ir.Module]:
    """Phase 1: every job's IR, from the cache when it holds a valid entry, else from the executor (and then
    stored). A TU that crashes or hangs libclang is marked failed, the rest go on."""
    started = time.perf_counter()
    stats = stats if stats is not None else Phase1Stats()
    results: dict[int, ir.Module] = {}
    keys = [job_key(cache, job) for job in jobs] if cache else []
    for i, job in enumerate(jobs):
        found = _too_large(job, limits.max_source_bytes) or (cache.load(keys[i]) if cache else None)
        if found is not None:
            results[i] = found
    todo = [i for i in range(len(jobs)) if i not in results]
    stats.parsed.extend(jobs[i].file for i in todo)
    todo = largest_first(jobs, todo)
    if progress:
        progress(len(results), len(jobs), "")

    def record(k: int, outcome: Outcome) -> None:
        job = jobs[todo[k]]
        parsed = outcome_module(job, outcome, limits)
        results[todo[k]] = parsed.module
        stats.clang_seconds += parsed.clang_seconds
        stats.lower_seconds += max(parsed.module.parse_seconds - parsed.clang_seconds, 0.0)
        if cache is not None:
            cache.store(keys[todo[k]], parsed.module, parsed.includes)
        if progress:
            progress(len(results), len(jobs), job.file)
    executor([Task(jobs[i], self_contained or cache is not None) for i in todo], limits, record)
    stats.wall_seconds = time.perf_counter() - started
    stats.cache = cache.stats if cache else None
    return [results[i] for i in range(len(jobs))]


def largest_first(jobs: Sequence[CompileJob], todo: list[int]) -> list[int]:
    """The jobs to run, the largest source files first: the longest TUs start early instead of leaving one worker
    busy at the end while the others idle (the results keep the order of `jobs`)."""
    def size(i: int) -> int:
        try:
            return os.stat(jobs[i].file).st_size
        except OSError:
            return 0
    return sorted(todo, key=lambda i: (-size(i), i))


def job_key(cache: TUCache, job: CompileJob) -> str:
    """What defines a job's parse besides the files it reads: its file, folder and flags, and the system include
    flags the worker adds to them (the host compiler's search list, the builtin headers chosen)."""
    from .frontend.sysinc import system_include_args
    resource_dir = next((job.args[i + 1] for i in range(len(job.args) - 2, -1, -1)
                         if job.args[i] == "-resource-dir"), None)
    system = system_include_args("c++" if job.is_cxx else "c", resource_dir, "-nostdinc" in job.args)
    env = [f"{name}={os.environ.get(name, '')}" for name in CLANG_ENVIRONMENT]
    return cache.key([job.file, job.directory, *job.args, "\0", *system, "\0", *env])


# environment variables libclang reads as include paths
CLANG_ENVIRONMENT = ("CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH")
# ---- end of the worker-process part ----------------------------------------------------------------------------


def module_diagnostics(modules: list[ir.Module]) -> list[Diagnostic]:
    """One line per failed or degraded TU, plus the notes (source not UTF-8...) that cost nothing."""
    diags = []
    for m in modules:
        problems = [d for d in m.diagnostics if d.severity != "note"]
        if m.failed:
            first = problems[0] if problems else None
            diags.append(Diagnostic(m.tu, first.line if first else 0, first.message if first else "failed",
                                    "error"))
        elif m.degraded and problems:
            errors = [d for d in problems if d.severity in ("error", "fatal")]
            first = errors[0] if errors else problems[0]
            count = f" ({len(errors)} error(s), analyzed what parsed)" if errors else ""
            diags.append(Diagnostic(first.file or m.tu, first.line, f"translation unit {os.path.basename(m.tu)} "
                                    f"degraded{count}: {first.message}", "warning"))
        diags.extend(Diagnostic(d.file or m.tu, d.line, d.message, "note")
                     for d in m.diagnostics if d.severity == "note")
    return [dataclasses.replace(d, file=display(d.file), message=display(d.message)) for d in diags]
