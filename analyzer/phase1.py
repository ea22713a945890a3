"""Phase 1: compile jobs from a database or folders, each TU parsed and lowered to IR in a worker process."""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import logging
import os
from collections.abc import Callable, Sequence

from . import ir
from .errors import InputError
from .frontend.compdb import CompileJob, flags_for, jobs_from_paths, load_compile_commands
from .model import Diagnostic

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


def _lower_job(job: CompileJob) -> ir.Module:
    from .frontend.tu import parse_and_lower
    return parse_and_lower(job)


def _failed(job: CompileJob, message: str) -> ir.Module:
    return ir.Module(job.file, diagnostics=(ir.TUDiagnostic(job.file, 0, "error", message),), failed=True)


def lower_all(jobs: Sequence[CompileJob], workers: int,
              progress: Callable[[int, int], None] | None = None) -> list[ir.Module]:
    """Phase 1 in worker processes; a TU that crashes libclang is marked failed, the rest go on."""
    if workers <= 1:  # in-process only when asked for (-j1): a libclang crash would take the scan with it
        modules = []
        for n, job in enumerate(jobs):
            modules.append(_lower_job(job))
            if progress:
                progress(n + 1, len(jobs))
        return modules
    results: dict[int, ir.Module] = {}
    pending = list(range(len(jobs)))
    isolate = False
    while pending:
        batch = pending if not isolate else pending[:1]
        crashed = _run_batch(jobs, batch, 1 if isolate else workers, results, progress)
        if isolate and batch[0] not in results:
            results[batch[0]] = _failed(jobs[batch[0]], "libclang crashed while parsing this file")
        pending = [i for i in pending if i not in results]
        if crashed:
            isolate = True  # find the culprit: one TU per fresh process
    return [results[i] for i in range(len(jobs))]


def _run_batch(jobs: Sequence[CompileJob], batch: list[int], workers: int, results: dict[int, ir.Module],
               progress: Callable[[int, int], None] | None) -> bool:
    """Lower `batch` in a fresh pool; returns whether a worker died (its TUs stay out of `results`)."""
    crashed = False
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_lower_job, jobs[i]): i for i in batch}
        for fut in cf.as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
                if progress:
                    progress(len(results), len(jobs))
            except cf.process.BrokenProcessPool:
                crashed = True
            except Exception as exc:  # a bug in the lowering of this TU: keep scanning the others
                log.debug("lowering %s failed", jobs[i].file, exc_info=True)
                results[i] = _failed(jobs[i], f"internal error while lowering: {type(exc).__name__}: {exc}")
    return crashed


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
