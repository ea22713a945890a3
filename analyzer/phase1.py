"""Phase 1: compile jobs from a database or folders, each TU parsed and lowered to IR in a worker process."""
from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import ir
from .errors import InputError
from .frontend.compdb import CompileJob, flags_for, jobs_from_paths, load_compile_commands
from .model import Diagnostic
from .sourcetext import display
from .workers import Done, Outcome, run_jobs

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


def lower_all(jobs: Sequence[CompileJob], workers: int,
              progress: Callable[[int, int], None] | None = None, limits: Limits = Limits()) -> list[ir.Module]:
    """Phase 1 in worker processes; a TU that crashes or hangs libclang is marked failed, the rest go on."""
    results: dict[int, ir.Module] = {}
    for i, job in enumerate(jobs):
        skipped = _too_large(job, limits.max_source_bytes)
        if skipped is not None:
            results[i] = skipped
    todo = [i for i in range(len(jobs)) if i not in results]

    def done(n: int) -> None:
        if progress:
            progress(n, len(jobs))
    if workers <= 1:  # in-process only when asked for (-j1): no crash isolation, no timeout
        for i in todo:
            results[i] = _lower_job(jobs[i])
            done(len(results))
        return [results[i] for i in range(len(jobs))]

    def record(k: int, outcome: Outcome) -> None:
        job = jobs[todo[k]]
        if isinstance(outcome, Done):
            results[todo[k]] = outcome.value
        elif outcome.reason == "timeout":
            results[todo[k]] = _failed(job, f"timed out: parsing took longer than {limits.tu_timeout:g} s "
                                            "(--tu-timeout)")
        elif outcome.reason == "crashed":
            results[todo[k]] = _failed(job, "libclang crashed while parsing this file")
        else:  # a bug in the lowering of this TU: keep scanning the others
            results[todo[k]] = _failed(job, f"internal error while lowering: {outcome.message}")
        done(len(results))
    run_jobs(_lower_job, [jobs[i] for i in todo], workers, limits.tu_timeout, record)
    return [results[i] for i in range(len(jobs))]
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
